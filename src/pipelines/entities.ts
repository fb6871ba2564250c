/**
 * Pipelines, versions, runs and steps as the API shows them, and their row mappings. Runs and steps
 * are persisted state machines: a run goes queued -> running -> succeeded | failed | cancelled; a step
 * pending -> queued -> running -> succeeded | failed | cached | skipped | cancelled.
 */
import { toIso } from '../core/clock.js';
import type {
  PipelineRow,
  PipelineRunRow,
  PipelineRunStatus,
  PipelineStepRow,
  PipelineStepStatus,
  PipelineVersionRow,
} from '../store/index.js';
import type { JsonValue, PipelineSpec } from './definition/index.js';

export const PIPELINE_RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const STEP_STATUSES = [
  'pending',
  'queued',
  'running',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
  'cached',
] as const satisfies readonly PipelineStepStatus[];
export const EXECUTORS = ['local', 'queue'] as const;
export type ExecutorName = (typeof EXECUTORS)[number];
export type { PipelineRunStatus, PipelineStepStatus };

/** The code a version carries, as blobs: one bundle per fn step, and the pipeline directory's files. */
export interface PipelineCode {
  readonly bundles: Readonly<
    Record<
      string,
      {
        readonly digest: string;
        readonly size: number;
        readonly module: string;
        readonly export: string;
        readonly exports: readonly string[];
      }
    >
  >;
  readonly files: Readonly<Record<string, { readonly digest: string; readonly size: number }>>;
}

export interface PipelineInfo {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly latestVersion: number;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedBy: string;
  readonly updatedAt: string;
}

export interface PipelineVersionInfo {
  readonly pipeline: string;
  readonly version: number;
  readonly digest: string;
  /** The definition as applied; parsing it again gives the validated pipeline. */
  readonly spec: PipelineSpec;
  readonly code: PipelineCode;
  readonly source: string;
  readonly createdBy: string;
  readonly createdAt: string;
}

/** Why a run started. */
export type RunTrigger =
  | { readonly kind: 'manual' }
  | { readonly kind: 'retry'; readonly of: string; readonly from?: string }
  | { readonly kind: 'webhook'; readonly remote?: string }
  | { readonly kind: 'schedule'; readonly schedule: string; readonly at: string }
  | { readonly kind: 'dataset'; readonly dataset: string }
  /** A monitor found drift; `report` is the report that did. */
  | { readonly kind: 'drift'; readonly monitor: string; readonly report: string };

export interface ErrorInfo {
  readonly code: string;
  readonly message: string;
}

export interface StepRunInfo {
  readonly step: string;
  /** Present on the items of a foreach step. */
  readonly item?: number;
  readonly status: PipelineStepStatus;
  readonly attempt: number;
  readonly itemValue?: JsonValue;
  readonly inputs?: Readonly<Record<string, JsonValue>>;
  readonly outputs?: Readonly<Record<string, JsonValue>>;
  readonly cacheKey?: string;
  /** The pipeline run whose outputs a cached step reused. */
  readonly cachedFrom?: string;
  /** Why the step was skipped or cancelled. */
  readonly reason?: string;
  readonly error?: ErrorInfo;
  readonly retryAt?: string;
  readonly worker?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
}

export interface PipelineRunInfo {
  readonly id: string;
  readonly pipeline: string;
  readonly version: number;
  readonly status: PipelineRunStatus;
  readonly params: Readonly<Record<string, JsonValue>>;
  readonly executor: ExecutorName;
  readonly useCache: boolean;
  readonly trigger: RunTrigger;
  /** The tracking run recording params, step metrics, logs and lineage. */
  readonly run: string;
  readonly error?: ErrorInfo;
  readonly cancelRequested: boolean;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly updatedAt: string;
  /** Every step (and foreach item), in pipeline order; present on single-run reads. */
  readonly steps?: readonly StepRunInfo[];
}

export function isRunFinished(status: PipelineRunStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}

export function isStepFinished(status: PipelineStepStatus): boolean {
  return !(status === 'pending' || status === 'queued' || status === 'running');
}

/** Finished without a failure: downstream steps may use the outputs. */
export function isStepDone(status: PipelineStepStatus): boolean {
  return status === 'succeeded' || status === 'cached';
}

export function toPipelineInfo(row: PipelineRow): PipelineInfo {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    latestVersion: Number(row.latest_version),
    createdBy: row.created_by,
    createdAt: toIso(Number(row.created_at)),
    updatedBy: row.updated_by,
    updatedAt: toIso(Number(row.updated_at)),
  };
}

export function toPipelineVersionInfo(name: string, row: PipelineVersionRow): PipelineVersionInfo {
  return {
    pipeline: name,
    version: Number(row.version),
    digest: row.digest,
    spec: JSON.parse(row.spec) as PipelineSpec,
    code: JSON.parse(row.code) as PipelineCode,
    source: row.source,
    createdBy: row.created_by,
    createdAt: toIso(Number(row.created_at)),
  };
}

export function toPipelineRunInfo(
  name: string,
  row: PipelineRunRow,
  steps?: readonly PipelineStepRow[],
): PipelineRunInfo {
  return {
    id: row.id,
    pipeline: name,
    version: Number(row.version),
    status: row.status,
    params: JSON.parse(row.params) as Record<string, JsonValue>,
    executor: row.executor,
    useCache: Number(row.use_cache) === 1,
    trigger: JSON.parse(row.trigger) as RunTrigger,
    run: row.tracking_run_id,
    ...(row.error === null ? {} : { error: JSON.parse(row.error) as ErrorInfo }),
    cancelRequested: Number(row.cancel_requested) === 1,
    createdBy: row.created_by,
    createdAt: toIso(Number(row.created_at)),
    ...(row.started_at === null ? {} : { startedAt: toIso(Number(row.started_at)) }),
    ...(row.finished_at === null ? {} : { finishedAt: toIso(Number(row.finished_at)) }),
    updatedAt: toIso(Number(row.updated_at)),
    ...(steps === undefined ? {} : { steps: steps.map(toStepRunInfo) }),
  };
}

export function toStepRunInfo(row: PipelineStepRow): StepRunInfo {
  const item = Number(row.item);
  return {
    step: row.step,
    ...(item < 0 ? {} : { item }),
    status: row.status,
    attempt: Number(row.attempt),
    ...(row.item_value === null ? {} : { itemValue: JSON.parse(row.item_value) as JsonValue }),
    ...(row.inputs === null ? {} : { inputs: JSON.parse(row.inputs) as Record<string, JsonValue> }),
    ...(row.outputs === null ? {} : { outputs: JSON.parse(row.outputs) as Record<string, JsonValue> }),
    ...(row.cache_key === null ? {} : { cacheKey: row.cache_key }),
    ...(row.cached_from === null ? {} : { cachedFrom: row.cached_from }),
    ...(row.reason === null ? {} : { reason: row.reason }),
    ...(row.error === null ? {} : { error: JSON.parse(row.error) as ErrorInfo }),
    ...(row.retry_at === null ? {} : { retryAt: toIso(Number(row.retry_at)) }),
    ...(row.worker === null ? {} : { worker: row.worker }),
    ...(row.started_at === null ? {} : { startedAt: toIso(Number(row.started_at)) }),
    ...(row.finished_at === null ? {} : { finishedAt: toIso(Number(row.finished_at)) }),
  };
}
