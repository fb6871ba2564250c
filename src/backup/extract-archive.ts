/**
 * The first pass of a restore: reads (and so checks) the whole archive before the database is
 * touched. Blobs go straight into the blob store, verified against their digests; a failure later
 * leaves only unreferenced blobs, which nothing shows and the next attempt reuses. Table chunks are
 * spooled to a work folder, because the rows can only be loaded once the archive proved complete.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from '../artifacts/index.js';
import { readArchive } from './archive-reader.js';
import { invalidBackup } from './backup-errors.js';
import type { BackupManifest } from './manifest.js';

export interface ExtractedArchive {
  readonly manifest: BackupManifest;
  /** Number of chunk files spooled per table (`<workDir>/<table>/<n>.jsonl`). */
  readonly chunks: ReadonlyMap<string, number>;
  /** Size of every blob now in the store, by digest. */
  readonly blobs: ReadonlyMap<string, number>;
}

export interface ExtractOptions {
  /** Checks the manifest before anything is stored (throws to refuse the backup). */
  readonly accept: (manifest: BackupManifest) => void;
  readonly onProgress?: (message: string) => void;
}

export function chunkFile(workDir: string, table: string, index: number): string {
  return join(workDir, table, `${index}.jsonl`);
}

export async function extractArchive(
  source: Readable | AsyncIterable<Uint8Array>,
  blobs: BlobStore,
  workDir: string,
  options: ExtractOptions,
): Promise<ExtractedArchive> {
  let manifest: BackupManifest | undefined;
  const chunks = new Map<string, number>();
  const stored = new Map<string, number>();
  for await (const entry of readArchive(source)) {
    if (entry.kind === 'manifest') {
      options.accept(entry.manifest);
      manifest = entry.manifest;
      options.onProgress?.(
        `backup of ${entry.manifest.createdAt} (Slipway ${entry.manifest.slipwayVersion}, ${entry.manifest.sourceDialect}, ${entry.manifest.migration}): ${entry.manifest.blobs.count} blobs, ${Object.values(entry.manifest.tables).reduce((a, b) => a + b, 0)} rows`,
      );
    } else if (entry.kind === 'blob') {
      const info = await blobs.put(entry.bytes, { expectedDigest: entry.digest });
      if (info.size !== entry.size) {
        throw invalidBackup(`blob ${entry.digest} is ${info.size} bytes, its entry says ${entry.size}`);
      }
      stored.set(entry.digest, info.size);
      if (stored.size % 1000 === 0 || stored.size === manifest!.blobs.count) {
        options.onProgress?.(`stored ${stored.size} of ${manifest!.blobs.count} blobs`);
      }
    } else {
      if (!chunks.has(entry.table)) await mkdir(join(workDir, entry.table), { recursive: true });
      await pipeline(entry.bytes, createWriteStream(chunkFile(workDir, entry.table, entry.index)));
      chunks.set(entry.table, entry.index);
    }
  }
  return { manifest: manifest!, chunks, blobs: stored };
}
