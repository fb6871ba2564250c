/**
 * Training: AutoML jobs (a persisted state machine, so a restart resumes them) and the feature and
 * class metadata a model version carries so the predict API can map named features onto its inputs.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('model_versions').addColumn('features', 'text').execute();
  await db.schema.alterTable('model_versions').addColumn('classes', 'text').execute();

  await db.schema
    .createTable('automl_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('dataset', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id'))
    .addColumn('progress', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('finished_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('automl_jobs_created')
    .on('automl_jobs')
    .columns(['created_at', 'id'])
    .execute();
  await db.schema.createIndex('automl_jobs_status').on('automl_jobs').column('status').execute();

  await db.schema
    .createTable('automl_trials')
    .addColumn('job_id', 'text', (c) => c.notNull().references('automl_jobs.id'))
    .addColumn('trial', 'integer', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id'))
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('automl_trials_pk', ['job_id', 'trial'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('automl_trials').execute();
  await db.schema.dropTable('automl_jobs').execute();
  await db.schema.alterTable('model_versions').dropColumn('classes').execute();
  await db.schema.alterTable('model_versions').dropColumn('features').execute();
}
