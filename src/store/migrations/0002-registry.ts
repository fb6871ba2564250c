/**
 * 0002: datasets and their versions, validation reports, models, model versions, aliases with their
 * history, and the lineage graph. Frozen once landed: never edit, add 0003.
 * Imports nothing from the application so that it means the same thing forever.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('datasets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('dataset_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('source_digest', 'text', (c) => c.notNull().references('blobs.digest'))
    .addColumn('source_size', 'bigint', (c) => c.notNull())
    .addColumn('data_digest', 'text', (c) => c.notNull().references('blobs.digest'))
    .addColumn('data_size', 'bigint', (c) => c.notNull())
    .addColumn('row_count', 'bigint', (c) => c.notNull())
    .addColumn('schema', 'text', (c) => c.notNull())
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('dataset_versions_number', ['dataset_id', 'version'])
    // Content addressing: the same bytes in the same format are one version.
    .addUniqueConstraint('dataset_versions_content', ['dataset_id', 'source_digest', 'format'])
    .execute();

  await db.schema
    .createTable('validation_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dataset_version_id', 'text', (c) => c.notNull().references('dataset_versions.id'))
    .addColumn('success', 'integer', (c) => c.notNull())
    .addColumn('suite', 'text', (c) => c.notNull())
    .addColumn('report', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('validation_reports_by_version')
    .on('validation_reports')
    .columns(['dataset_version_id', 'id'])
    .execute();

  await db.schema
    .createTable('models')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('policy', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint')
    .execute();

  await db.schema
    .createTable('model_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('model_id', 'text', (c) => c.notNull().references('models.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('artifact_digest', 'text', (c) => c.notNull().references('blobs.digest'))
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('feature_names', 'text')
    .addColumn('metrics', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('run_id', 'text', (c) => c.references('runs.id'))
    .addColumn('datasets', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('approval_status', 'text', (c) => c.notNull())
    .addColumn('approval_comment', 'text')
    .addColumn('approved_by', 'text')
    .addColumn('approved_at', 'bigint')
    .addColumn('card', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('model_versions_number', ['model_id', 'version'])
    .execute();

  await db.schema
    .createTable('model_aliases')
    .addColumn('model_id', 'text', (c) => c.notNull().references('models.id'))
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('model_aliases_pk', ['model_id', 'alias'])
    .execute();

  await db.schema
    .createTable('model_alias_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('model_id', 'text', (c) => c.notNull().references('models.id'))
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('from_version', 'integer')
    .addColumn('to_version', 'integer')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('model_alias_history_by_alias')
    .on('model_alias_history')
    .columns(['model_id', 'alias', 'id'])
    .execute();

  // Nodes are keys such as 'dataset:orders@7', 'run:01J…', 'model:churn@3': stable, because
  // datasets and models are never renamed and versions never change.
  await db.schema
    .createTable('lineage_edges')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('relation', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('lineage_edges_pk', ['source', 'target', 'relation'])
    .execute();
  await db.schema.createIndex('lineage_edges_by_target').on('lineage_edges').column('target').execute();
}
