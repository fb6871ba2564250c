/**
 * Discrete tests, MMD, corrections and special functions against SciPy/numpy reference values in
 * reference/discrete.json (regenerate with reference/generate_discrete.py). Tolerances: statistics
 * 1e-9 relative, p-values 1e-6 relative or 1e-300 absolute, special functions tighter.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidError } from '../../src/core/errors.js';
import {
  chi2Contingency,
  chi2TwoSample,
  chiSquareGoodnessOfFit,
} from '../../src/monitoring/stats/chi-squared.js';
import { benjaminiHochberg, bonferroni, rejects } from '../../src/monitoring/stats/corrections.js';
import { mmdRbf } from '../../src/monitoring/stats/mmd.js';
import { twoProportionZTest } from '../../src/monitoring/stats/proportions.js';
import {
  chi2Sf,
  erf,
  erfc,
  gammainc,
  gammaincc,
  logGamma,
  normalSf,
} from '../../src/monitoring/stats/special.js';

interface Reference {
  contingency: {
    table: number[][];
    correction: boolean;
    statistic: number;
    pvalue: number;
    dof: number;
    expected: number[][];
  }[];
  contingencyRaises: number[][][];
  twoSample: { reference: number[]; current: number[]; statistic: number; pvalue: number; dof: number }[];
  goodnessOfFit: { observed: number[]; expected: number[] | null; statistic: number; pvalue: number }[];
  goodnessOfFitRaises: { observed: number[]; expected: number[] }[];
  ztest: { s1: number; n1: number; s2: number; n2: number; statistic: number; pvalue: number }[];
  corrections: { pvalues: number[]; bonferroni: number[]; bh: number[] }[];
  special: {
    gamma: { a: number; x: number; q: number; p: number }[];
    chi2: { x: number; dof: number; sf: number }[];
    erfc: { x: number; erfc: number }[];
    erf: { x: number; erf: number }[];
    normal: { z: number; sf: number }[];
    lgamma: { a: number; lgamma: number }[];
  };
  mmd: { name: string; reference: number[][]; current: number[][]; statistic: number; bandwidth: number }[];
}

const ref = JSON.parse(
  readFileSync(new URL('./reference/discrete.json', import.meta.url), 'utf8'),
) as Reference;

/** |actual − expected| ≤ rel·|expected|, or ≤ abs when expected is tiny. */
function close(actual: number, expected: number, rel: number, abs = 0): boolean {
  if (actual === expected) return true;
  return Math.abs(actual - expected) <= Math.max(rel * Math.abs(expected), abs);
}

function expectClose(actual: number, expected: number, rel: number, abs: number, what: string): void {
  if (!close(actual, expected, rel, abs)) {
    throw new Error(`${what}: got ${actual}, expected ${expected} (rel ${rel}, abs ${abs})`);
  }
}

const STAT_REL = 1e-9;
const P_REL = 1e-6;
const P_ABS = 1e-300;

describe('special functions vs scipy.special', () => {
  it('erfc from −5 to 38', () => {
    for (const c of ref.special.erfc) expectClose(erfc(c.x), c.erfc, 1e-14, 1e-307, `erfc(${c.x})`);
  });
  it('erf, including tiny arguments', () => {
    for (const c of ref.special.erf) expectClose(erf(c.x), c.erf, 1e-15, 0, `erf(${c.x})`);
  });
  it('normal survival function', () => {
    for (const c of ref.special.normal) expectClose(normalSf(c.z), c.sf, 1e-13, 1e-307, `normalSf(${c.z})`);
  });
  it('log-gamma', () => {
    for (const c of ref.special.lgamma)
      expectClose(logGamma(c.a), c.lgamma, 1e-14, 1e-15, `logGamma(${c.a})`);
  });
  it('regularised incomplete gamma P and Q', () => {
    for (const c of ref.special.gamma) {
      expectClose(gammaincc(c.a, c.x), c.q, 1e-12, 1e-307, `gammaincc(${c.a}, ${c.x})`);
      expectClose(gammainc(c.a, c.x), c.p, 1e-12, 1e-307, `gammainc(${c.a}, ${c.x})`);
    }
  });
  it('chi-squared survival function', () => {
    for (const c of ref.special.chi2)
      expectClose(chi2Sf(c.x, c.dof), c.sf, 1e-12, 1e-307, `chi2Sf(${c.x}, ${c.dof})`);
  });
  it('edge values', () => {
    expect(erfc(0)).toBe(1);
    expect(erfc(Number.POSITIVE_INFINITY)).toBe(0);
    expect(erfc(Number.NEGATIVE_INFINITY)).toBe(2);
    expect(normalSf(0)).toBe(0.5);
    expect(gammaincc(2, 0)).toBe(1);
    expect(gammainc(2, Number.POSITIVE_INFINITY)).toBe(1);
    expect(chi2Sf(0, 3)).toBe(1);
    expect(Number.isNaN(gammaincc(-1, 1))).toBe(true);
  });
});

describe('chi2Contingency vs scipy.stats.chi2_contingency', () => {
  it.each(ref.contingency.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    const r = chi2Contingency(c.table, { correction: c.correction });
    expect(r.dof).toBe(c.dof);
    expectClose(r.statistic, c.statistic, STAT_REL, 1e-12, 'statistic');
    expectClose(r.pvalue, c.pvalue, P_REL, P_ABS, 'pvalue');
    for (let i = 0; i < c.expected.length; i++) {
      for (let j = 0; j < c.expected[i]!.length; j++) {
        expectClose(r.expected[i]![j]!, c.expected[i]![j]!, 1e-12, 0, `expected[${i}][${j}]`);
      }
    }
  });
  it('throws naming the empty row or column where SciPy raises', () => {
    const [emptyRow, emptyColumn] = ref.contingencyRaises;
    expect(() => chi2Contingency(emptyRow!)).toThrow(/row 0 is empty/);
    expect(() => chi2Contingency(emptyColumn!)).toThrow(/column 1 is empty/);
    expect(() => chi2Contingency(emptyColumn!)).toThrow(InvalidError);
  });
  it('rejects negative counts and ragged tables', () => {
    expect(() =>
      chi2Contingency([
        [1, -1],
        [2, 3],
      ]),
    ).toThrow(/cell \[0\]\[1\]/);
    expect(() => chi2Contingency([[1, 2], [3]])).toThrow(/row 1 has 1 cells/);
  });
});

describe('chi2TwoSample', () => {
  it.each(ref.twoSample.map((c, i) => [i, c] as const))('case %i drops categories empty in both', (_i, c) => {
    const r = chi2TwoSample(c.reference, c.current);
    expect(r.dof).toBe(c.dof);
    expectClose(r.statistic, c.statistic, STAT_REL, 1e-12, 'statistic');
    expectClose(r.pvalue, c.pvalue, P_REL, P_ABS, 'pvalue');
  });
  it('is degenerate with a single non-empty category', () => {
    expect(chi2TwoSample([0, 5, 0], [0, 7, 0])).toMatchObject({ statistic: 0, pvalue: 1, dof: 0 });
  });
});

describe('chiSquareGoodnessOfFit vs scipy.stats.chisquare', () => {
  it.each(ref.goodnessOfFit.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    const r = chiSquareGoodnessOfFit(c.observed, c.expected ?? undefined);
    expect(r.dof).toBe(c.observed.length - 1);
    expectClose(r.statistic, c.statistic, STAT_REL, 1e-12, 'statistic');
    expectClose(r.pvalue, c.pvalue, P_REL, P_ABS, 'pvalue');
  });
  it('requires the sums to agree, as SciPy does', () => {
    for (const c of ref.goodnessOfFitRaises) {
      expect(() => chiSquareGoodnessOfFit(c.observed, c.expected)).toThrow(/sums must agree/);
    }
  });
});

describe('twoProportionZTest vs the pooled formula (statsmodels proportions_ztest)', () => {
  it.each(ref.ztest.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    const r = twoProportionZTest(c.s1, c.n1, c.s2, c.n2);
    expectClose(r.statistic, c.statistic, STAT_REL, 1e-12, 'statistic');
    expectClose(r.pvalue, c.pvalue, P_REL, P_ABS, 'pvalue');
  });
  it('returns z = 0, p = 1 when every trial agrees (statsmodels gives NaN)', () => {
    expect(twoProportionZTest(0, 10, 0, 20)).toEqual({ statistic: 0, pvalue: 1 });
    expect(twoProportionZTest(10, 10, 20, 20)).toEqual({ statistic: 0, pvalue: 1 });
  });
  it('validates counts', () => {
    expect(() => twoProportionZTest(11, 10, 1, 10)).toThrow(/sample1/);
    expect(() => twoProportionZTest(1, 10, 1, 0)).toThrow(/sample2/);
  });
});

describe('multiple-testing corrections', () => {
  it.each(ref.corrections.map((c, i) => [i, c] as const))(
    'case %i matches Bonferroni and SciPy BH',
    (_i, c) => {
      const b = bonferroni(c.pvalues);
      const bh = benjaminiHochberg(c.pvalues);
      for (let i = 0; i < c.pvalues.length; i++) {
        expectClose(b[i]!, c.bonferroni[i]!, 1e-15, 0, `bonferroni[${i}]`);
        expectClose(bh[i]!, c.bh[i]!, 1e-15, 0, `bh[${i}]`);
      }
    },
  );
  it('rejects where adjusted p ≤ alpha', () => {
    expect(rejects([0.01, 0.05, 0.2], 0.05)).toEqual([true, true, false]);
    expect(() => rejects([0.1], 0)).toThrow(/alpha/);
    expect(() => bonferroni([0.1, 1.5])).toThrow(/p-value 1/);
  });
  it('handles an empty list', () => {
    expect(benjaminiHochberg([]).length).toBe(0);
  });
});

describe('mmdRbf', () => {
  it.each(ref.mmd.map((c) => [c.name, c] as const))('%s: statistic and bandwidth match numpy', (_n, c) => {
    const r = mmdRbf(c.reference, c.current, { permutations: 0 });
    expectClose(r.bandwidth, c.bandwidth, 1e-12, 0, 'bandwidth');
    expectClose(r.statistic, c.statistic, STAT_REL, 1e-14, 'statistic');
    expect(Number.isNaN(r.pvalue)).toBe(true);
  });

  it('accepts Float64Array rows and is deterministic for a seed', () => {
    const c = ref.mmd.find((m) => m.name === '3d-shift')!;
    const a = mmdRbf(
      c.reference.map((row) => Float64Array.from(row)),
      c.current,
      { permutations: 50, seed: 9 },
    );
    const b = mmdRbf(c.reference, c.current, { permutations: 50, seed: 9 });
    expect(a).toEqual(b);
  });

  it('gives the smallest possible p-value under a clear shift', () => {
    const c = ref.mmd.find((m) => m.name === '3d-shift')!;
    const r = mmdRbf(c.reference, c.current, { permutations: 200, seed: 1 });
    expect(r.pvalue).toBe(1 / 201);
  });

  it('gives roughly uniform p-values under the null', () => {
    // Two samples from one distribution, drawn by a local PRNG (Box–Muller) for many seeds.
    let state = 12345;
    const uniform = (): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return (state + 0.5) / 4294967296;
    };
    const normal = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    const sample = (rows: number): number[][] =>
      Array.from({ length: rows }, () => [normal(), normal(), normal()]);
    const pvalues: number[] = [];
    for (let s = 0; s < 40; s++) {
      pvalues.push(mmdRbf(sample(40), sample(40), { permutations: 99, seed: s }).pvalue);
    }
    const small = pvalues.filter((p) => p <= 0.05).length;
    const mean = pvalues.reduce((x, y) => x + y, 0) / pvalues.length;
    expect(small).toBeLessThanOrEqual(8); // expected 2 of 40
    expect(mean).toBeGreaterThan(0.3); // expected 0.5
    expect(mean).toBeLessThan(0.7);
  });

  it('subsamples each side to maxRows deterministically', () => {
    const c = ref.mmd.find((m) => m.name === '5d-null')!;
    const a = mmdRbf(c.reference, c.current, { maxRows: 50, permutations: 10, seed: 3 });
    const b = mmdRbf(c.reference, c.current, { maxRows: 50, permutations: 10, seed: 3 });
    expect(a).toEqual(b);
    expect(a.referenceRows).toBe(50);
    expect(a.currentRows).toBe(50);
    const full = mmdRbf(c.reference, c.current, { permutations: 0 });
    expect(full.referenceRows).toBe(200);
  });

  it('validates its inputs', () => {
    expect(() => mmdRbf([], [[1]])).toThrow(/reference sample is empty/);
    expect(() => mmdRbf([[1, 2]], [[1]])).toThrow(/current row 0 has 1 features/);
    expect(() => mmdRbf([[1]], [[Number.NaN]])).toThrow(/not a finite number/);
  });
});
