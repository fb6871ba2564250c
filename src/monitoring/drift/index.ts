/** Drift reports: compare two tables column by column with Evidently-style default tests. */
export { MAX_HISTOGRAM_CATEGORIES } from './column-drift.js';
export { compareTables } from './dataset-drift.js';
export {
  DEFAULT_THRESHOLDS,
  defaultTest,
  MAX_DISCRETE_VALUES,
  SMALL_REFERENCE_ROWS,
} from './default-tests.js';
export { MMD_THRESHOLD } from './multivariate-drift.js';
export {
  type CategoricalColumn,
  COLUMN_DRIFT_TESTS,
  type ColumnDriftResult,
  type ColumnKind,
  type ColumnOverride,
  type CompareOptions,
  type Correction,
  type DatasetDriftReport,
  DRIFT_TESTS,
  type DriftColumn,
  type DriftHistogram,
  type DriftTable,
  type DriftTestName,
  MULTIVARIATE_DRIFT_TESTS,
  type MultivariateDrift,
  type MultivariateTestName,
  type NumericColumn,
  OTHER_BUCKET,
  type RequestedTestName,
  type SkippedColumn,
  type TestOutcome,
} from './report-types.js';
