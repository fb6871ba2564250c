/**
 * The worker threads that run `fn` steps off the event loop. A thread runs one step at a time; a
 * step that times out or is cancelled has its thread terminated (the only way to stop code that does
 * not cooperate) and a fresh one takes its place.
 */
import type { Worker } from 'node:worker_threads';
import { startReadyWorker, stopWorker } from '../../core/sibling-worker.js';
import { StepFailure } from './step-failure.js';
import type { StepIo } from './types.js';

export interface FnTask {
  /** file:// URL of the bundle. */
  readonly bundle: string;
  readonly module: string;
  readonly export: string;
  readonly inputs: unknown;
  readonly context: Readonly<Record<string, unknown>>;
}

type Message =
  | { kind: 'log'; id: number; text: string }
  | { kind: 'done'; id: number; outputs: unknown }
  | { kind: 'error'; id: number; message: string; stack?: string };

export class FnPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: ((worker: Worker | Error) => void)[] = [];
  private started = 0;
  private nextId = 0;
  private closed = false;

  constructor(private readonly size: number) {}

  async run(task: FnTask, io: StepIo): Promise<unknown> {
    io.signal.throwIfAborted();
    const worker = await this.checkout();
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const settle = (keep: boolean, outcome: () => void) => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        io.signal.removeEventListener('abort', onAbort);
        if (keep) this.checkin(worker);
        else this.discard(worker);
        outcome();
      };
      const onMessage = (message: Message) => {
        if (message.id !== id) return;
        if (message.kind === 'log') io.log(message.text);
        else if (message.kind === 'done') settle(true, () => resolve(message.outputs));
        else {
          if (message.stack !== undefined) io.log(`${message.stack}\n`);
          settle(true, () => reject(new StepFailure('STEP_FAILED', message.message)));
        }
      };
      const onError = (error: Error) =>
        settle(false, () =>
          reject(new StepFailure('STEP_FAILED', `the step's thread failed: ${error.message}`)),
        );
      const onExit = (code: number) =>
        settle(false, () =>
          reject(new StepFailure('WORKER_LOST', `the step's thread exited with code ${code}`)),
        );
      const onAbort = () => settle(false, () => reject(io.signal.reason));
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      io.signal.addEventListener('abort', onAbort, { once: true });
      worker.postMessage({ kind: 'run', id, ...task });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake(new Error('the step pool is closed'));
    await Promise.all(this.idle.splice(0).map((worker) => stopWorker(worker, 1_000)));
  }

  private async checkout(): Promise<Worker> {
    if (this.closed) throw new Error('the step pool is closed');
    const idle = this.idle.pop();
    if (idle !== undefined) return idle;
    if (this.started < this.size) {
      this.started++;
      try {
        return await startReadyWorker(import.meta.url, 'fn-thread', {});
      } catch (error) {
        this.started--;
        throw error;
      }
    }
    const next = await new Promise<Worker | Error>((resolve) => this.waiting.push(resolve));
    if (next instanceof Error) throw next;
    return next;
  }

  private checkin(worker: Worker): void {
    const waiter = this.waiting.shift();
    if (waiter !== undefined) waiter(worker);
    else if (this.closed) void stopWorker(worker, 1_000);
    else this.idle.push(worker);
  }

  private discard(worker: Worker): void {
    this.started--;
    void worker.terminate();
    // Someone waiting gets a fresh thread instead of the lost one.
    const waiter = this.waiting.shift();
    if (waiter === undefined) return;
    this.started++;
    startReadyWorker(import.meta.url, 'fn-thread', {}).then(waiter, (error: Error) => {
      this.started--;
      waiter(error);
    });
  }
}
