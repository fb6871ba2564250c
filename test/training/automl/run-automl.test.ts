/**
 * The whole search on small generated problems, on two worker threads: leaderboard, refit model
 * exported to ONNX and run through onnxruntime, failed trials, resumption from finished trials, the
 * time budget, aborting, and identical trial outcomes with one or two workers.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { holdoutSplit } from '../../../src/training/automl/folds.js';
import { resolveAutomlOptions } from '../../../src/training/automl/options.js';
import { runAutoml } from '../../../src/training/automl/run-automl.js';
import type {
  AutomlInput,
  AutomlOptions,
  TrialOutcome,
  TrialPlan,
} from '../../../src/training/automl/types.js';
import type { Table, Target } from '../../../src/training/table.js';
import { takeRows, takeTarget } from '../../../src/training/table.js';
import { syntheticDataset } from '../gbdt/synthetic-data.js';
import { onnxFeeds } from '../onnx-feeds.js';

/** Small GBDTs keep each trial to tens of milliseconds. */
const SMALL_GBDT = {
  iterations: { type: 'int', min: 10, max: 40 },
  learningRate: { type: 'float', min: 0.05, max: 0.3, log: true },
  maxLeaves: { type: 'int', min: 4, max: 16 },
  minSamplesLeaf: { type: 'int', min: 5, max: 20 },
} as const;

function optionsFor(table: Table, target: Target, input: Partial<AutomlInput>): AutomlOptions {
  const task = target.kind;
  const linear = task === 'classification' ? 'logistic' : 'ridge';
  return resolveAutomlOptions(
    {
      task,
      maxTrials: 6,
      folds: 3,
      parallelism: 2,
      timeBudgetMs: 60_000,
      searchSpace: { gbdt: SMALL_GBDT, [linear]: { l2: { type: 'float', min: 1e-4, max: 1, log: true } } },
      ...input,
    },
    { rows: table.rows },
  );
}

function withoutDurations(trials: readonly TrialOutcome[]) {
  return trials.map(({ durationMs: _, ...rest }) => rest);
}

async function runOnnx(bytes: Uint8Array, table: Table) {
  const session = await ort.InferenceSession.create(bytes);
  return session.run(onnxFeeds(table));
}

describe('runAutoml', () => {
  it('searches a binary problem on two workers, exports a working ONNX model and reports every trial', async () => {
    const { table, target } = syntheticDataset(500, 11, 'binary');
    const options = optionsFor(table, target, {});
    const started: number[] = [];
    const done: number[] = [];
    const result = await runAutoml(table, target, options, {
      onTrialStart: (plan) => {
        started.push(plan.id);
      },
      onTrialEnd: (outcome, progress) => {
        done.push(progress.trialsDone);
        expect(progress.trialsPlanned).toBe(6);
        expect(outcome.status).toBe('succeeded');
      },
    });
    expect(result.trials.map((trial) => trial.id)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(started.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(done).toEqual([1, 2, 3, 4, 5, 6]);
    expect(new Set(result.trials.map((trial) => trial.family))).toEqual(new Set(['gbdt', 'logistic']));
    expect(result.options.metric).toBe('log_loss');
    const scores = result.leaderboard.map((trial) => trial.score!);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
    expect(result.best).toBe(result.leaderboard[0]);
    expect(result.best.metrics.roc_auc!.std).toBeGreaterThanOrEqual(0);
    expect(result.stoppedBy).toBe('trials');
    expect(result.trainRows).toBe(400);
    expect(result.holdout.rows).toBe(100);
    expect(result.holdout.metrics.accuracy).toBeGreaterThan(0.75);
    expect(result.holdout.confusionMatrix!.counts.flat().reduce((a, b) => a + b, 0)).toBe(100);
    expect(result.classes).toEqual(['no', 'yes']);
    expect(result.features.at(-1)).toEqual({
      name: 'colour',
      type: 'categorical',
      categories: ['amber', 'blue', 'green', 'red', 'teal', 'violet'],
    });

    // The exported graph reproduces the holdout accuracy on the held-out rows.
    const holdout = holdoutSplit(target, options.holdoutFraction, options.seed).holdout;
    const outputs = await runOnnx(result.onnx, takeRows(table, holdout));
    expect(outputs.probabilities!.dims).toEqual([100, 2]);
    expect(outputs.label!.dims[0]).toBe(100);
    const labels = takeTarget(target, holdout);
    const names = outputs.label!.data as string[];
    const correct = names.filter(
      (name, row) => name === result.classes![(labels as { labels: Int32Array }).labels[row]!],
    );
    expect(correct.length / 100).toBeCloseTo(result.holdout.metrics.accuracy!, 1);

    // Each trial is deterministic: one worker gives the same outcomes as two.
    const serial = await runAutoml(table, target, { ...options, parallelism: 1 });
    expect(withoutDurations(serial.trials)).toEqual(withoutDurations(result.trials));
  });

  it('runs successive halving on a multiclass problem and ranks the highest rung first', async () => {
    const { table, target } = syntheticDataset(450, 12, 'multiclass');
    const options = optionsFor(table, target, { strategy: 'halving', maxTrials: 9 });
    const result = await runAutoml(table, target, options);
    expect(result.trials.map((trial) => trial.rung)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2]);
    expect(result.best.rung).toBe(2);
    expect(result.best.budgetFraction).toBe(1);
    expect(result.holdout.metrics.accuracy).toBeGreaterThan(0.6);
    const outputs = await runOnnx(result.onnx, takeRows(table, Uint32Array.of(0, 1, 2, 3)));
    expect(outputs.probabilities!.dims).toEqual([4, 3]);
  });

  it('searches a regression problem and summarises the holdout residuals', async () => {
    const { table, target } = syntheticDataset(400, 13, 'regression');
    const result = await runAutoml(
      table,
      target,
      optionsFor(table, target, { strategy: 'grid', maxTrials: 4 }),
    );
    expect(result.options.metric).toBe('rmse');
    const scores = result.leaderboard.map((trial) => trial.score!);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
    expect(result.holdout.metrics.r2).toBeGreaterThan(0.5);
    const residuals = result.holdout.residuals!;
    expect(residuals.min).toBeLessThanOrEqual(residuals.p50);
    expect(residuals.p50).toBeLessThanOrEqual(residuals.max);
    expect(result.classes).toBeUndefined();
    const outputs = await runOnnx(result.onnx, takeRows(table, Uint32Array.of(0, 1, 2)));
    expect(outputs.value!.dims[0]).toBe(3);
  });

  it('reports a trial the trainer rejects as failed and still finds the best model', async () => {
    const { table, target } = syntheticDataset(300, 14, 'binary');
    const options: AutomlOptions = {
      ...optionsFor(table, target, {}),
      // bypasses parseSearchSpace on purpose: the trainer itself rejects a negative learning rate
      searchSpace: {
        gbdt: { learningRate: { type: 'choice', values: [-1] } },
        logistic: { l2: { type: 'choice', values: [0.01, 0.1] } },
      },
    };
    const result = await runAutoml(table, target, options);
    const failed = result.trials.filter((trial) => trial.status === 'failed');
    expect(failed.map((trial) => trial.family)).toEqual(['gbdt']);
    expect(failed[0]!.error).toMatch(/learningRate/);
    expect(result.best.family).toBe('logistic');
    expect(result.leaderboard).toHaveLength(2);

    const onlyFailing = { ...options, searchSpace: { gbdt: options.searchSpace.gbdt! } };
    await expect(runAutoml(table, target, onlyFailing)).rejects.toThrow(
      /all 1 trials failed; the first error: .*learningRate/,
    );
  });

  it('reuses finished trials without running them again', async () => {
    const { table, target } = syntheticDataset(300, 15, 'binary');
    const options = optionsFor(table, target, { maxTrials: 4 });
    const first = await runAutoml(table, target, options);
    const finished = new Map(first.trials.slice(0, 2).map((trial) => [trial.id, trial]));
    const started: TrialPlan[] = [];
    const resumed = await runAutoml(table, target, options, {
      finished,
      onTrialStart: (plan) => {
        started.push(plan);
      },
    });
    expect(started.map((plan) => plan.id).sort()).toEqual([2, 3]);
    expect(resumed.trials[0]).toBe(first.trials[0]);
    expect(withoutDurations(resumed.trials)).toEqual(withoutDurations(first.trials));
  });

  it('stops at the time budget, ending the trials still running as failed', async () => {
    const { table, target } = syntheticDataset(300, 16, 'binary');
    const options = optionsFor(table, target, {
      maxTrials: 400,
      timeBudgetMs: 3_000,
      searchSpace: {
        gbdt: { ...SMALL_GBDT, iterations: { type: 'int', min: 200, max: 300 } },
        logistic: { l2: { type: 'float', min: 1e-4, max: 1, log: true } },
      },
    });
    const started: number[] = [];
    const ended: number[] = [];
    const result = await runAutoml(table, target, options, {
      onTrialStart: (plan) => {
        started.push(plan.id);
      },
      onTrialEnd: (outcome) => {
        ended.push(outcome.id);
      },
    });
    expect(result.stoppedBy).toBe('time');
    expect(result.trials.length).toBeLessThan(400);
    expect(ended.sort((a, b) => a - b)).toEqual(started.sort((a, b) => a - b));
    expect(result.trials.map((trial) => trial.id)).toEqual(ended);
    for (const trial of result.trials.filter((t) => t.status === 'failed')) {
      expect(trial.error).toBe('stopped unfinished: the time budget of 3000 ms ran out');
    }
    expect(result.leaderboard.length).toBeGreaterThan(0);
  });

  it('rejects with the abort reason when the signal aborts, ending every started trial', async () => {
    const { table, target } = syntheticDataset(300, 17, 'binary');
    const controller = new AbortController();
    const started: number[] = [];
    const ended: TrialOutcome[] = [];
    const run = runAutoml(table, target, optionsFor(table, target, { maxTrials: 50 }), {
      signal: controller.signal,
      onTrialStart: (plan) => {
        started.push(plan.id);
      },
      onTrialEnd: (outcome) => {
        ended.push(outcome);
        controller.abort(new Error('cancelled by the user'));
      },
    });
    await expect(run).rejects.toThrow('cancelled by the user');
    expect(ended.map((outcome) => outcome.id).sort()).toEqual(started.sort());
    expect(ended.length).toBeLessThan(50);
  });
});
