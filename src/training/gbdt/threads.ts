/**
 * How many threads train (histograms, partitions, gradients). Helpers pay off only on large data:
 * starting one costs tens of milliseconds (more under tsx), and AutoML trains many small models, often
 * on its own worker threads, so off the main thread the default is 1.
 */
import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';

/** Rows x features from which the default uses helper threads. */
const PARALLEL_MIN_CELLS = 1_000_000;
const DEFAULT_MAX_THREADS = 4;

/** `requested` 0 = automatic. */
export function resolveThreads(requested: number, rows: number, features: number): number {
  if (requested > 0) return requested;
  if (!isMainThread || rows * features < PARALLEL_MIN_CELLS) return 1;
  return Math.max(1, Math.min(availableParallelism(), DEFAULT_MAX_THREADS, features));
}
