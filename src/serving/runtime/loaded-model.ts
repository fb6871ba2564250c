/**
 * One model version in memory: its ONNX Runtime session (created from the verified local file and
 * warmed before anyone uses it), a dynamic batcher per batching setting that deployments ask for, and
 * a count of requests in flight, so closing it waits for them before the session is released.
 */
import * as ort from 'onnxruntime-node';
import type { ModelVersion } from '../../registry/index.js';
import type { BatchingSpec } from '../deployments/entities.js';
import { type BatchResult, DynamicBatcher } from './batcher.js';
import { warmUpFeeds } from './warm-up.js';

export interface RuntimeOptions {
  /** Threads of one inference run (ONNX Runtime's intraOpNumThreads). */
  readonly intraOpThreads: number;
  /** Inference runs at once per model version and batching setting. */
  readonly concurrentRuns: number;
  /** Rows waiting per batcher beyond which requests get 503 with Retry-After. */
  readonly maxQueueRows: number;
  /** From arrival to answer; 504 beyond. */
  readonly timeoutMs: number;
}

type Feeds = Record<string, ort.Tensor>;

export class LoadedModel {
  /** `churn@3` */
  readonly key: string;
  private readonly batchers = new Map<string, DynamicBatcher>();
  private closed = false;

  private constructor(
    readonly version: ModelVersion,
    private readonly session: ort.InferenceSession,
    private readonly options: RuntimeOptions,
    private readonly observeRun: (rows: number) => void,
  ) {
    this.key = `${version.model}@${version.version}`;
  }

  /** Creates the session from `file` and runs one warm-up inference; throws if either fails. */
  static async open(
    version: ModelVersion,
    file: string,
    options: RuntimeOptions,
    observeRun: (rows: number) => void = () => {},
  ): Promise<LoadedModel> {
    const session = await ort.InferenceSession.create(file, {
      intraOpNumThreads: options.intraOpThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
    });
    try {
      await session.run(warmUpFeeds(version.signature));
    } catch (error) {
      await session.release();
      throw error;
    }
    return new LoadedModel(version, session, options, observeRun);
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
    await this.session.release();
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
          return this.session.run(feeds);
        },
        {
          maxBatch,
          maxDelayMs,
          maxQueueRows: Math.max(this.options.maxQueueRows, maxBatch),
          timeoutMs: this.options.timeoutMs,
          maxConcurrentRuns: this.options.concurrentRuns,
          label: this.key,
        },
      );
      if (this.closed) void batcher.drain();
      this.batchers.set(key, batcher);
    }
    return batcher;
  }
}
