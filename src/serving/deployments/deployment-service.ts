/**
 * Deployments and their revisions. Every change (create, update, rollback, or a followed alias
 * moving) writes a new revision by compare-and-set on the deployment's revision number, decided by
 * the database (a conditional UPDATE's row count), with its audit event and lineage edges
 * (`model:churn@3 -serves-> deployment:churn`) in the same transaction. Before a change commits, the
 * model versions it would serve are prepared (loaded, verified and warmed) so a version that cannot
 * load is refused and the current revision keeps serving.
 */
import type { AuditLog } from '../../auth/index.js';
import type { Clock } from '../../core/clock.js';
import type { RequestContext } from '../../core/context.js';
import { ConflictError, InvalidError, NotFoundError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { normaliseName } from '../../core/names.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { deploymentNode, type LineageRecorder, modelNode } from '../../lineage/index.js';
import type { Registry } from '../../registry/index.js';
import { type Database, type Executor, highestFirstPage, mutate } from '../../store/index.js';
import type { DeploymentRevisionRow, DeploymentRow } from '../../store/tables.js';
import {
  type Deployment,
  type DeploymentRevision,
  type DeploymentSpec,
  type ResolvedDeployment,
  type ResolvedModel,
  type RevisionCause,
  readResolved,
  readSpec,
  toDeployment,
  toDeploymentRevision,
} from './entities.js';
import { resolveSpec, servedModels } from './resolution.js';
import { buildSpec, type DeploymentSpecInput } from './spec.js';

export interface CreateDeploymentInput extends DeploymentSpecInput {
  readonly description?: string | undefined;
}

export interface UpdateDeploymentInput extends DeploymentSpecInput {
  readonly description?: string | undefined;
  /** When given, the change applies only if the deployment is still at this revision. */
  readonly expectedRevision?: number | undefined;
}

export interface DeleteDeploymentInput {
  /** When given, the deployment is deleted only if it is still at this revision. */
  readonly expectedRevision?: number | undefined;
}

export interface RollbackInput {
  /** The revision whose model versions to serve again; default: the one before the current. */
  readonly toRevision?: number | undefined;
  readonly expectedRevision?: number | undefined;
}

/** Loads, verifies and warms model versions before a revision that serves them commits. */
export type PrepareModels = (models: readonly ResolvedModel[]) => Promise<void>;

/** What a revision is: its spec and what that resolved to. */
interface RevisionContent {
  readonly spec: DeploymentSpec;
  readonly resolved: ResolvedDeployment;
}

export class DeploymentService {
  private prepare: PrepareModels = async () => {};
  private readonly committedListeners: (() => Promise<void>)[] = [];

  constructor(
    private readonly database: Database,
    private readonly registry: Registry,
    private readonly audit: AuditLog,
    private readonly lineage: LineageRecorder,
    private readonly clock: Clock,
  ) {}

  /** Set by the serving runtime of this process. */
  setPreparer(prepare: PrepareModels): void {
    this.prepare = prepare;
  }

  /**
   * Awaited after each change this service commits, before the change is answered (alias moves
   * commit in the registry instead); a listener's failure does not undo the committed change.
   */
  onCommitted(listener: () => Promise<void>): void {
    this.committedListeners.push(listener);
  }

  async create(ctx: RequestContext, rawName: string, input: CreateDeploymentInput): Promise<Deployment> {
    const name = normaliseName('name', rawName);
    const wanted = buildSpec(input, null);
    const description = checkDescription(input.description ?? '');
    return this.commit(ctx, { kind: 'create' }, async (trx) => {
      const existing = await findRow(trx, name);
      if (existing !== undefined)
        throw new ConflictError(
          'DEPLOYMENT_EXISTS',
          `deployment '${name}' already exists; change it with PATCH`,
          {
            deployment: name,
          },
        );
      return { content: await resolveSpec(this.registry, trx, wanted), base: null, description, name };
    });
  }

  async get(rawName: string): Promise<Deployment> {
    const db = this.database.db;
    const row = await requireRow(db, rawName);
    return toDeployment(row, await revisionRow(db, row, row.revision));
  }

  /** Every deployment, by name. */
  async list(): Promise<readonly Deployment[]> {
    const current = await currentRows(this.database.db);
    return current.map(({ row, revision }) => toDeployment(row, revision));
  }

  /** Every deployment's current revision number, by name (cheap enough to poll). */
  async currentRevisions(): Promise<Map<string, number>> {
    const rows = await this.database.db.selectFrom('deployments').select(['name', 'revision']).execute();
    return new Map(rows.map((row) => [row.name, Number(row.revision)]));
  }

  /** The deployment's revisions, newest first. */
  async revisions(rawName: string, page: PageRequest = {}): Promise<Page<DeploymentRevision>> {
    const db = this.database.db;
    const row = await requireRow(db, rawName);
    return highestFirstPage(
      db.selectFrom('deployment_revisions').selectAll().where('deployment_id', '=', row.id),
      'revision',
      page,
      JSON.stringify(['deployment-revisions', row.id]),
      (r) => Number(r.revision),
      (r) => toDeploymentRevision(row.name, r),
    );
  }

  async revision(rawName: string, revision: number): Promise<DeploymentRevision> {
    const db = this.database.db;
    const row = await requireRow(db, rawName);
    return toDeploymentRevision(row.name, await revisionRow(db, row, revision));
  }

  async update(ctx: RequestContext, rawName: string, input: UpdateDeploymentInput): Promise<Deployment> {
    const changed = changedFields(input);
    if (changed.length === 0)
      throw new InvalidError('nothing to change: give routes, shadow, routingKey, batching or description', {
        field: 'body',
      });
    return this.commit(ctx, { kind: 'update', changed }, async (trx) => {
      const row = await requireRow(trx, rawName);
      checkExpected(row, input.expectedRevision);
      const current = await revisionRow(trx, row, row.revision);
      const wanted = buildSpec(input, readSpec(current));
      const description =
        input.description === undefined ? row.description : checkDescription(input.description);
      return {
        content: await resolveSpec(this.registry, trx, wanted),
        base: row,
        description,
        name: row.name,
      };
    });
  }

  /**
   * Serves again exactly the model versions revision N served (default: the revision before the
   * current one), as a new revision; routes that name an alias follow it again at its next move.
   */
  async rollback(ctx: RequestContext, rawName: string, input: RollbackInput = {}): Promise<Deployment> {
    let target = input.toRevision;
    return this.commit(
      ctx,
      () => ({ kind: 'rollback', toRevision: target! }),
      async (trx) => {
        const row = await requireRow(trx, rawName);
        checkExpected(row, input.expectedRevision);
        target = input.toRevision ?? row.revision - 1;
        if (target < 1 || target >= row.revision) {
          throw new InvalidError(
            input.toRevision === undefined
              ? `deployment '${row.name}' has only revision 1: there is nothing to roll back to`
              : `toRevision must be an earlier revision of '${row.name}' (1 to ${row.revision - 1}), got ${target}`,
            { field: 'toRevision', value: target },
          );
        }
        const earlier = await revisionRow(trx, row, target);
        return {
          content: { spec: readSpec(earlier), resolved: readResolved(earlier) },
          base: row,
          description: row.description,
          name: row.name,
        };
      },
    );
  }

  /**
   * Deletes the deployment and its revisions; every server stops serving it at its next refresh.
   * The audit log keeps what it served, and the lineage graph keeps its edges.
   */
  async delete(ctx: RequestContext, rawName: string, input: DeleteDeploymentInput = {}): Promise<Deployment> {
    const deleted = await mutate(this.database, ctx, async (trx) => {
      const row = await requireRow(trx, rawName);
      checkExpected(row, input.expectedRevision);
      const deployment = toDeployment(row, await revisionRow(trx, row, row.revision));
      await trx.deleteFrom('deployment_revisions').where('deployment_id', '=', row.id).execute();
      const result = await trx
        .deleteFrom('deployments')
        .where('id', '=', row.id)
        .where('revision', '=', row.revision)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0)
        throw revisionConflict(row.name, row.revision, await currentRevision(trx, row.id));
      await this.announce(trx, row.name);
      await this.audit.record(trx, ctx, {
        action: 'deployment.delete',
        resourceType: 'deployment',
        resourceId: row.name,
        before: { revision: row.revision, routes: deployment.routes, shadow: deployment.shadow },
      });
      return deployment;
    });
    await this.notifyCommitted();
    return deleted;
  }

  /**
   * Called in the transaction of every alias move: deployments whose current revision follows
   * `model@alias` get a revision serving the alias's new version. Deleting an alias that a deployment
   * follows is refused, so no deployment is left without a model.
   */
  async followAlias(
    trx: Executor,
    ctx: RequestContext,
    move: { model: string; alias: string; from: number | null; to: number | null },
  ): Promise<void> {
    const reference = `${move.model}@${move.alias}`;
    const following = await followers(trx, reference);
    if (following.length === 0 || move.from === move.to) return;
    if (move.to === null) {
      throw new ConflictError(
        'ALIAS_IN_USE',
        `alias ${reference} cannot be deleted: deployment${following.length > 1 ? 's' : ''} ${following.map(({ row }) => row.name).join(', ')} route${following.length > 1 ? '' : 's'} to it; change their routes first`,
        { alias: reference, deployments: following.map(({ row }) => row.name) },
      );
    }
    const version = await this.registry.versions.resolve({ name: move.model, version: move.to }, trx);
    const moved: ResolvedModel = { model: version.model, version: version.version, digest: version.digest };
    for (const { row, revision } of following) {
      const resolved = readResolved(revision);
      const follow = <T extends { reference: string }>(route: T): T =>
        route.reference === reference ? { ...route, ...moved } : route;
      const content = {
        spec: readSpec(revision),
        resolved: {
          routes: resolved.routes.map(follow),
          shadow: resolved.shadow === null ? null : follow(resolved.shadow),
        },
      };
      const cause: RevisionCause = {
        kind: 'alias',
        alias: reference,
        fromVersion: move.from ?? 0,
        toVersion: move.to,
      };
      await this.writeRevision(trx, ctx, row, row.name, row.description, content, cause);
    }
  }

  /**
   * Resolves what the change would serve, prepares those versions outside any transaction, then
   * writes the revision; if what it resolves to changed meanwhile (an alias moved), it prepares again.
   */
  private async commit(
    ctx: RequestContext,
    cause: RevisionCause | (() => RevisionCause),
    plan: (trx: Executor) => Promise<{
      content: RevisionContent;
      base: DeploymentRow | null;
      description: string;
      name: string;
    }>,
  ): Promise<Deployment> {
    const causeOf = () => (typeof cause === 'function' ? cause() : cause);
    let prepared = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      const preview = await plan(this.database.db);
      const models = servedModels(preview.content.resolved);
      const key = JSON.stringify(models);
      if (key !== prepared) {
        await this.prepare(models);
        prepared = key;
      }
      try {
        const deployment = await mutate(this.database, ctx, async (trx) => {
          const { content, base, description, name } = await plan(trx);
          if (JSON.stringify(servedModels(content.resolved)) !== prepared) throw new StalePreparation();
          return this.writeRevision(trx, ctx, base, name, description, content, causeOf());
        });
        await this.notifyCommitted();
        return deployment;
      } catch (error) {
        if (!(error instanceof StalePreparation)) throw error;
      }
    }
    throw new ConflictError(
      'DEPLOYMENT_REVISION_CONFLICT',
      'the model versions this change resolves to kept changing while it was prepared; try again',
    );
  }

  private async notifyCommitted(): Promise<void> {
    for (const listener of this.committedListeners) await listener().catch(() => {});
  }

  /**
   * Tells the other processes sharing the database that `name` changed, once `trx` commits (nothing
   * if it rolls back); where the database cannot, they find out by polling.
   */
  private announce(trx: Executor, name: string): Promise<void> {
    return this.database.notify(trx, 'deployments', name);
  }

  private async writeRevision(
    trx: Executor,
    ctx: RequestContext,
    base: DeploymentRow | null,
    name: string,
    description: string,
    content: RevisionContent,
    cause: RevisionCause,
  ): Promise<Deployment> {
    const now = this.clock.now();
    let row: DeploymentRow;
    if (base === null) {
      row = {
        id: newId(now),
        name,
        revision: 1,
        description,
        created_by: ctx.actor.name,
        created_at: now,
        updated_by: ctx.actor.name,
        updated_at: now,
      };
      await trx.insertInto('deployments').values(row).execute();
    } else {
      const revision = Number(base.revision) + 1;
      const result = await trx
        .updateTable('deployments')
        .set({ revision, description, updated_by: ctx.actor.name, updated_at: now })
        .where('id', '=', base.id)
        .where('revision', '=', base.revision)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0)
        throw revisionConflict(name, Number(base.revision), await currentRevision(trx, base.id));
      row = { ...base, revision, description, updated_by: ctx.actor.name, updated_at: now };
    }
    const revisionRow: DeploymentRevisionRow = {
      deployment_id: row.id,
      revision: row.revision,
      spec: JSON.stringify(content.spec),
      resolved: JSON.stringify(content.resolved),
      cause: JSON.stringify(cause),
      actor: ctx.actor.name,
      request_id: ctx.requestId,
      at: now,
    };
    await trx.insertInto('deployment_revisions').values(revisionRow).execute();
    await this.announce(trx, name);
    const target = deploymentNode(name);
    await this.lineage.record(
      trx,
      ctx,
      servedModels(content.resolved).map(({ model, version }) => ({
        source: modelNode(model, version),
        target,
        relation: 'serves' as const,
      })),
    );
    const deployment = toDeployment(row, revisionRow);
    await this.audit.record(trx, ctx, {
      action: `deployment.${cause.kind === 'create' ? 'create' : cause.kind === 'alias' ? 'follow-alias' : cause.kind}`,
      resourceType: 'deployment',
      resourceId: name,
      ...(base === null ? {} : { before: { revision: Number(base.revision) } }),
      after: { revision: row.revision, routes: deployment.routes, shadow: deployment.shadow, cause },
    });
    return deployment;
  }
}

/** Rolls back a transaction whose models differ from those prepared. */
class StalePreparation extends Error {}

function changedFields(input: UpdateDeploymentInput): string[] {
  const fields = ['routes', 'shadow', 'routingKey', 'batching', 'description'] as const;
  return fields.filter((field) => input[field] !== undefined);
}

function checkDescription(description: string): string {
  if (description.length > 10_000)
    throw new InvalidError(`description must be at most 10,000 characters, got ${description.length}`, {
      field: 'description',
    });
  return description;
}

function checkExpected(row: DeploymentRow, expected: number | undefined): void {
  if (expected !== undefined && expected !== Number(row.revision))
    throw revisionConflict(row.name, expected, Number(row.revision));
}

function revisionConflict(name: string, expected: number, current: number | null): ConflictError {
  return new ConflictError(
    'DEPLOYMENT_REVISION_CONFLICT',
    `deployment '${name}' is at revision ${current}, not ${expected}: it changed since you read it; read it again and retry`,
    { deployment: name, expectedRevision: expected, currentRevision: current },
  );
}

async function currentRevision(executor: Executor, id: string): Promise<number | null> {
  const row = await executor
    .selectFrom('deployments')
    .select('revision')
    .where('id', '=', id)
    .executeTakeFirst();
  return row === undefined ? null : Number(row.revision);
}

async function findRow(executor: Executor, name: string): Promise<DeploymentRow | undefined> {
  const row = await executor
    .selectFrom('deployments')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirst();
  return row === undefined ? undefined : { ...row, revision: Number(row.revision) };
}

async function requireRow(executor: Executor, rawName: string): Promise<DeploymentRow> {
  const name = normaliseName('deployment', rawName);
  const row = await findRow(executor, name);
  if (row === undefined) throw deploymentNotFound(name);
  return row;
}

export function deploymentNotFound(name: string): NotFoundError {
  return new NotFoundError('DEPLOYMENT_NOT_FOUND', `deployment '${name}' does not exist`, {
    deployment: name,
  });
}

async function revisionRow(
  executor: Executor,
  row: DeploymentRow,
  revision: number,
): Promise<DeploymentRevisionRow> {
  const found = await executor
    .selectFrom('deployment_revisions')
    .selectAll()
    .where('deployment_id', '=', row.id)
    .where('revision', '=', revision)
    .executeTakeFirst();
  if (found === undefined)
    throw new NotFoundError(
      'DEPLOYMENT_REVISION_NOT_FOUND',
      `deployment '${row.name}' has no revision ${revision}`,
      {
        deployment: row.name,
        revision,
      },
    );
  return found;
}

/** Every deployment with its current revision, by name, in one query. */
async function currentRows(
  executor: Executor,
): Promise<{ row: DeploymentRow; revision: DeploymentRevisionRow }[]> {
  const rows = await executor
    .selectFrom('deployments')
    .innerJoin('deployment_revisions', (join) =>
      join
        .onRef('deployment_revisions.deployment_id', '=', 'deployments.id')
        .onRef('deployment_revisions.revision', '=', 'deployments.revision'),
    )
    .selectAll('deployments')
    .select([
      'deployment_revisions.spec',
      'deployment_revisions.resolved',
      'deployment_revisions.cause',
      'deployment_revisions.actor',
      'deployment_revisions.request_id',
      'deployment_revisions.at',
      'deployment_revisions.deployment_id',
    ])
    .orderBy('deployments.name')
    .execute();
  return rows.map((joined) => {
    const row: DeploymentRow = {
      id: joined.id,
      name: joined.name,
      revision: Number(joined.revision),
      description: joined.description,
      created_by: joined.created_by,
      created_at: joined.created_at,
      updated_by: joined.updated_by,
      updated_at: joined.updated_at,
    };
    return { row, revision: { ...joined, revision: row.revision } };
  });
}

/** Deployments whose current revision routes (or shadows) to `reference`. */
async function followers(
  executor: Executor,
  reference: string,
): Promise<{ row: DeploymentRow; revision: DeploymentRevisionRow }[]> {
  return (await currentRows(executor)).filter(({ revision }) => {
    const spec = readSpec(revision);
    return spec.routes.some((route) => route.model === reference) || spec.shadow?.model === reference;
  });
}
