/**
 * Deployments as the API shows them: the spec as written (routes may name aliases) and, for every
 * route, the model version it resolved to in the current revision.
 */
import type { DeploymentRevisionRow, DeploymentRow } from '../../store/tables.js';

/** A share of traffic for a model reference (`churn@3` or `churn@champion`). */
export interface RouteSpec {
  readonly model: string;
  /** Percent of requests, 0-100; the routes' weights sum to 100. */
  readonly weight: number;
}

/** A copy of a fraction of the traffic, served asynchronously; its answers are logged, never returned. */
export interface ShadowSpec {
  readonly model: string;
  /** 0 < fraction <= 1. */
  readonly fraction: number;
}

/** Where the value that pins a caller to one route comes from: a request header or an input feature. */
export interface RoutingKey {
  readonly source: 'header' | 'input';
  readonly name: string;
}

export interface BatchingSpec {
  /** Rows per inference run; 1 turns batching off. */
  readonly maxBatch: number;
  /** The longest a request waits for others to join its batch. */
  readonly maxDelayMs: number;
}

export interface DeploymentSpec {
  readonly routes: readonly RouteSpec[];
  readonly shadow: ShadowSpec | null;
  readonly routingKey: RoutingKey | null;
  readonly batching: BatchingSpec;
}

/** A model version a revision serves. */
export interface ResolvedModel {
  readonly model: string;
  readonly version: number;
  /** sha256 of the ONNX file, so every replica loads the same bytes. */
  readonly digest: string;
}

export interface ResolvedRoute extends ResolvedModel {
  /** As written in the spec. */
  readonly reference: string;
  readonly weight: number;
}

export interface ResolvedShadow extends ResolvedModel {
  readonly reference: string;
  readonly fraction: number;
}

export interface ResolvedDeployment {
  readonly routes: readonly ResolvedRoute[];
  readonly shadow: ResolvedShadow | null;
}

export type RevisionCause =
  | { readonly kind: 'create' }
  | { readonly kind: 'update'; readonly changed: readonly string[] }
  | { readonly kind: 'rollback'; readonly toRevision: number }
  | {
      readonly kind: 'alias';
      /** `churn@champion` */
      readonly alias: string;
      readonly fromVersion: number;
      readonly toVersion: number;
    };

export interface Deployment {
  readonly name: string;
  readonly revision: number;
  readonly description: string;
  readonly routes: readonly ResolvedRoute[];
  readonly shadow: ResolvedShadow | null;
  readonly routingKey: string | null;
  readonly batching: BatchingSpec;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedBy: string;
  readonly updatedAt: string;
}

export interface DeploymentRevision {
  readonly deployment: string;
  readonly revision: number;
  readonly routes: readonly ResolvedRoute[];
  readonly shadow: ResolvedShadow | null;
  readonly routingKey: string | null;
  readonly batching: BatchingSpec;
  readonly cause: RevisionCause;
  readonly actor: string;
  readonly at: string;
}

export function formatRoutingKey(key: RoutingKey | null): string | null {
  return key === null ? null : `${key.source}:${key.name}`;
}

export function readSpec(row: DeploymentRevisionRow): DeploymentSpec {
  return JSON.parse(row.spec) as DeploymentSpec;
}

export function readResolved(row: DeploymentRevisionRow): ResolvedDeployment {
  return JSON.parse(row.resolved) as ResolvedDeployment;
}

export function toDeployment(row: DeploymentRow, revision: DeploymentRevisionRow): Deployment {
  const spec = readSpec(revision);
  const resolved = readResolved(revision);
  return {
    name: row.name,
    revision: row.revision,
    description: row.description,
    routes: resolved.routes,
    shadow: resolved.shadow,
    routingKey: formatRoutingKey(spec.routingKey),
    batching: spec.batching,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    updatedBy: row.updated_by,
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

export function toDeploymentRevision(name: string, row: DeploymentRevisionRow): DeploymentRevision {
  const spec = readSpec(row);
  const resolved = readResolved(row);
  return {
    deployment: name,
    revision: Number(row.revision),
    routes: resolved.routes,
    shadow: resolved.shadow,
    routingKey: formatRoutingKey(spec.routingKey),
    batching: spec.batching,
    cause: JSON.parse(row.cause) as RevisionCause,
    actor: row.actor,
    at: new Date(Number(row.at)).toISOString(),
  };
}
