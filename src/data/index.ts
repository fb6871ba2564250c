/** Datasets: immutable, content-addressed versions of tabular data with schema, profile, diff and validation. */
import type { ByteSource } from '../artifacts/index.js';
import type { RequestContext } from '../core/context.js';
import type { DataEngine } from './data-engine.js';
import { DatasetService } from './dataset-service.js';
import type { DatasetsDeps } from './deps.js';
import { DiffService } from './diff-service.js';
import type { PushInput } from './push-checks.js';
import type { PushResult } from './push-insert.js';
import { pushVersion } from './push-service.js';
import { ValidationService } from './validation/validation-service.js';

export { DataEngine } from './data-engine.js';
export { DatasetService, type UpdateInput } from './dataset-service.js';
export type { DatasetsDeps } from './deps.js';
export type * from './diff-entities.js';
export { DiffService } from './diff-service.js';
export * from './entities.js';
export type { JsonValue } from './json-values.js';
export { type PushInput, parseFormat } from './push-checks.js';
export type { PushResult } from './push-insert.js';
export { MAX_RUN_INPUTS, RunInputService, type RunInputs } from './run-inputs.js';
/** Quoting for SQL other domains run through the data engine. */
export { ident, literal } from './sql.js';
export type {
  ExpectationResult,
  OffendingRow,
  ValidationCounts,
  ValidationReport,
} from './validation/report.js';
export type { SuiteInput } from './validation/suite.js';
export { ValidationService } from './validation/validation-service.js';
export type { Download, DownloadForm } from './version-download.js';
export { findDatasetRow, type LoadedVersion, loadDatasetVersion, profileOf } from './version-loader.js';
export { DEFAULT_ROWS, MAX_ROWS, type RowsInput, type RowsPage } from './version-rows.js';

export interface Datasets {
  readonly engine: DataEngine;
  /** Lists, describes, tags, profiles, previews and downloads datasets and versions. */
  readonly datasets: DatasetService;
  /** Pushes a file as a new version, or answers the version that already has these bytes. */
  push(ctx: RequestContext, input: PushInput, body: ByteSource): Promise<PushResult>;
  /** Compares two versions. */
  readonly diff: DiffService;
  /** Runs validation suites and keeps their reports. */
  readonly validation: ValidationService;
}

export function createDatasets(deps: DatasetsDeps): Datasets {
  const diff = new DiffService(deps.database, deps.engine);
  return {
    engine: deps.engine,
    datasets: new DatasetService(deps.database, deps.blobs, deps.audit, deps.clock, deps.engine),
    push: (ctx, input, body) => pushVersion(deps, ctx, input, body),
    diff,
    validation: new ValidationService(deps.database, deps.audit, deps.clock, deps.engine, diff),
  };
}
