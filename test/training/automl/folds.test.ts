/** Holdout and k-fold splits: partitions of the rows, class proportions kept, deterministic per seed. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { holdoutSplit, kFolds } from '../../../src/training/automl/folds.js';
import type { Target } from '../../../src/training/table.js';
import { takeRows, takeTarget } from '../../../src/training/table.js';

function classification(counts: readonly number[]): Extract<Target, { kind: 'classification' }> {
  const labels = Int32Array.from(counts.flatMap((count, c) => new Array<number>(count).fill(c)));
  return { kind: 'classification', classes: counts.map((_, c) => `c${c}`), labels };
}

describe('kFolds', () => {
  it('stratified folds partition the rows and keep each class share to within one row', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 5, max: 60 }), { minLength: 2, maxLength: 4 }),
        fc.integer({ min: 2, max: 5 }),
        fc.nat(),
        (counts, k, seed) => {
          const target = classification(counts);
          const folds = kFolds(target, k, seed);
          const rows = counts.reduce((a, b) => a + b, 0);
          const seen = new Array<number>(rows).fill(0);
          for (const fold of folds) {
            for (const row of fold.validation) seen[row]!++;
            expect(fold.train.length + fold.validation.length).toBe(rows);
            const inFold = new Set(fold.validation);
            expect([...fold.train].some((row) => inFold.has(row))).toBe(false);
            counts.forEach((count, c) => {
              const share = [...fold.validation].filter((row) => target.labels[row] === c).length;
              expect(Math.abs(share - count / k)).toBeLessThan(1);
            });
          }
          expect(seen.every((times) => times === 1)).toBe(true);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('shuffles regression rows into folds of equal size, the same for the same seed', () => {
    const target: Target = { kind: 'regression', values: Float64Array.from({ length: 23 }, (_, i) => i) };
    const folds = kFolds(target, 5, 7);
    expect(folds.map((fold) => fold.validation.length)).toEqual([5, 5, 5, 4, 4]);
    expect(kFolds(target, 5, 7)).toEqual(folds);
    expect(kFolds(target, 5, 8)).not.toEqual(folds);
  });
});

describe('holdoutSplit', () => {
  it('holds out the fraction of each class, deterministically', () => {
    const target = classification([50, 30, 20]);
    const split = holdoutSplit(target, 0.2, 3);
    const held = [...split.holdout].map((row) => target.labels[row]);
    expect([0, 1, 2].map((c) => held.filter((label) => label === c).length)).toEqual([10, 6, 4]);
    expect(split.train.length + split.holdout.length).toBe(100);
    expect(holdoutSplit(target, 0.2, 3)).toEqual(split);
  });

  it('subsets tables and targets by row indices', () => {
    const table = {
      rows: 3,
      features: [
        { kind: 'numeric' as const, name: 'x', values: Float64Array.of(1, Number.NaN, 3) },
        { kind: 'categorical' as const, name: 'c', values: ['a', null, 'b'] },
      ],
    };
    const rows = Uint32Array.of(2, 1);
    expect(takeRows(table, rows).features.map((feature) => [...feature.values])).toEqual([
      [3, Number.NaN],
      ['b', null],
    ]);
    expect(takeTarget(classification([1, 2]), rows)).toMatchObject({ labels: Int32Array.of(1, 1) });
  });
});
