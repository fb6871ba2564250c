/** The Slipway TypeScript SDK (`import { Slipway } from 'slipway/client'`). */
export type { AuditEvent, CreatedToken, CreateTokenInput, Role, TokenInfo } from '../auth/index.js';
export type { BackupManifest } from '../backup/manifest.js';
export type { Actor } from '../core/context.js';
export * from '../core/errors.js';
export type { Page, PageRequest } from '../core/pagination.js';
export type {
  ColumnDiff,
  ColumnProfile,
  ColumnSchema,
  DataFormat,
  Dataset,
  DatasetDiff,
  DatasetProfile,
  DatasetVersion,
  ExpectationResult,
  OffendingRow,
  RowsPage,
  SuiteInput,
  ValidationReport,
} from '../data/index.js';
export type {
  ComparedVersion,
  DecisionCause,
  DecisionEvidence,
  DecisionOutcome,
  DeploymentPolicy,
  GuardrailEvidence,
  PolicyDecision,
  PolicyInput,
  PolicyMetric,
  SideEvidence,
} from '../monitoring/policy/index.js';
export type {
  ApplyResult,
  ErrorInfo,
  ExecutorName,
  LogChunk,
  PipelineCode,
  PipelineInfo,
  PipelineRunInfo,
  PipelineRunStatus,
  PipelineSpec,
  PipelineStepStatus,
  PipelineVersionInfo,
  RunTrigger,
  StepRunInfo,
} from '../pipelines/index.js';
export type {
  AliasMove,
  Approval,
  ApprovalStatus,
  CardFields,
  DatasetLink,
  EvaluationSlice,
  Model,
  ModelAlias,
  ModelCard,
  ModelDetails,
  ModelFeature,
  ModelPolicy,
  ModelSignature,
  ModelVersion,
  RegisterInput,
  TensorSpec,
} from '../registry/index.js';
export type {
  BatchingSpec,
  CreateDeploymentInput,
  Deployment,
  DeploymentRevision,
  DeploymentSpecInput,
  DeploymentStatus,
  PredictResponse,
  ResolvedRoute,
  ResolvedShadow,
  RevisionCause,
  RollbackInput,
  RouteInput,
  RouteStatus,
  UpdateDeploymentInput,
  V2InferRequest,
  V2OutputTensor,
  V2Response,
} from '../serving/index.js';
export type * from '../tracking/index.js';
export type {
  AutomlJob,
  AutomlJobResult,
  AutomlJobStatus,
  AutomlProgress,
  HoldoutEvaluation,
  LeaderboardEntry,
  MetricName,
  SearchSpace,
  StartAutomlInput,
  Strategy,
  Task,
} from '../training/index.js';
export type { AuditQuery } from './access-api.js';
export { ActiveRun, type BatchingOptions } from './active-run.js';
export type { ArtifactSource, DownloadedArtifact } from './artifacts-api.js';
export type { WaitOptions } from './automl-api.js';
export type { DownloadedBackup } from './backup-api.js';
export type { ConnectOptions } from './credentials.js';
export type {
  DatasetSource,
  DatasetUpdate,
  DownloadedDataset,
  DownloadOptions,
  PushOptions,
} from './datasets-api.js';
export type { DeploymentPolicyApi } from './deployment-policy-api.js';
export type { ModelFileSource, PulledModel, RegisterOptions } from './models-api.js';
export type {
  CreateMonitorInput,
  ListMonitorsQuery,
  Monitor,
  MonitorAlert,
  MonitorInput,
  MonitorReport,
  MonitorReportSummary,
  WaitForReportOptions,
} from './monitors-api.js';
export type {
  ApplyFileResult,
  ListPipelineRunsQuery,
  ListPipelinesQuery,
  PipelineLogsQuery,
  RunPipelineOptions,
  WaitForRunOptions,
} from './pipelines-api.js';
export { Slipway, type StartRunOptions } from './slipway.js';
export type { CreateOptions } from './tracking-api.js';
