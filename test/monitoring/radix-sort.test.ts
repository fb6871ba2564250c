/**
 * sortFloat64, the radix sort behind every drift statistic: the same order as the built-in typed
 * array sort (ascending, -0 before +0) on the values that trip up bit-level sorts, and on sizes on
 * both sides of where it switches from the built-in sort.
 */
import { describe, expect, it } from 'vitest';
import { sortFloat64 } from '../../src/monitoring/index.js';
import { seededRandom } from '../../src/training/random.js';

function sameOrder(values: Float64Array): void {
  const expected = Float64Array.from(values).sort();
  const actual = sortFloat64(values);
  expect(actual).not.toBe(values);
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    // Object.is tells -0 from +0.
    if (!Object.is(actual[i], expected[i])) throw new Error(`index ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

describe('sortFloat64', () => {
  it('orders negatives, ±0, ±Infinity, subnormals, extremes and ties as the built-in sort does', () => {
    const random = seededRandom(11);
    const special = [
      -0,
      0,
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      Number.MIN_VALUE,
      -Number.MIN_VALUE,
      Number.MAX_VALUE,
      -Number.MAX_VALUE,
      5e-324,
      -5e-324,
      2.2250738585072014e-308,
      1,
      -1,
    ];
    for (const size of [10, 1023, 1024, 1025, 5000, 100_000]) {
      const values = new Float64Array(size);
      for (let i = 0; i < size; i++) {
        const pick = random();
        values[i] =
          pick < 0.1
            ? special[Math.floor(random() * special.length)]!
            : pick < 0.3
              ? Math.round(random() * 20 - 10)
              : (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
      }
      sameOrder(values);
    }
  });

  it('leaves its input unchanged and sorts a view of a larger buffer', () => {
    const buffer = new Float64Array(4000).map((_, i) => Math.sin(i) * 1000);
    const view = buffer.subarray(500, 3500);
    const before = Float64Array.from(view);
    sameOrder(view);
    expect(Array.from(view)).toEqual(Array.from(before));
  });
});
