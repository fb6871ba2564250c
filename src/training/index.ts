/**
 * Training: the built-in trainers (linear models, gradient-boosted trees) exported to ONNX, and
 * AutoML jobs that search them on a dataset version and register the best model.
 */
import { AutomlService, type TrainingDeps } from './automl-service.js';

export { DEFAULT_SEARCH_SPACES, FAMILIES, METRIC_NAMES, STRATEGIES, TASKS } from './automl/index.js';
export type * from './automl/types.js';
export {
  AUTOML_JOB_STATUSES,
  type AutomlJob,
  type AutomlJobResult,
  type AutomlJobSpec,
  type AutomlJobStatus,
  type LeaderboardEntry,
} from './automl-job.js';
export { MODEL_ARTIFACT } from './automl-runner.js';
export {
  AutomlService,
  type ListAutomlJobsInput,
  type StartAutomlInput,
  type TrainingDeps,
} from './automl-service.js';

export interface Training {
  readonly automl: AutomlService;
  close(): Promise<void>;
}

export function createTraining(deps: TrainingDeps): Training {
  const automl = new AutomlService(deps);
  return { automl, close: () => automl.close() };
}
