/** Applies numbered migrations under Kysely's migration lock; a failure names the migration. */
import { type Kysely, type MigrationResultSet, Migrator } from 'kysely';
import { MIGRATIONS } from './migrations/index.js';

export const LATEST_MIGRATION = Object.keys(MIGRATIONS).at(-1)!;

export class MigrationError extends Error {
  constructor(migration: string, cause: unknown) {
    super(`migration ${migration} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'MigrationError';
  }
}

// Kysely keeps its bookkeeping tables in the current schema; on PostgreSQL the dialect's introspector
// sees only that schema, so installations sharing one database never see each other's tables.
function migrator<T>(db: Kysely<T>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => ({ ...MIGRATIONS }) } });
}

export async function migrateToLatest<T>(db: Kysely<T>): Promise<readonly string[]> {
  return applied(await migrator(db).migrateToLatest());
}

/** Used by restore: bring an empty database to exactly the backup's schema before loading rows. */
export async function migrateTo<T>(db: Kysely<T>, name: string): Promise<readonly string[]> {
  if (!(name in MIGRATIONS))
    throw new Error(`unknown migration '${name}'; this Slipway is too old for the backup`);
  return applied(await migrator(db).migrateTo(name));
}

/** The newest migration applied to this database, or undefined for an empty one. */
export async function currentMigration<T>(db: Kysely<T>): Promise<string | undefined> {
  const list = await migrator(db).getMigrations();
  return list.filter((migration) => migration.executedAt !== undefined).at(-1)?.name;
}

function applied({ error, results = [] }: MigrationResultSet): readonly string[] {
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName ?? 'setup';
    throw new MigrationError(failed, error);
  }
  return results.filter((result) => result.status === 'Success').map((result) => result.migrationName);
}
