/** SQLite via better-sqlite3: WAL, foreign keys, fsync on commit so an acknowledged write survives. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect } from 'kysely';
import type { Database, Db, Executor, MetricColumns } from './database.js';
import type { Tables } from './tables.js';

// 5 bound parameters a row; 800 rows stay far below SQLite's 32,766-variable limit.
const METRIC_ROWS_PER_STATEMENT = 800;

export function openSqliteDatabase(path: string): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const connection = openConnection(path, false);
  const db: Db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: connection }) });
  const insertSqlByRows = new Map<number, string>();

  return {
    db,
    dialect: 'sqlite',
    async insertMetrics(executor: Executor, points: MetricColumns): Promise<void> {
      const total = points.keys.length;
      for (let start = 0; start < total; start += METRIC_ROWS_PER_STATEMENT) {
        const rows = Math.min(METRIC_ROWS_PER_STATEMENT, total - start);
        let text = insertSqlByRows.get(rows);
        if (text === undefined) {
          text = `insert into metrics (run_seq, key, step, timestamp, value) values ${'(?,?,?,?,?),'.repeat(rows).slice(0, -1)}`;
          insertSqlByRows.set(rows, text);
        }
        const parameters: unknown[] = new Array(rows * 5);
        for (let i = 0; i < rows; i++) {
          const at = start + i;
          parameters[i * 5] = points.runSeq;
          parameters[i * 5 + 1] = points.keys[at];
          parameters[i * 5 + 2] = points.steps[at];
          parameters[i * 5 + 3] = points.timestamps[at];
          parameters[i * 5 + 4] = points.values[at];
        }
        await executor.executeQuery(CompiledQuery.raw(text, parameters));
      }
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
    async ping(): Promise<void> {
      connection.prepare('select 1').get();
    },
    async close(): Promise<void> {
      await db.destroy();
    },
  };
}

function openConnection(path: string, readonly: boolean): BetterSqlite3.Database {
  const connection = new BetterSqlite3(path, { readonly });
  if (!readonly) {
    connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = FULL');
  }
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  // LIKE means the same thing on both dialects: case-sensitive (ILIKE is the insensitive one).
  connection.pragma('case_sensitive_like = ON');
  return connection;
}
