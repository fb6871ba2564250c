/**
 * A push's blobs: the bytes as pushed and (when it is another file) their Parquet form go into the
 * blob store before the version row exists; after a failed push, those it added and nothing refers
 * to are removed again.
 */

import { createReadStream } from 'node:fs';
import type { BlobInfo, BlobStore } from '../artifacts/index.js';
import { isBlobRecorded } from '../store/index.js';
import type { DatasetsDeps } from './deps.js';

export interface StoredBlob {
  readonly info: BlobInfo;
  /** The store did not have these bytes before this push. */
  readonly created: boolean;
}

/** Puts the pushed bytes and (when it is another file) the Parquet form into the blob store. */
export async function storeBlobs(
  blobs: BlobStore,
  sourcePath: string,
  sourceDigest: string,
  parquetPath: string,
): Promise<StoredBlob[]> {
  const put = async (path: string, digest?: string): Promise<StoredBlob> => {
    const existed = digest === undefined ? undefined : await blobs.stat(digest);
    const info = await blobs.put(
      createReadStream(path),
      digest === undefined ? {} : { expectedDigest: digest },
    );
    return { info, created: digest === undefined ? true : existed === undefined };
  };
  const source = put(sourcePath, sourceDigest);
  if (parquetPath === sourcePath) return [await source];
  const [a, b] = await Promise.all([source, put(parquetPath)]);
  return [a, b];
}

/**
 * After a failed push, removes the blobs it added that no version refers to. Only bytes that failed
 * to profile get here, and the same bytes fail the same way in any concurrent push of them.
 */
export async function discardNewBlobs(deps: DatasetsDeps, stored: readonly StoredBlob[]): Promise<void> {
  for (const blob of stored) {
    if (!blob.created) continue;
    if (!(await isBlobRecorded(deps.database.db, blob.info.digest))) {
      await deps.blobs.delete(blob.info.digest).catch(() => {});
    }
  }
}
