/**
 * Metrics against hand-computed values (the same ones scikit-learn gives) and, for ROC AUC, against a
 * brute-force count of correctly ordered (positive, negative) pairs on random data with ties.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accuracy,
  binaryRocAuc,
  classificationMetrics,
  f1,
  isBetter,
  logLoss,
  mae,
  r2,
  rmse,
  rocAuc,
} from '../../../src/training/automl/metrics.js';

function pairwiseAuc(scores: readonly number[], positive: readonly boolean[]): number {
  let pairs = 0;
  let wins = 0;
  scores.forEach((p, i) => {
    if (!positive[i]) return;
    scores.forEach((n, j) => {
      if (positive[j]) return;
      pairs++;
      wins += p > n ? 1 : p === n ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe('ROC AUC', () => {
  it('matches the pairwise count on random scores with ties', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.boolean()), { minLength: 2, maxLength: 60 }),
        (rows) => {
          const positive = rows.map(([, label]) => label);
          fc.pre(positive.includes(true) && positive.includes(false));
          const scores = Float64Array.from(rows, ([score]) => score / 6);
          expect(binaryRocAuc(scores, positive)).toBeCloseTo(pairwiseAuc([...scores], positive), 12);
        },
      ),
    );
  });

  it('is 0.75 on the scikit-learn documentation example and NaN with one class', () => {
    const labels = Int32Array.of(0, 0, 1, 1);
    const probabilities = Float64Array.of(0.9, 0.1, 0.6, 0.4, 0.65, 0.35, 0.2, 0.8);
    expect(rocAuc(probabilities, labels, 2)).toBeCloseTo(0.75, 12);
    expect(binaryRocAuc(Float64Array.of(0.1, 0.2), [true, true])).toBeNaN();
  });

  it('averages one-vs-rest AUCs over the classes (macro)', () => {
    const labels = Int32Array.of(0, 0, 1, 2);
    const probabilities = Float64Array.of(0.6, 0.2, 0.2, 0.3, 0.4, 0.3, 0.5, 0.3, 0.2, 0.2, 0.2, 0.6);
    // class 0: 3 of 4 pairs, class 1: 2 of 3, class 2: 3 of 3
    expect(rocAuc(probabilities, labels, 3)).toBeCloseTo((0.75 + 2 / 3 + 1) / 3, 12);
  });
});

describe('classification metrics', () => {
  it('log loss is the mean negative log-likelihood, clipped at 1e-15', () => {
    const labels = Int32Array.of(0, 1);
    expect(logLoss(Float64Array.of(0.9, 0.1, 0.2, 0.8), labels, 2)).toBeCloseTo(
      -(Math.log(0.9) + Math.log(0.8)) / 2,
      12,
    );
    expect(logLoss(Float64Array.of(0, 1), Int32Array.of(0), 2)).toBeCloseTo(-Math.log(1e-15), 6);
  });

  it('F1 is the positive class F1 for two classes and the macro F1 otherwise', () => {
    expect(f1(Int32Array.of(0, 1, 0, 1, 1), Int32Array.of(0, 1, 1, 1, 0), 2)).toBeCloseTo(2 / 3, 12);
    expect(f1(Int32Array.of(0, 2, 1, 0, 0, 1), Int32Array.of(0, 1, 2, 0, 1, 2), 3)).toBeCloseTo(0.8 / 3, 12);
  });

  it('computes every classification metric from probabilities', () => {
    const labels = Int32Array.of(0, 1, 1);
    const metrics = classificationMetrics(Float64Array.of(0.7, 0.3, 0.4, 0.6, 0.6, 0.4), labels, 2);
    expect(Object.keys(metrics).sort()).toEqual(['accuracy', 'f1', 'log_loss', 'roc_auc']);
    expect(metrics.accuracy).toBeCloseTo(2 / 3, 12);
    expect(accuracy(Int32Array.of(0, 1, 0), labels)).toBeCloseTo(2 / 3, 12);
  });
});

describe('regression metrics', () => {
  it('matches hand-computed RMSE, MAE and R²', () => {
    const predicted = Float64Array.of(1, 2, 3);
    const actual = Float64Array.of(1, 2, 5);
    expect(rmse(predicted, actual)).toBeCloseTo(Math.sqrt(4 / 3), 12);
    expect(mae(predicted, actual)).toBeCloseTo(2 / 3, 12);
    expect(r2(predicted, actual)).toBeCloseTo(1 - 4 / (26 / 3), 12);
    expect(r2(Float64Array.of(2, 2), Float64Array.of(2, 2))).toBe(1);
  });

  it('ranks by each metric direction, NaN last', () => {
    expect(isBetter('rmse', 1, 2)).toBe(true);
    expect(isBetter('r2', 1, 2)).toBe(false);
    expect(isBetter('roc_auc', 0.5, Number.NaN)).toBe(true);
    expect(isBetter('log_loss', Number.NaN, 3)).toBe(false);
  });
});
