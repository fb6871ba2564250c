/** SQLite via better-sqlite3: WAL, foreign keys, fsync on commit so an acknowledged write survives. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';
import type { Database, Db, Executor, MetricColumns } from './database.js';
import type { InferenceLogRow, Tables } from './tables.js';

// Rows a statement, largest first: a batch is cut greedily into these (5,000 rows = 5 x 1,000; 1,234 =
// 1,000 + 2 x 100 + 3 x 10 + 4 x 1), each size prepared once. Large statements make fewer calls into
// SQLite than one row each (1,000 rows is 5,000 parameters, far below SQLite's 32,766 limit).
const METRIC_STATEMENT_ROWS = [1000, 100, 10, 1] as const;
const insertMetricsSql = (rows: number) =>
  `insert into metrics (run_seq, key, step, timestamp, value) values ${'(?,?,?,?,?),'.repeat(rows).slice(0, -1)}`;

/** The inference log's columns, in statement order (13 a row: 500 rows are 6,500 parameters). */
const LOG_COLUMNS = [
  'id',
  'at',
  'request_id',
  'row_index',
  'deployment',
  'revision',
  'route',
  'model',
  'model_version',
  'shadow',
  'features',
  'prediction',
  'latency_ms',
] as const satisfies readonly (keyof InferenceLogRow)[];
const LOG_STATEMENT_ROWS = [500, 50, 5, 1] as const;
const insertLogSql = (rows: number) =>
  `insert into inference_log (${LOG_COLUMNS.join(', ')}) values ${`(${'?,'.repeat(LOG_COLUMNS.length).slice(0, -1)}),`.repeat(rows).slice(0, -1)}`;

/**
 * Runs `rows` through statements of the sizes given (largest first), each prepared once, filling
 * one reused parameter array per size with `width` values a row.
 */
function insertInChunks(
  connection: BetterSqlite3.Database,
  statements: Map<number, BetterSqlite3.Statement>,
  sizes: readonly number[],
  sqlFor: (rows: number) => string,
  width: number,
  total: number,
  fill: (chunk: unknown[], offset: number, row: number) => void,
): void {
  let at = 0;
  for (const rows of sizes) {
    if (total - at < rows) continue;
    let statement = statements.get(rows);
    if (statement === undefined) {
      statement = connection.prepare(sqlFor(rows));
      statements.set(rows, statement);
    }
    const chunk = new Array<unknown>(rows * width);
    for (; at + rows <= total; at += rows) {
      for (let i = 0; i < rows; i++) fill(chunk, i * width, at + i);
      statement.run(chunk);
    }
  }
}

export function openSqliteDatabase(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const connection = openConnection(path, false);
  const db: Db = new Kysely<Tables>({ dialect: new WritingSqliteDialect({ database: connection }) });
  // Prepared once, on first use (the table exists only after migrations): Kysely's driver prepares
  // every query it runs, and preparing a 5,000-parameter statement costs more than running it.
  const insertStatements = new Map<number, BetterSqlite3.Statement>();
  const logStatements = new Map<number, BetterSqlite3.Statement>();
  /** Statements run on the connection directly are inside a Kysely transaction holding it. */
  const inTransaction = async (executor: Executor, work: () => void): Promise<void> => {
    if (!executor.isTransaction) {
      await executor.transaction().execute((trx) => inTransaction(trx, work));
      return;
    }
    if (!connection.inTransaction) throw new Error('bulk inserts need a transaction on this database');
    work();
  };

  const database: Database = {
    db,
    dialect: 'sqlite',
    async insertMetrics(executor: Executor, points: MetricColumns): Promise<void> {
      // A Kysely transaction holds the lock on the one connection until it ends, so statements run
      // on that connection directly are inside it: they commit or roll back with the rest.
      const { runSeq, keys, steps, timestamps, values } = points;
      await inTransaction(executor, () =>
        insertInChunks(
          connection,
          insertStatements,
          METRIC_STATEMENT_ROWS,
          insertMetricsSql,
          5,
          keys.length,
          (chunk, p, i) => {
            chunk[p] = runSeq;
            chunk[p + 1] = keys[i];
            chunk[p + 2] = steps[i];
            chunk[p + 3] = timestamps[i];
            chunk[p + 4] = values[i];
          },
        ),
      );
    },
    async insertInferenceLog(executor: Executor, rows: readonly InferenceLogRow[]): Promise<void> {
      const width = LOG_COLUMNS.length;
      await inTransaction(executor, () =>
        insertInChunks(
          connection,
          logStatements,
          LOG_STATEMENT_ROWS,
          insertLogSql,
          width,
          rows.length,
          (chunk, p, i) => {
            const row = rows[i]!;
            for (let c = 0; c < width; c++) chunk[p + c] = row[LOG_COLUMNS[c]!];
          },
        ),
      );
    },
    async notify(): Promise<void> {
      // SQLite has no notifications: processes sharing the file poll for changes instead.
    },
    listen(): null {
      return null;
    },
    isUniqueViolation(error: unknown): boolean {
      const code = (error as { code?: unknown } | null)?.code;
      return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
    },
    async withSnapshot<T>(read: (snapshot: Db) => Promise<T>): Promise<T> {
      if (path === ':memory:') return read(db);
      // A second connection in WAL mode reads a stable snapshot while the main one keeps writing.
      const reader = openConnection(path, true);
      const snapshot = new Kysely<Tables>({ dialect: new SqliteDialect({ database: reader }) });
      try {
        return await snapshot.transaction().execute((trx) => read(trx));
      } finally {
        await snapshot.destroy();
      }
    },
    async resetIdentities(): Promise<void> {
      // An INTEGER PRIMARY KEY takes max(rowid) + 1: explicit keys never collide with new ones.
    },
    async ping(): Promise<void> {
      connection.prepare('select 1').get();
    },
    async close(): Promise<void> {
      await db.destroy();
    },
  };
  return database;
}

function openConnection(path: string, readonly: boolean): BetterSqlite3.Database {
  const connection = new BetterSqlite3(path, { readonly });
  if (!readonly) {
    connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = FULL');
    // Checkpoint every ~40 MB of WAL instead of ~4 MB: each checkpoint fsyncs the database file, and
    // under bulk metric logging frequent ones cost ~15% of write throughput. Every commit still
    // fsyncs the WAL, so acknowledged writes are as durable as before.
    connection.pragma('wal_autocheckpoint = 10000');
  }
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  // LIKE means the same thing on both dialects: case-sensitive (ILIKE is the insensitive one).
  connection.pragma('case_sensitive_like = ON');
  return connection;
}

/**
 * Transactions begin IMMEDIATE: they take the write lock at the start, waiting (busy_timeout) while
 * another connection holds it. A deferred transaction that reads and then writes while another
 * connection (the inference log's writer thread, a replica on the same file) has written since its
 * read gets SQLITE_BUSY at once, without waiting.
 */
class WritingSqliteDialect extends SqliteDialect {
  constructor(private readonly settings: SqliteDialectConfig) {
    super(settings);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}
