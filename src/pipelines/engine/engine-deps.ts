/** What the engine needs from the rest of Slipway, and its settings. */
import type { BlobStore } from '../../artifacts/index.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { RunInputService } from '../../data/index.js';
import type { LineageRecorder } from '../../lineage/index.js';
import type { Database } from '../../store/index.js';
import type { Tracking } from '../../tracking/index.js';
import type { ExecutorName } from '../entities.js';
import type { StepFiles } from '../executors/step-files.js';
import type { StepExecutor } from '../executors/types.js';

export interface EngineDeps {
  readonly database: Database;
  readonly blobs: BlobStore;
  readonly clock: Clock;
  readonly tracking: Tracking;
  readonly runInputs: RunInputService;
  readonly lineage: LineageRecorder;
  readonly executors: Readonly<Partial<Record<ExecutorName, StepExecutor>>>;
  readonly files: StepFiles;
  readonly logger?: Logger;
}

export interface EngineOptions {
  /** Steps running at once on this server, over every run. */
  readonly concurrency: number;
  /** How long a run stays with this server without a heartbeat before another may take it over. */
  readonly leaseMs: number;
  /** This server's name in leases and step rows. */
  readonly owner: string;
}
