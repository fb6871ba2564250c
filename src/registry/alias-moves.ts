/**
 * The writes behind every alias change: a new alias row, the compare-and-set move of an existing one
 * (applied only if the alias still points at the version expected, decided by the UPDATE's row
 * count), the approval policy a target must meet, and the history row and audit event of each move.
 */
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import { ConflictError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Executor } from '../store/index.js';
import type { ModelAliasRow, ModelRow } from '../store/tables.js';
import { aliasConflict, currentVersion } from './alias-rows.js';
import { type AliasMoveReason, type ModelAlias, parsePolicy, toModelAlias } from './entities.js';
import { findVersionRow } from './model-loader.js';

/** One alias change, as listeners see it: `to` null means the alias was deleted. */
export interface AliasChange {
  readonly model: string;
  readonly alias: string;
  readonly from: number | null;
  readonly to: number | null;
}

/**
 * Runs inside the transaction of every alias change (deployments follow aliases this way); throwing
 * refuses the change.
 */
export type AliasChangeListener = (trx: Executor, ctx: RequestContext, change: AliasChange) => Promise<void>;

export class AliasMoves {
  private readonly listeners: AliasChangeListener[] = [];

  constructor(
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  addListener(listener: AliasChangeListener): void {
    this.listeners.push(listener);
  }

  /** The version must exist, and a protected alias may only point at an approved version. */
  async checkTarget(trx: Executor, model: ModelRow, alias: string, version: number): Promise<number> {
    const row = await findVersionRow(trx, model, version);
    const policy = parsePolicy(model.policy);
    if (policy.requireApprovalFor.includes(alias) && row.approval_status !== 'approved') {
      throw new ConflictError(
        'APPROVAL_REQUIRED',
        `alias '${alias}' of model '${model.name}' may only point at approved versions; version ${version} is ${row.approval_status}`,
        { model: model.name, alias, version, status: row.approval_status },
      );
    }
    return version;
  }

  async insert(
    trx: Executor,
    ctx: RequestContext,
    model: ModelRow,
    alias: string,
    version: number,
    reason: AliasMoveReason,
  ): Promise<ModelAlias> {
    const row: ModelAliasRow = {
      model_id: model.id,
      alias,
      version,
      updated_by: ctx.actor.name,
      updated_at: this.clock.now(),
    };
    await trx.insertInto('model_aliases').values(row).execute();
    await this.record(trx, ctx, model, alias, null, version, reason);
    return toModelAlias(model.name, row);
  }

  /** The compare-and-set itself: applied only if the alias still points at `from`. */
  async move(
    trx: Executor,
    ctx: RequestContext,
    model: ModelRow,
    alias: string,
    from: number,
    to: number,
    reason: AliasMoveReason,
  ): Promise<ModelAlias> {
    const now = this.clock.now();
    const result = await trx
      .updateTable('model_aliases')
      .set({ version: to, updated_by: ctx.actor.name, updated_at: now })
      .where('model_id', '=', model.id)
      .where('alias', '=', alias)
      .where('version', '=', from)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) {
      throw aliasConflict(model.name, alias, from, await currentVersion(trx, model.id, alias));
    }
    if (from !== to) await this.record(trx, ctx, model, alias, from, to, reason);
    return toModelAlias(model.name, {
      model_id: model.id,
      alias,
      version: to,
      updated_by: ctx.actor.name,
      updated_at: now,
    });
  }

  async record(
    trx: Executor,
    ctx: RequestContext,
    model: ModelRow,
    alias: string,
    from: number | null,
    to: number | null,
    reason: AliasMoveReason,
  ): Promise<void> {
    const at = this.clock.now();
    await trx
      .insertInto('model_alias_history')
      .values({
        id: newId(at),
        model_id: model.id,
        alias,
        from_version: from,
        to_version: to,
        reason,
        actor: ctx.actor.name,
        request_id: ctx.requestId,
        at,
      })
      .execute();
    await this.audit.record(trx, ctx, {
      action: `model.alias.${reason}`,
      resourceType: 'model_alias',
      resourceId: `${model.name}@${alias}`,
      before: { alias, version: from },
      after: { alias, version: to },
    });
    for (const listener of this.listeners) await listener(trx, ctx, { model: model.name, alias, from, to });
  }
}
