/**
 * Runs scheduled evaluations, looking once a second. A due tick is claimed by compare-and-set on
 * `next_due_at`, so however many servers look, each tick evaluates once.
 */
import { SCHEDULER_CONTEXT } from '../../core/context.js';
import { Periodic } from '../../core/periodic.js';
import type { MonitorDeps } from './monitor-deps.js';
import { type MonitorService, nextDueAt } from './monitor-service.js';
import type { MonitorSpec } from './spec.js';

export const MONITOR_TICK_MS = 1000;

export class MonitorScheduler {
  private readonly periodic: Periodic;

  constructor(
    private readonly deps: MonitorDeps,
    private readonly monitors: MonitorService,
  ) {
    this.periodic = new Periodic(
      'monitor scheduler tick',
      MONITOR_TICK_MS,
      () => this.evaluateDue(),
      deps.logger,
    );
  }

  start(): void {
    this.periodic.start();
  }

  close(): Promise<void> {
    return this.periodic.close();
  }

  /** One look at what is due now. */
  tick(): Promise<void> {
    return this.periodic.run();
  }

  private async evaluateDue(): Promise<void> {
    const { db } = this.deps.database;
    const now = this.deps.clock.now();
    const due = await db
      .selectFrom('monitors')
      .select(['id', 'name', 'spec', 'next_due_at'])
      .where('next_due_at', '<=', now)
      .execute();
    for (const row of due) {
      const tick = Number(row.next_due_at);
      const claimed = await db
        .updateTable('monitors')
        .set({ next_due_at: nextDueAt(JSON.parse(row.spec) as MonitorSpec, now) })
        .where('id', '=', row.id)
        .where('next_due_at', '=', tick)
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) continue;
      await this.monitors.evaluate(SCHEDULER_CONTEXT, row.name, 'schedule');
    }
  }
}
