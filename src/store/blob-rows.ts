/**
 * The `blobs` table: the blobs the metadata refers to. Rows are written in the transaction that first
 * refers to a blob (a run artifact, a dataset version, a model version); a blob with no row is one no
 * committed write uses, so a failed write may remove it.
 */
import type { Executor } from './database.js';

/** Records the blobs (already in the blob store) that the caller's transaction refers to. */
export async function recordBlobs(
  executor: Executor,
  blobs: readonly { readonly digest: string; readonly size: number }[],
  now: number,
): Promise<void> {
  if (blobs.length === 0) return;
  await executor
    .insertInto('blobs')
    .values(blobs.map((blob) => ({ digest: blob.digest, size: blob.size, created_at: now })))
    .onConflict((oc) => oc.column('digest').doNothing())
    .execute();
}

export async function isBlobRecorded(executor: Executor, digest: string): Promise<boolean> {
  const row = await executor
    .selectFrom('blobs')
    .select('digest')
    .where('digest', '=', digest)
    .executeTakeFirst();
  return row !== undefined;
}
