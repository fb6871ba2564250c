/**
 * What the result reports about the refit model: its holdout scores (with a confusion matrix or a
 * residual summary) and the features its ONNX graph takes.
 */
import type { Table, Target } from '../table.js';
import { argmaxRows } from './metrics.js';
import { scorePredictions } from './trial.js';
import type { FeatureSpec, HoldoutEvaluation } from './types.js';

/** Linear-interpolated quantile of sorted values (numpy's default), q in [0, 1]. */
export function quantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low]! + (position - low) * (sorted[high]! - sorted[low]!);
}

function residualSummary(predicted: Float64Array, actual: Float64Array): HoldoutEvaluation['residuals'] {
  const residuals = Float64Array.from(predicted, (value, i) => value - actual[i]!);
  const n = residuals.length;
  const mean = residuals.reduce((sum, value) => sum + value, 0) / n;
  const variance = residuals.reduce((sum, value) => sum + (value - mean) ** 2, 0) / n;
  const sorted = residuals.slice().sort();
  return {
    mean,
    std: Math.sqrt(variance),
    meanAbsolute: residuals.reduce((sum, value) => sum + Math.abs(value), 0) / n,
    min: sorted[0]!,
    p5: quantile(sorted, 0.05),
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    max: sorted[n - 1]!,
  };
}

export function evaluateHoldout(predictions: Float64Array, target: Target): HoldoutEvaluation {
  const metrics = scorePredictions(predictions, target);
  if (target.kind === 'regression') {
    return { rows: target.values.length, metrics, residuals: residualSummary(predictions, target.values) };
  }
  const classes = target.classes.length;
  const counts = target.classes.map(() => new Array<number>(classes).fill(0));
  const predicted = argmaxRows(predictions, classes);
  target.labels.forEach((label, row) => {
    counts[label]![predicted[row]!]!++;
  });
  return { rows: target.labels.length, metrics, confusionMatrix: { classes: [...target.classes], counts } };
}

/** Feature specs of the training table; categories are those seen in it, in code-unit order. */
export function describeFeatures(table: Table): FeatureSpec[] {
  return table.features.map((feature): FeatureSpec => {
    if (feature.kind === 'numeric') return { name: feature.name, type: 'numeric' };
    const seen = new Set<string>();
    for (const value of feature.values) if (value !== null && value !== '') seen.add(value);
    return {
      name: feature.name,
      type: 'categorical',
      categories: [...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    };
  });
}
