/**
 * One trial: train a configuration on each fold's training rows and score it on the fold's validation
 * rows. Also the fit / predict / export used for the final refit. Pure and deterministic (trainer
 * seeds come from the search seed), so a trial gives the same scores on any worker.
 */

import type { GbdtOptions } from '../gbdt/index.js';
import * as gbdt from '../gbdt/index.js';
import type { LogisticOptions, RidgeOptions } from '../linear/index.js';
import * as linear from '../linear/index.js';
import type { Table, Target } from '../table.js';
import { takeRows, takeTarget } from '../table.js';
import type { Fold } from './folds.js';
import { classificationMetrics, regressionMetrics } from './metrics.js';
import type { Family, MetricSummary, ParamValues } from './types.js';

export type FittedModel =
  | { readonly family: 'gbdt'; readonly model: gbdt.GbdtModel }
  | { readonly family: 'logistic'; readonly model: linear.LogisticModel }
  | { readonly family: 'ridge'; readonly model: linear.RidgeModel };

export interface FitRequest {
  readonly family: Family;
  /** Validated by parseSearchSpace against the trainer's option names and ranges. */
  readonly params: ParamValues;
  /** Share of the full budget (successive halving); 1 trains the configuration as given. */
  readonly budgetFraction?: number;
  readonly seed: number;
}

/**
 * Rows a linear model trains on at a budget fraction: an evenly strided subset (deterministic, no
 * sampling), at least 20 rows, so cheap rungs of successive halving see less data.
 */
function budgetRows(rows: number, fraction: number): Uint32Array | undefined {
  const count = Math.max(Math.min(rows, 20), Math.ceil(rows * fraction));
  if (count >= rows) return undefined;
  return Uint32Array.from({ length: count }, (_, j) => Math.floor((j * rows) / count));
}

export function fitModel(table: Table, target: Target, request: FitRequest): FittedModel {
  const fraction = request.budgetFraction ?? 1;
  if (request.family === 'gbdt') {
    const options = request.params as GbdtOptions;
    // GBDT's budget is its boosting iterations (trainer default 100 when the space leaves it out).
    const iterations = Math.max(1, Math.round((options.iterations ?? 100) * fraction));
    return {
      family: 'gbdt',
      model: gbdt.trainGbdt(table, target, { ...options, iterations, seed: request.seed }),
    };
  }
  const subset = budgetRows(table.rows, fraction);
  const rows = subset === undefined ? table : takeRows(table, subset);
  const labels = subset === undefined ? target : takeTarget(target, subset);
  if (request.family === 'logistic') {
    return {
      family: 'logistic',
      model: linear.trainLogisticRegression(rows, labels, request.params as LogisticOptions),
    };
  }
  return {
    family: 'ridge',
    model: linear.trainRidgeRegression(rows, labels, request.params as RidgeOptions),
  };
}

/** Classifiers: probabilities [rows × classes]; regressors: one value per row. */
export function predictModel(fitted: FittedModel, table: Table): Float64Array {
  switch (fitted.family) {
    case 'gbdt':
      return fitted.model.kind === 'regression'
        ? gbdt.predictValues(fitted.model, table)
        : gbdt.predictProbabilities(fitted.model, table);
    case 'logistic':
      return linear.predictProbabilities(fitted.model, table);
    case 'ridge':
      return linear.predictValues(fitted.model, table);
  }
}

export function exportOnnx(fitted: FittedModel): Uint8Array {
  return fitted.family === 'gbdt' ? gbdt.gbdtToOnnx(fitted.model) : linear.linearModelToOnnx(fitted.model);
}

export function scorePredictions(predictions: Float64Array, target: Target): Record<string, number> {
  return target.kind === 'classification'
    ? classificationMetrics(predictions, target.labels, target.classes.length)
    : regressionMetrics(predictions, target.values);
}

/** Mean and (population) standard deviation over the folds of every metric. */
function summarise(perFold: readonly Record<string, number>[]): Record<string, MetricSummary> {
  const out: Record<string, MetricSummary> = {};
  for (const name of Object.keys(perFold[0] ?? {})) {
    const values = perFold.map((metrics) => metrics[name]!);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
    out[name] = { mean, std: Math.sqrt(variance) };
  }
  return out;
}

/** Cross-validates one configuration; throws what the trainer throws. */
export function crossValidate(
  table: Table,
  target: Target,
  folds: readonly Fold[],
  request: FitRequest,
): Record<string, MetricSummary> {
  const perFold = folds.map((fold) => {
    const fitted = fitModel(takeRows(table, fold.train), takeTarget(target, fold.train), request);
    return scorePredictions(
      predictModel(fitted, takeRows(table, fold.validation)),
      takeTarget(target, fold.validation),
    );
  });
  return summarise(perFold);
}
