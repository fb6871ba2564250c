/**
 * 0001: tracking, artifacts, tokens, audit, idempotency. Frozen once landed: never edit, add 0002.
 * Imports nothing from the application so that it means the same thing forever.
 */
import { type Kysely, sql } from 'kysely';
import { isPostgres } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = isPostgres(db);

  await db.schema
    .createTable('experiments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('lifecycle', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();

  await db.schema
    .createTable('runs')
    .addColumn('seq', postgres ? 'bigint' : 'integer', (c) =>
      postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey(),
    )
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('experiment_id', 'text', (c) => c.notNull().references('experiments.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('parent_run_id', 'text', (c) => c.references('runs.id'))
    .addColumn('start_time', 'bigint', (c) => c.notNull())
    .addColumn('end_time', 'bigint')
    .addColumn('git_commit', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('runs_by_experiment').on('runs').columns(['experiment_id', 'id']).execute();
  await db.schema.createIndex('runs_by_parent').on('runs').column('parent_run_id').execute();

  for (const table of ['run_params', 'run_tags']) {
    await db.schema
      .createTable(table)
      .addColumn('run_seq', 'bigint', (c) => c.notNull().references('runs.seq'))
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['run_seq', 'key'])
      .execute();
  }

  await db.schema
    .createTable('metrics')
    .addColumn('run_seq', 'bigint', (c) => c.notNull().references('runs.seq'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('step', 'bigint', (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('value', 'double precision')
    .execute();
  await db.schema
    .createIndex('metrics_by_run_key_step')
    .on('metrics')
    .columns(['run_seq', 'key', 'step'])
    .execute();

  await db.schema
    .createTable('latest_metrics')
    .addColumn('run_seq', 'bigint', (c) => c.notNull().references('runs.seq'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('step', 'bigint', (c) => c.notNull())
    .addColumn('timestamp', 'bigint', (c) => c.notNull())
    .addColumn('value', 'double precision')
    .addPrimaryKeyConstraint('latest_metrics_pk', ['run_seq', 'key'])
    .execute();
  await db.schema
    .createIndex('latest_metrics_by_key_value')
    .on('latest_metrics')
    .columns(['key', 'value'])
    .execute();

  await db.schema
    .createTable('blobs')
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('run_artifacts')
    .addColumn('run_seq', 'bigint', (c) => c.notNull().references('runs.seq'))
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull().references('blobs.digest'))
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_artifacts_pk', ['run_seq', 'path'])
    .execute();

  await db.schema
    .createTable('tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .execute();
  // A name is unique among live tokens; a revoked token's name can be given to a new one.
  await db.schema
    .createIndex('tokens_live_name')
    .on('tokens')
    .column('name')
    .unique()
    .where(sql.ref('revoked_at'), 'is', null)
    .execute();

  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('request_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('audit_by_resource')
    .on('audit_events')
    .columns(['resource_type', 'resource_id', 'id'])
    .execute();
  await db.schema.createIndex('audit_by_actor').on('audit_events').columns(['actor', 'id']).execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['actor', 'key'])
    .execute();
}
