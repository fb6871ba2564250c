export { isBlobRecorded, recordBlobs } from './blob-rows.js';
export type {
  ChangeHandlers,
  ChangeSubscription,
  ChangeTopic,
  Database,
  Db,
  DialectName,
  Executor,
  MetricColumns,
  Tx,
} from './database.js';
export { currentMigration, LATEST_MIGRATION, MigrationError, migrateTo, migrateToLatest } from './migrate.js';
export { MIGRATIONS } from './migrations/index.js';
export { mutate } from './mutation.js';
export { highestFirstPage, newestFirstPage } from './newest-first-page.js';
export { openDatabase } from './open-database.js';
export { containsText, whereNameContains } from './sql-helpers.js';
export type * from './tables.js';
