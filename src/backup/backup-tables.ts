/**
 * The one list of tables a backup holds, in foreign-key order: loading them in this order never
 * breaks a reference. Adding a table to the schema without listing it here fails to compile.
 */
import type { Tables } from '../store/index.js';

export const BACKUP_TABLES = [
  'experiments',
  'runs',
  'run_params',
  'run_tags',
  'metrics',
  'latest_metrics',
  'blobs',
  'run_artifacts',
  'tokens',
  'audit_events',
  'idempotency_keys',
  'datasets',
  'dataset_versions',
  'validation_reports',
  'models',
  'model_versions',
  'model_aliases',
  'model_alias_history',
  'lineage_edges',
  'automl_jobs',
  'automl_trials',
  'deployments',
  'deployment_revisions',
  'inference_log',
  'pipelines',
  'pipeline_versions',
  'pipeline_runs',
  'pipeline_steps',
  'pipeline_logs',
  'pipeline_schedules',
  'pipeline_triggers',
  'monitors',
  'monitor_reports',
  'monitor_alerts',
  'inference_labels',
  'live_metrics',
  'deployment_policies',
  'policy_decisions',
] as const satisfies readonly (keyof Tables)[];

export type BackupTable = (typeof BACKUP_TABLES)[number];

type AssertTrue<T extends true> = T;
/** Fails to compile while a table of the schema is missing from BACKUP_TABLES. */
export type EveryTableListed = AssertTrue<
  [Exclude<keyof Tables, BackupTable>] extends [never] ? true : false
>;

/**
 * The order rows are dumped (and so loaded) in. Runs go by seq so a parent run precedes its children
 * (a run's parent is fixed when it is created). Metrics keep their natural order, which is insertion
 * order: ties in a history (same step and time) come back as they were logged.
 */
export const DUMP_ORDER: Readonly<Record<BackupTable, readonly string[]>> = {
  experiments: ['id'],
  runs: ['seq'],
  run_params: ['run_seq', 'key'],
  run_tags: ['run_seq', 'key'],
  metrics: [],
  latest_metrics: ['run_seq', 'key'],
  blobs: ['digest'],
  run_artifacts: ['run_seq', 'path'],
  tokens: ['id'],
  audit_events: ['id'],
  idempotency_keys: ['actor', 'key'],
  datasets: ['id'],
  dataset_versions: ['id'],
  validation_reports: ['id'],
  models: ['id'],
  model_versions: ['id'],
  model_aliases: ['model_id', 'alias'],
  model_alias_history: ['id'],
  lineage_edges: ['source', 'target', 'relation'],
  automl_jobs: ['id'],
  automl_trials: ['job_id', 'trial'],
  deployments: ['id'],
  deployment_revisions: ['deployment_id', 'revision'],
  inference_log: ['id'],
  pipelines: ['id'],
  pipeline_versions: ['pipeline_id', 'version'],
  pipeline_runs: ['id'],
  pipeline_steps: ['pipeline_run_id', 'step', 'item'],
  pipeline_logs: ['pipeline_run_id', 'step', 'item', 'seq'],
  pipeline_schedules: ['id'],
  pipeline_triggers: ['id'],
  monitors: ['id'],
  monitor_reports: ['id'],
  monitor_alerts: ['id'],
  inference_labels: ['id'],
  live_metrics: ['deployment', 'bucket_start', 'model', 'model_version', 'metric'],
  deployment_policies: ['id'],
  policy_decisions: ['id'],
};

export function isBackupTable(name: string): name is BackupTable {
  return (BACKUP_TABLES as readonly string[]).includes(name);
}
