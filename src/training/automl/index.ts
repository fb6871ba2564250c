/** Public face of the AutoML search engine: options, search spaces, preflight checks and the search. */
export type { Fold, HoldoutSplit } from './folds.js';
export { holdoutSplit, kFolds } from './folds.js';
export type { MetricDirection } from './metrics.js';
export {
  classificationMetrics,
  isBetter,
  METRIC_DIRECTIONS,
  regressionMetrics,
  TASK_METRICS,
} from './metrics.js';
export { AUTOML_DEFAULTS, defaultMetric, MAX_FOLDS, resolveAutomlOptions } from './options.js';
export { checkTrainingData, estimateTrialMs, TRIAL_CELLS_PER_MS, WORKER_STARTUP_MS } from './preflight.js';
export { runAutoml } from './run-automl.js';
export { DEFAULT_SEARCH_SPACES, parseSearchSpace, TASK_FAMILIES } from './search-space.js';
export type { Planner } from './strategies.js';
export { createPlanner, GRID_POINTS, HALVING_ETA } from './strategies.js';
export type { FittedModel } from './trial.js';
export { exportOnnx, fitModel, predictModel } from './trial.js';
export * from './types.js';
