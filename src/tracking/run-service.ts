/** Runs: creation, status and name changes, immutable params, mutable tags. */
import type { AuditLog } from '../auth/index.js';
import { type Clock, parseIsoTime } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import { ConflictError, InvalidError, NotFoundError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import {
  decodePageToken,
  isKeyCursor,
  type Page,
  type PageRequest,
  pageOf,
  pageSize,
} from '../core/pagination.js';
import { type Database, type Executor, mutate, type Tx } from '../store/index.js';
import type { RunRow } from '../store/tables.js';
import { RUN_STATUSES, type Run, type RunStatus } from './entities.js';
import { findActiveExperiment, findExperiment } from './experiment-service.js';
import { loadRun, loadRuns, lockRunRow } from './run-loader.js';
import { randomRunName } from './run-names.js';
import {
  checkEntryCount,
  checkGitCommit,
  checkKey,
  checkValue,
  type ParamValue,
  paramToString,
} from './validation.js';

export interface CreateRunInput {
  /** Experiment id or name. */
  readonly experiment: string;
  readonly name?: string;
  readonly params?: Readonly<Record<string, ParamValue>>;
  readonly tags?: Readonly<Record<string, string>>;
  readonly parentRunId?: string;
  readonly gitCommit?: string;
  /** ISO time; defaults to now. */
  readonly startTime?: string;
}

export interface UpdateRunInput {
  readonly status?: RunStatus;
  readonly name?: string;
  /** ISO time; defaults to now when the status becomes terminal. */
  readonly endTime?: string;
}

export interface ListRunsInput extends PageRequest {
  readonly experiment: string;
  readonly status?: RunStatus;
  readonly parentRunId?: string;
}

const MAX_RUN_NAME = 250;

export class RunService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async create(ctx: RequestContext, input: CreateRunInput): Promise<Run> {
    const now = this.clock.now();
    const name = checkRunName(input.name ?? randomRunName());
    const params = normaliseParams(input.params ?? {});
    const tags = normaliseTags(input.tags ?? {});
    if (input.gitCommit !== undefined) checkGitCommit(input.gitCommit);
    const startTime = input.startTime === undefined ? now : parseIsoTime('startTime', input.startTime);
    return mutate(this.database, ctx, async (trx) => {
      const experiment = await findActiveExperiment(trx, input.experiment);
      if (input.parentRunId !== undefined) {
        const parent = await trx
          .selectFrom('runs')
          .select('experiment_id')
          .where('id', '=', input.parentRunId)
          .executeTakeFirst();
        if (parent === undefined) {
          throw new NotFoundError('RUN_NOT_FOUND', `parent run '${input.parentRunId}' does not exist`, {
            parentRunId: input.parentRunId,
          });
        }
        if (parent.experiment_id !== experiment.id) {
          throw new InvalidError(`parent run '${input.parentRunId}' belongs to another experiment`, {
            field: 'parentRunId',
          });
        }
      }
      const row: Omit<RunRow, 'seq'> = {
        id: newId(now),
        experiment_id: experiment.id,
        name,
        status: 'running',
        parent_run_id: input.parentRunId ?? null,
        start_time: startTime,
        end_time: null,
        git_commit: input.gitCommit?.toLowerCase() ?? null,
        created_by: ctx.actor.name,
        updated_at: now,
      };
      const { seq } = await trx.insertInto('runs').values(row).returning('seq').executeTakeFirstOrThrow();
      await insertKeyValues(trx, 'run_params', seq, params);
      await insertKeyValues(trx, 'run_tags', seq, tags);
      const run = await loadRun(trx, row.id);
      await this.audit.record(trx, ctx, {
        action: 'run.create',
        resourceType: 'run',
        resourceId: row.id,
        after: summary(run),
      });
      return run;
    });
  }

  async get(id: string): Promise<Run> {
    return loadRun(this.database.db, id);
  }

  /** Runs of one experiment, newest first. */
  async list(input: ListRunsInput): Promise<Page<Run>> {
    const limit = pageSize(input.limit);
    const experiment = await findExperiment(this.database.db, input.experiment);
    const query = JSON.stringify(['runs', experiment.id, input.status ?? '', input.parentRunId ?? '']);
    const after = decodePageToken(input.pageToken, query, isKeyCursor);
    let select = this.database.db.selectFrom('runs').selectAll().where('experiment_id', '=', experiment.id);
    if (input.status !== undefined) select = select.where('status', '=', input.status);
    if (input.parentRunId !== undefined) select = select.where('parent_run_id', '=', input.parentRunId);
    if (after !== undefined) select = select.where('id', '<', after);
    const rows = await select
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const page = pageOf(
      rows,
      limit,
      (row) => row,
      (row) => row.id,
      query,
    );
    const items = await loadRuns(this.database.db, page.items);
    return page.nextPageToken === undefined ? { items } : { items, nextPageToken: page.nextPageToken };
  }

  async update(ctx: RequestContext, id: string, input: UpdateRunInput): Promise<Run> {
    if (input.status !== undefined && !RUN_STATUSES.includes(input.status)) {
      throw new InvalidError(`status must be one of ${RUN_STATUSES.join(', ')}, got '${input.status}'`, {
        field: 'status',
      });
    }
    const name = input.name === undefined ? undefined : checkRunName(input.name);
    const explicitEnd = input.endTime === undefined ? undefined : parseIsoTime('endTime', input.endTime);
    return mutate(this.database, ctx, async (trx) => {
      const row = await lockRunRow(trx, id);
      const before = await loadRun(trx, id);
      const now = this.clock.now();
      const status = input.status ?? row.status;
      // A run that ends gets an end time; a run set back to running loses it.
      const endTime = status === 'running' ? (explicitEnd ?? null) : (explicitEnd ?? row.end_time ?? now);
      if (endTime !== null && endTime < row.start_time) {
        throw new InvalidError('endTime must not be before the run started', { field: 'endTime' });
      }
      await trx
        .updateTable('runs')
        .set({ status, name: name ?? row.name, end_time: endTime, updated_at: now })
        .where('seq', '=', row.seq)
        .execute();
      const after = await loadRun(trx, id);
      await this.audit.record(trx, ctx, {
        action: 'run.update',
        resourceType: 'run',
        resourceId: id,
        before: pick(before),
        after: pick(after),
      });
      return after;
    });
  }

  /**
   * Sets params. A param never changes once set: the same value again is accepted, a different one
   * fails the whole call with PARAM_IMMUTABLE and sets nothing.
   */
  async logParams(
    ctx: RequestContext,
    id: string,
    input: Readonly<Record<string, ParamValue>>,
  ): Promise<Run> {
    const params = normaliseParams(input);
    return mutate(this.database, ctx, async (trx) => {
      const row = await lockRunRow(trx, id);
      const keys = Object.keys(params);
      if (keys.length > 0) {
        await assertNoParamChange(trx, row.seq, id, params);
        await insertKeyValues(trx, 'run_params', row.seq, params);
        // A concurrent writer may have set a key between our check and our insert.
        await assertNoParamChange(trx, row.seq, id, params);
      }
      await this.audit.record(trx, ctx, {
        action: 'run.log_params',
        resourceType: 'run',
        resourceId: id,
        after: params,
      });
      return loadRun(trx, id);
    });
  }

  /** Sets tags (upsert); a null value removes the tag. */
  async setTags(
    ctx: RequestContext,
    id: string,
    input: Readonly<Record<string, string | null>>,
  ): Promise<Run> {
    checkEntryCount('tag', input);
    const changes = Object.entries(input);
    for (const [key, value] of changes) {
      checkKey('tag', key);
      if (value !== null) checkValue('tag', key, value);
    }
    return mutate(this.database, ctx, async (trx) => {
      const row = await lockRunRow(trx, id);
      const before = await loadRun(trx, id);
      for (const [key, value] of changes) {
        if (value === null) {
          await trx.deleteFrom('run_tags').where('run_seq', '=', row.seq).where('key', '=', key).execute();
        } else {
          await trx
            .insertInto('run_tags')
            .values({ run_seq: row.seq, key, value })
            .onConflict((oc) => oc.columns(['run_seq', 'key']).doUpdateSet({ value }))
            .execute();
        }
      }
      const after = await loadRun(trx, id);
      await this.audit.record(trx, ctx, {
        action: 'run.set_tags',
        resourceType: 'run',
        resourceId: id,
        before: before.tags,
        after: after.tags,
      });
      return after;
    });
  }
}

async function assertNoParamChange(
  trx: Tx,
  seq: number,
  runId: string,
  params: Readonly<Record<string, string>>,
): Promise<void> {
  const existing = await trx
    .selectFrom('run_params')
    .select(['key', 'value'])
    .where('run_seq', '=', seq)
    .where('key', 'in', Object.keys(params))
    .execute();
  const conflicts = existing.filter((row) => row.value !== params[row.key]);
  if (conflicts.length === 0) return;
  const first = conflicts[0]!;
  throw new ConflictError(
    'PARAM_IMMUTABLE',
    `param '${first.key}' of run ${runId} is already '${first.value}'; params cannot change (tried '${params[first.key]}')`,
    { conflicts: conflicts.map((row) => ({ key: row.key, current: row.value, attempted: params[row.key] })) },
  );
}

async function insertKeyValues(
  trx: Executor,
  table: 'run_params' | 'run_tags',
  seq: number,
  values: Readonly<Record<string, string>>,
): Promise<void> {
  const rows = Object.entries(values).map(([key, value]) => ({ run_seq: seq, key, value }));
  if (rows.length === 0) return;
  await trx
    .insertInto(table)
    .values(rows)
    .onConflict((oc) => oc.columns(['run_seq', 'key']).doNothing())
    .execute();
}

function normaliseParams(input: Readonly<Record<string, ParamValue>>): Record<string, string> {
  checkEntryCount('param', input);
  const params: Record<string, string> = {};
  for (const [key, raw] of Object.entries(input)) {
    checkKey('param', key);
    const value = paramToString(raw);
    checkValue('param', key, value);
    params[key] = value;
  }
  return params;
}

function normaliseTags(input: Readonly<Record<string, string>>): Record<string, string> {
  checkEntryCount('tag', input);
  for (const [key, value] of Object.entries(input)) {
    checkKey('tag', key);
    checkValue('tag', key, value);
  }
  return { ...input };
}

function checkRunName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > MAX_RUN_NAME) {
    throw new InvalidError(`run name must be 1 to ${MAX_RUN_NAME} characters, got '${name}'`, {
      field: 'name',
    });
  }
  return trimmed;
}

function summary(run: Run): Record<string, unknown> {
  return {
    experimentId: run.experimentId,
    name: run.name,
    status: run.status,
    params: run.params,
    tags: run.tags,
  };
}

function pick(run: Run): Record<string, unknown> {
  return { name: run.name, status: run.status, endTime: run.endTime ?? null };
}
