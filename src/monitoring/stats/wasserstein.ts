/**
 * Wasserstein-1 (earth mover's) distance between two one-dimensional samples, as
 * `scipy.stats.wasserstein_distance(a, b)`: the area between the two empirical CDFs.
 */
import { InvalidError } from '../../core/errors.js';
import { meanStd, type Sample, sortedCopy, toFloat64 } from './sorted.js';

/** `scipy.stats.wasserstein_distance(a, b)` (unweighted). Values must be finite. */
export function wasserstein1(a: Sample, b: Sample): number {
  return wasserstein1Sorted(sortedCopy(a, 'a', true), sortedCopy(b, 'b', true));
}

/** {@link wasserstein1} on finite inputs already sorted ascending (no copies, no validation). */
export function wasserstein1Sorted(x: Float64Array, y: Float64Array): number {
  const n1 = x.length;
  const n2 = y.length;
  let i = 0;
  let j = 0;
  // The two ECDFs at the walk's position, i / n1 and j / n2, recomputed only when i or j moves.
  let fx = 0;
  let fy = 0;
  let prev = Math.min(x[0]!, y[0]!);
  let area = 0;
  // Walk the pooled sample in order; between consecutive pooled values both ECDFs are constant.
  while (i < n1 && j < n2) {
    const a = x[i]!;
    const b = y[j]!;
    if (a <= b) {
      area += Math.abs(fx - fy) * (a - prev);
      prev = a;
      fx = ++i / n1;
    } else {
      area += Math.abs(fx - fy) * (b - prev);
      prev = b;
      fy = ++j / n2;
    }
  }
  for (; i < n1; i++) {
    area += Math.abs(fx - fy) * (x[i]! - prev);
    prev = x[i]!;
    fx = (i + 1) / n1;
  }
  for (; j < n2; j++) {
    area += Math.abs(fx - fy) * (y[j]! - prev);
    prev = y[j]!;
    fy = (j + 1) / n2;
  }
  return area;
}

/**
 * W1(reference, current) divided by the reference's population standard deviation (ddof = 0),
 * so that a threshold such as 0.1 means "a tenth of a reference standard deviation".
 * When the reference is constant (std 0) the ratio is defined as 0 if W1 is 0 and +Infinity
 * otherwise: any movement away from a constant reference is infinitely many of its std.
 */
export function normalisedWasserstein(reference: Sample, current: Sample): number {
  const ref = toFloat64(reference, 'reference', true);
  return normalised(wasserstein1(ref, current), ref);
}

/**
 * {@link normalisedWasserstein} on finite inputs already sorted ascending (no copies, no
 * validation), for callers that sort each sample once and share it between statistics.
 */
export function normalisedWassersteinSorted(reference: Float64Array, current: Float64Array): number {
  return normalised(wasserstein1Sorted(reference, current), reference);
}

function normalised(w: number, reference: Float64Array): number {
  const { std } = meanStd(reference);
  if (std === 0) return w === 0 ? 0 : Number.POSITIVE_INFINITY;
  if (!Number.isFinite(std)) throw new InvalidError('reference standard deviation overflowed', {});
  return w / std;
}
