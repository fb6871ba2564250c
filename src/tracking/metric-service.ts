/**
 * Metric logging in batches: a batch is validated whole, then written in one transaction (every
 * point or none), together with the latest value per key and one audit event.
 */
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import { NotFoundError } from '../core/errors.js';
import {
  decodePageToken,
  encodePageToken,
  isOffsetCursor,
  type Page,
  type PageRequest,
  pageSize,
} from '../core/pagination.js';
import { type Database, type DialectName, type MetricColumns, mutate, type Tx } from '../store/index.js';
import { fromStoredValue, type MetricPoint } from './entities.js';
import { GroupCommit } from './group-commit.js';
import { type LatestPoint, type MetricBatch, normaliseBatch } from './metric-batch.js';
import { findRunRow } from './run-loader.js';

/** Metric history is bulk data: pages may be larger than other lists. */
export const MAX_HISTORY_PAGE = 25_000;
const AUDITED_KEYS = 20;

// SQLite has one writer connection and an fsync per commit, which blocks the server while it
// waits: batches that arrive together share a commit. PostgreSQL commits concurrent transactions
// on separate connections in parallel (and groups their WAL flushes itself).
const GROUP_COMMIT: Readonly<Record<DialectName, boolean>> = { sqlite: true, postgres: false };
/** Points one group transaction takes at most (a few batches), so it never holds the writer long. */
const MAX_GROUP_POINTS = 50_000;

export class MetricService {
  private readonly groupCommit: GroupCommit | undefined;

  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {
    this.groupCommit = GROUP_COMMIT[database.dialect]
      ? new GroupCommit(database.db, MAX_GROUP_POINTS)
      : undefined;
  }

  /** Validates the whole batch first, then writes every point or none. */
  async logBatch(
    ctx: RequestContext,
    runId: string,
    batch: MetricBatch,
  ): Promise<{ readonly accepted: number }> {
    const { columns, latest } = normaliseBatch(batch, this.clock.now());
    const count = columns.keys.length;
    const write = (trx: Tx) => this.write(trx, ctx, runId, columns, latest);
    // An Idempotency-Key needs its own transaction (the stored answer commits with the write).
    if (this.groupCommit === undefined || ctx.idempotency !== undefined) {
      return mutate(this.database, ctx, write);
    }
    return this.groupCommit.run(Math.max(1, count), write);
  }

  private async write(
    trx: Tx,
    ctx: RequestContext,
    runId: string,
    columns: Omit<MetricColumns, 'runSeq'>,
    latest: ReadonlyMap<string, LatestPoint>,
  ): Promise<{ readonly accepted: number }> {
    const run = await findRunRow(trx, runId);
    const count = columns.keys.length;
    if (count > 0) {
      await this.database.insertMetrics(trx, { runSeq: run.seq, ...columns });
      // Sorted keys: concurrent batches lock latest rows in the same order, so they cannot deadlock.
      const latestRows = [...latest.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([key, point]) => ({ run_seq: run.seq, key, ...point }));
      await trx
        .insertInto('latest_metrics')
        .values(latestRows)
        .onConflict((oc) =>
          oc
            .columns(['run_seq', 'key'])
            .doUpdateSet((eb) => ({
              step: eb.ref('excluded.step'),
              timestamp: eb.ref('excluded.timestamp'),
              value: eb.ref('excluded.value'),
            }))
            .where((eb) =>
              eb.or([
                eb('excluded.step', '>', eb.ref('latest_metrics.step')),
                eb.and([
                  eb('excluded.step', '=', eb.ref('latest_metrics.step')),
                  eb('excluded.timestamp', '>=', eb.ref('latest_metrics.timestamp')),
                ]),
              ]),
            ),
        )
        .execute();
    }
    const loggedKeys = [...latest.keys()];
    await this.audit.record(trx, ctx, {
      action: 'run.log_metrics',
      resourceType: 'run',
      resourceId: runId,
      after: {
        points: count,
        keys: loggedKeys.slice(0, AUDITED_KEYS),
        moreKeys: Math.max(0, loggedKeys.length - AUDITED_KEYS),
      },
    });
    return { accepted: count };
  }

  /** Every logged point of one metric, by step then time (oldest first). */
  async history(runId: string, key: string, page: PageRequest = {}): Promise<Page<MetricPoint>> {
    const limit = pageSize(page.limit, MAX_HISTORY_PAGE);
    const query = JSON.stringify(['history', runId, key]);
    const offset = decodePageToken(page.pageToken, query, isOffsetCursor) ?? 0;
    const run = await findRunRow(this.database.db, runId);
    const rows = await this.database.db
      .selectFrom('metrics')
      .select(['step', 'timestamp', 'value'])
      .where('run_seq', '=', run.seq)
      .where('key', '=', key)
      .orderBy('step')
      .orderBy('timestamp')
      .limit(limit + 1)
      .offset(offset)
      .execute();
    if (rows.length === 0 && offset === 0) {
      throw new NotFoundError('METRIC_NOT_FOUND', `run ${runId} has no metric '${key}'`, { run: runId, key });
    }
    const more = rows.length > limit;
    const items = (more ? rows.slice(0, limit) : rows).map((row) => ({
      value: fromStoredValue(row.value),
      step: row.step,
      timestamp: row.timestamp,
    }));
    return more ? { items, nextPageToken: encodePageToken(offset + limit, query) } : { items };
  }
}
