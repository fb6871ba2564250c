/**
 * Evaluation metrics, defined as scikit-learn defines them so scores compare with its own: ROC AUC
 * (binary, and macro one-vs-rest for multiclass), accuracy, log loss, F1 (binary on classes[1], macro
 * otherwise), RMSE, MAE, R². Probabilities are row-major with one column per class.
 */
import type { MetricName, Task } from './types.js';

export type MetricDirection = 'higher' | 'lower';

/** Whether a larger value of each metric is better; the search ranks trials by it. */
export const METRIC_DIRECTIONS: Readonly<Record<MetricName, MetricDirection>> = {
  roc_auc: 'higher',
  accuracy: 'higher',
  log_loss: 'lower',
  f1: 'higher',
  rmse: 'lower',
  mae: 'lower',
  r2: 'higher',
};

export const TASK_METRICS: Readonly<Record<Task, readonly MetricName[]>> = {
  classification: ['roc_auc', 'accuracy', 'log_loss', 'f1'],
  regression: ['rmse', 'mae', 'r2'],
};

/** sklearn's historical clipping of probabilities before the log (1e-15). */
const LOG_LOSS_EPSILON = 1e-15;

/**
 * Binary AUC from ranks (Mann-Whitney U), tied scores sharing their average rank: equal to the share
 * of (positive, negative) pairs ordered correctly, ties counting one half. NaN without both classes.
 */
export function binaryRocAuc(scores: Float64Array, positive: readonly boolean[] | Uint8Array): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && scores[order[end]!] === scores[order[start]!]) end++;
    const averageRank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) {
      if (positive[order[i]!]) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function column(probabilities: Float64Array, classes: number, c: number): Float64Array {
  const rows = probabilities.length / classes;
  return Float64Array.from({ length: rows }, (_, r) => probabilities[r * classes + c]!);
}

/** Binary: AUC of classes[1]'s probability. Multiclass: unweighted mean of one-vs-rest AUCs. */
export function rocAuc(probabilities: Float64Array, labels: Int32Array, classes: number): number {
  if (classes === 2) {
    return binaryRocAuc(
      column(probabilities, 2, 1),
      Array.from(labels, (label) => label === 1),
    );
  }
  let sum = 0;
  let counted = 0;
  for (let c = 0; c < classes; c++) {
    const auc = binaryRocAuc(
      column(probabilities, classes, c),
      Array.from(labels, (label) => label === c),
    );
    // A class absent from the rows has no defined AUC (sklearn raises); it is left out of the mean.
    if (!Number.isNaN(auc)) {
      sum += auc;
      counted++;
    }
  }
  return counted === 0 ? Number.NaN : sum / counted;
}

/** Index of each row's largest probability (the first class on ties, as the trainers do). */
export function argmaxRows(probabilities: Float64Array, classes: number): Int32Array {
  const rows = probabilities.length / classes;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if (probabilities[r * classes + c]! > probabilities[r * classes + best]!) best = c;
    out[r] = best;
  }
  return out;
}

export function accuracy(predicted: Int32Array, labels: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct / labels.length;
}

/** Mean negative log-likelihood; rows are clipped to [eps, 1 - eps] and renormalised, like sklearn. */
export function logLoss(probabilities: Float64Array, labels: Int32Array, classes: number): number {
  let total = 0;
  for (let r = 0; r < labels.length; r++) {
    let rowSum = 0;
    for (let c = 0; c < classes; c++) rowSum += clip(probabilities[r * classes + c]!);
    total -= Math.log(clip(probabilities[r * classes + labels[r]!]!) / rowSum);
  }
  return total / labels.length;
}

function clip(p: number): number {
  return Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, p));
}

function classF1(predicted: Int32Array, labels: Int32Array, c: number): number {
  let truePositives = 0;
  let predictedPositives = 0;
  let actualPositives = 0;
  for (let i = 0; i < labels.length; i++) {
    if (predicted[i] === c) predictedPositives++;
    if (labels[i] === c) actualPositives++;
    if (predicted[i] === c && labels[i] === c) truePositives++;
  }
  const denominator = predictedPositives + actualPositives;
  return denominator === 0 ? 0 : (2 * truePositives) / denominator;
}

/** Binary: F1 of class 1. Multiclass: macro F1 over the classes present in the labels or predictions. */
export function f1(predicted: Int32Array, labels: Int32Array, classes: number): number {
  if (classes === 2) return classF1(predicted, labels, 1);
  const present = new Set([...labels, ...predicted]);
  let sum = 0;
  for (const c of present) sum += classF1(predicted, labels, c);
  return sum / present.size;
}

export function rmse(predicted: Float64Array, actual: Float64Array): number {
  let squares = 0;
  for (let i = 0; i < actual.length; i++) squares += (predicted[i]! - actual[i]!) ** 2;
  return Math.sqrt(squares / actual.length);
}

export function mae(predicted: Float64Array, actual: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < actual.length; i++) sum += Math.abs(predicted[i]! - actual[i]!);
  return sum / actual.length;
}

/** Coefficient of determination; on a constant target sklearn's convention (1 if exact, else 0). */
export function r2(predicted: Float64Array, actual: Float64Array): number {
  let mean = 0;
  for (const value of actual) mean += value;
  mean /= actual.length;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < actual.length; i++) {
    residual += (actual[i]! - predicted[i]!) ** 2;
    total += (actual[i]! - mean) ** 2;
  }
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}

export function classificationMetrics(
  probabilities: Float64Array,
  labels: Int32Array,
  classes: number,
): Record<string, number> {
  const predicted = argmaxRows(probabilities, classes);
  return {
    roc_auc: rocAuc(probabilities, labels, classes),
    accuracy: accuracy(predicted, labels),
    log_loss: logLoss(probabilities, labels, classes),
    f1: f1(predicted, labels, classes),
  };
}

export function regressionMetrics(predicted: Float64Array, actual: Float64Array): Record<string, number> {
  return {
    rmse: rmse(predicted, actual),
    mae: mae(predicted, actual),
    r2: r2(predicted, actual),
  };
}

/** True when `a` is a better value of `metric` than `b`; NaN is worse than any number. */
export function isBetter(metric: MetricName, a: number, b: number): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return METRIC_DIRECTIONS[metric] === 'higher' ? a > b : a < b;
}
