/**
 * A small seeded PRNG (mulberry32) so trainers (row and feature subsampling), test data
 * and the quickstart's demo data are deterministic for a seed.
 */

export type Random = () => number;

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills `out` with `count` distinct indices in [0, n) chosen uniformly, in ascending order. */
export function sampleSorted(n: number, count: number, random: Random, out: Uint32Array): number {
  // Selection sampling (Knuth's algorithm S): one pass, ascending output, no extra memory.
  let chosen = 0;
  for (let i = 0; i < n && chosen < count; i++) {
    if ((n - i) * random() < count - chosen) out[chosen++] = i;
  }
  return chosen;
}
