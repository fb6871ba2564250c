/**
 * A run's step rows, held in memory by the driver and written through: a change is visible to the
 * driver at once and reaches the database in order. Changes made in one event-loop turn are stored
 * in one transaction (group commit: with many steps finishing at once, one durable commit instead
 * of one each). The driver only takes decisions that are safe to repeat, so a crash between a change
 * and its write is resumed correctly.
 */
import type { Clock } from '../../core/clock.js';
import type { Database, PipelineStepRow, Tx } from '../../store/index.js';
import type { JsonValue, Pipeline } from '../definition/index.js';
import { type ErrorInfo, isStepFinished, type PipelineStepStatus } from '../entities.js';

export interface StepState {
  readonly step: string;
  /** -1 for a step as a whole; 0.. for foreach items. */
  readonly item: number;
  readonly itemValue?: JsonValue;
  status: PipelineStepStatus;
  attempt: number;
  failures: number;
  outputs?: Readonly<Record<string, JsonValue>>;
  reason?: string;
  error?: ErrorInfo;
  retryAt?: number;
}

export interface StepChange {
  readonly status?: PipelineStepStatus;
  readonly attempt?: number;
  readonly failures?: number;
  readonly inputs?: Readonly<Record<string, JsonValue>>;
  readonly outputs?: Readonly<Record<string, JsonValue>>;
  readonly cacheKey?: string;
  readonly cachedFrom?: string;
  readonly reason?: string;
  readonly error?: ErrorInfo;
  /** undefined leaves it; null clears it. */
  readonly retryAt?: number | null;
  readonly worker?: string;
  readonly startedAt?: number;
  readonly finishedAt?: number;
}

export class StepStore {
  private readonly states = new Map<string, StepState>();
  private readonly items = new Map<string, StepState[]>();
  private readonly queue: { work: (trx: Tx) => Promise<void>; done: (error?: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private readonly failures: unknown[] = [];
  /** States not in a finished status. */
  private open = 0;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly pipelineRun: string,
  ) {}

  /** Reads the run's rows (creating them on a first start); interrupted attempts are queued again. */
  async load(pipeline: Pipeline): Promise<void> {
    const { db } = this.database;
    let rows = await db
      .selectFrom('pipeline_steps')
      .selectAll()
      .where('pipeline_run_id', '=', this.pipelineRun)
      .execute();
    if (rows.length === 0) {
      const now = this.clock.now();
      const fresh = pipeline.steps.map((step) => emptyRow(this.pipelineRun, step.name, -1, now));
      await db.insertInto('pipeline_steps').values(fresh).execute();
      rows = fresh;
    }
    const foreach = new Set(pipeline.steps.filter((step) => step.foreach).map((step) => step.name));
    for (const row of rows) this.add(toState(row));
    // An attempt a stop interrupted runs again; a foreach step as a whole stays running with its items.
    for (const state of this.states.values()) {
      if (state.status === 'running' && !(state.item < 0 && foreach.has(state.step))) {
        await this.write(state, { status: 'queued' });
      }
    }
    for (const list of this.items.values()) list.sort((a, b) => a.item - b.item);
  }

  /** How many steps and items have not finished. */
  get unfinished(): number {
    return this.open;
  }

  get(step: string, item: number): StepState {
    const state = this.states.get(`${step}#${item}`);
    if (state === undefined) throw new Error(`no state for step ${step} item ${item}`);
    return state;
  }

  itemsOf(step: string): readonly StepState[] {
    return this.items.get(step) ?? [];
  }

  all(): StepState[] {
    return [...this.states.values()];
  }

  /** Changes a step now and writes the change behind the scenes (in order per step). */
  set(state: StepState, change: StepChange): void {
    // A failed write is kept in `failures`: the run's end reports it (see settled()).
    this.write(state, change).catch(() => {});
  }

  /** Changes a step now; resolves when the change is stored. */
  write(state: StepState, change: StepChange): Promise<void> {
    this.apply(state, change);
    const columns = toColumns(change, this.clock.now());
    return this.enqueue((trx) =>
      trx
        .updateTable('pipeline_steps')
        .set(columns)
        .where('pipeline_run_id', '=', this.pipelineRun)
        .where('step', '=', state.step)
        .where('item', '=', state.item)
        .execute()
        .then(() => {}),
    );
  }

  /** Starts a foreach step: its items (queued) and its own running state, in one transaction. */
  expand(parent: StepState, values: readonly JsonValue[]): void {
    const now = this.clock.now();
    const rows = values.map((value, index) => ({
      ...emptyRow(this.pipelineRun, parent.step, index, now),
      status: 'queued' as const,
      item_value: JSON.stringify(value),
    }));
    for (const row of rows) this.add(toState(row));
    this.apply(parent, { status: 'running', startedAt: now });
    this.enqueue(async (trx) => {
      // Chunked: one statement may carry only so many parameters.
      for (let start = 0; start < rows.length; start += 200) {
        await trx
          .insertInto('pipeline_steps')
          .values(rows.slice(start, start + 200))
          .execute();
      }
      await trx
        .updateTable('pipeline_steps')
        .set(toColumns({ status: 'running', startedAt: now }, now))
        .where('pipeline_run_id', '=', this.pipelineRun)
        .where('step', '=', parent.step)
        .where('item', '=', -1)
        .execute();
    }).catch(() => {}); // Kept in `failures`, like any write.
  }

  /** Resolves when every change so far is stored; rejects with the first that could not be. */
  async settled(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
    if (this.failures.length > 0) throw this.failures[0];
  }

  private add(state: StepState): void {
    this.states.set(`${state.step}#${state.item}`, state);
    if (!isStepFinished(state.status)) this.open++;
    if (state.item >= 0) {
      const list = this.items.get(state.step) ?? [];
      list.push(state);
      this.items.set(state.step, list);
    }
  }

  private apply(state: StepState, change: StepChange): void {
    const wasOpen = !isStepFinished(state.status);
    applyChange(state, change);
    this.open += (isStepFinished(state.status) ? 0 : 1) - (wasOpen ? 1 : 0);
  }

  private enqueue(work: (trx: Tx) => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ work, done: (error) => (error === undefined ? resolve() : reject(error)) });
      this.flushing ??= new Promise<void>((tick) => setImmediate(tick)).then(() => this.flush());
    });
  }

  /** Stores every queued change in one transaction, then whatever was queued meanwhile. */
  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0);
      try {
        await this.database.db.transaction().execute(async (trx) => {
          for (const { work } of batch) await work(trx);
        });
        for (const { done } of batch) done();
      } catch (error) {
        this.failures.push(error);
        for (const { done } of batch) done(error);
      }
    }
    this.flushing = undefined;
  }
}

function emptyRow(pipelineRun: string, step: string, item: number, now: number): PipelineStepRow {
  return {
    pipeline_run_id: pipelineRun,
    step,
    item,
    status: 'pending',
    attempt: 0,
    failures: 0,
    item_value: null,
    inputs: null,
    outputs: null,
    cache_key: null,
    cached_from: null,
    reason: null,
    error: null,
    retry_at: null,
    worker: null,
    started_at: null,
    finished_at: null,
    updated_at: now,
  };
}

function toState(row: PipelineStepRow): StepState {
  return {
    step: row.step,
    item: Number(row.item),
    ...(row.item_value === null ? {} : { itemValue: JSON.parse(row.item_value) as JsonValue }),
    status: row.status,
    attempt: Number(row.attempt),
    failures: Number(row.failures),
    ...(row.outputs === null ? {} : { outputs: JSON.parse(row.outputs) as Record<string, JsonValue> }),
    ...(row.reason === null ? {} : { reason: row.reason }),
    ...(row.error === null ? {} : { error: JSON.parse(row.error) as ErrorInfo }),
    ...(row.retry_at === null ? {} : { retryAt: Number(row.retry_at) }),
  };
}

function applyChange(state: StepState, change: StepChange): void {
  if (change.status !== undefined) state.status = change.status;
  if (change.attempt !== undefined) state.attempt = change.attempt;
  if (change.failures !== undefined) state.failures = change.failures;
  if (change.outputs !== undefined) state.outputs = change.outputs;
  if (change.reason !== undefined) state.reason = change.reason;
  if (change.error !== undefined) state.error = change.error;
  if (change.retryAt === null) delete state.retryAt;
  else if (change.retryAt !== undefined) state.retryAt = change.retryAt;
}

function toColumns(change: StepChange, now: number): Partial<PipelineStepRow> {
  return {
    ...(change.status === undefined ? {} : { status: change.status }),
    ...(change.attempt === undefined ? {} : { attempt: change.attempt }),
    ...(change.failures === undefined ? {} : { failures: change.failures }),
    ...(change.inputs === undefined ? {} : { inputs: JSON.stringify(change.inputs) }),
    ...(change.outputs === undefined ? {} : { outputs: JSON.stringify(change.outputs) }),
    ...(change.cacheKey === undefined ? {} : { cache_key: change.cacheKey }),
    ...(change.cachedFrom === undefined ? {} : { cached_from: change.cachedFrom }),
    ...(change.reason === undefined ? {} : { reason: change.reason }),
    ...(change.error === undefined ? {} : { error: JSON.stringify(change.error) }),
    ...(change.retryAt === undefined ? {} : { retry_at: change.retryAt }),
    ...(change.worker === undefined ? {} : { worker: change.worker }),
    ...(change.startedAt === undefined ? {} : { started_at: change.startedAt }),
    ...(change.finishedAt === undefined ? {} : { finished_at: change.finishedAt }),
    updated_at: now,
  };
}
