/**
 * What an executor is given to run one attempt of a step, and what it answers. The engine resolves
 * inputs, keeps state and handles caching and retries; an executor runs the work wherever it runs
 * (worker threads and child processes here, or a worker process over a queue), including copying
 * file inputs in and storing file outputs, and answers outputs checked against the declaration.
 * A job is plain JSON, so it can travel over a queue.
 */
import type { RequestContext } from '../../core/context.js';
import type { JsonValue, OutputType, Step } from '../definition/index.js';
import type { PipelineCode } from '../entities.js';

export interface StepJob {
  readonly pipeline: string;
  readonly pipelineRun: string;
  /** The tracking run of the pipeline run. */
  readonly trackingRun: string;
  readonly step: Step;
  /** The foreach item's index and value, for item attempts. */
  readonly item?: { readonly index: number; readonly value: JsonValue };
  readonly attempt: number;
  /** Resolved inputs; `file` inputs are artifact URIs, copied to local paths before the work runs. */
  readonly inputs: Readonly<Record<string, JsonValue>>;
  /** Names of the inputs that are files. */
  readonly fileInputs: readonly string[];
  /** The outputs the step declares. */
  readonly declared: Readonly<Record<string, OutputType>>;
  /** A command step's argv and env with references resolved. */
  readonly argv?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly code: PipelineCode;
  readonly ctx: RequestContext;
}

export interface StepIo {
  /** Appends text to the step's log (kept with the step and streamed live). */
  readonly log: (text: string) => void;
  /** Aborted on cancellation, timeout or shutdown: stop at once (kill what was started) and throw. */
  readonly signal: AbortSignal;
}

/** Outputs by name, checked against the declaration; `file` outputs as the URIs of their artifacts. */
export type StepResult = Readonly<Record<string, JsonValue>>;

export interface StepExecutor {
  /**
   * True when the work runs in another process that writes to the step's row and log itself (a queue
   * worker): the engine stores its own changes first and continues its log after the worker's.
   */
  readonly writesLog?: boolean;
  execute(job: StepJob, io: StepIo): Promise<StepResult>;
  close(): Promise<void>;
}

/** A job with the attempt's local directory, as the work itself sees it (file inputs are local paths). */
export interface LocalStepJob extends StepJob {
  /** An empty directory of this attempt (removed afterwards); outputs are written under `outputs/`. */
  readonly scratchDir: string;
}
