/**
 * Aliases (`champion`, `challenger`, …) point at versions and move by compare-and-set: a move that
 * names the version it expects the alias to hold is applied only if it still holds it, decided by
 * the database itself (a conditional UPDATE's row count, or the primary key for a new alias), so two
 * racing clients can never both win. Every move is kept in model_alias_history and audited.
 */
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import { ConflictError } from '../core/errors.js';
import type { Page, PageRequest } from '../core/pagination.js';
import { normaliseAlias } from '../core/references.js';
import { type Database, type Executor, mutate, newestFirstPage } from '../store/index.js';
import type { ModelRow } from '../store/tables.js';
import { type AliasChangeListener, AliasMoves } from './alias-moves.js';
import { aliasConflict, currentRow, currentVersion, lockAlias } from './alias-rows.js';
import { type AliasMove, type ModelAlias, toAliasMove, toModelAlias } from './entities.js';
import { aliasNotFound, assertActive, findModelRow } from './model-loader.js';
import { settableAlias } from './validation.js';

export interface SetAliasInput {
  readonly version: number;
  /** The version the alias must point at now; null: it must not exist yet; omitted: set unconditionally. */
  readonly expectedVersion?: number | null;
}

export interface ExpectedInput {
  /** When given, the alias must point at this version now. */
  readonly expectedVersion?: number;
}

export class AliasService {
  private readonly moves: AliasMoves;

  constructor(
    private readonly database: Database,
    audit: AuditLog,
    clock: Clock,
  ) {
    this.moves = new AliasMoves(audit, clock);
  }

  /** `listener` runs inside the transaction of every alias change from now on. */
  onChange(listener: AliasChangeListener): void {
    this.moves.addListener(listener);
  }

  async set(ctx: RequestContext, name: string, rawAlias: string, input: SetAliasInput): Promise<ModelAlias> {
    const alias = settableAlias('alias', rawAlias);
    return this.mutateActiveModel(ctx, name, async (trx, model) => {
      const target = await this.moves.checkTarget(trx, model, alias, input.version);
      const expected = input.expectedVersion;
      if (expected === null) {
        const current = await currentRow(trx, model.id, alias);
        if (current !== undefined) throw aliasConflict(model.name, alias, null, Number(current.version));
        // A concurrent creator makes this insert fail on the primary key; mutate() runs the work
        // again and the check above then answers ALIAS_CONFLICT.
        return this.moves.insert(trx, ctx, model, alias, target, 'set');
      }
      if (expected === undefined) {
        const current = await lockAlias(trx, model.id, alias);
        if (current === undefined) return this.moves.insert(trx, ctx, model, alias, target, 'set');
        return this.moves.move(trx, ctx, model, alias, Number(current.version), target, 'set');
      }
      return this.moves.move(trx, ctx, model, alias, expected, target, 'set');
    });
  }

  async get(name: string, rawAlias: string): Promise<ModelAlias> {
    const alias = normaliseAlias('alias', rawAlias);
    const model = await findModelRow(this.database.db, name);
    const row = await currentRow(this.database.db, model.id, alias);
    if (row === undefined) throw aliasNotFound(model.name, alias);
    return toModelAlias(model.name, row);
  }

  /** Every alias of the model, by name. */
  async list(name: string): Promise<readonly ModelAlias[]> {
    const model = await findModelRow(this.database.db, name);
    const rows = await this.database.db
      .selectFrom('model_aliases')
      .selectAll()
      .where('model_id', '=', model.id)
      .orderBy('alias')
      .execute();
    return rows.map((row) => toModelAlias(model.name, row));
  }

  /** Every move of the alias, newest first (kept after the alias is deleted). */
  async history(name: string, rawAlias: string, input: PageRequest = {}): Promise<Page<AliasMove>> {
    const alias = normaliseAlias('alias', rawAlias);
    const model = await findModelRow(this.database.db, name);
    const select = this.database.db
      .selectFrom('model_alias_history')
      .selectAll()
      .where('model_id', '=', model.id)
      .where('alias', '=', alias);
    const query = JSON.stringify(['alias-history', model.id, alias]);
    return newestFirstPage(select, input, query, (row) => toAliasMove(model.name, row));
  }

  async delete(
    ctx: RequestContext,
    name: string,
    rawAlias: string,
    input: ExpectedInput = {},
  ): Promise<ModelAlias> {
    const alias = normaliseAlias('alias', rawAlias);
    return this.mutateActiveModel(ctx, name, async (trx, model) => {
      const current =
        input.expectedVersion === undefined
          ? await lockAlias(trx, model.id, alias)
          : await currentRow(trx, model.id, alias);
      if (current === undefined) {
        if (input.expectedVersion !== undefined)
          throw aliasConflict(model.name, alias, input.expectedVersion, null);
        throw aliasNotFound(model.name, alias);
      }
      const from = input.expectedVersion ?? Number(current.version);
      const result = await trx
        .deleteFrom('model_aliases')
        .where('model_id', '=', model.id)
        .where('alias', '=', alias)
        .where('version', '=', from)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) {
        throw aliasConflict(model.name, alias, from, await currentVersion(trx, model.id, alias));
      }
      await this.moves.record(trx, ctx, model, alias, from, null, 'delete');
      return toModelAlias(model.name, { ...current, version: from });
    });
  }

  /**
   * Undoes the alias's latest move that has not been undone already: rollbacks stack, so after
   * 1 → 2 → 3, one rollback gives 2 and the next gives 1 (a deleted alias comes back the same way).
   * Compare-and-set against the version read, or against `expectedVersion` when given.
   */
  async rollback(
    ctx: RequestContext,
    name: string,
    rawAlias: string,
    input: ExpectedInput = {},
  ): Promise<ModelAlias> {
    const alias = normaliseAlias('alias', rawAlias);
    return this.mutateActiveModel(ctx, name, async (trx, model) => {
      const history = await trx
        .selectFrom('model_alias_history')
        .select(['from_version', 'reason'])
        .where('model_id', '=', model.id)
        .where('alias', '=', alias)
        .orderBy('id', 'desc')
        .execute();
      const current = await currentVersion(trx, model.id, alias);
      if (history.length === 0 && current === null) throw aliasNotFound(model.name, alias);
      if (input.expectedVersion !== undefined && input.expectedVersion !== current) {
        throw aliasConflict(model.name, alias, input.expectedVersion, current);
      }
      const previous = versionBeforeUndoneMoves(history);
      if (previous === null) {
        throw new ConflictError(
          'NO_PREVIOUS_VERSION',
          `alias '${alias}' of model '${model.name}' has no earlier version to roll back to`,
          { model: model.name, alias, currentVersion: current },
        );
      }
      const target = await this.moves.checkTarget(trx, model, alias, previous);
      if (current === null) return this.moves.insert(trx, ctx, model, alias, target, 'rollback');
      return this.moves.move(trx, ctx, model, alias, current, target, 'rollback');
    });
  }

  /** Runs `work` as one mutation of the named model, which must not be deleted. */
  private mutateActiveModel<T>(
    ctx: RequestContext,
    name: string,
    work: (trx: Executor, model: ModelRow) => Promise<T>,
  ): Promise<T> {
    return mutate(this.database, ctx, async (trx) => {
      const model = await findModelRow(trx, name);
      assertActive(model);
      return work(trx, model);
    });
  }
}

/**
 * Walking the history newest first, each rollback cancels the next move that is not a rollback; the
 * first move left standing is the one to undo, and its `from` is where the alias goes back to.
 */
function versionBeforeUndoneMoves(
  history: readonly { from_version: number | null; reason: string }[],
): number | null {
  let undone = 0;
  for (const move of history) {
    if (move.reason === 'rollback') undone++;
    else if (undone > 0) undone--;
    else return move.from_version === null ? null : Number(move.from_version);
  }
  return null;
}
