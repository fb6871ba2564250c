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
  datasets: DatasetRow;
  dataset_versions: DatasetVersionRow;
  validation_reports: ValidationReportRow;
  models: ModelRow;
  model_versions: ModelVersionRow;
  model_aliases: ModelAliasRow;
  model_alias_history: ModelAliasHistoryRow;
  lineage_edges: LineageEdgeRow;
  automl_jobs: AutomlJobRow;
  automl_trials: AutomlTrialRow;
  deployments: DeploymentRow;
  deployment_revisions: DeploymentRevisionRow;
  inference_log: InferenceLogRow;
  pipelines: PipelineRow;
  pipeline_versions: PipelineVersionRow;
  pipeline_runs: PipelineRunRow;
  pipeline_steps: PipelineStepRow;
  pipeline_logs: PipelineLogRow;
  pipeline_schedules: PipelineScheduleRow;
  pipeline_triggers: PipelineTriggerRow;
  monitors: MonitorRow;
  monitor_reports: MonitorReportRow;
  monitor_alerts: MonitorAlertRow;
  inference_labels: InferenceLabelRow;
  live_metrics: LiveMetricRow;
  deployment_policies: DeploymentPolicyRow;
  policy_decisions: PolicyDecisionRow;
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
  role: 'viewer' | 'editor' | 'approver' | 'admin';
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

export interface DatasetRow {
  id: string;
  name: string;
  description: string;
  /** JSON object of string tags. */
  tags: string;
  created_by: string;
  created_at: number;
  updated_at: number;
}

export interface DatasetVersionRow {
  id: string;
  dataset_id: string;
  version: number;
  format: 'csv' | 'parquet' | 'jsonl';
  /** The bytes as pushed, for download. */
  source_digest: string;
  source_size: number;
  /** The same data as Parquet, which every later read uses. */
  data_digest: string;
  data_size: number;
  row_count: number;
  /** JSON array of columns (name, type, nullable). */
  schema: string;
  /** JSON profile, computed once at push. */
  profile: string;
  description: string;
  tags: string;
  created_by: string;
  created_at: number;
}

export interface ValidationReportRow {
  id: string;
  dataset_version_id: string;
  /** 1 when every expectation passed. */
  success: number;
  /** JSON of the suite as run. */
  suite: string;
  /** JSON of the report. */
  report: string;
  created_by: string;
  created_at: number;
}

export interface ModelRow {
  id: string;
  name: string;
  description: string;
  tags: string;
  /** JSON policy, e.g. {"requireApprovalFor":["champion"]}. */
  policy: string;
  created_by: string;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

export interface ModelVersionRow {
  id: string;
  model_id: string;
  version: number;
  format: 'onnx';
  artifact_digest: string;
  size: number;
  /** JSON signature read from the model file: inputs and outputs with element types and shapes. */
  signature: string;
  /** JSON array of feature names, for tabular models. */
  feature_names: string | null;
  /** JSON array of {name, type, categories?}: how named features map onto the graph's inputs. */
  features: string | null;
  /** JSON array of the label classes, for classifiers. */
  classes: string | null;
  /** JSON object of metric name to number. */
  metrics: string;
  run_id: string | null;
  /** JSON array of {dataset, version, role} the version was trained or validated on. */
  datasets: string;
  description: string;
  tags: string;
  approval_status: 'pending' | 'approved' | 'rejected';
  approval_comment: string | null;
  approved_by: string | null;
  approved_at: number | null;
  /** JSON of the hand-written parts of the model card. */
  card: string;
  created_by: string;
  created_at: number;
}

export interface ModelAliasRow {
  model_id: string;
  alias: string;
  version: number;
  updated_by: string;
  updated_at: number;
}

export interface ModelAliasHistoryRow {
  id: string;
  model_id: string;
  alias: string;
  /** NULL when the alias was created by this move. */
  from_version: number | null;
  /** NULL when the move deleted the alias. */
  to_version: number | null;
  /** 'set', 'rollback' or 'delete'. */
  reason: string;
  actor: string;
  request_id: string;
  at: number;
}

export interface LineageEdgeRow {
  /** Node keys such as 'dataset:orders@7', 'run:<id>', 'model:churn@3'. */
  source: string;
  target: string;
  /** 'input', 'produced', 'derived', 'trained_on', 'validated_on'. */
  relation: string;
  created_by: string;
  created_at: number;
}

export interface AutomlJobRow {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  /** The dataset version trained on, as `name@version`. */
  dataset: string;
  target: string;
  /** JSON of the resolved AutoML options and the registration request. */
  spec: string;
  /** The AutoML (parent) run; each trial is a child run of it. */
  run_id: string;
  /** JSON {trialsDone, trialsFailed, trialsPlanned, elapsedMs, best}. */
  progress: string;
  /** JSON of the outcome once succeeded: best trial, holdout metrics, registered version. */
  result: string | null;
  /** JSON {code, message} once failed. */
  error: string | null;
  cancel_requested: number;
  created_by: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

/** A finished trial of a job, so a resumed job does not redo it. */
export interface AutomlTrialRow {
  job_id: string;
  trial: number;
  run_id: string;
  /** JSON of the trial's outcome. */
  outcome: string;
}

export interface DeploymentRow {
  id: string;
  name: string;
  /** The current revision: every change is a compare-and-set on it. */
  revision: number;
  description: string;
  created_by: string;
  created_at: number;
  updated_by: string;
  updated_at: number;
}

export interface DeploymentRevisionRow {
  deployment_id: string;
  revision: number;
  /** JSON of the DeploymentSpec as written (references may name aliases). */
  spec: string;
  /** JSON of the model versions the spec resolved to (see ResolvedDeployment). */
  resolved: string;
  /** JSON of why the revision exists: create, update, rollback or an alias move. */
  cause: string;
  actor: string;
  request_id: string;
  at: number;
}

export interface InferenceLogRow {
  id: string;
  at: number;
  request_id: string;
  /** The row within the request (a request may predict many rows). */
  row_index: number;
  deployment: string;
  revision: number;
  /** The route's reference as written (`churn@champion`), or `shadow:<reference>`. */
  route: string;
  model: string;
  model_version: number;
  /** 1 for a shadow's answer (never returned to the caller). */
  shadow: number;
  /** JSON object: feature or input name -> value. */
  features: string;
  /** JSON: the prediction (label or value), with probabilities for classifiers; or the outputs by name. */
  prediction: string;
  latency_ms: number;
}

export interface PipelineRow {
  id: string;
  name: string;
  description: string;
  latest_version: number;
  created_by: string;
  created_at: number;
  updated_by: string;
  updated_at: number;
}

export interface PipelineVersionRow {
  pipeline_id: string;
  version: number;
  /** sha256 of the validated definition and its code: applying the same again makes no version. */
  digest: string;
  /** JSON of the PipelineSpec as applied (the server parses it again; it is the wire format). */
  spec: string;
  /** JSON of the code that came with it: bundles per fn step and the files snapshot, as blob digests. */
  code: string;
  /** The file it was applied from (base name), or 'api'. */
  source: string;
  created_by: string;
  created_at: number;
}

export type PipelineRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface PipelineRunRow {
  id: string;
  pipeline_id: string;
  version: number;
  status: PipelineRunStatus;
  /** JSON object of every param's value, defaults filled in. */
  params: string;
  executor: 'local' | 'queue';
  /** 0 when started with --no-cache. */
  use_cache: number;
  /** JSON of why the run started (manual, schedule, webhook, dataset, retry). */
  trigger: string;
  /** The tracking run that records the pipeline run's params, metrics, artifacts and lineage. */
  tracking_run_id: string;
  error: string | null;
  cancel_requested: number;
  /** The server driving the run, while its lease lasts. */
  owner: string | null;
  lease_expires_at: number | null;
  created_by: string;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

export type PipelineStepStatus =
  | 'pending'
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'skipped'
  | 'cancelled'
  | 'cached';

export interface PipelineStepRow {
  pipeline_run_id: string;
  step: string;
  /** -1 for a step as a whole; 0.. for the items of a foreach step. */
  item: number;
  status: PipelineStepStatus;
  /** Attempts started so far (an attempt interrupted by a server stop is not counted as a failure). */
  attempt: number;
  /** Attempts that failed (or timed out): retries stop when they exceed the step's retry count. */
  failures: number;
  /** JSON of the foreach item this row runs. */
  item_value: string | null;
  /** JSON of the resolved inputs of the latest attempt. */
  inputs: string | null;
  /** JSON of the outputs by name. */
  outputs: string | null;
  cache_key: string | null;
  /** The pipeline run whose outputs a cached step reused. */
  cached_from: string | null;
  /** Why a step was skipped or cancelled. */
  reason: string | null;
  /** JSON {code, message} of the last failure. */
  error: string | null;
  /** When a failed attempt's retry is due. */
  retry_at: number | null;
  worker: string | null;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

export interface PipelineLogRow {
  pipeline_run_id: string;
  step: string;
  item: number;
  seq: number;
  at: number;
  text: string;
}

export interface PipelineScheduleRow {
  id: string;
  pipeline_id: string;
  /** Its index in the pipeline's `schedules`. */
  position: number;
  cron: string;
  timezone: string;
  /** JSON object of param values for its runs. */
  params: string;
  /** The next tick; moved on by compare-and-set by the server that fires it. */
  next_fire_at: number;
  last_fire_at: number | null;
  last_run_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface PipelineTriggerRow {
  id: string;
  pipeline_id: string;
  position: number;
  /** Dataset name pattern (`*`, `?`). */
  dataset: string;
  /** The param that receives the new version. */
  param: string | null;
  params: string;
  /** The newest dataset version id considered so far ('' before any). */
  watermark: string;
  last_fire_at: number | null;
  last_run_id: string | null;
  created_at: number;
  updated_at: number;
}

export interface MonitorRow {
  id: string;
  name: string;
  deployment: string;
  /** JSON: the monitor's settings (reference, window, features, tests, schedule, actions). */
  spec: string;
  /** The next scheduled evaluation; NULL without a schedule. */
  next_due_at: number | null;
  last_report_id: string | null;
  last_evaluated_at: number | null;
  /** When drift last started the on-drift pipeline (the cooldown counts from here). */
  last_triggered_at: number | null;
  created_by: string;
  created_at: number;
  updated_by: string;
  updated_at: number;
}

export interface MonitorReportRow {
  id: string;
  monitor_id: string;
  status: 'running' | 'succeeded' | 'failed';
  cause: 'manual' | 'schedule';
  rows: number | null;
  /** 1 when the report found dataset drift (inputs or predictions); NULL until it finishes. */
  drift: number | null;
  share: number | null;
  /** JSON: the whole report. */
  body: string | null;
  /** JSON { code, message } of a failed evaluation. */
  error: string | null;
  created_by: string;
  created_at: number;
  finished_at: number | null;
}

export interface MonitorAlertRow {
  id: string;
  monitor_id: string;
  report_id: string;
  kind: 'webhook' | 'pipeline';
  /** The webhook's URL or the pipeline's name. */
  target: string;
  status: 'pending' | 'delivered' | 'failed' | 'skipped';
  attempts: number;
  next_attempt_at: number | null;
  last_error: string | null;
  /** JSON: what was sent (the webhook body, or the run's params). */
  payload: string;
  /** JSON: the answer (HTTP status, or the pipeline run id). */
  result: string | null;
  created_at: number;
  updated_at: number;
}

/** The true label of one logged prediction row (feedback); unique per (deployment, request_id, row_index). */
export interface InferenceLabelRow {
  id: string;
  deployment: string;
  request_id: string;
  row_index: number;
  /** JSON: the label as sent (string, number or boolean). */
  label: string;
  /** The feature the label was matched by (`customer_id`), or null when sent by request id. */
  key: string | null;
  /** The key's value as text. */
  key_value: string | null;
  /** When the served prediction was made. */
  predicted_at: number;
  received_at: number;
  received_by: string;
  /** The x-request-id of the feedback call. */
  feedback_request_id: string;
  /** 1 when the label came more than the lateness limit after the prediction. */
  late: number;
}

/** One metric of one model version in one hourly bucket of prediction time. */
export interface LiveMetricRow {
  deployment: string;
  model: string;
  model_version: number;
  bucket_start: number;
  metric: string;
  /** Null when undefined for the bucket (NaN). */
  value: number | null;
  samples: number;
  updated_at: number;
}

/** A deployment's champion/challenger policy (one per deployment). */
export interface DeploymentPolicyRow {
  id: string;
  deployment: string;
  /** JSON of the PolicySpec. */
  spec: string;
  /** The next periodic evaluation; moved on by compare-and-set by the server that claims it. */
  next_due_at: number;
  created_by: string;
  created_at: number;
  updated_by: string;
  updated_at: number;
}

/** One decision of a policy, with its evidence. */
export interface PolicyDecisionRow {
  id: string;
  deployment: string;
  at: number;
  /** manual | schedule */
  cause: string;
  /** none | wait | keep | promote | rollback | notify | blocked | guardrail */
  outcome: string;
  reason: string;
  /** JSON: the figures behind the decision (samples, metric values, test, p-value, guardrails, what was done). */
  evidence: string;
  champion_model: string | null;
  champion_version: number | null;
  challenger_model: string | null;
  challenger_version: number | null;
  /** The deployment revision evaluated. */
  revision: number;
  actor: string;
  request_id: string;
}
