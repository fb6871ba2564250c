/**
 * Sorting Float64Arrays for the drift statistics: an LSD radix sort on the values' IEEE-754 bits,
 * several times faster than `Float64Array.prototype.sort` on the 10^4–10^6 values a drift report
 * sorts per column, with the same result (ascending, -0 before +0).
 */

/** Below this many values the native sort is used: not worth clearing the radix sort's 12,288 counters. */
const RADIX_MIN_LENGTH = 1024;

/** Six digits: bits 0–10, 11–21, 22–31 of the low word, then the same of the high word. */
const DIGIT_SHIFTS = [0, 11, 22, 0, 11, 22] as const;
const DIGIT_BUCKETS = 2048;

/** Whether the platform stores a double's low word first (every platform Node supports today). */
const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

/**
 * A new array holding the values of `x` in ascending order, -0 before +0; `x` is not changed.
 * `x` must not contain NaN (callers validate or drop missing values first).
 */
export function sortFloat64(x: Float64Array): Float64Array {
  const n = x.length;
  if (n < RADIX_MIN_LENGTH || !LITTLE_ENDIAN) return Float64Array.from(x).sort();
  const counts = digitCounts(x);

  // Sort by the raw bits as unsigned 64-bit integers, one stable counting pass per digit; a digit
  // that every value shares is skipped (the top digits often are, for data of one magnitude).
  let src: Float64Array = x;
  let dst: Float64Array = new Float64Array(n);
  for (let pass = 0; pass < 6; pass++) {
    const base = pass * DIGIT_BUCKETS;
    if (!toOffsets(counts, base, n)) continue;
    scatter(src, dst, counts, base, pass < 3 ? 0 : 1, DIGIT_SHIFTS[pass]!);
    if (src === x) {
      src = dst;
      dst = new Float64Array(n);
    } else {
      const spare = src;
      src = dst;
      dst = spare;
    }
  }
  const sorted = src === x ? Float64Array.from(x) : src;

  // Unsigned order puts the negatives (sign bit set) last, from -0 down to the most negative:
  // reversed, they go first.
  const negatives = countNegatives(sorted);
  if (negatives === 0) return sorted;
  const out = dst;
  const positives = n - negatives;
  for (let k = 0; k < negatives; k++) out[k] = sorted[n - 1 - k]!;
  out.set(sorted.subarray(0, positives), negatives);
  return out;
}

/** Counts of every digit value, six histograms of 2,048 buckets side by side, in one pass. */
function digitCounts(x: Float64Array): Uint32Array {
  const words = new Uint32Array(x.buffer, x.byteOffset, x.length * 2);
  const counts = new Uint32Array(6 * DIGIT_BUCKETS);
  for (let i = 0, n = words.length; i < n; i += 2) {
    const lo = words[i]!;
    const hi = words[i + 1]!;
    counts[lo & 2047]!++;
    counts[2048 + ((lo >>> 11) & 2047)]!++;
    counts[4096 + (lo >>> 22)]!++;
    counts[6144 + (hi & 2047)]!++;
    counts[8192 + ((hi >>> 11) & 2047)]!++;
    counts[10240 + (hi >>> 22)]!++;
  }
  return counts;
}

/** Turns one digit's counts into start offsets in place; false when every value has the same digit. */
function toOffsets(counts: Uint32Array, base: number, n: number): boolean {
  let sum = 0;
  for (let d = base; d < base + DIGIT_BUCKETS; d++) {
    const c = counts[d]!;
    if (c === n) return false;
    counts[d] = sum;
    sum += c;
  }
  return true;
}

function scatter(
  src: Float64Array,
  dst: Float64Array,
  offsets: Uint32Array,
  base: number,
  word: number,
  shift: number,
): void {
  const words = new Uint32Array(src.buffer, src.byteOffset, src.length * 2);
  const n = src.length;
  for (let i = 0; i < n; i++) {
    const d = base + ((words[2 * i + word]! >>> shift) & 2047);
    dst[offsets[d]!++] = src[i]!;
  }
}

/** Values with the sign bit set, which the unsigned order has gathered at the end. */
function countNegatives(sorted: Float64Array): number {
  const words = new Uint32Array(sorted.buffer, sorted.byteOffset, sorted.length * 2);
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (words[2 * mid + 1]! >>> 31 === 0) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}
