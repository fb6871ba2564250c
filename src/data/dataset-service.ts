/**
 * Reading and describing datasets and their versions: lists, tags, profiles, row previews and
 * downloads (the last two read the version's blobs in version-rows.ts and version-download.ts).
 */
import type { BlobStore } from '../artifacts/index.js';
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import { NotFoundError } from '../core/errors.js';
import { normaliseName } from '../core/names.js';
import {
  decodePageToken,
  isKeyCursor,
  isOffsetCursor,
  type Page,
  type PageRequest,
  pageOf,
  pageSize,
} from '../core/pagination.js';
import { parseVersionNumber } from '../core/references.js';
import { type Database, type Executor, mutate } from '../store/index.js';
import type { DatasetRow, DatasetVersionRow } from '../store/tables.js';
import type { DataEngine } from './data-engine.js';
import {
  type Dataset,
  type DatasetProfile,
  type DatasetVersion,
  type Tags,
  toDataset,
  toDatasetVersion,
} from './entities.js';
import { checkDescription, mergeTags } from './tags.js';
import { type Download, type DownloadForm, openDownload } from './version-download.js';
import { findDatasetRow, loadDatasetVersion } from './version-loader.js';
import { type RowsInput, type RowsPage, readRows, rowsWindow } from './version-rows.js';

export interface UpdateInput {
  readonly description?: string;
  /** Merged into the current tags; a null value removes that tag. */
  readonly tags?: Readonly<Record<string, string | null>>;
}

export class DatasetService {
  constructor(
    private readonly database: Database,
    private readonly blobs: BlobStore,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly engine: DataEngine,
  ) {}

  /** Newest first. */
  async list(input: PageRequest = {}): Promise<Page<Dataset>> {
    const limit = pageSize(input.limit);
    const query = 'datasets';
    const after = decodePageToken(input.pageToken, query, isKeyCursor);
    let select = this.database.db.selectFrom('datasets').selectAll();
    if (after !== undefined) select = select.where('id', '<', after);
    const rows = await select
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const latest = await latestVersions(
      this.database.db,
      rows.slice(0, limit).map((row) => row.id),
    );
    return pageOf(
      rows,
      limit,
      (row) => toDataset(row, latest.get(row.id)),
      (row) => row.id,
      query,
    );
  }

  async get(rawName: string): Promise<Dataset> {
    const row = await findDatasetRow(this.database.db, datasetName(rawName));
    return toDataset(row, (await latestVersions(this.database.db, [row.id])).get(row.id));
  }

  async update(ctx: RequestContext, rawName: string, input: UpdateInput): Promise<Dataset> {
    const name = datasetName(rawName);
    const description = input.description === undefined ? undefined : checkDescription(input.description);
    return mutate(this.database, ctx, async (trx) => {
      const row = await lockDataset(trx, name);
      const updated: DatasetRow = {
        ...row,
        ...edited(row, description, input.tags),
        updated_at: this.clock.now(),
      };
      await trx
        .updateTable('datasets')
        .set({ description: updated.description, tags: updated.tags, updated_at: updated.updated_at })
        .where('id', '=', row.id)
        .execute();
      const latest = (await latestVersions(trx, [row.id])).get(row.id);
      const after = toDataset(updated, latest);
      await this.audit.record(trx, ctx, {
        action: 'dataset.update',
        resourceType: 'dataset',
        resourceId: row.id,
        before: toDataset(row, latest),
        after,
      });
      return after;
    });
  }

  /** Newest first. */
  async versions(rawName: string, input: PageRequest = {}): Promise<Page<DatasetVersion>> {
    const name = datasetName(rawName);
    const limit = pageSize(input.limit);
    const query = JSON.stringify(['dataset-versions', name]);
    const after = decodePageToken(input.pageToken, query, isOffsetCursor);
    const dataset = await findDatasetRow(this.database.db, name);
    let select = this.database.db
      .selectFrom('dataset_versions')
      .selectAll()
      .where('dataset_id', '=', dataset.id);
    if (after !== undefined) select = select.where('version', '<', after);
    const rows = await select
      .orderBy('version', 'desc')
      .limit(limit + 1)
      .execute();
    return pageOf(
      rows,
      limit,
      (row) => toDatasetVersion(name, row),
      (row) => Number(row.version),
      query,
    );
  }

  /** `ref` is a version number or `latest`. */
  async version(rawName: string, ref: string): Promise<DatasetVersion> {
    return (await this.load(rawName, ref)).version;
  }

  async updateVersion(
    ctx: RequestContext,
    rawName: string,
    rawVersion: string,
    input: UpdateInput,
  ): Promise<DatasetVersion> {
    const name = datasetName(rawName);
    const number = parseVersionNumber('version', rawVersion);
    const description = input.description === undefined ? undefined : checkDescription(input.description);
    return mutate(this.database, ctx, async (trx) => {
      const { row } = await loadDatasetVersion(trx, { name, version: number });
      const locked = await trx
        .updateTable('dataset_versions')
        .set((eb) => ({ tags: eb.ref('tags') }))
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const updated: DatasetVersionRow = { ...locked, ...edited(locked, description, input.tags) };
      await trx
        .updateTable('dataset_versions')
        .set({ description: updated.description, tags: updated.tags })
        .where('id', '=', row.id)
        .execute();
      const after = toDatasetVersion(name, updated);
      await this.audit.record(trx, ctx, {
        action: 'dataset_version.update',
        resourceType: 'dataset_version',
        resourceId: row.id,
        before: toDatasetVersion(name, locked),
        after,
      });
      return after;
    });
  }

  async profile(
    rawName: string,
    ref: string,
  ): Promise<DatasetProfile & { dataset: string; version: number }> {
    const { row, version } = await this.load(rawName, ref);
    return {
      dataset: version.dataset,
      version: version.version,
      ...(JSON.parse(row.profile) as DatasetProfile),
    };
  }

  /** Rows of the stored Parquet form, in file order. */
  async rows(rawName: string, ref: string, input: RowsInput = {}): Promise<RowsPage> {
    const { limit, offset } = rowsWindow(input);
    const { version } = await this.load(rawName, ref);
    return readRows(this.engine, version, limit, offset);
  }

  /** The bytes as pushed (or the stored Parquet form), verified as they stream. */
  async download(rawName: string, ref: string, form: DownloadForm = 'source'): Promise<Download> {
    const { version } = await this.load(rawName, ref);
    return openDownload(this.blobs, version, form);
  }

  private async load(rawName: string, ref: string) {
    const name = datasetName(rawName);
    const text = ref.trim().toLowerCase();
    if (text === 'latest') return loadDatasetVersion(this.database.db, { name, alias: 'latest' });
    return loadDatasetVersion(this.database.db, { name, version: parseVersionNumber('version', ref) });
  }
}

function datasetName(raw: string): string {
  return normaliseName('dataset name', raw);
}

/** A dataset's or version's description and tags columns after an update that may leave either out. */
function edited(
  row: { readonly description: string; readonly tags: string },
  description: string | undefined,
  changes: UpdateInput['tags'],
): { description: string; tags: string } {
  return {
    description: description ?? row.description,
    tags: changes === undefined ? row.tags : JSON.stringify(mergeTags(JSON.parse(row.tags) as Tags, changes)),
  };
}

async function lockDataset(trx: Executor, name: string): Promise<DatasetRow> {
  const row = await trx
    .updateTable('datasets')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('name', '=', name)
    .returningAll()
    .executeTakeFirst();
  if (row === undefined) {
    throw new NotFoundError('DATASET_NOT_FOUND', `dataset '${name}' does not exist`, { dataset: name });
  }
  return row;
}

async function latestVersions(executor: Executor, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await executor
    .selectFrom('dataset_versions')
    .select((eb) => ['dataset_id', eb.fn.max('version').as('max')])
    .where('dataset_id', 'in', ids)
    .groupBy('dataset_id')
    .execute();
  return new Map(rows.map((row) => [row.dataset_id, Number(row.max)]));
}
