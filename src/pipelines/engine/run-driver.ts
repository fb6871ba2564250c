/**
 * Drives one pipeline run on this server: decides which steps are ready (their upstream steps done,
 * their `when` true), expands foreach steps into items, runs attempts within the run's and the
 * server's limits, and persists every transition before acting on it, so a server killed at any
 * moment leaves a state another start can resume from: finished steps are kept, interrupted ones
 * run again (without counting as failures), and the run ends with the same result.
 */
import type { RequestContext } from '../../core/context.js';
import {
  BUILTIN_SCHEMAS,
  dependenciesOf,
  evaluateExpression,
  type JsonValue,
  type OutputType,
  type Pipeline,
  type Step,
  topologicalOrder,
} from '../definition/index.js';
import type { ErrorInfo, PipelineCode, PipelineStepStatus } from '../entities.js';
import { isStepDone, isStepFinished } from '../entities.js';
import { failureOf } from '../executors/step-failure.js';
import type { StepExecutor } from '../executors/types.js';
import { expressionScope, resolveValue, type ValueScope } from './resolve-inputs.js';
import type { Slots } from './semaphore.js';
import { type AttemptDeps, runAttempt } from './step-attempt.js';
import type { StepState } from './step-store.js';

export interface DriverRun {
  readonly id: string;
  readonly pipeline: Pipeline;
  readonly code: PipelineCode;
  readonly params: Readonly<Record<string, JsonValue>>;
  readonly useCache: boolean;
  readonly trackingRun: string;
  readonly ctx: RequestContext;
}

export type StopReason = 'cancelled' | 'shutdown';

export class RunDriver {
  private readonly order: readonly Step[];
  private readonly dependencies = new Map<string, string[]>();
  private readonly outputs = new Map<string, Readonly<Record<string, JsonValue>>>();
  /** Attempts in flight, by state key. */
  private readonly running = new Map<string, AbortController>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private readonly steps = new Map<string, Step>();
  /** Steps as a whole still pending: not yet skipped, queued or expanded. In pipeline order. */
  private readonly waiting = new Set<string>();
  /** Foreach steps whose items are under way. */
  private readonly expanding = new Set<string>();
  /** Attempts queued to start (steps and items), in the order they became ready. */
  private readonly ready: StepState[] = [];
  /** Attempts of each step in flight, for a foreach step's own concurrency. */
  private readonly inFlight = new Map<string, number>();
  private stopped: StopReason | undefined;
  private finishing = false;
  private readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    private readonly run: DriverRun,
    private readonly executor: StepExecutor,
    private readonly slots: Slots,
    private readonly deps: AttemptDeps,
  ) {
    this.order = topologicalOrder(run.pipeline);
    const known = new Set(run.pipeline.steps.map((step) => step.name));
    for (const step of run.pipeline.steps) {
      this.dependencies.set(step.name, dependenciesOf(step, known));
      this.steps.set(step.name, step);
    }
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** Resolves when the run has finished here, or this server stopped driving it. */
  async drive(): Promise<void> {
    await this.deps.store.load(this.run.pipeline);
    const position = new Map(this.order.map((step, index) => [step.name, index]));
    const states = this.deps.store
      .all()
      .sort((a, b) => position.get(a.step)! - position.get(b.step)! || a.item - b.item);
    for (const state of states) {
      const step = this.steps.get(state.step)!;
      if (state.item < 0 && isStepDone(state.status)) this.outputs.set(state.step, state.outputs ?? {});
      if (state.item < 0 && state.status === 'pending') this.waiting.add(state.step);
      if (state.item < 0 && state.status === 'running' && step.foreach !== undefined)
        this.expanding.add(state.step);
      if (state.status === 'queued') this.ready.push(state);
    }
    this.pump();
    return this.done;
  }

  /** Stops every attempt: marked cancelled for a cancel; left to be resumed for a shutdown. */
  stop(reason: StopReason): Promise<void> {
    if (this.stopped === undefined) this.stopped = reason;
    for (const timer of this.retryTimers.values()) clearTimeout(timer);
    this.retryTimers.clear();
    for (const controller of this.running.values()) controller.abort(reason);
    this.pump();
    return this.done;
  }

  /** Called when the server's slots free up: ready steps of this run may start now. */
  wake(): void {
    this.pump();
  }

  /** Every scheduling decision happens here, synchronously; persistence follows in order per step. */
  private pump(): void {
    if (this.finishing) return;
    if (this.stopped === 'shutdown') {
      if (this.running.size === 0) this.release();
      return;
    }
    if (this.stopped === 'cancelled') {
      for (const state of this.deps.store.all()) {
        if (!isStepFinished(state.status) && !this.running.has(keyOf(state))) {
          this.deps.store.set(state, {
            status: 'cancelled',
            reason: 'the run was cancelled',
            finishedAt: this.deps.clock.now(),
          });
        }
      }
    } else {
      this.schedule();
    }
    if (this.running.size === 0 && this.deps.store.unfinished === 0) void this.finish();
  }

  private schedule(): void {
    for (const name of this.waiting) {
      const state = this.deps.store.get(name, -1);
      this.decide(this.steps.get(name)!, state);
      if (state.status !== 'pending') this.waiting.delete(name);
    }
    for (const name of this.expanding) {
      const state = this.deps.store.get(name, -1);
      this.collectItems(this.steps.get(name)!, state);
      if (state.status !== 'running') this.expanding.delete(name);
    }
    const now = this.deps.clock.now();
    for (let index = 0; index < this.ready.length; ) {
      const state = this.ready[index]!;
      if (state.status !== 'queued' || this.running.has(keyOf(state))) {
        this.ready.splice(index, 1);
        continue;
      }
      const step = this.steps.get(state.step)!;
      const limit = state.item >= 0 ? step.foreach?.concurrency : undefined;
      if (state.retryAt !== undefined && state.retryAt > now) this.wakeAt(state, state.retryAt);
      else if (limit === undefined || (this.inFlight.get(step.name) ?? 0) < limit) {
        if (!this.takeSlot()) return;
        this.ready.splice(index, 1);
        this.launch(step, state);
        continue;
      }
      index++;
    }
  }

  /** A pending step whose upstream steps have all finished: skip it, expand it, or queue it. */
  private decide(step: Step, state: StepState): void {
    const upstream = this.dependencies.get(step.name)!.map((name) => this.deps.store.get(name, -1));
    const blocked = upstream.find((other) => isStepFinished(other.status) && !isStepDone(other.status));
    if (blocked !== undefined) {
      this.deps.store.set(state, {
        status: 'skipped',
        reason: `upstream step '${blocked.step}' ${describeEnd(blocked.status)}`,
      });
      return;
    }
    if (!upstream.every((other) => isStepDone(other.status))) return;
    // An attempt marks its step done before its promise settles here: take outputs from the state.
    for (const other of upstream) this.outputs.set(other.step, other.outputs ?? {});
    const scope = this.scope();
    if (step.when !== undefined) {
      let go: unknown;
      try {
        go = evaluateExpression(step.when.ast, expressionScope(scope));
      } catch (error) {
        this.fail(state, { code: 'INPUT_INVALID', message: `when: ${failureOf(error).message}` });
        return;
      }
      if (go !== true) {
        this.deps.store.set(state, {
          status: 'skipped',
          reason: `when: ${step.when.source} was ${JSON.stringify(go)}`,
        });
        return;
      }
    }
    if (step.foreach === undefined) {
      this.deps.store.set(state, { status: 'queued' });
      this.ready.push(state);
      return;
    }
    let items: JsonValue;
    try {
      items = resolveValue(step.foreach.items, scope);
    } catch (error) {
      this.fail(state, { code: 'INPUT_INVALID', message: `foreach.items: ${failureOf(error).message}` });
      return;
    }
    if (!Array.isArray(items)) {
      this.fail(state, {
        code: 'INPUT_INVALID',
        message: `foreach.items must be a list, got ${JSON.stringify(items)}`,
      });
      return;
    }
    this.deps.store.expand(state, items);
    this.expanding.add(step.name);
    this.ready.push(...this.deps.store.itemsOf(step.name));
  }

  /** A running foreach step whose items have all finished ends with every item's outputs as lists. */
  private collectItems(step: Step, parent: StepState): void {
    const items = this.deps.store.itemsOf(step.name);
    if (!items.every((item) => isStepFinished(item.status))) return;
    const failed = items.find((item) => !isStepDone(item.status));
    if (failed !== undefined) {
      if (failed.status === 'cancelled')
        this.deps.store.set(parent, {
          status: 'cancelled',
          reason: failed.reason ?? 'cancelled',
          finishedAt: this.deps.clock.now(),
        });
      else
        this.fail(parent, {
          code: failed.error?.code ?? 'STEP_FAILED',
          message: `item ${failed.item} (${JSON.stringify(failed.itemValue)}) ${describeEnd(failed.status)}${failed.error ? `: ${failed.error.message}` : ''}`,
        });
      return;
    }
    const outputs: Record<string, JsonValue> = {};
    for (const name of Object.keys(declaredOutputs(step)))
      outputs[name] = items.map((item) => item.outputs?.[name] ?? null);
    this.outputs.set(step.name, outputs);
    this.deps.store.set(parent, { status: 'succeeded', outputs, finishedAt: this.deps.clock.now() });
  }

  private launch(step: Step, state: StepState): void {
    const controller = new AbortController();
    const key = keyOf(state);
    this.running.set(key, controller);
    this.inFlight.set(step.name, (this.inFlight.get(step.name) ?? 0) + 1);
    const scope = this.scope(state.item < 0 ? undefined : state.itemValue);
    const attempt = runAttempt({
      ...this.deps,
      state,
      step,
      run: this.run,
      job: {
        scope,
        signal: controller.signal,
        executor: this.executor,
        declared: declaredOutputs(step),
        outputTypes: (name) => {
          const upstream = this.run.pipeline.steps.find((candidate) => candidate.name === name);
          return upstream === undefined ? undefined : declaredOutputs(upstream);
        },
      },
    });
    void attempt
      .then((outcome) => this.settle(step, state, outcome))
      .catch((error: unknown) => {
        this.deps.logger?.error(
          { err: error, run: this.run.id, step: key },
          'pipeline step bookkeeping failed',
        );
        this.stopped ??= 'shutdown';
      })
      .finally(() => {
        this.running.delete(key);
        this.inFlight.set(step.name, this.inFlight.get(step.name)! - 1);
        this.slots.give();
        this.pump();
      });
  }

  private async settle(
    step: Step,
    state: StepState,
    outcome: Awaited<ReturnType<typeof runAttempt>>,
  ): Promise<void> {
    switch (outcome.kind) {
      case 'succeeded':
      case 'cached':
        if (state.item < 0) this.outputs.set(step.name, outcome.outputs);
        return;
      case 'interrupted':
        return;
      case 'failed': {
        const failures = state.failures + 1;
        const now = this.deps.clock.now();
        if (!outcome.retryable || failures > step.retries.count) {
          await this.deps.store.write(state, {
            status: 'failed',
            failures,
            error: outcome.error,
            finishedAt: now,
          });
          return;
        }
        const { backoffMs, factor, maxBackoffMs } = step.retries;
        const delay = Math.min(
          backoffMs * factor ** (failures - 1),
          maxBackoffMs ?? Number.POSITIVE_INFINITY,
        );
        await this.deps.store.write(state, {
          status: 'queued',
          failures,
          error: outcome.error,
          retryAt: now + delay,
        });
        this.ready.push(state);
      }
    }
  }

  /** Pumps again when a retry's backoff is over. */
  private wakeAt(state: StepState, at: number): void {
    const key = keyOf(state);
    if (this.retryTimers.has(key)) return;
    const delay = Math.max(0, at - this.deps.clock.now());
    this.retryTimers.set(
      key,
      setTimeout(() => {
        this.retryTimers.delete(key);
        this.pump();
      }, delay),
    );
  }

  private fail(state: StepState, error: ErrorInfo): void {
    this.deps.store.set(state, { status: 'failed', error, finishedAt: this.deps.clock.now() });
  }

  private takeSlot(): boolean {
    const limit = this.run.pipeline.concurrency;
    if (limit !== undefined && this.running.size >= limit) return false;
    return this.slots.take();
  }

  private scope(item?: JsonValue): ValueScope {
    return { params: this.run.params, outputs: this.outputs, ...(item === undefined ? {} : { item }) };
  }

  private async finish(): Promise<void> {
    this.finishing = true;
    try {
      await this.deps.store.settled();
      const steps = this.deps.store.all().filter((state) => state.item < 0);
      const failed = steps.find((state) => state.status === 'failed');
      const status =
        this.stopped === 'cancelled' ? 'cancelled' : failed === undefined ? 'succeeded' : 'failed';
      const error =
        status === 'failed'
          ? {
              code: failed!.error?.code ?? 'STEP_FAILED',
              message: `step '${failed!.step}' failed: ${failed!.error?.message ?? 'unknown'}`,
            }
          : status === 'cancelled'
            ? { code: 'CANCELLED', message: 'the run was cancelled' }
            : undefined;
      await this.deps.recorder.finish(status, error);
    } catch (error) {
      this.deps.logger?.error({ err: error, run: this.run.id }, 'pipeline run could not be finished');
    } finally {
      this.resolveDone();
    }
  }

  /** Shutdown: the run stays running in the database for the next start (or another server) to resume. */
  private release(): void {
    this.finishing = true;
    void this.deps.store.settled().finally(() => this.resolveDone());
  }
}

export function keyOf(state: { readonly step: string; readonly item: number }): string {
  return `${state.step}#${state.item}`;
}

export function declaredOutputs(step: Step): Readonly<Record<string, OutputType>> {
  if (step.kind === 'fn' || step.kind === 'command') return step.outputs;
  return BUILTIN_SCHEMAS[step.kind].outputs;
}

function describeEnd(status: PipelineStepStatus): string {
  return status === 'failed' ? 'failed' : status === 'cancelled' ? 'was cancelled' : 'was skipped';
}
