/**
 * SDK methods for pipelines: apply a pipeline file (spec, fn bundles and a files snapshot in one
 * package) or a spec, read versions, start runs and follow them, cancel, retry, read step logs.
 */
import type { Page, PageRequest } from '../core/pagination.js';
import type { PipelineSpec } from '../pipelines/definition/index.js';
import type {
  ExecutorName,
  PipelineInfo,
  PipelineRunInfo,
  PipelineRunStatus,
  PipelineVersionInfo,
} from '../pipelines/entities.js';
import type { PipelineSchedules, WorkerList } from '../pipelines/index.js';
import type { ApplyResult } from '../pipelines/pipeline-service.js';
import type { LogChunk } from '../pipelines/run-service.js';
import type { HttpClient } from './http-client.js';

export interface ApplyFileResult extends ApplyResult {
  /** Bundle size in bytes of each fn step's code, by step name. */
  readonly bundleSizes: Readonly<Record<string, number>>;
  /** How many files of the pipeline directory were shipped. */
  readonly snapshotFiles: number;
}

export interface ListPipelinesQuery extends PageRequest {
  readonly nameContains?: string;
}

export interface ListPipelineRunsQuery extends PageRequest {
  readonly pipeline?: string;
  readonly status?: PipelineRunStatus;
}

export interface RunPipelineOptions {
  /** Values by param name; text is converted to the declared type. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Default: the latest version. */
  readonly version?: number;
  /** Default 'local'. */
  readonly executor?: ExecutorName;
  /** False runs every step anew. */
  readonly useCache?: boolean;
}

export interface PipelineLogsQuery {
  readonly step?: string;
  readonly item?: number;
  /** Only chunks after this sequence number (needs `step`). */
  readonly afterSeq?: number;
}

export interface WaitForRunOptions {
  /** Default 1000 ms. */
  readonly intervalMs?: number;
  /** Called with the run each time it is polled, including the last time. */
  readonly onUpdate?: (run: PipelineRunInfo) => void;
  readonly signal?: AbortSignal;
}

const FINISHED: readonly PipelineRunStatus[] = ['succeeded', 'failed', 'cancelled'];

const pipelinePath = (name: string) => `/api/v1/pipelines/${encodeURIComponent(name)}`;
const runPath = (id: string) => `/api/v1/pipeline-runs/${encodeURIComponent(id)}`;

export class PipelinesApi {
  constructor(private readonly http: HttpClient) {}

  /**
   * Applies a pipeline file (YAML, or a module exporting `definePipeline(…)`): validates it, bundles
   * every fn step's module, snapshots the directory when command steps need it, and uploads it all as
   * one package. Answers the new version, or the latest one unchanged (`created: false`).
   */
  async apply(file: string): Promise<ApplyFileResult> {
    // Loaded on demand: packaging pulls in esbuild, which most SDK users never need.
    const packaging = await import('../pipelines/package/index.js');
    const loaded = await packaging.loadPipelineFile(file);
    const bundles = await packaging.bundleFnSteps(loaded.pipeline, loaded.file);
    const files = await packaging.snapshotFiles(loaded.pipeline, loaded.file);
    const body = packaging.writeApplyPackage({ spec: loaded.spec, source: loaded.file, bundles, files });
    const response = await this.http.raw('POST', '/api/v1/pipelines/package', {
      headers: { 'content-type': 'application/x-tar' },
      body,
    });
    const result = (await response.body.json()) as ApplyResult;
    return {
      ...result,
      bundleSizes: Object.fromEntries(
        Object.entries(bundles).map(([step, bundle]) => [step, bundle.code.byteLength]),
      ),
      snapshotFiles: Object.keys(files).length,
    };
  }

  /** Applies a definition given as data; steps of kind fn need code, so use `apply(file)` for them. */
  applySpec(spec: PipelineSpec | Readonly<Record<string, unknown>>, source?: string): Promise<ApplyResult> {
    return this.http.request('POST', '/api/v1/pipelines', {
      body: { spec, ...(source === undefined ? {} : { source }) },
    });
  }

  list(query: ListPipelinesQuery = {}): Promise<Page<PipelineInfo>> {
    return this.http.request('GET', '/api/v1/pipelines', { query: { ...query } });
  }

  get(name: string): Promise<PipelineInfo> {
    return this.http.request('GET', pipelinePath(name));
  }

  /** The pipeline's versions, highest first. */
  versions(name: string): Promise<Page<PipelineVersionInfo>> {
    return this.http.request('GET', `${pipelinePath(name)}/versions`);
  }

  version(name: string, version: number): Promise<PipelineVersionInfo> {
    return this.http.request('GET', `${pipelinePath(name)}/versions/${version}`);
  }

  /** Starts a run (in the background): follow it with `waitForRun`. */
  run(name: string, options: RunPipelineOptions = {}): Promise<PipelineRunInfo> {
    return this.http.request('POST', `${pipelinePath(name)}/runs`, {
      body: {
        ...(options.params === undefined ? {} : { params: options.params }),
        ...(options.version === undefined ? {} : { version: options.version }),
        ...(options.executor === undefined ? {} : { executor: options.executor }),
        ...(options.useCache === undefined ? {} : { useCache: options.useCache }),
      },
    });
  }

  /** Pipeline runs, newest first. */
  runs(query: ListPipelineRunsQuery = {}): Promise<Page<PipelineRunInfo>> {
    return this.http.request('GET', '/api/v1/pipeline-runs', { query: { ...query } });
  }

  /** A run with every step (and foreach item). */
  getRun(id: string): Promise<PipelineRunInfo> {
    return this.http.request('GET', runPath(id));
  }

  cancel(id: string): Promise<PipelineRunInfo> {
    return this.http.request('POST', `${runPath(id)}/cancel`);
  }

  /** A new run reusing the steps that succeeded (all, or those upstream of `from`). */
  retry(id: string, options: { from?: string } = {}): Promise<PipelineRunInfo> {
    return this.http.request('POST', `${runPath(id)}/retry`, {
      body: options.from === undefined ? {} : { from: options.from },
    });
  }

  async logs(id: string, query: PipelineLogsQuery = {}): Promise<readonly LogChunk[]> {
    const answer: { chunks: readonly LogChunk[] } = await this.http.request('GET', `${runPath(id)}/logs`, {
      query: { ...query },
    });
    return answer.chunks;
  }

  /** The queue workers alive now (`queue: false` when the server has no Redis). */
  workers(): Promise<WorkerList> {
    return this.http.request('GET', '/api/v1/workers');
  }

  /** Cron schedules and dataset triggers, of one pipeline or of all. */
  schedules(pipeline?: string): Promise<PipelineSchedules> {
    return this.http.request('GET', '/api/v1/pipeline-schedules', {
      query: pipeline === undefined ? {} : { pipeline },
    });
  }

  /** The webhook: starts a run of the latest version, recorded as started by a webhook. */
  trigger(
    name: string,
    options: { params?: Record<string, unknown>; executor?: ExecutorName } = {},
  ): Promise<PipelineRunInfo> {
    return this.http.request('POST', `${pipelinePath(name)}/trigger`, { body: { ...options } });
  }

  /** Polls until the run succeeded, failed or was cancelled, and answers it in that state. */
  async waitForRun(id: string, options: WaitForRunOptions = {}): Promise<PipelineRunInfo> {
    const interval = options.intervalMs ?? 1000;
    for (;;) {
      const run = await this.getRun(id);
      options.onUpdate?.(run);
      if (FINISHED.includes(run.status)) return run;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, interval);
        options.signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            reject(options.signal?.reason);
          },
          { once: true },
        );
      });
      options.signal?.throwIfAborted();
    }
  }
}
