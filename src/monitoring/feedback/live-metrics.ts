/**
 * Live performance per model version: computed from the joined rows of a window (never combined
 * from buckets: ROC AUC and R² do not add up), and kept as an hourly time series by prediction time
 * whose touched buckets are recomputed whole whenever labels arrive.
 */
import { NotFoundError } from '../../core/errors.js';
import type { Registry } from '../../registry/index.js';
import type { Executor } from '../../store/index.js';
import type { LiveMetricRow } from '../../store/tables.js';
import { type MetricName, performanceMetrics } from '../performance/index.js';
import { type JoinedRow, type LabelledRows, labelledRows } from './labelled-rows.js';

/** Buckets of the time series: one hour of prediction time. */
export const BUCKET_MS = 3_600_000;

export type LiveMetricValues = Partial<Record<MetricName, number>>;

/** One model version's live performance over a window. */
export interface VersionPerformance {
  readonly model: string;
  readonly version: number;
  /** The route of its newest labelled row, as logged (`churn@champion`, `shadow:churn@4`). */
  readonly route: string;
  /** True when its answers were a shadow's (logged, never returned). */
  readonly shadow: boolean;
  /** Labelled rows the metrics are computed from. */
  readonly samples: number;
  /** Labelled rows left out: a label naming no class of the version, or an unreadable answer. */
  readonly skipped: number;
  /** NaN where undefined for these rows (e.g. ROC AUC with one class). */
  readonly metrics: LiveMetricValues;
}

/** One point of the time series. */
export interface LiveMetricPoint {
  readonly model: string;
  readonly version: number;
  /** Epoch ms of the bucket's start (hours of prediction time). */
  readonly bucketStart: number;
  readonly metric: string;
  /** NaN where undefined. */
  readonly value: number;
  readonly samples: number;
}

export function bucketOf(time: number): number {
  return Math.floor(time / BUCKET_MS) * BUCKET_MS;
}

/** Classes of model versions, read once per computation (undefined: a regressor; null: deleted). */
export class VersionClasses {
  private readonly known = new Map<string, readonly string[] | undefined | null>();

  constructor(
    private readonly registry: Registry,
    private readonly executor: Executor,
  ) {}

  async of(model: string, version: number): Promise<readonly string[] | undefined | null> {
    const key = `${model}@${version}`;
    if (this.known.has(key)) return this.known.get(key)!;
    let classes: readonly string[] | undefined | null;
    try {
      classes = (await this.registry.versions.resolve(key, this.executor)).classes;
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      classes = null;
    }
    this.known.set(key, classes);
    return classes;
  }
}

/** Joined rows grouped by model version, in order of first appearance. */
function byVersion(rows: readonly JoinedRow[]): Map<string, JoinedRow[]> {
  const groups = new Map<string, JoinedRow[]>();
  for (const row of rows) {
    const key = `${row.model}@${row.version}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [row]);
    else group.push(row);
  }
  return groups;
}

/** The typed rows of every version among `rows` whose model version still exists. */
export async function labelledByVersion(
  rows: readonly JoinedRow[],
  classes: VersionClasses,
): Promise<{ rows: LabelledRows; joined: readonly JoinedRow[] }[]> {
  const out: { rows: LabelledRows; joined: readonly JoinedRow[] }[] = [];
  for (const group of byVersion(rows).values()) {
    const { model, version } = group[0]!;
    const known = await classes.of(model, version);
    if (known === null) continue;
    out.push({ rows: labelledRows(model, version, group, known), joined: group });
  }
  return out;
}

/** Performance per version over the rows given (a window's joined rows). */
export async function versionPerformance(
  rows: readonly JoinedRow[],
  classes: VersionClasses,
): Promise<VersionPerformance[]> {
  return (await labelledByVersion(rows, classes)).map(({ rows: labelled, joined }) => {
    const newest = joined[joined.length - 1]!;
    return {
      model: labelled.model,
      version: labelled.version,
      route: newest.route,
      shadow: joined.every((row) => row.shadow),
      samples: labelled.labels.length,
      skipped: labelled.skipped,
      metrics: labelled.labels.length === 0 ? {} : performanceMetrics(labelled),
    };
  });
}

/** Replaces a bucket's stored metrics with those computed from its joined rows. */
export async function storeBucket(
  executor: Executor,
  deployment: string,
  bucketStart: number,
  performance: readonly VersionPerformance[],
  now: number,
): Promise<void> {
  await executor
    .deleteFrom('live_metrics')
    .where('deployment', '=', deployment)
    .where('bucket_start', '=', bucketStart)
    .execute();
  const rows: LiveMetricRow[] = [];
  for (const version of performance) {
    for (const [metric, value] of Object.entries(version.metrics)) {
      rows.push({
        deployment,
        model: version.model,
        model_version: version.version,
        bucket_start: bucketStart,
        metric,
        value: Number.isNaN(value) ? null : value,
        samples: version.samples,
        updated_at: now,
      });
    }
  }
  if (rows.length > 0) await executor.insertInto('live_metrics').values(rows).execute();
}

export interface SeriesQuery {
  readonly since: number;
  readonly until: number;
  readonly model?: string;
  readonly version?: number;
  readonly metric?: string;
}

/** The stored time series, oldest bucket first, then by model, version and metric. */
export async function readSeries(
  executor: Executor,
  deployment: string,
  query: SeriesQuery,
): Promise<LiveMetricPoint[]> {
  let select = executor
    .selectFrom('live_metrics')
    .selectAll()
    .where('deployment', '=', deployment)
    .where('bucket_start', '>=', bucketOf(query.since))
    .where('bucket_start', '<', query.until);
  if (query.model !== undefined) select = select.where('model', '=', query.model);
  if (query.version !== undefined) select = select.where('model_version', '=', query.version);
  if (query.metric !== undefined) select = select.where('metric', '=', query.metric);
  const rows = await select
    .orderBy('bucket_start')
    .orderBy('model')
    .orderBy('model_version')
    .orderBy('metric')
    .execute();
  return rows.map((row) => ({
    model: row.model,
    version: Number(row.model_version),
    bucketStart: Number(row.bucket_start),
    metric: row.metric,
    value: row.value === null ? Number.NaN : Number(row.value),
    samples: Number(row.samples),
  }));
}
