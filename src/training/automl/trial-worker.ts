/**
 * Worker-thread entry: receives the searched table, target and folds once (workerData), then runs
 * one request per message: a trial (cross-validation) or the final refit on every row it holds. It
 * posts the metrics, the refit model, or the error the trainer threw back to the pool.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Table, Target } from '../table.js';
import type { Fold } from './folds.js';
import { crossValidate, exportOnnx, fitModel, predictModel } from './trial.js';
import type { WorkerReply, WorkerRequest } from './worker-pool.js';

export interface TrialWorkerData {
  readonly table: Table;
  readonly target: Target;
  readonly folds: readonly Fold[];
  readonly seed: number;
}

const { table, target, folds, seed } = workerData as TrialWorkerData;

function handle(request: WorkerRequest): WorkerReply {
  const started = performance.now();
  const { family, params, budgetFraction } = request.plan;
  try {
    if (request.kind === 'trial') {
      const metrics = crossValidate(table, target, folds, { family, params, budgetFraction, seed });
      return { metrics, durationMs: performance.now() - started };
    }
    // The refit trains with the full budget, whatever rung the best trial reached.
    const fitted = fitModel(table, target, { family, params, seed });
    const refit = { onnx: exportOnnx(fitted), predictions: predictModel(fitted, request.holdout) };
    return { refit, durationMs: performance.now() - started };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { error: message, durationMs: performance.now() - started };
  }
}

parentPort!.on('message', (request: WorkerRequest) => {
  parentPort!.postMessage(handle(request));
});
