/** The tracking domain's readonly entities and their mapping from rows. */
import { toIso } from '../core/clock.js';
import type { ExperimentRow, RunRow } from '../store/tables.js';

export const RUN_STATUSES = ['running', 'finished', 'failed', 'killed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const LIFECYCLES = ['active', 'deleted'] as const;
export type Lifecycle = (typeof LIFECYCLES)[number];

export type Tags = Readonly<Record<string, string>>;

export interface Experiment {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly tags: Tags;
  readonly lifecycle: Lifecycle;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deletedAt?: string;
}

/** A metric point. `value` may be NaN or ±Infinity (encoded as strings on the wire). */
export interface MetricPoint {
  readonly value: number;
  readonly step: number;
  /** Epoch milliseconds. */
  readonly timestamp: number;
}

export interface Run {
  readonly id: string;
  readonly experimentId: string;
  readonly name: string;
  readonly status: RunStatus;
  readonly startTime: string;
  readonly endTime?: string;
  readonly parentRunId?: string;
  readonly gitCommit?: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly params: Tags;
  readonly tags: Tags;
  /** The latest point of each metric: highest step, then latest timestamp. */
  readonly metrics: Readonly<Record<string, MetricPoint>>;
}

export interface ArtifactInfo {
  readonly path: string;
  readonly digest: string;
  readonly size: number;
  readonly createdAt: string;
}

export function toExperiment(row: ExperimentRow): Experiment {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    tags: JSON.parse(row.tags) as Tags,
    lifecycle: row.lifecycle,
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
    ...(row.deleted_at === null ? {} : { deletedAt: toIso(row.deleted_at) }),
  };
}

export type RunRowWithSeq = Omit<RunRow, 'seq'> & { readonly seq: number };

export interface RunDetails {
  readonly params: Tags;
  readonly tags: Tags;
  readonly metrics: Readonly<Record<string, MetricPoint>>;
}

export function toRun(row: RunRowWithSeq, details: RunDetails): Run {
  return {
    id: row.id,
    experimentId: row.experiment_id,
    name: row.name,
    status: row.status,
    startTime: toIso(row.start_time),
    ...(row.end_time === null ? {} : { endTime: toIso(row.end_time) }),
    ...(row.parent_run_id === null ? {} : { parentRunId: row.parent_run_id }),
    ...(row.git_commit === null ? {} : { gitCommit: row.git_commit }),
    createdBy: row.created_by,
    updatedAt: toIso(row.updated_at),
    params: details.params,
    tags: details.tags,
    metrics: details.metrics,
  };
}

/** NaN is stored as NULL (SQLite cannot hold NaN). */
export function fromStoredValue(value: number | null): number {
  return value === null ? Number.NaN : value;
}
