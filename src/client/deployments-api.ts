/** SDK methods for deployments: create, read, change (compare-and-set revisions), roll back. */
import type { Page, PageRequest } from '../core/pagination.js';
import type {
  FeedbackInput,
  FeedbackItem,
  FeedbackResult,
  LiveMetricPoint,
  LiveStatus,
} from '../monitoring/feedback/index.js';
import {
  decodePoint,
  decodeStatus,
  type WireLiveStatus,
  type WirePoint,
} from '../monitoring/feedback/wire.js';
import type { PolicyDecision } from '../monitoring/policy/index.js';
import type {
  CreateDeploymentInput,
  Deployment,
  DeploymentRevision,
  DeploymentStatus,
  PredictResponse,
  RollbackInput,
  UpdateDeploymentInput,
  V2InferRequest,
  V2Response,
} from '../serving/index.js';
import { DeploymentPolicyApi } from './deployment-policy-api.js';
import type { HttpClient } from './http-client.js';

const path = (name: string) => `/api/v1/deployments/${encodeURIComponent(name)}`;

export class DeploymentsApi {
  /** The deployment's champion/challenger policy: `sw.deployments.policy.set/get/delete/evaluate(name, …)`. */
  readonly policy: DeploymentPolicyApi;

  constructor(private readonly http: HttpClient) {
    this.policy = new DeploymentPolicyApi(http);
  }

  /** Decisions of the deployment's policy, newest first. */
  decisions(name: string, page: PageRequest = {}): Promise<Page<PolicyDecision>> {
    return this.http.request('GET', `${path(name)}/decisions`, { query: { ...page } });
  }

  /**
   * `sw.deployments.create('churn', { routes: [{ model: 'churn@champion', weight: 90 }, { model: 'churn@challenger' }] })`
   * — a route without a weight takes what the others leave of 100.
   */
  create(name: string, input: CreateDeploymentInput): Promise<Deployment> {
    return this.http.request('POST', '/api/v1/deployments', { body: { name, ...input } });
  }

  get(name: string): Promise<Deployment> {
    return this.http.request('GET', path(name));
  }

  async list(): Promise<readonly Deployment[]> {
    const page: { items: readonly Deployment[] } = await this.http.request('GET', '/api/v1/deployments');
    return page.items;
  }

  /** A new revision; with `expectedRevision` only if the deployment is still at it (409 otherwise). */
  update(name: string, input: UpdateDeploymentInput): Promise<Deployment> {
    return this.http.request('PATCH', path(name), { body: input });
  }

  /** Deletes the deployment and its revisions (admin); answers what it served. */
  delete(name: string, options: { expectedRevision?: number } = {}): Promise<Deployment> {
    return this.http.request('DELETE', path(name), { query: { expectedRevision: options.expectedRevision } });
  }

  /** Serves again what an earlier revision served (default: the one before the current). */
  rollback(name: string, input: RollbackInput = {}): Promise<Deployment> {
    return this.http.request('POST', `${path(name)}/rollback`, { body: input });
  }

  /**
   * Named features in, predictions out: `sw.deployments.predict('churn', [{ tenure: 3, plan: 'pro' }])`.
   * `headers` carry a header routing key (e.g. `{ 'x-user-id': 'u-42' }`).
   */
  predict(
    name: string,
    instances: readonly Record<string, unknown>[],
    options: { headers?: Readonly<Record<string, string>> } = {},
  ): Promise<PredictResponse> {
    return this.http.request('POST', `${path(name)}/predict`, {
      body: { instances },
      ...(options.headers === undefined ? {} : { headers: options.headers }),
    });
  }

  /** An Open Inference Protocol (KServe V2) request to the deployment. */
  infer(
    name: string,
    request: V2InferRequest,
    options: { headers?: Readonly<Record<string, string>> } = {},
  ): Promise<V2Response> {
    return this.http.request('POST', `/v2/models/${encodeURIComponent(name)}/infer`, {
      body: request,
      ...(options.headers === undefined ? {} : { headers: options.headers }),
    });
  }

  /** Live figures per route over the last `windowSeconds` (default 300), as the server saw them. */
  status(
    name: string,
    windowSeconds?: number,
    options: { since?: TimeInput } = {},
  ): Promise<LiveStatus & DeploymentStatus> {
    return this.http
      .request<WireLiveStatus>('GET', `${path(name)}/status`, {
        query: { window: windowSeconds, since: timeParam(options.since) },
      })
      .then(decodeStatus);
  }

  /**
   * True labels for logged predictions: `sw.deployments.feedback('churn', [{ requestId, label: 1 }])`,
   * or by an id feature: `sw.deployments.feedback('churn', { key: 'customer_id', labels: [{ id: 42, label: 1 }] })`.
   * Answers what was accepted, and the duplicates, unknown ids and late labels.
   */
  feedback(name: string, labels: readonly FeedbackItem[] | FeedbackInput): Promise<FeedbackResult> {
    const body: FeedbackInput = isItemList(labels) ? { labels } : labels;
    return this.http.request('POST', `${path(name)}/feedback`, { body });
  }

  /** The hourly live-performance time series per model version (default: the last 7 days). */
  async metrics(
    name: string,
    query: { since?: TimeInput; until?: TimeInput; model?: string; metric?: string } = {},
  ): Promise<{ deployment: string; items: LiveMetricPoint[] }> {
    const page = await this.http.request<{ deployment: string; items: WirePoint[] }>(
      'GET',
      `${path(name)}/metrics`,
      {
        query: {
          since: timeParam(query.since),
          until: timeParam(query.until),
          model: query.model,
          metric: query.metric,
        },
      },
    );
    return { deployment: page.deployment, items: page.items.map(decodePoint) };
  }

  revisions(name: string, page: PageRequest = {}): Promise<Page<DeploymentRevision>> {
    return this.http.request('GET', `${path(name)}/revisions`, { query: { ...page } });
  }

  revision(name: string, revision: number): Promise<DeploymentRevision> {
    return this.http.request('GET', `${path(name)}/revisions/${revision}`);
  }
}

/** A time for a query: a Date, epoch milliseconds or an ISO 8601 string. */
export type TimeInput = Date | number | string;

function timeParam(time: TimeInput | undefined): string | undefined {
  if (time === undefined) return undefined;
  return time instanceof Date ? time.toISOString() : String(time);
}

function isItemList(labels: readonly FeedbackItem[] | FeedbackInput): labels is readonly FeedbackItem[] {
  return Array.isArray(labels);
}
