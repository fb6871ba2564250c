/**
 * The statistics behind champion/challenger decisions: the regularised incomplete beta, Student's t
 * survival function and Welch's t-test against reference values computed once with SciPy 1.x
 * (`scipy.special.betainc`, `scipy.stats.t.sf`, `scipy.stats.ttest_ind(equal_var=False)`); and the
 * metric comparisons' directions and determinism.
 */
import { describe, expect, it } from 'vitest';
import type { LabelledRows } from '../../src/monitoring/index.js';
import { betainc, compareRows, studentTSf, welchTTest } from '../../src/monitoring/index.js';

const close = (actual: number, expected: number, relative = 1e-10) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * relative);

describe('Student t and Welch', () => {
  it('matches SciPy for the regularised incomplete beta', () => {
    close(betainc(2.5, 0.5, 0.3), 0.018927124071945658);
    close(betainc(10, 0.5, 0.9), 0.15164090963470994);
    close(betainc(0.5, 0.5, 0.01), 0.06376856085851985);
    close(betainc(50, 3, 0.95), 0.5145695221630197);
  });

  it("matches SciPy for Student's t survival function", () => {
    close(studentTSf(2.0, 5), 0.050969739414929174);
    close(studentTSf(1.3, 1.7), 0.17106518753828506);
    close(studentTSf(4.5, 120.3), 7.897730984130218e-6, 1e-8);
    close(studentTSf(-0.7, 12), 0.7513629231046463);
    close(studentTSf(10, 3), 0.0010641995292070751, 1e-9);
  });

  it("matches SciPy's Welch test", () => {
    const result = welchTTest([1.0, 2.5, 3.1, 4.7, 2.2, 3.3], [2.0, 5.5, 6.1, 4.9, 7.2, 3.8, 6.6, 5.0]);
    close(result.statistic, -3.0258114976962815);
    close(result.df, 11.995002763647673);
    close(result.pvalue, 0.010552813868390281, 1e-9);
    expect(welchTTest([1, 1, 1], [1, 1]).pvalue).toBe(1);
    expect(welchTTest([1, 1, 1], [2, 2]).pvalue).toBe(0);
  });
});

function classifier(version: number, right: readonly boolean[], withProbabilities = true): LabelledRows {
  const labels = Int32Array.from(right, (_, i) => i % 2);
  const predictions = Int32Array.from(right, (r, i) => (r ? i % 2 : 1 - (i % 2)));
  const probabilities = Float64Array.from({ length: right.length * 2 }, (_, j) => {
    const i = Math.floor(j / 2);
    const p1 = predictions[i] === 1 ? 0.8 : 0.2;
    return j % 2 === 1 ? p1 : 1 - p1;
  });
  return {
    kind: 'classification',
    classes: ['stay', 'churn'],
    labels,
    predictions,
    ...(withProbabilities ? { probabilities } : {}),
    model: 'churn',
    version,
    requestIds: right.map((_, i) => String(i)),
    rowIndexes: new Int32Array(right.length),
    predictedAt: new Float64Array(right.length),
    skipped: 0,
  };
}

describe('compareRows', () => {
  const good = classifier(
    2,
    Array.from({ length: 400 }, (_, i) => i % 10 !== 0),
  );
  const poor = classifier(
    1,
    Array.from({ length: 400 }, (_, i) => i % 3 === 0),
  );
  const alike = classifier(
    2,
    Array.from({ length: 400 }, (_, i) => i % 3 === 0),
  );

  it('uses the z-test for accuracy and signs the effect towards the challenger', () => {
    const better = compareRows('accuracy', poor, good, 0.05);
    expect(better.test).toBe('z-test');
    expect(better.effect).toBeCloseTo(0.9 - 134 / 400, 10);
    expect(better.pValue).toBeLessThan(1e-6);
    const worse = compareRows('accuracy', good, poor, 0.05);
    expect(worse.effect).toBeLessThan(0);
    expect(compareRows('accuracy', poor, alike, 0.05).pValue).toBe(1);
  });

  it('uses Welch on per-row losses for log loss (lower is better)', () => {
    const result = compareRows('logLoss', poor, good, 0.05);
    expect(result.test).toBe('welch');
    expect(result.challenger).toBeLessThan(result.champion);
    expect(result.effect).toBeGreaterThan(0);
    expect(result.pValue).toBeLessThan(1e-6);
  });

  it('bootstraps F1 and AUC deterministically, with an interval at level 1 - alpha', () => {
    const first = compareRows('f1', poor, good, 0.05);
    const again = compareRows('f1', poor, good, 0.05);
    expect(first.test).toBe('bootstrap');
    expect(again).toEqual(first);
    expect(first.ci![0]).toBeGreaterThan(0);
    expect(first.ci![0]).toBeLessThanOrEqual(first.effect);
    expect(first.ci![1]).toBeGreaterThanOrEqual(first.effect);
    expect(first.pValue).toBeLessThan(0.01);
    const auc = compareRows('auc', good, poor, 0.05);
    expect(auc.effect).toBeLessThan(0);
    expect(auc.ci![1]).toBeLessThan(0);
    const same = compareRows('f1', poor, alike, 0.05);
    expect(same.pValue).toBeGreaterThan(0.05);
  });
});
