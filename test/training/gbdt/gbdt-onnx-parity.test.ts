/**
 * Parity of the exported ONNX graph with the TypeScript model, through onnxruntime-node, on rows with
 * missing values, unseen categories and values outside the training range.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { GbdtModel } from '../../../src/training/gbdt/gbdt-model.js';
import { gbdtToOnnx } from '../../../src/training/gbdt/gbdt-onnx.js';
import {
  predictLabels,
  predictProbabilities,
  predictValues,
} from '../../../src/training/gbdt/gbdt-predict.js';
import { trainGbdt } from '../../../src/training/gbdt/gbdt-trainer.js';
import type { Table } from '../../../src/training/table.js';
import { onnxFeeds } from '../onnx-feeds.js';
import { type SyntheticTask, syntheticDataset } from './synthetic-data.js';

async function run(bytes: Uint8Array, table: Table): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(bytes);
  return session.run(onnxFeeds(table));
}

/** Scales some numeric values far outside the training range and blanks some categories. */
function stressed(table: Table): Table {
  return {
    rows: table.rows,
    features: table.features.map((feature, f) =>
      feature.kind === 'numeric'
        ? { ...feature, values: feature.values.map((v, r) => (r % 97 === f ? v * 50 : v)) }
        : { ...feature, values: feature.values.map((v, r) => (r % 89 === 0 ? '' : v)) },
    ),
  };
}

/** Float32 neighbours of a float32 value. */
function float32Neighbours(edge: number): number[] {
  const bits = new Int32Array(Float32Array.of(edge).buffer);
  const view = new Float32Array(bits.buffer);
  const at = (delta: number) => {
    const saved = bits[0]!;
    bits[0] = saved + (edge >= 0 ? delta : -delta);
    const value = view[0]!;
    bits[0] = saved;
    return value;
  };
  // the edge itself, one float32 step either side, and a float64 value that rounds to the edge
  return [edge, at(1), at(-1), edge + Math.abs(edge) * 1e-9];
}

/** Rows whose numeric values sit exactly on, or one float32 step from, every bin edge. */
function edgeTable(model: GbdtModel, rows: number): Table {
  return {
    rows,
    features: model.binning.map((spec, f) => {
      if (spec.kind === 'categorical') {
        return {
          kind: 'categorical',
          name: spec.name,
          values: Array.from({ length: rows }, (_, r) => spec.categories[r % spec.categories.length] ?? null),
        };
      }
      const candidates = Array.from(spec.edges).flatMap(float32Neighbours);
      return {
        kind: 'numeric',
        name: spec.name,
        values: Float64Array.from({ length: rows }, (_, r) => candidates[(r * (f + 3)) % candidates.length]!),
      };
    }),
  };
}

const OPTIONS = {
  iterations: 40,
  maxLeaves: 15,
  minSamplesLeaf: 10,
  subsample: 0.8,
  featureFraction: 0.8,
  seed: 7,
};

describe.each<SyntheticTask>(['binary', 'multiclass'])('GBDT ONNX parity (%s)', (task) => {
  it('matches the TS probabilities within 1e-5 and the labels exactly', async () => {
    const train = syntheticDataset(3000, 1, task);
    const model = trainGbdt(train.table, train.target, OPTIONS);
    const test = stressed(syntheticDataset(4000, 2, task, { missingRate: 0.2, unseenRate: 0.1 }).table);
    const result = await run(gbdtToOnnx(model), test);
    const expected = predictProbabilities(model, test);
    const probabilities = result.probabilities!.data as Float32Array;
    expect(result.probabilities!.dims).toEqual([test.rows, model.classes.length]);
    let worst = 0;
    for (let i = 0; i < expected.length; i++)
      worst = Math.max(worst, Math.abs(probabilities[i]! - expected[i]!));
    expect(worst).toBeLessThan(1e-5);
    const labels = Array.from(predictLabels(model, test), (c) => model.classes[c]);
    expect(Array.from(result.label!.data as string[])).toEqual(labels);
  });

  it('routes values on and next to every bin edge exactly like the TS binning', async () => {
    const train = syntheticDataset(3000, 5, task);
    const model = trainGbdt(train.table, train.target, OPTIONS);
    const test = edgeTable(model, 5000);
    const result = await run(gbdtToOnnx(model), test);
    const expected = predictProbabilities(model, test);
    const probabilities = result.probabilities!.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < expected.length; i++)
      worst = Math.max(worst, Math.abs(probabilities[i]! - expected[i]!));
    expect(worst).toBeLessThan(1e-5);
  });
});

describe('GBDT ONNX parity (regression)', () => {
  it('matches the TS values within 1e-5', async () => {
    const train = syntheticDataset(3000, 3, 'regression');
    const model = trainGbdt(train.table, train.target, OPTIONS);
    const test = stressed(
      syntheticDataset(4000, 4, 'regression', { missingRate: 0.2, unseenRate: 0.1 }).table,
    );
    const result = await run(gbdtToOnnx(model), test);
    const expected = predictValues(model, test);
    expect(result.value!.dims).toEqual([test.rows, 1]);
    const values = result.value!.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(values[i]! - expected[i]!));
    expect(worst).toBeLessThan(1e-5);
  });
});
