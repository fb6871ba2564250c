/** Models: named, versioned, soft-deletable; each carries a policy for its protected aliases. */
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import { ConflictError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { normaliseName } from '../core/names.js';
import type { Page, PageRequest } from '../core/pagination.js';
import { type Database, type Executor, mutate, newestFirstPage, whereNameContains } from '../store/index.js';
import type { ModelRow } from '../store/tables.js';
import {
  type Model,
  type ModelDetails,
  type ModelLifecycle,
  type ModelPolicy,
  toModel,
  toModelVersion,
} from './entities.js';
import { aliasesByVersion, findModelRow, lockModel } from './model-loader.js';
import { checkText, mergeTags, settableAlias } from './validation.js';

export interface CreateModelInput {
  readonly name: string;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface UpdateModelInput {
  readonly description?: string;
  /** Merged into the current tags; a null value removes that tag. */
  readonly tags?: Readonly<Record<string, string | null>>;
}

export interface ListModelsInput extends PageRequest {
  readonly lifecycle?: ModelLifecycle | 'all';
  /** Only models whose name contains this text. */
  readonly nameContains?: string;
}

export interface PolicyInput {
  readonly requireApprovalFor: readonly string[];
}

export class ModelService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async create(ctx: RequestContext, input: CreateModelInput): Promise<Model> {
    const name = normaliseName('model name', input.name);
    const description = checkText('description', input.description ?? '');
    const tags = mergeTags({}, input.tags ?? {});
    return mutate(this.database, ctx, async (trx) => {
      await assertNameFree(trx, name);
      return this.insert(trx, ctx, { name, description, tags });
    });
  }

  /**
   * Inserts a model row inside the caller's transaction and audits it. A concurrent insert of the
   * same name fails on the unique constraint; mutate() then runs the caller's work again.
   */
  async insert(
    trx: Executor,
    ctx: RequestContext,
    input: { name: string; description: string; tags: Readonly<Record<string, string>> },
  ): Promise<Model> {
    const now = this.clock.now();
    const row: ModelRow = {
      id: newId(now),
      name: input.name,
      description: input.description,
      tags: JSON.stringify(input.tags),
      policy: JSON.stringify({ requireApprovalFor: [] }),
      created_by: ctx.actor.name,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    };
    await trx.insertInto('models').values(row).execute();
    const model = toModel(row, null);
    await this.audit.record(trx, ctx, {
      action: 'model.create',
      resourceType: 'model',
      resourceId: row.id,
      after: model,
    });
    return model;
  }

  /** With the newest version and where every alias points; deleted models too (lifecycle says so). */
  async get(name: string): Promise<ModelDetails> {
    const db = this.database.db;
    const row = await findModelRow(db, name);
    const latest = await db
      .selectFrom('model_versions')
      .selectAll()
      .where('model_id', '=', row.id)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    const byVersion = await aliasesByVersion(db, row.id);
    const aliases: Record<string, number> = {};
    for (const [version, names] of byVersion) for (const alias of names) aliases[alias] = version;
    const sorted = Object.fromEntries(Object.entries(aliases).sort(([a], [b]) => a.localeCompare(b)));
    return {
      ...toModel(row, latest?.version),
      ...(latest === undefined
        ? {}
        : { latest: toModelVersion(row.name, latest, byVersion.get(Number(latest.version)) ?? []) }),
      aliases: sorted,
    };
  }

  /** Newest first. */
  async list(input: ListModelsInput = {}): Promise<Page<Model>> {
    const lifecycle = input.lifecycle ?? 'active';
    let select = this.database.db
      .selectFrom('models')
      .selectAll('models')
      .select((eb) =>
        eb
          .selectFrom('model_versions')
          .select((inner) => inner.fn.max('model_versions.version').as('latest'))
          .whereRef('model_versions.model_id', '=', 'models.id')
          .as('latest_version'),
      );
    if (lifecycle === 'active') select = select.where('deleted_at', 'is', null);
    if (lifecycle === 'deleted') select = select.where('deleted_at', 'is not', null);
    select = whereNameContains(select, input.nameContains);
    const query = JSON.stringify(['models', lifecycle, input.nameContains ?? '']);
    return newestFirstPage(select, input, query, ({ latest_version, ...row }) =>
      toModel(row, latest_version),
    );
  }

  async update(ctx: RequestContext, name: string, input: UpdateModelInput): Promise<Model> {
    const description =
      input.description === undefined ? undefined : checkText('description', input.description);
    return mutate(this.database, ctx, async (trx) => {
      const row = await lockModel(trx, (await findModelRow(trx, name)).id);
      const updated: ModelRow = {
        ...row,
        description: description ?? row.description,
        tags:
          input.tags === undefined ? row.tags : JSON.stringify(mergeTags(JSON.parse(row.tags), input.tags)),
        updated_at: this.clock.now(),
      };
      await trx
        .updateTable('models')
        .set({ description: updated.description, tags: updated.tags, updated_at: updated.updated_at })
        .where('id', '=', row.id)
        .execute();
      return this.audited(trx, ctx, 'model.update', row, updated);
    });
  }

  /** Soft delete: hidden from lists, no new versions or alias moves, name kept until restored. */
  async delete(ctx: RequestContext, name: string): Promise<Model> {
    return this.setLifecycle(ctx, name, 'deleted');
  }

  async restore(ctx: RequestContext, name: string): Promise<Model> {
    return this.setLifecycle(ctx, name, 'active');
  }

  async setPolicy(ctx: RequestContext, name: string, input: PolicyInput): Promise<Model> {
    const aliases = [
      ...new Set(
        input.requireApprovalFor.map((alias, i) => settableAlias(`requireApprovalFor[${i}]`, alias)),
      ),
    ].sort();
    const policy: ModelPolicy = { requireApprovalFor: aliases };
    return mutate(this.database, ctx, async (trx) => {
      const row = await lockModel(trx, (await findModelRow(trx, name)).id);
      const updated: ModelRow = { ...row, policy: JSON.stringify(policy), updated_at: this.clock.now() };
      await trx
        .updateTable('models')
        .set({ policy: updated.policy, updated_at: updated.updated_at })
        .where('id', '=', row.id)
        .execute();
      return this.audited(trx, ctx, 'model.policy.set', row, updated);
    });
  }

  private async setLifecycle(ctx: RequestContext, name: string, lifecycle: ModelLifecycle): Promise<Model> {
    return mutate(this.database, ctx, async (trx) => {
      const row = await lockModel(trx, (await findModelRow(trx, name)).id);
      const latest = await latestVersion(trx, row.id);
      if ((row.deleted_at === null) === (lifecycle === 'active')) return toModel(row, latest);
      const now = this.clock.now();
      const updated: ModelRow = { ...row, updated_at: now, deleted_at: lifecycle === 'deleted' ? now : null };
      await trx
        .updateTable('models')
        .set({ updated_at: now, deleted_at: updated.deleted_at })
        .where('id', '=', row.id)
        .execute();
      return this.audited(trx, ctx, lifecycle === 'deleted' ? 'model.delete' : 'model.restore', row, updated);
    });
  }

  private async audited(
    trx: Executor,
    ctx: RequestContext,
    action: string,
    before: ModelRow,
    after: ModelRow,
  ): Promise<Model> {
    const latest = await latestVersion(trx, after.id);
    const result = toModel(after, latest);
    await this.audit.record(trx, ctx, {
      action,
      resourceType: 'model',
      resourceId: after.id,
      before: toModel(before, latest),
      after: result,
    });
    return result;
  }
}

export async function assertNameFree(executor: Executor, name: string): Promise<void> {
  const clash = await executor
    .selectFrom('models')
    .select(['id', 'deleted_at'])
    .where('name', '=', name)
    .executeTakeFirst();
  if (clash === undefined) return;
  const deleted = clash.deleted_at !== null;
  throw new ConflictError(
    'MODEL_EXISTS',
    `a model named '${name}' already exists${deleted ? ' (it is deleted: restore it)' : ''}`,
    { model: name, lifecycle: deleted ? 'deleted' : 'active' },
  );
}

async function latestVersion(executor: Executor, modelId: string): Promise<number | null> {
  const row = await executor
    .selectFrom('model_versions')
    .select((eb) => eb.fn.max('version').as('latest'))
    .where('model_id', '=', modelId)
    .executeTakeFirst();
  return row?.latest === undefined || row.latest === null ? null : Number(row.latest);
}
