/**
 * A fixed pool of worker threads running trials (and the final refit), one request at a time per
 * worker, so long training never blocks the caller's event loop. The data is cloned into each worker
 * once, at start; a request then carries only its plan.
 */
import type { Worker } from 'node:worker_threads';
import { startSiblingWorker } from '../../core/sibling-worker.js';
import type { Table } from '../table.js';
import type { TrialWorkerData } from './trial-worker.js';
import type { MetricSummary, TrialPlan } from './types.js';

export type WorkerRequest =
  | { readonly kind: 'trial'; readonly plan: TrialPlan }
  /** Fit the plan on every row the worker holds; predict the holdout rows. */
  | { readonly kind: 'refit'; readonly plan: TrialPlan; readonly holdout: Table };

export interface Refit {
  readonly onnx: Uint8Array;
  /** Holdout predictions: class probabilities (row-major) or values. */
  readonly predictions: Float64Array;
}

export type WorkerReply = { readonly durationMs: number } & (
  | { readonly metrics: Record<string, MetricSummary> }
  | { readonly refit: Refit }
  | { readonly error: string }
);

/** Rejection of requests still running (or queued) when the pool is closed: they are dropped. */
export class PoolClosedError extends Error {
  constructor() {
    super('the trial pool was closed');
    this.name = 'PoolClosedError';
  }
}

interface Task {
  readonly request: WorkerRequest;
  readonly resolve: (reply: WorkerReply) => void;
  readonly reject: (error: Error) => void;
  readonly started: number;
}

interface Slot {
  /** Started at construction, and again after a crash when the next request comes. */
  worker?: Worker;
  task?: Task;
}

export class TrialPool {
  private readonly slots: Slot[];
  private readonly queue: Task[] = [];
  private closing: Promise<void> | undefined;

  constructor(
    private readonly data: TrialWorkerData,
    size: number,
  ) {
    this.slots = Array.from({ length: size }, () => ({ worker: this.spawn() }));
  }

  /** Cross-validates a plan; a trainer error comes back as `{ error }`, not as a rejection. */
  run(plan: TrialPlan): Promise<WorkerReply> {
    return this.submit({ kind: 'trial', plan });
  }

  /** Fits a plan on all the worker's rows; rejects with the trainer's error. */
  async refit(plan: TrialPlan, holdout: Table): Promise<Refit> {
    const reply = await this.submit({ kind: 'refit', plan, holdout });
    if ('error' in reply) throw new Error(`refitting trial ${plan.id} failed: ${reply.error}`);
    if (!('refit' in reply)) throw new Error('a trial worker answered a refit with metrics');
    return reply.refit;
  }

  /** Terminates every worker; running and queued requests reject with PoolClosedError. Idempotent. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      for (const task of [...this.queue.splice(0), ...this.slots.flatMap((slot) => slot.task ?? [])]) {
        task.reject(new PoolClosedError());
      }
      this.closing = Promise.all(this.slots.map((slot) => slot.worker?.terminate())).then(() => undefined);
    }
    return this.closing;
  }

  private submit(request: WorkerRequest): Promise<WorkerReply> {
    if (this.closing !== undefined) return Promise.reject(new PoolClosedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject, started: performance.now() });
      this.dispatch();
    });
  }

  private spawn(): Worker {
    const worker = startSiblingWorker(import.meta.url, 'trial-worker', this.data);
    worker.on('message', (reply: WorkerReply) => this.finish(worker, reply));
    // A crash (out of memory, a failed start) fails the request it was running; the next request
    // starts a fresh worker, so a worker that cannot start fails requests one by one, not in a loop.
    worker.on('error', (error) => this.crash(worker, error.message));
    worker.on('exit', (code) => this.crash(worker, `trial worker exited with code ${code}`));
    return worker;
  }

  private finish(worker: Worker, reply: WorkerReply): void {
    const slot = this.slots.find((candidate) => candidate.worker === worker);
    const task = slot?.task;
    if (slot === undefined || task === undefined) return;
    slot.task = undefined;
    task.resolve(reply);
    this.dispatch();
  }

  private crash(worker: Worker, message: string): void {
    if (this.closing !== undefined) return;
    const slot = this.slots.find((candidate) => candidate.worker === worker);
    if (slot === undefined) return;
    const task = slot.task;
    slot.task = undefined;
    slot.worker = undefined;
    void worker.terminate();
    task?.resolve({ error: message, durationMs: performance.now() - task.started });
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.task !== undefined || this.queue.length === 0) continue;
      const task = this.queue.shift()!;
      slot.task = { ...task, started: performance.now() };
      slot.worker ??= this.spawn();
      slot.worker.postMessage(task.request);
    }
  }
}
