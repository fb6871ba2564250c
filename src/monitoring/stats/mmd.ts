/**
 * Multivariate drift: squared maximum mean discrepancy with an RBF kernel and a permutation p-value.
 *
 * Definitions (checked against a numpy reference in test/monitoring/reference/generate_discrete.py):
 * - Inputs are used as given, NOT standardised: scale the features first if their units differ.
 * - Pooled sample z = reference ∪ current (after subsampling, below), N = n + m rows.
 * - Bandwidth σ (median heuristic) = median of the Euclidean distances ‖z_i − z_j‖ over all pairs
 *   i < j of the pooled sample (numpy's median: the mean of the two middle values when the count is
 *   even). If that median is 0 (more than half the pairs coincide) σ = 1.
 * - Kernel k(x, y) = exp(−‖x − y‖² / (2σ²)).
 * - Statistic: the biased V-statistic
 *   MMD² = mean_{i,j} k(x_i, x_j) + mean_{i,j} k(y_i, y_j) − 2·mean_{i,j} k(x_i, y_j), diagonals included.
 * - p-value: the pooled rows are relabelled by `permutations` seeded Fisher–Yates shuffles (mulberry32
 *   PRNG, so the result is deterministic for a seed) keeping σ fixed, and
 *   p = (1 + #{permuted MMD² ≥ observed}) / (1 + permutations); as in SciPy's `permutation_test`,
 *   "≥" allows a relative slack of 100ε so that ties are not lost to rounding.
 * - Cost is O(N²·d) once plus O(N²) per permutation over a precomputed triangle of kernel values
 *   (N(N−1)/2 doubles). Each side larger than `maxRows` (default 1000) is first reduced to `maxRows`
 *   rows drawn without replacement by the same seeded PRNG (kept in their original order).
 */

import { InvalidError } from '../../core/errors.js';
import { seededRandom } from '../../core/seeded-random.js';

export type MmdRows = readonly (Float64Array | readonly number[])[];

export interface MmdOptions {
  /** Number of permutations for the p-value (default 200; 0 gives a NaN p-value). */
  readonly permutations?: number;
  /** PRNG seed for subsampling and permutations (default 0). */
  readonly seed?: number;
  /** Rows kept per side before computing (default 1000). */
  readonly maxRows?: number;
}

export interface MmdResult {
  /** Biased squared MMD. */
  readonly statistic: number;
  readonly pvalue: number;
  /** Kernel bandwidth σ from the median heuristic. */
  readonly bandwidth: number;
  /** Rows actually used from each side (after subsampling). */
  readonly referenceRows: number;
  readonly currentRows: number;
}

/** Indices of the rows to keep: all of them, or `maxRows` drawn without replacement, ascending. */
function chooseRows(count: number, maxRows: number, random: () => number): Uint32Array {
  const idx = new Uint32Array(count);
  for (let i = 0; i < count; i++) idx[i] = i;
  if (count <= maxRows) return idx;
  for (let i = 0; i < maxRows; i++) {
    const j = i + Math.floor(random() * (count - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.subarray(0, maxRows).sort();
}

/** k-th smallest (0-based) of `a`, partially reordering it in place (quickselect). */
function select(a: Float64Array, k: number, from: number, to: number): number {
  let lo = from;
  let hi = to - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    // median of three as pivot
    let x = a[lo]!;
    let y = a[mid]!;
    const z = a[hi]!;
    if (x > y) [x, y] = [y, x];
    const pivot = z < x ? x : z > y ? y : z;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

function packRows(
  side: MmdRows,
  name: string,
  keep: Uint32Array,
  d: number,
  into: Float64Array,
  offset: number,
): void {
  for (let r = 0; r < keep.length; r++) {
    const row = side[keep[r]!]!;
    if (row.length !== d) {
      throw new InvalidError(`${name} row ${keep[r]} has ${row.length} features, expected ${d}`, {
        field: name,
      });
    }
    const base = (offset + r) * d;
    for (let c = 0; c < d; c++) {
      const v = row[c]!;
      if (!Number.isFinite(v)) {
        throw new InvalidError(`${name} row ${keep[r]} feature ${c} is not a finite number: ${v}`, {
          field: name,
        });
      }
      into[base + c] = v;
    }
  }
}

/**
 * Squared MMD from the kernel triangle `k` (pairs i < j, row-major) and a labelling (0 = reference,
 * 1 = current) with n zeros and m ones; `total` is the sum of the whole triangle.
 */
function mmdFromLabels(k: Float64Array, labels: Uint8Array, n: number, m: number, total: number): number {
  const size = labels.length;
  let sameX = 0;
  let sameY = 0;
  let p = 0;
  for (let i = 0; i < size; i++) {
    const li = labels[i]!;
    let same = 0;
    for (let j = i + 1; j < size; j++, p++) {
      if (labels[j] === li) same += k[p]!;
    }
    if (li === 0) sameX += same;
    else sameY += same;
  }
  const cross = total - sameX - sameY;
  return (n + 2 * sameX) / (n * n) + (m + 2 * sameY) / (m * m) - (2 * cross) / (n * m);
}

/** Squared MMD with an RBF kernel (median-heuristic bandwidth) and a permutation p-value; see above. */
export function mmdRbf(reference: MmdRows, current: MmdRows, options: MmdOptions = {}): MmdResult {
  const permutations = options.permutations ?? 200;
  const seed = options.seed ?? 0;
  const maxRows = options.maxRows ?? 1000;
  if (!Number.isInteger(permutations) || permutations < 0) {
    throw new InvalidError(`permutations must be a non-negative integer, got ${permutations}`, {
      field: 'permutations',
    });
  }
  if (!Number.isInteger(maxRows) || maxRows < 1) {
    throw new InvalidError(`maxRows must be a positive integer, got ${maxRows}`, { field: 'maxRows' });
  }
  if (reference.length === 0) throw new InvalidError('reference sample is empty', { field: 'reference' });
  if (current.length === 0) throw new InvalidError('current sample is empty', { field: 'current' });
  const d = reference[0]!.length;
  if (d === 0) throw new InvalidError('rows have no features', { field: 'reference' });

  const random = seededRandom(seed);
  const keepX = chooseRows(reference.length, maxRows, random);
  const keepY = chooseRows(current.length, maxRows, random);
  const n = keepX.length;
  const m = keepY.length;
  const size = n + m;
  const z = new Float64Array(size * d);
  packRows(reference, 'reference', keepX, d, z, 0);
  packRows(current, 'current', keepY, d, z, n);

  // Squared distances over the upper triangle, row-major.
  const pairs = (size * (size - 1)) / 2;
  const k = new Float64Array(pairs);
  let p = 0;
  for (let i = 0; i < size; i++) {
    const bi = i * d;
    for (let j = i + 1; j < size; j++, p++) {
      const bj = j * d;
      let s = 0;
      for (let c = 0; c < d; c++) {
        const diff = z[bi + c]! - z[bj + c]!;
        s += diff * diff;
      }
      k[p] = s;
    }
  }

  // Median of distances = median of squared distances mapped through sqrt (monotone), averaging the
  // two middle distances for an even count as numpy does.
  const scratch = k.slice();
  const mid = pairs >>> 1;
  let bandwidth: number;
  const upper = Math.sqrt(select(scratch, mid, 0, pairs));
  if (pairs % 2 === 1) {
    bandwidth = upper;
  } else {
    let lowerSq = scratch[0]!;
    for (let q = 1; q < mid; q++) if (scratch[q]! > lowerSq) lowerSq = scratch[q]!;
    bandwidth = (Math.sqrt(lowerSq) + upper) / 2;
  }
  if (!(bandwidth > 0)) bandwidth = 1;

  const scale = -1 / (2 * bandwidth * bandwidth);
  let total = 0;
  for (let q = 0; q < pairs; q++) {
    const v = Math.exp(k[q]! * scale);
    k[q] = v;
    total += v;
  }

  const labels = new Uint8Array(size);
  labels.fill(1, n);
  const statistic = mmdFromLabels(k, labels, n, m, total);

  let pvalue = Number.NaN;
  if (permutations > 0) {
    const threshold = statistic - Math.abs(statistic) * 100 * Number.EPSILON;
    let atLeast = 0;
    for (let b = 0; b < permutations; b++) {
      for (let i = size - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        const t = labels[i]!;
        labels[i] = labels[j]!;
        labels[j] = t;
      }
      if (mmdFromLabels(k, labels, n, m, total) >= threshold) atLeast++;
    }
    pvalue = (1 + atLeast) / (1 + permutations);
  }
  return { statistic, pvalue, bandwidth, referenceRows: n, currentRows: m };
}
