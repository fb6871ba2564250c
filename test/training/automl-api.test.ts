/**
 * AutoML through the SDK and HTTP, on every metadata backend: a classification job that registers
 * its model (card, features, classes, lineage, an ONNX file that runs), a regression job, bad input
 * rejected before any job or run exists, a failing trial that does not stop the search,
 * cancellation, listing, and the registry's feature metadata checks.
 */
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AutomlJob, Slipway, StartAutomlInput } from '../../src/client/index.js';
import { seededRandom } from '../../src/training/random.js';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { childRuns } from './child-runs.js';

const PLANS = ['basic', 'enterprise', 'pro'];
const REGIONS = ['east', 'north', 'south', 'west'];

interface Row {
  age: number | null;
  tenure: number;
  monthly: number | null;
  plan: string | null;
  region: string;
  churned: string;
  spend: number;
}

/** Customers with missing ages, monthly fees and plans; churn and spend depend on the features. */
function customers(count: number, seed: number): Row[] {
  const random = seededRandom(seed);
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    const age = 18 + Math.floor(random() * 60);
    const tenure = Math.floor(random() * 72);
    const monthly = Math.round((20 + random() * 100) * 100) / 100;
    const plan = PLANS[Math.floor(random() * PLANS.length)]!;
    const region = REGIONS[Math.floor(random() * REGIONS.length)]!;
    const risk =
      (plan === 'basic' ? 1 : plan === 'pro' ? 0 : -1) +
      (36 - tenure) / 18 +
      (monthly - 70) / 40 +
      random() * 2 -
      1;
    rows.push({
      age: random() < 0.1 ? null : age,
      tenure,
      monthly: random() < 0.1 ? null : monthly,
      plan: random() < 0.1 ? null : plan,
      region,
      churned: risk > 0.3 ? 'left' : 'stayed',
      spend: Math.round((monthly * 12 + tenure * 3 + random() * 50 + 0.5) * 100) / 100,
    });
  }
  return rows;
}

type Cell = string | number | null;

function csv(columns: readonly string[], rows: readonly Readonly<Record<string, Cell>>[]): Buffer {
  const lines = [columns.join(',')];
  for (const row of rows)
    lines.push(columns.map((column) => (row[column] === null ? '' : String(row[column]))).join(','));
  return Buffer.from(`${lines.join('\n')}\n`);
}

const FEATURES = ['age', 'tenure', 'monthly', 'plan', 'region'] as const;
const NUMERIC = new Set(['age', 'tenure', 'monthly']);

/** One [N, 1] input per feature: float32 with NaN for a missing number, '' for a missing category. */
function feeds(rows: readonly Row[]): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const name of FEATURES) {
    out[name] = NUMERIC.has(name)
      ? new ort.Tensor(
          'float32',
          Float32Array.from(rows, (row) => (row[name] === null ? Number.NaN : Number(row[name]))),
          [rows.length, 1],
        )
      : new ort.Tensor(
          'string',
          rows.map((row) => (row[name] === null ? '' : String(row[name]))),
          [rows.length, 1],
        );
  }
  return out;
}

/** A search of small GBDTs and the linear model, so each trial takes tens of milliseconds. */
const SMALL_SPACE = {
  gbdt: {
    iterations: { type: 'int', min: 10, max: 40 },
    learningRate: { type: 'float', min: 0.05, max: 0.3, log: true },
    maxLeaves: { type: 'int', min: 4, max: 16 },
    minSamplesLeaf: { type: 'int', min: 5, max: 20 },
  },
  logistic: { l2: { type: 'float', min: 1e-4, max: 1, log: true } },
};

async function errorOf(promise: Promise<unknown>): Promise<{
  status: number;
  code: string;
  message: string;
  details: Record<string, unknown>;
}> {
  const error = (await promise.then(
    () => undefined,
    (e: unknown) => e,
  )) as { status: number; code: string; message: string; details: Record<string, unknown> } | undefined;
  if (error === undefined) throw new Error('expected the call to fail');
  return error;
}

/** Every run of an experiment with the given parent, all pages. */

async function untilRunning(sw: Slipway, id: string, trials = 1): Promise<AutomlJob> {
  for (;;) {
    const job = await sw.automl.get(id);
    if (job.status !== 'queued' && job.status !== 'running') return job;
    if (job.status === 'running' && job.progress.trialsDone >= trials) return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function sortedBy(scores: readonly (number | null)[], higherIsBetter: boolean): boolean {
  return scores.every(
    (score, i) => i === 0 || (higherIsBetter ? scores[i - 1]! >= score! : scores[i - 1]! <= score!),
  );
}

describe.each(BACKENDS)('AutoML through the API on %s', (backend) => {
  let t: TestServer;
  const rows = customers(400, 7);
  const all = [...FEATURES, 'churned', 'spend'];
  let classification: AutomlJob;

  beforeAll(async () => {
    t = await startTestServer(backend);
    await t.sw.datasets.push('customers', csv(all, rows as unknown as Record<string, Cell>[]), {
      format: 'csv',
    });
    // eight rows: too few per class for five folds
    await t.sw.datasets.push('tiny', csv(all, rows.slice(0, 8) as unknown as Record<string, Cell>[]), {
      format: 'csv',
    });
    await t.sw.datasets.push(
      'oneclass',
      csv(
        all,
        rows.map((row) => ({ ...row, churned: 'stayed' })),
      ),
      { format: 'csv' },
    );
    await t.sw.datasets.push(
      'withnulls',
      csv(
        [...all, 'empty'],
        rows.map((row) => ({ ...row, empty: null })),
      ),
      { format: 'csv' },
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('bad input', () => {
    const base: StartAutomlInput = { dataset: 'customers@1', target: 'churned', timeBudgetSeconds: 60 };
    const cases: [string, StartAutomlInput, number, string, string | undefined][] = [
      ['unknown target', { ...base, target: 'nope' }, 400, 'INVALID_TRAINING_DATA', 'target'],
      [
        'regression on a string target',
        { ...base, task: 'regression' },
        400,
        'INVALID_TRAINING_DATA',
        'target',
      ],
      [
        'time budget too small',
        { ...base, timeBudgetSeconds: 0.5 },
        400,
        'INVALID_TRAINING_DATA',
        'timeBudgetSeconds',
      ],
      ['folds 1', { ...base, folds: 1 }, 400, 'INVALID_ARGUMENT', 'folds'],
      ['rmse for classification', { ...base, metric: 'rmse' }, 400, 'INVALID_ARGUMENT', 'metric'],
      [
        'an unknown family in the search space',
        { ...base, searchSpace: { forest: { trees: { type: 'int', min: 1, max: 2 } } } },
        400,
        'INVALID_ARGUMENT',
        'searchSpace.forest',
      ],
      [
        'a family of the other task',
        { ...base, searchSpace: { ridge: { l2: { type: 'float', min: 0, max: 1 } } } },
        400,
        'INVALID_ARGUMENT',
        'searchSpace.ridge',
      ],
      [
        'a parameter out of range',
        { ...base, searchSpace: { gbdt: { maxBins: { type: 'int', min: 2, max: 300 } } } },
        400,
        'INVALID_ARGUMENT',
        'searchSpace.gbdt.maxBins.min',
      ],
      [
        'exclude naming an unknown column',
        { ...base, exclude: ['plan', 'nope'] },
        400,
        'INVALID_ARGUMENT',
        'exclude[1]',
      ],
      [
        'an invalid model name to register',
        { ...base, register: 'bad name!' },
        400,
        'INVALID_ARGUMENT',
        'register',
      ],
    ];

    it.each(cases)('rejects %s with a 400 naming the field', async (_, input, status, code, field) => {
      const error = await errorOf(t.sw.automl.start(input));
      expect({ status: error.status, code: error.code }).toEqual({ status, code });
      expect(error.details.field).toBe(field);
    });

    it('rejects an unknown dataset with a 404', async () => {
      const error = await errorOf(t.sw.automl.start({ ...base, dataset: 'nope@1' }));
      expect({ status: error.status, code: error.code }).toEqual({ status: 404, code: 'DATASET_NOT_FOUND' });
    });

    it('rejects data it cannot learn from with INVALID_TRAINING_DATA', async () => {
      const oneClass = await errorOf(t.sw.automl.start({ ...base, dataset: 'oneclass@1' }));
      expect(oneClass).toMatchObject({ status: 400, code: 'INVALID_TRAINING_DATA' });
      expect(oneClass.message).toMatch(/only one class/);
      expect(oneClass.details).toMatchObject({ classes: ['stayed'] });

      const allNull = await errorOf(t.sw.automl.start({ ...base, dataset: 'withnulls@1' }));
      expect(allNull).toMatchObject({ status: 400, code: 'INVALID_TRAINING_DATA' });
      expect(allNull.message).toMatch(/'empty' has no values/);
      expect(allNull.details).toMatchObject({ feature: 'empty' });
      const fewRows = await errorOf(t.sw.automl.start({ ...base, dataset: 'tiny@1' }));
      expect(fewRows).toMatchObject({ status: 400, code: 'INVALID_TRAINING_DATA' });
      expect(fewRows.message).toMatch(/folds/);
      expect(fewRows.details).toMatchObject({ folds: 5 });
    });

    it('names the field at fault in every INVALID_TRAINING_DATA error', async () => {
      const fields = await Promise.all(
        [
          { ...base, dataset: 'oneclass@1' },
          { ...base, dataset: 'withnulls@1' },
          { ...base, dataset: 'tiny@1' },
        ].map(async (input) => (await errorOf(t.sw.automl.start(input))).details.field),
      );
      expect(fields).toEqual([expect.any(String), expect.any(String), expect.any(String)]);
    });

    it('left no job, experiment or run behind', async () => {
      expect((await t.sw.automl.list()).items).toEqual([]);
      expect((await t.sw.runs.search({})).items).toEqual([]);
      const experiments = await t.sw.experiments.list();
      expect(experiments.items.map((e) => e.name).filter((name) => name.startsWith('automl-'))).toEqual([]);
    });
  });

  it('trains, registers and documents a classifier', async () => {
    const seen: AutomlJob[] = [];
    const job = await t.sw.automl.train(
      {
        dataset: 'customers@1',
        target: 'churned',
        register: 'churn',
        metric: 'roc_auc',
        maxTrials: 6,
        timeBudgetSeconds: 60,
        parallelism: 2,
        folds: 3,
        searchSpace: SMALL_SPACE,
      },
      { intervalMs: 50, onProgress: (j) => seen.push(j) },
    );
    classification = job;
    expect(job.error).toBeUndefined();
    expect(job).toMatchObject({
      status: 'succeeded',
      dataset: 'customers@1',
      target: 'churned',
      task: 'classification',
      metric: 'roc_auc',
      spec: { experiment: 'automl-customers', register: 'churn', options: { maxTrials: 6, folds: 3 } },
    });
    expect(seen.every((j) => j.status === 'queued' || j.status === 'running')).toBe(true);
    expect(job.progress).toMatchObject({ trialsDone: 6, trialsFailed: 0, trialsPlanned: 6 });
    expect(job.progress.best).toMatchObject({
      trial: job.result!.best.trial,
      family: job.result!.best.family,
    });
    expect(job.startedAt).toBeDefined();
    expect(job.finishedAt).toBeDefined();

    const result = job.result!;
    expect(result.stoppedBy).toBe('trials');
    expect(result.modelVersion).toBe('churn@1');
    expect(result.artifact).toBe(`runs/${job.run}/artifacts/model/model.onnx`);
    expect(result.leaderboard).toHaveLength(6);
    expect(result.leaderboard.map((e) => e.rank)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(
      sortedBy(
        result.leaderboard.map((e) => e.score),
        true,
      ),
    ).toBe(true);
    expect(result.best).toEqual(result.leaderboard[0]);
    expect(result.leaderboard.every((e) => e.run !== undefined && Number.isFinite(e.score))).toBe(true);
    expect(new Set(result.leaderboard.map((e) => e.trial)).size).toBe(6);
    expect(result.ignoredColumns).toEqual([]);
    expect(result.droppedRows).toBe(0);
    // spend is a feature here too; the holdout is 20% of 400 rows
    expect(result.holdout.rows).toBe(400 - result.trainRows);
    expect(result.holdout.rows).toBeGreaterThanOrEqual(70);
    expect(result.holdout.metrics).toMatchObject({
      roc_auc: expect.any(Number),
      accuracy: expect.any(Number),
    });
    const matrix = result.holdout.confusionMatrix!;
    expect(matrix.classes).toEqual(['left', 'stayed']);
    expect(matrix.counts.flat().reduce((a, b) => a + b, 0)).toBe(result.holdout.rows);
    expect(result.holdout.residuals).toBeUndefined();
    expect(result.holdout.metrics.roc_auc).toBeGreaterThan(0.6);

    // the registered version
    const version = await t.sw.models.version('churn@1');
    expect(version).toMatchObject({
      model: 'churn',
      version: 1,
      format: 'onnx',
      run: job.run,
      datasets: [{ dataset: 'customers', version: 1, role: 'train' }],
      classes: ['left', 'stayed'],
      approval: { status: 'pending' },
      tags: { 'slipway.automl.job': job.id },
    });
    expect(version.featureNames).toEqual(['age', 'tenure', 'monthly', 'plan', 'region', 'spend']);
    const features = Object.fromEntries(version.features!.map((f) => [f.name, f]));
    for (const name of ['age', 'tenure', 'monthly', 'spend'])
      expect(features[name]).toEqual({ name, type: 'numeric' });
    expect(features.plan).toEqual({ name: 'plan', type: 'categorical', categories: PLANS });
    expect(features.region).toEqual({ name: 'region', type: 'categorical', categories: REGIONS });
    expect(version.metrics).toMatchObject({
      roc_auc: result.holdout.metrics.roc_auc,
      cv_roc_auc: result.best.score,
    });
    expect(version.description).toMatch(/AutoML/);

    // the card
    const card = await t.sw.models.card('churn@1');
    expect(card.description).toMatch(/customers@1/);
    expect(card.description).toMatch(/churned/);
    expect(card.evaluation.map((slice) => slice.slice)).toEqual([
      'holdout',
      'cross-validation (3 folds, best trial)',
    ]);
    expect(card.evaluation[0]).toMatchObject({ dataset: 'customers@1', metrics: result.holdout.metrics });
    expect(card.markdown).toMatch(/AutoML leaderboard/);
    for (const entry of result.leaderboard) expect(card.markdown).toContain(`\`${entry.run}\``);
    expect(card.markdown).toMatch(/Confusion matrix/);
    expect(card.automatic.classes).toEqual(['left', 'stayed']);
    expect(await t.sw.models.cardMarkdown('churn@1')).toMatch(/AutoML leaderboard/);

    // the artifact runs and predicts
    const bytes = await t.sw.artifacts.bytes(job.run, 'model/model.onnx');
    const pulled = await t.sw.artifacts.bytes(job.run, 'automl/leaderboard.json');
    expect(JSON.parse(pulled.toString('utf8'))).toHaveLength(6);
    const session = await ort.InferenceSession.create(bytes);
    expect([...session.inputNames].sort()).toEqual([...FEATURES, 'spend'].sort());
    const sample = rows.slice(0, 50);
    const input = feeds(sample);
    input.spend = new ort.Tensor(
      'float32',
      Float32Array.from(sample, (row) => row.spend),
      [sample.length, 1],
    );
    const outputs = await session.run(input);
    expect(outputs.label!.dims[0]).toBe(50);
    expect(outputs.probabilities!.dims).toEqual([50, 2]);
    const labels = outputs.label!.data as string[];
    expect(labels.every((label) => label === 'left' || label === 'stayed')).toBe(true);
    const probabilities = outputs.probabilities!.data as Float32Array;
    for (let row = 0; row < 50; row++) {
      expect(probabilities[2 * row]! + probabilities[2 * row + 1]!).toBeCloseTo(1, 4);
    }
    const agreement = labels.filter((label, row) => label === sample[row]!.churned).length;
    expect(agreement).toBeGreaterThan(30);

    // one child run per trial, with its family and cross-validated metrics
    const children = await childRuns(t.sw, 'automl-customers', job.run);
    expect(children).toHaveLength(6);
    expect(new Set(children.map((run) => run.tags['slipway.automl.trial'])).size).toBe(6);
    for (const run of children) {
      expect(run.status).toBe('finished');
      expect(['gbdt', 'logistic']).toContain(run.params.family);
      expect(run.metrics['cv/roc_auc']?.value).toEqual(expect.any(Number));
      expect(run.metrics['cv/roc_auc_std']?.value).toEqual(expect.any(Number));
    }
    const byRun = new Map(children.map((run) => [run.id, run]));
    for (const entry of result.leaderboard) {
      expect(byRun.get(entry.run!)!.metrics['cv/roc_auc']!.value).toBeCloseTo(entry.score!, 12);
      expect(byRun.get(entry.run!)!.params.family).toBe(entry.family);
    }
    const parent = await t.sw.runs.get(job.run);
    expect(parent.status).toBe('finished');
    expect(parent.metrics['holdout/roc_auc']?.value).toBeCloseTo(result.holdout.metrics.roc_auc!, 12);
    expect(parent.tags['slipway.automl.best_run']).toBe(result.best.run);

    // lineage: model <- run <- dataset
    const graph = await t.sw.lineage.get({ node: 'model:churn@1', direction: 'upstream' });
    const ids = graph.nodes.map((node) => node.id);
    expect(ids).toEqual(expect.arrayContaining(['model:churn@1', 'dataset:customers@1', `run:${job.run}`]));
    const edges = graph.edges.map((e) => `${e.source} -${e.relation}-> ${e.target}`);
    expect(edges).toEqual(
      expect.arrayContaining([
        `run:${job.run} -produced-> model:churn@1`,
        'dataset:customers@1 -trained_on-> model:churn@1',
        `dataset:customers@1 -input-> run:${job.run}`,
      ]),
    );
  });

  it('trains and registers a regressor with residuals and no classes', async () => {
    const job = await t.sw.automl.train({
      dataset: 'customers@1',
      target: 'spend',
      exclude: ['churned'],
      register: 'spend-model',
      experiment: 'spend-automl',
      maxTrials: 4,
      timeBudgetSeconds: 60,
      parallelism: 2,
      folds: 3,
      searchSpace: { gbdt: SMALL_SPACE.gbdt, ridge: { l2: { type: 'float', min: 1e-4, max: 1, log: true } } },
    });
    expect(job.error).toBeUndefined();
    expect(job).toMatchObject({ status: 'succeeded', task: 'regression', metric: 'rmse' });
    const result = job.result!;
    expect(result.ignoredColumns).toEqual([{ column: 'churned', reason: 'excluded' }]);
    expect(
      sortedBy(
        result.leaderboard.map((e) => e.score),
        false,
      ),
    ).toBe(true);
    expect(result.holdout.confusionMatrix).toBeUndefined();
    const residuals = result.holdout.residuals!;
    expect(residuals.min).toBeLessThanOrEqual(residuals.p5);
    expect(residuals.p5).toBeLessThanOrEqual(residuals.p50);
    expect(residuals.p50).toBeLessThanOrEqual(residuals.p95);
    expect(residuals.p95).toBeLessThanOrEqual(residuals.max);
    expect(residuals.meanAbsolute).toBeGreaterThanOrEqual(Math.abs(residuals.mean));
    expect(result.holdout.metrics).toMatchObject({
      rmse: expect.any(Number),
      mae: expect.any(Number),
      r2: expect.any(Number),
    });

    const version = await t.sw.models.version('spend-model@1');
    expect(version.classes).toBeUndefined();
    expect(version.run).toBe(job.run);
    expect(version.featureNames).toEqual(['age', 'tenure', 'monthly', 'plan', 'region']);
    expect(version.metrics).toMatchObject({ rmse: result.holdout.metrics.rmse, cv_rmse: result.best.score });
    const card = await t.sw.models.card('spend-model@1');
    expect(card.markdown).toMatch(/Residuals/);

    const session = await ort.InferenceSession.create(
      await t.sw.artifacts.bytes(job.run, 'model/model.onnx'),
    );
    const outputs = await session.run(feeds(rows.slice(0, 20)));
    const values = Object.values(outputs)[0]!;
    expect(values.dims[0]).toBe(20);
    expect([...(values.data as Float32Array)].every(Number.isFinite)).toBe(true);

    const children = await childRuns(t.sw, 'spend-automl', job.run);
    expect(children).toHaveLength(4);
    for (const run of children) {
      expect(['gbdt', 'ridge']).toContain(run.params.family);
      expect(run.metrics['cv/rmse']?.value).toEqual(expect.any(Number));
      expect(run.metrics['cv/rmse_std']?.value).toEqual(expect.any(Number));
    }
  });

  it('keeps searching when a trial fails, and records the failure on its run', async () => {
    // A constant column encodes to an all-zero column: without an L2 penalty the ridge's normal
    // equations are singular, so the trainer rejects l2 = 0, which the search space accepts.
    await t.sw.datasets.push(
      'constant',
      csv(
        [...FEATURES, 'one', 'spend'],
        rows.map((row) => ({ ...row, one: 1 })),
      ),
      { format: 'csv' },
    );
    const job = await t.sw.automl.train({
      dataset: 'constant@1',
      target: 'spend',
      strategy: 'grid',
      maxTrials: 10,
      timeBudgetSeconds: 60,
      parallelism: 2,
      folds: 3,
      searchSpace: {
        ridge: {
          l2: { type: 'choice', values: [0, 0.01, 1] },
          solver: { type: 'choice', values: ['cholesky'] },
        },
      },
    });
    expect(job.error).toBeUndefined();
    expect(job.status).toBe('succeeded');
    expect(job.progress).toMatchObject({ trialsDone: 3, trialsFailed: 1 });
    const result = job.result!;
    expect(result.stoppedBy).toBe('exhausted');
    expect(result.leaderboard.map((e) => e.params.l2).sort()).toEqual([0.01, 1]);
    const children = await childRuns(t.sw, 'automl-constant', job.run);
    expect(children).toHaveLength(3);
    const failed = children.filter((run) => run.status === 'failed');
    expect(failed.map((run) => run.params.l2)).toEqual(['0']);
    expect(failed[0]!.tags['slipway.automl.error']).toMatch(/positive definite/);
    expect(children.filter((run) => run.status === 'finished')).toHaveLength(2);
  });

  it('stops at the time budget with every trial run finished or failed', async () => {
    const job = await t.sw.automl.train({
      dataset: 'customers@1',
      target: 'churned',
      experiment: 'timed',
      maxTrials: 10_000,
      timeBudgetSeconds: 3,
      parallelism: 2,
      folds: 3,
      searchSpace: SMALL_SPACE,
    });
    expect(job.status).toBe('succeeded');
    expect(job.result!.stoppedBy).toBe('time');
    const children = await childRuns(t.sw, 'timed', job.run);
    expect(children.length).toBeGreaterThanOrEqual(job.progress.trialsDone);
    expect(children.filter((run) => run.status === 'running').map((run) => run.name)).toEqual([]);
  });

  describe('cancel', () => {
    const long: StartAutomlInput = {
      dataset: 'customers@1',
      target: 'churned',
      experiment: 'cancelled',
      maxTrials: 5_000,
      timeBudgetSeconds: 600,
      parallelism: 2,
    };
    let running: AutomlJob;

    it('stops a running job, kills its run, and cancels a queued one at once', async () => {
      const started = await t.sw.automl.start(long);
      expect(started.status).toBe('queued');
      const queued = await t.sw.automl.start({ ...long, experiment: 'cancelled-queued' });
      running = await untilRunning(t.sw, started.id);
      expect(running.status).toBe('running');
      expect((await t.sw.automl.get(queued.id)).status).toBe('queued');

      const queuedCancel = await t.sw.automl.cancel(queued.id);
      expect(queuedCancel).toMatchObject({ status: 'cancelled', cancelRequested: true });
      expect((await t.sw.runs.get(queued.run)).status).toBe('killed');

      const cancelled = await t.sw.automl.cancel(started.id);
      expect(cancelled.cancelRequested).toBe(true);
      const done = await t.sw.automl.wait(started.id, { intervalMs: 50 });
      expect(done.status).toBe('cancelled');
      expect(done.result).toBeUndefined();
      expect(done.finishedAt).toBeDefined();
      expect(done.progress.trialsDone).toBeGreaterThanOrEqual(1);
      expect((await t.sw.runs.get(started.run)).status).toBe('killed');
      running = done;
    });

    it('leaves no trial run running after a cancel', async () => {
      const children = await childRuns(t.sw, 'cancelled', running.run);
      expect(children.length).toBeGreaterThanOrEqual(running.progress.trialsDone);
      expect(children.filter((run) => run.status === 'running').map((run) => run.name)).toEqual([]);
    });

    it('answers a finished job unchanged, and 404 for an unknown one', async () => {
      const again = await t.sw.automl.cancel(running.id);
      expect(again).toEqual(running);
      const finished = await t.sw.automl.cancel(classification.id);
      expect(finished).toEqual(await t.sw.automl.get(classification.id));
      expect(finished.status).toBe('succeeded');
      const missing = await errorOf(t.sw.automl.cancel('nope'));
      expect(missing).toMatchObject({ status: 404, code: 'AUTOML_JOB_NOT_FOUND' });
      const missingGet = await errorOf(t.sw.automl.get('nope'));
      expect(missingGet).toMatchObject({ status: 404, code: 'AUTOML_JOB_NOT_FOUND' });
    });
  });

  it('lists jobs newest first, by status, a page at a time', async () => {
    const everything = await t.sw.automl.list({ limit: 100 });
    expect(everything.items.map((job) => job.status)).toEqual([
      'cancelled',
      'cancelled',
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(everything.items.at(-1)!.id).toBe(classification.id);
    const succeeded = await t.sw.automl.list({ status: 'succeeded' });
    expect(succeeded.items).toHaveLength(4);
    expect(succeeded.items.every((job) => job.status === 'succeeded')).toBe(true);
    expect((await t.sw.automl.list({ status: 'failed' })).items).toEqual([]);

    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await t.sw.automl.list({
        status: 'cancelled',
        limit: 1,
        ...(pageToken === undefined ? {} : { pageToken }),
      });
      expect(page.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.items.map((job) => job.id));
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    expect(seen).toEqual(everything.items.filter((job) => job.status === 'cancelled').map((job) => job.id));

    const first = await t.sw.automl.list({ limit: 1 });
    expect(first.nextPageToken).toBeDefined();
    const second = await t.sw.automl.list({ limit: 1, pageToken: first.nextPageToken! });
    expect([first.items[0]!.id, second.items[0]!.id]).toEqual(
      everything.items.slice(0, 2).map((job) => job.id),
    );

    const badStatus = await t.fetch('/api/v1/automl?status=nope');
    expect(badStatus.status).toBe(400);
  });

  describe('feature metadata on registration', () => {
    const source = () => classification.result!.artifact;
    const good = () => [
      { name: 'age', type: 'numeric' as const },
      { name: 'tenure', type: 'numeric' as const },
      { name: 'monthly', type: 'numeric' as const },
      { name: 'plan', type: 'categorical' as const, categories: PLANS },
      { name: 'region', type: 'categorical' as const, categories: REGIONS },
      { name: 'spend', type: 'numeric' as const },
    ];

    it('registers a version with features and classes and returns them', async () => {
      const version = await t.sw.models.register('rechurn', {
        source: source(),
        features: good(),
        classes: ['left', 'stayed'],
      });
      expect(version.features).toEqual(good());
      expect(version.featureNames).toEqual(good().map((f) => f.name));
      expect(version.classes).toEqual(['left', 'stayed']);
      expect(await t.sw.models.version('rechurn@1')).toEqual(version);
      const card = await t.sw.models.card('rechurn@1');
      expect(card.automatic).toMatchObject({ features: good(), classes: ['left', 'stayed'] });
    });

    const fieldOf = (error: { details: Record<string, unknown> }) =>
      (error.details.field as string | undefined) ??
      ((error.details.issues as { path: string }[] | undefined)?.[0]?.path ?? '').replace(/^body\./, '');

    it.each([
      ['a bad type', () => good().map((f, i) => (i === 1 ? { ...f, type: 'text' } : f)), 'features[1].type'],
      [
        'a repeated name',
        () => good().map((f, i) => (i === 2 ? { ...f, name: 'age' } : f)),
        /^feature(s|Names)\[2\]/,
      ],
      [
        'categories on a numeric feature',
        () => good().map((f, i) => (i === 0 ? { ...f, categories: ['a'] } : f)),
        'features[0].categories',
      ],
      [
        'a name that is not an input of the model',
        () => good().map((f, i) => (i === 5 ? { ...f, name: 'income' } : f)),
        /^feature(s|Names)/,
      ],
    ])('rejects %s naming the field', async (_, features, field) => {
      const error = await errorOf(
        t.sw.models.register('rechurn', {
          source: source(),
          features: features() as never,
          classes: ['left', 'stayed'],
        }),
      );
      expect({ status: error.status, code: error.code }).toEqual({ status: 400, code: 'INVALID_ARGUMENT' });
      if (typeof field === 'string') expect(fieldOf(error)).toBe(field);
      else expect(fieldOf(error)).toMatch(field);
    });

    it('rejects classes with one entry, and leaves no version behind', async () => {
      const error = await errorOf(
        t.sw.models.register('rechurn', { source: source(), features: good(), classes: ['left'] }),
      );
      expect(error).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT', details: { field: 'classes' } });
      const versions = await t.sw.models.versions('rechurn');
      expect(versions.items.map((v) => v.version)).toEqual([1]);
    });
  });
});
