/**
 * Jensen–Shannon distance between two discrete distributions, as
 * `scipy.spatial.distance.jensenshannon(p, q, base)`, and the histogram helper that turns two
 * numeric samples into such distributions over shared bins.
 */
import { InvalidError } from '../../core/errors.js';
import { countBelow, type Sample, toFloat64 } from './sorted.js';

export interface JensenShannonOptions {
  /** Logarithm base (default 2, which bounds the distance by 1). */
  readonly base?: number;
}

/**
 * sqrt(JSD(p‖q)) with p and q normalised to sum 1 first, as SciPy does, so counts are accepted.
 * Entries must be finite and >= 0 and each vector must have a positive sum. Unlike SciPy, a
 * divergence that rounds to a tiny negative number gives 0 rather than NaN.
 */
export function jensenShannon(p: Sample, q: Sample, options: JensenShannonOptions = {}): number {
  const base = options.base ?? 2;
  if (!(base > 0) || base === 1)
    throw new InvalidError(`base must be > 0 and != 1, not ${base}`, { field: 'base' });
  const pp = toFloat64(p, 'p', true);
  const qq = toFloat64(q, 'q', true);
  if (pp.length !== qq.length) {
    throw new InvalidError(`p and q must have the same length, not ${pp.length} and ${qq.length}`, {
      field: 'q',
    });
  }
  const ps = checkedSum(pp, 'p');
  const qs = checkedSum(qq, 'q');
  let left = 0;
  let right = 0;
  for (let i = 0; i < pp.length; i++) {
    const pi = pp[i]! / ps;
    const qi = qq[i]! / qs;
    const m = (pi + qi) / 2;
    if (pi > 0) left += pi * Math.log(pi / m);
    if (qi > 0) right += qi * Math.log(qi / m);
  }
  const js = (left + right) / Math.log(base);
  return Math.sqrt(Math.max(0, js / 2));
}

function checkedSum(x: Float64Array, field: string): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i]! < 0) throw new InvalidError(`${field}[${i}] is negative (${x[i]})`, { field, index: i });
    s += x[i]!;
  }
  if (!(s > 0)) throw new InvalidError(`${field} must have a positive sum`, { field });
  return s;
}

export interface Histogram {
  /** bins + 1 equal-width edges spanning min..max of both samples together. */
  readonly edges: readonly number[];
  readonly reference: readonly number[];
  readonly current: readonly number[];
}

/**
 * Counts both samples into the same `bins` equal-width bins spanning the combined range of both
 * samples (as Evidently does), with numpy.histogram semantics: bins are [e_k, e_{k+1}) except the
 * last, which is closed; a constant pooled sample v uses the range [v - 0.5, v + 0.5]. Edges are
 * numpy.linspace's (start + i·step, last edge exactly the maximum).
 */
export function histogram(reference: Sample, current: Sample, bins = 10): Histogram {
  if (!Number.isInteger(bins) || bins < 1) {
    throw new InvalidError(`bins must be a positive integer, not ${bins}`, { field: 'bins' });
  }
  const ref = toFloat64(reference, 'reference', true);
  const cur = toFloat64(current, 'current', true);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const x of [ref, cur]) {
    for (let i = 0; i < x.length; i++) {
      if (x[i]! < lo) lo = x[i]!;
      if (x[i]! > hi) hi = x[i]!;
    }
  }
  return countBoth(ref, cur, lo, hi, bins);
}

/**
 * {@link histogram} on non-empty finite inputs already sorted ascending (no copies, no validation):
 * the range comes from the ends of each sample instead of a scan, with the same result, down to
 * which of -0 and +0 ends up as an edge.
 */
export function histogramSorted(reference: Float64Array, current: Float64Array, bins = 10): Histogram {
  let lo = reference[0]!;
  if (current[0]! < lo) lo = current[0]!;
  let hi = firstOfMax(reference);
  const top = firstOfMax(current);
  if (top > hi) hi = top;
  return countBoth(reference, current, lo, hi, bins);
}

/** The first element equal to the maximum of an ascending sample (a scan keeps -0 over a later +0). */
function firstOfMax(sorted: Float64Array): number {
  const last = sorted[sorted.length - 1]!;
  return last === 0 ? sorted[countBelow(sorted, 0)]! : last;
}

function countBoth(ref: Float64Array, cur: Float64Array, low: number, high: number, bins: number): Histogram {
  let lo = low;
  let hi = high;
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const step = (hi - lo) / bins;
  const edges: number[] = [];
  for (let i = 0; i < bins; i++) edges.push(i * step + lo);
  edges.push(hi);
  return { edges, reference: countInto(ref, edges), current: countInto(cur, edges) };
}

/** numpy.histogram's equal-width fast path: index by arithmetic, then correct against the edges. */
function countInto(x: Float64Array, edges: readonly number[]): number[] {
  const bins = edges.length - 1;
  const first = edges[0]!;
  const norm = bins / (edges[bins]! - first);
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    let k = Math.trunc((v - first) * norm);
    if (k === bins) k -= 1;
    if (v < edges[k]!) k -= 1;
    else if (v >= edges[k + 1]! && k !== bins - 1) k += 1;
    counts[k]! += 1;
  }
  return counts;
}
