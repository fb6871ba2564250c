/** SDK methods for experiments, runs and metrics: one method per REST operation. */
import type { Page, PageRequest } from '../core/pagination.js';
import { toWireNumber } from '../core/wire.js';
import type { RunInputs } from '../data/index.js';

/** The largest page the server gives for metric history. */
const MAX_HISTORY_PAGE = 25_000;

import type {
  CreateExperimentInput,
  CreateRunInput,
  Experiment,
  ListExperimentsInput,
  ListRunsInput,
  MetricInput,
  MetricPoint,
  MetricSeriesInput,
  ParamValue,
  Run,
  RunComparison,
  SearchRunsInput,
  UpdateExperimentInput,
  UpdateRunInput,
} from '../tracking/index.js';
import {
  decodeComparison,
  decodePoint,
  decodeRun,
  decodeRunPage,
  type WireComparison,
  type WirePoint,
  type WireRun,
} from './decode.js';
import { encodePath, type HttpClient } from './http-client.js';

export interface CreateOptions {
  /** Sent as Idempotency-Key: a retry with the same key returns the first result. */
  readonly idempotencyKey?: string;
}

const idem = (options: CreateOptions) =>
  options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey };
const id = encodeURIComponent;

export class ExperimentsApi {
  constructor(private readonly http: HttpClient) {}

  create(input: CreateExperimentInput, options: CreateOptions = {}): Promise<Experiment> {
    return this.http.request('POST', '/api/v1/experiments', { body: input, ...idem(options) });
  }

  /** By id or name. */
  get(idOrName: string): Promise<Experiment> {
    return this.http.request('GET', `/api/v1/experiments/${id(idOrName)}`);
  }

  list(input: ListExperimentsInput = {}): Promise<Page<Experiment>> {
    return this.http.request('GET', '/api/v1/experiments', { query: { ...input } });
  }

  update(idOrName: string, input: UpdateExperimentInput): Promise<Experiment> {
    return this.http.request('PATCH', `/api/v1/experiments/${id(idOrName)}`, { body: input });
  }

  delete(idOrName: string): Promise<Experiment> {
    return this.http.request('DELETE', `/api/v1/experiments/${id(idOrName)}`);
  }

  restore(idOrName: string): Promise<Experiment> {
    return this.http.request('POST', `/api/v1/experiments/${id(idOrName)}/restore`);
  }
}

export class RunsApi {
  constructor(private readonly http: HttpClient) {}

  async create(input: CreateRunInput, options: CreateOptions = {}): Promise<Run> {
    return decodeRun(
      await this.http.request<WireRun>('POST', '/api/v1/runs', { body: input, ...idem(options) }),
    );
  }

  async get(runId: string): Promise<Run> {
    return decodeRun(await this.http.request<WireRun>('GET', `/api/v1/runs/${id(runId)}`));
  }

  async list(input: ListRunsInput): Promise<Page<Run>> {
    return decodeRunPage(
      await this.http.request<Page<WireRun>>('GET', '/api/v1/runs', { query: { ...input } }),
    );
  }

  async update(runId: string, input: UpdateRunInput): Promise<Run> {
    return decodeRun(await this.http.request<WireRun>('PATCH', `/api/v1/runs/${id(runId)}`, { body: input }));
  }

  async search(input: SearchRunsInput = {}): Promise<Page<Run>> {
    return decodeRunPage(
      await this.http.request<Page<WireRun>>('POST', '/api/v1/runs/search', { body: input }),
    );
  }

  async compare(runIds: readonly string[]): Promise<RunComparison> {
    return decodeComparison(
      await this.http.request<WireComparison>('GET', '/api/v1/runs/compare', {
        query: { ids: runIds.join(',') },
      }),
    );
  }

  async logParams(runId: string, params: Readonly<Record<string, ParamValue>>): Promise<Run> {
    return decodeRun(
      await this.http.request<WireRun>('POST', `/api/v1/runs/${id(runId)}/params`, { body: { params } }),
    );
  }

  /** Records the dataset versions (`orders@7`, `orders@latest`) the run read, for lineage. */
  logInputs(runId: string, datasets: readonly string[]): Promise<RunInputs> {
    return this.http.request('POST', `/api/v1/runs/${id(runId)}/inputs`, { body: { datasets } });
  }

  async setTags(runId: string, tags: Readonly<Record<string, string | null>>): Promise<Run> {
    return decodeRun(
      await this.http.request<WireRun>('POST', `/api/v1/runs/${id(runId)}/tags`, { body: { tags } }),
    );
  }

  /**
   * One batch, written all or nothing (at most 10,000 points). Sent as series (columns per key):
   * about half the bytes of one object per point, and much cheaper for both sides to encode and parse.
   */
  logMetrics(runId: string, metrics: readonly MetricInput[]): Promise<{ accepted: number }> {
    return this.logMetricSeries(runId, toSeries(metrics));
  }

  /** One batch given as columns per key; `steps` and `timestamps`, when given, have one entry per value. */
  logMetricSeries(runId: string, series: readonly MetricSeriesInput[]): Promise<{ accepted: number }> {
    const body = {
      series: series.map((entry) =>
        entry.values.every(Number.isFinite) ? entry : { ...entry, values: entry.values.map(toWireNumber) },
      ),
    };
    return this.http.request('POST', `/api/v1/runs/${id(runId)}/metrics`, { body });
  }

  async metricHistory(runId: string, key: string, page: PageRequest = {}): Promise<Page<MetricPoint>> {
    const wire = await this.http.request<Page<WirePoint>>(
      'GET',
      `/api/v1/runs/${id(runId)}/metrics/${encodePath(key)}`,
      { query: { ...page } },
    );
    return { ...wire, items: wire.items.map(decodePoint) };
  }
  /** Every point of one metric (or the first `limit`), fetching as many pages as it takes. */
  async metricHistoryAll(
    runId: string,
    key: string,
    options: { limit?: number } = {},
  ): Promise<MetricPoint[]> {
    const points: MetricPoint[] = [];
    let pageToken: string | undefined;
    do {
      const wanted = Math.min(MAX_HISTORY_PAGE, (options.limit ?? Number.POSITIVE_INFINITY) - points.length);
      const page = await this.metricHistory(runId, key, {
        limit: wanted,
        ...(pageToken === undefined ? {} : { pageToken }),
      });
      points.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined && (options.limit === undefined || points.length < options.limit));
    return points;
  }
}

/**
 * Groups points into series, keeping each key's points in order. Points that leave out their step or
 * timestamp go in a series of their own without that column, so the server's defaults still apply.
 */
function toSeries(points: readonly MetricInput[]): MetricSeriesInput[] {
  const byShape = new Map<
    string,
    { key: string; values: number[]; steps?: number[]; timestamps?: number[] }
  >();
  for (const point of points) {
    const hasStep = point.step !== undefined;
    const hasTimestamp = point.timestamp !== undefined;
    const shape = `${hasStep ? 's' : '-'}${hasTimestamp ? 't' : '-'}${point.key}`;
    let series = byShape.get(shape);
    if (series === undefined) {
      series = {
        key: point.key,
        values: [],
        ...(hasStep ? { steps: [] } : {}),
        ...(hasTimestamp ? { timestamps: [] } : {}),
      };
      byShape.set(shape, series);
    }
    series.values.push(point.value);
    series.steps?.push(point.step!);
    series.timestamps?.push(point.timestamp!);
  }
  return [...byShape.values()];
}
