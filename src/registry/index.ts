/** The model registry: models, immutable versions with signatures, aliases, approvals and model cards. */
import type { BlobStore } from '../artifacts/index.js';
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { Datasets } from '../data/index.js';
import type { LineageRecorder } from '../lineage/index.js';
import type { Database } from '../store/index.js';
import type { Tracking } from '../tracking/index.js';
import { AliasService } from './alias-service.js';
import { ApprovalService } from './approval-service.js';
import { CardService } from './card-service.js';
import { ModelService } from './model-service.js';
import { VersionService } from './version-service.js';

export type { AliasChange, AliasChangeListener } from './alias-moves.js';
export { AliasService, type ExpectedInput, type SetAliasInput } from './alias-service.js';
export { ApprovalService } from './approval-service.js';
export type {
  CardFields,
  ColumnSummary,
  EvaluationSlice,
  ModelCard,
  TrainingDataSummary,
} from './card.js';
export { renderCardMarkdown } from './card.js';
export { CardService } from './card-service.js';
export * from './entities.js';
export { parseModelReference } from './model-loader.js';
export {
  type CreateModelInput,
  type ListModelsInput,
  ModelService,
  type PolicyInput,
  type UpdateModelInput,
} from './model-service.js';
export { MAX_ONNX_BYTES, readOnnxSignature } from './onnx-signature.js';
export type { DatasetReferenceInput, RegisterFromSourceInput, RegisterInput } from './version-metadata.js';
export { type ModelArtifact, VersionService } from './version-service.js';

export interface RegistryDeps {
  readonly database: Database;
  readonly blobs: BlobStore;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly lineage: LineageRecorder;
  readonly tracking: Tracking;
  readonly datasets: Datasets;
  readonly maxArtifactBytes: number;
  /** Where uploads are spooled while their ONNX is checked (under SLIPWAY_HOME). */
  readonly scratchDir: string;
}

export interface Registry {
  readonly models: ModelService;
  /** Versions, downloads, and `resolve('churn@champion')` for other domains. */
  readonly versions: VersionService;
  readonly aliases: AliasService;
  /** Approve or reject versions (the approver role). */
  readonly approvals: ApprovalService;
  readonly cards: CardService;
}

export function createRegistry(deps: RegistryDeps): Registry {
  const { database, blobs, audit, clock, lineage, tracking } = deps;
  const models = new ModelService(database, audit, clock);
  const versions = new VersionService(
    database,
    blobs,
    audit,
    clock,
    lineage,
    tracking,
    models,
    deps.scratchDir,
    deps.maxArtifactBytes,
  );
  return {
    models,
    versions,
    aliases: new AliasService(database, audit, clock),
    approvals: new ApprovalService(database, audit, clock),
    cards: new CardService(database, audit, clock),
  };
}
