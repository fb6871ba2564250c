/**
 * The inference log: one row per predicted row, in the metadata database (table inference_log). It
 * lives there rather than in Parquet files because every replica writes to it and monitoring reads
 * windows of it by deployment, version and time, which the database's indexes answer directly and
 * the same way for all replicas. Rows go in with the dialect's bulk insert (prepared multi-row
 * statements on SQLite, one UNNEST insert on PostgreSQL), one transaction per batch.
 *
 * The request path only appends to a bounded buffer (the rows' JSON is made later, when a batch is
 * written); a full buffer drops the entry and counts it in slipway_inference_log_dropped_total, never
 * silently. A sample fraction below 1 logs that share of requests.
 */
import { newId } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import type { Database } from '../../store/index.js';
import type { InferenceLogRow } from '../../store/tables.js';

export interface InferenceLogOptions {
  /** Share of requests logged, 0-1. */
  readonly sample: number;
  /** Rows buffered at most while waiting to be written. */
  readonly capacityRows: number;
  readonly flushIntervalMs: number;
}

export const DEFAULT_INFERENCE_LOG_OPTIONS: InferenceLogOptions = {
  sample: 1,
  capacityRows: 100_000,
  flushIntervalMs: 250,
};

/** One answered request; `rows()` makes its row-form features and predictions when it is written. */
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
  rows(): { features: readonly unknown[]; predictions: readonly unknown[] };
}

/** Rows per transaction, so one write never holds the database for long. */
const ROWS_PER_FLUSH = 20_000;

export class InferenceLog {
  private buffer: InferenceLogEntry[] = [];
  private bufferedRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;

  constructor(
    private readonly database: Database,
    private readonly options: InferenceLogOptions,
    private readonly onDropped: (entries: number) => void,
    private readonly logger?: Logger,
  ) {}

  /** Buffers the entry (or drops and counts it when the buffer is full). Never waits. */
  record(entry: InferenceLogEntry): void {
    if (this.options.sample < 1 && Math.random() >= this.options.sample) return;
    if (this.bufferedRows + entry.rowCount > this.options.capacityRows) {
      this.onDropped(1);
      return;
    }
    this.buffer.push(entry);
    this.bufferedRows += entry.rowCount;
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Writes what is buffered now (one write at a time). */
  flush(): Promise<void> {
    this.writing ??= this.write().finally(() => {
      this.writing = undefined;
    });
    return this.writing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    if (this.buffer.length > 0) await this.flush();
  }

  private async write(): Promise<void> {
    while (this.buffer.length > 0) {
      const taken: InferenceLogEntry[] = [];
      let rows = 0;
      while (this.buffer.length > 0 && rows < ROWS_PER_FLUSH) {
        const entry = this.buffer.shift()!;
        taken.push(entry);
        rows += entry.rowCount;
      }
      this.bufferedRows -= rows;
      const records = taken.flatMap(toRows);
      try {
        await this.database.insertInferenceLog(this.database.db, records);
      } catch (error) {
        this.onDropped(taken.length);
        this.logger?.error(
          { err: error, entries: taken.length },
          'inference log entries could not be written',
        );
      }
    }
  }
}

function toRows(entry: InferenceLogEntry): InferenceLogRow[] {
  const { features, predictions } = entry.rows();
  return features.map((row, i) => ({
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
    features: JSON.stringify(row),
    prediction: JSON.stringify(predictions[i] ?? null),
    latency_ms: entry.latencyMs,
  }));
}
