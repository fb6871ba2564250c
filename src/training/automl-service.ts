/**
 * AutoML jobs: start (every check and the data load happen before the job exists, so bad input is a
 * 400 and leaves nothing behind), follow, list and cancel; and the in-process queue that runs them
 * one at a time (a search already keeps every core busy). Jobs left queued or running by a stopped
 * server are picked up again by `resume()`.
 */
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { RequestContext } from '../core/context.js';
import { InvalidError, NotFoundError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import { normaliseName } from '../core/names.js';
import type { Page, PageRequest } from '../core/pagination.js';
import { type Datasets, loadDatasetVersion, type RunInputService } from '../data/index.js';
import type { Registry } from '../registry/index.js';
import { type Database, mutate, newestFirstPage } from '../store/index.js';
import type { Tracking } from '../tracking/index.js';
import {
  checkTrainingData,
  type MetricName,
  parseSearchSpace,
  resolveAutomlOptions,
  type Strategy,
  type Task,
} from './automl/index.js';
import {
  type AutomlJob,
  type AutomlJobSpec,
  type AutomlJobStatus,
  initialProgress,
  isFinished,
  toAutomlJob,
} from './automl-job.js';
import { AutomlRunner } from './automl-runner.js';
import { ensureExperiment } from './automl-runs.js';
import { loadTrainingTable, type TrainingTable } from './dataset-table.js';

export interface TrainingDeps {
  readonly database: Database;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly tracking: Tracking;
  readonly datasets: Datasets;
  readonly registry: Registry;
  readonly runInputs: RunInputService;
  readonly logger?: Logger;
}

export interface StartAutomlInput {
  /** `churn@3`, or a bare name for the latest version. */
  readonly dataset: string;
  readonly target: string;
  readonly task?: Task;
  readonly metric?: MetricName;
  readonly strategy?: Strategy;
  readonly maxTrials?: number;
  readonly timeBudgetSeconds?: number;
  readonly folds?: number;
  readonly holdoutFraction?: number;
  readonly seed?: number;
  /** Replaces the default search space (a parsed JSON/YAML object; see the README). */
  readonly searchSpace?: unknown;
  /** Columns not to learn from. */
  readonly exclude?: readonly string[];
  /** Register the refit best model as a new version of this model. */
  readonly register?: string;
  /** Experiment of the AutoML run and its trials (default `automl-<dataset>`). */
  readonly experiment?: string;
  readonly parallelism?: number;
}

export interface ListAutomlJobsInput extends PageRequest {
  readonly status?: AutomlJobStatus;
}

export class AutomlService {
  private readonly runner: AutomlRunner;

  constructor(private readonly deps: TrainingDeps) {
    this.runner = new AutomlRunner(deps);
  }

  async start(ctx: RequestContext, input: StartAutomlInput): Promise<AutomlJob> {
    const { version } = await loadDatasetVersion(this.deps.database.db, input.dataset, 'dataset');
    const dataset = `${version.dataset}@${version.version}`;
    const register = input.register === undefined ? undefined : normaliseName('register', input.register);
    const experiment = normaliseName('experiment', input.experiment ?? `automl-${version.dataset}`);
    const loaded: TrainingTable = await loadTrainingTable(this.deps.datasets.engine, version, {
      target: input.target,
      ...(input.task === undefined ? {} : { task: input.task }),
      ...(input.exclude === undefined ? {} : { exclude: input.exclude }),
    });
    const options = inApiTerms(() => {
      const resolved = resolveAutomlOptions(
        {
          task: loaded.task,
          ...definedOnly({
            metric: input.metric,
            strategy: input.strategy,
            maxTrials: input.maxTrials,
            timeBudgetMs: input.timeBudgetSeconds === undefined ? undefined : input.timeBudgetSeconds * 1000,
            folds: input.folds,
            holdoutFraction: input.holdoutFraction,
            seed: input.seed,
            parallelism: input.parallelism,
          }),
          ...(input.searchSpace === undefined
            ? {}
            : { searchSpace: parseSearchSpace(input.searchSpace, loaded.task) }),
        },
        { rows: loaded.table.rows },
      );
      checkTrainingData(loaded.table, loaded.target, resolved);
      return resolved;
    });
    const spec: AutomlJobSpec = {
      dataset,
      target: input.target,
      exclude: input.exclude ?? [],
      options,
      ...(register === undefined ? {} : { register }),
      experiment,
    };
    await ensureExperiment(this.deps.tracking, ctx, experiment);
    const run = await this.deps.tracking.runs.create(ctx, {
      experiment,
      name: `automl-${version.dataset}-${input.target}`,
      params: {
        dataset,
        target: input.target,
        task: options.task,
        metric: options.metric,
        strategy: options.strategy,
        folds: options.folds,
        max_trials: options.maxTrials,
        time_budget_s: options.timeBudgetMs / 1000,
        holdout_fraction: options.holdoutFraction,
        seed: options.seed,
      },
      tags: { 'slipway.automl': 'true' },
    });
    // The run exists before its job: should recording the job fail, the run ends failed, not running.
    let job: AutomlJob;
    try {
      await this.deps.runInputs.log(ctx, run.id, [dataset]);
      const now = this.deps.clock.now();
      job = await mutate(this.deps.database, ctx, async (trx) => {
        const row = {
          id: newId(now),
          status: 'queued' as const,
          dataset,
          target: input.target,
          spec: JSON.stringify(spec),
          run_id: run.id,
          progress: JSON.stringify(initialProgress(options)),
          result: null,
          error: null,
          cancel_requested: 0,
          created_by: ctx.actor.name,
          created_at: now,
          started_at: null,
          finished_at: null,
          updated_at: now,
        };
        await trx.insertInto('automl_jobs').values(row).execute();
        await this.deps.audit.record(trx, ctx, {
          action: 'automl.start',
          resourceType: 'automl_job',
          resourceId: row.id,
          after: {
            dataset,
            target: input.target,
            run: run.id,
            ...(register === undefined ? {} : { register }),
          },
        });
        return toAutomlJob(row);
      });
    } catch (error) {
      await this.deps.tracking.runs.update(ctx, run.id, { status: 'failed' }).catch(() => {});
      throw error;
    }
    this.runner.enqueue(job.id, loaded);
    return job;
  }

  async get(id: string): Promise<AutomlJob> {
    const row = await this.deps.database.db
      .selectFrom('automl_jobs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (row === undefined) {
      throw new NotFoundError('AUTOML_JOB_NOT_FOUND', `AutoML job '${id}' does not exist`, { id });
    }
    return toAutomlJob(row);
  }

  list(input: ListAutomlJobsInput = {}): Promise<Page<AutomlJob>> {
    let select = this.deps.database.db.selectFrom('automl_jobs').selectAll();
    if (input.status !== undefined) select = select.where('status', '=', input.status);
    return newestFirstPage(select, input, `automl:${input.status ?? ''}`, toAutomlJob);
  }

  /** Stops a queued or running job; a finished job is answered as it is. */
  async cancel(ctx: RequestContext, id: string): Promise<AutomlJob> {
    const job = await this.get(id);
    if (isFinished(job.status)) return job;
    await mutate(this.deps.database, ctx, async (trx) => {
      await trx
        .updateTable('automl_jobs')
        .set({ cancel_requested: 1, updated_at: this.deps.clock.now() })
        .where('id', '=', id)
        .execute();
      await this.deps.audit.record(trx, ctx, {
        action: 'automl.cancel',
        resourceType: 'automl_job',
        resourceId: id,
      });
    });
    await this.runner.cancel(id);
    return this.get(id);
  }

  /** Queues the jobs a stopped server left queued or running. */
  async resume(): Promise<void> {
    const rows = await this.deps.database.db
      .selectFrom('automl_jobs')
      .select('id')
      .where('status', 'in', ['queued', 'running'])
      .orderBy('id')
      .execute();
    for (const row of rows) this.runner.enqueue(row.id);
  }

  /** Stops the running search (it resumes on the next start) and waits for it to let go. */
  close(): Promise<void> {
    return this.runner.close();
  }
}

function definedOnly<T extends Record<string, unknown>>(
  values: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

/** The API takes the time budget in seconds; the engine's checks name it in milliseconds. */
function inApiTerms<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof InvalidError && error.details.field === 'timeBudgetMs') {
      throw new InvalidError(error.message, { ...error.details, field: 'timeBudgetSeconds' }, error.code);
    }
    throw error;
  }
}
