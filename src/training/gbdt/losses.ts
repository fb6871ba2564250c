/**
 * The three boosting objectives: gradients and hessians of the loss with respect to the raw scores
 * (row-major, `scoresPerRow` per row), the constant initial score, and the mean loss for monitoring.
 */

export type LossKind = 'binary' | 'multiclass' | 'regression';

export interface LossTargets {
  /** Class index per row (classification) or value per row (regression). */
  readonly labels: Int32Array | null;
  readonly values: Float64Array | null;
}

const EPSILON = 1e-15;

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Initial raw score per output: log-odds, log class priors or the mean. */
export function initialScores(
  kind: LossKind,
  targets: LossTargets,
  classCount: number,
  rows: Uint32Array | null,
): Float64Array {
  const n = rows === null ? (targets.labels ?? targets.values)!.length : rows.length;
  const at = (i: number) => (rows === null ? i : rows[i]!);
  if (kind === 'regression') {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += targets.values![at(i)]!;
    return Float64Array.of(n > 0 ? sum / n : 0);
  }
  const counts = new Float64Array(classCount);
  for (let i = 0; i < n; i++) counts[targets.labels![at(i)]!]! += 1;
  const prior = (k: number) => Math.min(1 - 1e-6, Math.max(1e-6, counts[k]! / Math.max(1, n)));
  if (kind === 'binary') return Float64Array.of(Math.log(prior(1) / (1 - prior(1))));
  return Float64Array.from(counts, (_, k) => Math.log(prior(k)));
}

/**
 * Writes gradients/hessians for output `k` (k = 0 unless multiclass) of rows [from, to) and returns
 * the summed loss of their current scores (computed in the same pass; for multiclass only when k = 0).
 */
export function computeGradients(
  kind: LossKind,
  targets: LossTargets,
  scores: Float64Array,
  scoresPerRow: number,
  k: number,
  gradients: Float64Array,
  hessians: Float64Array,
  from: number,
  to: number,
): number {
  let loss = 0;
  if (kind === 'regression') {
    const y = targets.values!;
    for (let r = from; r < to; r++) {
      const d = scores[r]! - y[r]!;
      gradients[r] = d;
      hessians[r] = 1;
      loss += 0.5 * d * d;
    }
  } else if (kind === 'binary') {
    const y = targets.labels!;
    for (let r = from; r < to; r++) {
      const p = 1 / (1 + Math.exp(-scores[r]!));
      const positive = y[r] === 1;
      gradients[r] = positive ? p - 1 : p;
      hessians[r] = Math.max(p * (1 - p), 1e-16);
      loss -= Math.log(Math.max(EPSILON, positive ? p : 1 - p));
    }
  } else {
    const y = targets.labels!;
    for (let r = from; r < to; r++) {
      const base = r * scoresPerRow;
      let max = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < scoresPerRow; c++) max = Math.max(max, scores[base + c]!);
      let sum = 0;
      for (let c = 0; c < scoresPerRow; c++) sum += Math.exp(scores[base + c]! - max);
      const p = Math.exp(scores[base + k]! - max) / sum;
      gradients[r] = p - (y[r] === k ? 1 : 0);
      hessians[r] = Math.max(p * (1 - p), 1e-16);
      if (k === 0) loss -= scores[base + y[r]!]! - max - Math.log(sum);
    }
  }
  return loss;
}

/** Mean loss: log-loss for classification, half squared error for regression. */
export function meanLoss(
  kind: LossKind,
  targets: LossTargets,
  scores: Float64Array,
  scoresPerRow: number,
): number {
  const n = scores.length / scoresPerRow;
  let total = 0;
  for (let r = 0; r < n; r++) {
    if (kind === 'regression') {
      const d = scores[r]! - targets.values![r]!;
      total += 0.5 * d * d;
    } else if (kind === 'binary') {
      const p = sigmoid(scores[r]!);
      total -= Math.log(Math.max(EPSILON, targets.labels![r] === 1 ? p : 1 - p));
    } else {
      const base = r * scoresPerRow;
      let max = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < scoresPerRow; c++) max = Math.max(max, scores[base + c]!);
      let sum = 0;
      for (let c = 0; c < scoresPerRow; c++) sum += Math.exp(scores[base + c]! - max);
      total -= scores[base + targets.labels![r]!]! - max - Math.log(sum);
    }
  }
  return n > 0 ? total / n : 0;
}
