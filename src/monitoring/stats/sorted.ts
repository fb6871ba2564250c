/**
 * Shared helpers for the drift statistics: turning caller input into (sorted) Float64Arrays once,
 * and the few order statistics the tests need, without per-element allocation.
 */
import { InvalidError } from '../../core/errors.js';
import { sortFloat64 } from './radix-sort.js';

/** A numeric sample: a Float64Array is used as is, a plain array is converted. */
export type Sample = Float64Array | readonly number[];

/**
 * A Float64Array view of `x` (no copy when it already is one). Rejects empty input, NaN, and
 * (when `finite`) ±Infinity, naming `field` in the error.
 */
export function toFloat64(x: Sample, field: string, finite = false): Float64Array {
  const out = x instanceof Float64Array ? x : Float64Array.from(x);
  if (out.length === 0) throw new InvalidError(`${field} must not be empty`, { field });
  for (let i = 0; i < out.length; i++) {
    const v = out[i]!;
    if (Number.isNaN(v) || (finite && !Number.isFinite(v))) {
      throw new InvalidError(`${field}[${i}] is ${v}; values must be ${finite ? 'finite' : 'numbers'}`, {
        field,
        index: i,
      });
    }
  }
  return out;
}

/** An ascending sorted copy of `x`, validated as in {@link toFloat64}. The input is never mutated. */
export function sortedCopy(x: Sample, field: string, finite = false): Float64Array {
  return sortFloat64(toFloat64(x, field, finite));
}

/** Number of elements of the ascending `sorted` that are <= v (numpy `searchsorted(side='right')`). */
export function countAtMost(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of elements of the ascending `sorted` that are < v (numpy `searchsorted(side='left')`). */
export function countBelow(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The q-quantile of an ascending sample with numpy's default 'linear' method, reproduced bit for
 * bit (virtual index `(n-1)*q`, numpy's two-sided `_lerp`) so that bin edges equal numpy's.
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const virtual = (n - 1) * q;
  if (virtual >= n - 1) return sorted[n - 1]!;
  if (virtual < 0) return sorted[0]!;
  const prev = Math.floor(virtual);
  const a = sorted[prev]!;
  const b = sorted[prev + 1]!;
  const t = virtual - prev;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Mean and population standard deviation (ddof = 0), two-pass for accuracy. */
export function meanStd(x: Float64Array): { readonly mean: number; readonly std: number } {
  const n = x.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i]!;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mean;
    ss += d * d;
  }
  return { mean, std: Math.sqrt(ss / n) };
}
