/**
 * Answers inference requests: picks a deployment's route (by weight, or by the routing key), decodes
 * the request against that version's signature, runs it through the version's batcher, and answers
 * with the outputs and the version that served them. The route is picked and the request handed to
 * the batcher in the same tick, so a revision switch never strands it. A shadow gets a copy of a
 * fraction of requests afterwards; its result and failures never touch the primary answer.
 */
import { type NotFoundError, UnavailableError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { formatReference, parseVersionNumber } from '../../core/references.js';
import type { Registry } from '../../registry/index.js';
import type { DeploymentService } from '../deployments/deployment-service.js';
import { deploymentNotFound } from '../deployments/deployment-service.js';
import { decodeInstances, encodePredictions, type PredictResult } from '../protocols/predict-rows.js';
import { type V2ModelMetadata, v2ModelMetadata } from '../protocols/v2-metadata.js';
import { decodeInputs, encodeOutputs, resolveOutputs, type V2OutputTensor } from '../protocols/v2-tensors.js';
import type { ActiveDeployment, ActiveDeployments } from '../runtime/active-deployments.js';
import type { LoadedModel } from '../runtime/loaded-model.js';
import { IDLE_GRACE_MS, type ModelRuntime } from '../runtime/model-runtime.js';
import { pickRoute } from '../runtime/router.js';
import { firstInputValue, parseV2Request } from './v2-request.js';

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

export interface ShadowStats {
  requests: number;
  failures: number;
}

const NO_BATCHING = { maxBatch: 1, maxDelayMs: 0 } as const;

export class InferenceService {
  readonly shadowStats: ShadowStats = { requests: 0, failures: 0 };

  constructor(
    private readonly active: ActiveDeployments,
    private readonly runtime: ModelRuntime,
    private readonly deployments: DeploymentService,
    private readonly registry: Registry,
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
    const answer = this.runV2(route.loaded, request, deployment.batching, deployment.name, facts);
    if (deployment.shadow !== null && Math.random() < deployment.shadow.fraction)
      this.shadow(deployment, () => {
        const signature = deployment.shadow!.loaded.version.signature;
        const { feeds, rows } = decodeInputs(request.inputs, signature);
        return deployment.shadow!.loaded.run(feeds, rows, deployment.batching);
      });
    return answer;
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
    const decode = (loaded: LoadedModel) => decodeInstances(instances, loaded.version, { ignoreKeys });
    const loaded = route.loaded;
    const { feeds, rows } = decode(loaded);
    const running = loaded.run(feeds, rows, deployment.batching);
    if (deployment.shadow !== null && Math.random() < deployment.shadow.fraction) {
      const shadow = deployment.shadow.loaded;
      this.shadow(deployment, () => {
        const decoded = decode(shadow);
        return shadow.run(decoded.feeds, decoded.rows, deployment.batching);
      });
    }
    const { outputs } = await running;
    const servedBy = formatReference(loaded.version.model, loaded.version.version);
    return {
      body: {
        ...encodePredictions(outputs, rows, loaded.version),
        modelVersion: servedBy,
        requestId: facts.requestId,
      },
      servedBy,
    };
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

  /** POST /v2/models/{model}/versions/{n}/infer: a registered version, without a deployment. */
  async inferVersion(
    model: string,
    rawVersion: string,
    body: unknown,
    facts: RequestFacts,
  ): Promise<InferenceAnswer<V2Response>> {
    const request = parseV2Request(body);
    return this.withVersion(model, rawVersion, (loaded) =>
      this.runV2(loaded, request, NO_BATCHING, loaded.version.model, facts),
    );
  }

  /** The deployment as served now: 404 if it does not exist, 503 while its first revision loads. */
  async serving(name: string): Promise<ActiveDeployment> {
    const active = this.active.get(name.trim().toLowerCase());
    if (active !== undefined) return active;
    await this.active.refresh();
    const loaded = this.active.get(name.trim().toLowerCase());
    if (loaded !== undefined) return loaded;
    const deployment = await this.deployments.get(name);
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

  notFound(name: string): NotFoundError {
    return deploymentNotFound(name);
  }

  private async runV2(
    loaded: LoadedModel,
    request: ReturnType<typeof parseV2Request>,
    batching: { maxBatch: number; maxDelayMs: number },
    modelName: string,
    facts: RequestFacts,
  ): Promise<InferenceAnswer<V2Response>> {
    const signature = loaded.version.signature;
    const { feeds, rows } = decodeInputs(request.inputs, signature);
    const wanted = resolveOutputs(request.outputs, signature);
    const { outputs } = await loaded.run(feeds, rows, batching);
    return {
      body: {
        model_name: modelName,
        model_version: String(loaded.version.version),
        id: request.id ?? facts.requestId,
        outputs: encodeOutputs(outputs, wanted, signature),
      },
      servedBy: formatReference(loaded.version.model, loaded.version.version),
    };
  }

  private shadow(deployment: ActiveDeployment, run: () => Promise<unknown>): void {
    this.shadowStats.requests++;
    let pending: Promise<unknown>;
    try {
      pending = run();
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.catch((error: unknown) => {
      this.shadowStats.failures++;
      this.logger?.warn({ deployment: deployment.name, err: error }, 'shadow inference failed');
    });
  }
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
