/**
 * Pipelines and their versions: `apply` validates a definition with the code that came with it and
 * keeps it as a new immutable version, unless it equals the latest (same definition, same code),
 * which is answered as it is: applying twice is harmless, as `kubectl apply` users expect.
 */
import { createHash } from 'node:crypto';
import type { AuditLog } from '../auth/index.js';
import { type Clock, toIso } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import { InvalidError, NotFoundError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { normaliseName } from '../core/names.js';
import type { Page, PageRequest } from '../core/pagination.js';
import {
  type Database,
  type Executor,
  highestFirstPage,
  mutate,
  newestFirstPage,
  recordBlobs,
  whereNameContains,
} from '../store/index.js';
import {
  canonicalJson,
  type JsonValue,
  type Pipeline,
  parsePipeline,
  toPipelineSpec,
} from './definition/index.js';
import {
  type PipelineCode,
  type PipelineInfo,
  type PipelineVersionInfo,
  toPipelineInfo,
  toPipelineVersionInfo,
} from './entities.js';
import { NEVER, syncSchedules } from './schedules/schedule-rows.js';

export interface ApplyInput {
  /** The definition in its written form (YAML parsed to an object, or a definePipeline spec). */
  readonly spec: unknown;
  /** The file it came from (base name), for `show`; 'api' when posted as JSON. */
  readonly source?: string;
  readonly code?: PipelineCode;
}

export interface ApplyResult {
  readonly pipeline: PipelineInfo;
  readonly version: PipelineVersionInfo;
  /** False when the definition and code equal the latest version's. */
  readonly created: boolean;
}

export interface ScheduleInfo {
  readonly pipeline: string;
  readonly cron: string;
  readonly timezone: string;
  readonly params: Readonly<Record<string, JsonValue>>;
  /** Absent when the expression never fires again. */
  readonly nextFireAt?: string;
  readonly lastFireAt?: string;
  readonly lastRun?: string;
}

export interface TriggerInfo {
  readonly pipeline: string;
  readonly dataset: string;
  readonly param?: string;
  readonly params: Readonly<Record<string, JsonValue>>;
  readonly lastFireAt?: string;
  readonly lastRun?: string;
}

export interface PipelineSchedules {
  readonly schedules: readonly ScheduleInfo[];
  readonly triggers: readonly TriggerInfo[];
}

export interface ListPipelinesInput extends PageRequest {
  readonly nameContains?: string;
}

export class PipelineService {
  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async apply(ctx: RequestContext, input: ApplyInput): Promise<ApplyResult> {
    const pipeline = parsePipeline(input.spec);
    const code: PipelineCode = input.code ?? { bundles: {}, files: {} };
    checkCode(pipeline, code);
    const spec = toPipelineSpec(pipeline);
    const digest = createHash('sha256').update(canonicalJson({ pipeline, code })).digest('hex');
    const source = input.source ?? 'api';
    return mutate(this.database, ctx, async (trx) => {
      const now = this.clock.now();
      const existing = await trx
        .selectFrom('pipelines')
        .selectAll()
        .where('name', '=', pipeline.name)
        .executeTakeFirst();
      if (existing !== undefined) {
        const latest = await trx
          .selectFrom('pipeline_versions')
          .selectAll()
          .where('pipeline_id', '=', existing.id)
          .where('version', '=', existing.latest_version)
          .executeTakeFirstOrThrow();
        if (latest.digest === digest) {
          return {
            pipeline: toPipelineInfo(existing),
            version: toPipelineVersionInfo(existing.name, latest),
            created: false,
          };
        }
      }
      const version = existing === undefined ? 1 : Number(existing.latest_version) + 1;
      const row = existing ?? {
        id: newId(now),
        name: pipeline.name,
        description: pipeline.description ?? '',
        latest_version: version,
        created_by: ctx.actor.name,
        created_at: now,
        updated_by: ctx.actor.name,
        updated_at: now,
      };
      if (existing === undefined) await trx.insertInto('pipelines').values(row).execute();
      else
        await trx
          .updateTable('pipelines')
          .set({
            latest_version: version,
            description: pipeline.description ?? '',
            updated_by: ctx.actor.name,
            updated_at: now,
          })
          .where('id', '=', row.id)
          .execute();
      const versionRow = {
        pipeline_id: row.id,
        version,
        digest,
        spec: JSON.stringify(spec),
        code: JSON.stringify(code),
        source,
        created_by: ctx.actor.name,
        created_at: now,
      };
      await trx.insertInto('pipeline_versions').values(versionRow).execute();
      await recordBlobs(trx, [...Object.values(code.bundles), ...Object.values(code.files)], now);
      await syncSchedules(trx, row.id, pipeline, now);
      await this.audit.record(trx, ctx, {
        action: 'pipeline.apply',
        resourceType: 'pipeline',
        resourceId: pipeline.name,
        after: { version, digest, steps: pipeline.steps.length, source },
      });
      const updated = await trx
        .selectFrom('pipelines')
        .selectAll()
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow();
      return {
        pipeline: toPipelineInfo(updated),
        version: toPipelineVersionInfo(pipeline.name, versionRow),
        created: true,
      };
    });
  }

  async get(name: string): Promise<PipelineInfo> {
    return toPipelineInfo(await findPipeline(this.database.db, name));
  }

  async list(input: ListPipelinesInput = {}): Promise<Page<PipelineInfo>> {
    const select = whereNameContains(
      this.database.db.selectFrom('pipelines').selectAll(),
      input.nameContains,
    );
    return newestFirstPage(select, input, `pipelines:${input.nameContains ?? ''}`, toPipelineInfo);
  }

  /** A version (default: the latest). */
  async version(name: string, version?: number): Promise<PipelineVersionInfo> {
    const row = await findVersionRow(this.database.db, name, version);
    return toPipelineVersionInfo(row.name, row);
  }

  async versions(name: string, page: PageRequest = {}): Promise<Page<PipelineVersionInfo>> {
    const pipeline = await findPipeline(this.database.db, name);
    const select = this.database.db
      .selectFrom('pipeline_versions')
      .selectAll()
      .where('pipeline_id', '=', pipeline.id);
    return highestFirstPage(
      select,
      'version',
      page,
      `pipeline-versions:${pipeline.id}`,
      (row) => Number(row.version),
      (row) => toPipelineVersionInfo(pipeline.name, row),
    );
  }

  /** Schedules and dataset triggers, of one pipeline or of all, with when they fire next and last. */
  async schedules(name?: string): Promise<PipelineSchedules> {
    const { db } = this.database;
    const pipeline = name === undefined ? undefined : await findPipeline(db, name);
    let schedules = db
      .selectFrom('pipeline_schedules')
      .innerJoin('pipelines', 'pipelines.id', 'pipeline_schedules.pipeline_id')
      .selectAll('pipeline_schedules')
      .select('pipelines.name as pipeline_name');
    let triggers = db
      .selectFrom('pipeline_triggers')
      .innerJoin('pipelines', 'pipelines.id', 'pipeline_triggers.pipeline_id')
      .selectAll('pipeline_triggers')
      .select('pipelines.name as pipeline_name');
    if (pipeline !== undefined) {
      schedules = schedules.where('pipeline_schedules.pipeline_id', '=', pipeline.id);
      triggers = triggers.where('pipeline_triggers.pipeline_id', '=', pipeline.id);
    }
    const iso = (value: number | null) => (value === null ? {} : { at: toIso(Number(value)) });
    return {
      schedules: (await schedules.orderBy('pipelines.name').orderBy('position').execute()).map((row) => ({
        pipeline: row.pipeline_name,
        cron: row.cron,
        timezone: row.timezone,
        params: JSON.parse(row.params) as Record<string, JsonValue>,
        ...(Number(row.next_fire_at) >= NEVER ? {} : { nextFireAt: toIso(Number(row.next_fire_at)) }),
        ...(row.last_fire_at === null ? {} : { lastFireAt: iso(row.last_fire_at).at }),
        ...(row.last_run_id === null ? {} : { lastRun: row.last_run_id }),
      })),
      triggers: (await triggers.orderBy('pipelines.name').orderBy('position').execute()).map((row) => ({
        pipeline: row.pipeline_name,
        dataset: row.dataset,
        ...(row.param === null ? {} : { param: row.param }),
        params: JSON.parse(row.params) as Record<string, JsonValue>,
        ...(row.last_fire_at === null ? {} : { lastFireAt: iso(row.last_fire_at).at }),
        ...(row.last_run_id === null ? {} : { lastRun: row.last_run_id }),
      })),
    };
  }
}

/** A pipeline's version row (default: its latest) with the pipeline's name. */
export async function findVersionRow(executor: Executor, name: string, version?: number) {
  const pipeline = await findPipeline(executor, name);
  const wanted = version ?? Number(pipeline.latest_version);
  const row = await executor
    .selectFrom('pipeline_versions')
    .selectAll()
    .where('pipeline_id', '=', pipeline.id)
    .where('version', '=', wanted)
    .executeTakeFirst();
  if (row === undefined) {
    throw new NotFoundError(
      'PIPELINE_VERSION_NOT_FOUND',
      `pipeline '${pipeline.name}' has no version ${wanted}`,
      {
        field: 'version',
        pipeline: pipeline.name,
        version: wanted,
      },
    );
  }
  return { ...row, name: pipeline.name };
}

export async function findPipeline(executor: Executor, rawName: string) {
  const name = normaliseName('pipeline', rawName);
  const row = await executor.selectFrom('pipelines').selectAll().where('name', '=', name).executeTakeFirst();
  if (row === undefined) {
    throw new NotFoundError('PIPELINE_NOT_FOUND', `pipeline '${name}' does not exist`, { pipeline: name });
  }
  return row;
}

/** Every fn step must come with its bundle, holding the export it names. */
function checkCode(pipeline: Pipeline, code: PipelineCode): void {
  const problems: string[] = [];
  for (const step of pipeline.steps) {
    if (step.kind !== 'fn') continue;
    const bundle = code.bundles[step.name];
    if (bundle === undefined) {
      problems.push(
        `steps.${step.name}: no code came with this fn step; apply the pipeline from its file with 'slipway pipelines apply <file>' so its module is bundled`,
      );
    } else if (!bundle.exports.includes(step.export)) {
      problems.push(
        `steps.${step.name}.export: '${step.export}' is not exported by ${step.module} (it exports ${bundle.exports.join(', ') || 'nothing'})`,
      );
    }
  }
  if (problems.length > 0) {
    throw new InvalidError(problems.join('; '), { field: 'steps', problems });
  }
}
