/**
 * Resolves what a caller asked for into complete options, with documented defaults, and rejects
 * values the search cannot honour with an InvalidError naming the field.
 */
import { availableParallelism } from 'node:os';
import { InvalidError } from '../../core/errors.js';
import { TASK_METRICS } from './metrics.js';
import { DEFAULT_SEARCH_SPACES, parseSearchSpace } from './search-space.js';
import { type AutomlInput, type AutomlOptions, type MetricName, STRATEGIES, type Task } from './types.js';

export const AUTOML_DEFAULTS = {
  strategy: 'random',
  maxTrials: 30,
  timeBudgetMs: 120_000,
  folds: 5,
  holdoutFraction: 0.2,
  seed: 0,
} as const;

export const MAX_FOLDS = 20;

/**
 * Classification: log loss, binary and multiclass alike. It is a proper scoring rule over every
 * predicted probability, so it separates configurations that accuracy ties on small folds and that
 * ROC AUC (blind to calibration and to the threshold labels are predicted with) ranks as near-equal;
 * on the quality benchmark, selecting by AUC picked a worse model (bench/RESULTS.md, automl).
 * Regression: RMSE. The other metrics are still computed and reported for every trial.
 */
export function defaultMetric(task: Task): MetricName {
  return task === 'regression' ? 'rmse' : 'log_loss';
}

function invalid(field: string, problem: string, value: unknown): never {
  throw new InvalidError(`${field} ${problem}`, { field, value });
}

function integerIn(field: string, value: number, min: number, max = Number.POSITIVE_INFINITY): number {
  if (!Number.isInteger(value)) invalid(field, 'must be an integer', value);
  if (value < min) invalid(field, `must be >= ${min}`, value);
  if (value > max) invalid(field, `must be <= ${max}`, value);
  return value;
}

/** `context` describes the data: folds are checked against its rows. */
export function resolveAutomlOptions(input: AutomlInput, context: { readonly rows: number }): AutomlOptions {
  const { task } = input;
  if (task !== 'classification' && task !== 'regression') {
    invalid('task', 'must be classification or regression', task);
  }
  const metric = input.metric ?? defaultMetric(task);
  if (!TASK_METRICS[task].includes(metric)) {
    invalid(
      'metric',
      `'${metric}' is not a ${task} metric (use one of ${TASK_METRICS[task].join(', ')})`,
      metric,
    );
  }
  const strategy = input.strategy ?? AUTOML_DEFAULTS.strategy;
  if (!STRATEGIES.includes(strategy))
    invalid('strategy', `must be one of ${STRATEGIES.join(', ')}`, strategy);
  const maxTrials = integerIn('maxTrials', input.maxTrials ?? AUTOML_DEFAULTS.maxTrials, 1);
  const timeBudgetMs = input.timeBudgetMs ?? AUTOML_DEFAULTS.timeBudgetMs;
  if (!(timeBudgetMs > 0) || !Number.isFinite(timeBudgetMs)) {
    invalid('timeBudgetMs', 'must be a positive finite number of milliseconds', timeBudgetMs);
  }
  const folds = integerIn('folds', input.folds ?? AUTOML_DEFAULTS.folds, 2, MAX_FOLDS);
  if (folds > context.rows) invalid('folds', `must be <= the number of rows (${context.rows})`, folds);
  const holdoutFraction = input.holdoutFraction ?? AUTOML_DEFAULTS.holdoutFraction;
  if (!(holdoutFraction > 0 && holdoutFraction <= 0.5)) {
    invalid('holdoutFraction', 'must be in (0, 0.5]', holdoutFraction);
  }
  const seed = integerIn('seed', input.seed ?? AUTOML_DEFAULTS.seed, 0, 2 ** 32 - 1);
  const parallelism = integerIn('parallelism', input.parallelism ?? availableParallelism(), 1);
  const searchSpace =
    input.searchSpace === undefined ? DEFAULT_SEARCH_SPACES[task] : parseSearchSpace(input.searchSpace, task);
  return {
    task,
    metric,
    strategy,
    maxTrials,
    timeBudgetMs,
    folds,
    holdoutFraction,
    seed,
    searchSpace,
    parallelism,
  };
}
