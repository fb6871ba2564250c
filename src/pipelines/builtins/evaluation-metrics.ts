/**
 * Classification metrics of a model's probabilities against true labels (pure). ROC AUC, accuracy,
 * log loss and F1 are training's own functions, so an evaluation compares with the AutoML holdout;
 * precision and recall follow the same convention as its F1 (class 1 when binary, macro otherwise).
 */
// The training face does not re-export the AutoML engine's metric functions.
import { classificationMetrics } from '../../training/automl/index.js';

export function evaluateClassifier(
  probabilities: Float64Array,
  labels: Int32Array,
  classes: number,
): Record<string, number> {
  const predicted = argmax(probabilities, classes);
  const { precision, recall } = precisionRecall(predicted, labels, classes);
  return { ...classificationMetrics(probabilities, labels, classes), precision, recall };
}

function argmax(probabilities: Float64Array, classes: number): Int32Array {
  const rows = probabilities.length / classes;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if (probabilities[r * classes + c]! > probabilities[r * classes + best]!) best = c;
    }
    out[r] = best;
  }
  return out;
}

/** Binary: of class 1. Multiclass: unweighted means over the classes in the labels or predictions. */
export function precisionRecall(
  predicted: Int32Array,
  labels: Int32Array,
  classes: number,
): { precision: number; recall: number } {
  const of = (c: number) => {
    let truePositives = 0;
    let predictedPositives = 0;
    let actualPositives = 0;
    for (let i = 0; i < labels.length; i++) {
      if (predicted[i] === c) predictedPositives++;
      if (labels[i] === c) actualPositives++;
      if (predicted[i] === c && labels[i] === c) truePositives++;
    }
    // sklearn's zero_division=0: no predicted (or actual) positives scores 0.
    return {
      precision: predictedPositives === 0 ? 0 : truePositives / predictedPositives,
      recall: actualPositives === 0 ? 0 : truePositives / actualPositives,
    };
  };
  if (classes === 2) return of(1);
  const present = [...new Set([...labels, ...predicted])];
  let precision = 0;
  let recall = 0;
  for (const c of present) {
    const scores = of(c);
    precision += scores.precision;
    recall += scores.recall;
  }
  return { precision: precision / present.length, recall: recall / present.length };
}
