/**
 * Prediction drift: a version's answers in the window against its answers on the reference. The
 * reference answers are computed once per version and reference (the model is run on a sample of
 * the reference rows, never logged) and kept. Classifiers compare the predicted label (and, with two
 * classes, the positive class's probability); regressors the predicted value.
 */
import { formatReference } from '../../core/references.js';
import type { DatasetVersion } from '../../data/index.js';
import type { ModelVersion } from '../../registry/index.js';
import type { Serving } from '../../serving/index.js';
import type { DriftColumn, DriftTable } from '../drift/index.js';
import type { LoadedTable } from '../tables/index.js';
import { toCategory, toNumber, type WindowRow } from './window.js';

/** Reference rows the model is run on (evenly spaced over the reference). */
export const REFERENCE_PREDICTION_ROWS = 5000;

interface Answer {
  readonly label: unknown;
  readonly probabilities?: readonly unknown[];
}

/** The label and probabilities of a logged answer, whichever protocol it came through. */
export function readAnswer(prediction: unknown): Answer {
  if (typeof prediction !== 'object' || prediction === null || Array.isArray(prediction)) {
    return { label: prediction };
  }
  const record = prediction as Record<string, unknown>;
  const probabilities = Array.isArray(record.probabilities) ? record.probabilities : undefined;
  const label =
    'prediction' in record
      ? record.prediction
      : 'label' in record
        ? record.label
        : Object.values(record).find((value) => typeof value !== 'object' || value === null);
  return probabilities === undefined ? { label } : { label, probabilities };
}

/** The prediction columns of `answers` for `model`. */
export function answerTable(model: ModelVersion, answers: readonly Answer[]): DriftTable {
  const classes = model.classes;
  if (classes === undefined || classes.length === 0) {
    return {
      columns: {
        prediction: { kind: 'numeric', values: Float64Array.from(answers, (a) => toNumber(a.label)) },
      },
    };
  }
  const columns: Record<string, DriftColumn> = {
    prediction: { kind: 'categorical', values: answers.map((a) => toCategory(a.label)) },
  };
  if (classes.length === 2) {
    columns.probability = {
      kind: 'numeric',
      values: Float64Array.from(answers, (a) => toNumber(a.probabilities?.[1])),
    };
  }
  return { columns };
}

export function windowAnswers(rows: readonly WindowRow[]): Answer[] {
  return rows.map((row) => readAnswer(row.prediction));
}

/** Answers of `model` on an evenly spaced sample of the reference; kept per version and reference. */
export class ReferenceAnswers {
  private readonly cache = new Map<string, Promise<DriftTable>>();

  constructor(
    private readonly serving: Serving,
    private readonly capacity = 8,
  ) {}

  get(model: ModelVersion, dataset: DatasetVersion, table: LoadedTable): Promise<DriftTable> {
    const key = `${formatReference(model.model, model.version)}\n${dataset.dataDigest}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const computing = this.compute(model, table);
    computing.catch(() => this.cache.delete(key));
    this.cache.set(key, computing);
    while (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!);
    return computing;
  }

  private async compute(model: ModelVersion, loaded: LoadedTable): Promise<DriftTable> {
    const step = Math.max(1, Math.ceil(loaded.rows / REFERENCE_PREDICTION_ROWS));
    const columns = Object.entries(loaded.table.columns);
    const instances: Record<string, unknown>[] = [];
    for (let row = 0; row < loaded.rows; row += step) {
      const instance: Record<string, unknown> = {};
      for (const [name, column] of columns) {
        const value = column.values[row];
        if (value !== null && !(typeof value === 'number' && Number.isNaN(value))) instance[name] = value;
      }
      instances.push(instance);
    }
    const result = await this.serving.inference.predictVersion(model.model, model.version, instances);
    const answers: Answer[] = result.predictions.map((label, i) =>
      result.probabilities === undefined ? { label } : { label, probabilities: result.probabilities[i] },
    );
    return answerTable(model, answers);
  }
}
