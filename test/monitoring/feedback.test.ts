/**
 * Feedback end to end on a real server (SQLite, and PostgreSQL when configured): predictions through
 * a deployment with a shadow, the inference log flushed, labels posted by request id and by an id
 * feature through the SDK, REST and CLI. Duplicates keep the first label, unknown ids and late labels
 * are reported, bad input is refused whole; the live metrics (windowed, per hour, and in the status)
 * equal what is computed here by hand from the answers.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Slipway } from '../../src/client/index.js';
import { systemContext } from '../../src/core/context.js';
import { classAnswer, classOfLabel, valueAnswer, valueOfLabel } from '../../src/monitoring/index.js';
import { gbdtToOnnx, predictLabels, trainGbdt } from '../../src/training/gbdt/index.js';
import { seededRandom } from '../../src/training/random.js';
import type { Table } from '../../src/training/table.js';
import { BACKENDS } from '../support/backends.js';
import { cli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const PLANS = ['basic', 'pro', 'team'];
const CLASSES = ['stay', 'churn'];
const FEATURES = [
  { name: 'customer_id', type: 'numeric' as const },
  { name: 'tenure', type: 'numeric' as const },
  { name: 'plan', type: 'categorical' as const, categories: PLANS },
];

interface Instance {
  readonly customer_id: number;
  readonly tenure: number;
  readonly plan: string;
}

function instances(count: number, seed: number, firstId: number): Instance[] {
  const random = seededRandom(seed);
  // Every third customer is new on the basic plan: the churn the model learns, so both classes occur.
  return Array.from({ length: count }, (_, i) => ({
    customer_id: firstId + i,
    tenure: (firstId + i) % 3 === 0 ? 1 + ((firstId + i) % 7) : Math.floor(random() * 72),
    plan: (firstId + i) % 3 === 0 ? 'basic' : PLANS[Math.floor(random() * 3)]!,
  }));
}

function tableOf(rows: readonly Instance[]): Table {
  return {
    rows: rows.length,
    features: [
      { kind: 'numeric', name: 'customer_id', values: Float64Array.from(rows, (r) => r.customer_id) },
      { kind: 'numeric', name: 'tenure', values: Float64Array.from(rows, (r) => r.tenure) },
      { kind: 'categorical', name: 'plan', values: rows.map((r) => r.plan) },
    ],
  };
}

/** Two churn classifiers (the second a weaker shadow) and a spend regressor on the same features. */
function models() {
  const rows = instances(600, 3, 0);
  const table = tableOf(rows);
  const random = seededRandom(4);
  const labels = Int32Array.from(rows, (r) =>
    r.tenure < 15 && r.plan === 'basic' ? 1 : random() < 0.15 ? 1 : 0,
  );
  const spend = Float64Array.from(
    rows,
    (r) => 20 + r.tenure * 0.8 + (r.plan === 'team' ? 15 : 0) + random() * 6,
  );
  const target = { kind: 'classification' as const, classes: CLASSES, labels };
  const champion = trainGbdt(table, target, { iterations: 20, maxLeaves: 8, seed: 1 });
  const shadow = trainGbdt(table, target, { iterations: 2, maxLeaves: 2, seed: 2 });
  const regressor = trainGbdt(
    table,
    { kind: 'regression', values: spend },
    { iterations: 20, maxLeaves: 8, seed: 1 },
  );
  return { champion, shadow, regressor };
}

interface Served {
  readonly requestId: string;
  readonly rows: readonly Instance[];
  readonly predictions: readonly unknown[];
  readonly probabilities: readonly (readonly number[])[] | undefined;
}

/** Pairs (positive score, negative score) ranked right, ties half: the AUC by its definition. */
function aucByPairs(labels: readonly number[], scores: readonly number[]): number {
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < labels.length; i++)
    for (let j = 0; j < labels.length; j++)
      if (labels[i] === 1 && labels[j] === 0) {
        pairs++;
        sum += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }
  return sum / pairs;
}

describe.each(BACKENDS)('feedback on %s', (backend) => {
  let t: TestServer;
  let sw: Slipway;
  let trained: ReturnType<typeof models>;
  /** Every churn request, in the order sent. */
  const served: Served[] = [];

  const predict = async (deployment: string, rows: readonly Instance[]): Promise<Served> => {
    const answer = await sw.deployments.predict(deployment, rows as unknown as Record<string, unknown>[]);
    return {
      requestId: answer.requestId,
      rows,
      predictions: answer.predictions,
      probabilities: answer.probabilities as (readonly number[])[] | undefined,
    };
  };
  const run = (...argv: string[]) => cli(argv, { SLIPWAY_URL: t.url, SLIPWAY_TOKEN: t.adminToken }, t.home);
  /** A label for each row: the truth, drawn so that the model is right about 3 times in 4. */
  const truth = (prediction: unknown, i: number): string =>
    (i * 7919) % 4 === 0 ? (prediction === 'churn' ? 'stay' : 'churn') : String(prediction);

  beforeAll(async () => {
    t = await startTestServer(backend);
    sw = t.sw;
    trained = models();
    // As AutoML registers a classifier: with its classes (the SDK's upload carries no classes).
    const registry = t.server.platform.registry;
    for (const model of [trained.champion, trained.shadow])
      await registry.versions.register(systemContext('test'), 'churn', Readable.from([gbdtToOnnx(model)]), {
        features: FEATURES,
        classes: CLASSES,
      });
    await sw.models.register('spend', {
      file: Buffer.from(gbdtToOnnx(trained.regressor)),
      features: FEATURES,
    });
    await sw.deployments.create('churn', {
      routes: [{ model: 'churn@1' }],
      shadow: { model: 'churn@2', fraction: 1 },
    });
    await sw.deployments.create('spend', { routes: [{ model: 'spend@1' }] });
    // 12 requests of 1 to 4 rows; customers 1000 + i, the last request repeats customer 1000.
    let next = 1000;
    for (let r = 0; r < 12; r++) {
      const count = 1 + (r % 4);
      served.push(await predict('churn', instances(count, 100 + r, next)));
      next += count;
    }
    served.push(await predict('churn', [{ customer_id: 1000, tenure: 2, plan: 'basic' }]));
    await t.server.platform.serving.flushLog();
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('accepts labels by request id and row, reports unknown ones, and computes the live metrics', async () => {
    // Every row of the first 10 requests (the last 3 are labelled by other tests).
    const labelled = served.slice(0, 10).flatMap((s) => s.rows.map((_, row) => ({ served: s, row })));
    const labels = labelled.map(({ served: s, row }, i) => ({
      requestId: s.requestId,
      rowIndex: row,
      label: truth(s.predictions[row], i),
    }));
    const result = await sw.deployments.feedback('churn', [
      ...labels,
      { requestId: 'no-such-request', label: 'churn' },
      { requestId: served[0]!.requestId, rowIndex: 7, label: 'churn' },
    ]);
    expect(result).toEqual({
      deployment: 'churn',
      accepted: labels.length,
      duplicates: [],
      unknown: [
        { index: labels.length, requestId: 'no-such-request', rowIndex: 0 },
        { index: labels.length + 1, requestId: served[0]!.requestId, rowIndex: 7 },
      ],
      late: 0,
    });

    // By hand, from the answers the caller saw.
    const y = labels.map((l) => CLASSES.indexOf(l.label));
    const predicted = labelled.map(({ served: s, row }) => CLASSES.indexOf(String(s.predictions[row])));
    const p1 = labelled.map(({ served: s, row }) => s.probabilities![row]![1]!);
    const tp = y.filter((v, i) => v === 1 && predicted[i] === 1).length;
    const precision = tp / predicted.filter((v) => v === 1).length;
    const recall = tp / y.filter((v) => v === 1).length;
    const expected = {
      accuracy: y.filter((v, i) => v === predicted[i]).length / y.length,
      precision,
      recall,
      f1: (2 * precision * recall) / (precision + recall),
      rocAuc: aucByPairs(y, p1),
      logLoss: -y.reduce((sum, v, i) => sum + Math.log(v === 1 ? p1[i]! : 1 - p1[i]!), 0) / y.length,
    };
    expect(expected.accuracy).toBeGreaterThan(0.5);
    expect(expected.accuracy).toBeLessThan(1);

    const live = await t.server.platform.monitoring.feedback.liveMetrics('churn');
    const champion = live.versions.find((v) => v.version === 1)!;
    expect(champion).toMatchObject({
      model: 'churn',
      route: 'churn@1',
      shadow: false,
      samples: y.length,
      skipped: 0,
    });
    for (const [name, value] of Object.entries(expected))
      expect(champion.metrics[name as keyof typeof expected], name).toBeCloseTo(value, 6);

    // The shadow answered the same rows; its answers (never returned) are as its model predicts.
    const shadow = live.versions.find((v) => v.version === 2)!;
    expect(shadow).toMatchObject({ route: 'shadow:churn@2', shadow: true, samples: y.length });
    const shadowLabels = predictLabels(
      trained.shadow,
      tableOf(labelled.map(({ served: s, row }) => s.rows[row]!)),
    );
    const shadowRight = y.filter((v, i) => v === shadowLabels[i]).length;
    expect(shadow.metrics.accuracy).toBeCloseTo(shadowRight / y.length, 12);

    // The arrays a statistical comparison takes, paired by request and row.
    const rows = await t.server.platform.monitoring.feedback.labelledRows('churn', 'churn', 1);
    expect(rows.kind).toBe('classification');
    const truthOf = new Map(labels.map((l, i) => [`${l.requestId}/${l.rowIndex}`, y[i]]));
    expect(rows.requestIds).toHaveLength(y.length);
    expect(Array.from(rows.labels)).toEqual(
      rows.requestIds.map((id, i) => truthOf.get(`${id}/${rows.rowIndexes[i]}`)),
    );
    if (rows.kind === 'classification') expect(rows.positiveProbabilities).toHaveLength(y.length);

    // The hourly series holds the same figures (one bucket unless the predictions straddled an hour).
    const series = await sw.deployments.metrics('churn', { model: 'churn@1', metric: 'accuracy' });
    expect(series.items.reduce((sum, p) => sum + p.samples, 0)).toBe(y.length);
    if (series.items.length === 1) {
      expect(series.items[0]!.value).toBeCloseTo(expected.accuracy, 12);
      expect(series.items[0]!.bucketStart % 3_600_000).toBe(0);
    }
    const all = await sw.deployments.metrics('churn');
    expect(new Set(all.items.map((p) => `${p.model}@${p.version}`))).toEqual(new Set(['churn@1', 'churn@2']));
    expect(new Set(all.items.map((p) => p.metric))).toEqual(new Set(Object.keys(expected)));

    // The status carries them per route and for the shadow, over its window.
    const status = await sw.deployments.status('churn');
    expect(status.routes[0]!.live.samples).toBe(y.length);
    expect(status.routes[0]!.live.metrics.rocAuc).toBeCloseTo(expected.rocAuc, 6);
    expect(status.shadow!.live.samples).toBe(y.length);
    const future = await sw.deployments.status('churn', 300, { since: Date.now() + 3_600_000 });
    expect(future.routes[0]!.live).toEqual({ samples: 0, skipped: 0, metrics: {} });
  });

  it('keeps the first label of a row and reports later ones as duplicates, within a call and across calls', async () => {
    const s = served[10]!; // 3 rows
    const first = await sw.deployments.feedback('churn', [
      { requestId: s.requestId, rowIndex: 0, label: 'churn' },
      { requestId: s.requestId, rowIndex: 0, label: 'stay' },
    ]);
    expect(first.accepted).toBe(1);
    expect(first.duplicates).toEqual([{ index: 1, requestId: s.requestId, rowIndex: 0, label: 'churn' }]);
    const again = await sw.deployments.feedback('churn', [
      { requestId: s.requestId, rowIndex: 1, label: 'stay' },
      { requestId: s.requestId, rowIndex: 0, label: 'stay' },
    ]);
    expect(again).toMatchObject({
      accepted: 1,
      duplicates: [{ index: 1, requestId: s.requestId, rowIndex: 0, label: 'churn' }],
      unknown: [],
    });
  });

  it('matches labels by an id feature, the newest prediction winning, and counts late labels', async () => {
    // Customer 1000 was predicted in the first request and again in the last one.
    const newest = served[served.length - 1]!;
    const byKey = await sw.deployments.feedback('churn', {
      key: 'customer_id',
      labels: [
        { id: 1000, label: 'churn' },
        { id: 'no-such-customer', label: 'stay' },
      ],
      lateAfterSeconds: 0,
    });
    expect(byKey).toEqual({
      deployment: 'churn',
      accepted: 1,
      duplicates: [],
      unknown: [{ index: 1, id: 'no-such-customer' }],
      late: 1,
    });
    // The label went to the newest request: labelling it by id now is a duplicate.
    const direct = await sw.deployments.feedback('churn', [{ requestId: newest.requestId, label: 'stay' }]);
    expect(direct.duplicates).toEqual([
      { index: 0, requestId: newest.requestId, rowIndex: 0, label: 'churn' },
    ]);
    // An id given as text matches a number feature; an already labelled row is a duplicate.
    const text = await sw.deployments.feedback('churn', {
      key: 'customer_id',
      labels: [{ id: '1000', label: 'stay' }],
    });
    expect(text.duplicates).toEqual([
      { index: 0, requestId: newest.requestId, rowIndex: 0, id: '1000', label: 'churn' },
    ]);
  });

  it('refuses bad input whole, naming the field, and more than 10,000 labels', async () => {
    const s = served[11]!; // 4 rows, unlabelled
    const good = [0, 1, 2].map((row) => ({ requestId: s.requestId, rowIndex: row, label: 'stay' }));
    const bad = await t.fetch('/api/v1/deployments/churn/feedback', {
      method: 'POST',
      body: JSON.stringify({ labels: [...good, { requestId: s.requestId, rowIndex: 3, label: null }] }),
    });
    expect(bad.status).toBe(400);
    const error = ((await bad.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('labels[3].label');
    const missing = await sw.deployments
      .feedback('churn', [...good, { rowIndex: 3, label: 'stay' } as never])
      .catch((e: unknown) => e as { status: number; message: string });
    expect(missing).toMatchObject({ status: 400 });
    expect((missing as { message: string }).message).toContain('labels[3].requestId');
    // Nothing of the refused calls was written: the good labels are accepted now, not duplicates.
    expect(await sw.deployments.feedback('churn', good)).toMatchObject({ accepted: 3, duplicates: [] });

    const tooMany = await t.fetch('/api/v1/deployments/churn/feedback', {
      method: 'POST',
      body: JSON.stringify({ labels: Array.from({ length: 10_001 }, () => ({ requestId: 'x', label: 1 })) }),
    });
    expect(tooMany.status).toBe(413);
    expect(((await tooMany.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
    const unknownDeployment = await t.fetch('/api/v1/deployments/nope/feedback', {
      method: 'POST',
      body: JSON.stringify({ labels: [] }),
    });
    expect(unknownDeployment.status).toBe(404);
    // Feedback is audited.
    const audit = await t.fetch('/api/v1/audit?action=deployment.feedback');
    expect(audit.status).toBe(200);
    const events = ((await audit.json()) as { items: { resourceId: string; after: unknown }[] }).items;
    expect(events[0]).toMatchObject({
      resourceId: 'churn',
      after: { accepted: 3, duplicates: 0, unknown: 0 },
    });
  });

  it('computes RMSE, MAE and R² for a regressor', async () => {
    const rows = instances(8, 900, 5000);
    const s = await predict('spend', rows);
    await t.server.platform.serving.flushLog();
    const values = rows.map((r, i) => 20 + r.tenure * 0.8 + (i % 3));
    const result = await sw.deployments.feedback(
      'spend',
      values.map((label, rowIndex) => ({ requestId: s.requestId, rowIndex, label })),
    );
    expect(result.accepted).toBe(8);
    const predicted = s.predictions.map(Number);
    const errors = values.map((v, i) => v - predicted[i]!);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const expected = {
      rmse: Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / errors.length),
      mae: errors.reduce((a, e) => a + Math.abs(e), 0) / errors.length,
      r2: 1 - errors.reduce((a, e) => a + e * e, 0) / values.reduce((a, v) => a + (v - mean) ** 2, 0),
    };
    const status = await sw.deployments.status('spend');
    expect(status.routes[0]!.live.samples).toBe(8);
    for (const [name, value] of Object.entries(expected))
      expect(status.routes[0]!.live.metrics[name as keyof typeof expected], name).toBeCloseTo(value, 6);
  });

  it('slipway feedback sends a CSV, a JSON Lines file and single labels; status prints live metrics', async () => {
    const s = served[12]!; // the repeat of customer 1000, labelled by key above
    const r9 = served[9]!;
    const csv = join(t.home, 'labels.csv');
    await writeFile(csv, `request_id,row_index,label\n${r9.requestId},0,churn\n"no,such",0,stay\n`);
    const fromCsv = await run('--json', 'feedback', 'churn', csv);
    expect(fromCsv.code, fromCsv.stderr).toBe(0);
    expect(fromCsv.json()).toMatchObject({
      accepted: 0,
      duplicates: [{ index: 0, requestId: r9.requestId }],
      unknown: [{ index: 1, requestId: 'no,such', rowIndex: 0 }],
    });
    const jsonl = join(t.home, 'labels.jsonl');
    const target = served[11]!;
    await writeFile(
      jsonl,
      `${JSON.stringify({ requestId: target.requestId, rowIndex: 3, outcome: 'churn' })}\n`,
    );
    const fromJsonl = await run('feedback', 'churn', jsonl, '--label-column', 'outcome');
    expect(fromJsonl.code, fromJsonl.stderr).toBe(0);
    expect(fromJsonl.stdout).toContain('churn: 1 accepted (0 late), 0 duplicates, 0 unknown');
    const one = await run('feedback', 'churn', '--request-id', s.requestId, '--label', 'stay');
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('1 duplicate');
    expect(one.stdout).toContain('"churn"');
    const byKey = await run(
      '--json',
      'feedback',
      'churn',
      '--key',
      'customer_id',
      '--id',
      '999999',
      '--label',
      'stay',
    );
    expect(byKey.code).toBe(0);
    expect(byKey.json()).toMatchObject({ accepted: 0, unknown: [{ index: 0, id: '999999' }] });

    expect((await run('feedback', 'churn')).code).toBe(2);
    expect((await run('feedback', 'churn', '--request-id', 'x')).code).toBe(2);
    const noColumn = await run('feedback', 'churn', csv, '--label-column', 'truth');
    expect(noColumn.code).toBe(2);
    expect(noColumn.stderr).toContain("no 'truth' column");
    const missing = await run('feedback', 'nope', csv);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('DEPLOYMENT_NOT_FOUND');

    const status = await run('deployments', 'status', 'churn');
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/Live performance on labelled predictions since/);
    expect(status.stdout).toMatch(
      /ROUTE\s+VERSION\s+LABELLED\s+ACCURACY\s+PRECISION\s+RECALL\s+F1\s+AUC\s+LOG LOSS/,
    );
    const live = await t.server.platform.monitoring.feedback.liveMetrics('churn');
    const champion = live.versions.find((v) => v.version === 1)!;
    expect(status.stdout).toMatch(
      new RegExp(`churn@1\\s+churn@1\\s+${champion.samples}\\s+${champion.metrics.accuracy!.toFixed(3)}`),
    );
    expect(status.stdout).toMatch(/shadow churn@2\s+churn@2\s+\d+/);
  });
});

describe('reading logged answers and labels', () => {
  const classes = ['stay', 'churn'];

  it('reads predict answers, V2 outputs by name or shape, and ZipMap probabilities', () => {
    expect(classAnswer({ prediction: 'churn', probabilities: [0.2, 0.8] }, classes)).toEqual({
      predicted: 1,
      probabilities: Float64Array.from([0.2, 0.8]),
    });
    // An int64 label output is the class index; a [N, 1] output's row is a one-element array.
    expect(classAnswer({ label: [0], probabilities: [0.7, 0.3] }, classes)?.predicted).toBe(0);
    expect(
      classAnswer({ output_label: 'stay', output_probability: { stay: 0.6, churn: 0.4 } }, classes),
    ).toEqual({ predicted: 0, probabilities: Float64Array.from([0.6, 0.4]) });
    // No label output: the most probable class.
    expect(classAnswer({ scores_out: [0.1, 0.9] }, classes)?.predicted).toBe(1);
    expect(classAnswer({ prediction: 'maybe' }, classes)).toBeUndefined();
    expect(valueAnswer({ prediction: 12.5 })).toBe(12.5);
    expect(valueAnswer({ variable: [3.25] })).toBe(3.25);
    expect(valueAnswer({ prediction: 'NaN' })).toBeUndefined();
  });

  it('takes a label as a class name, else a number or boolean as the class index', () => {
    expect(classOfLabel('churn', classes)).toBe(1);
    expect(classOfLabel(1, classes)).toBe(1);
    expect(classOfLabel(true, classes)).toBe(1);
    expect(classOfLabel(false, ['0', '1'])).toBe(0);
    expect(classOfLabel(1, ['1', '2'])).toBe(0);
    expect(classOfLabel('unknown', classes)).toBeUndefined();
    expect(classOfLabel(5, classes)).toBeUndefined();
    expect(valueOfLabel('12.5')).toBe(12.5);
    expect(valueOfLabel(true)).toBe(1);
    expect(valueOfLabel('high')).toBeUndefined();
  });
});
