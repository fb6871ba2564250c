/** The population stability index of two binned distributions: pure arithmetic (see diff-sql.ts). */
import { PSI_EPSILON } from './diff-sql.js';

/** Rows per bin; the key names the bin (null: the null bin). */
export type BinCounts = ReadonlyMap<string | null, number>;

export interface Psi {
  readonly psi: number;
  /** Bins holding rows in at least one of the two versions. */
  readonly bins: number;
}

/**
 * PSI = Σ (pTo − pFrom) · ln(pTo / pFrom) over the bins either side uses; a share of 0 counts as
 * PSI_EPSILON so that the logarithm stays finite.
 */
export function populationStability(from: BinCounts, to: BinCounts): Psi {
  const fromTotal = total(from);
  const toTotal = total(to);
  let psi = 0;
  let bins = 0;
  // Bins are summed in one fixed order: the counts arrive in whatever order DuckDB's parallel
  // GROUP BY produced them, and floating-point sums depend on the order.
  for (const key of [...new Set([...from.keys(), ...to.keys()])].sort(byKey)) {
    const f = from.get(key) ?? 0;
    const t = to.get(key) ?? 0;
    if (f === 0 && t === 0) continue;
    bins++;
    const pf = f === 0 ? PSI_EPSILON : f / fromTotal;
    const pt = t === 0 ? PSI_EPSILON : t / toTotal;
    psi += (pt - pf) * Math.log(pt / pf);
  }
  return { psi, bins };
}

function byKey(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

function total(counts: BinCounts): number {
  let sum = 0;
  for (const count of counts.values()) sum += count;
  return sum;
}
