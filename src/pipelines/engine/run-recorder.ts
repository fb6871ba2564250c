/**
 * What a pipeline run leaves in the rest of Slipway: its tracking run gets each step's numeric
 * outputs as metrics (`<step>.<output>`, the item index as the metric step), file outputs and logs
 * as artifacts, and lineage (the dataset versions steps read or pushed as inputs of the run, the
 * model versions steps produced as its outputs); and the run's own row its final state.
 */
import { Readable } from 'node:stream';
import type { Clock } from '../../core/clock.js';
import type { RequestContext } from '../../core/context.js';
import { parseReference } from '../../core/references.js';
import type { RunInputService } from '../../data/index.js';
import { type LineageRecorder, modelNode, runNode } from '../../lineage/index.js';
import { type Database, mutate } from '../../store/index.js';
import type { Tracking } from '../../tracking/index.js';
import { BUILTIN_SCHEMAS, type JsonValue, type OutputType, type Step } from '../definition/index.js';
import type { ErrorInfo, PipelineRunStatus } from '../entities.js';

const RUN_STATUS = { succeeded: 'finished', failed: 'failed', cancelled: 'killed' } as const;

export interface RecorderDeps {
  readonly database: Database;
  readonly clock: Clock;
  readonly tracking: Tracking;
  readonly runInputs: RunInputService;
  readonly lineage: LineageRecorder;
}

export class RunRecorder {
  constructor(
    private readonly deps: RecorderDeps,
    private readonly run: { readonly id: string; readonly trackingRun: string; readonly ctx: RequestContext },
  ) {}

  /** Outputs of an earlier successful attempt with the same cache key. */
  async findCached(
    key: string,
  ): Promise<{ outputs: Readonly<Record<string, JsonValue>>; pipelineRun: string } | undefined> {
    const row = await this.deps.database.db
      .selectFrom('pipeline_steps')
      .select(['outputs', 'pipeline_run_id'])
      .where('cache_key', '=', key)
      .where('status', '=', 'succeeded')
      .limit(1)
      .executeTakeFirst();
    if (row === undefined || row.outputs === null) return undefined;
    return {
      outputs: JSON.parse(row.outputs) as Record<string, JsonValue>,
      pipelineRun: row.pipeline_run_id,
    };
  }

  /** Metrics and lineage of a finished (or cached) step. */
  async stepDone(
    step: Step,
    item: number,
    outputs: Readonly<Record<string, JsonValue>>,
    inputs: Readonly<Record<string, JsonValue>>,
    declared: Readonly<Record<string, OutputType>>,
  ): Promise<void> {
    const { tracking } = this.deps;
    const metrics = Object.entries(declared)
      .filter(
        ([name, type]) => (type === 'number' || type === 'integer') && typeof outputs[name] === 'number',
      )
      .map(([name]) => ({
        key: `${step.name}.${name}`,
        value: outputs[name] as number,
        step: Math.max(0, item),
      }));
    if (metrics.length > 0) await tracking.metrics.logBatch(this.run.ctx, this.run.trackingRun, { metrics });

    const inputTypes: Readonly<Record<string, { type: string }>> =
      step.kind === 'fn' || step.kind === 'command' ? {} : BUILTIN_SCHEMAS[step.kind].inputs;
    const datasets = [
      ...Object.entries(inputTypes)
        .filter(([name, spec]) => spec.type === 'dataset' && typeof inputs[name] === 'string')
        .map(([name]) => inputs[name] as string),
      ...Object.entries(declared)
        .filter(([name, type]) => type === 'dataset' && typeof outputs[name] === 'string')
        .map(([name]) => outputs[name] as string),
    ];
    if (datasets.length > 0) await this.deps.runInputs.log(this.run.ctx, this.run.trackingRun, datasets);
    const models = Object.entries(declared)
      .filter(([name, type]) => type === 'model' && typeof outputs[name] === 'string')
      .map(([name]) => parseReference(`outputs.${name}`, outputs[name] as string))
      .filter((reference) => reference.version !== undefined);
    if (models.length > 0) {
      await mutate(this.deps.database, this.run.ctx, (trx) =>
        this.deps.lineage.record(
          trx,
          this.run.ctx,
          models.map((model) => ({
            source: runNode(this.run.trackingRun),
            target: modelNode(model.name, model.version!),
            relation: 'produced' as const,
          })),
        ),
      );
    }
  }

  /** The step's whole log (every attempt) as the artifact `logs/<step>[/<item>].log`. */
  async storeLog(step: string, item: number): Promise<void> {
    const chunks = await this.deps.database.db
      .selectFrom('pipeline_logs')
      .select('text')
      .where('pipeline_run_id', '=', this.run.id)
      .where('step', '=', step)
      .where('item', '=', item)
      .orderBy('seq')
      .execute();
    const text = chunks.map((chunk) => chunk.text).join('');
    const path = `logs/${step}${item < 0 ? '' : `/${item}`}.log`;
    await this.deps.tracking.artifacts.put(
      this.run.ctx,
      this.run.trackingRun,
      path,
      Readable.from([Buffer.from(text)]),
    );
  }

  /** Ends the run and its tracking run, and lets go of its lease. */
  async finish(
    status: Exclude<PipelineRunStatus, 'queued' | 'running'>,
    error: ErrorInfo | undefined,
  ): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.database.db
      .updateTable('pipeline_runs')
      .set({
        status,
        error: error === undefined ? null : JSON.stringify(error),
        finished_at: now,
        updated_at: now,
        owner: null,
        lease_expires_at: null,
      })
      .where('id', '=', this.run.id)
      .execute();
    await this.deps.tracking.runs.update(this.run.ctx, this.run.trackingRun, { status: RUN_STATUS[status] });
  }
}
