/**
 * Pipeline runs: start one (params checked against the version's declarations before anything is
 * written), follow it, list, cancel, retry (a new run that reuses the steps that succeeded, except
 * from a named step on), and read its steps' logs. Each run is a tracking run too.
 */
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import { ConflictError, InvalidError, NotFoundError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Page, PageRequest } from '../core/pagination.js';
import { type Database, mutate, newestFirstPage, type PipelineStepRow } from '../store/index.js';
import type { Tracking } from '../tracking/index.js';
import { downstreamOf, type JsonValue, parsePipeline } from './definition/index.js';
import type { PipelineEngine } from './engine/engine.js';
import {
  type ExecutorName,
  isRunFinished,
  isStepDone,
  type PipelineRunInfo,
  type PipelineRunStatus,
  type RunTrigger,
  toPipelineRunInfo,
} from './entities.js';
import { resolveRunParams } from './params.js';
import { findPipeline, findVersionRow } from './pipeline-service.js';
import { ensureExperiment } from './tracking-run.js';

export interface StartRunInput {
  readonly pipeline: string;
  /** Default: the latest version. */
  readonly version?: number;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly executor?: ExecutorName;
  /** False bypasses the cache for every step (`--no-cache`). */
  readonly useCache?: boolean;
  readonly trigger?: RunTrigger;
}

export interface ListRunsInput extends PageRequest {
  readonly pipeline?: string;
  readonly status?: PipelineRunStatus;
}

export interface LogChunk {
  readonly step: string;
  readonly item?: number;
  readonly seq: number;
  readonly at: string;
  readonly text: string;
}

export interface LogsInput {
  readonly step?: string;
  readonly item?: number;
  /** Only chunks after this one (of the step named); for following a log. */
  readonly afterSeq?: number;
}

const MAX_LOG_CHUNKS = 10_000;

export class PipelineRunService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly tracking: Tracking,
    private readonly engine: PipelineEngine,
    private readonly owner: string,
    private readonly leaseMs: number,
    private readonly executors: ReadonlySet<ExecutorName>,
  ) {}

  async start(ctx: RequestContext, input: StartRunInput): Promise<PipelineRunInfo> {
    return this.create(ctx, input, []);
  }

  async get(id: string): Promise<PipelineRunInfo> {
    const row = await this.database.db
      .selectFrom('pipeline_runs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (row === undefined) {
      throw new NotFoundError('PIPELINE_RUN_NOT_FOUND', `pipeline run '${id}' does not exist`, { id });
    }
    const pipeline = await this.database.db
      .selectFrom('pipelines')
      .select('name')
      .where('id', '=', row.pipeline_id)
      .executeTakeFirstOrThrow();
    const version = await this.database.db
      .selectFrom('pipeline_versions')
      .select('spec')
      .where('pipeline_id', '=', row.pipeline_id)
      .where('version', '=', row.version)
      .executeTakeFirstOrThrow();
    const order = new Map(
      (JSON.parse(version.spec) as { steps: { name: string }[] }).steps.map((step, index) => [
        step.name,
        index,
      ]),
    );
    const steps = await this.database.db
      .selectFrom('pipeline_steps')
      .selectAll()
      .where('pipeline_run_id', '=', id)
      .execute();
    steps.sort((a, b) => order.get(a.step)! - order.get(b.step)! || Number(a.item) - Number(b.item));
    return toPipelineRunInfo(pipeline.name, row, steps);
  }

  async list(input: ListRunsInput = {}): Promise<Page<PipelineRunInfo>> {
    const { db } = this.database;
    let select = db
      .selectFrom('pipeline_runs')
      .innerJoin('pipelines', 'pipelines.id', 'pipeline_runs.pipeline_id')
      .selectAll('pipeline_runs')
      .select('pipelines.name as pipeline_name');
    if (input.pipeline !== undefined) {
      const pipeline = await findPipeline(db, input.pipeline);
      select = select.where('pipeline_runs.pipeline_id', '=', pipeline.id);
    }
    if (input.status !== undefined) select = select.where('pipeline_runs.status', '=', input.status);
    return newestFirstPage(
      select,
      input,
      `pipeline-runs:${input.pipeline ?? ''}:${input.status ?? ''}`,
      (row) => toPipelineRunInfo(row.pipeline_name, row),
    );
  }

  /** Stops a queued or running run (its running steps are killed); a finished run is answered as it is. */
  async cancel(ctx: RequestContext, id: string): Promise<PipelineRunInfo> {
    const run = await this.get(id);
    if (isRunFinished(run.status)) return run;
    await mutate(this.database, ctx, async (trx) => {
      await trx
        .updateTable('pipeline_runs')
        .set({ cancel_requested: 1, updated_at: this.clock.now() })
        .where('id', '=', id)
        .execute();
      await this.audit.record(trx, ctx, {
        action: 'pipeline.cancel',
        resourceType: 'pipeline_run',
        resourceId: id,
      });
    });
    await this.engine.cancel(id);
    return this.get(id);
  }

  /**
   * A new run of the same version and params that reuses the outputs of every step that succeeded
   * (marked cached from the original), except `from` and everything downstream of it.
   */
  async retry(ctx: RequestContext, id: string, options: { from?: string } = {}): Promise<PipelineRunInfo> {
    const original = await this.get(id);
    if (!isRunFinished(original.status)) {
      throw new ConflictError(
        'PIPELINE_RUN_ACTIVE',
        `pipeline run '${id}' is still ${original.status}; cancel it or wait for it to finish`,
        {
          id,
          status: original.status,
        },
      );
    }
    const version = await findVersionRow(this.database.db, original.pipeline, original.version);
    const pipeline = parsePipeline(JSON.parse(version.spec));
    const redo = new Set<string>();
    if (options.from !== undefined) {
      if (!pipeline.steps.some((step) => step.name === options.from)) {
        throw new NotFoundError(
          'STEP_NOT_FOUND',
          `pipeline '${pipeline.name}' has no step '${options.from}'`,
          {
            field: 'from',
            step: options.from,
          },
        );
      }
      redo.add(options.from);
      for (const name of downstreamOf(pipeline, options.from)) redo.add(name);
    }
    const now = this.clock.now();
    const reused = (original.steps ?? []).filter(
      (step) => step.item === undefined && isStepDone(step.status) && !redo.has(step.step),
    );
    const reusedNames = new Set(reused.map((step) => step.step));
    return this.create(
      ctx,
      {
        pipeline: original.pipeline,
        version: original.version,
        params: original.params,
        executor: original.executor,
        useCache: original.useCache,
        trigger: { kind: 'retry', of: id, ...(options.from === undefined ? {} : { from: options.from }) },
      },
      pipeline.steps.map((step): Omit<PipelineStepRow, 'pipeline_run_id'> => {
        const earlier = reused.find((candidate) => candidate.step === step.name);
        return {
          step: step.name,
          item: -1,
          status: reusedNames.has(step.name) ? 'cached' : 'pending',
          attempt: 0,
          failures: 0,
          item_value: null,
          inputs: earlier?.inputs === undefined ? null : JSON.stringify(earlier.inputs),
          outputs: earlier?.outputs === undefined ? null : JSON.stringify(earlier.outputs),
          cache_key: earlier?.cacheKey ?? null,
          cached_from: earlier === undefined ? null : (earlier.cachedFrom ?? id),
          reason: null,
          error: null,
          retry_at: null,
          worker: null,
          started_at: earlier === undefined ? null : now,
          finished_at: earlier === undefined ? null : now,
          updated_at: now,
        };
      }),
    );
  }

  async logs(id: string, input: LogsInput = {}): Promise<{ chunks: LogChunk[] }> {
    const run = await this.get(id);
    let select = this.database.db.selectFrom('pipeline_logs').selectAll().where('pipeline_run_id', '=', id);
    if (input.step !== undefined) {
      if (!(run.steps ?? []).some((step) => step.step === input.step)) {
        throw new NotFoundError('STEP_NOT_FOUND', `pipeline run '${id}' has no step '${input.step}'`, {
          field: 'step',
          step: input.step,
        });
      }
      select = select.where('step', '=', input.step).where('item', '=', input.item ?? -1);
      if (input.afterSeq !== undefined) select = select.where('seq', '>', input.afterSeq);
      select = select.orderBy('seq');
    } else {
      if (input.afterSeq !== undefined || input.item !== undefined) {
        throw new InvalidError('afterSeq and item need a step', {
          field: input.item === undefined ? 'afterSeq' : 'item',
        });
      }
      select = select.orderBy('at').orderBy('step').orderBy('item').orderBy('seq');
    }
    const rows = await select.limit(MAX_LOG_CHUNKS).execute();
    return {
      chunks: rows.map((row) => ({
        step: row.step,
        ...(Number(row.item) < 0 ? {} : { item: Number(row.item) }),
        seq: Number(row.seq),
        at: new Date(Number(row.at)).toISOString(),
        text: row.text,
      })),
    };
  }

  private async create(
    ctx: RequestContext,
    input: StartRunInput,
    seeded: readonly Omit<PipelineStepRow, 'pipeline_run_id'>[],
  ): Promise<PipelineRunInfo> {
    const version = await findVersionRow(this.database.db, input.pipeline, input.version);
    const pipeline = parsePipeline(JSON.parse(version.spec));
    const params = resolveRunParams(pipeline, input.params ?? {});
    const executor = input.executor ?? 'local';
    if (!this.executors.has(executor)) {
      throw new InvalidError(
        executor === 'queue'
          ? "the 'queue' executor needs Redis: start the server with SLIPWAY_REDIS_URL set"
          : `executor must be one of ${[...this.executors].join(', ')}, got '${executor}'`,
        { field: 'executor', value: executor },
      );
    }
    const experiment = `pipeline-${pipeline.name}`;
    await ensureExperiment(this.tracking, ctx, experiment, `Runs of pipeline '${pipeline.name}'`);
    const now = this.clock.now();
    const id = newId(now);
    const trackingRun = await this.tracking.runs.create(ctx, {
      experiment,
      name: `${pipeline.name}-v${version.version}`,
      params: trackingParams(params),
      tags: {
        'slipway.pipeline': pipeline.name,
        'slipway.pipeline.version': String(version.version),
        'slipway.pipeline.run': id,
      },
    });
    const trigger = input.trigger ?? { kind: 'manual' };
    const row = {
      id,
      pipeline_id: version.pipeline_id,
      version: Number(version.version),
      status: 'queued' as const,
      params: JSON.stringify(params),
      executor,
      use_cache: input.useCache === false ? 0 : 1,
      trigger: JSON.stringify(trigger),
      tracking_run_id: trackingRun.id,
      error: null,
      cancel_requested: 0,
      owner: this.owner,
      lease_expires_at: now + this.leaseMs,
      created_by: ctx.actor.name,
      created_at: now,
      started_at: null,
      finished_at: null,
      updated_at: now,
    };
    try {
      await mutate(this.database, ctx, async (trx) => {
        await trx.insertInto('pipeline_runs').values(row).execute();
        if (seeded.length > 0) {
          await trx
            .insertInto('pipeline_steps')
            .values(seeded.map((step) => ({ ...step, pipeline_run_id: id })))
            .execute();
        }
        await this.audit.record(trx, ctx, {
          action: 'pipeline.run',
          resourceType: 'pipeline_run',
          resourceId: id,
          after: {
            pipeline: pipeline.name,
            version: row.version,
            params,
            executor,
            trigger,
            run: trackingRun.id,
          },
        });
      });
    } catch (error) {
      await this.tracking.runs.update(ctx, trackingRun.id, { status: 'failed' }).catch(() => {});
      throw error;
    }
    this.engine.drive(id);
    return toPipelineRunInfo(pipeline.name, row, []);
  }
}

/** Tracking params are scalars: lists and objects are kept as their JSON text. */
function trackingParams(
  params: Readonly<Record<string, JsonValue>>,
): Record<string, string | number | boolean> {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [
      name,
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? value
        : JSON.stringify(value),
    ]),
  );
}
