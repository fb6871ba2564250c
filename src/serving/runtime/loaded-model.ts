/**
 * One model version in memory: its ONNX Runtime sessions on their own threads (created from the
 * verified local file and warmed before anyone uses them), a dynamic batcher per batching setting
 * that deployments ask for, and closing that waits for queued and running requests before the
 * sessions are released.
 */
import type { ModelVersion } from '../../registry/index.js';
import type { BatchingSpec } from '../deployments/entities.js';
import { type BatchResult, DynamicBatcher } from './batcher.js';
import { SessionThreads } from './session-threads.js';
import type { Feeds } from './session-wire.js';
import { warmUpFeeds } from './warm-up.js';

export interface RuntimeOptions {
  /** Threads per model version, each running one session (and one run at a time). */
  readonly sessionThreads: number;
  /** Threads of one inference run (ONNX Runtime's intraOpNumThreads). */
  readonly intraOpThreads: number;
  /** Rows waiting per batcher beyond which requests get 503 with Retry-After. */
  readonly maxQueueRows: number;
  /** From arrival to answer; 504 beyond. */
  readonly timeoutMs: number;
}

/**
 * Runs in flight per session thread, so a thread never waits for the event loop between runs: two
 * batches (one running, the next posted; more would only make batches smaller), or a group of single
 * requests, which also travel together in one message.
 */
const UNBATCHED_RUNS_PER_THREAD = 64;

export class LoadedModel {
  /** `churn@3` */
  readonly key: string;
  private readonly batchers = new Map<string, DynamicBatcher>();
  private closed = false;

  private constructor(
    readonly version: ModelVersion,
    private readonly sessions: SessionThreads,
    private readonly options: RuntimeOptions,
    private readonly observeRun: (rows: number) => void,
  ) {
    this.key = `${version.model}@${version.version}`;
  }

  /** Starts the session threads on `file`, each warmed by one inference; throws if any fails. */
  static async open(
    version: ModelVersion,
    file: string,
    options: RuntimeOptions,
    observeRun: (rows: number) => void = () => {},
  ): Promise<LoadedModel> {
    const sessions = await SessionThreads.open(
      `${version.model}@${version.version}`,
      file,
      { threads: options.sessionThreads, intraOpThreads: options.intraOpThreads },
      warmUpFeeds(version.signature),
    );
    return new LoadedModel(version, sessions, options, observeRun);
  }

  /** Runs one request through the batcher for these settings. Call it in the tick the route was picked. */
  run(feeds: Feeds, rows: number, batching: BatchingSpec): Promise<BatchResult> {
    return this.batcherFor(batching).submit(feeds, rows);
  }

  /** Rows queued across this version's batchers (a gauge). */
  get queuedRows(): number {
    let rows = 0;
    for (const batcher of this.batchers.values()) rows += batcher.queuedRows;
    return rows;
  }

  /** Stops taking requests, waits for those queued or running, then releases the session. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.batchers.values()].map((batcher) => batcher.drain()));
    await this.sessions.close();
  }

  private batcherFor({ maxBatch, maxDelayMs }: BatchingSpec): DynamicBatcher {
    const key = `${maxBatch}/${maxDelayMs}`;
    let batcher = this.batchers.get(key);
    if (batcher === undefined) {
      batcher = new DynamicBatcher(
        (feeds) => {
          for (const name in feeds) {
            this.observeRun(feeds[name]!.dims[0] ?? 1);
            break;
          }
          return this.sessions.run(feeds);
        },
        {
          maxBatch,
          maxDelayMs,
          maxQueueRows: Math.max(this.options.maxQueueRows, maxBatch),
          timeoutMs: this.options.timeoutMs,
          maxConcurrentRuns: this.options.sessionThreads * (maxBatch === 1 ? UNBATCHED_RUNS_PER_THREAD : 2),
          label: this.key,
        },
      );
      if (this.closed) void batcher.drain();
      this.batchers.set(key, batcher);
    }
    return batcher;
  }
}
