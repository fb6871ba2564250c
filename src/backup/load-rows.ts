/**
 * The second pass of a restore: every spooled row, table by table in foreign-key order, inside ONE
 * transaction, so the database ends up holding the whole backup or nothing of it.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { SlipwayError } from '../core/errors.js';
import type { Database, Executor } from '../store/index.js';
import { chunkEntry } from './archive-layout.js';
import { invalidBackup } from './backup-errors.js';
import { BACKUP_TABLES } from './backup-tables.js';
import { chunkFile, type ExtractedArchive } from './extract-archive.js';
import { loosen } from './loose-db.js';
import { type BackupRow, decodeRow } from './row-codec.js';
import { checkTablesEmpty } from './target-check.js';

// Bound parameters per INSERT, well inside SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMETERS = 20_000;
const MAX_ROWS_PER_INSERT = 1_000;

export async function loadRows(
  database: Database,
  workDir: string,
  extracted: ExtractedArchive,
  onProgress?: (message: string) => void,
): Promise<void> {
  await database.db.transaction().execute(async (trx) => {
    // A server may have started on this database since the first check.
    await checkTablesEmpty(trx);
    for (const table of BACKUP_TABLES) {
      const chunks = extracted.chunks.get(table) ?? 0;
      let loaded = 0;
      for (let index = 1; index <= chunks; index++) {
        loaded += await loadChunk(trx, table, index, workDir, extracted);
      }
      if (loaded > 0) onProgress?.(`loaded ${table}: ${loaded} rows`);
    }
    await database.resetIdentities(trx);
  });
}

async function loadChunk(
  trx: Executor,
  table: string,
  index: number,
  workDir: string,
  extracted: ExtractedArchive,
): Promise<number> {
  const entry = chunkEntry(table, index);
  const lines = createInterface({
    input: createReadStream(chunkFile(workDir, table, index)),
    crlfDelay: Infinity,
  });
  let batch: BackupRow[] = [];
  let limit = MAX_ROWS_PER_INSERT;
  let count = 0;
  for await (const line of lines) {
    count++;
    const row = decodeRow(line, `${entry} line ${count}`);
    if (table === 'blobs') checkBlobPresent(row, extracted.blobs);
    if (batch.length === 0)
      limit = Math.max(
        1,
        Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMETERS / Object.keys(row).length)),
      );
    batch.push(row);
    if (batch.length >= limit) {
      await insert(trx, table, batch);
      batch = [];
    }
  }
  await insert(trx, table, batch);
  return count;
}

async function insert(trx: Executor, table: string, rows: readonly BackupRow[]): Promise<void> {
  if (rows.length === 0) return;
  try {
    await loosen(trx).insertInto(table).values(rows).execute();
  } catch (error) {
    if (error instanceof SlipwayError) throw error;
    throw new Error(
      `loading rows of ${table} failed: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
}

/** Every blob the restored database names must now be in the blob store. */
function checkBlobPresent(row: BackupRow, stored: ReadonlyMap<string, number>): void {
  const digest = String(row.digest);
  const size = stored.get(digest);
  if (size === undefined || size !== row.size) {
    throw invalidBackup(`the blobs table names ${digest}, whose bytes the archive does not hold`, { digest });
  }
}
