/**
 * Prediction on a Table with a trained GBDT model: raw scores, class probabilities, labels (class
 * indices) and regression values, all in float64.
 */
import type { Table } from '../table.js';
import { binTable } from './binning.js';
import { type GbdtModel, scoresPerRow } from './gbdt-model.js';
import { sigmoid } from './losses.js';
import { addTreeScores } from './tree.js';

/** Raw scores, row-major with scoresPerRow(model) per row (log-odds, per-class logits or values). */
export function predictRawScores(model: GbdtModel, table: Table): Float64Array {
  const data = binTable(table, model.binning);
  const outputs = scoresPerRow(model);
  const scores = new Float64Array(data.rows * outputs);
  for (let r = 0; r < data.rows; r++) scores.set(model.baseScores, r * outputs);
  for (const iteration of model.trees)
    iteration.forEach((tree, k) => {
      addTreeScores(tree, data, scores, outputs, k);
    });
  return scores;
}

/** Class probabilities, row-major with classes.length per row. */
export function predictProbabilities(model: GbdtModel, table: Table): Float64Array {
  if (model.kind === 'regression') throw new TypeError('a regression model has no class probabilities');
  const raw = predictRawScores(model, table);
  const classes = model.classes.length;
  const out = new Float64Array(table.rows * classes);
  for (let r = 0; r < table.rows; r++) {
    if (model.kind === 'binary') {
      const p = sigmoid(raw[r]!);
      out[r * 2] = 1 - p;
      out[r * 2 + 1] = p;
      continue;
    }
    const base = r * classes;
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < classes; c++) max = Math.max(max, raw[base + c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      out[base + c] = Math.exp(raw[base + c]! - max);
      sum += out[base + c]!;
    }
    for (let c = 0; c < classes; c++) out[base + c]! /= sum;
  }
  return out;
}

/** Predicted class index per row (the first class on ties). */
export function predictLabels(model: GbdtModel, table: Table): Int32Array {
  const probabilities = predictProbabilities(model, table);
  const classes = model.classes.length;
  const labels = new Int32Array(table.rows);
  for (let r = 0; r < table.rows; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if (probabilities[r * classes + c]! > probabilities[r * classes + best]!) best = c;
    labels[r] = best;
  }
  return labels;
}

export function predictValues(model: GbdtModel, table: Table): Float64Array {
  if (model.kind !== 'regression') throw new TypeError('predictValues needs a regression model');
  return predictRawScores(model, table);
}
