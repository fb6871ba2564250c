/** The registry's readonly entities and their mapping from rows. */
import { toIso } from '../core/clock.js';
import type { ModelAliasHistoryRow, ModelAliasRow, ModelRow, ModelVersionRow } from '../store/tables.js';

export const MODEL_FORMATS = ['onnx'] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export const DATASET_ROLES = ['train', 'validation'] as const;
export type DatasetRole = (typeof DATASET_ROLES)[number];

export const MODEL_LIFECYCLES = ['active', 'deleted'] as const;
export type ModelLifecycle = (typeof MODEL_LIFECYCLES)[number];

export const ALIAS_MOVE_REASONS = ['set', 'rollback', 'delete'] as const;
export type AliasMoveReason = (typeof ALIAS_MOVE_REASONS)[number];

/** `latest` always means the newest version; it cannot be set as an alias. */
export const LATEST = 'latest';

export type Tags = Readonly<Record<string, string>>;

export interface ModelPolicy {
  /** Aliases that may only point at approved versions. */
  readonly requireApprovalFor: readonly string[];
}

export interface Model {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly tags: Tags;
  readonly policy: ModelPolicy;
  readonly lifecycle: ModelLifecycle;
  /** The newest version number; absent before the first register. */
  readonly latestVersion?: number;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deletedAt?: string;
}

/** A model with its newest version and where each of its aliases points. */
export interface ModelDetails extends Model {
  readonly latest?: ModelVersion;
  /** Alias name -> version number. */
  readonly aliases: Readonly<Record<string, number>>;
}

/** One input or output of the model graph. */
export interface TensorSpec {
  readonly name: string;
  /** 'tensor', 'sequence', 'map', 'optional' or 'sparse_tensor'. */
  readonly kind: string;
  /** For tensors the element type (float32, int64, string …); otherwise a description such as map(int64,float32). */
  readonly elementType: string;
  /** Tensors only: each dimension a number, a symbolic name such as 'N', or null when unknown; null for unknown rank. */
  readonly shape?: readonly (number | string | null)[] | null;
}

/** Read from the ONNX file itself at register time. */
export interface ModelSignature {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  /** The model's own metadata_props. */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface DatasetLink {
  readonly dataset: string;
  readonly version: number;
  readonly role: DatasetRole;
}

export interface Approval {
  readonly status: ApprovalStatus;
  readonly comment?: string;
  readonly by?: string;
  readonly at?: string;
}

/** A named feature of a tabular model: numeric (float) or categorical (string) with its known categories. */
export interface ModelFeature {
  readonly name: string;
  readonly type: 'numeric' | 'categorical';
  /** Categorical features: the categories the model was trained on; any other value is unseen. */
  readonly categories?: readonly string[];
}

export interface ModelVersion {
  readonly id: string;
  readonly model: string;
  readonly version: number;
  readonly format: ModelFormat;
  /** sha256 of the model file. */
  readonly digest: string;
  readonly size: number;
  readonly signature: ModelSignature;
  readonly featureNames?: readonly string[];
  /** How named features map onto the graph's inputs (types, known categories). */
  readonly features?: readonly ModelFeature[];
  /** Classifiers: the label classes, in the order of the probability columns. */
  readonly classes?: readonly string[];
  readonly metrics: Readonly<Record<string, number>>;
  /** The run that produced it. */
  readonly run?: string;
  readonly datasets: readonly DatasetLink[];
  readonly description: string;
  readonly tags: Tags;
  readonly approval: Approval;
  /** Aliases pointing at this version now. */
  readonly aliases: readonly string[];
  readonly createdBy: string;
  readonly createdAt: string;
}

export interface ModelAlias {
  readonly model: string;
  readonly alias: string;
  readonly version: number;
  readonly updatedBy: string;
  readonly updatedAt: string;
}

/** One entry of an alias's history: every set, rollback and delete. */
export interface AliasMove {
  readonly id: string;
  readonly model: string;
  readonly alias: string;
  /** Absent when the move created the alias. */
  readonly from?: number;
  /** Absent when the move deleted the alias. */
  readonly to?: number;
  readonly reason: AliasMoveReason;
  readonly actor: string;
  readonly requestId: string;
  readonly at: string;
}

export function parsePolicy(text: string): ModelPolicy {
  const raw = JSON.parse(text) as Partial<ModelPolicy>;
  return { requireApprovalFor: raw.requireApprovalFor ?? [] };
}

export function toModel(row: ModelRow, latestVersion: number | string | null | undefined): Model {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    tags: JSON.parse(row.tags) as Tags,
    policy: parsePolicy(row.policy),
    lifecycle: row.deleted_at === null ? 'active' : 'deleted',
    ...(latestVersion == null ? {} : { latestVersion: Number(latestVersion) }),
    createdBy: row.created_by,
    createdAt: toIso(Number(row.created_at)),
    updatedAt: toIso(Number(row.updated_at)),
    ...(row.deleted_at === null ? {} : { deletedAt: toIso(Number(row.deleted_at)) }),
  };
}

export function toModelVersion(name: string, row: ModelVersionRow, aliases: readonly string[]): ModelVersion {
  return {
    id: row.id,
    model: name,
    version: Number(row.version),
    format: row.format,
    digest: row.artifact_digest,
    size: Number(row.size),
    signature: JSON.parse(row.signature) as ModelSignature,
    ...(row.feature_names === null ? {} : { featureNames: JSON.parse(row.feature_names) as string[] }),
    ...(row.features === null ? {} : { features: JSON.parse(row.features) as ModelFeature[] }),
    ...(row.classes === null ? {} : { classes: JSON.parse(row.classes) as string[] }),
    metrics: JSON.parse(row.metrics) as Record<string, number>,
    ...(row.run_id === null ? {} : { run: row.run_id }),
    datasets: JSON.parse(row.datasets) as DatasetLink[],
    description: row.description,
    tags: JSON.parse(row.tags) as Tags,
    approval: toApproval(row),
    aliases: [...aliases].sort(),
    createdBy: row.created_by,
    createdAt: toIso(Number(row.created_at)),
  };
}

function toApproval(row: ModelVersionRow): Approval {
  return {
    status: row.approval_status,
    ...(row.approval_comment === null ? {} : { comment: row.approval_comment }),
    ...(row.approved_by === null ? {} : { by: row.approved_by }),
    ...(row.approved_at === null ? {} : { at: toIso(Number(row.approved_at)) }),
  };
}

export function toModelAlias(name: string, row: ModelAliasRow): ModelAlias {
  return {
    model: name,
    alias: row.alias,
    version: Number(row.version),
    updatedBy: row.updated_by,
    updatedAt: toIso(Number(row.updated_at)),
  };
}

export function toAliasMove(name: string, row: ModelAliasHistoryRow): AliasMove {
  return {
    id: row.id,
    model: name,
    alias: row.alias,
    ...(row.from_version === null ? {} : { from: Number(row.from_version) }),
    ...(row.to_version === null ? {} : { to: Number(row.to_version) }),
    reason: row.reason as AliasMoveReason,
    actor: row.actor,
    requestId: row.request_id,
    at: toIso(Number(row.at)),
  };
}
