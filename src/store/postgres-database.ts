/** PostgreSQL via pg. An optional schema (`?schema=` in the URL) isolates installations and test runs. */
import { createHash } from 'node:crypto';
import { CompiledQuery, type DatabaseIntrospector, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import type {
  ChangeHandlers,
  ChangeSubscription,
  ChangeTopic,
  Database,
  Db,
  Executor,
  MetricColumns,
} from './database.js';
import { SchemaScopedIntrospector } from './postgres-introspector.js';
import { listenOnChannel } from './postgres-listener.js';
import type { InferenceLogRow, Tables } from './tables.js';

const INT8_OID = 20;
const NUMERIC_OID = 1700;

// Times and counts are bigint columns; every value we store fits in a double exactly.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
};

const INSERT_METRICS = `insert into metrics (run_seq, key, step, timestamp, value)
  select $1::bigint, k, s, t, v from unnest($2::text[], $3::bigint[], $4::bigint[], $5::float8[]) as u(k, s, t, v)`;

const INSERT_INFERENCE_LOG = `insert into inference_log
  (id, at, request_id, row_index, deployment, revision, route, model, model_version, shadow, features, prediction, latency_ms)
  select * from unnest($1::text[], $2::bigint[], $3::text[], $4::int[], $5::text[], $6::int[], $7::text[], $8::text[],
    $9::int[], $10::int[], $11::text[], $12::text[], $13::float8[])`;

export async function openPostgresDatabase(url: string, schema?: string): Promise<Database> {
  if (schema !== undefined) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists "${schema}"`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types,
    ...(schema === undefined ? {} : { options: `-c search_path="${schema}"` }),
  });
  // The cursor lets backups stream a table's rows instead of loading them whole.
  const db: Db = new Kysely<Tables>({ dialect: new InstallationDialect({ pool, cursor: Cursor }) });

  return {
    db,
    dialect: 'postgres',
    async insertMetrics(executor: Executor, points: MetricColumns): Promise<void> {
      // NaN is stored as NULL on both dialects so that reads agree.
      await executor.executeQuery(
        CompiledQuery.raw(INSERT_METRICS, [
          points.runSeq,
          points.keys,
          points.steps,
          points.timestamps,
          points.values,
        ]),
      );
    },
    async insertInferenceLog(executor: Executor, rows: readonly InferenceLogRow[]): Promise<void> {
      const column = <K extends keyof InferenceLogRow>(key: K) => rows.map((row) => row[key]);
      await executor.executeQuery(
        CompiledQuery.raw(INSERT_INFERENCE_LOG, [
          column('id'),
          column('at'),
          column('request_id'),
          column('row_index'),
          column('deployment'),
          column('revision'),
          column('route'),
          column('model'),
          column('model_version'),
          column('shadow'),
          column('features'),
          column('prediction'),
          column('latency_ms'),
        ]),
      );
    },
    async notify(executor: Executor, topic: ChangeTopic, payload: string): Promise<void> {
      // Inside a transaction PostgreSQL holds the notification until commit and drops it on rollback.
      await sql`select pg_notify(${channelName(topic, schema)}, ${payload})`.execute(executor);
    },
    listen(topic: ChangeTopic, handlers: ChangeHandlers): ChangeSubscription {
      return listenOnChannel(url, channelName(topic, schema), handlers);
    },
    isUniqueViolation(error: unknown): boolean {
      return (error as { code?: unknown } | null)?.code === '23505';
    },
    async withSnapshot<T>(read: (snapshot: Db) => Promise<T>): Promise<T> {
      return db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (trx) => {
          await sql`set transaction read only`.execute(trx);
          return read(trx);
        });
    },
    async resetIdentities(executor: Executor): Promise<void> {
      await sql`select setval(pg_get_serial_sequence('runs', 'seq'), coalesce(max(seq), 0) + 1, false) from runs`.execute(
        executor,
      );
    },
    async ping(): Promise<void> {
      await sql`select 1`.execute(db);
    },
    async close(): Promise<void> {
      await db.destroy();
    },
  };
}

/**
 * The installation's channel for `topic`. Notifications are per database, so installations in other
 * schemas of it (test runs, staging beside production) get channels of their own. A channel is an
 * identifier of at most 63 bytes (LISTEN truncates longer ones, pg_notify refuses them): a long
 * schema name is replaced by its hash.
 */
export function channelName(topic: ChangeTopic, schema = 'public'): string {
  const name = `slipway_${topic}_${schema}`;
  if (Buffer.byteLength(name) <= 63) return name;
  return `slipway_${topic}_${createHash('sha256').update(schema).digest('hex').slice(0, 32)}`;
}

/** PostgreSQL, introspecting only the installation's own schema (see SchemaScopedIntrospector). */
class InstallationDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SchemaScopedIntrospector(db);
  }
}
