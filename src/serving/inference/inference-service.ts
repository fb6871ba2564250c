/**
 * Answers inference requests: picks a deployment's route (by weight, or by the routing key), decodes
 * the request against that version's signature, runs it through the version's batcher, and answers
 * with the outputs and the version that served them. The route is picked and the request handed to
 * the batcher in the same tick, so a revision switch never strands it. A shadow gets a copy of a
 * fraction of requests; its result and failures never touch the primary answer, and its answers
 * are compared with the primary's. Every answer is counted (metrics, live route figures) and logged.
 */
import type * as ort from 'onnxruntime-node';
import { SlipwayError, UnavailableError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { formatReference, parseVersionNumber } from '../../core/references.js';
import type { Registry } from '../../registry/index.js';
import type { DeploymentService } from '../deployments/deployment-service.js';
import { decodeInstances, encodePredictions, type PredictResult } from '../protocols/predict-rows.js';
import { type V2ModelMetadata, v2ModelMetadata } from '../protocols/v2-metadata.js';
import { decodeInputs, encodeOutputs, resolveOutputs, type V2OutputTensor } from '../protocols/v2-tensors.js';
import type { ActiveDeployment, ActiveDeployments, ActiveRoute } from '../runtime/active-deployments.js';
import type { LoadedModel } from '../runtime/loaded-model.js';
import { IDLE_GRACE_MS, type ModelRuntime } from '../runtime/model-runtime.js';
import { pickRoute } from '../runtime/router.js';
import { toWire } from '../runtime/session-wire.js';
import type { InferenceLog, LogPayload } from './inference-log.js';
import { type RouteFigures, RouteStats } from './route-stats.js';
import { outcomeOf, type ServingMetrics } from './serving-metrics.js';
import { answersDiffer } from './shadow-comparison.js';
import { firstInputValue, parseV2Request, type V2Request } from './v2-request.js';

export interface V2Response {
  readonly model_name: string;
  readonly model_version: string;
  readonly id: string;
  readonly outputs: readonly V2OutputTensor[];
}

export interface PredictResponse extends PredictResult {
  /** `churn@3`: the version that answered. */
  readonly modelVersion: string;
  readonly requestId: string;
}

export interface InferenceAnswer<T> {
  readonly body: T;
  /** `churn@3`: the version that answered. */
  readonly servedBy: string;
}

/** Request facts routing may use. */
export interface RequestFacts {
  readonly requestId: string;
  header(name: string): string | undefined;
}

export interface RouteStatus extends RouteFigures {
  readonly reference: string;
  readonly model: string;
  readonly version: number;
  readonly weight: number;
  readonly requestsPerSecond: number;
}

export interface DeploymentStatus {
  readonly deployment: string;
  /** The deployment's current revision, and the one this server serves (they differ while it loads). */
  readonly revision: number;
  readonly servingRevision: number | null;
  readonly windowSeconds: number;
  readonly routes: readonly RouteStatus[];
  readonly shadow: (RouteStatus & { readonly fraction: number; readonly disagreements: number }) | null;
  /** Why the current revision is not served here, if it failed to load. */
  readonly loadError?: string;
}

type Feeds = Record<string, ort.Tensor>;

/** One decoded request ready to run on a model version. */
interface Prepared {
  readonly feeds: Feeds;
  readonly rows: number;
}

/** How one protocol decodes a request for a version, answers it, and puts it in row form for the log. */
interface Protocol<T> {
  prepare(loaded: LoadedModel): Prepared;
  answer(loaded: LoadedModel, outputs: Feeds, prepared: Prepared): InferenceAnswer<T>;
  /**
   * The request and its answer for the inference log, as plain data (it is written on another
   * thread); `answer` gives the answer (made on demand for a shadow, which answers nobody).
   */
  logPayload(prepared: Prepared, outputs: Feeds, answer: () => InferenceAnswer<T>): LogPayload;
}

const NO_BATCHING = { maxBatch: 1, maxDelayMs: 0 } as const;

export class InferenceService {
  private readonly stats = new RouteStats();
  private readonly disagreements = new Map<string, number>();

  constructor(
    private readonly active: ActiveDeployments,
    private readonly runtime: ModelRuntime,
    private readonly deployments: DeploymentService,
    private readonly registry: Registry,
    private readonly metrics: ServingMetrics,
    private readonly log: InferenceLog,
    private readonly logger?: Logger,
  ) {}

  /** POST /v2/models/{deployment}/infer */
  async infer(name: string, body: unknown, facts: RequestFacts): Promise<InferenceAnswer<V2Response>> {
    const deployment = await this.serving(name);
    const request = parseV2Request(body);
    const key = routingValue(deployment, facts, () =>
      deployment.routingKey === null
        ? undefined
        : firstInputValue(request.inputs, deployment.routingKey.name),
    );
    const route = pickRoute(deployment.routes, key);
    // The log keys rows by the id the answer carries: the client's own, when it sent one.
    const answered = request.id === undefined ? facts : { ...facts, requestId: request.id };
    return this.serve(deployment, route, answered, {
      prepare: (loaded) => decodeInputs(request.inputs, loaded.version.signature),
      answer: (loaded, outputs) => v2Answer(loaded, deployment.name, request, outputs, facts),
      logPayload: (prepared, outputs) => ({
        kind: 'tensors',
        inputs: toWire(prepared.feeds),
        outputs: toWire(outputs),
      }),
    });
  }

  /** POST /api/v1/deployments/{name}/predict: named features in, predictions (and probabilities) out. */
  async predict(name: string, body: unknown, facts: RequestFacts): Promise<InferenceAnswer<PredictResponse>> {
    const deployment = await this.serving(name);
    const instances = (body as { instances?: unknown } | null)?.instances;
    const key = deployment.routingKey;
    const route = pickRoute(
      deployment.routes,
      routingValue(deployment, facts, () => {
        const first = Array.isArray(instances)
          ? (instances[0] as Record<string, unknown> | undefined)
          : undefined;
        const value = key === null ? undefined : first?.[key.name];
        return value === undefined || value === null || typeof value === 'object' ? undefined : String(value);
      }),
    );
    const ignoreKeys = key?.source === 'input' ? [key.name] : [];
    return this.serve(deployment, route, facts, {
      prepare: (loaded) => decodeInstances(instances, loaded.version, { ignoreKeys }),
      answer: (loaded, outputs, prepared) => {
        const servedBy = formatReference(loaded.version.model, loaded.version.version);
        return {
          body: {
            ...encodePredictions(outputs, prepared.rows, loaded.version),
            modelVersion: servedBy,
            requestId: facts.requestId,
          },
          servedBy,
        };
      },
      logPayload: (prepared, _outputs, answer) => {
        const { predictions, probabilities } = answer().body;
        return {
          kind: 'predictions',
          features: (instances as unknown[]).slice(0, prepared.rows),
          predictions,
          probabilities,
        };
      },
    });
  }

  /** POST /v2/models/{model}/versions/{n}/infer: a registered version, without a deployment. */
  async inferVersion(
    model: string,
    rawVersion: string,
    body: unknown,
    facts: RequestFacts,
  ): Promise<InferenceAnswer<V2Response>> {
    const request = parseV2Request(body);
    return this.withVersion(model, rawVersion, async (loaded) => {
      const { feeds, rows } = decodeInputs(request.inputs, loaded.version.signature);
      const { outputs } = await loaded.run(feeds, rows, NO_BATCHING);
      return v2Answer(loaded, loaded.version.model, request, outputs, facts);
    });
  }

  /**
   * Named-feature rows through a registered version, without a deployment or the inference log
   * (monitoring's reference predictions). `ignoreKeys` are columns that are not model inputs.
   */
  async predictVersion(
    model: string,
    version: number,
    instances: readonly Record<string, unknown>[],
    ignoreKeys: readonly string[] = [],
  ): Promise<PredictResult> {
    return this.withVersion(model, String(version), async (loaded) => {
      const prepared = decodeInstances(instances, loaded.version, {
        ignoreKeys,
        maxRows: instances.length,
      });
      const { outputs } = await loaded.run(prepared.feeds, prepared.rows, NO_BATCHING);
      return encodePredictions(outputs, prepared.rows, loaded.version);
    });
  }

  /** The deployment as served now: 404 if it does not exist, 503 while its first revision loads. */
  async serving(name: string): Promise<ActiveDeployment> {
    const key = name.trim().toLowerCase();
    const active = this.active.get(key);
    if (active !== undefined) return active;
    // An unknown name is a 404 from one lookup; only a real deployment not loaded yet costs a refresh.
    const deployment = await this.deployments.get(name);
    await this.active.refresh();
    const loaded = this.active.get(deployment.name);
    if (loaded !== undefined) return loaded;
    const failure = this.active.loadFailure(deployment.name);
    throw new UnavailableError(
      `deployment '${deployment.name}' is not serving yet${failure === undefined ? '' : `: ${failure.message}`}`,
      { deployment: deployment.name },
    );
  }

  /** Runs `work` with the version loaded (held for the call, kept warm a while after). */
  async withVersion<T>(
    model: string,
    rawVersion: string,
    work: (loaded: LoadedModel) => Promise<T>,
  ): Promise<T> {
    const version = parseVersionNumber('version', rawVersion);
    const resolved = await this.registry.versions.resolve({ name: model, version });
    const reference = { model: resolved.model, version: resolved.version, digest: resolved.digest };
    const loaded = await this.runtime.acquire(reference);
    try {
      return await work(loaded);
    } finally {
      this.runtime.release(reference, IDLE_GRACE_MS);
    }
  }

  /** Whether the deployment's current revision is loaded here. */
  async isReady(name: string): Promise<boolean> {
    const deployment = await this.deployments.get(name);
    const active = this.active.get(deployment.name);
    return active !== undefined && active.revision === deployment.revision;
  }

  /** GET /v2/models/{deployment}: the signature of the route with the most traffic, and every version served. */
  async metadata(name: string): Promise<V2ModelMetadata> {
    const deployment = await this.serving(name);
    const primary = deployment.routes.reduce((best, route) => (route.weight > best.weight ? route : best));
    const versions = [...new Set(deployment.routes.map((route) => route.loaded.version.version))];
    return v2ModelMetadata(deployment.name, versions, primary.loaded.version.signature);
  }

  /** GET /v2/models/{model}/versions/{n} */
  async versionMetadata(model: string, rawVersion: string): Promise<V2ModelMetadata> {
    const version = await this.registry.versions.resolve({
      name: model,
      version: parseVersionNumber('version', rawVersion),
    });
    return v2ModelMetadata(version.model, [version.version], version.signature);
  }

  /** Routes, weights and the live figures of each over the last `windowSeconds`, as this server saw them. */
  async status(name: string, windowSeconds: number): Promise<DeploymentStatus> {
    const deployment = await this.deployments.get(name);
    const active = this.active.get(deployment.name);
    const windowMs = windowSeconds * 1000;
    const figures = (reference: string, model: string, version: number, weight: number): RouteStatus => {
      const numbers = this.stats.figures(deployment.name, routeKey(reference, model, version), windowMs);
      return {
        reference,
        model,
        version,
        weight,
        ...numbers,
        requestsPerSecond: numbers.requests / windowSeconds,
      };
    };
    const shadow = deployment.shadow;
    const failure = this.active.loadFailure(deployment.name);
    return {
      deployment: deployment.name,
      revision: deployment.revision,
      servingRevision: active?.revision ?? null,
      windowSeconds,
      routes: deployment.routes.map((route) =>
        figures(route.reference, route.model, route.version, route.weight),
      ),
      shadow:
        shadow === null
          ? null
          : {
              ...figures(`shadow:${shadow.reference}`, shadow.model, shadow.version, 0),
              reference: shadow.reference,
              fraction: shadow.fraction,
              disagreements: this.disagreements.get(deployment.name) ?? 0,
            },
      ...(failure === undefined || failure.revision !== deployment.revision
        ? {}
        : { loadError: failure.message }),
    };
  }

  /**
   * Runs a request on the picked route: decoding and the hand-off to the batcher happen before the
   * first await. Counts and logs the outcome; copies the request to the shadow when it is drawn.
   */
  private async serve<T>(
    deployment: ActiveDeployment,
    route: ActiveRoute,
    facts: RequestFacts,
    protocol: Protocol<T>,
  ): Promise<InferenceAnswer<T>> {
    const started = performance.now();
    const loaded = route.loaded;
    let prepared: Prepared;
    let running: Promise<{ outputs: Feeds }>;
    try {
      prepared = protocol.prepare(loaded);
      running = loaded.run(prepared.feeds, prepared.rows, deployment.batching);
    } catch (error) {
      this.count(deployment, route.reference, loaded, started, error);
      throw error;
    }
    const shadow = deployment.shadow;
    if (shadow !== null && Math.random() < shadow.fraction)
      this.runShadow(deployment, shadow.reference, shadow.loaded, protocol, running, facts);
    let outputs: Feeds;
    try {
      ({ outputs } = await running);
    } catch (error) {
      this.count(deployment, route.reference, loaded, started, error);
      throw error;
    }
    const answer = protocol.answer(loaded, outputs, prepared);
    this.answered(deployment, route.reference, loaded, started, facts, prepared, () =>
      protocol.logPayload(prepared, outputs, () => answer),
    );
    return answer;
  }

  private runShadow(
    deployment: ActiveDeployment,
    reference: string,
    loaded: LoadedModel,
    protocol: Protocol<unknown>,
    primary: Promise<{ outputs: Feeds }>,
    facts: RequestFacts,
  ): void {
    const started = performance.now();
    const route = `shadow:${reference}`;
    this.metrics.shadow(deployment.name, 'request');
    const fail = (error: unknown) => {
      this.metrics.shadow(deployment.name, 'failure');
      this.count(deployment, route, loaded, started, error);
      this.logger?.debug({ deployment: deployment.name, err: error }, 'shadow inference failed');
    };
    let prepared: Prepared;
    let running: Promise<{ outputs: Feeds }>;
    try {
      prepared = protocol.prepare(loaded);
      running = loaded.run(prepared.feeds, prepared.rows, deployment.batching);
    } catch (error) {
      fail(error);
      return;
    }
    running.then(async ({ outputs }) => {
      this.answered(deployment, route, loaded, started, facts, prepared, () =>
        protocol.logPayload(prepared, outputs, () => protocol.answer(loaded, outputs, prepared)),
      );
      const main = await primary.catch(() => undefined);
      if (main !== undefined && answersDiffer(main.outputs, outputs)) {
        this.metrics.shadow(deployment.name, 'disagreement');
        this.disagreements.set(deployment.name, (this.disagreements.get(deployment.name) ?? 0) + 1);
      }
    }, fail);
  }

  /** Counts an answer and puts it in the inference log (the shadow's under `shadow:<reference>`). */
  private answered(
    deployment: ActiveDeployment,
    route: string,
    loaded: LoadedModel,
    started: number,
    facts: RequestFacts,
    prepared: Prepared,
    payload: () => LogPayload,
  ): void {
    const latencyMs = this.count(deployment, route, loaded, started, undefined);
    this.log.record(
      {
        at: Date.now(),
        requestId: facts.requestId,
        deployment: deployment.name,
        revision: deployment.revision,
        route,
        model: loaded.version.model,
        version: loaded.version.version,
        shadow: route.startsWith('shadow:'),
        latencyMs,
        rowCount: prepared.rows,
      },
      payload,
    );
  }

  /** Counts one answer (or failure) of a route; returns its latency in ms. */
  private count(
    deployment: ActiveDeployment,
    reference: string,
    loaded: LoadedModel,
    started: number,
    error: unknown,
  ): number {
    const latencyMs = performance.now() - started;
    const status = error instanceof SlipwayError ? error.status : 500;
    const outcome =
      error === undefined ? 'ok' : outcomeOf(error instanceof SlipwayError ? error.code : undefined, status);
    this.metrics.request(deployment.name, loaded.key, outcome, latencyMs / 1000);
    const kind = error === undefined ? 'ok' : status < 500 ? 'invalid' : 'error';
    this.stats.record(
      deployment.name,
      routeKey(reference, loaded.version.model, loaded.version.version),
      latencyMs,
      kind,
    );
    return latencyMs;
  }
}

function routeKey(reference: string, model: string, version: number): string {
  return `${reference}\u0000${model}@${version}`;
}

function v2Answer(
  loaded: LoadedModel,
  modelName: string,
  request: V2Request,
  outputs: Feeds,
  facts: RequestFacts,
): InferenceAnswer<V2Response> {
  const signature = loaded.version.signature;
  const wanted = resolveOutputs(request.outputs, signature);
  return {
    body: {
      model_name: modelName,
      model_version: String(loaded.version.version),
      id: request.id ?? facts.requestId,
      outputs: encodeOutputs(outputs, wanted, signature),
    },
    servedBy: loaded.key,
  };
}

function routingValue(
  deployment: ActiveDeployment,
  facts: RequestFacts,
  fromInput: () => string | undefined,
): string | undefined {
  const key = deployment.routingKey;
  if (key === null) return undefined;
  return key.source === 'header' ? facts.header(key.name) : fromInput();
}
