/**
 * What a built-in step gets and gives. The engine resolves the step's inputs (references replaced by
 * upstream outputs and params, validated against BUILTIN_SCHEMAS) and acts for whoever started the
 * pipeline run; a built-in calls Slipway's own services and answers its declared outputs.
 */
import type { BlobStore } from '../../artifacts/index.js';
import type { AuditLog } from '../../auth/index.js';
import type { Clock } from '../../core/clock.js';
import type { RequestContext } from '../../core/context.js';
import type { Datasets, RunInputService } from '../../data/index.js';
import type { LineageRecorder } from '../../lineage/index.js';
import type { Registry } from '../../registry/index.js';
import type { Serving } from '../../serving/index.js';
import type { Database } from '../../store/index.js';
import type { Tracking } from '../../tracking/index.js';
import type { Training } from '../../training/index.js';
import type { BuiltinKind, JsonValue } from '../definition/index.js';

export interface BuiltinDeps {
  readonly database: Database;
  readonly blobs: BlobStore;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly lineage: LineageRecorder;
  readonly tracking: Tracking;
  readonly datasets: Datasets;
  readonly registry: Registry;
  readonly training: Training;
  readonly serving: Serving;
  readonly runInputs: RunInputService;
}

export interface BuiltinInvocation {
  readonly kind: Exclude<BuiltinKind, 'gate'>;
  /**
   * Resolved inputs by name, as BUILTIN_SCHEMAS declares them (optional ones may be absent). Values
   * of type `dataset` and `model` are references such as `churn@3`; `file` values are local paths.
   */
  readonly inputs: Readonly<Record<string, JsonValue>>;
  /** Acts for whoever started the pipeline run; its requestId ties the audit events together. */
  readonly ctx: RequestContext;
  /** The tracking run of the pipeline run: built-ins log metrics and artifacts here. */
  readonly run: string;
  /** The step's name, for artifact paths and messages. */
  readonly step: string;
  /** Where relative file paths resolve: the pipeline's code snapshot, or the server's directory. */
  readonly workDir: string;
  /** A scratch directory of this attempt, empty at the start and removed afterwards. */
  readonly scratchDir: string;
  /** One line of the step's log (stored with the step, streamed live). */
  readonly log: (line: string) => void;
  /** Aborted on cancellation, timeout or shutdown: stop promptly and throw. */
  readonly signal: AbortSignal;
}

/** The step's outputs by name, every declared output present with a value of its declared type. */
export type BuiltinOutputs = Readonly<Record<string, JsonValue>>;
