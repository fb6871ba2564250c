/**
 * Inference log retention: rows older than SLIPWAY_INFERENCE_LOG_RETENTION are deleted, with the
 * labels of those rows, in batches so no delete holds the database for long. Runs at start and then
 * hourly on full servers (inference-only nodes leave it to them); deletes by age are idempotent, so
 * several servers doing it at once only repeat work. The live metrics time series is kept: it is the
 * history of what the deleted rows showed.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { Periodic } from '../../core/periodic.js';
import type { Database } from '../../store/index.js';

export const RETENTION_INTERVAL_MS = 3_600_000;
const BATCH_ROWS = 10_000;

export class LogRetention {
  private readonly periodic: Periodic;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    /** 0 keeps everything. */
    private readonly retentionMs: number,
    private readonly logger?: Logger,
  ) {
    this.periodic = new Periodic(
      'inference log retention',
      RETENTION_INTERVAL_MS,
      () => this.sweep(),
      logger,
    );
  }

  start(): void {
    if (this.retentionMs > 0) this.periodic.start({ immediately: true });
  }

  close(): Promise<void> {
    return this.periodic.close();
  }

  /** Deletes what is older than the retention now; answers the log rows deleted. */
  sweep(): Promise<number> {
    return this.deleteOld();
  }

  private async deleteOld(): Promise<number> {
    if (this.retentionMs === 0) return 0;
    const cutoff = this.clock.now() - this.retentionMs;
    const { db } = this.database;
    let deleted = 0;
    for (;;) {
      const batch = db.selectFrom('inference_log').select('id').where('at', '<', cutoff).limit(BATCH_ROWS);
      const result = await db.deleteFrom('inference_log').where('id', 'in', batch).executeTakeFirst();
      const rows = Number(result.numDeletedRows);
      deleted += rows;
      if (rows < BATCH_ROWS) break;
    }
    const labels = await db
      .deleteFrom('inference_labels')
      .where('predicted_at', '<', cutoff)
      .executeTakeFirst();
    if (deleted > 0 || Number(labels.numDeletedRows) > 0) {
      this.logger?.info(
        { rows: deleted, labels: Number(labels.numDeletedRows), before: new Date(cutoff).toISOString() },
        'inference log retention deleted old rows',
      );
    }
    return deleted;
  }
}
