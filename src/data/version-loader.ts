/**
 * Finds dataset versions by reference. Datasets have one built-in alias, `latest`; every other
 * reference names a version number.
 */
import { NotFoundError } from '../core/errors.js';
import { parseReference, type Reference } from '../core/references.js';
import type { Executor } from '../store/index.js';
import type { DatasetRow, DatasetVersionRow } from '../store/tables.js';
import { type DatasetProfile, type DatasetVersion, toDatasetVersion } from './entities.js';

export interface LoadedVersion {
  readonly dataset: DatasetRow;
  readonly row: DatasetVersionRow;
  readonly version: DatasetVersion;
}

export async function findDatasetRow(executor: Executor, name: string): Promise<DatasetRow> {
  const row = await executor.selectFrom('datasets').selectAll().where('name', '=', name).executeTakeFirst();
  if (row === undefined) {
    throw new NotFoundError('DATASET_NOT_FOUND', `dataset '${name}' does not exist`, { dataset: name });
  }
  return row;
}

/** Accepts `name@N`, `name@latest`, a bare `name` (latest) or a parsed reference. */
export async function loadDatasetVersion(
  executor: Executor,
  reference: string | Reference,
  field = 'dataset',
): Promise<LoadedVersion> {
  const ref =
    typeof reference === 'string' ? parseReference(field, reference, { defaultAlias: 'latest' }) : reference;
  const dataset = await findDatasetRow(executor, ref.name);
  let query = executor.selectFrom('dataset_versions').selectAll().where('dataset_id', '=', dataset.id);
  if (ref.version !== undefined) {
    query = query.where('version', '=', ref.version);
  } else if (ref.alias === 'latest') {
    query = query.orderBy('version', 'desc').limit(1);
  } else {
    throw new NotFoundError(
      'DATASET_VERSION_NOT_FOUND',
      `dataset '${ref.name}' has no alias '${ref.alias}' (datasets know only 'latest' and version numbers)`,
      { dataset: ref.name, alias: ref.alias },
    );
  }
  const row = await query.executeTakeFirst();
  if (row === undefined) {
    const which = ref.version === undefined ? 'no versions yet' : `no version ${ref.version}`;
    throw new NotFoundError('DATASET_VERSION_NOT_FOUND', `dataset '${ref.name}' has ${which}`, {
      dataset: ref.name,
      ...(ref.version === undefined ? {} : { version: ref.version }),
    });
  }
  return { dataset, row, version: toDatasetVersion(dataset.name, row) };
}

export function profileOf(row: DatasetVersionRow): DatasetProfile {
  return JSON.parse(row.profile) as DatasetProfile;
}
