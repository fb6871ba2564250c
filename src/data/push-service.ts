/**
 * Pushing a file as a new dataset version: spool the body to a scratch file while hashing it, answer
 * an identical earlier push with its version, let DuckDB check it and write the Parquet form,
 * profile it, store both forms as blobs, and only then insert the version in one transaction with
 * its lineage and audit event. A failure at any step leaves no rows and no scratch files. The steps
 * are in push-checks.ts, push-blobs.ts and push-insert.ts; this file runs them in order.
 */
import { rm } from 'node:fs/promises';
import type { ByteSource } from '../artifacts/index.js';
import { spoolToTempFile } from '../artifacts/index.js';
import type { RequestContext } from '../core/context.js';
import type { DatasetsDeps } from './deps.js';
import { messageOf, readDataFile, unreadable } from './file-reader.js';
import { type ProfiledFile, profileParquet } from './profiler.js';
import { discardNewBlobs, storeBlobs } from './push-blobs.js';
import { checkPush, type PushInput } from './push-checks.js';
import { findSameContent, insertVersion, linkExisting, type PushResult } from './push-insert.js';

/** A push needs everything the domain is built from. */
export type PushDeps = DatasetsDeps;

export async function pushVersion(
  deps: PushDeps,
  ctx: RequestContext,
  input: PushInput,
  body: ByteSource,
): Promise<PushResult> {
  const { database, engine } = deps;
  const checked = await checkPush(database, input);
  const { name, format } = checked;
  const spooled = await spoolToTempFile(body, engine.scratchDir, { maxBytes: deps.maxBytes });
  const scratch = [spooled.path];
  try {
    const earlier = await findSameContent(database.db, name, spooled.digest, format);
    if (earlier !== undefined) return linkExisting(deps, ctx, checked, earlier);

    const parquetPath = engine.scratchPath('parquet');
    scratch.push(parquetPath);
    const parquet = await engine
      .withConnection((connection) => readDataFile(connection, format, spooled.path, parquetPath))
      .then((read) => read.parquet);
    // The file reads as a table: store its blobs while DuckDB profiles it (disk and hashing on this
    // thread, DuckDB on its own), which takes a third off a large push.
    const stored = storeBlobs(deps.blobs, spooled.path, spooled.digest, parquet);
    let profiled: ProfiledFile;
    try {
      profiled = await engine.withConnection((connection) => profileParquet(connection, parquet));
    } catch (error) {
      await discardNewBlobs(deps, await stored.catch(() => []));
      // Parquet input is only read in full here: a damaged page is the file's fault, not ours.
      // DuckDB reports a damaged page or footer as an "Invalid Error" (TProtocolException, "Out of
      // buffer", "Page size mismatch", "don't know what type") as well as the kinds below.
      if (
        format === 'parquet' &&
        /^(Invalid Input|Invalid|IO|Conversion|Out of Range) Error/.test(messageOf(error))
      ) {
        throw unreadable('parquet', messageOf(error).split('\n')[0]!.slice(0, 500));
      }
      throw error;
    }
    const blobs = await stored;
    const source = blobs[0]!.info;
    const data = (blobs[1] ?? blobs[0]!).info;
    const result = await insertVersion(deps, ctx, checked, source, data, profiled);
    if (result.created) {
      // Later reads (rows, diff, validation) find the Parquet form in the engine's cache.
      await engine.adopt(data.digest, 'parquet', parquet).catch(() => {});
    }
    return result;
  } finally {
    await Promise.all(scratch.map((path) => rm(path, { force: true })));
  }
}
