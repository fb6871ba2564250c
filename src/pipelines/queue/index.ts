/**
 * The `queue` executor: pipeline steps as BullMQ jobs on Redis, run by `slipway worker` processes
 * on any machine that reaches the metadata database, the artifact store and Redis.
 */
export { listWorkers } from './list-workers.js';
export { QueueExecutor, type QueueExecutorOptions } from './queue-executor.js';
export type { QueueTarget, WorkerInfo } from './queue-wire.js';
export { QueueWorker, type QueueWorkerDeps, type QueueWorkerOptions } from './queue-worker.js';
