/**
 * The transaction that ends a push: the dataset found (locked) or created, an identical earlier push
 * answered with its version, else the next version numbered and inserted with its blob references,
 * lineage edges and audit event.
 */
import type { BlobInfo } from '../artifacts/index.js';
import type { RequestContext } from '../core/context.js';
import { newId } from '../core/ids.js';
import { datasetNode } from '../lineage/index.js';
import { type Executor, mutate, recordBlobs } from '../store/index.js';
import type { DatasetRow, DatasetVersionRow } from '../store/tables.js';
import type { DatasetsDeps } from './deps.js';
import { type DataFormat, type DatasetVersion, toDataset, toDatasetVersion } from './entities.js';
import type { ProfiledFile } from './profiler.js';
import type { CheckedPush } from './push-checks.js';

export interface PushResult {
  readonly version: DatasetVersion;
  /** False when the dataset already had these bytes in this format: `version` is that one. */
  readonly created: boolean;
}

export async function insertVersion(
  deps: DatasetsDeps,
  ctx: RequestContext,
  checked: CheckedPush,
  source: BlobInfo,
  data: BlobInfo,
  profiled: ProfiledFile,
): Promise<PushResult> {
  const { name, format, description } = checked;
  return mutate(deps.database, ctx, async (trx) => {
    const now = deps.clock.now();
    const dataset = await findOrCreateDataset(deps, trx, ctx, name, description, now);
    const earlier = await findSameContent(trx, name, source.digest, format);
    if (earlier !== undefined) return recordLineageOfExisting(deps, trx, ctx, checked, earlier);
    const latest = await trx
      .selectFrom('dataset_versions')
      .select((eb) => eb.fn.max('version').as('max'))
      .where('dataset_id', '=', dataset.id)
      .executeTakeFirst();
    const number = Number(latest?.max ?? 0) + 1;
    await recordBlobs(trx, source.digest === data.digest ? [source] : [source, data], now);
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
 * Pushing bytes the dataset already has answers that version, but a `derivedFrom` or `run` given
 * with the push is still a fact about it: its edges are recorded (and audited) like a new version's.
 */
export async function linkExisting(
  deps: DatasetsDeps,
  ctx: RequestContext,
  checked: CheckedPush,
  version: DatasetVersion,
): Promise<PushResult> {
  if (checked.edges(datasetNode(version.dataset, version.version)).length === 0) {
    return { version, created: false };
  }
  return mutate(deps.database, ctx, (trx) => recordLineageOfExisting(deps, trx, ctx, checked, version));
}

async function recordLineageOfExisting(
  deps: DatasetsDeps,
  trx: Executor,
  ctx: RequestContext,
  checked: CheckedPush,
  version: DatasetVersion,
): Promise<PushResult> {
  const edges = checked.edges(datasetNode(version.dataset, version.version));
  if (edges.length > 0) {
    await deps.lineage.record(trx, ctx, edges);
    await deps.audit.record(trx, ctx, {
      action: 'dataset.record_lineage',
      resourceType: 'dataset_version',
      resourceId: version.id,
      after: { edges },
    });
  }
  return { version, created: false };
}

/**
 * The dataset's row with its row lock held (a no-op update: PostgreSQL; SQLite has one writer), so
 * concurrent pushes number their versions one after another; created on the first push.
 */
async function findOrCreateDataset(
  deps: DatasetsDeps,
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

export async function findSameContent(
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
