/**
 * Pipelines: definitions and their immutable versions (the spec as applied, and the code that came
 * with it: one bundle per `fn` module and a snapshot of the pipeline's files, both as blobs), runs and
 * their steps as persisted state machines, and each step's log in chunks so it can be followed live
 * from any replica. A run is driven by the server holding its lease; when the lease lapses (a server
 * killed mid-run), another server, or the same one restarted, takes the run over and resumes it.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pipelines')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('latest_version', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('pipeline_versions')
    .addColumn('pipeline_id', 'text', (c) => c.notNull().references('pipelines.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('pipeline_versions_pk', ['pipeline_id', 'version'])
    .execute();

  await db.schema
    .createTable('pipeline_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pipeline_id', 'text', (c) => c.notNull().references('pipelines.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('executor', 'text', (c) => c.notNull())
    .addColumn('use_cache', 'integer', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('tracking_run_id', 'text', (c) => c.notNull().references('runs.id'))
    .addColumn('error', 'text')
    .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('owner', 'text')
    .addColumn('lease_expires_at', 'bigint')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('pipeline_runs_created')
    .on('pipeline_runs')
    .columns(['created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('pipeline_runs_pipeline')
    .on('pipeline_runs')
    .columns(['pipeline_id', 'created_at'])
    .execute();
  await db.schema.createIndex('pipeline_runs_status').on('pipeline_runs').column('status').execute();

  await db.schema
    .createTable('pipeline_steps')
    .addColumn('pipeline_run_id', 'text', (c) => c.notNull().references('pipeline_runs.id'))
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('item', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('item_value', 'text')
    .addColumn('inputs', 'text')
    .addColumn('outputs', 'text')
    .addColumn('cache_key', 'text')
    .addColumn('cached_from', 'text')
    .addColumn('reason', 'text')
    .addColumn('error', 'text')
    .addColumn('retry_at', 'bigint')
    .addColumn('worker', 'text')
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('pipeline_steps_pk', ['pipeline_run_id', 'step', 'item'])
    .execute();
  await db.schema
    .createIndex('pipeline_steps_cache_key')
    .on('pipeline_steps')
    .columns(['cache_key', 'status'])
    .execute();

  await db.schema
    .createTable('pipeline_logs')
    .addColumn('pipeline_run_id', 'text', (c) => c.notNull().references('pipeline_runs.id'))
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('item', 'integer', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('pipeline_logs_pk', ['pipeline_run_id', 'step', 'item', 'seq'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('pipeline_logs').execute();
  await db.schema.dropTable('pipeline_steps').execute();
  await db.schema.dropTable('pipeline_runs').execute();
  await db.schema.dropTable('pipeline_versions').execute();
  await db.schema.dropTable('pipelines').execute();
}
