/**
 * Logistic regression on data drawn from known models: stationarity of the solution, monotone
 * L-BFGS loss, recovery of the generating coefficients, multinomial accuracy and determinism.
 */
import { describe, expect, it } from 'vitest';
import {
  encodeTable,
  logisticObjective,
  minimizeLbfgs,
  predictLabelIndices,
  predictProbabilities,
  trainLogisticRegression,
} from '../../../src/training/linear/index.js';
import type { Target } from '../../../src/training/table.js';
import { type LinearTruth, linearScores, makeTable, seededRandom } from './generate.js';

const binaryTruth: LinearTruth = {
  intercept: -0.5,
  numeric: [1.5, -2, 0.25],
  categorical: [{ a: 0, b: 1, c: -1 }],
};

function binaryData(rows: number, seed: number) {
  const random = seededRandom(seed);
  const table = makeTable(
    {
      rows,
      numeric: [
        { offset: 2, scale: 1 },
        { offset: -1, scale: 0.5 },
        { offset: 10, scale: 3 },
      ],
      categorical: [['a', 'b', 'c']],
    },
    random,
  );
  const scores = linearScores(table, binaryTruth);
  const labels = Int32Array.from(scores, (score) => (random() < 1 / (1 + Math.exp(-score)) ? 1 : 0));
  const target: Target = { kind: 'classification', classes: ['no', 'yes'], labels };
  return { table, target };
}

describe('logistic regression', () => {
  it('reaches a stationary point of its objective, with a monotonically decreasing loss', () => {
    const { table, target } = binaryData(3000, 1);
    if (target.kind !== 'classification') throw new Error('unreachable');
    const model = trainLogisticRegression(table, target, { l2: 1e-2 });
    expect(model.report.status).toBe('converged');
    const x = encodeTable(model.encoding, table);
    const width = model.encoding.width;
    const objective = logisticObjective(x, width, target.labels, 1, 1e-2);
    const params = new Float64Array(width + 1);
    params.set(model.weights);
    params[width] = model.intercepts[0]!;
    const gradient = new Float64Array(width + 1);
    expect(objective(params, gradient)).toBeCloseTo(model.report.objective, 12);
    expect(Math.hypot(...gradient)).toBeLessThan(1e-6);
    const run = minimizeLbfgs(objective, new Float64Array(width + 1));
    expect(run.history.every((value, i) => i === 0 || value <= run.history[i - 1]!)).toBe(true);
    for (let j = 0; j <= width; j++) expect(run.x[j]).toBeCloseTo(params[j]!, 5);
  });

  it('recovers the coefficients of the generating binary model', () => {
    const { table, target } = binaryData(40_000, 2);
    const model = trainLogisticRegression(table, target, { l2: 1e-8 });
    const numeric = model.encoding.numeric.map((spec, j) => model.weights[j]! / spec.std);
    // Tolerances of about five standard errors of the estimates at this sample size.
    numeric.forEach((coefficient, j) => {
      expect(Math.abs(coefficient - binaryTruth.numeric[j]!)).toBeLessThan(0.1);
    });
    const [block] = model.encoding.categorical;
    expect(block!.categories).toEqual(['a', 'b', 'c']);
    const offset = model.encoding.numeric.length;
    const effect = (k: number) => model.weights[offset + k]! - model.weights[offset]!;
    expect(Math.abs(effect(1) - 1)).toBeLessThan(0.15);
    expect(Math.abs(effect(2) + 1)).toBeLessThan(0.15);
  });

  it('fits a multinomial model to 4 classes nearly as well as the generating model', () => {
    const random = seededRandom(3);
    const rows = 8000;
    const table = makeTable(
      {
        rows,
        numeric: [
          { offset: 0, scale: 1 },
          { offset: 5, scale: 2 },
        ],
        categorical: [['u', 'v', 'w']],
      },
      random,
    );
    const truths: LinearTruth[] = [
      { intercept: 0, numeric: [0, 0], categorical: [{}] },
      { intercept: 0.5, numeric: [2, 0], categorical: [{ u: 1 }] },
      { intercept: -5, numeric: [-1, 1], categorical: [{ v: -1 }] },
      { intercept: 2, numeric: [1, -0.5], categorical: [{ w: 2 }] },
    ];
    const scores = truths.map((truth) => linearScores(table, truth));
    const bayes = new Int32Array(rows);
    const labels = new Int32Array(rows);
    for (let row = 0; row < rows; row++) {
      const exp = scores.map((s) => Math.exp(s[row]!));
      const total = exp.reduce((a, b) => a + b, 0);
      const draw = random() * total;
      let label = 0;
      for (let cumulative = exp[0]!; cumulative <= draw && label < 3; cumulative += exp[label]!) label++;
      labels[row] = label;
      bayes[row] = exp.indexOf(Math.max(...exp));
    }
    const target: Target = { kind: 'classification', classes: ['k0', 'k1', 'k2', 'k3'], labels };
    const model = trainLogisticRegression(table, target, { l2: 1e-6 });
    expect(model.report.status).toBe('converged');
    expect(model.outputs).toBe(4);
    const predicted = predictLabelIndices(model, table);
    const accuracy = (guess: Int32Array) => guess.filter((label, row) => label === labels[row]).length / rows;
    expect(accuracy(predicted)).toBeGreaterThan(accuracy(bayes) - 0.01);
    // Differences of class logits are identifiable: class 1 minus class 0 on x0 is 2 (raw scale).
    const std0 = model.encoding.numeric[0]!.std;
    const width = model.encoding.width;
    expect((model.weights[width] ?? 0) / std0 - model.weights[0]! / std0).toBeCloseTo(2, 0);
    const probabilities = predictProbabilities(model, table);
    for (let row = 0; row < 10; row++) {
      const sum = probabilities.subarray(row * 4, row * 4 + 4).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 12);
    }
  });

  it('is deterministic and rejects bad targets', () => {
    const { table, target } = binaryData(500, 4);
    const first = trainLogisticRegression(table, target);
    const second = trainLogisticRegression(table, target);
    expect(Array.from(first.weights)).toEqual(Array.from(second.weights));
    expect(() =>
      trainLogisticRegression(table, { kind: 'regression', values: new Float64Array(500) }),
    ).toThrow(/classification/);
    const oneClass: Target = { kind: 'classification', classes: ['only'], labels: new Int32Array(500) };
    expect(() => trainLogisticRegression(table, oneClass)).toThrow(/two classes/);
  });
});
