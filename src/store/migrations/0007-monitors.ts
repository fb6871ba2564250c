/**
 * Monitors: a deployment's live inputs and predictions compared with a reference in windows of the
 * inference log. Each evaluation is a report row (running → succeeded/failed) holding the whole
 * report as JSON; `next_due_at` is the compare-and-set target that makes one scheduled tick evaluate
 * once however many servers see it due, and `last_triggered_at` the one that keeps a drift from
 * starting a retraining pipeline more than once per cooldown. Alerts are deliveries (a webhook call
 * or a pipeline run) with their attempts, so failures stay visible. An index on the inference log's
 * time lets retention delete old rows without a scan.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Retention deletes the inference log by age, across deployments.
  await db.schema.createIndex('inference_log_at').on('inference_log').column('at').execute();

  await db.schema
    .createTable('monitors')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('deployment', 'text', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('next_due_at', 'bigint')
    .addColumn('last_report_id', 'text')
    .addColumn('last_evaluated_at', 'bigint')
    .addColumn('last_triggered_at', 'bigint')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('monitors_due').on('monitors').column('next_due_at').execute();

  await db.schema
    .createTable('monitor_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('monitor_id', 'text', (c) => c.notNull().references('monitors.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('rows', 'integer')
    .addColumn('drift', 'integer')
    .addColumn('share', 'real')
    .addColumn('body', 'text')
    .addColumn('error', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('monitor_reports_monitor')
    .on('monitor_reports')
    .columns(['monitor_id', 'id'])
    .execute();
  await db.schema.createIndex('monitor_reports_status').on('monitor_reports').column('status').execute();

  await db.schema
    .createTable('monitor_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('monitor_id', 'text', (c) => c.notNull().references('monitors.id'))
    .addColumn('report_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('monitor_alerts_monitor')
    .on('monitor_alerts')
    .columns(['monitor_id', 'id'])
    .execute();
  await db.schema
    .createIndex('monitor_alerts_due')
    .on('monitor_alerts')
    .columns(['status', 'next_attempt_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('monitor_alerts').execute();
  await db.schema.dropTable('monitor_reports').execute();
  await db.schema.dropTable('monitors').execute();
  await db.schema.dropIndex('inference_log_at').execute();
}
