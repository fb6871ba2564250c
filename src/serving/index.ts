/**
 * Serving: deployments (routes to model versions by weight, shadow, sticky routing, batching) with
 * compare-and-set revisions and rollback; routes that name an alias follow it as it moves.
 */
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { LineageRecorder } from '../lineage/index.js';
import type { Registry } from '../registry/index.js';
import type { Database } from '../store/index.js';
import { DeploymentService } from './deployments/deployment-service.js';

export {
  type CreateDeploymentInput,
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

export interface ServingDeps {
  readonly database: Database;
  readonly registry: Registry;
  readonly audit: AuditLog;
  readonly lineage: LineageRecorder;
  readonly clock: Clock;
}

export interface Serving {
  readonly deployments: DeploymentService;
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
  return { deployments };
}
