/**
 * Produces a backup archive while the server keeps running. Every row is read inside one database
 * snapshot; blobs are immutable and content-addressed, so streaming the bytes of the blobs the
 * snapshot names gives exactly the snapshot's artifacts even while new ones arrive.
 */
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { BlobStore } from '../artifacts/index.js';
import type { Clock } from '../core/clock.js';
import { toIso } from '../core/clock.js';
import { IntegrityError, NotFoundError } from '../core/errors.js';
import { SLIPWAY_VERSION } from '../core/version.js';
import { currentMigration, type Database, type Db } from '../store/index.js';
import { blobEntry, chunkEntry, MANIFEST_ENTRY } from './archive-layout.js';
import { BACKUP_TABLES, type BackupTable, DUMP_ORDER } from './backup-tables.js';
import { loosen } from './loose-db.js';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, type BackupManifest } from './manifest.js';
import { encodeRow } from './row-codec.js';
import { TarWriter } from './tar-writer.js';

export interface BackupSource {
  readonly database: Database;
  readonly blobs: BlobStore;
  readonly clock: Clock;
}

export interface BackupOptions {
  /** Most rows in one table chunk (default 10,000). */
  readonly chunkRows?: number;
  /** A chunk is cut once it passes this many bytes (default 8 MiB), so wide rows stay bounded too. */
  readonly chunkBytes?: number;
}

export interface OpenedBackup {
  readonly manifest: BackupManifest;
  /** The tar archive. Read it to the end; destroying it stops the backup and releases the snapshot. */
  readonly stream: Readable;
  /** Resolves once the whole archive was read; rejects if the backup failed or was abandoned. */
  readonly done: Promise<BackupManifest>;
}

const STREAM_BATCH_ROWS = 1_000;

/**
 * Opens a snapshot and resolves once the manifest is known (so a caller can still answer with a
 * clean error when the database is unreachable); the archive then streams from `stream`.
 */
export async function openBackup(source: BackupSource, options: BackupOptions = {}): Promise<OpenedBackup> {
  const createdAt = source.clock.now();
  const writer = new TarWriter(new Date(createdAt));
  let announce: (manifest: BackupManifest) => void = () => {};
  let refuse: (error: unknown) => void = () => {};
  const described = new Promise<BackupManifest>((resolve, reject) => {
    announce = resolve;
    refuse = reject;
  });
  const written = source.database.withSnapshot(async (snapshot) => {
    const manifest = await describe(snapshot, source.database, createdAt);
    announce(manifest);
    await writer.file(MANIFEST_ENTRY, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
    await writeBlobs(snapshot, source.blobs, writer);
    for (const table of BACKUP_TABLES) {
      await writeTable(snapshot, table, manifest.tables[table] ?? 0, writer, options);
    }
    writer.finalize();
    return manifest;
  });
  let settled = false;
  written.then(
    () => {
      settled = true;
    },
    (error: unknown) => {
      settled = true;
      refuse(error);
      writer.destroy(error instanceof Error ? error : new Error(String(error)));
    },
  );
  const manifest = await described;
  writer.output.once('close', () => {
    if (!settled) writer.destroy(new Error('the backup was abandoned by its reader'));
  });
  const done = written.then(async (result) => {
    await finished(writer.output);
    return result;
  });
  done.catch(() => {});
  return { manifest, stream: writer.output, done };
}

async function describe(snapshot: Db, database: Database, createdAt: number): Promise<BackupManifest> {
  const migration = await currentMigration(snapshot);
  if (migration === undefined) throw new Error('the database has no schema to back up');
  const loose = loosen(snapshot);
  const tables: Record<string, number> = {};
  for (const table of BACKUP_TABLES) {
    const { count } = await loose
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('count'))
      .executeTakeFirstOrThrow();
    tables[table] = Number(count);
  }
  const blobs = await snapshot
    .selectFrom('blobs')
    .select((eb) => [eb.fn.countAll().as('count'), eb.fn.coalesce(eb.fn.sum('size'), eb.lit(0)).as('bytes')])
    .executeTakeFirstOrThrow();
  return {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    createdAt: toIso(createdAt),
    slipwayVersion: SLIPWAY_VERSION,
    migration,
    sourceDialect: database.dialect,
    tables,
    blobs: { count: Number(blobs.count), bytes: Number(blobs.bytes) },
  };
}

async function writeBlobs(snapshot: Db, blobs: BlobStore, writer: TarWriter): Promise<void> {
  const rows = snapshot
    .selectFrom('blobs')
    .select(['digest', 'size'])
    .orderBy('digest')
    .stream(STREAM_BATCH_ROWS);
  for await (const row of rows) {
    let bytes: Readable;
    try {
      bytes = await blobs.get(row.digest);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      throw new IntegrityError(`the artifact store has lost blob ${row.digest}, which the database names`, {
        digest: row.digest,
      });
    }
    await writer.stream(blobEntry(row.digest), Number(row.size), bytes);
  }
}

async function writeTable(
  snapshot: Db,
  table: BackupTable,
  expected: number,
  writer: TarWriter,
  options: BackupOptions,
): Promise<void> {
  const maxRows = options.chunkRows ?? 10_000;
  const maxBytes = options.chunkBytes ?? 8 * 1024 * 1024;
  let query = loosen(snapshot).selectFrom(table).selectAll();
  for (const column of DUMP_ORDER[table]) query = query.orderBy(column);

  let lines: string[] = [];
  let size = 0;
  let index = 0;
  let total = 0;
  const flush = async () => {
    if (lines.length === 0) return;
    index++;
    const bytes = Buffer.from(`${lines.join('\n')}\n`);
    total += lines.length;
    lines = [];
    size = 0;
    await writer.file(chunkEntry(table, index), bytes);
  };
  // No other query may run on the snapshot while this stream is open (it holds the connection).
  for await (const row of query.stream(STREAM_BATCH_ROWS)) {
    const line = encodeRow(table, row);
    lines.push(line);
    size += line.length + 1;
    if (lines.length >= maxRows || size >= maxBytes) await flush();
  }
  await flush();
  if (total !== expected) {
    // Both numbers come from one snapshot: a difference means the snapshot was not one.
    throw new IntegrityError(`table ${table} changed during the backup (${expected} rows, then ${total})`, {
      table,
      expected,
      found: total,
    });
  }
}
