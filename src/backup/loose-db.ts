/**
 * The database seen as plain tables of plain rows. Backup and restore move every table's rows without
 * knowing their shape; the database itself checks columns and constraints on the way back in.
 */
import type { Kysely } from 'kysely';
import type { Db } from '../store/index.js';

export type LooseDb = Kysely<Record<string, Record<string, unknown>>>;

export function loosen(db: Db): LooseDb {
  return db as unknown as LooseDb;
}
