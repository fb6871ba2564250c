/**
 * Runs AutoML jobs one at a time in this process: claims a queued (or interrupted) job, runs the
 * search with each trial as a child run and its outcome kept so a restart does not redo it, then
 * stores the refit model in the job's run and, when asked, registers it with its card. Cancellation
 * (here or from another replica, seen after each trial) and shutdown both abort the search; only
 * shutdown leaves the job to be resumed.
 */
import { Readable } from 'node:stream';
import type { RequestContext } from '../core/context.js';
import { SlipwayError } from '../core/errors.js';
import { loadDatasetVersion } from '../data/index.js';
import { type AutomlProgress, type AutomlResult, runAutoml, type TrialOutcome } from './automl/index.js';
import { automlCard } from './automl-card.js';
import type { AutomlJob, AutomlJobResult, AutomlJobStatus, LeaderboardEntry } from './automl-job.js';
import { toAutomlJob } from './automl-job.js';
import { endTrialRun, endTrialRuns, startTrialRun } from './automl-runs.js';
import type { TrainingDeps } from './automl-service.js';
import { loadTrainingTable, type TrainingTable } from './dataset-table.js';

/** Where the refit model goes in the job's run. */
export const MODEL_ARTIFACT = 'model/model.onnx';
const LEADERBOARD_ARTIFACT = 'automl/leaderboard.json';

const RUN_STATUS = { succeeded: 'finished', failed: 'failed', cancelled: 'killed' } as const;

const CANCELLED = new Error('the AutoML job was cancelled');
const SHUTDOWN = new Error('the server is stopping; the AutoML job resumes on the next start');

export class AutomlRunner {
  private readonly queue: string[] = [];
  private readonly preloaded = new Map<string, TrainingTable>();
  private current: { id: string; controller: AbortController; done: Promise<void> } | undefined;
  private closing = false;

  constructor(private readonly deps: TrainingDeps) {}

  /** `loaded` saves reading the data again when the job was just started here. */
  enqueue(id: string, loaded?: TrainingTable): void {
    if (loaded !== undefined) this.preloaded.set(id, loaded);
    if (this.current?.id !== id && !this.queue.includes(id)) this.queue.push(id);
    this.pump();
  }

  async cancel(id: string): Promise<void> {
    const queued = this.queue.indexOf(id);
    if (queued >= 0) this.queue.splice(queued, 1);
    // A queued job is cancelled at once, wherever it was queued; a running one by its runner.
    const job = await this.claim(id, 'queued', 'cancelled');
    if (job !== undefined) await this.finish(job, 'cancelled', {});
    if (this.current?.id === id) {
      this.current.controller.abort(CANCELLED);
      await this.current.done;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.queue.length = 0;
    this.current?.controller.abort(SHUTDOWN);
    await this.current?.done;
  }

  private pump(): void {
    if (this.closing || this.current !== undefined) return;
    const id = this.queue.shift();
    if (id === undefined) return;
    const controller = new AbortController();
    const done = this.execute(id, controller)
      .catch((error: unknown) =>
        this.deps.logger?.error({ err: error, job: id }, 'AutoML job bookkeeping failed'),
      )
      .finally(() => {
        this.current = undefined;
        this.preloaded.delete(id);
        this.pump();
      });
    this.current = { id, controller, done };
  }

  /** Moves a job from one state to another if it is still in the first; undefined if it was not. */
  private async claim(
    id: string,
    from: AutomlJobStatus,
    to: AutomlJobStatus,
  ): Promise<AutomlJob | undefined> {
    const now = this.deps.clock.now();
    const { db } = this.deps.database;
    const updated = await db
      .updateTable('automl_jobs')
      .set((eb) => ({
        status: to,
        updated_at: now,
        started_at: to === 'running' ? eb.fn.coalesce('started_at', eb.val(now)) : eb.ref('started_at'),
      }))
      .where('id', '=', id)
      .where('status', '=', from)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return undefined;
    return toAutomlJob(
      await db.selectFrom('automl_jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    );
  }

  private async execute(id: string, controller: AbortController): Promise<void> {
    const job = (await this.claim(id, 'queued', 'running')) ?? (await this.claim(id, 'running', 'running'));
    if (job === undefined) return;
    const ctx = contextOf(job);
    if (job.cancelRequested) {
      await this.finish(job, 'cancelled', {});
      return;
    }
    let progress = job.progress;
    const parent = { run: job.run, experiment: job.spec.experiment, job: job.id };
    try {
      const loaded = this.preloaded.get(id) ?? (await this.load(job));
      const kept = await this.deps.database.db
        .selectFrom('automl_trials')
        .selectAll()
        .where('job_id', '=', id)
        .execute();
      const finished = new Map(
        kept.map((row) => [Number(row.trial), JSON.parse(row.outcome) as TrialOutcome]),
      );
      const runs = new Map(kept.map((row) => [Number(row.trial), row.run_id]));
      for (const [trial, run] of runs) {
        if ((await this.deps.tracking.runs.get(run)).status === 'running') {
          await endTrialRun(this.deps.tracking, ctx, run, finished.get(trial)!);
        }
      }
      await endTrialRuns(this.deps.tracking, ctx, parent, 'failed', 'interrupted by a server restart');
      const result = await runAutoml(loaded.table, loaded.target, job.spec.options, {
        finished,
        signal: controller.signal,
        onTrialStart: async (plan) => {
          runs.set(plan.id, await startTrialRun(this.deps.tracking, ctx, parent, plan));
        },
        onTrialEnd: async (outcome, now) => {
          // A trial stopped by shutdown did not fail: left running, it is run anew on resume.
          if (controller.signal.reason === SHUTDOWN) return;
          progress = now;
          const run = runs.get(outcome.id);
          if (run === undefined) return;
          // Kept first: a kill between the two leaves a kept trial whose run resume() ends.
          const cancelRequested = await this.recordTrial(id, run, outcome, now);
          await endTrialRun(this.deps.tracking, ctx, run, outcome);
          if (cancelRequested) controller.abort(CANCELLED);
        },
      });
      await this.complete(ctx, job, loaded, result, runs, progress);
    } catch (error) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
      if (reason === SHUTDOWN) return;
      if (reason === CANCELLED) {
        await endTrialRuns(this.deps.tracking, ctx, parent, 'killed', 'the AutoML job was cancelled');
        await this.finish(job, 'cancelled', { progress });
        return;
      }
      const failure =
        error instanceof SlipwayError
          ? { code: error.code, message: error.message }
          : { code: 'TRAINING_FAILED', message: error instanceof Error ? error.message : String(error) };
      await endTrialRuns(
        this.deps.tracking,
        ctx,
        parent,
        'failed',
        `the AutoML job failed: ${failure.message}`,
      );
      await this.finish(job, 'failed', { progress, error: failure });
    }
  }

  private async load(job: AutomlJob): Promise<TrainingTable> {
    const { version } = await loadDatasetVersion(this.deps.database.db, job.spec.dataset, 'dataset');
    return loadTrainingTable(this.deps.datasets.engine, version, {
      target: job.spec.target,
      task: job.spec.options.task,
      exclude: job.spec.exclude,
    });
  }

  /** Keeps a finished trial and the progress; answers whether a cancel was requested meanwhile. */
  private async recordTrial(
    id: string,
    run: string,
    outcome: TrialOutcome,
    progress: AutomlProgress,
  ): Promise<boolean> {
    return this.deps.database.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('automl_trials')
        .values({ job_id: id, trial: outcome.id, run_id: run, outcome: JSON.stringify(outcome) })
        .execute();
      await trx
        .updateTable('automl_jobs')
        .set({ progress: JSON.stringify(progress), updated_at: this.deps.clock.now() })
        .where('id', '=', id)
        .execute();
      const row = await trx
        .selectFrom('automl_jobs')
        .select('cancel_requested')
        .where('id', '=', id)
        .executeTakeFirst();
      return Number(row?.cancel_requested ?? 0) === 1;
    });
  }

  private async complete(
    ctx: RequestContext,
    job: AutomlJob,
    loaded: TrainingTable,
    result: AutomlResult,
    runs: ReadonlyMap<number, string>,
    progress: AutomlProgress,
  ): Promise<void> {
    const { tracking, registry } = this.deps;
    const metric = job.spec.options.metric;
    const leaderboard: LeaderboardEntry[] = result.leaderboard.map((outcome, index) => ({
      rank: index + 1,
      trial: outcome.id,
      ...(runs.has(outcome.id) ? { run: runs.get(outcome.id)! } : {}),
      family: outcome.family,
      params: outcome.params,
      score: outcome.score ?? Number.NaN,
      std: outcome.metrics[metric]?.std ?? Number.NaN,
      ...(outcome.rung === undefined ? {} : { rung: outcome.rung }),
    }));
    await tracking.artifacts.put(ctx, job.run, MODEL_ARTIFACT, Readable.from([Buffer.from(result.onnx)]));
    await tracking.artifacts.put(
      ctx,
      job.run,
      LEADERBOARD_ARTIFACT,
      Readable.from([Buffer.from(JSON.stringify(leaderboard, null, 2))]),
    );
    const best = leaderboard[0]!;
    await tracking.metrics.logBatch(ctx, job.run, {
      metrics: [
        ...Object.entries(result.holdout.metrics).map(([key, value]) => ({ key: `holdout/${key}`, value })),
        { key: `cv/${metric}`, value: best.score },
        { key: `cv/${metric}_std`, value: best.std },
      ],
    });
    await tracking.runs.setTags(ctx, job.run, {
      'slipway.automl.best_trial': String(best.trial),
      ...(best.run === undefined ? {} : { 'slipway.automl.best_run': best.run }),
    });
    const summary: AutomlJobResult = {
      best,
      leaderboard,
      holdout: result.holdout,
      trainRows: result.trainRows,
      stoppedBy: result.stoppedBy,
      artifact: `runs/${job.run}/artifacts/${MODEL_ARTIFACT}`,
      ignoredColumns: loaded.ignored,
      droppedRows: loaded.droppedRows,
    };
    let modelVersion: string | undefined;
    if (job.spec.register !== undefined) {
      const version = await registry.versions.registerFromSource(ctx, job.spec.register, {
        source: summary.artifact,
        run: job.run,
        datasets: [{ ref: job.spec.dataset, role: 'train' }],
        metrics: { ...result.holdout.metrics, [`cv_${metric}`]: best.score },
        description: `AutoML ${best.family} predicting '${job.spec.target}' from ${job.spec.dataset}`,
        features: result.features,
        ...(result.classes === undefined ? {} : { classes: result.classes }),
        tags: { 'slipway.automl.job': job.id },
        card: automlCard(job.spec, summary, progress),
      });
      modelVersion = `${version.model}@${version.version}`;
    }
    await this.finish(job, 'succeeded', {
      progress,
      result: { ...summary, ...(modelVersion === undefined ? {} : { modelVersion }) },
    });
  }

  /** Ends the job and, with it, its run (finished, failed or killed). */
  private async finish(
    job: AutomlJob,
    status: 'succeeded' | 'failed' | 'cancelled',
    outcome: {
      progress?: AutomlProgress;
      result?: AutomlJobResult;
      error?: { code: string; message: string };
    },
  ): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.database.db
      .updateTable('automl_jobs')
      .set({
        status,
        ...(outcome.progress === undefined ? {} : { progress: JSON.stringify(outcome.progress) }),
        ...(outcome.result === undefined ? {} : { result: JSON.stringify(outcome.result) }),
        ...(outcome.error === undefined ? {} : { error: JSON.stringify(outcome.error) }),
        finished_at: now,
        updated_at: now,
      })
      .where('id', '=', job.id)
      .execute();
    await this.deps.tracking.runs.update(contextOf(job), job.run, { status: RUN_STATUS[status] });
  }
}

/** Background work acts for whoever started the job; the job id ties its audit events together. */
function contextOf(job: AutomlJob): RequestContext {
  return { actor: { name: job.createdBy, role: 'editor' }, requestId: job.id };
}
