/** Preflight: data that cannot support the search is rejected up front, naming what is wrong. */
import { describe, expect, it } from 'vitest';
import { InvalidError } from '../../../src/core/errors.js';
import { resolveAutomlOptions } from '../../../src/training/automl/options.js';
import { checkTrainingData } from '../../../src/training/automl/preflight.js';
import type { Table, Target } from '../../../src/training/table.js';
import { syntheticDataset } from '../gbdt/synthetic-data.js';

const { table, target } = syntheticDataset(200, 1, 'binary');
const options = resolveAutomlOptions({ task: 'classification', timeBudgetMs: 60_000 }, { rows: 200 });

function rejection(data: Table, labels: Target, opts = options): InvalidError {
  try {
    checkTrainingData(data, labels, opts);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidError);
    expect((error as InvalidError).code).toBe('INVALID_TRAINING_DATA');
    expect(['target', 'features', 'folds', 'timeBudgetMs']).toContain((error as InvalidError).details.field);
    return error as InvalidError;
  }
  throw new Error('expected INVALID_TRAINING_DATA');
}

describe('checkTrainingData', () => {
  it('accepts data that supports the search', () => {
    expect(() => checkTrainingData(table, target, options)).not.toThrow();
  });

  it('rejects a target with one class', () => {
    const labels: Target = { kind: 'classification', classes: ['no', 'yes'], labels: new Int32Array(200) };
    expect(rejection(table, labels).message).toMatch(/only one class \('no'\)/);
  });

  it('names a feature column with no values', () => {
    const blank: Table = {
      rows: 200,
      features: [
        ...table.features,
        { kind: 'numeric', name: 'empty', values: new Float64Array(200).fill(Number.NaN) },
      ],
    };
    expect(rejection(blank, target).message).toMatch(/feature 'empty' has no values/);
  });

  it('rejects a table without features', () => {
    expect(rejection({ rows: 200, features: [] }, target).message).toMatch(/no feature columns/);
  });

  it('names a class too small for the folds', () => {
    const labels = Int32Array.from({ length: 200 }, (_, row) => (row < 5 ? 1 : 0));
    const error = rejection(table, { kind: 'classification', classes: ['no', 'yes'], labels });
    expect(error.message).toMatch(
      /class 'yes' has 4 rows after the 20% holdout \(5 in all\), fewer than the 5 folds/,
    );
  });

  it('rejects a time budget below one estimated trial, with the estimate and the minimum', () => {
    const tight = { ...options, timeBudgetMs: 500 };
    const error = rejection(table, target, tight);
    expect(error.message).toMatch(
      /time budget 500 ms is too small for one trial: estimated \d+ ms per trial/,
    );
    expect(error.message).toMatch(/give at least \d+ ms/);
    expect(error.details.minimumMs).toBeGreaterThan(500);
  });
});
