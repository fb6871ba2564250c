/** Option resolution and search-space validation: defaults, and errors that name the field at fault. */
import { describe, expect, it } from 'vitest';
import { InvalidError } from '../../../src/core/errors.js';
import { resolveAutomlOptions } from '../../../src/training/automl/options.js';
import { DEFAULT_SEARCH_SPACES, parseSearchSpace } from '../../../src/training/automl/search-space.js';
import type { AutomlInput } from '../../../src/training/automl/types.js';

function invalid(run: () => unknown): InvalidError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidError);
    return error as InvalidError;
  }
  throw new Error('expected an InvalidError');
}

describe('resolveAutomlOptions', () => {
  it('fills the documented defaults', () => {
    const binary = resolveAutomlOptions({ task: 'classification' }, { rows: 100 });
    expect(binary).toMatchObject({
      metric: 'log_loss',
      strategy: 'random',
      maxTrials: 30,
      timeBudgetMs: 120_000,
      folds: 5,
      holdoutFraction: 0.2,
      seed: 0,
      searchSpace: DEFAULT_SEARCH_SPACES.classification,
    });
    expect(binary.parallelism).toBeGreaterThanOrEqual(1);
    expect(resolveAutomlOptions({ task: 'classification' }, { rows: 100 }).metric).toBe('log_loss');
    expect(resolveAutomlOptions({ task: 'regression' }, { rows: 100 }).metric).toBe('rmse');
  });

  it.each<[Partial<AutomlInput>, string, RegExp]>([
    [{ metric: 'rmse' }, 'metric', /'rmse' is not a classification metric/],
    [{ strategy: 'bayes' as never }, 'strategy', /strategy must be one of grid, random, halving/],
    [{ folds: 1 }, 'folds', /folds must be >= 2/],
    [{ folds: 21 }, 'folds', /folds must be <= 20/],
    [{ holdoutFraction: 0.6 }, 'holdoutFraction', /holdoutFraction must be in \(0, 0.5\]/],
    [{ holdoutFraction: 0 }, 'holdoutFraction', /holdoutFraction/],
    [{ maxTrials: 0 }, 'maxTrials', /maxTrials must be >= 1/],
    [{ maxTrials: 2.5 }, 'maxTrials', /maxTrials must be an integer/],
    [{ parallelism: 0 }, 'parallelism', /parallelism must be >= 1/],
    [{ timeBudgetMs: -5 }, 'timeBudgetMs', /timeBudgetMs must be a positive/],
  ])('rejects %j naming %s', (input, field, message) => {
    const error = invalid(() => resolveAutomlOptions({ task: 'classification', ...input }, { rows: 100 }));
    expect(error.details.field).toBe(field);
    expect(error.message).toMatch(message);
  });
});

describe('parseSearchSpace', () => {
  it('accepts a valid space and returns it normalised', () => {
    const space = parseSearchSpace(
      {
        gbdt: {
          learningRate: { type: 'float', min: 0.01, max: 0.2, log: true },
          maxLeaves: { type: 'choice', values: [8, 16] },
        },
        ridge: { l2: { type: 'float', min: 0.1, max: 1 }, solver: { type: 'choice', values: ['lbfgs'] } },
      },
      'regression',
    );
    expect(space.gbdt?.learningRate).toEqual({ type: 'float', min: 0.01, max: 0.2, log: true });
    expect(space.ridge?.l2).toEqual({ type: 'float', min: 0.1, max: 1 });
  });

  it('accepts the default spaces', () => {
    for (const task of ['classification', 'regression'] as const) {
      expect(parseSearchSpace(DEFAULT_SEARCH_SPACES[task], task)).toEqual(DEFAULT_SEARCH_SPACES[task]);
    }
  });

  it.each<[unknown, string]>([
    [
      { gbdt: { learningRate: { type: 'float', min: 0, max: 0.3 } } },
      'searchSpace.gbdt.learningRate.min must be > 0',
    ],
    [
      { ridge: { l2: { type: 'float', min: 1, max: 2 } } },
      'searchSpace.ridge is not valid for classification',
    ],
    [{ forest: {} }, 'searchSpace.forest is not a model family'],
    [{ gbdt: { depth: { type: 'int', min: 1, max: 3 } } }, 'searchSpace.gbdt.depth is not a gbdt parameter'],
    [
      { gbdt: { maxLeaves: { type: 'int', min: 10, max: 4 } } },
      'searchSpace.gbdt.maxLeaves.min must be <= max (4)',
    ],
    [
      { gbdt: { maxLeaves: { type: 'choice', values: [] } } },
      'searchSpace.gbdt.maxLeaves.values must not be empty',
    ],
    [
      { gbdt: { maxLeaves: { type: 'float', min: 4, max: 8 } } },
      'searchSpace.gbdt.maxLeaves.type must be int or choice',
    ],
    [
      { gbdt: { subsample: { type: 'choice', values: [0.5, 1.5] } } },
      'searchSpace.gbdt.subsample.values[1] must be <= 1',
    ],
    [
      { logistic: { l2: { type: 'uniform', min: 0, max: 1 } } },
      'searchSpace.logistic.l2.type must be choice, int or float',
    ],
    [
      { logistic: { l2: { type: 'float', min: 0, max: 1, log: true } } },
      'searchSpace.logistic.l2.min must be > 0 for a log range',
    ],
    [{}, 'searchSpace must name at least one family'],
  ])('rejects %j: %s', (space, message) => {
    const error = invalid(() => parseSearchSpace(space, 'classification'));
    expect(error.message).toContain(message);
    expect(String(error.details.field)).toMatch(/^searchSpace/);
  });

  it('validates the search space given to resolveAutomlOptions', () => {
    const error = invalid(() =>
      resolveAutomlOptions(
        { task: 'regression', searchSpace: { logistic: { l2: { type: 'float', min: 1, max: 2 } } } },
        { rows: 100 },
      ),
    );
    expect(error.details.field).toBe('searchSpace.logistic');
  });
});
