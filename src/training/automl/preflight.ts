/**
 * Checks, before any work, that the data can support the search the options describe, so a user gets
 * one clear INVALID_TRAINING_DATA error instead of 30 failed trials. Every error's details name the
 * request field at fault (`field`: target, features, folds or timeBudgetMs) plus what is wrong with it.
 */
import { InvalidError } from '../../core/errors.js';
import type { Table, Target } from '../table.js';
import { holdoutCount, targetRows } from './folds.js';
import type { AutomlOptions } from './types.js';

/**
 * Conservative trial throughput, in cells per millisecond, where a trial costs
 * training rows × features × folds × trees per iteration (classes for multiclass) cells: about 100
 * boosting iterations at a third of the GBDT trainer's measured 50,000 cell-iterations/ms
 * (bench/RESULTS.md, gbdt), so 150 cells/ms.
 */
export const TRIAL_CELLS_PER_MS = 150;
/** Starting the worker threads (tsx compiles the sources when run from TypeScript). */
export const WORKER_STARTUP_MS = 1_000;

const CODE = 'INVALID_TRAINING_DATA';

function reject(message: string, details: Record<string, unknown>): never {
  throw new InvalidError(message, details, CODE);
}

/** Estimated milliseconds of one trial (all folds) at full budget; see TRIAL_CELLS_PER_MS. */
export function estimateTrialMs(table: Table, target: Target, options: AutomlOptions): number {
  const trainRows = table.rows * (1 - options.holdoutFraction);
  const treesPerIteration =
    target.kind === 'classification' && target.classes.length > 2 ? target.classes.length : 1;
  return (trainRows * table.features.length * options.folds * treesPerIteration) / TRIAL_CELLS_PER_MS;
}

function isAllMissing(feature: Table['features'][number]): boolean {
  if (feature.kind === 'numeric') return feature.values.every(Number.isNaN);
  return feature.values.every((value) => value === null || value === '');
}

export function checkTrainingData(table: Table, target: Target, options: AutomlOptions): void {
  if (table.features.length === 0) reject('the training data has no feature columns', { field: 'features' });
  if (targetRows(target) !== table.rows) {
    reject(`the target has ${targetRows(target)} rows, the features ${table.rows}`, {
      field: 'target',
      targetRows: targetRows(target),
      rows: table.rows,
    });
  }
  for (const feature of table.features) {
    if (isAllMissing(feature)) {
      reject(`feature '${feature.name}' has no values (every row is missing)`, {
        field: 'features',
        feature: feature.name,
      });
    }
  }
  if (target.kind === 'classification') {
    const counts = target.classes.map(() => 0);
    for (const label of target.labels) counts[label]!++;
    const present = target.classes.filter((_, c) => counts[c]! > 0);
    if (present.length < 2) {
      reject(
        `the target has only one class (${present.map((c) => `'${c}'`).join('') || 'no rows'}); classification needs two`,
        {
          field: 'target',
          classes: present,
        },
      );
    }
    target.classes.forEach((name, c) => {
      const training = counts[c]! - holdoutCount(counts[c]!, options.holdoutFraction);
      if (counts[c]! > 0 && training < options.folds) {
        reject(
          `class '${name}' has ${training} rows after the ${options.holdoutFraction * 100}% holdout ` +
            `(${counts[c]} in all), fewer than the ${options.folds} folds need (one per fold)`,
          { field: 'folds', class: name, rows: training, folds: options.folds },
        );
      }
    });
  } else {
    const training = table.rows - holdoutCount(table.rows, options.holdoutFraction);
    if (training < 2 * options.folds) {
      reject(
        `${training} rows after the ${options.holdoutFraction * 100}% holdout are too few for ${options.folds} folds (need ${2 * options.folds})`,
        { field: 'folds', rows: training, folds: options.folds },
      );
    }
  }
  const estimate = Math.ceil(estimateTrialMs(table, target, options));
  const minimum = estimate + WORKER_STARTUP_MS;
  if (options.timeBudgetMs < minimum) {
    reject(
      `time budget ${options.timeBudgetMs} ms is too small for one trial: estimated ${estimate} ms per trial ` +
        `(${table.rows} rows x ${table.features.length} features x ${options.folds} folds) plus ` +
        `${WORKER_STARTUP_MS} ms to start workers; give at least ${minimum} ms`,
      { field: 'timeBudgetMs', value: options.timeBudgetMs, estimatedTrialMs: estimate, minimumMs: minimum },
    );
  }
}
