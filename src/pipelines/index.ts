/**
 * Pipelines: definitions (YAML or definePipeline) applied as immutable versions with their code, and
 * runs driven by a durable engine — cached, retried, timed out, cancelled, resumed after a crash.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { BlobStore } from '../artifacts/index.js';
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { PipelineSettings } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { BuiltinDeps } from './builtins/index.js';
import { PipelineEngine } from './engine/engine.js';
import type { ExecutorName } from './entities.js';
import { CodeCache } from './executors/code-cache.js';
import { LocalExecutor } from './executors/local-executor.js';
import { StepFiles } from './executors/step-files.js';
import { PipelineService } from './pipeline-service.js';
import { QueueExecutor, type WorkerInfo } from './queue/index.js';
import { PipelineRunService } from './run-service.js';
import { Scheduler } from './schedules/scheduler.js';

/** How often each server looks for due schedules and new dataset versions. */
const SCHEDULER_TICK_MS = 1_000;

export * from './definition/index.js';
export * from './entities.js';
export { CodeCache } from './executors/code-cache.js';
export { FnPool } from './executors/fn-pool.js';
export { StepFiles } from './executors/step-files.js';
export { resolveRunParams } from './params.js';
export {
  type ApplyInput,
  type ApplyResult,
  type ListPipelinesInput,
  type PipelineSchedules,
  PipelineService,
  type ScheduleInfo,
  type TriggerInfo,
} from './pipeline-service.js';
export * from './queue/index.js';
export {
  type ListRunsInput,
  type LogChunk,
  type LogsInput,
  PipelineRunService,
  type StartRunInput,
} from './run-service.js';

export interface PipelinesDeps extends BuiltinDeps {
  readonly blobs: BlobStore;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly home: string;
  readonly settings: PipelineSettings;
  /** With Redis, runs may use the `queue` executor (steps run by `slipway worker` processes). */
  readonly redisUrl?: string;
  readonly logger?: Logger;
}

/** The queue workers alive now; `queue: false` when this server has no Redis. */
export interface WorkerList {
  readonly queue: boolean;
  readonly items: readonly WorkerInfo[];
}

export interface Pipelines {
  readonly pipelines: PipelineService;
  readonly runs: PipelineRunService;
  /**
   * Starts heartbeats (resuming runs no live server holds, a stopped or killed server's) and the
   * scheduler (cron schedules and dataset triggers).
   */
  start(): void;
  workers(): Promise<WorkerList>;
  close(): Promise<void>;
}

export function createPipelines(deps: PipelinesDeps): Pipelines {
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const root = join(deps.home, 'pipelines');
  const files = new StepFiles(deps.tracking);
  const local = new LocalExecutor({
    code: new CodeCache(deps.blobs, join(root, 'code')),
    files,
    builtins: deps,
    scratchRoot: join(root, 'scratch'),
  });
  const queue =
    deps.redisUrl === undefined
      ? undefined
      : new QueueExecutor({
          redisUrl: deps.redisUrl,
          prefix: deps.settings.queuePrefix,
          outageMs: deps.settings.queueOutageMs,
          ...(deps.logger === undefined ? {} : { logger: deps.logger }),
        });
  const engine = new PipelineEngine(
    {
      database: deps.database,
      blobs: deps.blobs,
      clock: deps.clock,
      tracking: deps.tracking,
      runInputs: deps.runInputs,
      lineage: deps.lineage,
      executors: queue === undefined ? { local } : { local, queue },
      files,
      ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    },
    { concurrency: deps.settings.concurrency, leaseMs: deps.settings.leaseMs, owner },
  );
  const runs = new PipelineRunService(
    deps.database,
    deps.audit,
    deps.clock,
    deps.tracking,
    engine,
    owner,
    deps.settings.leaseMs,
    new Set<ExecutorName>(queue === undefined ? ['local'] : ['local', 'queue']),
  );
  const scheduler = new Scheduler(deps.database, deps.clock, runs, SCHEDULER_TICK_MS, deps.logger);
  return {
    pipelines: new PipelineService(deps.database, deps.audit, deps.clock),
    runs,
    start: () => {
      engine.start();
      scheduler.start();
    },
    workers: async () =>
      queue === undefined ? { queue: false, items: [] } : { queue: true, items: await queue.workers() },
    close: async () => {
      await scheduler.close();
      await engine.close();
    },
  };
}
