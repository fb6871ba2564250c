/**
 * Champion/challenger policies of deployments and the decisions they make.
 *
 * One policy per deployment (its name is unique); `next_due_at` is the next periodic evaluation,
 * moved on by compare-and-set by the server that claims it, so each tick is evaluated once however
 * many servers look. Decisions are kept with their evidence (JSON) and the versions compared.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('deployment_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('deployment', 'text', (c) => c.notNull().unique())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('next_due_at', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('deployment_policies_due')
    .on('deployment_policies')
    .column('next_due_at')
    .execute();

  await db.schema
    .createTable('policy_decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('deployment', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('champion_model', 'text')
    .addColumn('champion_version', 'integer')
    .addColumn('challenger_model', 'text')
    .addColumn('challenger_version', 'integer')
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('policy_decisions_deployment')
    .on('policy_decisions')
    .columns(['deployment', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('policy_decisions').execute();
  await db.schema.dropTable('deployment_policies').execute();
}
