/**
 * Helper threads must not change the model: every feature's histogram is summed by one thread in row
 * order, and a partition split across threads is merged into the same order, so 1 and 2 threads give
 * bit-identical histograms, partitions and trees.
 */
import { describe, expect, it } from 'vitest';
import { binTable, fitBinning } from '../../../src/training/gbdt/binning.js';
import { predictProbabilities } from '../../../src/training/gbdt/gbdt-predict.js';
import { trainGbdt } from '../../../src/training/gbdt/gbdt-trainer.js';
import { GradientPass } from '../../../src/training/gbdt/gradient-pass.js';
import { isReady, startHelperThreads, stopHelperThreads } from '../../../src/training/gbdt/helper-threads.js';
import { HistogramBuilder } from '../../../src/training/gbdt/histogram-builder.js';
import { KernelMemory } from '../../../src/training/gbdt/kernel-memory.js';
import { RowOrder } from '../../../src/training/gbdt/row-order.js';
import { emptySplit } from '../../../src/training/gbdt/split-finder.js';
import { syntheticDataset } from './synthetic-data.js';

const SPLIT_PARAMS = { lambda: 0, minSamplesLeaf: 20, minHessianLeaf: 1e-3, minGainToSplit: 0 };

/** Gradient memory the histogram tests do not use (the helper needs some). */
function gradientMemory(rows: number, shared: boolean) {
  return new GradientPass('regression', { labels: null, values: new Float64Array(rows) }, 1, rows, 2, shared)
    .memory;
}

async function eventually(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('GBDT histogram threads', () => {
  it('builds bit-identical histograms on a helper thread with the WebAssembly kernel and on the trainer thread with the JavaScript kernel', async () => {
    const { table } = syntheticDataset(20_000, 31, 'binary');
    const data = binTable(table, fitBinning(table));
    const gradients = Float64Array.from({ length: data.rows }, (_, r) => Math.sin(r) / 3);
    const hessians = Float64Array.from({ length: data.rows }, (_, r) => 0.1 + Math.cos(r) ** 2);
    const sample = Uint32Array.from({ length: data.rows }, (_, r) => r);
    const features = Int32Array.from({ length: data.features }, (_, f) => f);

    const alone = new HistogramBuilder(
      new RowOrder(data, KernelMemory.plain(false)),
      2,
      [],
      gradientMemory(data.rows, false),
      SPLIT_PARAMS,
    );
    alone.order.load(sample, data.rows, gradients, hessians);
    const helpers = startHelperThreads(1);
    try {
      const memory = KernelMemory.forTraining(data, 2, true);
      expect(memory.wasm).toBeDefined();
      const shared = new HistogramBuilder(
        new RowOrder(data, memory),
        2,
        helpers,
        gradientMemory(data.rows, true),
        SPLIT_PARAMS,
      );
      shared.order.load(sample, data.rows, gradients, hessians);
      await eventually(() => shared.readyHelpers() === 1);
      for (const [start, end] of [
        [0, data.rows],
        [1234, 17_000],
      ] as const) {
        const expected = alone.take();
        const actual = shared.take();
        alone.build(expected, features, start, end);
        shared.build(actual, features, start, end);
        expect(Array.from(shared.view(actual))).toEqual(Array.from(alone.view(expected)));
      }
    } finally {
      stopHelperThreads(helpers);
    }
  });

  it('partitions a run identically with half of it on a helper thread', async () => {
    const { table } = syntheticDataset(40_000, 34, 'binary');
    const data = binTable(table, fitBinning(table));
    const gradients = Float64Array.from({ length: data.rows }, (_, r) => Math.sin(r));
    const hessians = Float64Array.from({ length: data.rows }, (_, r) => Math.cos(r) ** 2);
    const sample = Uint32Array.from({ length: data.rows }, (_, r) => r);
    const split = { ...emptySplit(), feature: 1, thresholdBin: 100, missingLeft: true };

    const alone = new RowOrder(data, KernelMemory.plain(false));
    alone.load(sample, data.rows, gradients, hessians);
    const helpers = startHelperThreads(1);
    try {
      const shared = new RowOrder(data, KernelMemory.forTraining(data, 2, true));
      shared.load(sample, data.rows, gradients, hessians);
      shared.helper = helpers[0];
      new HistogramBuilder(shared, 2, helpers, gradientMemory(data.rows, true), SPLIT_PARAMS); // posts the row order to the helper
      await eventually(() => isReady(helpers[0]!));
      for (const [start, end] of [
        [0, data.rows],
        [3000, 39_000],
      ] as const) {
        expect(shared.partition(start, end, split)).toBe(alone.partition(start, end, split));
        expect(Array.from(shared.rowIndex)).toEqual(Array.from(alone.rowIndex));
        expect(Array.from(shared.pairs)).toEqual(Array.from(alone.pairs));
      }
    } finally {
      stopHelperThreads(helpers);
    }
  });

  it('sums histograms of partitioned leaves identically with the WebAssembly and the JavaScript kernels', () => {
    const { table } = syntheticDataset(25_000, 35, 'multiclass');
    const data = binTable(table, fitBinning(table));
    const gradients = Float64Array.from({ length: data.rows }, (_, r) => Math.sin(r * 0.37) * 1e3);
    const hessians = Float64Array.from({ length: data.rows }, (_, r) => 1e-6 + Math.cos(r) ** 2);
    const sample = Uint32Array.from({ length: data.rows }, (_, r) => r);
    const features = Int32Array.from({ length: data.features }, (_, f) => f);
    const sampledFeatures = Int32Array.from([0, 3, data.features - 1]);
    const split = { ...emptySplit(), feature: 2, thresholdBin: 60, missingLeft: false };
    const builders = [KernelMemory.plain(false), KernelMemory.forTraining(data, 2, false)].map((memory) => {
      const builder = new HistogramBuilder(
        new RowOrder(data, memory),
        2,
        [],
        gradientMemory(data.rows, false),
        SPLIT_PARAMS,
      );
      builder.order.load(sample, data.rows, gradients, hessians);
      return builder;
    });
    const [javascript, wasm] = builders as [HistogramBuilder, HistogramBuilder];
    expect(wasm.order.kernel.wasm).toBeDefined();
    expect(javascript.order.kernel.wasm).toBeUndefined();
    const middle = javascript.order.partition(100, 24_000, split);
    expect(wasm.order.partition(100, 24_000, split)).toBe(middle);
    for (const [start, end] of [
      [0, data.rows],
      [100, middle],
      [middle, 24_000],
      [middle + 7, middle + 9],
      [5, 5],
    ] as const) {
      for (const used of [features, sampledFeatures]) {
        const expected = javascript.take();
        const actual = wasm.take();
        javascript.build(expected, used, start, end);
        wasm.build(actual, used, start, end);
        expect(Array.from(wasm.view(actual))).toEqual(Array.from(javascript.view(expected)));
        javascript.release(expected);
        wasm.release(actual);
      }
    }
  });

  it('trains the same model with 1 and 2 threads', () => {
    for (const task of ['binary', 'multiclass'] as const) {
      const train = syntheticDataset(30_000, 32, task);
      const options = { iterations: 15, seed: 3 };
      const one = trainGbdt(train.table, train.target, { ...options, threads: 1 });
      const two = trainGbdt(train.table, train.target, { ...options, threads: 2 });
      expect(two.trees).toEqual(one.trees);
      expect(two.history.trainLoss).toEqual(one.history.trainLoss);
      expect(Array.from(predictProbabilities(two, train.table))).toEqual(
        Array.from(predictProbabilities(one, train.table)),
      );
    }
  });

  it('rejects a negative or fractional thread count', () => {
    const train = syntheticDataset(100, 33, 'binary');
    expect(() => trainGbdt(train.table, train.target, { threads: -1 })).toThrow(/threads/);
    expect(() => trainGbdt(train.table, train.target, { threads: 1.5 })).toThrow(/threads/);
  });
});
