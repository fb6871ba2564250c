/**
 * Metric logging in batches: a batch is validated whole, then written in one transaction (every
 * point or none), together with the latest value per key and one audit event.
 */
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import { InvalidError, NotFoundError } from '../core/errors.js';
import {
  decodePageToken,
  encodePageToken,
  type Page,
  type PageRequest,
  pageSize,
} from '../core/pagination.js';
import { type Database, mutate } from '../store/index.js';
import { fromStoredValue, type MetricPoint } from './entities.js';
import { findRunRow } from './run-loader.js';
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

export const MAX_METRIC_BATCH = 10_000;
/** Metric history is bulk data: pages may be larger than other lists. */
export const MAX_HISTORY_PAGE = 25_000;
const AUDITED_KEYS = 20;

interface Latest {
  step: number;
  timestamp: number;
  value: number | null;
}

export class MetricService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async logBatch(
    ctx: RequestContext,
    runId: string,
    points: readonly MetricInput[],
  ): Promise<{ readonly accepted: number }> {
    if (points.length > MAX_METRIC_BATCH) {
      throw new InvalidError(
        `a batch holds at most ${MAX_METRIC_BATCH} metric points, got ${points.length}`,
        {
          field: 'metrics',
          limit: MAX_METRIC_BATCH,
        },
      );
    }
    const now = this.clock.now();
    const count = points.length;
    const keys: string[] = new Array(count);
    const steps: number[] = new Array(count);
    const timestamps: number[] = new Array(count);
    const values: (number | null)[] = new Array(count);
    const latest = new Map<string, Latest>();
    for (let i = 0; i < count; i++) {
      const point = points[i]!;
      const key = point.key;
      if (!latest.has(key)) checkKey('metric', key);
      const step = point.step ?? 0;
      const timestamp = point.timestamp ?? now;
      if (typeof point.value !== 'number')
        throw badPoint(i, 'value', 'must be a number, "NaN", "Infinity" or "-Infinity"');
      if (!Number.isSafeInteger(step)) throw badPoint(i, 'step', `must be an integer, got ${step}`);
      if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
        throw badPoint(
          i,
          'timestamp',
          `must be epoch milliseconds (a non-negative integer), got ${timestamp}`,
        );
      }
      const value = Number.isNaN(point.value) ? null : point.value;
      keys[i] = key;
      steps[i] = step;
      timestamps[i] = timestamp;
      values[i] = value;
      const best = latest.get(key);
      if (best === undefined) {
        latest.set(key, { step, timestamp, value });
      } else if (step > best.step || (step === best.step && timestamp >= best.timestamp)) {
        best.step = step;
        best.timestamp = timestamp;
        best.value = value;
      }
    }

    return mutate(this.database, ctx, async (trx) => {
      const run = await findRunRow(trx, runId);
      if (count > 0) {
        await this.database.insertMetrics(trx, { runSeq: run.seq, keys, steps, timestamps, values });
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
    });
  }

  /** Every logged point of one metric, by step then time (oldest first). */
  async history(runId: string, key: string, page: PageRequest = {}): Promise<Page<MetricPoint>> {
    const limit = pageSize(page.limit, MAX_HISTORY_PAGE);
    const query = JSON.stringify(['history', runId, key]);
    const offset = decodePageToken<number>(page.pageToken, query) ?? 0;
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

function badPoint(index: number, field: string, problem: string): InvalidError {
  return new InvalidError(`metrics[${index}].${field} ${problem}`, { field: `metrics[${index}].${field}` });
}
