/**
 * Serving: deployments and their revisions. A deployment row holds its current revision number (the
 * compare-and-set target of every change); each revision keeps the spec as written (routes naming
 * versions or aliases, shadow, routing key, batching) and the model versions it resolved to, so a
 * rollback restores exactly what served then and every replica switches to the same versions.
 *
 * The inference log keeps one row per predicted row (features in, prediction out, which route and
 * version served it, latency), written in batches off the request path, for monitoring windows and
 * for joining labels that arrive later (by request id and row).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('deployments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('deployment_revisions')
    .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('resolved', 'text', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('deployment_revisions_pk', ['deployment_id', 'revision'])
    .execute();

  await db.schema
    .createTable('inference_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('row_index', 'integer', (c) => c.notNull())
    .addColumn('deployment', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('route', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('model_version', 'integer', (c) => c.notNull())
    .addColumn('shadow', 'integer', (c) => c.notNull())
    .addColumn('features', 'text', (c) => c.notNull())
    .addColumn('prediction', 'text', (c) => c.notNull())
    .addColumn('latency_ms', 'real', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('inference_log_deployment_at')
    .on('inference_log')
    .columns(['deployment', 'at'])
    .execute();
  await db.schema
    .createIndex('inference_log_version_at')
    .on('inference_log')
    .columns(['model', 'model_version', 'at'])
    .execute();
  await db.schema.createIndex('inference_log_request').on('inference_log').column('request_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('inference_log').execute();
  await db.schema.dropTable('deployment_revisions').execute();
  await db.schema.dropTable('deployments').execute();
}
