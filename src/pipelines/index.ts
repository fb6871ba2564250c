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
import { CodeCache } from './executors/code-cache.js';
import { LocalExecutor } from './executors/local-executor.js';
import { StepFiles } from './executors/step-files.js';
import { PipelineService } from './pipeline-service.js';
import { PipelineRunService } from './run-service.js';

export * from './definition/index.js';
export * from './entities.js';
export { resolveRunParams } from './params.js';
export {
  type ApplyInput,
  type ApplyResult,
  type ListPipelinesInput,
  PipelineService,
} from './pipeline-service.js';
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
  readonly logger?: Logger;
}

export interface Pipelines {
  readonly pipelines: PipelineService;
  readonly runs: PipelineRunService;
  /** Starts heartbeats and resumes runs no live server holds (a stopped or killed server's). */
  start(): void;
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
  const engine = new PipelineEngine(
    {
      database: deps.database,
      blobs: deps.blobs,
      clock: deps.clock,
      tracking: deps.tracking,
      runInputs: deps.runInputs,
      lineage: deps.lineage,
      executors: { local },
      files,
      ...(deps.logger === undefined ? {} : { logger: deps.logger }),
    },
    { concurrency: deps.settings.concurrency, leaseMs: deps.settings.leaseMs, owner },
  );
  return {
    pipelines: new PipelineService(deps.database, deps.audit, deps.clock),
    runs: new PipelineRunService(
      deps.database,
      deps.audit,
      deps.clock,
      deps.tracking,
      engine,
      owner,
      deps.settings.leaseMs,
      new Set(['local']),
    ),
    start: () => engine.start(),
    close: () => engine.close(),
  };
}
