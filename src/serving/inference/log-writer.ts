/**
 * Where InferenceLog sends its batches. A server writes through a thread of its own
 * (log-writer-thread.ts) with its own database connection; an in-memory SQLite database, which no
 * second connection can open, is written to directly.
 */
import type { Worker } from 'node:worker_threads';
import type { DatabaseUrl } from '../../core/config.js';
import { startReadyWorker, stopWorker } from '../../core/sibling-worker.js';
import type { Database } from '../../store/index.js';
import { type InferenceLogEntry, logRecords } from './log-records.js';

export interface LogWriter {
  /** Resolves once the entries are committed; rejects with why they are not. */
  write(entries: readonly InferenceLogEntry[]): Promise<void>;
  close(): Promise<void>;
}

export type ToLogThread =
  | { readonly kind: 'write'; readonly id: number; readonly entries: readonly InferenceLogEntry[] }
  | { readonly kind: 'close' };

export type FromLogThread =
  | { readonly kind: 'ready' }
  | { readonly kind: 'written'; readonly id: number }
  | { readonly kind: 'failed'; readonly id: number; readonly error: string };

export function logWriterFor(url: DatabaseUrl | undefined, database: Database): LogWriter {
  if (url === undefined || (url.kind === 'sqlite' && url.path === ':memory:')) {
    return {
      write: (entries) => database.insertInferenceLog(database.db, logRecords(entries)),
      close: async () => {},
    };
  }
  return new ThreadLogWriter(url);
}

interface PendingWrite {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** Starts its thread on the first write, and again on the next write after the thread died. */
class ThreadLogWriter implements LogWriter {
  private thread: Promise<Worker> | undefined;
  private readonly pending = new Map<number, PendingWrite>();
  private nextId = 0;

  constructor(private readonly url: DatabaseUrl) {}

  async write(entries: readonly InferenceLogEntry[]): Promise<void> {
    const worker = await this.started();
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ kind: 'write', id, entries } satisfies ToLogThread);
    });
  }

  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    const worker = await thread?.catch(() => undefined);
    if (worker !== undefined) await stopWorker(worker);
  }

  private started(): Promise<Worker> {
    this.thread ??= startReadyWorker(import.meta.url, 'log-writer-thread', this.url).then(
      (worker) => {
        worker.on('message', (message: FromLogThread) => {
          if (message.kind === 'ready') return;
          const write = this.pending.get(message.id);
          this.pending.delete(message.id);
          if (message.kind === 'written') write?.resolve();
          else write?.reject(new Error(message.error));
        });
        worker.on('exit', (code) => {
          this.thread = undefined;
          for (const write of this.pending.values())
            write.reject(new Error(`the inference log thread exited with code ${code}`));
          this.pending.clear();
        });
        return worker;
      },
      (error: unknown) => {
        this.thread = undefined;
        throw error;
      },
    );
    return this.thread;
  }
}
