/** Ridge regression: closed form equals L-BFGS on the same objective, recovers known coefficients. */
import { describe, expect, it } from 'vitest';
import {
  encodeTable,
  predictValues,
  ridgeObjective,
  solveCholesky,
  trainRidgeRegression,
} from '../../../src/training/linear/index.js';
import type { Target } from '../../../src/training/table.js';
import { type LinearTruth, linearScores, makeTable, normal, seededRandom } from './generate.js';

const truth: LinearTruth = { intercept: 3, numeric: [2, -0.5], categorical: [{ p: 0, q: 4, r: -2 }] };

function regressionData(rows: number, seed: number, noise: number) {
  const random = seededRandom(seed);
  const table = makeTable(
    {
      rows,
      numeric: [
        { offset: 1, scale: 2 },
        { offset: -3, scale: 5 },
      ],
      categorical: [['p', 'q', 'r']],
    },
    random,
  );
  const values = linearScores(table, truth).map((score) => score + noise * normal(random));
  const target: Target = { kind: 'regression', values };
  return { table, target, values };
}

describe('ridge regression', () => {
  it('solves a small SPD system with Cholesky', () => {
    const a = Float64Array.from([4, 2, 0.6, 2, 5, 1, 0.6, 1, 3]);
    const x = solveCholesky(a, Float64Array.from([1, 2, 3]), 3);
    for (let i = 0; i < 3; i++) {
      const row = a[i * 3]! * x[0]! + a[i * 3 + 1]! * x[1]! + a[i * 3 + 2]! * x[2]!;
      expect(row).toBeCloseTo(i + 1, 12);
    }
    expect(() => solveCholesky(Float64Array.from([1, 1, 1, 1]), Float64Array.from([1, 1]), 2)).toThrow(/l2/);
  });

  it('gives the same solution in closed form and with L-BFGS, with a zero gradient', () => {
    const { table, target } = regressionData(2000, 5, 1);
    const closed = trainRidgeRegression(table, target, { l2: 0.05 });
    const iterative = trainRidgeRegression(table, target, { l2: 0.05, solver: 'lbfgs' });
    expect(iterative.report.status).toBe('converged');
    expect(closed.report.gradientNorm).toBeLessThan(1e-9);
    expect(iterative.report.gradientNorm).toBeLessThan(1e-8);
    for (let j = 0; j < closed.weights.length; j++)
      expect(iterative.weights[j]).toBeCloseTo(closed.weights[j]!, 6);
    expect(iterative.intercept).toBeCloseTo(closed.intercept, 6);
    const x = encodeTable(closed.encoding, table);
    if (target.kind !== 'regression') throw new Error('unreachable');
    const gradient = new Float64Array(closed.encoding.width + 1);
    const params = Float64Array.from([...closed.weights, closed.intercept]);
    expect(ridgeObjective(x, closed.encoding.width, target.values, 0.05)(params, gradient)).toBeCloseTo(
      closed.report.objective,
      12,
    );
  });

  it('recovers the generating coefficients and predicts the noiseless values', () => {
    const { table, target } = regressionData(5000, 6, 0.01);
    const model = trainRidgeRegression(table, target, { l2: 1e-9 });
    model.encoding.numeric.forEach((spec, j) => {
      expect(model.weights[j]! / spec.std).toBeCloseTo(truth.numeric[j]!, 3);
    });
    const offset = model.encoding.numeric.length;
    expect(model.weights[offset + 1]! - model.weights[offset]!).toBeCloseTo(4, 3);
    expect(model.weights[offset + 2]! - model.weights[offset]!).toBeCloseTo(-2, 3);
    const predicted = predictValues(model, table);
    const expected = linearScores(table, truth);
    for (let row = 0; row < 100; row++) expect(predicted[row]).toBeCloseTo(expected[row]!, 2);
  });

  it('is deterministic and rejects a classification target', () => {
    const { table, target } = regressionData(300, 7, 1);
    expect(Array.from(trainRidgeRegression(table, target).weights)).toEqual(
      Array.from(trainRidgeRegression(table, target).weights),
    );
    const classification: Target = {
      kind: 'classification',
      classes: ['a', 'b'],
      labels: new Int32Array(300),
    };
    expect(() => trainRidgeRegression(table, classification)).toThrow(/regression target/);
  });
});
