/**
 * Joined rows (a label and the logged prediction of one model version) -> the typed arrays the
 * performance metrics and statistical tests take. Pure. Rows whose label names no class of the
 * version (or is not a number, for regressors) or whose logged answer cannot be read are counted in
 * `skipped` and left out.
 */
import type { ClassificationData, RegressionData } from '../performance/index.js';
import { classAnswer, classOfLabel, type LabelValue, valueAnswer, valueOfLabel } from './label-decoding.js';

/** One labelled prediction of one model version: the label joined with the inference log. */
export interface JoinedRow {
  readonly requestId: string;
  readonly rowIndex: number;
  readonly model: string;
  readonly version: number;
  /** The route as logged (`churn@champion`, or `shadow:churn@4`). */
  readonly route: string;
  /** True when this version's answer was a shadow's (logged, never returned). */
  readonly shadow: boolean;
  /** When the served prediction was made (epoch ms); the windows and buckets go by it. */
  readonly predictedAt: number;
  readonly receivedAt: number;
  readonly label: LabelValue;
  /** The logged prediction (parsed JSON). */
  readonly prediction: unknown;
}

/** Which rows the arrays hold, index for index, so two versions can be paired by request. */
export interface RowKeys {
  readonly model: string;
  readonly version: number;
  readonly requestIds: readonly string[];
  readonly rowIndexes: Int32Array;
  readonly predictedAt: Float64Array;
  /** Labelled rows left out: a label naming no class (or not a number), or an unreadable answer. */
  readonly skipped: number;
}

export type LabelledRows = (ClassificationData | RegressionData) & RowKeys;

/** `classes` undefined: a regressor. */
export function labelledRows(
  model: string,
  version: number,
  rows: readonly JoinedRow[],
  classes: readonly string[] | undefined,
): LabelledRows {
  const requestIds: string[] = [];
  const rowIndexes: number[] = [];
  const predictedAt: number[] = [];
  const keep = (row: JoinedRow) => {
    requestIds.push(row.requestId);
    rowIndexes.push(row.rowIndex);
    predictedAt.push(row.predictedAt);
  };
  const keys = () => ({
    model,
    version,
    requestIds,
    rowIndexes: Int32Array.from(rowIndexes),
    predictedAt: Float64Array.from(predictedAt),
    skipped: rows.length - requestIds.length,
  });
  if (classes === undefined) {
    const labels: number[] = [];
    const predictions: number[] = [];
    for (const row of rows) {
      const label = valueOfLabel(row.label);
      const value = valueAnswer(row.prediction);
      if (label === undefined || value === undefined) continue;
      labels.push(label);
      predictions.push(value);
      keep(row);
    }
    return {
      kind: 'regression',
      labels: Float64Array.from(labels),
      predictions: Float64Array.from(predictions),
      ...keys(),
    };
  }
  const k = classes.length;
  const labels: number[] = [];
  const predictions: number[] = [];
  const probabilityRows: Float64Array[] = [];
  let everyRowHasProbabilities = true;
  for (const row of rows) {
    const label = classOfLabel(row.label, classes);
    const answer = classAnswer(row.prediction, classes);
    if (label === undefined || answer === undefined) continue;
    labels.push(label);
    predictions.push(answer.predicted);
    if (answer.probabilities === undefined) everyRowHasProbabilities = false;
    else probabilityRows.push(answer.probabilities);
    keep(row);
  }
  let probabilities: Float64Array | undefined;
  if (everyRowHasProbabilities && labels.length > 0) {
    const matrix = new Float64Array(labels.length * k);
    for (const [i, row] of probabilityRows.entries()) matrix.set(row, i * k);
    probabilities = matrix;
  }
  return {
    kind: 'classification',
    classes,
    labels: Int32Array.from(labels),
    predictions: Int32Array.from(predictions),
    ...(probabilities === undefined
      ? {}
      : {
          probabilities,
          ...(k === 2
            ? {
                positiveProbabilities: Float64Array.from(
                  { length: labels.length },
                  (_, i) => probabilities![i * 2 + 1]!,
                ),
              }
            : {}),
        }),
    ...keys(),
  };
}
