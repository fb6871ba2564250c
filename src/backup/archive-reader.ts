/**
 * Reads a backup archive entry by entry and checks it on the way: the manifest first, known names in
 * the right order, every blob's sha256 and size, every chunk's row count; and at the end, that the
 * archive held exactly what the manifest promised, so a truncated archive is refused even when it
 * ends on an entry boundary. A consumer reads each entry's bytes before asking for the next one.
 * Needs no database: the SDK verifies downloads with it too.
 */
import { Readable } from 'node:stream';
import { openTar, readEntry } from '../core/tar-input.js';
import { MANIFEST_ENTRY, parseEntryName } from './archive-layout.js';
import { invalidBackup } from './backup-errors.js';
import { blobChecker, type CheckedBytes, chunkChecker } from './checked-bytes.js';
import { type BackupManifest, parseManifest } from './manifest.js';

export type ArchiveEntry =
  | { readonly kind: 'manifest'; readonly manifest: BackupManifest }
  | {
      readonly kind: 'blob';
      readonly digest: string;
      readonly size: number;
      /** Verified against the digest and size: iteration fails rather than end on wrong bytes. */
      readonly bytes: AsyncIterable<Uint8Array>;
    }
  | {
      readonly kind: 'chunk';
      readonly table: string;
      /** 1, 2, 3… within the table. */
      readonly index: number;
      /** JSON Lines, one row a line, each ending in a newline. */
      readonly bytes: AsyncIterable<Uint8Array>;
    };

const MAX_MANIFEST_BYTES = 1024 * 1024;

export async function* readArchive(
  source: Readable | AsyncIterable<Uint8Array>,
): AsyncGenerator<ArchiveEntry, void, undefined> {
  const input = source instanceof Readable ? source : Readable.from(source);
  const archive = openTar(input, (detail) => invalidBackup(`the archive is damaged or truncated: ${detail}`));
  const translate = archive.translate;

  const order = new ArchiveOrder();
  let manifest: BackupManifest | undefined;
  const rows = new Map<string, number>();
  let blobCount = 0;
  let blobBytes = 0;
  let complete = false;
  try {
    for (let entry = await archive.next(); entry !== undefined; entry = await archive.next()) {
      const { name, type, size } = entry.header;
      if (type !== 'file')
        throw invalidBackup(`the archive holds a ${type} entry '${name}'`, { entry: name });
      const parsed = parseEntryName(name);
      if (parsed === undefined)
        throw invalidBackup(`the archive holds an unknown entry '${name}'`, { entry: name });

      if (manifest === undefined) {
        if (parsed.kind !== 'manifest') {
          throw invalidBackup(`not a Slipway backup: the first entry is '${name}', not ${MANIFEST_ENTRY}`);
        }
        if (size > MAX_MANIFEST_BYTES)
          throw invalidBackup(`${MANIFEST_ENTRY} is implausibly large (${size} bytes)`);
        manifest = parseManifest(await readEntry(entry, translate));
        order.begin(Object.keys(manifest.tables));
        yield { kind: 'manifest', manifest };
        continue;
      }

      let checked: CheckedBytes;
      if (parsed.kind === 'manifest') {
        throw invalidBackup(`the archive holds a second ${MANIFEST_ENTRY}`);
      } else if (parsed.kind === 'blob') {
        order.blob(parsed.digest);
        checked = blobChecker(entry, parsed.digest, size, translate);
        yield { kind: 'blob', digest: parsed.digest, size, bytes: checked };
        await checked.finish();
        blobCount++;
        blobBytes += size;
      } else {
        order.chunk(parsed.table, parsed.index);
        checked = chunkChecker(entry, name, translate);
        yield { kind: 'chunk', table: parsed.table, index: parsed.index, bytes: checked };
        await checked.finish();
        rows.set(parsed.table, (rows.get(parsed.table) ?? 0) + checked.rows());
      }
    }
    if (manifest === undefined) throw invalidBackup(`the archive is empty: no ${MANIFEST_ENTRY}`);
    checkTotals(manifest, rows, blobCount, blobBytes);
    complete = true;
  } finally {
    if (!complete) archive.abandon();
  }
}

/** Reads the whole archive, checking everything; resolves to its manifest. */
export async function verifyArchive(source: Readable | AsyncIterable<Uint8Array>): Promise<BackupManifest> {
  let manifest: BackupManifest | undefined;
  for await (const entry of readArchive(source)) {
    if (entry.kind === 'manifest') manifest = entry.manifest;
    else for await (const _ of entry.bytes);
  }
  return manifest!;
}

/** Blobs first (each once), then the tables in the manifest's order, chunks numbered from 1. */
class ArchiveOrder {
  private tables: readonly string[] = [];
  private readonly digests = new Set<string>();
  private table = -1;
  private index = 0;

  begin(tables: readonly string[]): void {
    this.tables = tables;
  }

  blob(digest: string): void {
    if (this.table >= 0) throw invalidBackup(`blob ${digest} comes after the tables`, { digest });
    if (this.digests.has(digest)) throw invalidBackup(`blob ${digest} appears twice`, { digest });
    this.digests.add(digest);
  }

  chunk(table: string, index: number): void {
    const position = this.tables.indexOf(table);
    if (position < 0)
      throw invalidBackup(`the archive holds rows of '${table}', which the manifest does not list`);
    const expected = position === this.table ? this.index + 1 : 1;
    if (position < this.table || index !== expected) {
      throw invalidBackup(`chunk ${index} of table '${table}' is out of order`, { table, index });
    }
    this.table = position;
    this.index = index;
  }
}

function checkTotals(
  manifest: BackupManifest,
  rows: ReadonlyMap<string, number>,
  blobCount: number,
  blobBytes: number,
): void {
  for (const [table, expected] of Object.entries(manifest.tables)) {
    const found = rows.get(table) ?? 0;
    if (found !== expected) {
      throw invalidBackup(
        `the archive is incomplete or damaged: table '${table}' has ${found} of the ${expected} rows its manifest lists`,
        { table, expected, found },
      );
    }
  }
  if (blobCount !== manifest.blobs.count || blobBytes !== manifest.blobs.bytes) {
    throw invalidBackup(
      `the archive is incomplete or damaged: it holds ${blobCount} blobs (${blobBytes} bytes), its manifest lists ${manifest.blobs.count} (${manifest.blobs.bytes} bytes)`,
      { expected: manifest.blobs, found: { count: blobCount, bytes: blobBytes } },
    );
  }
}
