/**
 * Restores a backup archive into an empty installation: check the target is empty, read and check
 * the whole archive (blobs into the store, rows to a work folder), recreate the backup's exact
 * schema, load every row in one transaction, then bring the schema up to date.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobStore } from '../artifacts/index.js';
import { type Database, LATEST_MIGRATION, MIGRATIONS, migrateTo, migrateToLatest } from '../store/index.js';
import { unsupportedBackup } from './backup-errors.js';
import { isBackupTable } from './backup-tables.js';
import { extractArchive } from './extract-archive.js';
import { loadRows } from './load-rows.js';
import type { BackupManifest } from './manifest.js';
import { checkEmptyTarget, checkSchemaNotNewer } from './target-check.js';

export interface RestoreTarget {
  readonly database: Database;
  readonly blobs: BlobStore;
  /** Scratch space for the archive's rows while it is checked; removed afterwards. */
  readonly workDir: string;
}

export interface RestoreOptions {
  readonly onProgress?: (message: string) => void;
}

export interface RestoreSummary {
  readonly manifest: BackupManifest;
  /** Migrations applied after loading, to bring the backup's schema up to this Slipway's. */
  readonly upgraded: readonly string[];
}

export async function restoreBackup(
  source: Readable | AsyncIterable<Uint8Array>,
  target: RestoreTarget,
  options: RestoreOptions = {},
): Promise<RestoreSummary> {
  const applied = await checkEmptyTarget(target.database);
  await mkdir(target.workDir, { recursive: true });
  const work = await mkdtemp(join(target.workDir, 'restore-'));
  try {
    const extracted = await extractArchive(source, target.blobs, work, {
      accept: (manifest) => {
        checkRestorable(manifest);
        checkSchemaNotNewer(applied, manifest.migration);
      },
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
    await migrateTo(target.database.db, extracted.manifest.migration);
    await loadRows(target.database, work, extracted, options.onProgress);
    const upgraded = await migrateToLatest(target.database.db);
    return { manifest: extracted.manifest, upgraded };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function checkRestorable(manifest: BackupManifest): void {
  if (!(manifest.migration in MIGRATIONS)) {
    throw unsupportedBackup(
      `the backup's schema '${manifest.migration}' is newer than this Slipway knows (its latest is '${LATEST_MIGRATION}'); upgrade Slipway to restore it`,
      { migration: manifest.migration, latest: LATEST_MIGRATION },
    );
  }
  const unknown = Object.keys(manifest.tables).filter((table) => !isBackupTable(table));
  if (unknown.length > 0) {
    throw unsupportedBackup(`the backup holds tables this Slipway does not know: ${unknown.join(', ')}`, {
      tables: unknown,
    });
  }
}
