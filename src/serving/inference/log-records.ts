/**
 * Inference log entries as they travel to the writer (plain data: tensors as wire records, predict
 * answers as given) and the table rows made from them there, one per predicted row.
 */
import { newId } from '../../core/ids.js';
import type { InferenceLogRow } from '../../store/tables.js';
import type { WireTensor } from '../runtime/session-wire.js';
import { tensorRows } from './tensor-rows.js';

/** What a request put in and got out, in the form its protocol speaks. */
export type LogPayload =
  | {
      readonly kind: 'tensors';
      readonly inputs: readonly WireTensor[];
      readonly outputs: readonly WireTensor[];
    }
  | {
      readonly kind: 'predictions';
      readonly features: readonly unknown[];
      readonly predictions: readonly unknown[];
      readonly probabilities: readonly unknown[] | undefined;
    };

/** One answered request. */
export interface InferenceLogEntry {
  readonly at: number;
  readonly requestId: string;
  readonly deployment: string;
  readonly revision: number;
  readonly route: string;
  readonly model: string;
  readonly version: number;
  readonly shadow: boolean;
  readonly latencyMs: number;
  readonly rowCount: number;
  readonly payload: LogPayload;
}

export function logRecords(entries: readonly InferenceLogEntry[]): InferenceLogRow[] {
  const records: InferenceLogRow[] = [];
  for (const entry of entries) {
    const { features, predictions } = rowForm(entry);
    for (let i = 0; i < features.length; i++) {
      records.push({
        id: newId(entry.at),
        at: entry.at,
        request_id: entry.requestId,
        row_index: i,
        deployment: entry.deployment,
        revision: entry.revision,
        route: entry.route,
        model: entry.model,
        model_version: entry.version,
        shadow: entry.shadow ? 1 : 0,
        features: JSON.stringify(features[i]),
        prediction: JSON.stringify(predictions[i] ?? null),
        latency_ms: entry.latencyMs,
      });
    }
  }
  return records;
}

function rowForm({ payload, rowCount }: InferenceLogEntry): {
  features: readonly unknown[];
  predictions: readonly unknown[];
} {
  if (payload.kind === 'tensors')
    return {
      features: tensorRows(payload.inputs, rowCount),
      predictions: tensorRows(payload.outputs, rowCount),
    };
  const { probabilities } = payload;
  return {
    features: payload.features,
    predictions: payload.predictions.map((prediction, i) =>
      probabilities === undefined ? { prediction } : { prediction, probabilities: probabilities[i] },
    ),
  };
}
