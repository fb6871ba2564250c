/**
 * Turns a metric batch, as points and/or series, into the columns the store inserts and the latest
 * point per key (pure, no I/O). Every point is checked first; an error names it by its place in the
 * request body (`metrics[3].step`, `series[1].timestamps[40]`), and nothing is written.
 */
import { InvalidError } from '../core/errors.js';
import type { MetricColumns } from '../store/index.js';
import { checkKey } from './validation.js';

export interface MetricInput {
  readonly key: string;
  /** NaN and ±Infinity are allowed. */
  readonly value: number;
  /** Defaults to 0. */
  readonly step?: number;
  /** Epoch milliseconds; defaults to the server's time. */
  readonly timestamp?: number;
}

/** Points of one key as columns: `values[i]` was logged at `steps[i]`, `timestamps[i]`. */
export interface MetricSeriesInput {
  readonly key: string;
  readonly values: readonly number[];
  /** One per value; default 0 each. */
  readonly steps?: readonly number[];
  /** One per value, epoch milliseconds; default the server's time. */
  readonly timestamps?: readonly number[];
}

export interface MetricBatch {
  readonly metrics?: readonly MetricInput[];
  readonly series?: readonly MetricSeriesInput[];
}

export const MAX_METRIC_BATCH = 10_000;

export interface LatestPoint {
  step: number;
  timestamp: number;
  /** null for NaN, as stored. */
  value: number | null;
}

export interface NormalisedBatch {
  readonly columns: Omit<MetricColumns, 'runSeq'>;
  /** Highest step, then latest timestamp, per key. */
  readonly latest: ReadonlyMap<string, LatestPoint>;
}

export function normaliseBatch(batch: MetricBatch, now: number): NormalisedBatch {
  const points = batch.metrics ?? [];
  const series = batch.series ?? [];
  let count = points.length;
  for (const entry of series) count += entry.values.length;
  if (count > MAX_METRIC_BATCH) {
    throw new InvalidError(`a batch holds at most ${MAX_METRIC_BATCH} metric points, got ${count}`, {
      field: 'metrics',
      limit: MAX_METRIC_BATCH,
    });
  }
  const columns = {
    keys: new Array<string>(count),
    steps: new Array<number>(count),
    timestamps: new Array<number>(count),
    values: new Array<number | null>(count),
  };
  const latest = new Map<string, LatestPoint>();
  let at = 0;
  const add = (
    key: string,
    value: unknown,
    step: number,
    timestamp: number,
    path: (field: string) => string,
  ) => {
    if (!latest.has(key)) checkKeyAt(key, path('key'));
    if (typeof value !== 'number')
      throw badPoint(path('value'), 'must be a number, "NaN", "Infinity" or "-Infinity"');
    if (!Number.isSafeInteger(step)) throw badPoint(path('step'), `must be an integer, got ${step}`);
    if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
      throw badPoint(
        path('timestamp'),
        `must be epoch milliseconds (a non-negative integer), got ${timestamp}`,
      );
    }
    const stored = Number.isNaN(value) ? null : value;
    columns.keys[at] = key;
    columns.steps[at] = step;
    columns.timestamps[at] = timestamp;
    columns.values[at] = stored;
    at++;
    const best = latest.get(key);
    if (best === undefined) {
      latest.set(key, { step, timestamp, value: stored });
    } else if (step > best.step || (step === best.step && timestamp >= best.timestamp)) {
      best.step = step;
      best.timestamp = timestamp;
      best.value = stored;
    }
  };
  for (let i = 0; i < points.length; i++) {
    const point = points[i]!;
    add(point.key, point.value, point.step ?? 0, point.timestamp ?? now, (field) => `metrics[${i}].${field}`);
  }
  for (let s = 0; s < series.length; s++) {
    const { key, values, steps, timestamps } = series[s]!;
    for (const [field, list] of [
      ['steps', steps],
      ['timestamps', timestamps],
    ] as const) {
      if (list !== undefined && list.length !== values.length) {
        throw badPoint(
          `series[${s}].${field}`,
          `must have one entry per value (${values.length}), got ${list.length}`,
        );
      }
    }
    for (let j = 0; j < values.length; j++) {
      add(key, values[j], steps?.[j] ?? 0, timestamps?.[j] ?? now, (field) =>
        field === 'key' ? `series[${s}].key` : `series[${s}].${field}s[${j}]`,
      );
    }
  }
  return { columns: groupByKey(columns), latest };
}

/**
 * Reorders a batch so each key's points are contiguous (keys sorted, each key's points in arrival
 * order): the metrics index is (run, key, step), so inserting neighbours together touches far fewer
 * B-tree pages. Linear, stable within a key (ties in a history keep their logged order).
 */
function groupByKey(columns: Omit<MetricColumns, 'runSeq'>): Omit<MetricColumns, 'runSeq'> {
  const { keys, steps, timestamps, values } = columns;
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  if (counts.size <= 1) return columns;
  // Where each key's next point goes in the grouped arrays.
  const next = new Map<string, number>();
  let offset = 0;
  for (const key of [...counts.keys()].sort()) {
    next.set(key, offset);
    offset += counts.get(key)!;
  }
  const count = keys.length;
  const grouped = {
    keys: new Array<string>(count),
    steps: new Array<number>(count),
    timestamps: new Array<number>(count),
    values: new Array<number | null>(count),
  };
  for (let i = 0; i < count; i++) {
    const key = keys[i]!;
    const at = next.get(key)!;
    next.set(key, at + 1);
    grouped.keys[at] = key;
    grouped.steps[at] = steps[i]!;
    grouped.timestamps[at] = timestamps[i]!;
    grouped.values[at] = values[i]!;
  }
  return grouped;
}

function checkKeyAt(key: string, path: string): void {
  try {
    checkKey('metric', key);
  } catch (error) {
    if (error instanceof InvalidError)
      throw new InvalidError(`${path}: ${error.message}`, { ...error.details, field: path });
    throw error;
  }
}

function badPoint(path: string, problem: string): InvalidError {
  return new InvalidError(`${path} ${problem}`, { field: path });
}
