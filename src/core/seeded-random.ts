/**
 * A small seeded PRNG (mulberry32): the same uniforms in [0, 1) for a seed on every machine, for
 * trainers (row and feature subsampling), permutation tests, bootstraps and generated demo data.
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
