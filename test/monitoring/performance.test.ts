/**
 * Live performance metrics against scikit-learn reference values in reference/performance.json
 * (regenerate with reference/generate_performance.py): binary and multiclass classification with
 * ties, certain answers, absent classes and unnormalised rows; regression including constant labels.
 * Tolerance 1e-12 relative (sums run in another order than numpy's pairwise ones).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  logLoss,
  mae,
  performanceMetrics,
  precisionRecallF1,
  r2,
  rmse,
  rocAuc,
  rocAucBinary,
} from '../../src/monitoring/performance/index.js';

interface ClassificationCase {
  name: string;
  classes: number;
  labels: number[];
  predictions: number[];
  probabilities: number[];
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  rocAuc: number | null;
  logLoss: number;
}

interface RegressionCase {
  name: string;
  labels: number[];
  predictions: number[];
  rmse: number;
  mae: number;
  r2: number | null;
}

const ref = JSON.parse(readFileSync(new URL('./reference/performance.json', import.meta.url), 'utf8')) as {
  classification: ClassificationCase[];
  regression: RegressionCase[];
};

function expectClose(actual: number, expected: number | null, what: string): void {
  if (expected === null) {
    expect(actual, what).toBeNaN();
    return;
  }
  const tolerance = Math.max(1e-12 * Math.abs(expected), 1e-14);
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

describe('classification metrics match scikit-learn', () => {
  it.each(ref.classification.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const labels = Int32Array.from(c.labels);
    const predictions = Int32Array.from(c.predictions);
    const probabilities = Float64Array.from(c.probabilities);
    expectClose(accuracy(labels, predictions), c.accuracy, 'accuracy');
    const scores = precisionRecallF1(labels, predictions, c.classes);
    expectClose(scores.precision, c.precision, 'precision');
    expectClose(scores.recall, c.recall, 'recall');
    expectClose(scores.f1, c.f1, 'f1');
    expectClose(rocAuc(labels, probabilities, c.classes), c.rocAuc, 'rocAuc');
    expectClose(logLoss(labels, probabilities, c.classes), c.logLoss, 'logLoss');
    const all = performanceMetrics({
      kind: 'classification',
      classes: Array.from({ length: c.classes }, (_, i) => String(i)),
      labels,
      predictions,
      probabilities,
    });
    expect(Object.keys(all).sort()).toEqual(['accuracy', 'f1', 'logLoss', 'precision', 'recall', 'rocAuc']);
    expectClose(all.f1!, c.f1, 'performanceMetrics f1');
  });

  it('has cases that exercise ties, absent classes and clipping', () => {
    expect(ref.classification.length).toBeGreaterThanOrEqual(10);
    expect(ref.classification.some((c) => c.rocAuc === null)).toBe(true);
    expect(ref.classification.some((c) => c.logLoss > 5)).toBe(true);
  });
});

describe('regression metrics match scikit-learn', () => {
  it.each(ref.regression.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const labels = Float64Array.from(c.labels);
    const predictions = Float64Array.from(c.predictions);
    expectClose(rmse(labels, predictions), c.rmse, 'rmse');
    expectClose(mae(labels, predictions), c.mae, 'mae');
    expectClose(r2(labels, predictions), c.r2, 'r2');
  });
});

describe('edge cases', () => {
  it('ROC AUC counts tied scores half and is the share of positive-negative pairs ranked right', () => {
    // Pairs (positive score, negative score): (0.8, 0.2) right, (0.8, 0.8) half, (0.4, 0.2) right, (0.4, 0.8) wrong.
    const auc = rocAucBinary(Uint8Array.from([1, 0, 1, 0]), Float64Array.from([0.8, 0.2, 0.4, 0.8]));
    expect(auc).toBeCloseTo(2.5 / 4, 15);
  });

  it('is NaN where undefined rather than throwing, and refuses inconsistent input', () => {
    expect(accuracy(new Int32Array(0), new Int32Array(0))).toBeNaN();
    expect(rmse(new Float64Array(0), new Float64Array(0))).toBeNaN();
    expect(() => accuracy(Int32Array.from([0, 1]), Int32Array.from([1]))).toThrow(/differ in length/);
    expect(() => precisionRecallF1(Int32Array.from([0, 3]), Int32Array.from([1, 1]), 2)).toThrow(
      /class index 3/,
    );
    expect(() => rocAuc(Int32Array.from([0, 1]), Float64Array.from([0.1, 0.9]), 2)).toThrow(
      /expected 2 rows × 2 classes/,
    );
  });

  it('leaves ROC AUC and log loss out without probabilities', () => {
    const metrics = performanceMetrics({
      kind: 'classification',
      classes: ['no', 'yes'],
      labels: Int32Array.from([0, 1, 1]),
      predictions: Int32Array.from([0, 1, 0]),
    });
    expect(metrics).toEqual({ accuracy: 2 / 3, precision: 1, recall: 0.5, f1: 2 / 3 });
  });
});
