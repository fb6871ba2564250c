/**
 * Keeps the schedule and trigger rows equal to what the latest version of a pipeline declares, in
 * the transaction that applies the version. Unchanged entries keep their state (next tick,
 * watermark), so re-applying a pipeline neither skips nor repeats a tick; a new trigger starts at
 * the newest dataset version, so only versions pushed after it was applied start runs.
 */
import { nextCronTime } from '../../core/cron.js';
import { newId } from '../../core/ids.js';
import type { Tx } from '../../store/index.js';
import type { Pipeline } from '../definition/index.js';

/** When a cron expression fires next after `after`; far in the future when it never will again. */
export function nextFireAt(cron: string, timezone: string, after: number): number {
  return nextCronTime(cron, timezone, after) ?? NEVER;
}

/** A tick that never comes (the last date JavaScript can represent). */
export const NEVER = 8_640_000_000_000_000;

export async function syncSchedules(
  trx: Tx,
  pipelineId: string,
  pipeline: Pipeline,
  now: number,
): Promise<void> {
  const existing = await trx
    .selectFrom('pipeline_schedules')
    .selectAll()
    .where('pipeline_id', '=', pipelineId)
    .execute();
  await trx.deleteFrom('pipeline_schedules').where('pipeline_id', '=', pipelineId).execute();
  const schedules = pipeline.schedules ?? [];
  if (schedules.length > 0) {
    await trx
      .insertInto('pipeline_schedules')
      .values(
        schedules.map((schedule, position) => {
          const kept = existing.find(
            (row) =>
              Number(row.position) === position &&
              row.cron === schedule.cron &&
              row.timezone === schedule.timezone,
          );
          return {
            id: kept?.id ?? newId(now),
            pipeline_id: pipelineId,
            position,
            cron: schedule.cron,
            timezone: schedule.timezone,
            params: JSON.stringify(schedule.params),
            next_fire_at:
              kept === undefined
                ? nextFireAt(schedule.cron, schedule.timezone, now)
                : Number(kept.next_fire_at),
            last_fire_at: kept?.last_fire_at ?? null,
            last_run_id: kept?.last_run_id ?? null,
            created_at: kept === undefined ? now : Number(kept.created_at),
            updated_at: now,
          };
        }),
      )
      .execute();
  }

  const triggers = pipeline.triggers ?? [];
  const existingTriggers = await trx
    .selectFrom('pipeline_triggers')
    .selectAll()
    .where('pipeline_id', '=', pipelineId)
    .execute();
  await trx.deleteFrom('pipeline_triggers').where('pipeline_id', '=', pipelineId).execute();
  if (triggers.length === 0) return;
  const newest = await trx
    .selectFrom('dataset_versions')
    .select((eb) => eb.fn.max('id').as('id'))
    .executeTakeFirst();
  await trx
    .insertInto('pipeline_triggers')
    .values(
      triggers.map((trigger, position) => {
        const kept = existingTriggers.find(
          (row) => Number(row.position) === position && row.dataset === trigger.dataset,
        );
        return {
          id: kept?.id ?? newId(now),
          pipeline_id: pipelineId,
          position,
          dataset: trigger.dataset,
          param: trigger.param ?? null,
          params: JSON.stringify(trigger.params),
          watermark: kept?.watermark ?? newest?.id ?? '',
          last_fire_at: kept?.last_fire_at ?? null,
          last_run_id: kept?.last_run_id ?? null,
          created_at: kept === undefined ? now : Number(kept.created_at),
          updated_at: now,
        };
      }),
    )
    .execute();
}
