/**
 * Row types of the metadata database, as the migrations create it. Times are epoch milliseconds;
 * JSON columns are text. Domains map rows to their own readonly entities and never hand rows out.
 */
import type { Generated } from 'kysely';

export interface Tables {
  experiments: ExperimentRow;
  runs: RunRow;
  run_params: KeyValueRow;
  run_tags: KeyValueRow;
  metrics: MetricRow;
  latest_metrics: MetricRow;
  blobs: BlobRow;
  run_artifacts: RunArtifactRow;
  tokens: TokenRow;
  audit_events: AuditEventRow;
  idempotency_keys: IdempotencyKeyRow;
}

export interface ExperimentRow {
  id: string;
  name: string;
  description: string;
  /** JSON object of string tags. */
  tags: string;
  lifecycle: 'active' | 'deleted';
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface RunRow {
  /** Internal surrogate key, never exposed: keeps metric rows small and their index fast. */
  seq: Generated<number>;
  id: string;
  experiment_id: string;
  name: string;
  status: 'running' | 'finished' | 'failed' | 'killed';
  parent_run_id: string | null;
  start_time: number;
  end_time: number | null;
  git_commit: string | null;
  created_by: string;
  updated_at: number;
}

export interface KeyValueRow {
  run_seq: number;
  key: string;
  value: string;
}

export interface MetricRow {
  run_seq: number;
  key: string;
  step: number;
  timestamp: number;
  /** NULL encodes NaN (SQLite cannot store NaN); ±Infinity are stored as such. */
  value: number | null;
}

export interface BlobRow {
  digest: string;
  size: number;
  created_at: number;
}

export interface RunArtifactRow {
  run_seq: number;
  path: string;
  digest: string;
  size: number;
  created_at: number;
}

export interface TokenRow {
  id: string;
  name: string;
  role: 'viewer' | 'editor' | 'admin';
  /** sha256 of the secret; the secret itself is never stored. */
  token_hash: string;
  created_at: number;
  created_by: string;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface AuditEventRow {
  id: string;
  at: number;
  actor: string;
  action: string;
  resource_type: string;
  resource_id: string;
  before: string | null;
  after: string | null;
  request_id: string;
}

export interface IdempotencyKeyRow {
  actor: string;
  key: string;
  scope: string;
  fingerprint: string;
  response: string;
  created_at: number;
}
