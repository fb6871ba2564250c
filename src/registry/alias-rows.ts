/**
 * Reading an alias's row inside a move: as it is, or with its row lock taken, and the ALIAS_CONFLICT
 * error a failed compare-and-set answers with.
 */
import { ConflictError } from '../core/errors.js';
import type { Executor } from '../store/index.js';
import type { ModelAliasRow } from '../store/tables.js';

export async function currentRow(
  executor: Executor,
  modelId: string,
  alias: string,
): Promise<ModelAliasRow | undefined> {
  return executor
    .selectFrom('model_aliases')
    .selectAll()
    .where('model_id', '=', modelId)
    .where('alias', '=', alias)
    .executeTakeFirst();
}

export async function currentVersion(
  executor: Executor,
  modelId: string,
  alias: string,
): Promise<number | null> {
  const row = await currentRow(executor, modelId, alias);
  return row === undefined ? null : Number(row.version);
}

/**
 * The alias row with its row lock taken by a no-op update (PostgreSQL re-reads the row after
 * waiting for a concurrent mover, so the version returned is the one this transaction will replace).
 */
export async function lockAlias(
  trx: Executor,
  modelId: string,
  alias: string,
): Promise<ModelAliasRow | undefined> {
  return trx
    .updateTable('model_aliases')
    .set((eb) => ({ version: eb.ref('version') }))
    .where('model_id', '=', modelId)
    .where('alias', '=', alias)
    .returningAll()
    .executeTakeFirst();
}

export function aliasConflict(
  name: string,
  alias: string,
  expected: number | null,
  current: number | null,
): ConflictError {
  const where = current === null ? 'does not exist' : `points at version ${current}`;
  const wanted = expected === null ? 'null (it must not exist yet)' : String(expected);
  return new ConflictError(
    'ALIAS_CONFLICT',
    `alias '${alias}' of model '${name}' ${where}, not what expectedVersion ${wanted} says`,
    { model: name, alias, expectedVersion: expected, currentVersion: current },
  );
}
