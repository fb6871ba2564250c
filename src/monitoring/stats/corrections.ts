/** Multiple-testing corrections for per-feature drift p-values. */
import { InvalidError } from '../../core/errors.js';

function checkPvalues(pvalues: ArrayLike<number>): void {
  for (let i = 0; i < pvalues.length; i++) {
    const p = pvalues[i]!;
    if (!(p >= 0 && p <= 1)) {
      throw new InvalidError(`p-value ${i} must be in [0, 1], got ${p}`, { field: 'pvalues', index: i });
    }
  }
}

/** Bonferroni-adjusted p-values min(1, p·m), in input order. */
export function bonferroni(pvalues: ArrayLike<number>): Float64Array {
  checkPvalues(pvalues);
  const m = pvalues.length;
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) out[i] = Math.min(1, pvalues[i]! * m);
  return out;
}

/**
 * Benjamini–Hochberg adjusted p-values (q-values) in input order, as
 * `scipy.stats.false_discovery_control(p, method='bh')` and R's `p.adjust(p, 'BH')`: sort ascending,
 * scale the i-th smallest by m/i, take the running minimum from the largest down, clip to [0, 1].
 */
export function benjaminiHochberg(pvalues: ArrayLike<number>): Float64Array {
  checkPvalues(pvalues);
  const m = pvalues.length;
  const order = new Uint32Array(m);
  for (let i = 0; i < m; i++) order[i] = i;
  order.sort((a, b) => pvalues[a]! - pvalues[b]!);
  const out = new Float64Array(m);
  let running = Number.POSITIVE_INFINITY;
  for (let rank = m; rank >= 1; rank--) {
    const idx = order[rank - 1]!;
    const scaled = pvalues[idx]! * (m / rank);
    if (scaled < running) running = scaled;
    out[idx] = Math.min(1, running);
  }
  return out;
}

/** Which hypotheses are rejected at level alpha: adjusted p ≤ alpha (statsmodels' `multipletests` rule). */
export function rejects(adjusted: ArrayLike<number>, alpha: number): boolean[] {
  if (!(alpha > 0 && alpha < 1)) {
    throw new InvalidError(`alpha must be in (0, 1), got ${alpha}`, { field: 'alpha' });
  }
  const out = new Array<boolean>(adjusted.length);
  for (let i = 0; i < adjusted.length; i++) out[i] = adjusted[i]! <= alpha;
  return out;
}
