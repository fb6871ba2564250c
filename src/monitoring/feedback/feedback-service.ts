/**
 * Feedback: true labels joined with the inference log, and the live performance of every model
 * version they give. A call is all-or-nothing (checked whole, then written in one transaction with
 * its audit event and the recomputed hourly buckets it touched). Within it, each label is accepted,
 * a duplicate (the row has a label already: the first stays), or unknown (no such logged row in the
 * deployment: a wrong id, or one the log has not written yet, see the README); accepted labels that
 * came more than `lateAfterSeconds` after their prediction are also counted late.
 */
import type { AuditLog } from '../../auth/index.js';
import type { Clock } from '../../core/clock.js';
import type { RequestContext } from '../../core/context.js';
import { InvalidError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Registry } from '../../registry/index.js';
import type { DeploymentService } from '../../serving/index.js';
import { type Database, type Executor, mutate } from '../../store/index.js';
import type { InferenceLabelRow } from '../../store/tables.js';
import { type CheckedItem, checkFeedbackInput, type FeedbackInput } from './feedback-input.js';
import type { LabelValue } from './label-decoding.js';
import {
  existingLabels,
  findByKey,
  findLoggedRows,
  insertLabels,
  type JoinWindow,
  joinedRows,
  type LoggedRow,
  lockDeployment,
  rowKey,
} from './label-join.js';
import type { JoinedRow, LabelledRows } from './labelled-rows.js';
import {
  BUCKET_MS,
  bucketOf,
  type LiveMetricPoint,
  labelledByVersion,
  readSeries,
  storeBucket,
  VersionClasses,
  type VersionPerformance,
  versionPerformance,
} from './live-metrics.js';

/** A label for a row that has one already: the row, and the label kept (the first). */
export interface DuplicateLabel {
  /** Position in the call's `labels`. */
  readonly index: number;
  readonly requestId: string;
  readonly rowIndex: number;
  /** With `key`: the id given. */
  readonly id?: string;
  /** The label the row keeps. */
  readonly label: LabelValue;
}

/** A label for no logged row of the deployment. */
export interface UnknownLabel {
  readonly index: number;
  readonly requestId?: string;
  readonly rowIndex?: number;
  readonly id?: string;
}

export interface FeedbackResult {
  readonly deployment: string;
  /** Labels written now. */
  readonly accepted: number;
  readonly duplicates: readonly DuplicateLabel[];
  readonly unknown: readonly UnknownLabel[];
  /** Of the accepted, those received more than the lateness limit after their prediction. */
  readonly late: number;
}

/** A window of prediction time; defaults: until now, since 24 hours before until. */
export interface TimeWindow {
  readonly since?: number;
  readonly until?: number;
}

export interface LiveMetrics {
  readonly deployment: string;
  readonly since: number;
  readonly until: number;
  readonly versions: readonly VersionPerformance[];
}

export interface SeriesFilter extends TimeWindow {
  /** `churn` or `churn@3`. */
  readonly model?: string;
  readonly metric?: string;
}

export interface FeedbackDeps {
  readonly database: Database;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly registry: Registry;
  readonly deployments: DeploymentService;
}

const DEFAULT_WINDOW_MS = 24 * 3_600_000;

/** A label item resolved to its logged row (or not). */
interface Resolved {
  readonly item: CheckedItem;
  readonly row: LoggedRow | undefined;
}

export class FeedbackService {
  constructor(private readonly deps: FeedbackDeps) {}

  /** Records labels by request id (and row) or by `key`; see FeedbackResult for what each became. */
  async record(ctx: RequestContext, deploymentName: string, input: FeedbackInput): Promise<FeedbackResult> {
    const checked = checkFeedbackInput(input);
    const deployment = (await this.deps.deployments.get(deploymentName)).name;
    const { database, clock } = this.deps;
    return mutate(database, ctx, async (trx) => {
      await lockDeployment(trx, database.dialect, deployment);
      const resolved = await this.resolve(trx, deployment, checked.key, checked.items);
      const now = clock.now();
      const already = await existingLabels(
        trx,
        deployment,
        resolved.flatMap(({ row }) => (row === undefined ? [] : [row.requestId])),
      );
      const { rows, duplicates, unknown, rowOf } = planLabels(resolved, already, {
        deployment,
        key: checked.key,
        lateAfterMs: checked.lateAfterMs,
        now,
        ctx,
      });
      const inserted = await insertLabels(trx, rows);
      const missed = rows.filter((row) => !inserted.has(rowKey(row.request_id, row.row_index)));
      // Rows another writer labelled after the check above: duplicates too, keeping that label.
      const winners = await existingLabels(
        trx,
        deployment,
        missed.map((row) => row.request_id),
      );
      for (const row of missed) {
        const key = rowKey(row.request_id, row.row_index);
        const { item } = rowOf.get(key)!;
        duplicates.push({
          index: item.index,
          requestId: row.request_id,
          rowIndex: row.row_index,
          ...(item.by === 'key' ? { id: item.id } : {}),
          label: winners.get(key) ?? item.label,
        });
      }
      const accepted = rows.filter((row) => inserted.has(rowKey(row.request_id, row.row_index)));
      const late = accepted.reduce((sum, row) => sum + row.late, 0);
      duplicates.sort((a, b) => a.index - b.index);
      const touched = new Set(accepted.map((row) => bucketOf(row.predicted_at)));
      for (const bucket of [...touched].sort((a, b) => a - b))
        await this.recomputeBucket(trx, deployment, bucket, now);
      const result: FeedbackResult = { deployment, accepted: inserted.size, duplicates, unknown, late };
      await this.deps.audit.record(trx, ctx, {
        action: 'deployment.feedback',
        resourceType: 'deployment',
        resourceId: deployment,
        after: {
          accepted: result.accepted,
          duplicates: duplicates.length,
          unknown: unknown.length,
          late,
          ...(checked.key === undefined ? {} : { key: checked.key }),
        },
      });
      return result;
    });
  }

  /**
   * Performance per model version over the labelled predictions made in the window, computed from
   * the joined rows themselves (not from the hourly buckets).
   */
  async liveMetrics(deploymentName: string, window: TimeWindow = {}): Promise<LiveMetrics> {
    const deployment = (await this.deps.deployments.get(deploymentName)).name;
    const { since, until } = this.window(window);
    const db = this.deps.database.db;
    const rows = await joinedRows(db, deployment, { since, until });
    return {
      deployment,
      since,
      until,
      versions: await versionPerformance(rows, new VersionClasses(this.deps.registry, db)),
    };
  }

  /**
   * One model version's labelled predictions in the window as typed arrays (class indices and
   * probabilities, or values) with the request and row of each, for statistical comparisons.
   */
  async labelledRows(
    deploymentName: string,
    model: string,
    version: number,
    window: TimeWindow = {},
  ): Promise<LabelledRows> {
    const rows = await this.joinedRows(deploymentName, { ...window, model, version });
    const db = this.deps.database.db;
    const classes = new VersionClasses(this.deps.registry, db);
    const [found] = await labelledByVersion(rows, classes);
    if (found !== undefined) return found.rows;
    const name = model.toLowerCase();
    return emptyRows(name, version, (await classes.of(name, version)) ?? undefined);
  }

  /** The labelled rows of the window joined with the inference log, one per answering version, oldest first. */
  async joinedRows(
    deploymentName: string,
    filter: TimeWindow & { readonly model?: string; readonly version?: number } = {},
  ): Promise<JoinedRow[]> {
    const deployment = (await this.deps.deployments.get(deploymentName)).name;
    const window: JoinWindow = {
      ...this.window(filter),
      ...(filter.model === undefined ? {} : { model: filter.model.toLowerCase() }),
      ...(filter.version === undefined ? {} : { version: filter.version }),
    };
    return joinedRows(this.deps.database.db, deployment, window);
  }

  /** The stored hourly time series (default: the last 7 days). */
  async series(
    deploymentName: string,
    filter: SeriesFilter = {},
  ): Promise<{ deployment: string; items: LiveMetricPoint[] }> {
    const deployment = (await this.deps.deployments.get(deploymentName)).name;
    const until = filter.until ?? this.deps.clock.now() + BUCKET_MS;
    const since = filter.since ?? until - 7 * 24 * 3_600_000;
    const [model, version] = splitModel(filter.model);
    const items = await readSeries(this.deps.database.db, deployment, {
      since,
      until,
      ...(model === undefined ? {} : { model }),
      ...(version === undefined ? {} : { version }),
      ...(filter.metric === undefined ? {} : { metric: filter.metric }),
    });
    return { deployment, items };
  }

  private window(window: TimeWindow): { since: number; until: number } {
    const until = window.until ?? this.deps.clock.now() + 1;
    return { since: window.since ?? until - DEFAULT_WINDOW_MS, until };
  }

  private async resolve(
    executor: Executor,
    deployment: string,
    key: string | undefined,
    items: readonly CheckedItem[],
  ): Promise<Resolved[]> {
    if (key !== undefined) {
      const ids = items.flatMap((item) => (item.by === 'key' ? [item.id] : []));
      const found = await findByKey(executor, this.deps.database.dialect, deployment, key, ids);
      return items.map((item) => ({ item, row: item.by === 'key' ? found.get(item.id) : undefined }));
    }
    const ids = items.flatMap((item) => (item.by === 'request' ? [item.requestId] : []));
    const found = await findLoggedRows(executor, deployment, ids);
    return items.map((item) => ({
      item,
      row: item.by === 'request' ? found.get(rowKey(item.requestId, item.rowIndex)) : undefined,
    }));
  }

  private async recomputeBucket(
    executor: Executor,
    deployment: string,
    bucket: number,
    now: number,
  ): Promise<void> {
    const rows = await joinedRows(executor, deployment, { since: bucket, until: bucket + BUCKET_MS });
    const performance = await versionPerformance(rows, new VersionClasses(this.deps.registry, executor));
    await storeBucket(executor, deployment, bucket, performance, now);
  }
}

/** What each resolved label becomes: a row to insert, a duplicate of a labelled row, or unknown. */
function planLabels(
  resolved: readonly Resolved[],
  already: Map<string, LabelValue>,
  facts: {
    readonly deployment: string;
    readonly key: string | undefined;
    readonly lateAfterMs: number;
    readonly now: number;
    readonly ctx: RequestContext;
  },
) {
  const duplicates: DuplicateLabel[] = [];
  const unknown: UnknownLabel[] = [];
  const rows: InferenceLabelRow[] = [];
  const rowOf = new Map<string, Resolved>();
  for (const entry of resolved) {
    const { item, row } = entry;
    const id = item.by === 'key' ? { id: item.id } : {};
    if (row === undefined) {
      unknown.push(
        item.by === 'key'
          ? { index: item.index, id: item.id }
          : { index: item.index, requestId: item.requestId, rowIndex: item.rowIndex },
      );
      continue;
    }
    const key = rowKey(row.requestId, row.rowIndex);
    const kept = already.get(key);
    if (kept !== undefined) {
      duplicates.push({
        index: item.index,
        requestId: row.requestId,
        rowIndex: row.rowIndex,
        ...id,
        label: kept,
      });
      continue;
    }
    already.set(key, item.label);
    rowOf.set(key, entry);
    rows.push({
      id: newId(facts.now),
      deployment: facts.deployment,
      request_id: row.requestId,
      row_index: row.rowIndex,
      label: JSON.stringify(item.label),
      key: facts.key ?? null,
      key_value: item.by === 'key' ? item.id : null,
      predicted_at: row.at,
      received_at: facts.now,
      received_by: facts.ctx.actor.name,
      feedback_request_id: facts.ctx.requestId,
      late: facts.now - row.at > facts.lateAfterMs ? 1 : 0,
    });
  }
  return { rows, duplicates, unknown, rowOf };
}

/** `churn` or `churn@3`. */
function splitModel(reference: string | undefined): [string | undefined, number | undefined] {
  if (reference === undefined) return [undefined, undefined];
  const at = reference.lastIndexOf('@');
  if (at < 0) return [reference.toLowerCase(), undefined];
  const version = reference.slice(at + 1);
  if (!/^[1-9]\d{0,9}$/.test(version))
    throw new InvalidError(
      `model must be 'name' or 'name@version' with a version number, got '${reference}'`,
      {
        field: 'model',
        value: reference,
      },
    );
  return [reference.slice(0, at).toLowerCase(), Number(version)];
}

function emptyRows(model: string, version: number, classes: readonly string[] | undefined): LabelledRows {
  const keys = {
    model,
    version,
    requestIds: [],
    rowIndexes: new Int32Array(0),
    predictedAt: new Float64Array(0),
    skipped: 0,
  };
  return classes === undefined
    ? { kind: 'regression', labels: new Float64Array(0), predictions: new Float64Array(0), ...keys }
    : { kind: 'classification', classes, labels: new Int32Array(0), predictions: new Int32Array(0), ...keys };
}
