/**
 * Finds models and resolves version references (`churn@3`, `churn@champion`, `churn@latest`) to
 * rows, in whatever executor the caller is in (the database or a transaction).
 */
import { NotFoundError, UnprocessableError } from '../core/errors.js';
import { normaliseName } from '../core/names.js';
import { parseReference, type Reference } from '../core/references.js';
import type { Executor } from '../store/index.js';
import type { ModelRow, ModelVersionRow } from '../store/tables.js';
import { LATEST, type ModelVersion, toModelVersion } from './entities.js';

export interface ResolvedRow {
  readonly model: ModelRow;
  readonly row: ModelVersionRow;
}

export async function findModelRow(executor: Executor, rawName: string): Promise<ModelRow> {
  const name = normaliseName('model name', rawName);
  const row = await executor.selectFrom('models').selectAll().where('name', '=', name).executeTakeFirst();
  if (row === undefined) {
    throw new NotFoundError('MODEL_NOT_FOUND', `model '${name}' does not exist`, { model: name });
  }
  return row;
}

export function assertActive(model: ModelRow): void {
  if (model.deleted_at !== null) {
    throw new UnprocessableError('MODEL_DELETED', `model '${model.name}' is deleted; restore it first`, {
      model: model.name,
    });
  }
}

/**
 * The model's current row with its row lock taken by a no-op update (PostgreSQL; SQLite runs one
 * writer at a time): version numbering, policy changes and lifecycle changes of one model queue up.
 */
export async function lockModel(trx: Executor, id: string): Promise<ModelRow> {
  return trx
    .updateTable('models')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Parses what follows the '@' (a path segment): a version number, an alias, or `latest`. */
export function parseSelector(name: string, selector: string): Reference {
  return parseReference('model version', `${name}@${selector}`);
}

/** Parses `name@N`, `name@alias`, or a bare `name` (meaning the latest version). */
export function parseModelReference(raw: string, field = 'model'): Reference {
  return parseReference(field, raw, { defaultAlias: LATEST });
}

export async function resolveRow(executor: Executor, reference: Reference): Promise<ResolvedRow> {
  const model = await findModelRow(executor, reference.name);
  const versions = executor.selectFrom('model_versions').selectAll().where('model_id', '=', model.id);
  if (reference.version !== undefined) {
    const row = await versions.where('version', '=', reference.version).executeTakeFirst();
    if (row === undefined) throw versionNotFound(model.name, reference.version);
    return { model, row };
  }
  if (reference.alias === LATEST) {
    const row = await versions.orderBy('version', 'desc').limit(1).executeTakeFirst();
    if (row === undefined) {
      throw new NotFoundError('MODEL_VERSION_NOT_FOUND', `model '${model.name}' has no versions yet`, {
        model: model.name,
      });
    }
    return { model, row };
  }
  const alias = await executor
    .selectFrom('model_aliases')
    .select('version')
    .where('model_id', '=', model.id)
    .where('alias', '=', reference.alias)
    .executeTakeFirst();
  if (alias === undefined) throw aliasNotFound(model.name, reference.alias);
  const row = await versions.where('version', '=', Number(alias.version)).executeTakeFirst();
  if (row === undefined) throw versionNotFound(model.name, Number(alias.version));
  return { model, row };
}

export async function findVersionRow(
  executor: Executor,
  model: ModelRow,
  version: number,
): Promise<ModelVersionRow> {
  const row = await executor
    .selectFrom('model_versions')
    .selectAll()
    .where('model_id', '=', model.id)
    .where('version', '=', version)
    .executeTakeFirst();
  if (row === undefined) throw versionNotFound(model.name, version);
  return row;
}

/** Version number -> the aliases pointing at it, for the given versions (all when omitted). */
export async function aliasesByVersion(
  executor: Executor,
  modelId: string,
): Promise<ReadonlyMap<number, readonly string[]>> {
  const rows = await executor
    .selectFrom('model_aliases')
    .select(['alias', 'version'])
    .where('model_id', '=', modelId)
    .orderBy('alias')
    .execute();
  const map = new Map<number, string[]>();
  for (const row of rows) {
    const version = Number(row.version);
    map.set(version, [...(map.get(version) ?? []), row.alias]);
  }
  return map;
}

export function versionNotFound(name: string, version: number): NotFoundError {
  return new NotFoundError('MODEL_VERSION_NOT_FOUND', `model '${name}' has no version ${version}`, {
    model: name,
    version,
  });
}

export function aliasNotFound(name: string, alias: string): NotFoundError {
  return new NotFoundError('ALIAS_NOT_FOUND', `model '${name}' has no alias '${alias}'`, {
    model: name,
    alias,
  });
}

/** The version as an entity, with the aliases pointing at it now. */
export async function versionEntity(executor: Executor, resolved: ResolvedRow): Promise<ModelVersion> {
  const aliases = await executor
    .selectFrom('model_aliases')
    .select('alias')
    .where('model_id', '=', resolved.model.id)
    .where('version', '=', Number(resolved.row.version))
    .execute();
  return toModelVersion(
    resolved.model.name,
    resolved.row,
    aliases.map((row) => row.alias),
  );
}
