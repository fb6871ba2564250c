/** Correctness of the GBDT trainer on generated data: quality, monotone training loss, determinism,
 * early stopping and the tree-shape limits. */
import { describe, expect, it } from 'vitest';
import { binTable } from '../../../src/training/gbdt/binning.js';
import {
  predictLabels,
  predictProbabilities,
  predictValues,
} from '../../../src/training/gbdt/gbdt-predict.js';
import { trainGbdt } from '../../../src/training/gbdt/gbdt-trainer.js';
import { leafOf, type RegressionTree } from '../../../src/training/gbdt/tree.js';
import { syntheticDataset } from './synthetic-data.js';

function accuracy(predicted: Int32Array, labels: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) correct += predicted[i] === labels[i] ? 1 : 0;
  return correct / labels.length;
}

function majorityRate(labels: Int32Array, classes: number): number {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label]! += 1;
  return Math.max(...counts) / labels.length;
}

function depth(tree: RegressionTree, node = 0): number {
  return tree.feature[node]! < 0
    ? 0
    : 1 + Math.max(depth(tree, tree.left[node]!), depth(tree, tree.right[node]!));
}

describe('GBDT trainer', () => {
  it('beats the majority baseline on binary data by a clear margin', () => {
    const train = syntheticDataset(4000, 11, 'binary');
    const test = syntheticDataset(2000, 12, 'binary');
    if (test.target.kind !== 'classification') throw new Error('classification expected');
    const model = trainGbdt(train.table, train.target, { iterations: 80 });
    const testAccuracy = accuracy(predictLabels(model, test.table), test.target.labels);
    expect(testAccuracy).toBeGreaterThan(0.85);
    expect(testAccuracy).toBeGreaterThan(majorityRate(test.target.labels, 2) + 0.2);
    const probabilities = predictProbabilities(model, test.table);
    for (let r = 0; r < test.table.rows; r++)
      expect(probabilities[2 * r]! + probabilities[2 * r + 1]!).toBeCloseTo(1, 12);
  });

  it('beats the majority baseline on multiclass data', () => {
    const train = syntheticDataset(4000, 13, 'multiclass');
    const test = syntheticDataset(2000, 14, 'multiclass');
    if (test.target.kind !== 'classification') throw new Error('classification expected');
    const model = trainGbdt(train.table, train.target, { iterations: 60 });
    expect(model.trees[0]).toHaveLength(3);
    const testAccuracy = accuracy(predictLabels(model, test.table), test.target.labels);
    expect(testAccuracy).toBeGreaterThan(majorityRate(test.target.labels, 3) + 0.25);
  });

  it('explains most of the variance of a regression target', () => {
    const train = syntheticDataset(4000, 15, 'regression');
    const test = syntheticDataset(2000, 16, 'regression');
    if (test.target.kind !== 'regression') throw new Error('regression expected');
    const model = trainGbdt(train.table, train.target, { iterations: 150 });
    const predicted = predictValues(model, test.table);
    const y = test.target.values;
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    let residual = 0;
    let total = 0;
    for (let i = 0; i < y.length; i++) {
      residual += (y[i]! - predicted[i]!) ** 2;
      total += (y[i]! - mean) ** 2;
    }
    expect(1 - residual / total).toBeGreaterThan(0.8);
  });

  it('decreases the training loss at every iteration', () => {
    for (const task of ['binary', 'multiclass', 'regression'] as const) {
      const train = syntheticDataset(2000, 17, task);
      const { trainLoss } = trainGbdt(train.table, train.target, { iterations: 30 }).history;
      for (let i = 1; i < trainLoss.length; i++) expect(trainLoss[i]!).toBeLessThan(trainLoss[i - 1]!);
    }
  });

  it('is deterministic for a seed, with row and feature subsampling', () => {
    const train = syntheticDataset(2000, 18, 'binary');
    const options = { iterations: 20, subsample: 0.7, featureFraction: 0.6, seed: 5 };
    const a = predictProbabilities(trainGbdt(train.table, train.target, options), train.table);
    const b = predictProbabilities(trainGbdt(train.table, train.target, options), train.table);
    const c = predictProbabilities(
      trainGbdt(train.table, train.target, { ...options, seed: 6 }),
      train.table,
    );
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).not.toEqual(Array.from(a));
  });

  it('stops early on the validation split and keeps the best iteration', () => {
    const train = syntheticDataset(2000, 19, 'binary', { noise: 1.5 });
    const model = trainGbdt(train.table, train.target, {
      iterations: 2000,
      learningRate: 0.3,
      earlyStopping: { validationFraction: 0.2, patience: 5 },
    });
    const { history } = model;
    expect(history.stoppedEarly).toBe(true);
    expect(history.validationLoss.length).toBeLessThan(2000);
    expect(history.validationLoss.length).toBe(history.iterations + 5);
    expect(model.trees).toHaveLength(history.iterations);
    const bestLoss = Math.min(...history.validationLoss);
    expect(history.validationLoss[history.iterations - 1]).toBe(bestLoss);
  });

  it('respects max leaves, max depth and min samples per leaf', () => {
    const train = syntheticDataset(3000, 20, 'regression');
    const model = trainGbdt(train.table, train.target, {
      iterations: 10,
      maxLeaves: 12,
      maxDepth: 4,
      minSamplesLeaf: 40,
    });
    const data = binTable(train.table, model.binning);
    for (const [tree] of model.trees) {
      if (tree === undefined) throw new Error('one tree per iteration expected');
      const leaves = Array.from(tree.feature).filter((f) => f < 0).length;
      expect(leaves).toBeLessThanOrEqual(12);
      expect(leaves).toBeGreaterThan(4);
      expect(depth(tree)).toBeLessThanOrEqual(4);
      const counts = new Map<number, number>();
      for (let r = 0; r < data.rows; r++)
        counts.set(leafOf(tree, data, r), (counts.get(leafOf(tree, data, r)) ?? 0) + 1);
      for (const count of counts.values()) expect(count).toBeGreaterThanOrEqual(40);
    }
  });

  it('rejects bad input with a clear error', () => {
    const train = syntheticDataset(100, 21, 'binary');
    expect(() => trainGbdt(train.table, train.target, { learningRate: 0 })).toThrow(/learningRate/);
    expect(() =>
      trainGbdt(train.table, { kind: 'classification', classes: ['only'], labels: new Int32Array(100) }),
    ).toThrow(/2 classes/);
  });
});
