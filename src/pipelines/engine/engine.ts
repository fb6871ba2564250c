/**
 * The pipeline engine of one server: drives the runs it holds a lease on, renews those leases on a
 * heartbeat, notices cancels made on other replicas, and takes over runs whose lease has lapsed (a
 * server killed mid-run, or this one restarted), which then resume where their state says.
 */
import { type Pipeline, parsePipeline } from '../definition/index.js';
import type { PipelineCode } from '../entities.js';
import type { EngineDeps, EngineOptions } from './engine-deps.js';
import { RunDriver } from './run-driver.js';
import { RunRecorder } from './run-recorder.js';
import { Slots } from './semaphore.js';
import { StepStore } from './step-store.js';

export class PipelineEngine {
  private readonly drivers = new Map<string, RunDriver>();
  private readonly driving = new Map<string, Promise<void>>();
  private readonly slots: Slots;
  private readonly versions = new Map<string, { pipeline: Pipeline; code: PipelineCode }>();
  private heartbeat: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private closing = false;

  constructor(
    private readonly deps: EngineDeps,
    private readonly options: EngineOptions,
  ) {
    this.slots = new Slots(options.concurrency, () => {
      for (const driver of this.drivers.values()) driver.wake();
    });
  }

  /** Starts heartbeats, and with them the take-over of runs no live server holds. */
  start(): void {
    if (this.heartbeat !== undefined || this.closing) return;
    this.heartbeat = setInterval(() => void this.tick(), Math.max(100, Math.floor(this.options.leaseMs / 3)));
    this.heartbeat.unref();
    void this.tick();
  }

  /** Drives a run that was just created here (it already carries this server's lease). */
  drive(id: string): void {
    if (this.closing || this.driving.has(id)) return;
    const driving = this.take(id)
      .catch((error: unknown) =>
        this.deps.logger?.error({ err: error, run: id }, 'pipeline run could not be driven'),
      )
      .finally(() => {
        this.driving.delete(id);
        this.drivers.delete(id);
      });
    this.driving.set(id, driving);
  }

  /** Cancels a run driven here at once; one driven elsewhere is stopped by its server's heartbeat. */
  async cancel(id: string): Promise<void> {
    await this.drivers.get(id)?.stop('cancelled');
  }

  /** Resolves when this server is no longer driving the run. */
  async settled(id: string): Promise<void> {
    await this.driving.get(id);
  }

  /** Stops driving (runs stay running in the database) and lets go of the leases at once. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    await this.ticking;
    await Promise.all([...this.drivers.values()].map((driver) => driver.stop('shutdown')));
    await Promise.all(this.driving.values());
    await this.deps.database.db
      .updateTable('pipeline_runs')
      .set({ owner: null, lease_expires_at: null })
      .where('owner', '=', this.options.owner)
      .where('status', 'in', ['queued', 'running'])
      .execute();
    await Promise.all(Object.values(this.deps.executors).map((executor) => executor?.close()));
  }

  private tick(): Promise<void> {
    this.ticking ??= this.renewAndAdopt()
      .catch((error: unknown) => this.deps.logger?.warn({ err: error }, 'pipeline heartbeat failed'))
      .finally(() => {
        this.ticking = undefined;
      });
    return this.ticking;
  }

  private async renewAndAdopt(): Promise<void> {
    const { db } = this.deps.database;
    const now = this.deps.clock.now();
    const mine = [...this.drivers.keys()];
    if (mine.length > 0) {
      await db
        .updateTable('pipeline_runs')
        .set({ lease_expires_at: now + this.options.leaseMs })
        .where('owner', '=', this.options.owner)
        .where('id', 'in', mine)
        .execute();
      const rows = await db
        .selectFrom('pipeline_runs')
        .select(['id', 'owner', 'cancel_requested'])
        .where('id', 'in', mine)
        .execute();
      for (const row of rows) {
        const driver = this.drivers.get(row.id);
        if (row.owner !== this.options.owner) void driver?.stop('shutdown');
        else if (Number(row.cancel_requested) === 1) void driver?.stop('cancelled');
      }
    }
    if (this.closing) return;
    const orphans = await db
      .selectFrom('pipeline_runs')
      .select('id')
      .where('status', 'in', ['queued', 'running'])
      .where((eb) => eb.or([eb('owner', 'is', null), eb('lease_expires_at', '<', now)]))
      .orderBy('created_at')
      .limit(20)
      .execute();
    for (const { id } of orphans) this.drive(id);
  }

  /** Claims the run's lease (if no live server holds it), then drives it to its end or our stop. */
  private async take(id: string): Promise<void> {
    const { db } = this.deps.database;
    const now = this.deps.clock.now();
    const claimed = await db
      .updateTable('pipeline_runs')
      .set((eb) => ({
        owner: this.options.owner,
        lease_expires_at: now + this.options.leaseMs,
        status: 'running',
        started_at: eb.fn.coalesce('started_at', eb.val(now)),
        updated_at: now,
      }))
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'running'])
      .where((eb) =>
        eb.or([
          eb('owner', 'is', null),
          eb('owner', '=', this.options.owner),
          eb('lease_expires_at', '<', now),
        ]),
      )
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) return;
    const row = await db
      .selectFrom('pipeline_runs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const { pipeline, code } = await this.version(row.pipeline_id, Number(row.version));
    const executor = this.deps.executors[row.executor];
    const ctx = { actor: { name: row.created_by, role: 'editor' as const }, requestId: row.id };
    const recorder = new RunRecorder(this.deps, { id, trackingRun: row.tracking_run_id, ctx });
    if (executor === undefined) {
      await recorder.finish('failed', {
        code: 'EXECUTOR_UNAVAILABLE',
        message: `the '${row.executor}' executor is not available on this server`,
      });
      return;
    }
    const store = new StepStore(this.deps.database, this.deps.clock, id);
    const driver = new RunDriver(
      {
        id,
        pipeline,
        code,
        params: JSON.parse(row.params),
        useCache: Number(row.use_cache) === 1,
        trackingRun: row.tracking_run_id,
        ctx,
      },
      executor,
      this.slots,
      {
        store,
        recorder,
        database: this.deps.database,
        clock: this.deps.clock,
        owner: this.options.owner,
        files: this.deps.files,
        ...(this.deps.logger === undefined ? {} : { logger: this.deps.logger }),
      },
    );
    this.drivers.set(id, driver);
    const driving = driver.drive();
    if (Number(row.cancel_requested) === 1) void driver.stop('cancelled');
    await driving;
  }

  private async version(
    pipelineId: string,
    version: number,
  ): Promise<{ pipeline: Pipeline; code: PipelineCode }> {
    const key = `${pipelineId}#${version}`;
    const known = this.versions.get(key);
    if (known !== undefined) return known;
    const row = await this.deps.database.db
      .selectFrom('pipeline_versions')
      .selectAll()
      .where('pipeline_id', '=', pipelineId)
      .where('version', '=', version)
      .executeTakeFirstOrThrow();
    const parsed = {
      pipeline: parsePipeline(JSON.parse(row.spec)),
      code: JSON.parse(row.code) as PipelineCode,
    };
    this.versions.set(key, parsed);
    return parsed;
  }
}
