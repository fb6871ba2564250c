/**
 * Parity of the exported ONNX graphs with the TypeScript models under onnxruntime-node: binary,
 * multinomial and ridge, on thousands of rows with missing values and unseen categories.
 * Missing categorical values are fed to the graph as '' (see linear-onnx.ts).
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  LINEAR_ONNX_OUTPUTS,
  type LinearModel,
  linearModelToOnnx,
  predictLabels,
  predictProbabilities,
  predictValues,
  trainLogisticRegression,
  trainRidgeRegression,
} from '../../../src/training/linear/index.js';
import type { Table, Target } from '../../../src/training/table.js';
import { onnxFeeds } from '../onnx-feeds.js';
import { type LinearTruth, linearScores, makeTable, seededRandom, type TableSpec } from './generate.js';

const spec: Omit<TableSpec, 'rows'> = {
  numeric: [
    { offset: 0, scale: 1 },
    { offset: 100, scale: 20 },
    { offset: -4, scale: 0.1 },
  ],
  categorical: [
    ['red', 'green', 'blue'],
    ['s', 'm', 'l', 'xl'],
  ],
  missing: 0.1,
};
const truth: LinearTruth = {
  intercept: 0.3,
  numeric: [1, 0.02, -3],
  categorical: [
    { red: 1, green: -1 },
    { s: -0.5, xl: 1.5 },
  ],
};

async function run(model: LinearModel, table: Table): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(linearModelToOnnx(model));
  try {
    return await session.run(onnxFeeds(table));
  } finally {
    await session.release();
  }
}

function scoringTable(seed: number): Table {
  return makeTable({ ...spec, rows: 4000, unseen: 0.1 }, seededRandom(seed));
}

function classificationData(seed: number, classes: readonly string[]) {
  const random = seededRandom(seed);
  const table = makeTable({ ...spec, rows: 3000 }, random);
  const scores = linearScores(table, truth);
  // Classes are the quantile bands of a noisy score, so every class is well represented.
  const noisy = scores.map((score) => score + (random() - 0.5) * 2);
  const order = Array.from(noisy.keys()).sort((a, b) => noisy[a]! - noisy[b]!);
  const labels = new Int32Array(table.rows);
  order.forEach((row, rank) => {
    labels[row] = Math.floor((rank * classes.length) / table.rows);
  });
  const target: Target = { kind: 'classification', classes, labels };
  return { table, target };
}

async function expectClassifierParity(model: LinearModel, table: Table): Promise<void> {
  if (model.kind !== 'logistic') throw new Error('expected a logistic model');
  const outputs = await run(model, table);
  const probabilities = outputs[LINEAR_ONNX_OUTPUTS.probabilities]!;
  const labels = outputs[LINEAR_ONNX_OUTPUTS.label]!;
  const classes = model.classes.length;
  expect(probabilities.dims).toEqual([table.rows, classes]);
  expect(labels.dims).toEqual([table.rows]);
  const expected = predictProbabilities(model, table);
  const actual = probabilities.data as Float32Array;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThan(1e-5);
  expect(Array.from(labels.data as string[])).toEqual(predictLabels(model, table));
}

describe('linear ONNX export parity with onnxruntime-node', () => {
  it('binary logistic regression', async () => {
    const { table, target } = classificationData(11, ['negative', 'positive']);
    const model = trainLogisticRegression(table, target, { l2: 1e-3 });
    expect(model.outputs).toBe(1);
    await expectClassifierParity(model, scoringTable(12));
  });

  it('multinomial logistic regression with 4 classes', async () => {
    const { table, target } = classificationData(13, ['a', 'b', 'c', 'd']);
    const model = trainLogisticRegression(table, target, { l2: 1e-3 });
    expect(model.outputs).toBe(4);
    const predicted = new Set(predictLabels(model, scoringTable(14)));
    expect(predicted.size).toBeGreaterThanOrEqual(3); // the parity check exercises several labels
    await expectClassifierParity(model, scoringTable(14));
  });

  it('ridge regression', async () => {
    const random = seededRandom(15);
    const table = makeTable({ ...spec, rows: 3000 }, random);
    const values = linearScores(table, truth).map((score) => score + random() - 0.5);
    const model = trainRidgeRegression(table, { kind: 'regression', values }, { l2: 1e-3 });
    const scoring = scoringTable(16);
    const outputs = await run(model, scoring);
    const value = outputs[LINEAR_ONNX_OUTPUTS.value]!;
    expect(value.dims).toEqual([scoring.rows, 1]);
    const expected = predictValues(model, scoring);
    const actual = value.data as Float32Array;
    for (let row = 0; row < scoring.rows; row++) {
      // float32 carries ~7 significant digits: 1e-5 absolute, relative for larger values.
      expect(Math.abs(actual[row]! - expected[row]!)).toBeLessThan(
        1e-5 * Math.max(1, Math.abs(expected[row]!)),
      );
    }
  });

  it('a categorical-only model, with a column never seen filled in training', async () => {
    const random = seededRandom(17);
    const table = makeTable(
      { rows: 2000, numeric: [], categorical: [['x', 'y', 'z']], missing: 0.2 },
      random,
    );
    const empty: Table = {
      rows: table.rows,
      features: [
        ...table.features,
        { kind: 'categorical', name: 'blank', values: new Array(table.rows).fill(null) },
      ],
    };
    const labels = Int32Array.from({ length: table.rows }, (_, row) =>
      table.features[0]!.values[row] === 'x' ? 1 : 0,
    );
    const model = trainLogisticRegression(empty, { kind: 'classification', classes: ['0', '1'], labels });
    expect(model.encoding.width).toBe(3);
    const scoring = makeTable(
      { rows: 2000, numeric: [], categorical: [['x', 'y', 'z']], missing: 0.2, unseen: 0.2 },
      random,
    );
    const scoringWithBlank: Table = {
      rows: scoring.rows,
      features: [
        ...scoring.features,
        { kind: 'categorical', name: 'blank', values: new Array(scoring.rows).fill('q') },
      ],
    };
    await expectClassifierParity(model, scoringWithBlank);
  });

  it('refuses a feature named like a graph output', () => {
    const table: Table = {
      rows: 2,
      features: [{ kind: 'numeric', name: 'label', values: Float64Array.from([1, 2]) }],
    };
    const model = trainRidgeRegression(table, { kind: 'regression', values: Float64Array.from([1, 2]) });
    expect(() => linearModelToOnnx(model)).toThrow(/clashes/);
  });
});
