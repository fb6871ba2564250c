/**
 * Feedback: the true labels of logged predictions, arriving after the fact (by request id and row,
 * or matched through an id feature), and the live performance they give each model version, kept as
 * an hourly time series.
 *
 * A labelled row is unique per (deployment, request id, row): the first label wins and later ones
 * are reported as duplicates. `predicted_at` copies the served prediction's time so windows of
 * labelled rows are found without scanning the inference log. A metric value is null when it is not
 * defined for the bucket (e.g. ROC AUC with one class), which the API shows as "NaN".
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('inference_labels')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('deployment', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('row_index', 'integer', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('key', 'text')
    .addColumn('key_value', 'text')
    .addColumn('predicted_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('received_by', 'text', (c) => c.notNull())
    .addColumn('feedback_request_id', 'text', (c) => c.notNull())
    .addColumn('late', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('inference_labels_row')
    .on('inference_labels')
    .columns(['deployment', 'request_id', 'row_index'])
    .unique()
    .execute();
  await db.schema
    .createIndex('inference_labels_predicted_at')
    .on('inference_labels')
    .columns(['deployment', 'predicted_at'])
    .execute();

  await db.schema
    .createTable('live_metrics')
    .addColumn('deployment', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('model_version', 'integer', (c) => c.notNull())
    .addColumn('bucket_start', 'bigint', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('value', 'double precision')
    .addColumn('samples', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('live_metrics_pk', [
      'deployment',
      'bucket_start',
      'model',
      'model_version',
      'metric',
    ])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('live_metrics').execute();
  await db.schema.dropTable('inference_labels').execute();
}
