/**
 * One attempt of a step (or of a foreach item): resolve its inputs, answer from the cache when an
 * equal attempt succeeded before, else record it running, run it through the executor under its
 * timeout, check and store its outputs, and keep its log. The driver decides what a failure means.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Database } from '../../store/index.js';
import { SIDE_EFFECT_KINDS } from '../builtins/index.js';
import {
  type Expression,
  evaluateExpression,
  type InputValue,
  type JsonValue,
  type OutputType,
  type Step,
  stepReferences,
} from '../definition/index.js';
import type { ErrorInfo } from '../entities.js';
import { failureOf, StepFailure } from '../executors/step-failure.js';
import type { StepFiles } from '../executors/step-files.js';
import type { StepExecutor } from '../executors/types.js';
import { cacheKey } from './cache-key.js';
import { expressionScope, resolveAll, resolveValue, type ValueScope } from './resolve-inputs.js';
import type { DriverRun } from './run-driver.js';
import type { RunRecorder } from './run-recorder.js';
import { StepLog } from './step-log.js';
import type { StepState, StepStore } from './step-store.js';

/** What every attempt of a run shares. */
export interface AttemptDeps {
  readonly store: StepStore;
  readonly recorder: RunRecorder;
  readonly database: Database;
  readonly clock: Clock;
  readonly owner: string;
  readonly files: StepFiles;
  readonly logger?: Logger;
}

export interface StepAttempt extends AttemptDeps {
  readonly state: StepState;
  readonly step: Step;
  readonly run: DriverRun;
  readonly job: {
    readonly scope: ValueScope;
    readonly signal: AbortSignal;
    readonly executor: StepExecutor;
    readonly declared: Readonly<Record<string, OutputType>>;
    /** Declared types of every step's outputs, to know which inputs are files. */
    readonly outputTypes: (step: string) => Readonly<Record<string, OutputType>> | undefined;
  };
}

export type AttemptOutcome =
  | { readonly kind: 'succeeded' | 'cached'; readonly outputs: Readonly<Record<string, JsonValue>> }
  | { readonly kind: 'failed'; readonly error: ErrorInfo; readonly retryable: boolean }
  | { readonly kind: 'interrupted' };

export async function runAttempt(attempt: StepAttempt): Promise<AttemptOutcome> {
  const { state, step, run, job, store, recorder, clock } = attempt;
  let inputs: Record<string, JsonValue>;
  let argv: string[] | undefined;
  let env: Record<string, string> | undefined;
  try {
    inputs = step.kind === 'gate' ? {} : resolveAll(step.inputs, job.scope);
    if (step.kind === 'command') {
      argv = step.argv.map((value) => asText(resolveValue(value, job.scope)));
      env = Object.fromEntries(
        Object.entries(step.env).map(([name, value]) => [name, asText(resolveValue(value, job.scope))]),
      );
    }
  } catch (error) {
    return {
      kind: 'failed',
      error: { code: 'INPUT_INVALID', message: failureOf(error).message },
      retryable: false,
    };
  }

  if (step.kind === 'gate') {
    const now = clock.now();
    let passed: unknown;
    try {
      passed = evaluateExpression(step.condition.ast, expressionScope(job.scope));
    } catch (error) {
      return {
        kind: 'failed',
        error: { code: 'INPUT_INVALID', message: failureOf(error).message },
        retryable: false,
      };
    }
    if (passed !== true) {
      const values = describeOperands(step.condition.ast, job.scope);
      return {
        kind: 'failed',
        error: {
          code: 'GATE_CLOSED',
          message: `${step.condition.source} was ${JSON.stringify(passed)}${values}`,
        },
        retryable: false,
      };
    }
    const outputs = { passed: true };
    await store.write(state, {
      status: 'succeeded',
      outputs,
      startedAt: now,
      finishedAt: now,
      retryAt: null,
    });
    return { kind: 'succeeded', outputs };
  }

  const fileInputs = Object.entries(step.inputs)
    .filter(([, value]) => isFileReference(value, job))
    .map(([name]) => name);
  const artifacts: Record<string, string> = {};
  for (const name of fileInputs) artifacts[name] = await attempt.files.digest(inputs[name]!);
  const key = cacheKey({
    step,
    inputs,
    ...(argv === undefined ? {} : { argv }),
    ...(env === undefined ? {} : { env }),
    ...(state.item < 0 ? {} : { item: state.itemValue ?? null }),
    params: paramsRead(step, run.params),
    artifacts,
    code: run.code,
  });
  const cacheable = run.useCache && step.cache && !(SIDE_EFFECT_KINDS as ReadonlySet<string>).has(step.kind);
  if (cacheable) {
    const hit = await recorder.findCached(key);
    if (hit !== undefined) {
      const now = clock.now();
      await recorder.stepDone(step, state.item, hit.outputs, inputs, job.declared);
      await store.write(state, {
        status: 'cached',
        outputs: hit.outputs,
        inputs,
        cacheKey: key,
        cachedFrom: hit.pipelineRun,
        startedAt: now,
        finishedAt: now,
        retryAt: null,
      });
      return { kind: 'cached', outputs: hit.outputs };
    }
  }

  const number = state.attempt + 1;
  const running = store.write(state, {
    status: 'running',
    attempt: number,
    inputs,
    cacheKey: key,
    worker: attempt.owner,
    startedAt: clock.now(),
    retryAt: null,
  });
  // Locally it need not be awaited: the store keeps changes in order, and a crash before it is
  // stored only queues the attempt again on resume, as an interrupted one would be. A remote worker
  // records itself on the row when it takes the job, which must come after this.
  if (job.executor.writesLog === true) await running;
  else running.catch(() => {});
  const log = await StepLog.open(attempt.database, clock, {
    pipelineRun: run.id,
    step: step.name,
    item: state.item,
  });
  if (number > 1) log.write(`--- attempt ${number} ---\n`);
  const controller = new AbortController();
  const forward = () => controller.abort(job.signal.reason);
  job.signal.addEventListener('abort', forward, { once: true });
  if (job.signal.aborted) forward();
  const timer =
    step.timeoutMs === undefined
      ? undefined
      : setTimeout(
          () => controller.abort(new StepFailure('STEP_TIMEOUT', `timed out after ${step.timeoutMs} ms`)),
          step.timeoutMs,
        );
  // A queue worker writes this attempt's log itself: ours is stored first and continues after it.
  if (job.executor.writesLog === true) await log.flush();
  try {
    const outputs = await job.executor
      .execute(
        {
          pipeline: run.pipeline.name,
          pipelineRun: run.id,
          trackingRun: run.trackingRun,
          step,
          ...(state.item < 0 ? {} : { item: { index: state.item, value: state.itemValue ?? null } }),
          attempt: number,
          inputs,
          fileInputs,
          declared: job.declared,
          ...(argv === undefined ? {} : { argv }),
          ...(env === undefined ? {} : { env }),
          code: run.code,
          ctx: run.ctx,
        },
        { log: (text) => log.write(text), signal: controller.signal },
      )
      .finally(() => (job.executor.writesLog === true ? log.resume() : undefined));
    if (controller.signal.aborted) throw controller.signal.reason;
    await recorder.stepDone(step, state.item, outputs, inputs, job.declared);
    // Stored in order behind everything before it; downstream steps need not wait for the commit.
    store.set(state, { status: 'succeeded', outputs, finishedAt: clock.now() });
    return { kind: 'succeeded', outputs };
  } catch (error) {
    const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
    if (reason === 'shutdown') return { kind: 'interrupted' };
    if (reason === 'cancelled') {
      log.write('\ncancelled\n');
      await store.write(state, {
        status: 'cancelled',
        reason: 'the run was cancelled',
        finishedAt: clock.now(),
      });
      return { kind: 'interrupted' };
    }
    const failure = failureOf(reason instanceof StepFailure ? reason : error);
    log.write(`\n${failure.code}: ${failure.message}\n`);
    return { kind: 'failed', error: failure, retryable: true };
  } finally {
    clearTimeout(timer);
    job.signal.removeEventListener('abort', forward);
    await log.flush();
    if (!log.isEmpty()) {
      await recorder
        .storeLog(step.name, state.item)
        .catch((error: unknown) =>
          attempt.logger?.warn({ err: error, run: run.id, step: step.name }, 'step log artifact not stored'),
        );
    }
  }
}

function isFileReference(value: InputValue, job: StepAttempt['job']): boolean {
  if (value.kind !== 'ref' || value.ref.source !== 'step') return false;
  return job.outputTypes(value.ref.step)?.[value.ref.output] === 'file';
}

function asText(value: JsonValue): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The values a closed gate compared, so its message says why without a look at the outputs. */
function describeOperands(ast: Expression, scope: ValueScope): string {
  const shown: string[] = [];
  const visit = (node: Expression): void => {
    if (node.type === 'path') {
      try {
        shown.push(`${node.ref.path} = ${JSON.stringify(evaluateExpression(node, expressionScope(scope)))}`);
      } catch {
        // A missing value was reported by the evaluation itself.
      }
    } else if (node.type === 'not') visit(node.operand);
    else if (node.type === 'binary') {
      visit(node.left);
      visit(node.right);
    }
  };
  visit(ast);
  return shown.length === 0 ? '' : ` (${[...new Set(shown)].join(', ')})`;
}

/** The params a step reads: only they belong in its cache key, so changing another param reuses it. */
function paramsRead(step: Step, params: Readonly<Record<string, JsonValue>>): Record<string, JsonValue> {
  const read: Record<string, JsonValue> = {};
  for (const { ref } of stepReferences(step)) {
    if (ref.source === 'param' && Object.hasOwn(params, ref.name)) read[ref.name] = params[ref.name]!;
  }
  return read;
}
