/**
 * Predictions of the linear models on a Table (pure): class probabilities and labels for logistic
 * regression, values for ridge. They run the same encoding the trainer learned, so missing values
 * and unseen categories behave exactly as in the exported ONNX graph.
 */
import type { Table } from '../table.js';
import { encodeTable } from './linear-encoding.js';
import type { LogisticModel, RidgeModel } from './linear-model.js';

/** Probabilities [rows × classes], row-major; for two classes each row is [1 − p, p]. */
export function predictProbabilities(model: LogisticModel, table: Table): Float64Array {
  const { width } = model.encoding;
  const classes = model.classes.length;
  const x = encodeTable(model.encoding, table);
  const out = new Float64Array(table.rows * classes);
  for (let row = 0; row < table.rows; row++) {
    const base = row * width;
    const target = row * classes;
    for (let k = 0; k < model.outputs; k++) {
      let z = model.intercepts[k]!;
      const offset = k * width;
      for (let j = 0; j < width; j++) z += model.weights[offset + j]! * x[base + j]!;
      out[target + k] = z;
    }
    if (model.outputs === 1) {
      const p = 1 / (1 + Math.exp(-out[target]!));
      out[target] = 1 - p;
      out[target + 1] = p;
    } else {
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < classes; k++) max = Math.max(max, out[target + k]!);
      let sum = 0;
      for (let k = 0; k < classes; k++) {
        const e = Math.exp(out[target + k]! - max);
        out[target + k] = e;
        sum += e;
      }
      for (let k = 0; k < classes; k++) out[target + k] = out[target + k]! / sum;
    }
  }
  return out;
}

/** Index of the most probable class per row (the first one on a tie, like ONNX ArgMax). */
export function predictLabelIndices(model: LogisticModel, table: Table): Int32Array {
  const classes = model.classes.length;
  const probabilities = predictProbabilities(model, table);
  const out = new Int32Array(table.rows);
  for (let row = 0; row < table.rows; row++) {
    let best = 0;
    for (let k = 1; k < classes; k++) {
      if (probabilities[row * classes + k]! > probabilities[row * classes + best]!) best = k;
    }
    out[row] = best;
  }
  return out;
}

export function predictLabels(model: LogisticModel, table: Table): string[] {
  return Array.from(predictLabelIndices(model, table), (index) => model.classes[index]!);
}

export function predictValues(model: RidgeModel, table: Table): Float64Array {
  const { width } = model.encoding;
  const x = encodeTable(model.encoding, table);
  const out = new Float64Array(table.rows);
  for (let row = 0; row < table.rows; row++) {
    let value = model.intercept;
    for (let j = 0; j < width; j++) value += model.weights[j]! * x[row * width + j]!;
    out[row] = value;
  }
  return out;
}
