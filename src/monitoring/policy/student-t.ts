/**
 * Student's t distribution for the Welch test: the regularised incomplete beta function I_x(a, b)
 * (Lentz's continued fraction, as Numerical Recipes' betacf), the t survival function built on it,
 * and Welch's unequal-variance t-test. Pure. Checked against SciPy in test/monitoring/policy-stats.test.ts.
 */
import { logGamma } from '../stats/index.js';

const EPS = 1e-15;
const TINY = 1e-300;
const MAX_ITER = 10_000;

function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITER; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** Regularised incomplete beta I_x(a, b), as `scipy.special.betainc(a, b, x)`. */
export function betainc(a: number, b: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(b) || Number.isNaN(x) || !(a > 0) || !(b > 0) || x < 0 || x > 1)
    return Number.NaN;
  if (x === 0) return 0;
  if (x === 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T > t) for Student's t with `df` degrees of freedom, as `scipy.stats.t.sf(t, df)`. */
export function studentTSf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (t === Number.POSITIVE_INFINITY) return 0;
  if (t === Number.NEGATIVE_INFINITY) return 1;
  const tail = 0.5 * betainc(df / 2, 0.5, df / (df + t * t));
  return t > 0 ? tail : 1 - tail;
}

export interface WelchResult {
  readonly statistic: number;
  readonly df: number;
  /** Two-sided. */
  readonly pvalue: number;
  readonly mean1: number;
  readonly mean2: number;
}

function meanVariance(values: ArrayLike<number>): { mean: number; variance: number } {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]!;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    ss += d * d;
  }
  return { mean, variance: n > 1 ? ss / (n - 1) : Number.NaN };
}

/**
 * Welch's t-test of mean(sample1) − mean(sample2), as `scipy.stats.ttest_ind(a, b, equal_var=False)`.
 * Each sample needs at least 2 values (else NaN). With no variance in either sample the means are
 * either equal (p = 1) or surely different (p = 0).
 */
export function welchTTest(sample1: ArrayLike<number>, sample2: ArrayLike<number>): WelchResult {
  const n1 = sample1.length;
  const n2 = sample2.length;
  const a = meanVariance(sample1);
  const b = meanVariance(sample2);
  if (n1 < 2 || n2 < 2)
    return { statistic: Number.NaN, df: Number.NaN, pvalue: Number.NaN, mean1: a.mean, mean2: b.mean };
  const s1 = a.variance / n1;
  const s2 = b.variance / n2;
  const se2 = s1 + s2;
  if (se2 === 0) {
    const same = a.mean === b.mean;
    return {
      statistic: same ? 0 : (a.mean - b.mean) * Number.POSITIVE_INFINITY,
      df: n1 + n2 - 2,
      pvalue: same ? 1 : 0,
      mean1: a.mean,
      mean2: b.mean,
    };
  }
  const statistic = (a.mean - b.mean) / Math.sqrt(se2);
  const df = (se2 * se2) / ((s1 * s1) / (n1 - 1) + (s2 * s2) / (n2 - 1));
  return {
    statistic,
    df,
    pvalue: Math.min(1, 2 * studentTSf(Math.abs(statistic), df)),
    mean1: a.mean,
    mean2: b.mean,
  };
}
