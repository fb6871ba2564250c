/**
 * Starts runs on their own: cron schedules when their tick is due and dataset triggers when a
 * matching dataset version appears. Every server runs this; each tick and each dataset version is
 * claimed by compare-and-set on its row first, so however many servers see it, one run starts.
 * A tick missed while no server was up fires once when one is, then the schedule carries on.
 */

import type { Clock } from '../../core/clock.js';
import { toIso } from '../../core/clock.js';
import { SCHEDULER_CONTEXT } from '../../core/context.js';
import type { Logger } from '../../core/logger.js';
import { Periodic } from '../../core/periodic.js';
import { datasetNode } from '../../lineage/index.js';
import type { Database } from '../../store/index.js';
import { matchesDatasetPattern } from '../definition/index.js';
import type { RunTrigger } from '../entities.js';
import type { PipelineRunService } from '../run-service.js';
import { nextFireAt } from './schedule-rows.js';

const VERSIONS_PER_TICK = 100;

export class Scheduler {
  private readonly periodic: Periodic;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly runs: PipelineRunService,
    tickMs: number,
    private readonly logger?: Logger,
  ) {
    this.periodic = new Periodic(
      'pipeline scheduler tick',
      tickMs,
      () => Promise.all([this.fireSchedules(), this.fireTriggers()]),
      logger,
    );
  }

  start(): void {
    this.periodic.start();
  }

  close(): Promise<void> {
    return this.periodic.close();
  }

  /** One look at what is due; concurrent calls share it. */
  tick(): Promise<void> {
    return this.periodic.run();
  }

  private async fireSchedules(): Promise<void> {
    const { db } = this.database;
    const now = this.clock.now();
    const due = await db
      .selectFrom('pipeline_schedules')
      .innerJoin('pipelines', 'pipelines.id', 'pipeline_schedules.pipeline_id')
      .selectAll('pipeline_schedules')
      .select('pipelines.name as pipeline_name')
      .where('pipeline_schedules.next_fire_at', '<=', now)
      .execute();
    for (const row of due) {
      const tick = Number(row.next_fire_at);
      const claimed = await db
        .updateTable('pipeline_schedules')
        .set({ next_fire_at: nextFireAt(row.cron, row.timezone, now), last_fire_at: tick, updated_at: now })
        .where('id', '=', row.id)
        .where('next_fire_at', '=', tick)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) continue;
      await this.startRun(row.pipeline_name, JSON.parse(row.params), {
        kind: 'schedule',
        schedule: `${row.cron} (${row.timezone})`,
        at: toIso(tick),
      }).then(async (run) => {
        if (run !== undefined) {
          await db
            .updateTable('pipeline_schedules')
            .set({ last_run_id: run })
            .where('id', '=', row.id)
            .execute();
        }
      });
    }
  }

  private async fireTriggers(): Promise<void> {
    const { db } = this.database;
    const triggers = await db
      .selectFrom('pipeline_triggers')
      .innerJoin('pipelines', 'pipelines.id', 'pipeline_triggers.pipeline_id')
      .selectAll('pipeline_triggers')
      .select('pipelines.name as pipeline_name')
      .execute();
    for (const trigger of triggers) {
      const versions = await db
        .selectFrom('dataset_versions')
        .innerJoin('datasets', 'datasets.id', 'dataset_versions.dataset_id')
        .select(['dataset_versions.id', 'datasets.name', 'dataset_versions.version'])
        .where('dataset_versions.id', '>', trigger.watermark)
        .orderBy('dataset_versions.id')
        .limit(VERSIONS_PER_TICK)
        .execute();
      if (versions.length === 0) continue;
      const claimed = await db
        .updateTable('pipeline_triggers')
        .set({ watermark: versions.at(-1)!.id, updated_at: this.clock.now() })
        .where('id', '=', trigger.id)
        .where('watermark', '=', trigger.watermark)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) continue;
      for (const version of versions) {
        if (!matchesDatasetPattern(trigger.dataset, version.name)) continue;
        const reference = `${version.name}@${version.version}`;
        // A pipeline that pushes the dataset it is triggered by must not start itself forever.
        if (await this.pushedBy(trigger.pipeline_name, version.name, Number(version.version))) continue;
        const params = {
          ...JSON.parse(trigger.params),
          ...(trigger.param === null ? {} : { [trigger.param]: reference }),
        };
        const run = await this.startRun(trigger.pipeline_name, params, {
          kind: 'dataset',
          dataset: reference,
        });
        if (run !== undefined) {
          await db
            .updateTable('pipeline_triggers')
            .set({ last_run_id: run, last_fire_at: this.clock.now() })
            .where('id', '=', trigger.id)
            .execute();
        }
      }
    }
  }

  /** Whether a run of this pipeline pushed the dataset version. */
  private async pushedBy(pipeline: string, dataset: string, version: number): Promise<boolean> {
    const edges = await this.database.db
      .selectFrom('lineage_edges')
      .select('source')
      .where('target', '=', datasetNode(dataset, version))
      .where('source', 'like', 'run:%')
      .execute();
    for (const { source } of edges) {
      const tag = await this.database.db
        .selectFrom('run_tags')
        .innerJoin('runs', 'runs.seq', 'run_tags.run_seq')
        .select('run_tags.value')
        .where('runs.id', '=', source.slice('run:'.length))
        .where('run_tags.key', '=', 'slipway.pipeline')
        .executeTakeFirst();
      if (tag?.value === pipeline) return true;
    }
    return false;
  }

  private async startRun(
    pipeline: string,
    params: Record<string, unknown>,
    trigger: RunTrigger,
  ): Promise<string | undefined> {
    try {
      const run = await this.runs.start(SCHEDULER_CONTEXT, { pipeline, params, trigger });
      this.logger?.info({ pipeline, run: run.id, trigger }, 'pipeline run started by the scheduler');
      return run.id;
    } catch (error) {
      this.logger?.warn({ err: error, pipeline, trigger }, 'the scheduler could not start a pipeline run');
      return undefined;
    }
  }
}
