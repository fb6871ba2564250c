/**
 * Population Stability Index over bins taken from the reference's quantiles.
 *
 * Definition (the Python reference computes exactly this with numpy):
 * - inner edges are the reference's i/bins quantiles, i = 1..bins-1, with numpy's default
 *   'linear' method; outer edges are -Infinity and +Infinity; equal edges are merged, so tied data
 *   can yield fewer than `bins` bins;
 * - bin k is [edges[k], edges[k+1]) — a value equal to an inner edge falls in the bin above it
 *   (numpy `searchsorted(inner, x, side='right')`);
 * - proportions are count / n per sample, floored at `epsilon` (max(p, epsilon)) only inside the sum;
 * - PSI = Σ (c - r) · ln(c / r), c the current and r the reference proportion.
 */
import { InvalidError } from '../../core/errors.js';
import { countBelow, quantileSorted, type Sample, sortedCopy } from './sorted.js';

export interface PsiOptions {
  /** Number of quantile bins before merging duplicate edges (default 10). */
  readonly bins?: number;
  /** Floor applied to each proportion before the logarithm (default 1e-4). */
  readonly epsilon?: number;
}

export interface PsiResult {
  readonly psi: number;
  /** Bin edges including the outer -Infinity and +Infinity; length = number of bins + 1. */
  readonly edges: readonly number[];
  /** Unfloored share of the reference in each bin (sums to 1). */
  readonly referenceProportions: readonly number[];
  /** Unfloored share of the current sample in each bin (sums to 1). */
  readonly currentProportions: readonly number[];
}

export function psi(reference: Sample, current: Sample, options: PsiOptions = {}): PsiResult {
  const bins = options.bins ?? 10;
  const epsilon = options.epsilon ?? 1e-4;
  if (!Number.isInteger(bins) || bins < 1) {
    throw new InvalidError(`bins must be a positive integer, not ${bins}`, { field: 'bins' });
  }
  if (!(epsilon > 0)) throw new InvalidError(`epsilon must be > 0, not ${epsilon}`, { field: 'epsilon' });
  const ref = sortedCopy(reference, 'reference', true);
  const cur = sortedCopy(current, 'current', true);
  const edges = quantileEdges(ref, bins);
  return result(edges, sortedShares(ref, edges), sortedShares(cur, edges), epsilon);
}

/**
 * {@link psi} on finite inputs already sorted ascending (no copies, no validation of the samples),
 * for callers that sort each sample once and share it between statistics. `options` as for psi,
 * unchecked.
 */
export function psiSorted(ref: Float64Array, cur: Float64Array, options: PsiOptions = {}): PsiResult {
  const edges = quantileEdges(ref, options.bins ?? 10);
  return result(edges, sortedShares(ref, edges), sortedShares(cur, edges), options.epsilon ?? 1e-4);
}

/** -Infinity, the distinct inner quantile edges of the sorted reference, +Infinity. */
function quantileEdges(ref: Float64Array, bins: number): number[] {
  const edges: number[] = [Number.NEGATIVE_INFINITY];
  for (let i = 1; i < bins; i++) {
    const e = quantileSorted(ref, i / bins);
    if (e !== edges[edges.length - 1]) edges.push(e);
  }
  edges.push(Number.POSITIVE_INFINITY);
  return edges;
}

function result(edges: number[], refProps: number[], curProps: number[], epsilon: number): PsiResult {
  let total = 0;
  for (let k = 0; k < refProps.length; k++) {
    const r = Math.max(refProps[k]!, epsilon);
    const c = Math.max(curProps[k]!, epsilon);
    total += (c - r) * Math.log(c / r);
  }
  return { psi: total, edges, referenceProportions: refProps, currentProportions: curProps };
}

/** Share of a sorted sample in each [edges[k], edges[k+1]) bin, by one binary search per edge. */
function sortedShares(sorted: Float64Array, edges: readonly number[]): number[] {
  const n = sorted.length;
  const out: number[] = [];
  let below = 0;
  for (let k = 1; k < edges.length; k++) {
    const upto = k === edges.length - 1 ? n : countBelow(sorted, edges[k]!);
    out.push((upto - below) / n);
    below = upto;
  }
  return out;
}
