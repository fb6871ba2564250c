/**
 * Serving: deployments (routes to model versions by weight, shadow, sticky routing, batching) with
 * compare-and-set revisions and rollback; routes that name an alias follow it as it moves.
 */
import { join } from 'node:path';
import type { BlobStore } from '../artifacts/index.js';
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { DatabaseUrl } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import type { LineageRecorder } from '../lineage/index.js';
import type { Registry } from '../registry/index.js';
import type { Database } from '../store/index.js';
import { DeploymentService } from './deployments/deployment-service.js';
import { DEFAULT_INFERENCE_LOG_OPTIONS, InferenceLog } from './inference/inference-log.js';
import { InferenceService } from './inference/inference-service.js';
import { logWriterFor } from './inference/log-writer.js';
import { ServingMetrics } from './inference/serving-metrics.js';
import { ActiveDeployments } from './runtime/active-deployments.js';
import { ChangeFollower } from './runtime/change-follower.js';
import type { RuntimeOptions } from './runtime/loaded-model.js';
import { ModelFiles } from './runtime/model-files.js';
import { DEFAULT_RUNTIME_OPTIONS, ModelRuntime } from './runtime/model-runtime.js';

export {
  type CreateDeploymentInput,
  type DeleteDeploymentInput,
  DeploymentService,
  deploymentNotFound,
  type PrepareModels,
  type RollbackInput,
  type UpdateDeploymentInput,
} from './deployments/deployment-service.js';
export type {
  BatchingSpec,
  Deployment,
  DeploymentRevision,
  DeploymentSpec,
  ResolvedDeployment,
  ResolvedModel,
  ResolvedRoute,
  ResolvedShadow,
  RevisionCause,
  RouteSpec,
  RoutingKey,
  ShadowSpec,
} from './deployments/entities.js';
export {
  type BatchingInput,
  DEFAULT_BATCHING,
  type DeploymentSpecInput,
  MAX_BATCH_LIMIT,
  MAX_DELAY_LIMIT_MS,
  MAX_ROUTES,
  parseRoutingKey,
  type RouteInput,
  type ShadowInput,
} from './deployments/spec.js';

export {
  type DeploymentStatus,
  type InferenceAnswer,
  InferenceService,
  type PredictResponse,
  type RequestFacts,
  type RouteStatus,
  type V2Response,
} from './inference/inference-service.js';
export type { V2InferRequest } from './inference/v2-request.js';
export type { V2OutputTensor } from './protocols/v2-tensors.js';
export { DEFAULT_RUNTIME_OPTIONS, type RuntimeOptions };

/**
 * How often a server looks for deployment changes made elsewhere (other replicas, alias moves) when
 * no notification wakes it (the default of SLIPWAY_DEPLOYMENT_POLL_MS).
 */
export const DEPLOYMENT_POLL_MS = 500;

export interface ServingDeps {
  readonly database: Database;
  /** Where `database` is: the inference log's writer thread opens a connection of its own there. */
  readonly databaseUrl?: DatabaseUrl;
  readonly registry: Registry;
  readonly audit: AuditLog;
  readonly lineage: LineageRecorder;
  readonly clock: Clock;
  readonly blobs: BlobStore;
  /** SLIPWAY_HOME: model files are cached under cache/models. */
  readonly home: string;
  readonly runtime?: RuntimeOptions;
  /** Share of requests written to the inference log (default 1). */
  readonly logSample?: number;
  /** Poll interval for changes made elsewhere while not listening for them (default DEPLOYMENT_POLL_MS). */
  readonly deploymentPollMs?: number;
  readonly logger?: Logger;
}

export interface Serving {
  readonly deployments: DeploymentService;
  readonly inference: InferenceService;
  /** Prometheus metrics of inference (the server's /metrics includes them). */
  readonly metrics: ServingMetrics;
  /** Writes what the inference log holds now (tests and shutdown). */
  flushLog(): Promise<void>;
  /** Loads the current revision of every deployment, then follows changes until close(). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export function createServing(deps: ServingDeps): Serving {
  const deployments = new DeploymentService(
    deps.database,
    deps.registry,
    deps.audit,
    deps.lineage,
    deps.clock,
  );
  deps.registry.aliases.onChange((trx, ctx, change) => deployments.followAlias(trx, ctx, change));
  const files = new ModelFiles(deps.blobs, join(deps.home, 'cache', 'models'));
  // Scraped only after start-up, when `runtime` below exists.
  const metrics = new ServingMetrics(() => runtime.queuedRows());
  const runtime = new ModelRuntime(
    deps.registry,
    files,
    deps.runtime ?? DEFAULT_RUNTIME_OPTIONS,
    (version, rows) => metrics.batch(version, rows),
    deps.logger,
  );
  const log = new InferenceLog(
    logWriterFor(deps.databaseUrl, deps.database),
    { ...DEFAULT_INFERENCE_LOG_OPTIONS, sample: deps.logSample ?? DEFAULT_INFERENCE_LOG_OPTIONS.sample },
    (entries) => metrics.logDropped(entries),
    deps.logger,
  );
  const active = new ActiveDeployments(deployments, runtime, deps.logger);
  deployments.setPreparer((models) => runtime.prepare(models));
  deployments.onCommitted(() => active.refresh());
  const follower = new ChangeFollower(
    deps.database,
    () => active.refresh(),
    deps.deploymentPollMs ?? DEPLOYMENT_POLL_MS,
    deps.logger,
  );
  const inference = new InferenceService(
    active,
    runtime,
    deployments,
    deps.registry,
    metrics,
    log,
    deps.logger,
  );
  return {
    deployments,
    inference,
    metrics,
    flushLog: () => log.flush(),
    async start() {
      log.start();
      await active.refresh();
      follower.start();
    },
    async close() {
      await follower.close();
      await active.stop();
      await runtime.close();
      await log.close();
    },
  };
}
