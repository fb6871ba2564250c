/** The PSI arithmetic behind dataset diffs and distribution expectations (a pure function). */
import { describe, expect, it } from 'vitest';
import { populationStability } from '../../src/data/diff-psi.js';
import { PSI_EPSILON } from '../../src/data/diff-sql.js';

const bins = (entries: readonly [string | null, number][]) => new Map(entries);

describe('populationStability', () => {
  it('is 0 for the same shares, whatever the row counts', () => {
    const from = bins([
      ['0', 10],
      ['1', 30],
      [null, 60],
    ]);
    const to = bins([
      ['0', 100],
      ['1', 300],
      [null, 600],
    ]);
    expect(populationStability(from, to)).toEqual({ psi: 0, bins: 3 });
  });

  it('sums (pTo - pFrom) * ln(pTo / pFrom) over the bins', () => {
    const { psi, bins: used } = populationStability(
      bins([
        ['a', 50],
        ['b', 50],
      ]),
      bins([
        ['a', 80],
        ['b', 20],
      ]),
    );
    expect(used).toBe(2);
    expect(psi).toBeCloseTo((0.8 - 0.5) * Math.log(0.8 / 0.5) + (0.2 - 0.5) * Math.log(0.2 / 0.5), 12);
  });

  it('counts a bin empty on one side as a share of epsilon, and skips bins empty on both', () => {
    const { psi, bins: used } = populationStability(
      bins([
        ['a', 10],
        ['gone', 0],
      ]),
      bins([
        ['a', 5],
        ['new', 5],
      ]),
    );
    expect(used).toBe(2);
    const expected = (0.5 - 1) * Math.log(0.5 / 1) + (0.5 - PSI_EPSILON) * Math.log(0.5 / PSI_EPSILON);
    expect(psi).toBeCloseTo(expected, 12);
  });

  it('is symmetric in its two arguments', () => {
    const a = bins([
      ['x', 3],
      ['y', 7],
    ]);
    const b = bins([
      ['x', 6],
      ['y', 4],
      [null, 2],
    ]);
    expect(populationStability(a, b).psi).toBeCloseTo(populationStability(b, a).psi, 12);
  });
});
