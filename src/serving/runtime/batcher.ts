/**
 * Dynamic batching in front of one model version's InferenceSession, as KServe/Triton users expect:
 * compatible requests are concatenated along axis 0, run once and the outputs split back per request.
 * A batch runs when it is full or its oldest request has waited maxDelayMs, and only while fewer than
 * maxConcurrentRuns batches are in flight; under load batches keep filling, which is where the
 * throughput comes from. With maxBatch 1 requests go straight to the run (no timer, no copies).
 */
import type * as ort from 'onnxruntime-node';
import { InvalidError, SlipwayError } from '../../core/errors.js';
import {
  Batch,
  type BatchResult,
  Deque,
  type Feeds,
  PendingRequest,
  QUEUED,
  RUNNING,
  SETTLED,
} from './batch-queue.js';
import { batchKey, concatFeeds, sliceOutputs, splittable } from './batch-tensors.js';
import { RequestDeadlines } from './request-deadlines.js';
import {
  InferenceFailedError,
  InferenceTimeoutError,
  QueueFullError,
  unloadingError,
} from './serving-errors.js';

export type { BatchResult } from './batch-queue.js';

export const DEFAULT_MAX_CONCURRENT_RUNS = 2;

export interface BatcherOptions {
  /** Rows per run; 1 turns batching off. */
  readonly maxBatch: number;
  /** Longest a request waits for others before its batch runs; 0 still batches one event-loop turn. */
  readonly maxDelayMs: number;
  /** Bound on queued (not yet running) rows; beyond it submit rejects at once with QueueFullError. */
  readonly maxQueueRows: number;
  /** Per request, from submit to answer; Infinity disables it. */
  readonly timeoutMs: number;
  /** Batches in flight at once on the session (default 2). */
  readonly maxConcurrentRuns?: number;
  /** Names the model version in error messages, e.g. 'churn@3'. */
  readonly label?: string;
}

export type RunFn = (feeds: Record<string, ort.Tensor>) => Promise<Record<string, ort.Tensor>>;

export class DynamicBatcher {
  private readonly run: RunFn;
  private readonly maxBatch: number;
  private readonly maxDelayMs: number;
  private readonly maxQueueRows: number;
  private readonly timeoutMs: number;
  private readonly maxConcurrentRuns: number;
  private readonly label: string | undefined;

  /** maxBatch 1: requests waiting for a free run slot. */
  private readonly singles = new Deque<PendingRequest>();
  /** maxBatch > 1: batches oldest first; only the last may still be open. */
  private readonly batches = new Deque<Batch>();
  /** Null when timeoutMs is Infinity. */
  private readonly deadlines: RequestDeadlines | null;
  private queued = 0;
  private running = 0;
  /** Turns false for good once a model's outputs cannot be split by rows (e.g. a scalar output). */
  private batchable: boolean;
  private dispatchTimer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private drained: Promise<void> | null = null;
  private resolveDrained: (() => void) | null = null;

  constructor(run: RunFn, options: BatcherOptions) {
    this.run = run;
    this.maxBatch = positiveInteger('maxBatch', options.maxBatch);
    this.maxQueueRows = positiveInteger('maxQueueRows', options.maxQueueRows);
    this.maxConcurrentRuns = positiveInteger(
      'maxConcurrentRuns',
      options.maxConcurrentRuns ?? DEFAULT_MAX_CONCURRENT_RUNS,
    );
    if (!(options.maxDelayMs >= 0 && Number.isFinite(options.maxDelayMs))) {
      throw new InvalidError(
        `batcher option maxDelayMs must be a finite number >= 0, got ${options.maxDelayMs}`,
      );
    }
    if (!(options.timeoutMs > 0)) {
      throw new InvalidError(`batcher option timeoutMs must be > 0, got ${options.timeoutMs}`);
    }
    this.maxDelayMs = options.maxDelayMs;
    this.timeoutMs = options.timeoutMs;
    this.label = options.label;
    this.batchable = this.maxBatch > 1;
    this.deadlines =
      this.timeoutMs === Number.POSITIVE_INFINITY
        ? null
        : new RequestDeadlines(
            this.timeoutMs,
            (request) => this.expire(request),
            () => {
              this.pump();
              this.settleDrain();
            },
          );
  }

  /** Rows queued and not yet running (for a queue-depth gauge). */
  get queuedRows(): number {
    return this.queued;
  }

  /** Runs in flight on the session. */
  get inFlight(): number {
    return this.running;
  }

  /**
   * Answers one request. `rows` is the size of the first axis shared by all feeds, or -1 when the
   * request cannot be batched (it then runs alone). A request is never split across runs.
   */
  submit(feeds: Feeds, rows: number): Promise<BatchResult> {
    if (this.drained !== null) return Promise.reject(unloadingError(this.label));
    const count = rows > 1 ? rows : 1;
    const direct = this.maxBatch === 1;
    const startsNow = direct && this.running < this.maxConcurrentRuns && this.singles.length === 0;
    // A request larger than the whole bound is let in when nothing is queued, else it could never run.
    if (!startsNow && this.queued > 0 && this.queued + count > this.maxQueueRows) {
      return Promise.reject(new QueueFullError(this.label, this.queued, this.maxQueueRows));
    }
    const deadline = performance.now() + this.timeoutMs;
    return new Promise<BatchResult>((resolve, reject) => {
      const request = new PendingRequest(feeds, rows, count, deadline, resolve, reject);
      this.deadlines?.track(request);
      if (startsNow) {
        request.state = RUNNING;
        void this.runSingle(request);
      } else if (direct) {
        this.queued += count;
        this.singles.push(request);
      } else {
        this.enqueue(request);
      }
    });
  }

  /** Stops accepting; resolves once everything queued or running has finished. */
  drain(): Promise<void> {
    if (this.drained === null) {
      this.drained = new Promise<void>((resolve) => {
        this.resolveDrained = resolve;
      });
      this.pump();
      this.settleDrain();
    }
    return this.drained;
  }

  private enqueue(request: PendingRequest): void {
    this.queued += request.count;
    const rows = request.rows;
    const key = this.batchable && rows >= 1 && rows <= this.maxBatch ? batchKey(request.feeds, rows) : null;
    const last = this.batches.peekLast();
    if (key !== null && last !== undefined && !last.closed) {
      if (last.key === key && last.rows + rows <= this.maxBatch) {
        last.add(request);
        if (last.rows === this.maxBatch) last.closed = true;
        this.pump();
        return;
      }
      last.closed = true;
    } else if (last !== undefined) {
      last.closed = true;
    }
    const batch = new Batch(key, performance.now());
    batch.add(request);
    batch.closed = key === null || batch.rows === this.maxBatch;
    this.batches.push(batch);
    this.pump();
  }

  /** Starts whatever may start now; arms the delay timer for an open batch that must wait. */
  private pump(): void {
    if (this.maxBatch === 1) {
      while (this.running < this.maxConcurrentRuns && this.singles.length > 0) {
        const request = this.singles.shift()!;
        if (request.state !== QUEUED) continue;
        this.queued -= request.count;
        request.state = RUNNING;
        void this.runSingle(request);
      }
      return;
    }
    while (this.running < this.maxConcurrentRuns) {
      const batch = this.batches.peek();
      if (batch === undefined) return;
      if (batch.rows === 0) {
        this.batches.shift(); // every request in it timed out
        continue;
      }
      if (!batch.closed && this.drained === null) {
        const wait = batch.openedAt + this.maxDelayMs - performance.now();
        if (wait > 0 || this.maxDelayMs === 0) {
          this.armDispatch(wait);
          return;
        }
      }
      this.batches.shift();
      batch.closed = true;
      this.queued -= batch.rows;
      void this.runBatch(batch);
    }
  }

  private armDispatch(wait: number): void {
    if (this.dispatchTimer !== null) return;
    // Delay 0 still lets requests that arrive in the same event-loop turn join the batch.
    this.dispatchTimer =
      this.maxDelayMs === 0 ? setImmediate(this.onDispatchTimer) : setTimeout(this.onDispatchTimer, wait);
  }

  private readonly onDispatchTimer = (): void => {
    this.dispatchTimer = null;
    const batch = this.batches.peek();
    if (batch !== undefined && this.maxDelayMs === 0) batch.closed = true;
    this.pump();
  };

  private async runSingle(request: PendingRequest): Promise<void> {
    this.running++;
    try {
      await this.runAlone(request);
    } finally {
      this.finishRun();
    }
  }

  private async runBatch(batch: Batch): Promise<void> {
    this.running++;
    try {
      const requests: PendingRequest[] = [];
      for (const request of batch.requests) {
        if (request.state !== QUEUED) continue;
        request.state = RUNNING;
        request.batch = null;
        requests.push(request);
      }
      if (requests.length === 1) {
        await this.runAlone(requests[0]!);
        return;
      }
      let outputs: Feeds;
      try {
        outputs = await this.run(concatFeeds(requests.map(feedsOf)));
      } catch {
        // One bad request must not fail its neighbours: each runs alone once, and only failures report.
        await this.runEachAlone(requests);
        return;
      }
      if (!splittable(outputs, batch.rows)) {
        this.batchable = false;
        await this.runEachAlone(requests);
        return;
      }
      let begin = 0;
      for (const request of requests) {
        const end = begin + request.rows;
        try {
          this.answer(request, sliceOutputs(outputs, begin, end), batch.rows);
        } catch (error) {
          this.fail(request, error);
        }
        begin = end;
      }
    } finally {
      this.finishRun();
    }
  }

  private async runEachAlone(requests: readonly PendingRequest[]): Promise<void> {
    for (const request of requests) {
      if (request.state === RUNNING) await this.runAlone(request);
    }
  }

  private async runAlone(request: PendingRequest): Promise<void> {
    try {
      const outputs = await this.run(request.feeds);
      this.answer(request, outputs, request.rows >= 0 ? request.rows : 1);
    } catch (error) {
      this.fail(request, error);
    }
  }

  private fail(request: PendingRequest, error: unknown): void {
    if (request.state !== RUNNING) return;
    request.state = SETTLED;
    // A RunFn that throws a SlipwayError on purpose (e.g. a released session) keeps its status.
    request.reject(error instanceof SlipwayError ? error : new InferenceFailedError(this.label, error));
    this.deadlines?.forgetAnswered();
  }

  private answer(request: PendingRequest, outputs: Feeds, batchRows: number): void {
    if (request.state !== RUNNING) return; // timed out while running: the result is discarded
    request.state = SETTLED;
    request.resolve({ outputs, batchRows });
    this.deadlines?.forgetAnswered();
  }

  private finishRun(): void {
    this.running--;
    this.pump();
    this.settleDrain();
  }

  private settleDrain(): void {
    if (this.resolveDrained === null || this.running > 0 || this.queued > 0) return;
    if (this.dispatchTimer !== null) {
      if (this.maxDelayMs === 0) clearImmediate(this.dispatchTimer as NodeJS.Immediate);
      else clearTimeout(this.dispatchTimer as NodeJS.Timeout);
      this.dispatchTimer = null;
    }
    const resolve = this.resolveDrained;
    this.resolveDrained = null;
    resolve();
  }

  private expire(request: PendingRequest): void {
    if (request.state === QUEUED) {
      // Its rows stop counting now; the queue entry itself is skipped when reached.
      this.queued -= request.count;
      if (request.batch !== null) request.batch.rows -= request.count;
      request.batch = null;
    }
    request.state = SETTLED;
    request.reject(new InferenceTimeoutError(this.label, this.timeoutMs));
  }
}

function feedsOf(request: PendingRequest): Feeds {
  return request.feeds;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidError(`batcher option ${name} must be a positive integer, got ${value}`);
  }
  return value;
}
