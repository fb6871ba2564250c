/**
 * Model performance from labelled predictions: pure functions (no I/O) over typed arrays, defined as
 * scikit-learn defines them (see classification.ts and regression.ts for the details).
 */
import { accuracy, logLoss, precisionRecallF1, rocAuc } from './classification.js';
import { mae, r2, rmse } from './regression.js';

export {
  accuracy,
  logLoss,
  type PrecisionRecallF1,
  precisionRecallF1,
  rocAuc,
  rocAucBinary,
} from './classification.js';
export { mae, r2, rmse } from './regression.js';

/** Labelled rows of a classifier, as class indices in the model's class order. */
export interface ClassificationData {
  readonly kind: 'classification';
  /** The model version's classes; probability columns follow this order. */
  readonly classes: readonly string[];
  /** The true class of each row. */
  readonly labels: Int32Array;
  /** The class the model answered. */
  readonly predictions: Int32Array;
  /** Row-major rows × classes; absent unless every row's prediction carried probabilities. */
  readonly probabilities?: Float64Array;
  /** Binary classifiers: each row's probability of the positive class (`classes[1]`). */
  readonly positiveProbabilities?: Float64Array;
}

/** Labelled rows of a regressor. */
export interface RegressionData {
  readonly kind: 'regression';
  readonly labels: Float64Array;
  readonly predictions: Float64Array;
}

export type LabelledData = ClassificationData | RegressionData;

/** Metric names in the order they are shown. */
export const CLASSIFICATION_METRICS = ['accuracy', 'precision', 'recall', 'f1', 'rocAuc', 'logLoss'] as const;
export const REGRESSION_METRICS = ['rmse', 'mae', 'r2'] as const;
export type MetricName = (typeof CLASSIFICATION_METRICS)[number] | (typeof REGRESSION_METRICS)[number];

/**
 * Every metric the data supports: accuracy, precision, recall and F1 for classifiers, plus ROC AUC
 * and log loss when probabilities are known; RMSE, MAE and R² for regressors. Values may be NaN
 * (undefined for these rows, e.g. AUC with one class present).
 */
export function performanceMetrics(data: LabelledData): Partial<Record<MetricName, number>> {
  if (data.kind === 'regression')
    return {
      rmse: rmse(data.labels, data.predictions),
      mae: mae(data.labels, data.predictions),
      r2: r2(data.labels, data.predictions),
    };
  const k = data.classes.length;
  const scores = precisionRecallF1(data.labels, data.predictions, k);
  return {
    accuracy: accuracy(data.labels, data.predictions),
    precision: scores.precision,
    recall: scores.recall,
    f1: scores.f1,
    ...(data.probabilities === undefined || data.labels.length === 0
      ? {}
      : {
          rocAuc: rocAuc(data.labels, data.probabilities, k),
          logLoss: logLoss(data.labels, data.probabilities, k),
        }),
  };
}
