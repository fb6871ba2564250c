/**
 * The batcher's bookkeeping types: a request waiting for its answer, a batch of requests, and the
 * ring-buffer FIFO both are queued in (Array#shift is O(n) and the queues live on the hot path).
 */
import type * as ort from 'onnxruntime-node';

export type Feeds = Record<string, ort.Tensor>;

export interface BatchResult {
  readonly outputs: Feeds;
  /** Rows in the run that answered this request (its own rows when it ran alone). */
  readonly batchRows: number;
}

export const QUEUED = 0;
export const RUNNING = 1;
export const SETTLED = 2;
export type RequestState = typeof QUEUED | typeof RUNNING | typeof SETTLED;

export class PendingRequest {
  state: RequestState = QUEUED;
  /** The batch it waits in (batching mode only), so a timeout can take its rows out. */
  batch: Batch | null = null;

  constructor(
    readonly feeds: Feeds,
    /** Rows of the first axis, or -1 when unknown (the request runs alone). */
    readonly rows: number,
    /** What it counts against the queue bound: its rows, at least 1. */
    readonly count: number,
    /** performance.now() after which it times out. */
    readonly deadline: number,
    readonly resolve: (result: BatchResult) => void,
    readonly reject: (error: unknown) => void,
  ) {}
}

export class Batch {
  readonly requests: PendingRequest[] = [];
  /** Rows (queue counts) of the requests still queued: timed-out requests leave it. */
  rows = 0;
  /** No more requests join: it is full, it runs one request alone, or a later batch has started. */
  closed = false;

  constructor(
    /** batchKey of its requests; null for a batch that runs one request alone. */
    readonly key: string | null,
    /** performance.now() when its first request arrived. */
    readonly openedAt: number,
  ) {}

  add(request: PendingRequest): void {
    this.requests.push(request);
    this.rows += request.count;
    request.batch = this;
  }
}

/** A growable ring buffer used as a FIFO queue. */
export class Deque<T> {
  private items: (T | undefined)[] = new Array(16);
  private head = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    if (this.size === this.items.length) this.grow();
    this.items[(this.head + this.size) & (this.items.length - 1)] = item;
    this.size++;
  }

  peek(): T | undefined {
    return this.size === 0 ? undefined : this.items[this.head];
  }

  peekLast(): T | undefined {
    return this.size === 0 ? undefined : this.items[(this.head + this.size - 1) & (this.items.length - 1)];
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & (this.items.length - 1);
    this.size--;
    return item;
  }

  private grow(): void {
    const items: (T | undefined)[] = new Array(this.items.length * 2);
    for (let i = 0; i < this.size; i++) items[i] = this.items[(this.head + i) & (this.items.length - 1)];
    this.items = items;
    this.head = 0;
  }
}
