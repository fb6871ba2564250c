/**
 * Two-sample Kolmogorov–Smirnov test (two-sided), a port of SciPy 1.17's `ks_2samp` including its
 * method selection, its exact lattice-path p-values and its asymptotic p-value, which is the exact
 * one-sample Kolmogorov distribution `kstwo.sf(d, round(n1*n2/(n1+n2)))` (scipy/stats/_ksstats.py).
 */
import { InvalidError } from '../../core/errors.js';
import { kolmogorovSf } from './kolmogorov.js';
import { type Sample, sortedCopy } from './sorted.js';

export type KsMethod = 'auto' | 'exact' | 'asymp';

export interface KsOptions {
  /** As SciPy: 'auto' (default) is 'exact' when max(n1, n2) <= 10000, else 'asymp'. */
  readonly method?: KsMethod;
}

export interface KsResult {
  readonly statistic: number;
  readonly pvalue: number;
  /** The method actually used ('exact' falls back to 'asymp' as SciPy does). */
  readonly method: 'exact' | 'asymp';
}

const MAX_AUTO_N = 10000;
const INT32_MAX = 2147483647;

/**
 * `scipy.stats.ks_2samp(a, b, alternative='two-sided', method)`. Ties are handled as SciPy does
 * (ECDFs compared after each distinct value); -0 equals +0. NaN is rejected rather than propagated.
 * With the exact method the statistic is SciPy's `h / lcm(n1, n2)` rounding of the raw value.
 */
export function ks2samp(a: Sample, b: Sample, options: KsOptions = {}): KsResult {
  const x = sortedCopy(a, 'a');
  const y = sortedCopy(b, 'b');
  return ks2sampSorted(x, y, options);
}

/** {@link ks2samp} on inputs already sorted ascending (no copies, no validation). */
export function ks2sampSorted(x: Float64Array, y: Float64Array, options: KsOptions = {}): KsResult {
  const requested = options.method ?? 'auto';
  if (requested !== 'auto' && requested !== 'exact' && requested !== 'asymp') {
    throw new InvalidError(`method must be auto, exact or asymp, not ${String(requested)}`, {
      field: 'method',
    });
  }
  const n1 = x.length;
  const n2 = y.length;
  let d = ksStatisticSorted(x, y);
  const g = gcd(n1, n2);
  let method: 'exact' | 'asymp';
  if (requested === 'auto') method = Math.max(n1, n2) <= MAX_AUTO_N ? 'exact' : 'asymp';
  else if (requested === 'exact') method = n1 / g >= INT32_MAX / (n2 / g) ? 'asymp' : 'exact';
  else method = 'asymp';

  let prob = Number.NaN;
  if (method === 'exact') {
    const lcm = (n1 / g) * n2;
    const h = Math.round(d * lcm);
    d = h / lcm;
    prob = h === 0 ? 1 : n1 === n2 ? probOutsideSquare(n1, h) : outerProbInsideMethod(n1, n2, g, h);
    if (!(prob >= 0 && prob <= 1)) method = 'asymp';
  }
  if (method === 'asymp') {
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    prob = kolmogorovSf(roundHalfEven((m * n) / (m + n)), d);
  }
  return { statistic: d, pvalue: Math.min(1, Math.max(0, prob)), method };
}

/** sup |F1 - F2| over the pooled sample, computed exactly as SciPy's searchsorted formulation. */
export function ksStatisticSorted(x: Float64Array, y: Float64Array): number {
  const n1 = x.length;
  const n2 = y.length;
  let i = 0;
  let j = 0;
  let maxS = Number.NEGATIVE_INFINITY;
  let minS = Number.POSITIVE_INFINITY;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && x[i]! <= y[j]!) ? x[i]! : y[j]!;
    while (i < n1 && x[i]! <= v) i++;
    while (j < n2 && y[j]! <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minS) minS = diff;
  }
  const negMin = Math.min(1, Math.max(0, -minS));
  return negMin > maxS ? negMin : maxS;
}

function gcd(a: number, b: number): number {
  let p = a;
  let q = b;
  while (q !== 0) [p, q] = [q, p % q];
  return p;
}

/** numpy.round: ties to even. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** SciPy `_compute_prob_outside_square`: P(D_{n,n} >= h/n), Horner-like alternating series. */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/** SciPy `_compute_outer_prob_inside_method` (Hodges' inside method, Viehmann's 1-p recursion). */
function outerProbInsideMethod(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, Math.min(lenA, maxj - minj + (lastlen - curlen)));
  }
  return A[maxj - minj - 1]!;
}

// ---- The Kolmogorov distribution: survival function of D_n (SciPy's `_kolmogn`, cdf=False). ----
