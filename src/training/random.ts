/** Seeded randomness of the trainers: the core generator, and sampling without replacement. */
import type { Random } from '../core/seeded-random.js';

export { type Random, seededRandom } from '../core/seeded-random.js';

/** Fills `out` with `count` distinct indices in [0, n) chosen uniformly, in ascending order. */
export function sampleSorted(n: number, count: number, random: Random, out: Uint32Array): number {
  // Selection sampling (Knuth's algorithm S): one pass, ascending output, no extra memory.
  let chosen = 0;
  for (let i = 0; i < n && chosen < count; i++) {
    if ((n - i) * random() < count - chosen) out[chosen++] = i;
  }
  return chosen;
}
