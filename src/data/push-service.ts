/**
 * Pushing a file as a new dataset version: spool the body to a scratch file while hashing it, answer
 * an identical earlier push with its version, let DuckDB check it and write the Parquet form,
 * profile it, store both forms as blobs, and only then insert the version in one transaction with
 * its lineage and audit event. A failure at any step leaves no rows and no scratch files.
 */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { BlobInfo, BlobStore, ByteSource } from '../artifacts/index.js';
import { spoolToTempFile } from '../artifacts/index.js';
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import { InvalidError, NotFoundError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { normaliseName } from '../core/names.js';
import { datasetNode, type EdgeInput, type LineageRecorder, runNode } from '../lineage/index.js';
import { type Database, type Executor, mutate } from '../store/index.js';
import type { DatasetRow, DatasetVersionRow } from '../store/tables.js';
import type { DatasetsDeps } from './deps.js';
import {
  DATA_FORMATS,
  type DataFormat,
  type DatasetVersion,
  toDataset,
  toDatasetVersion,
} from './entities.js';
import { messageOf, readDataFile, unreadable } from './file-reader.js';
import { type ProfiledFile, profileParquet } from './profiler.js';
import { checkDescription } from './tags.js';
import { loadDatasetVersion } from './version-loader.js';

export interface PushInput {
  readonly name: string;
  /** csv, parquet or jsonl. */
  readonly format: string;
  readonly description?: string;
  /** Versions this one was made from (`orders@6`, `orders@latest`): recorded as 'derived' lineage. */
  readonly derivedFrom?: readonly string[];
  /** The run that produced this version: recorded as 'produced' lineage. */
  readonly run?: string;
}

export interface PushResult {
  readonly version: DatasetVersion;
  /** False when the dataset already had these bytes in this format: `version` is that one. */
  readonly created: boolean;
}

/** A push needs everything the domain is built from. */
export type PushDeps = DatasetsDeps;

const MAX_PARENTS = 100;

/** Checks the parts of a push that need no body, so a bad request fails before any byte is stored. */
export async function checkPush(
  database: Database,
  input: PushInput,
): Promise<{
  name: string;
  format: DataFormat;
  description: string;
  edges: (target: string) => EdgeInput[];
}> {
  const name = normaliseName('dataset name', input.name);
  const format = parseFormat(input.format);
  const description = checkDescription(input.description ?? '');
  const references = input.derivedFrom ?? [];
  if (references.length > MAX_PARENTS) {
    throw new InvalidError(`derivedFrom names at most ${MAX_PARENTS} versions, got ${references.length}`, {
      field: 'derivedFrom',
    });
  }
  const parents: string[] = [];
  for (const reference of references) {
    const loaded = await loadDatasetVersion(database.db, reference, 'derivedFrom');
    parents.push(datasetNode(loaded.dataset.name, loaded.version.version));
  }
  if (input.run !== undefined) await assertRunExists(database.db, input.run);
  const run = input.run;
  return {
    name,
    format,
    description,
    edges: (target) => [
      ...parents.map((source) => ({ source, target, relation: 'derived' as const })),
      ...(run === undefined ? [] : [{ source: runNode(run), target, relation: 'produced' as const }]),
    ],
  };
}

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
    if (earlier !== undefined) return { version: earlier, created: false };

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

interface StoredBlob {
  readonly info: BlobInfo;
  /** The store did not have these bytes before this push. */
  readonly created: boolean;
}

/** Puts the pushed bytes and (when it is another file) the Parquet form into the blob store. */
async function storeBlobs(
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
async function discardNewBlobs(deps: PushDeps, stored: readonly StoredBlob[]): Promise<void> {
  for (const blob of stored) {
    if (!blob.created) continue;
    const row = await deps.database.db
      .selectFrom('blobs')
      .select('digest')
      .where('digest', '=', blob.info.digest)
      .executeTakeFirst();
    if (row === undefined) await deps.blobs.delete(blob.info.digest).catch(() => {});
  }
}

async function insertVersion(
  deps: PushDeps,
  ctx: RequestContext,
  checked: Awaited<ReturnType<typeof checkPush>>,
  source: BlobInfo,
  data: BlobInfo,
  profiled: ProfiledFile,
): Promise<PushResult> {
  const { name, format, description } = checked;
  return mutate(deps.database, ctx, async (trx) => {
    const now = deps.clock.now();
    const dataset = await findOrCreateDataset(deps, trx, ctx, name, description, now);
    const earlier = await findSameContent(trx, name, source.digest, format);
    if (earlier !== undefined) return { version: earlier, created: false };
    const latest = await trx
      .selectFrom('dataset_versions')
      .select((eb) => eb.fn.max('version').as('max'))
      .where('dataset_id', '=', dataset.id)
      .executeTakeFirst();
    const number = Number(latest?.max ?? 0) + 1;
    for (const blob of source.digest === data.digest ? [source] : [source, data]) {
      await trx
        .insertInto('blobs')
        .values({ digest: blob.digest, size: blob.size, created_at: now })
        .onConflict((oc) => oc.column('digest').doNothing())
        .execute();
    }
    const row: DatasetVersionRow = {
      id: newId(now),
      dataset_id: dataset.id,
      version: number,
      format,
      source_digest: source.digest,
      source_size: source.size,
      data_digest: data.digest,
      data_size: data.size,
      row_count: profiled.profile.rowCount,
      schema: JSON.stringify(profiled.columns),
      profile: JSON.stringify(profiled.profile),
      description,
      tags: '{}',
      created_by: ctx.actor.name,
      created_at: now,
    };
    await trx.insertInto('dataset_versions').values(row).execute();
    await trx.updateTable('datasets').set({ updated_at: now }).where('id', '=', dataset.id).execute();
    await deps.lineage.record(trx, ctx, checked.edges(datasetNode(name, number)));
    const version = toDatasetVersion(name, row);
    await deps.audit.record(trx, ctx, {
      action: 'dataset.push',
      resourceType: 'dataset_version',
      resourceId: row.id,
      after: version,
    });
    return { version, created: true };
  });
}

/**
 * The dataset's row with its row lock held (a no-op update: PostgreSQL; SQLite has one writer), so
 * concurrent pushes number their versions one after another; created on the first push.
 */
async function findOrCreateDataset(
  deps: PushDeps,
  trx: Executor,
  ctx: RequestContext,
  name: string,
  description: string,
  now: number,
): Promise<DatasetRow> {
  const locked = await trx
    .updateTable('datasets')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('name', '=', name)
    .returningAll()
    .executeTakeFirst();
  if (locked !== undefined) return locked;
  const row: DatasetRow = {
    id: newId(now),
    name,
    description,
    tags: '{}',
    created_by: ctx.actor.name,
    created_at: now,
    updated_at: now,
  };
  // A concurrent first push may win this insert: mutate() retries, and the update above finds it.
  await trx.insertInto('datasets').values(row).execute();
  await deps.audit.record(trx, ctx, {
    action: 'dataset.create',
    resourceType: 'dataset',
    resourceId: row.id,
    after: toDataset(row, undefined),
  });
  return row;
}

async function findSameContent(
  executor: Executor,
  name: string,
  digest: string,
  format: DataFormat,
): Promise<DatasetVersion | undefined> {
  const row = await executor
    .selectFrom('dataset_versions')
    .innerJoin('datasets', 'datasets.id', 'dataset_versions.dataset_id')
    .selectAll('dataset_versions')
    .where('datasets.name', '=', name)
    .where('dataset_versions.source_digest', '=', digest)
    .where('dataset_versions.format', '=', format)
    .executeTakeFirst();
  return row === undefined ? undefined : toDatasetVersion(name, row);
}

export function parseFormat(raw: string | undefined): DataFormat {
  const format = (raw ?? '').trim().toLowerCase();
  if ((DATA_FORMATS as readonly string[]).includes(format)) return format as DataFormat;
  throw new InvalidError(`format must be one of ${DATA_FORMATS.join(', ')}, got '${raw ?? ''}'`, {
    field: 'format',
    value: raw ?? null,
  });
}

async function assertRunExists(executor: Executor, runId: string): Promise<void> {
  const row = await executor.selectFrom('runs').select('id').where('id', '=', runId).executeTakeFirst();
  if (row === undefined)
    throw new NotFoundError('RUN_NOT_FOUND', `run '${runId}' does not exist`, { run: runId });
}
