/** Experiments: named groups of runs. Soft-deleted experiments keep their name until restored. */
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import { ConflictError, InvalidError, NotFoundError, UnprocessableError } from '../core/errors.js';
import { isId, newId } from '../core/ids.js';
import { normaliseName } from '../core/names.js';
import type { Page, PageRequest } from '../core/pagination.js';
import { applyTagChanges, type TagChanges, type TagRules } from '../core/tags.js';
import { type Database, type Executor, mutate, newestFirstPage, whereNameContains } from '../store/index.js';
import type { ExperimentRow } from '../store/tables.js';
import { type Experiment, type Lifecycle, toExperiment } from './entities.js';
import { checkEntryCount, checkKey, checkValue } from './validation.js';

export interface CreateExperimentInput {
  readonly name: string;
  readonly description?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface UpdateExperimentInput {
  readonly name?: string;
  readonly description?: string;
  /** Merged into the current tags; a null value removes that tag. */
  readonly tags?: Readonly<Record<string, string | null>>;
}

export interface ListExperimentsInput extends PageRequest {
  readonly lifecycle?: Lifecycle | 'all';
  /** Only experiments whose name contains this text. */
  readonly nameContains?: string;
}

const MAX_DESCRIPTION = 10_000;

export class ExperimentService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async create(ctx: RequestContext, input: CreateExperimentInput): Promise<Experiment> {
    const name = normaliseName('experiment name', input.name);
    const description = checkDescription(input.description ?? '');
    const tags = mergeTags({}, input.tags ?? {});
    const now = this.clock.now();
    const row: ExperimentRow = {
      id: newId(now),
      name,
      description,
      tags: JSON.stringify(tags),
      lifecycle: 'active',
      created_at: now,
      updated_at: now,
      deleted_at: null,
    };
    return mutate(this.database, ctx, async (trx) => {
      await this.assertNameFree(trx, name);
      await trx.insertInto('experiments').values(row).execute();
      const experiment = toExperiment(row);
      await this.audit.record(trx, ctx, {
        action: 'experiment.create',
        resourceType: 'experiment',
        resourceId: row.id,
        after: experiment,
      });
      return experiment;
    });
  }

  /** By id or by name; deleted experiments are returned too (their lifecycle says so). */
  async get(idOrName: string): Promise<Experiment> {
    return toExperiment(await findExperiment(this.database.db, idOrName));
  }

  /** Newest first. */
  async list(input: ListExperimentsInput = {}): Promise<Page<Experiment>> {
    const lifecycle = input.lifecycle ?? 'active';
    let select = this.database.db.selectFrom('experiments').selectAll();
    if (lifecycle !== 'all') select = select.where('lifecycle', '=', lifecycle);
    select = whereNameContains(select, input.nameContains);
    const query = JSON.stringify(['experiments', lifecycle, input.nameContains ?? '']);
    return newestFirstPage(select, input, query, toExperiment);
  }

  async update(ctx: RequestContext, idOrName: string, input: UpdateExperimentInput): Promise<Experiment> {
    const name = input.name === undefined ? undefined : normaliseName('experiment name', input.name);
    const description = input.description === undefined ? undefined : checkDescription(input.description);
    return mutate(this.database, ctx, async (trx) => {
      const row = await lockExperiment(trx, (await findExperiment(trx, idOrName)).id);
      if (name !== undefined && name !== row.name) await this.assertNameFree(trx, name);
      const updated: ExperimentRow = {
        ...row,
        name: name ?? row.name,
        description: description ?? row.description,
        tags:
          input.tags === undefined ? row.tags : JSON.stringify(mergeTags(JSON.parse(row.tags), input.tags)),
        updated_at: this.clock.now(),
      };
      await trx
        .updateTable('experiments')
        .set({
          name: updated.name,
          description: updated.description,
          tags: updated.tags,
          updated_at: updated.updated_at,
        })
        .where('id', '=', row.id)
        .execute();
      const before = toExperiment(row);
      const after = toExperiment(updated);
      await this.audit.record(trx, ctx, {
        action: 'experiment.update',
        resourceType: 'experiment',
        resourceId: row.id,
        before,
        after,
      });
      return after;
    });
  }

  /** Soft delete: the experiment and its runs disappear from lists and searches until restored. */
  async delete(ctx: RequestContext, idOrName: string): Promise<Experiment> {
    return this.setLifecycle(ctx, idOrName, 'deleted');
  }

  async restore(ctx: RequestContext, idOrName: string): Promise<Experiment> {
    return this.setLifecycle(ctx, idOrName, 'active');
  }

  private async setLifecycle(
    ctx: RequestContext,
    idOrName: string,
    lifecycle: Lifecycle,
  ): Promise<Experiment> {
    return mutate(this.database, ctx, async (trx) => {
      const row = await lockExperiment(trx, (await findExperiment(trx, idOrName)).id);
      if (row.lifecycle === lifecycle) return toExperiment(row);
      const now = this.clock.now();
      const updated: ExperimentRow = {
        ...row,
        lifecycle,
        updated_at: now,
        deleted_at: lifecycle === 'deleted' ? now : null,
      };
      await trx
        .updateTable('experiments')
        .set({ lifecycle, updated_at: now, deleted_at: updated.deleted_at })
        .where('id', '=', row.id)
        .execute();
      const after = toExperiment(updated);
      await this.audit.record(trx, ctx, {
        action: lifecycle === 'deleted' ? 'experiment.delete' : 'experiment.restore',
        resourceType: 'experiment',
        resourceId: row.id,
        before: toExperiment(row),
        after,
      });
      return after;
    });
  }

  private async assertNameFree(trx: Executor, name: string): Promise<void> {
    const clash = await trx
      .selectFrom('experiments')
      .select(['id', 'lifecycle'])
      .where('name', '=', name)
      .executeTakeFirst();
    if (clash === undefined) return;
    const hint = clash.lifecycle === 'deleted' ? ' (it is deleted: restore it, or rename it first)' : '';
    throw new ConflictError('EXPERIMENT_EXISTS', `an experiment named '${name}' already exists${hint}`, {
      name,
      existingId: clash.id,
      lifecycle: clash.lifecycle,
    });
  }
}

/** Finds an experiment by id, else by name. Throws EXPERIMENT_NOT_FOUND. */
export async function findExperiment(executor: Executor, idOrName: string): Promise<ExperimentRow> {
  const byId = isId(idOrName)
    ? await executor.selectFrom('experiments').selectAll().where('id', '=', idOrName).executeTakeFirst()
    : undefined;
  const row =
    byId ??
    (await executor
      .selectFrom('experiments')
      .selectAll()
      .where('name', '=', idOrName.trim().toLowerCase())
      .executeTakeFirst());
  if (row === undefined) {
    throw new NotFoundError('EXPERIMENT_NOT_FOUND', `experiment '${idOrName}' does not exist`, {
      experiment: idOrName,
    });
  }
  return row;
}

/**
 * The experiment's current row, with its row lock taken by a no-op update (PostgreSQL; SQLite runs
 * one writer at a time), so concurrent read-modify-writes (merging tags) cannot lose each other's
 * changes.
 */
async function lockExperiment(trx: Executor, id: string): Promise<ExperimentRow> {
  return trx
    .updateTable('experiments')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Like findExperiment, but refuses deleted experiments for writes under them. */
export async function findActiveExperiment(executor: Executor, idOrName: string): Promise<ExperimentRow> {
  const row = await findExperiment(executor, idOrName);
  if (row.lifecycle === 'deleted') {
    throw new UnprocessableError(
      'EXPERIMENT_DELETED',
      `experiment '${row.name}' is deleted; restore it first`,
      {
        experiment: row.name,
      },
    );
  }
  return row;
}

function checkDescription(description: string): string {
  if (description.length > MAX_DESCRIPTION) {
    throw new InvalidError(
      `description must be at most ${MAX_DESCRIPTION} characters, got ${description.length}`,
      {
        field: 'description',
      },
    );
  }
  return description;
}

const TAG_RULES: TagRules = {
  checkChanges: (changes) => checkEntryCount('tag', changes),
  checkKey: (key) => checkKey('tag', key),
  checkValue: (key, value) => checkValue('tag', key, value),
};

function mergeTags(current: Record<string, string>, changes: TagChanges): Record<string, string> {
  return applyTagChanges(current, changes, TAG_RULES);
}
