/** Chooses the metadata backend from the configured URL and brings its schema up to date. */
import type { DatabaseUrl } from '../core/config.js';
import type { Database } from './database.js';
import { migrateToLatest } from './migrate.js';
import { openPostgresDatabase } from './postgres-database.js';
import { openSqliteDatabase } from './sqlite-database.js';

const OPENERS: {
  readonly [K in DatabaseUrl['kind']]: (url: Extract<DatabaseUrl, { kind: K }>) => Promise<Database>;
} = {
  sqlite: async (url) => openSqliteDatabase(url.path),
  postgres: (url) => openPostgresDatabase(url.url, url.schema),
};

export async function openDatabase(url: DatabaseUrl, options: { migrate?: boolean } = {}): Promise<Database> {
  const open = OPENERS[url.kind] as (url: DatabaseUrl) => Promise<Database>;
  const database = await open(url);
  if (options.migrate !== false) {
    try {
      await migrateToLatest(database.db);
    } catch (error) {
      await database.close();
      throw error;
    }
  }
  return database;
}
