/** compareTables end to end on seeded synthetic tables: default tests, options, verdicts, histograms. */

import { describe, expect, it } from 'vitest';
import { InvalidError } from '../../src/core/errors.js';
import { seededRandom } from '../../src/core/seeded-random.js';
import {
  type CompareOptions,
  compareTables,
  type DriftColumn,
  type DriftTable,
  OTHER_BUCKET,
} from '../../src/monitoring/index.js';

function normals(rand: () => number, n: number, mean = 0, std = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - rand();
    const v = rand();
    out[i] = mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return out;
}

function categories(rand: () => number, n: number, labels: string[], weights: number[]): string[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let u = rand() * total;
    let k = 0;
    while (k < weights.length - 1 && u >= weights[k]!) u -= weights[k++]!;
    out.push(labels[k]!);
  }
  return out;
}

const num = (values: Float64Array): DriftColumn => ({ kind: 'numeric', values });
const cat = (values: (string | null)[]): DriftColumn => ({ kind: 'categorical', values });
const table = (columns: Record<string, DriftColumn>): DriftTable => ({ columns });

const ABCD = ['a', 'b', 'c', 'd'];

/** Reference and current tables; `shift` names the columns whose current distribution moves. */
function tables(seed: number, n: number, shift: readonly string[] = []): [DriftTable, DriftTable] {
  const rand = seededRandom(seed);
  const side = (shifted: boolean, name: string) => shifted && shift.includes(name);
  const make = (cur: boolean) =>
    table({
      x: num(normals(rand, n, side(cur, 'x') ? 1 : 0)),
      y: num(normals(rand, n, side(cur, 'y') ? 10 + 2 : 10, 2)),
      c: cat(categories(rand, n, ABCD, side(cur, 'c') ? [1, 2, 3, 4] : [4, 3, 2, 1])),
      b: cat(categories(rand, n, ['yes', 'no'], side(cur, 'b') ? [1, 1] : [3, 1])),
    });
  return [make(false), make(true)];
}

function invalidField(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidError);
    return String((e as InvalidError).details.field);
  }
  throw new Error('expected an InvalidError');
}

describe('compareTables: default tests', () => {
  it('finds no drift between two samples of one distribution (small and large)', () => {
    for (const n of [500, 5000]) {
      const [ref, cur] = tables(7, n);
      const report = compareTables(ref, cur);
      expect(report.columns.map((c) => [c.column, c.drifted])).toEqual(
        expect.arrayContaining([
          ['x', false],
          ['y', false],
          ['c', false],
          ['b', false],
        ]),
      );
      const chosen = Object.fromEntries(report.columns.map((c) => [c.column, c.test]));
      expect(chosen).toEqual(
        n <= 1000
          ? { x: 'ks', y: 'ks', c: 'chi2', b: 'ztest' }
          : { x: 'wasserstein', y: 'wasserstein', c: 'js', b: 'js' },
      );
      expect(report.driftedColumns).toBe(0);
      expect(report.totalColumns).toBe(4);
      expect(report.share).toBe(0);
      expect(report.datasetDrift).toBe(false);
      expect(report.skipped).toEqual([]);
    }
  });

  it('uses KS up to 1,000 reference rows and normalised Wasserstein above, and sees a 1-std shift', () => {
    const [ref, cur] = tables(11, 800, ['x']);
    const small = compareTables(ref, cur).columns.find((c) => c.column === 'x')!;
    expect(small.test).toBe('ks');
    expect(small.drifted).toBe(true);
    expect(small.pvalue).toBeLessThan(1e-6);
    expect(small.threshold).toBe(0.05);
    expect(small.distance).toBeUndefined();

    const [bigRef, bigCur] = tables(11, 5000, ['x']);
    const big = compareTables(bigRef, bigCur).columns.find((c) => c.column === 'x')!;
    expect(big.test).toBe('wasserstein');
    expect(big.drifted).toBe(true);
    expect(big.distance).toBeGreaterThan(0.9);
    expect(big.distance).toBeLessThan(1.1);
    expect(big.threshold).toBe(0.1);
    expect(big.pvalue).toBeUndefined();
  });

  it('uses chi-squared (small) and Jensen–Shannon (large) on a categorical column whose frequencies change', () => {
    const [ref, cur] = tables(3, 600, ['c']);
    const small = compareTables(ref, cur).columns.find((c) => c.column === 'c')!;
    expect(small.test).toBe('chi2');
    expect(small.drifted).toBe(true);
    expect(small.pvalue).toBeLessThan(1e-6);

    const [bigRef, bigCur] = tables(3, 5000, ['c']);
    const big = compareTables(bigRef, bigCur).columns.find((c) => c.column === 'c')!;
    expect(big.test).toBe('js');
    expect(big.drifted).toBe(true);
    expect(big.distance).toBeGreaterThanOrEqual(0.1);
  });

  it('uses the z-test for a two-category column on a small reference', () => {
    const [ref, cur] = tables(5, 700, ['b']);
    const b = compareTables(ref, cur).columns.find((c) => c.column === 'b')!;
    expect(b.test).toBe('ztest');
    expect(b.drifted).toBe(true);
    expect(Math.abs(b.statistic)).toBeGreaterThan(5);
  });

  it('treats a numeric column with at most 5 distinct reference values as categorical', () => {
    const rand = seededRandom(9);
    const ints = (n: number) => Float64Array.from({ length: n }, () => Math.floor(rand() * 4));
    const r = compareTables(table({ k: num(ints(300)) }), table({ k: num(ints(300)) }));
    expect(r.columns[0]!.test).toBe('chi2');
    expect(r.columns[0]!.histogram.edges).toHaveLength(11);
  });
});

describe('compareTables: dataset verdict and ordering', () => {
  it('declares dataset drift when at least half the columns drift, and not otherwise', () => {
    const [ref2, cur2] = tables(21, 500, ['x', 'c']);
    const two = compareTables(ref2, cur2);
    expect(two.driftedColumns).toBe(2);
    expect(two.share).toBe(0.5);
    expect(two.datasetDrift).toBe(true);
    expect(
      two.columns
        .slice(0, 2)
        .map((c) => c.column)
        .sort(),
    ).toEqual(['c', 'x']);
    expect(two.columns.slice(2).every((c) => !c.drifted)).toBe(true);

    const [ref1, cur1] = tables(21, 500, ['x']);
    const one = compareTables(ref1, cur1);
    expect(one.driftedColumns).toBe(1);
    expect(one.datasetDrift).toBe(false);
    expect(compareTables(ref1, cur1, { driftShare: 0.25 }).datasetDrift).toBe(true);
  });

  it('sorts drifted columns by strength', () => {
    const rand = seededRandom(4);
    const ref = table({ small: num(normals(rand, 500)), big: num(normals(rand, 500)) });
    const cur = table({ small: num(normals(rand, 500, 0.5)), big: num(normals(rand, 500, 2)) });
    const r = compareTables(ref, cur);
    expect(r.columns.map((c) => c.column)).toEqual(['big', 'small']);
    expect(r.columns[0]!.strength).toBeGreaterThan(r.columns[1]!.strength);
  });
});

describe('compareTables: options', () => {
  it('computes exactly the requested tests where they apply', () => {
    const [ref, cur] = tables(8, 500, ['x']);
    const r = compareTables(ref, cur, { tests: ['psi', 'ks'] });
    const x = r.columns.find((c) => c.column === 'x')!;
    expect(x.tests.map((t) => t.test)).toEqual(['psi', 'ks']);
    expect(x.tests[0]!.distance).toBeGreaterThan(0.2);
    expect(x.tests[1]!.pvalue).toBeLessThan(0.05);
    const c = r.columns.find((col) => col.column === 'c')!;
    expect(c.tests.map((t) => t.test)).toEqual(['psi']);

    const onlyKs = compareTables(ref, cur, { tests: ['ks'] });
    expect(onlyKs.columns.map((col) => col.column).sort()).toEqual(['x', 'y']);
    expect(onlyKs.skipped.map((s) => s.column).sort()).toEqual(['b', 'c']);
    expect(onlyKs.skipped[0]!.reason).toMatch(/none of the requested tests/);
  });

  it('applies per-column overrides of test and threshold', () => {
    const [ref, cur] = tables(8, 500, ['x']);
    const r = compareTables(ref, cur, {
      overrides: { x: { test: 'psi' }, y: { test: 'wasserstein', threshold: 1e-9 } },
    });
    const x = r.columns.find((c) => c.column === 'x')!;
    expect([x.test, x.threshold, x.drifted]).toEqual(['psi', 0.2, true]);
    const y = r.columns.find((c) => c.column === 'y')!;
    expect([y.test, y.threshold, y.drifted]).toEqual(['wasserstein', 1e-9, true]);
    expect(y.tests).toHaveLength(1);
  });

  it('adjusts p-values across columns with Bonferroni', () => {
    const [ref, cur] = tables(8, 500, ['x']);
    const plain = compareTables(ref, cur);
    const adjusted = compareTables(ref, cur, { correction: 'bonferroni' });
    for (const col of adjusted.columns) {
      const before = plain.columns.find((c) => c.column === col.column)!;
      expect(col.pvalue).toBe(before.pvalue);
      expect(col.adjustedPvalue).toBeCloseTo(Math.min(1, before.pvalue! * 4), 12);
    }
    expect(plain.columns[0]!.adjustedPvalue).toBeUndefined();
  });

  it('adjusts p-values with Benjamini–Hochberg and decides drift on the adjusted value', () => {
    const [ref, cur] = tables(8, 500, ['x']);
    const r = compareTables(ref, cur, { correction: 'bh', overrides: { y: { test: 'psi' } } });
    const withP = r.columns.filter((c) => c.pvalue !== undefined);
    expect(withP.map((c) => c.column).sort()).toEqual(['b', 'c', 'x']);
    const sorted = withP.map((c) => c.pvalue!).sort((a, b) => a - b);
    const smallest = withP.find((c) => c.pvalue === sorted[0])!;
    expect(smallest.adjustedPvalue).toBeCloseTo(Math.min(sorted[0]! * 3, sorted[1]! * 1.5, sorted[2]!), 12);
    for (const c of withP) expect(c.drifted).toBe(c.adjustedPvalue! < 0.05);
    expect(r.columns.find((c) => c.column === 'y')!.adjustedPvalue).toBeUndefined();
  });

  it('restricts to the requested columns and skips one present on only one side', () => {
    const [ref, cur] = tables(8, 200);
    const extra = table({ ...cur.columns, z: num(new Float64Array([1, 2, 3])) });
    const r = compareTables(ref, extra, { columns: ['x', 'z'] });
    expect(r.columns.map((c) => c.column)).toEqual(['x']);
    expect(r.skipped).toEqual([{ column: 'z', reason: 'only in the current table' }]);
    expect(compareTables(ref, extra).skipped).toEqual([{ column: 'z', reason: 'only in the current table' }]);
  });
});

describe('compareTables: missing values and histograms', () => {
  it('excludes and counts missing values, and skips all-missing columns', () => {
    const x = Float64Array.from([1, Number.NaN, 2, 3, 4, 5, 6, 7, 8, Number.NaN]);
    const ref = table({ x: num(x), c: cat(['a', null, 'b', 'a']), gone: num(new Float64Array([1, 2])) });
    const cur = table({
      x: num(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8])),
      c: cat([null, null, 'a', 'b']),
      gone: num(Float64Array.from([Number.NaN, Number.NaN])),
    });
    const r = compareTables(ref, cur);
    const xr = r.columns.find((c) => c.column === 'x')!;
    expect(xr.referenceRows).toBe(10);
    expect(xr.nullShare).toEqual({ reference: 0.2, current: 0 });
    expect(xr.histogram.reference.reduce((a, b) => a + b, 0)).toBe(8);
    const cr = r.columns.find((c) => c.column === 'c')!;
    expect(cr.nullShare).toEqual({ reference: 0.25, current: 0.5 });
    expect(cr.histogram).toEqual({ categories: ['a', 'b'], reference: [2, 1], current: [1, 1] });
    expect(r.skipped).toEqual([{ column: 'gone', reason: 'no non-missing values in the current table' }]);
  });

  it('bins both numeric sides on the same edges over the pooled range', () => {
    const [ref, cur] = tables(2, 400, ['x']);
    const x = compareTables(ref, cur, { bins: 7 }).columns.find((c) => c.column === 'x')!;
    const edges = x.histogram.edges!;
    expect(edges).toHaveLength(8);
    expect(x.histogram.reference).toHaveLength(7);
    expect(x.histogram.current).toHaveLength(7);
    const all = [...(ref.columns.x!.values as Float64Array), ...(cur.columns.x!.values as Float64Array)];
    expect(edges[0]).toBe(Math.min(...all));
    expect(edges[7]).toBe(Math.max(...all));
    expect(x.histogram.reference.reduce((a, b) => a + b, 0)).toBe(400);
    expect(x.histogram.current.reduce((a, b) => a + b, 0)).toBe(400);
  });

  it('keeps the 20 most frequent reference categories and gathers the rest', () => {
    const labels = Array.from({ length: 25 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    const values = labels.flatMap((l, i) => Array<string>(25 - i).fill(l));
    const r = compareTables(table({ c: cat(values) }), table({ c: cat(values) }));
    const h = r.columns[0]!.histogram;
    expect(h.categories).toEqual([...labels.slice(0, 20), OTHER_BUCKET]);
    expect(h.reference.at(-1)).toBe(5 + 4 + 3 + 2 + 1);
    expect(h.current).toEqual(h.reference);
    expect(r.columns[0]!.drifted).toBe(false);
  });
});

describe('compareTables: bad input', () => {
  const [ref, cur] = tables(1, 50);
  const bad: [string, CompareOptions][] = [
    ['columns', { columns: ['nope'] }],
    ['tests', { tests: ['bogus' as 'ks'] }],
    ['tests', { tests: [] }],
    ['driftShare', { driftShare: 0 }],
    ['driftShare', { driftShare: 1.5 }],
    ['bins', { bins: 0 }],
    ['bins', { bins: 2.5 }],
    ['correction', { correction: 'holm' as 'bh' }],
    ['overrides.nope', { overrides: { nope: { test: 'ks' } } }],
    ['overrides.c.test', { overrides: { c: { test: 'ks' } } }],
    ['overrides.x.test', { overrides: { x: { test: 'ztest' } } }],
    ['overrides.x.threshold', { overrides: { x: { test: 'ks', threshold: 1.5 } } }],
    ['overrides.x.threshold', { overrides: { x: { test: 'psi', threshold: -1 } } }],
    ['overrides.c.threshold', { overrides: { c: { test: 'js', threshold: 2 } } }],
    ['overrides.x.test', { overrides: { x: { test: 'mmd' as 'ks' } } }],
    ['tests', { columns: ['c', 'b'], tests: ['mmd'] }],
  ];
  it.each(bad)('rejects a bad %s', (field, options) => {
    expect(invalidField(() => compareTables(ref, cur, options))).toBe(field);
  });

  it('rejects malformed tables and infinite values, naming the column', () => {
    expect(invalidField(() => compareTables({} as DriftTable, cur))).toBe('reference');
    expect(
      invalidField(() => compareTables(table({ x: { kind: 'numeric', values: [1] } as never }), cur)),
    ).toBe('reference.columns.x');
    const inf = table({ x: num(Float64Array.from([1, Number.POSITIVE_INFINITY])) });
    expect(invalidField(() => compareTables(ref, inf, { columns: ['x'] }))).toBe('current.columns.x');
  });
});

describe('compareTables: multivariate MMD', () => {
  it('finds no multivariate drift between two samples of one distribution', () => {
    const [ref, cur] = tables(7, 400);
    const r = compareTables(ref, cur, { tests: ['mmd'] });
    expect(r.multivariate).toMatchObject({
      test: 'mmd',
      threshold: 0.05,
      drifted: false,
      columns: ['x', 'y'],
    });
    expect(r.multivariate!.pvalue).toBeGreaterThanOrEqual(0.05);
    expect(r.multivariate!.statistic).toBeGreaterThanOrEqual(0);
    expect(r.datasetDrift).toBe(false);
    // mmd alone: no per-column test; the categorical columns are listed as skipped.
    expect(r.columns).toEqual([]);
    expect(r.skipped.map((s) => s.column).sort()).toEqual(['b', 'c']);
    expect(r.skipped[0]!.reason).toMatch(/mmd uses numeric columns only/);
  });

  it('finds a shift, and its drift alone makes the dataset drift', () => {
    const [ref, cur] = tables(21, 400, ['x']);
    const r = compareTables(ref, cur, { tests: ['ks', 'chi2', 'mmd'] });
    expect(r.multivariate!.drifted).toBe(true);
    expect(r.multivariate!.pvalue).toBeLessThan(0.01);
    expect(r.multivariate!.columns).toEqual(['x', 'y']);
    expect(r.driftedColumns).toBe(1);
    expect(r.share).toBe(0.25);
    expect(r.datasetDrift).toBe(true);
    // Without mmd the same tables do not reach the drift share.
    expect(compareTables(ref, cur, { tests: ['ks', 'chi2'] }).datasetDrift).toBe(false);
    expect(compareTables(ref, cur).multivariate).toBeUndefined();
  });

  it('standardises each column by the reference, so a large-unit column does not hide a shift', () => {
    const rand = seededRandom(5);
    const big = (n: number) => normals(rand, n, 0, 1e6);
    const ref = table({ x: num(normals(rand, 300)), big: num(big(300)) });
    const cur = table({ x: num(normals(rand, 300, 0.6)), big: num(big(300)) });
    const r = compareTables(ref, cur, { tests: ['mmd'] });
    expect(r.multivariate!.drifted).toBe(true);
    expect(r.multivariate!.columns).toEqual(['x', 'big']);
  });

  it('drops rows with a missing value in any numeric column and is deterministic for a seed', () => {
    const [ref, cur] = tables(3, 200, ['y']);
    const x = Float64Array.from(ref.columns.x!.values as Float64Array);
    x[0] = Number.NaN;
    x[5] = Number.NaN;
    const withGaps = table({ ...ref.columns, x: num(x) });
    const r = compareTables(withGaps, cur, { tests: ['mmd'], mmd: { seed: 3, permutations: 50 } });
    expect(r.multivariate).toMatchObject({ referenceRows: 198, currentRows: 200, drifted: true });
    const again = compareTables(withGaps, cur, { tests: ['mmd'], mmd: { seed: 3, permutations: 50 } });
    expect(again.multivariate).toEqual(r.multivariate);
  });

  it('refuses mmd as a per-column override, saying how to request it', () => {
    const [ref, cur] = tables(1, 50);
    expect(() => compareTables(ref, cur, { overrides: { x: { test: 'mmd' as 'ks' } } })).toThrow(
      /multivariate.*request it in tests/,
    );
  });
});
