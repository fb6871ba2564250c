/**
 * Regression metrics as scikit-learn defines them: root mean squared error, mean absolute error and
 * the coefficient of determination R² (with sklearn's `force_finite`: constant labels give 1 for a
 * perfect fit, else 0). NaN for no rows, and R² for fewer than two rows (sklearn warns, returns nan).
 */

export function rmse(labels: Float64Array, predictions: Float64Array): number {
  checkSameLength(labels, predictions);
  if (labels.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const d = labels[i]! - predictions[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum / labels.length);
}

export function mae(labels: Float64Array, predictions: Float64Array): number {
  checkSameLength(labels, predictions);
  if (labels.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += Math.abs(labels[i]! - predictions[i]!);
  return sum / labels.length;
}

export function r2(labels: Float64Array, predictions: Float64Array): number {
  checkSameLength(labels, predictions);
  const n = labels.length;
  if (n < 2) return Number.NaN;
  let mean = 0;
  for (const y of labels) mean += y;
  mean /= n;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const d = labels[i]! - predictions[i]!;
    residual += d * d;
    const t = labels[i]! - mean;
    total += t * t;
  }
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}

function checkSameLength(a: Float64Array, b: Float64Array): void {
  if (a.length !== b.length)
    throw new RangeError(`labels and predictions differ in length: ${a.length} vs ${b.length}`);
}
