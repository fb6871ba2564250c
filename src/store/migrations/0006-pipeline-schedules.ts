/**
 * Pipeline schedules and dataset triggers, as the latest version of each pipeline declares them. A
 * schedule's `next_fire_at` is the compare-and-set target that makes one tick start exactly one run
 * however many servers see it due; a trigger's `watermark` (the newest dataset version id it has
 * considered) does the same for new dataset versions.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('pipeline_schedules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pipeline_id', 'text', (c) => c.notNull().references('pipelines.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('cron', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('next_fire_at', 'bigint', (c) => c.notNull())
    .addColumn('last_fire_at', 'bigint')
    .addColumn('last_run_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('pipeline_schedules_due')
    .on('pipeline_schedules')
    .column('next_fire_at')
    .execute();
  await db.schema
    .createIndex('pipeline_schedules_pipeline')
    .on('pipeline_schedules')
    .columns(['pipeline_id', 'position'])
    .unique()
    .execute();

  await db.schema
    .createTable('pipeline_triggers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pipeline_id', 'text', (c) => c.notNull().references('pipelines.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('dataset', 'text', (c) => c.notNull())
    .addColumn('param', 'text')
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('watermark', 'text', (c) => c.notNull())
    .addColumn('last_fire_at', 'bigint')
    .addColumn('last_run_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('pipeline_triggers_pipeline')
    .on('pipeline_triggers')
    .columns(['pipeline_id', 'position'])
    .unique()
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('pipeline_triggers').execute();
  await db.schema.dropTable('pipeline_schedules').execute();
}
