/**
 * The loop the product exists for, on a real server (SQLite, and PostgreSQL when configured): a
 * champion trained on world a is served; traffic comes from world b; the monitor reports drift on the
 * features that moved and not on the others, and starts the retraining pipeline, which trains on
 * world b and serves the new version as a 10% challenger; labelled feedback shows it is better and
 * the policy promotes it; the audit log tells the story in order. Then a retraining on stale data
 * (world a) makes a challenger that is worse on today's traffic, and the policy rolls it back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Slipway } from '../../src/client/index.js';
import { churnRows } from '../../src/quickstart/churn-data.js';
import { runDemo } from '../../src/quickstart/demo.js';
import { runLoop } from '../../src/quickstart/loop-demo.js';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const quiet = { say: () => {}, progress: () => {} };

describe.each(BACKENDS)('drift → retrain → challenger → decision on %s', (backend) => {
  let t: TestServer;
  let sw: Slipway;

  beforeAll(async () => {
    t = await startTestServer(backend);
    sw = t.sw;
  }, 300_000);
  afterAll(async () => {
    await t?.close();
  });

  it('finds the drift, retrains, and promotes the better challenger on live labels', async () => {
    const lines: string[] = [];
    const demo = await runDemo(sw, quiet);
    expect(demo.model).toBe('churn@1');
    const loop = await runLoop(sw, 'churn', { say: (line) => lines.push(line), progress: () => {} });

    // Drift on what moved (prices, support calls, cheques), not on what did not.
    const report = await sw.monitors.report('churn', loop.driftReport);
    const drifted = new Map(report.inputs!.columns.map((c) => [c.column, c.drifted]));
    expect(drifted.get('monthly_charges')).toBe(true);
    expect(drifted.get('support_calls')).toBe(true);
    expect(drifted.get('payment')).toBe(true);
    expect(drifted.get('tenure_months')).toBe(false);
    expect(drifted.get('contract')).toBe(false);
    expect(report.reference).toMatchObject({ dataset: 'churn-train@1', source: 'lineage', model: 'churn@1' });

    // The drift started the retraining, which trained on the newest data.
    const run = await sw.pipelines.getRun(loop.retrainRun);
    // Started by a drifted report of this monitor (an earlier one, when the window was still filling).
    expect(run.trigger).toMatchObject({ kind: 'drift', monitor: 'churn' });
    const trigger = run.trigger as { report: string };
    expect((await sw.monitors.report('churn', trigger.report)).drift).toBe(true);
    expect(loop.challenger).toBe('churn@2');
    const challenger = await sw.models.version('churn@2');
    expect(challenger.datasets.map((d) => `${d.dataset}@${d.version}`)).toEqual(['churn-train@2']);

    // The policy promoted it on the labels: champion moved, all traffic to it.
    expect(loop.decision).toBe('promote');
    expect(loop.champion).toBe('churn@2');
    const deployment = await sw.deployments.get('churn');
    expect(deployment.routes.map((r) => [r.reference, r.version, r.weight])).toEqual([
      ['churn@champion', 2, 100],
    ]);
    const decisions = await sw.deployments.decisions('churn');
    expect(decisions.items[0]).toMatchObject({ outcome: 'promote' });

    // The audit log, oldest first: drift, the run it started, the challenger served, the decision, the promotion.
    const audit = [...(await sw.audit.list({ limit: 1000 })).items]
      .reverse()
      .map((e) => `${e.action} ${e.actor} ${e.resourceId}`);
    const story = [
      'monitor.drift admin churn',
      'pipeline.run monitor:churn',
      'model.version.register monitor:churn churn@2',
      'model.alias.set monitor:churn churn@challenger',
      'deployment.update monitor:churn churn',
      'deployment.policy.set admin churn',
      'deployment.feedback admin churn',
      'model.alias.set policy:churn churn@champion',
      'deployment.follow-alias policy:churn churn',
      'deployment.update policy:churn churn',
      'deployment.decision admin churn',
    ];
    // Each event of the story appears after the one before it.
    let at = -1;
    for (const event of story) {
      const next = audit.findIndex((line, index) => index > at && line.startsWith(event));
      expect(next, `${event} after position ${at} in:\n${audit.join('\n')}`).toBeGreaterThan(at);
      at = next;
    }
    expect(lines.some((line) => line.includes('the audit log tells it in order'))).toBe(true);
  });

  it('rolls back a challenger retrained on stale data that is worse on live traffic', async () => {
    const started = await sw.pipelines.run('churn-retrain', { params: { world: 'a', seed: 31 } });
    const run = await sw.pipelines.waitForRun(started.id, { intervalMs: 200 });
    expect(run.status).toBe('succeeded');
    const stale = String(run.steps?.find((s) => s.step === 'train')?.outputs?.model);
    expect(stale).toBe('churn@3');
    const deployment = await sw.deployments.get('churn');
    expect(deployment.routes.map((r) => [r.version, r.weight])).toEqual([
      [2, 90],
      [3, 10],
    ]);
    const rows = churnRows(3000, 4004, 'b');
    const labels: { requestId: string; rowIndex: number; label: string }[] = [];
    for (let i = 0; i < rows.length; i += 10) {
      const chunk = rows.slice(i, i + 10);
      const answer = await sw.deployments.predict(
        'churn',
        chunk.map(({ churned: _, ...features }) => features),
      );
      for (const [rowIndex, row] of chunk.entries()) {
        labels.push({ requestId: answer.requestId, rowIndex, label: String(row.churned) });
      }
    }
    await t.server.platform.serving.flushLog();
    expect((await sw.deployments.feedback('churn', labels)).accepted).toBe(labels.length);
    const decision = await sw.deployments.policy.evaluate('churn');
    expect(decision.outcome, decision.reason).toBe('rollback');
    const after = await sw.deployments.get('churn');
    expect(after.routes.map((r) => [r.version, r.weight])).toEqual([
      [2, 100],
      [3, 0],
    ]);
    expect((await sw.models.version('churn@champion')).version).toBe(2);
  });
});
