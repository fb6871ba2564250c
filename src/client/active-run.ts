/**
 * A run being logged to. Metric points are buffered and sent in batches in the background, at most
 * a few requests in flight, so a training loop calls logMetric() without waiting on the network.
 * `flush()` and `end()` wait for everything sent so far; a failed batch is reported by the next
 * call, never dropped silently.
 */
import { SlipwayError } from '../core/errors.js';
import type { ArtifactInfo, MetricInput, ParamValue, Run, RunStatus } from '../tracking/index.js';
import type { ArtifactSource, ArtifactsApi } from './artifacts-api.js';
import type { RunsApi } from './tracking-api.js';

export interface BatchingOptions {
  /** Points per request (default 5,000; the server takes at most 10,000). */
  readonly batchSize?: number;
  /** Concurrent batch requests for this run (default 2). */
  readonly maxInFlight?: number;
  /** A partial batch is sent after this long (default 1,000 ms). */
  readonly flushIntervalMs?: number;
}

export class ActiveRun {
  private buffer: MetricInput[] = [];
  private readonly queue: MetricInput[][] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  private readonly timer: NodeJS.Timeout;
  private readonly batchSize: number;
  private readonly maxInFlight: number;

  constructor(
    private current: Run,
    private readonly runs: RunsApi,
    private readonly artifacts: ArtifactsApi,
    options: BatchingOptions = {},
  ) {
    this.batchSize = Math.min(options.batchSize ?? 5_000, 10_000);
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 2);
    this.timer = setInterval(() => this.cut(), options.flushIntervalMs ?? 1_000);
    this.timer.unref();
  }

  get id(): string {
    return this.current.id;
  }

  /** The run as last returned by the server (params, tags, status; metrics as of the last refresh). */
  get info(): Run {
    return this.current;
  }

  /** Buffers one point. Throws if an earlier batch failed, so a broken run stops early. */
  logMetric(key: string, value: number, step = 0, timestamp: number = Date.now()): void {
    this.throwIfFailed();
    this.buffer.push({ key, value, step, timestamp });
    if (this.buffer.length >= this.batchSize) this.cut();
  }

  /** Buffers several metrics at one step: `run.logMetrics({ loss, accuracy }, epoch)`. */
  logMetrics(values: Readonly<Record<string, number>>, step = 0, timestamp: number = Date.now()): void {
    for (const key of Object.keys(values)) this.logMetric(key, values[key]!, step, timestamp);
  }

  async logParams(params: Readonly<Record<string, ParamValue>>): Promise<void> {
    this.current = await this.runs.logParams(this.id, params);
  }

  /** Records the dataset versions the run reads (`run.logInputs(['churn-train@3'])`), for lineage. */
  async logInputs(datasets: readonly string[]): Promise<void> {
    await this.runs.logInputs(this.id, datasets);
  }

  async setTags(tags: Readonly<Record<string, string | null>>): Promise<void> {
    this.current = await this.runs.setTags(this.id, tags);
  }

  /** Uploads a local file (default artifact path: the file's name). */
  logArtifact(source: ArtifactSource, artifactPath?: string): Promise<ArtifactInfo> {
    const path = artifactPath ?? (typeof source === 'string' ? source.split(/[\\/]/).pop()! : undefined);
    if (path === undefined) throw new TypeError('logArtifact needs an artifact path for in-memory sources');
    return this.artifacts.put(this.id, path, source);
  }

  /** Sends every buffered point and waits until the server has acknowledged all of them. */
  async flush(): Promise<void> {
    this.cut();
    while (this.inFlight.size > 0 || this.queue.length > 0) {
      await Promise.allSettled([...this.inFlight]);
      this.pump();
    }
    this.throwIfFailed();
  }

  /** Flushes, then marks the run finished (or failed/killed) and returns it. */
  async end(status: Exclude<RunStatus, 'running'> = 'finished'): Promise<Run> {
    clearInterval(this.timer);
    try {
      await this.flush();
    } catch (error) {
      // The metrics are lost; the run must not claim success.
      this.current = await this.runs.update(this.id, { status: 'failed' });
      throw error;
    }
    this.current = await this.runs.update(this.id, { status });
    return this.current;
  }

  private cut(): void {
    if (this.buffer.length > 0) {
      this.queue.push(this.buffer);
      this.buffer = [];
    }
    this.pump();
  }

  private pump(): void {
    while (this.inFlight.size < this.maxInFlight && this.queue.length > 0 && this.failure === undefined) {
      const batch = this.queue.shift()!;
      const sending: Promise<void> = this.runs
        .logMetrics(this.id, batch)
        .then(
          () => undefined,
          (error: unknown) => {
            this.failure ??= error;
          },
        )
        .finally(() => {
          this.inFlight.delete(sending);
          this.pump();
        });
      this.inFlight.add(sending);
    }
  }

  private throwIfFailed(): void {
    if (this.failure === undefined) return;
    const error = this.failure;
    if (error instanceof SlipwayError) throw error;
    throw error instanceof Error ? error : new Error(String(error));
  }
}
