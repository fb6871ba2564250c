/**
 * An AutoML job as the API shows it, and its row mapping. A job is a persisted state machine
 * (queued -> running -> succeeded | failed | cancelled), so a restarted server picks it up again.
 */
import { toIso } from '../core/clock.js';
import type { AutomlJobRow } from '../store/index.js';
import type {
  AutomlOptions,
  AutomlProgress,
  Family,
  HoldoutEvaluation,
  MetricName,
  ParamValues,
  Task,
} from './automl/index.js';

export const AUTOML_JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type AutomlJobStatus = (typeof AUTOML_JOB_STATUSES)[number];

/** What a job was asked to do, after its checks: stored with the job so a resumed job does the same. */
export interface AutomlJobSpec {
  readonly dataset: string;
  readonly target: string;
  readonly exclude: readonly string[];
  readonly options: AutomlOptions;
  /** Model name to register the refit best model under. */
  readonly register?: string;
  readonly experiment: string;
}

export interface LeaderboardEntry {
  readonly rank: number;
  readonly trial: number;
  /** The trial's child run. */
  readonly run?: string;
  readonly family: Family;
  readonly params: ParamValues;
  readonly score: number;
  readonly std: number;
  readonly rung?: number;
}

export interface AutomlJobResult {
  readonly best: LeaderboardEntry;
  readonly leaderboard: readonly LeaderboardEntry[];
  readonly holdout: HoldoutEvaluation;
  readonly trainRows: number;
  readonly stoppedBy: 'trials' | 'time' | 'exhausted';
  /** Where the refit model's ONNX file is stored, as a run artifact. */
  readonly artifact: string;
  /** `churn@4` when registered. */
  readonly modelVersion?: string;
  readonly ignoredColumns: readonly { readonly column: string; readonly reason: string }[];
  readonly droppedRows: number;
}

export interface AutomlJob {
  readonly id: string;
  readonly status: AutomlJobStatus;
  /** `name@version` of the dataset version trained on. */
  readonly dataset: string;
  readonly target: string;
  readonly task: Task;
  readonly metric: MetricName;
  readonly spec: AutomlJobSpec;
  /** The AutoML run; every trial is one of its child runs. */
  readonly run: string;
  readonly progress: AutomlProgress;
  readonly result?: AutomlJobResult;
  readonly error?: { readonly code: string; readonly message: string };
  readonly cancelRequested: boolean;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly updatedAt: string;
}

export function isFinished(status: AutomlJobStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'cancelled';
}

export function initialProgress(options: AutomlOptions): AutomlProgress {
  return {
    trialsDone: 0,
    trialsFailed: 0,
    trialsPlanned: options.maxTrials,
    elapsedMs: 0,
    timeBudgetMs: options.timeBudgetMs,
  };
}

export function toAutomlJob(row: AutomlJobRow): AutomlJob {
  const spec = JSON.parse(row.spec) as AutomlJobSpec;
  return {
    id: row.id,
    status: row.status,
    dataset: row.dataset,
    target: row.target,
    task: spec.options.task,
    metric: spec.options.metric,
    spec,
    run: row.run_id,
    progress: JSON.parse(row.progress) as AutomlProgress,
    ...(row.result === null ? {} : { result: JSON.parse(row.result) as AutomlJobResult }),
    ...(row.error === null ? {} : { error: JSON.parse(row.error) as AutomlJob['error'] & object }),
    cancelRequested: row.cancel_requested === 1,
    createdBy: row.created_by,
    createdAt: toIso(Number(row.created_at)),
    ...(row.started_at === null ? {} : { startedAt: toIso(Number(row.started_at)) }),
    ...(row.finished_at === null ? {} : { finishedAt: toIso(Number(row.finished_at)) }),
    updatedAt: toIso(Number(row.updated_at)),
  };
}
