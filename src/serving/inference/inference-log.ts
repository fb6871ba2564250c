/**
 * The inference log: one row per predicted row, in the metadata database (table inference_log). It
 * lives there rather than in Parquet files because every replica writes to it and monitoring reads
 * windows of it by deployment, version and time, which the database's indexes answer directly and
 * the same way for all replicas. Rows go in with the dialect's bulk insert (prepared multi-row
 * statements on SQLite, one UNNEST insert on PostgreSQL), one transaction per batch.
 *
 * The request path only appends to a bounded buffer. Batches go to a writer thread (log-writer.ts),
 * which makes the rows' JSON and commits them, one batch at a time; the rows of a batch count against
 * the buffer until it is committed, so a slow database cannot make memory grow. A full buffer drops
 * the entry and counts it in slipway_inference_log_dropped_total, never silently. A sample fraction
 * below 1 logs that share of requests.
 */
import type { Logger } from '../../core/logger.js';
import type { InferenceLogEntry, LogPayload } from './log-records.js';
import type { LogWriter } from './log-writer.js';

export type { InferenceLogEntry, LogPayload } from './log-records.js';

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

/** Rows per transaction, so one write never holds the database for long. */
const ROWS_PER_FLUSH = 20_000;

export class InferenceLog {
  private buffer: InferenceLogEntry[] = [];
  private bufferedRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;

  constructor(
    private readonly writer: LogWriter,
    private readonly options: InferenceLogOptions,
    private readonly onDropped: (entries: number) => void,
    private readonly logger?: Logger,
  ) {}

  /**
   * Buffers the entry (or drops and counts it when the buffer is full). Never waits. `payload` is
   * called only for an entry that is kept.
   */
  record(facts: Omit<InferenceLogEntry, 'payload'>, payload: () => LogPayload): void {
    if (this.options.sample < 1 && Math.random() >= this.options.sample) return;
    if (this.bufferedRows + facts.rowCount > this.options.capacityRows) {
      this.onDropped(1);
      return;
    }
    this.buffer.push({ ...facts, payload: payload() });
    this.bufferedRows += facts.rowCount;
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
    await this.writer.close();
  }

  private async write(): Promise<void> {
    while (this.buffer.length > 0) {
      let count = 0;
      let rows = 0;
      while (count < this.buffer.length && rows < ROWS_PER_FLUSH) rows += this.buffer[count++]!.rowCount;
      const taken = this.buffer.splice(0, count);
      try {
        await this.writer.write(taken);
      } catch (error) {
        this.onDropped(taken.length);
        this.logger?.error(
          { err: error, entries: taken.length },
          'inference log entries could not be written',
        );
      } finally {
        this.bufferedRows -= rows;
      }
    }
  }
}
