/** Experiment tracking: experiments, runs, params, tags, metrics, artifacts, search and compare. */
import type { BlobStore } from '../artifacts/index.js';
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { Database } from '../store/index.js';
import { ArtifactService } from './artifact-service.js';
import { compareRuns, type RunComparison } from './compare.js';
import { ExperimentService } from './experiment-service.js';
import { MetricService } from './metric-service.js';
import { RunService } from './run-service.js';
import { RunSearch } from './search/run-search.js';

export { ArtifactService } from './artifact-service.js';
export { MAX_COMPARED_RUNS, type RunComparison } from './compare.js';
export * from './entities.js';
export {
  type CreateExperimentInput,
  ExperimentService,
  type ListExperimentsInput,
  type UpdateExperimentInput,
} from './experiment-service.js';
export {
  MAX_METRIC_BATCH,
  type MetricBatch,
  type MetricInput,
  type MetricSeriesInput,
} from './metric-batch.js';
export { MAX_HISTORY_PAGE, MetricService } from './metric-service.js';
export { findRunRow } from './run-loader.js';
export { type CreateRunInput, type ListRunsInput, RunService, type UpdateRunInput } from './run-service.js';
export { RunSearch, type SearchRunsInput } from './search/run-search.js';
export {
  MAX_ENTRIES_PER_CALL,
  MAX_KEY_LENGTH,
  MAX_PARAM_VALUE_LENGTH,
  MAX_TAG_VALUE_LENGTH,
  type ParamValue,
} from './validation.js';

export interface TrackingDeps {
  readonly database: Database;
  readonly blobs: BlobStore;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly maxArtifactBytes: number;
}

export interface Tracking {
  readonly experiments: ExperimentService;
  readonly runs: RunService;
  readonly metrics: MetricService;
  readonly artifacts: ArtifactService;
  readonly search: RunSearch;
  compare(ids: readonly string[]): Promise<RunComparison>;
}

export function createTracking(deps: TrackingDeps): Tracking {
  const { database, blobs, audit, clock } = deps;
  return {
    experiments: new ExperimentService(database, audit, clock),
    runs: new RunService(database, audit, clock),
    metrics: new MetricService(database, audit, clock),
    artifacts: new ArtifactService(database, blobs, audit, clock, deps.maxArtifactBytes),
    search: new RunSearch(database),
    compare: (ids) => compareRuns(database, ids),
  };
}
