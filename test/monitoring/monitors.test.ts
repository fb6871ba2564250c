/**
 * Monitors end to end on a real server (SQLite, and PostgreSQL when configured): a classifier trained
 * on a pushed dataset (so the reference comes from lineage), served, and sent traffic first from the
 * reference's distribution and then with one feature shifted. Reports find the shifted feature and
 * not the others; drift calls a webhook (retried until it answers) and starts the on-drift pipeline
 * once per cooldown; schedules evaluate on their own; bad input is refused naming the field; the CLI
 * prints the same reports.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Monitor, Slipway } from '../../src/client/index.js';
import { systemContext } from '../../src/core/context.js';
import { gbdtToOnnx, trainGbdt } from '../../src/training/gbdt/index.js';
import { seededRandom } from '../../src/training/random.js';
import { BACKENDS } from '../support/backends.js';
import { cli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const PLANS = ['basic', 'pro', 'team'];
const FEATURES = [
  { name: 'tenure', type: 'numeric' as const },
  { name: 'charges', type: 'numeric' as const },
  { name: 'plan', type: 'categorical' as const, categories: PLANS },
];

interface Row {
  readonly tenure: number;
  readonly charges: number;
  readonly plan: string;
}

/** Customers; `shift` moves tenure up (the drift the monitor must find), nothing else. */
function customers(count: number, seed: number, shift = 0): Row[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => ({
    tenure: Math.floor(random() * 60) + shift,
    charges: Math.round((20 + random() * 100) * 100) / 100,
    plan: PLANS[Math.floor(random() * 3)]!,
  }));
}

/**
 * The label, by a rule without noise: a model that learned noise answers its training rows more
 * confidently than new ones, which prediction drift would rightly report against training data.
 */
function churned(row: Row): number {
  return row.tenure < 12 && row.plan !== 'team' ? 1 : 0;
}

function csvOf(rows: readonly Row[], labels: readonly number[]): Buffer {
  const lines = [
    'tenure,charges,plan,churned',
    ...rows.map((r, i) => `${r.tenure},${r.charges},${r.plan},${labels[i]}`),
  ];
  return Buffer.from(`${lines.join('\n')}\n`);
}

/** An HTTP receiver that fails the first `failures` calls with 500, then answers 204. */
async function webhookReceiver(
  failures: number,
): Promise<{ url: string; bodies: unknown[]; calls: () => number; close(): Promise<void> }> {
  const bodies: unknown[] = [];
  let calls = 0;
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      calls++;
      bodies.push(JSON.parse(text));
      response.statusCode = calls <= failures ? 500 : 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    bodies,
    calls: () => calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(BACKENDS)('monitors on %s', (backend) => {
  let t: TestServer;
  let sw: Slipway;
  let hook: Awaited<ReturnType<typeof webhookReceiver>>;
  const run = (...argv: string[]) => cli(argv, { SLIPWAY_URL: t.url, SLIPWAY_TOKEN: t.adminToken }, t.home);

  const send = async (rows: readonly Row[]) => {
    for (let i = 0; i < rows.length; i += 100) {
      await sw.deployments.predict('churn', rows.slice(i, i + 100) as unknown as Record<string, unknown>[]);
    }
    await t.server.platform.serving.flushLog();
  };
  const evaluate = async (name: string) => {
    const started = await sw.monitors.evaluate(name);
    expect(started).toMatchObject({
      status: 'running',
      links: { self: `/api/v1/monitors/${name}/reports/${started.id}` },
    });
    return sw.monitors.waitForReport(name, started.id);
  };

  beforeAll(async () => {
    t = await startTestServer(backend);
    sw = t.sw;
    hook = await webhookReceiver(2);
    const rows = customers(600, 1);
    const labels = rows.map(churned);
    await sw.datasets.push('churn-train', csvOf(rows, labels), { format: 'csv' });
    const model = trainGbdt(
      {
        rows: rows.length,
        features: [
          { kind: 'numeric', name: 'tenure', values: Float64Array.from(rows, (r) => r.tenure) },
          { kind: 'numeric', name: 'charges', values: Float64Array.from(rows, (r) => r.charges) },
          { kind: 'categorical', name: 'plan', values: rows.map((r) => r.plan) },
        ],
      },
      { kind: 'classification', classes: ['0', '1'], labels: Int32Array.from(labels) },
      { iterations: 20, maxLeaves: 8, seed: 1 },
    );
    // As AutoML registers: features, classes and the training data linked (the monitor's reference).
    const registry = t.server.platform.registry;
    await registry.versions.register(systemContext('test'), 'churn', Readable.from([gbdtToOnnx(model)]), {
      features: FEATURES,
      classes: ['0', '1'],
      datasets: [{ ref: 'churn-train@1', role: 'train' }],
    });
    await registry.versions.register(systemContext('test'), 'plain', Readable.from([gbdtToOnnx(model)]), {
      features: FEATURES,
      classes: ['0', '1'],
    });
    await sw.deployments.create('churn', { routes: [{ model: 'churn@1' }] });
    await sw.deployments.create('plain', { routes: [{ model: 'plain@1' }] });
    await sw.pipelines.applySpec({
      name: 'retrain',
      params: { data: { type: 'string', default: '' }, cutoff: { type: 'number', default: 1 } },
      steps: [{ name: 'check', kind: 'gate', inputs: { condition: 'params.cutoff >= 0' } }],
    });
  }, 120_000);

  afterAll(async () => {
    await hook?.close();
    await t?.close();
  });

  it('creates a monitor whose reference comes from lineage, and refuses bad settings naming the field', async () => {
    const monitor: Monitor = await sw.monitors.create({
      deployment: 'churn',
      window: 400,
      driftShare: 0.3,
      webhook: hook.url,
      onDrift: 'pipeline:retrain',
      onDriftParams: { data: 'churn-train@latest' },
    });
    expect(monitor).toMatchObject({
      name: 'churn',
      deployment: 'churn',
      window: { kind: 'count', rows: 400 },
      driftShare: 0.3,
      predictionDrift: true,
      onDrift: { pipeline: 'retrain', params: { data: 'churn-train@latest' }, cooldownMs: 3_600_000 },
      webhook: hook.url,
    });
    expect(monitor.reference).toBeUndefined();

    const bad = async (body: Record<string, unknown>) => {
      const response = await t.fetch('/api/v1/monitors', {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      return {
        status: response.status,
        body: (await response.json()) as {
          error: { code: string; message: string; details: Record<string, unknown> };
        },
      };
    };
    const window = await bad({ name: 'w', deployment: 'churn', window: '10 parsecs' });
    expect(window.status).toBe(400);
    expect(window.body.error.details.field).toBe('window');
    const cron = await bad({ name: 'c', deployment: 'churn', schedule: 'every tuesday' });
    expect(cron.status).toBe(400);
    expect(cron.body.error.details.field).toBe('schedule');
    const test = await bad({ name: 'o', deployment: 'churn', overrides: { tenure: { test: 'mmd' } } });
    expect(test.status).toBe(400);
    expect(test.body.error.message).toContain('overrides.tenure.test');
    expect((await bad({ name: 'x', deployment: 'nowhere' })).body.error.code).toBe('DEPLOYMENT_NOT_FOUND');
    expect((await bad({ name: 'p', deployment: 'churn', onDrift: 'pipeline:nothing' })).body.error.code).toBe(
      'PIPELINE_NOT_FOUND',
    );
    expect((await bad({ name: 'r', deployment: 'churn', reference: 'gone@1' })).body.error.code).toBe(
      'DATASET_NOT_FOUND',
    );
    const duplicate = await bad({ deployment: 'churn' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('MONITOR_EXISTS');
    expect((await sw.monitors.list()).items.map((m) => m.name)).toEqual(['churn']);
  });

  it('fails an evaluation with nothing to compare, and says why', async () => {
    const empty = await evaluate('churn');
    expect(empty).toMatchObject({ status: 'failed', error: { code: 'MONITOR_WINDOW_EMPTY' } });
    await sw.monitors.create({ deployment: 'plain' });
    await sw.deployments.predict('plain', customers(5, 9) as unknown as Record<string, unknown>[]);
    await t.server.platform.serving.flushLog();
    const noReference = await evaluate('plain');
    expect(noReference).toMatchObject({ status: 'failed', error: { code: 'MONITOR_NO_REFERENCE' } });
    expect(noReference.error!.message).toContain('plain@1 has no training dataset');
  });

  it('finds no drift in traffic like the reference', async () => {
    await send(customers(400, 7));
    const report = await evaluate('churn');
    expect(report).toMatchObject({
      status: 'succeeded',
      rows: 400,
      drift: false,
      inputDrift: false,
      deployment: 'churn',
      reference: { dataset: 'churn-train@1', rows: 600, source: 'lineage', model: 'churn@1' },
      versions: [{ model: 'churn', version: 1, rows: 400 }],
      window: { kind: 'count', size: 400, rows: 400 },
    });
    expect(report.inputs!.columns.map((c) => [c.column, c.test, c.drifted])).toEqual(
      expect.arrayContaining([
        ['tenure', 'ks', false],
        ['charges', 'ks', false],
        ['plan', 'chi2', false],
      ]),
    );
    expect(report.predictions![0]).toMatchObject({ model: 'churn', version: 1, rows: 400 });
    expect(report.predictions![0]!.report!.datasetDrift).toBe(false);
    expect(report.quality!.columnsWithIssues).toBe(0);
    expect((await sw.monitors.alerts('churn')).items).toEqual([]);
  });

  it('finds the shifted feature and only it, alerts by webhook with retries, and starts the pipeline once', async () => {
    const shifted = customers(400, 8, 40);
    shifted[0] = { ...shifted[0]!, plan: 'enterprise' };
    await send(shifted);
    const report = await evaluate('churn');
    expect(report).toMatchObject({
      status: 'succeeded',
      drift: true,
      inputDrift: true,
      driftedFeatures: ['tenure'],
    });
    const [first, ...rest] = report.inputs!.columns;
    expect(first).toMatchObject({ column: 'tenure', test: 'ks', drifted: true });
    expect(first!.pvalue!).toBeLessThan(1e-10);
    expect(rest.every((c) => !c.drifted)).toBe(true);
    expect(first!.histogram.reference.length).toBe(first!.histogram.current.length);
    // Tenure above anything the reference saw, and one plan it never had.
    const quality = new Map(report.quality!.columns.map((c) => [c.column, c]));
    expect(quality.get('tenure')!.current.outOfRange).toBeGreaterThan(0.5);
    expect(quality.get('tenure')!.issues[0]).toContain("outside the reference's range");
    expect(quality.get('plan')!.current.unseenValues).toEqual([{ value: 'enterprise', count: 1 }]);

    // The webhook fails twice and is retried until it answers.
    const delivered = await eventually('the webhook delivery', async () => {
      const alerts = (await sw.monitors.alerts('churn')).items;
      const webhook = alerts.find((a) => a.kind === 'webhook');
      return webhook?.status === 'delivered' ? webhook : undefined;
    });
    expect(delivered).toMatchObject({ report: report.id, attempts: 3, result: { status: 204 } });
    expect(hook.calls()).toBe(3);
    expect(hook.bodies[0]).toMatchObject({
      event: 'monitor.drift',
      monitor: 'churn',
      deployment: 'churn',
      report: { id: report.id, drift: true, driftedFeatures: ['tenure'] },
    });
    expect((hook.bodies[0] as { report: { url: string } }).report.url).toBe(
      `${t.url}/api/v1/monitors/churn/reports/${report.id}`,
    );

    const pipelineAlert = await eventually('the on-drift run', async () => {
      const alert = (await sw.monitors.alerts('churn')).items.find((a) => a.kind === 'pipeline');
      return alert?.status === 'delivered' ? alert : undefined;
    });
    const runId = String(pipelineAlert.result!.run);
    const started = await sw.pipelines.getRun(runId);
    expect(started.trigger).toEqual({ kind: 'drift', monitor: 'churn', report: report.id });
    expect(started.params).toMatchObject({ data: 'churn-train@latest' });

    // A second drifted report within the cooldown alerts again but starts no second run.
    const again = await evaluate('churn');
    expect(again.drift).toBe(true);
    const skipped = await eventually('the skipped run', async () =>
      (await sw.monitors.alerts('churn')).items.find((a) => a.kind === 'pipeline' && a.report === again.id),
    );
    expect(skipped.status).toBe('skipped');
    expect(skipped.lastError).toContain('cooldown');
    const runs = await sw.pipelines.runs({ pipeline: 'retrain' });
    expect(runs.items).toHaveLength(1);

    const audit = await sw.audit.list({ action: 'monitor' });
    const drift = audit.items.filter((e) => e.action === 'monitor.drift');
    expect(drift).toHaveLength(2);
    expect(audit.items.some((e) => e.action === 'monitor.create')).toBe(true);
  });

  it('lists reports newest first and reads the latest', async () => {
    const page = await sw.monitors.reports('churn');
    expect(page.items.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'failed']);
    const latest = await sw.monitors.report('churn');
    expect(latest.id).toBe(page.items[0]!.id);
    const missing = await t.fetch('/api/v1/monitors/churn/reports/nope');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe(
      'MONITOR_REPORT_NOT_FOUND',
    );
    expect((await t.fetch('/api/v1/monitors/nobody')).status).toBe(404);
  });

  it('evaluates on a schedule by itself, and stops when the schedule is removed', async () => {
    const monitor = await sw.monitors.update('churn', {
      schedule: '* * * * * *',
      onDrift: null,
      webhook: null,
    });
    expect(monitor.schedule).toMatchObject({ cron: '* * * * * *', timezone: 'UTC' });
    const scheduled = await eventually('a scheduled report', async () =>
      (await sw.monitors.reports('churn')).items.find(
        (r) => r.cause === 'schedule' && r.status !== 'running',
      ),
    );
    expect(scheduled.status).toBe('succeeded');
    const unscheduled = await sw.monitors.update('churn', { schedule: null });
    expect(unscheduled.schedule).toBeUndefined();
  });

  it('alerts when live performance on labels degrades, judging a version only from its minimum of labels', async () => {
    const receiver = await webhookReceiver(0);
    try {
      await sw.monitors.create({
        name: 'quality',
        deployment: 'churn',
        window: 30,
        features: ['charges'],
        predictionDrift: false,
        degradation: 'accuracy:0.9',
        degradationSamples: 20,
        webhook: receiver.url,
      });
      const labels: { requestId: string; rowIndex: number; label: string }[] = [];
      const rows = customers(30, 21);
      for (let i = 0; i < rows.length; i += 10) {
        const answer = await sw.deployments.predict(
          'churn',
          rows.slice(i, i + 10) as unknown as Record<string, unknown>[],
        );
        for (const [rowIndex, predicted] of answer.predictions.entries()) {
          // Every label contradicts the model: its accuracy on them is 0.
          labels.push({ requestId: answer.requestId, rowIndex, label: predicted === '1' ? '0' : '1' });
        }
      }
      await t.server.platform.serving.flushLog();
      const unlabelled = await evaluate('quality');
      expect(unlabelled).toMatchObject({ status: 'succeeded', degraded: false, drift: false });
      expect(unlabelled.performance).toMatchObject({
        metric: 'accuracy',
        threshold: 0.9,
        alertWhen: 'below',
        versions: [{ model: 'churn', version: 1, samples: 0, degraded: false }],
      });
      expect((await sw.deployments.feedback('churn', labels)).accepted).toBe(30);
      const labelled = await evaluate('quality');
      expect(labelled).toMatchObject({ status: 'succeeded', degraded: true, drift: false });
      expect(labelled.performance!.versions[0]).toMatchObject({ samples: 30, value: 0, degraded: true });
      const alert = await eventually('the degradation webhook', async () => {
        const found = (await sw.monitors.alerts('quality')).items.find((a) => a.report === labelled.id);
        return found?.status === 'delivered' ? found : undefined;
      });
      expect(alert.kind).toBe('webhook');
      expect(receiver.bodies[0]).toMatchObject({
        event: 'monitor.degradation',
        report: { id: labelled.id, drift: false, degraded: true },
      });
      const shown = await run('monitors', 'report', 'quality', labelled.id);
      expect(shown.stdout).toContain(
        'performance: degraded (accuracy below 0.9 alerts, on at least 20 labelled rows)',
      );
      expect(shown.stdout).toContain('churn@1: accuracy 0 on 30 labelled, degraded');
      const bad = await run('monitors', 'update', 'quality', '--degradation', 'happiness:0.5');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('degradation must be <metric>:<threshold>');
      await sw.monitors.delete('quality');
    } finally {
      await receiver.close();
    }
  });

  it('works from the CLI', async () => {
    const created = await run(
      'monitors',
      'create',
      'churn-time',
      '--deployment',
      'churn',
      '--window',
      '1h',
      '--reference',
      'churn-train@latest',
      '--override',
      'charges=psi:0.2',
      '--tests',
      'ks,chi2',
      '--drift-share',
      '0.3',
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('created monitor churn-time');
    expect(created.stdout).toContain('churn-train@1');
    const shown = await run('monitors', 'show', 'churn-time');
    expect(shown.stdout).toContain('last 1h');
    const evaluated = await run('monitors', 'evaluate', 'churn-time');
    expect(evaluated.code).toBe(0);
    expect(evaluated.stdout).toContain('input drift: yes');
    expect(evaluated.stdout).toMatch(/tenure\s+numeric\s+ks/);
    expect(evaluated.stdout).toMatch(/charges\s+numeric\s+psi/);
    expect(evaluated.stdout).toContain('REFERENCE');
    const report = await run('monitors', 'report', 'churn-time', '--latest', '--top', '1');
    expect(report.code).toBe(0);
    expect(report.stdout).toContain('tenure (ks');
    const json = await run('--json', 'monitors', 'report', 'churn-time');
    expect(JSON.parse(json.stdout)).toMatchObject({ monitor: 'churn-time', status: 'succeeded' });
    const listed = await run('monitors');
    expect(listed.stdout).toContain('churn-time');
    const alerts = await run('monitors', 'alerts', 'churn');
    expect(alerts.stdout).toContain('webhook');
    const bad = await run('monitors', 'create', 'x', '--deployment', 'churn', '--window', 'soon');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('window');
    const usage = await run('monitors', 'create', 'y');
    expect(usage.code).toBe(2);
    const deleted = await run('monitors', 'delete', 'churn-time');
    expect(deleted.code).toBe(0);
    expect((await run('monitors', 'show', 'churn-time')).code).toBe(1);
  });
});
