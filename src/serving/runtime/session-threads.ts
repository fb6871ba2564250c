/**
 * The session threads of one model version: `threads` workers (session-thread.ts), each holding its
 * own session of the same file, created and warmed before open() resolves. A run goes to the thread
 * with the fewest runs in flight. A thread that dies (a native crash, running out of memory) fails only
 * the runs it held and is replaced; the version keeps serving on the others meanwhile.
 */
import type { Worker } from 'node:worker_threads';
import { startReadyWorker, stopWorker } from '../../core/sibling-worker.js';
import {
  type Feeds,
  type FromSessionThread,
  fromWire,
  type RunRequest,
  type SessionThreadData,
  type ToSessionThread,
  toWire,
} from './session-wire.js';

export interface SessionThreadOptions {
  /** Threads, each with its own session. */
  readonly threads: number;
  /** ONNX Runtime's intraOpNumThreads of each session. */
  readonly intraOpThreads: number;
}

interface PendingRun {
  readonly resolve: (outputs: Feeds) => void;
  readonly reject: (error: Error) => void;
}

interface Thread {
  readonly worker: Worker;
  readonly pending: Map<number, PendingRun>;
  /** Runs posted in this event-loop turn, sent together when it ends. */
  outbox: RunRequest[];
}

export class SessionThreads {
  private readonly threads: Thread[] = [];
  private nextId = 0;
  /** Threads being started in place of lost ones. */
  private readonly replacing = new Set<Promise<void>>();
  private lastFailure = '';
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly label: string,
    private readonly data: SessionThreadData,
    private readonly wanted: number,
  ) {}

  /** Starts the threads; rejects with the runtime's message if any cannot create or warm its session. */
  static async open(
    label: string,
    file: string,
    options: SessionThreadOptions,
    warmUp: Feeds,
  ): Promise<SessionThreads> {
    const data: SessionThreadData = { file, intraOpThreads: options.intraOpThreads, warmUp: toWire(warmUp) };
    const started = await Promise.allSettled(
      Array.from({ length: options.threads }, () => startThread(data)),
    );
    const failure = started.find((result) => result.status === 'rejected');
    if (failure !== undefined) {
      await Promise.all(
        started.map((result) => (result.status === 'fulfilled' ? stopWorker(result.value) : null)),
      );
      throw failure.reason;
    }
    const sessions = new SessionThreads(label, data, options.threads);
    for (const result of started) if (result.status === 'fulfilled') sessions.adopt(result.value);
    return sessions;
  }

  run(feeds: Feeds): Promise<Feeds> {
    if (this.closing !== undefined) return Promise.reject(new Error(`${this.label} is closed`));
    let thread = this.threads[0];
    for (const other of this.threads) if (other.pending.size < thread!.pending.size) thread = other;
    if (thread === undefined) {
      this.replace();
      return Promise.reject(
        new Error(`no inference thread of ${this.label} is running: ${this.lastFailure}`),
      );
    }
    const id = ++this.nextId;
    if (thread.outbox.length === 0) setImmediate(() => this.send(thread));
    thread.outbox.push({ id, feeds: toWire(feeds) });
    return new Promise((resolve, reject) => thread.pending.set(id, { resolve, reject }));
  }

  /** Releases every session and ends the threads; runs still in flight are rejected. Idempotent. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      const threads = this.threads.splice(0);
      for (const thread of threads) this.fail(thread, `${this.label} was closed`);
      this.closing = Promise.all([
        ...threads.map((thread) => stopWorker(thread.worker)),
        ...this.replacing,
      ]).then(() => undefined);
    }
    return this.closing;
  }

  private send(thread: Thread): void {
    const runs = thread.outbox;
    thread.outbox = [];
    // A thread lost meanwhile has failed these runs already.
    if (runs.length > 0 && this.threads.includes(thread))
      thread.worker.postMessage({ kind: 'runs', runs } satisfies ToSessionThread);
  }

  private adopt(worker: Worker): void {
    const thread: Thread = { worker, pending: new Map(), outbox: [] };
    this.threads.push(thread);
    worker.on('message', (message: FromSessionThread) => {
      if (message.kind !== 'answers') return;
      for (const answer of message.answers) {
        const run = thread.pending.get(answer.id);
        if (run === undefined) continue;
        thread.pending.delete(answer.id);
        if ('outputs' in answer) run.resolve(fromWire(answer.outputs));
        else run.reject(new Error(answer.error));
      }
    });
    const lost = (reason: string) => {
      const index = this.threads.indexOf(thread);
      if (index < 0) return;
      this.threads.splice(index, 1);
      this.lastFailure = `the inference thread stopped (${reason})`;
      this.fail(thread, `the inference thread of ${this.label} stopped (${reason})`);
      this.replace();
    };
    worker.on('error', (error) => lost(error.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
  }

  private fail(thread: Thread, reason: string): void {
    for (const run of thread.pending.values()) run.reject(new Error(reason));
    thread.pending.clear();
    thread.outbox = [];
  }

  /** Starts threads in place of lost ones, up to the number wanted. */
  private replace(): void {
    while (this.closing === undefined && this.threads.length + this.replacing.size < this.wanted) {
      const replacing: Promise<void> = startThread(this.data)
        .then(
          async (worker) => {
            if (this.closing === undefined) this.adopt(worker);
            else await stopWorker(worker);
          },
          (error: unknown) => {
            this.lastFailure = `a new inference thread failed to start (${error instanceof Error ? error.message : error})`;
          },
        )
        .finally(() => this.replacing.delete(replacing));
      this.replacing.add(replacing);
    }
  }
}

/** A thread whose session is created and warmed; rejects with the runtime's message otherwise. */
function startThread(data: SessionThreadData): Promise<Worker> {
  return startReadyWorker(import.meta.url, 'session-thread', data);
}
