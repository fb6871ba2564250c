/**
 * Restore only ever fills an empty database: merging a backup into live data could not keep ids,
 * names and run numbers unique. A database a server has started on is not empty (the first start
 * creates the admin token).
 */
import { currentMigration, type Database, type Executor, MIGRATIONS } from '../store/index.js';
import { targetNotEmpty } from './backup-errors.js';
import { BACKUP_TABLES } from './backup-tables.js';
import { loosen } from './loose-db.js';

/** Throws RESTORE_TARGET_NOT_EMPTY unless every table is empty; returns the applied migration, if any. */
export async function checkEmptyTarget(database: Database): Promise<string | undefined> {
  const migration = await currentMigration(database.db);
  if (migration !== undefined) await checkTablesEmpty(database.db);
  return migration;
}

export async function checkTablesEmpty(executor: Executor): Promise<void> {
  const occupied: Record<string, number> = {};
  for (const table of BACKUP_TABLES) {
    const { count } = await loosen(executor)
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('count'))
      .executeTakeFirstOrThrow();
    if (Number(count) > 0) occupied[table] = Number(count);
  }
  const names = Object.keys(occupied);
  if (names.length === 0) return;
  const listed = names.map((table) => `${table}: ${occupied[table]}`).join(', ');
  const bootstrapOnly = names.every((table) => table === 'tokens' || table === 'audit_events');
  throw targetNotEmpty(
    `the target database is not empty (${listed})${
      bootstrapOnly ? '; a server that started on it created its admin token, which counts as data' : ''
    }; restore into a new database (set SLIPWAY_DATABASE_URL, or SLIPWAY_HOME for a new SQLite file)`,
    { rows: occupied },
  );
}

/** An empty database already migrated past the backup cannot take the backup's rows. */
export function checkSchemaNotNewer(applied: string | undefined, backup: string): void {
  if (applied === undefined) return;
  const names = Object.keys(MIGRATIONS);
  if (names.indexOf(applied) > names.indexOf(backup)) {
    throw targetNotEmpty(
      `the target database's schema (${applied}) is newer than the backup's (${backup}); restore into a new database`,
      { applied, backup },
    );
  }
}
