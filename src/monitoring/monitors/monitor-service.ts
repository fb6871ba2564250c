/**
 * Monitors: create, read, change and delete them; evaluate one now (the report row is written at
 * once as `running` and finished in the background, as API.md asks of long work); read reports and
 * alert deliveries. Evaluations that a stop interrupted are failed on the next start, never left
 * running forever.
 */

import type { RequestContext } from '../../core/context.js';
import { nextCronTime } from '../../core/cron.js';
import { ConflictError, NotFoundError, SlipwayError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { normaliseName } from '../../core/names.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { formatReference } from '../../core/references.js';
import { loadDatasetVersion } from '../../data/index.js';
import { mutate, newestFirstPage } from '../../store/index.js';
import type { MonitorRow } from '../../store/tables.js';
import type { FeedbackService } from '../feedback/index.js';
import type { AlertActions } from './alert-actions.js';
import {
  type Monitor,
  type MonitorAlert,
  type MonitorReport,
  type MonitorReportSummary,
  readMonitorSpec,
  toAlert,
  toMonitor,
  toReport,
  toReportSummary,
} from './entities.js';
import { type EvaluationTools, evaluateMonitor, type ReportBody } from './evaluate.js';
import type { MonitorDeps } from './monitor-deps.js';
import { ReferenceAnswers } from './prediction-drift.js';
import { ReferenceTables } from './reference.js';
import { buildSpec, type MonitorInput, type MonitorSpec } from './spec.js';

export interface CreateMonitorInput extends MonitorInput {
  /** Default: the deployment's name. */
  readonly name?: string;
  readonly deployment: string;
}

export interface ListMonitorsInput extends PageRequest {
  readonly deployment?: string;
}

/** A running evaluation older than this on start-up was cut short by a stop. */
const INTERRUPTED_AFTER_MS = 60_000;

export class MonitorService {
  private readonly tools: EvaluationTools;
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly deps: MonitorDeps,
    private readonly actions: AlertActions,
    feedback: Pick<FeedbackService, 'liveMetrics'>,
  ) {
    this.tools = {
      tables: new ReferenceTables(deps),
      answers: new ReferenceAnswers(deps.serving),
      performance: (deployment, since, until) => feedback.liveMetrics(deployment, { since, until }),
    };
  }

  async create(ctx: RequestContext, input: CreateMonitorInput): Promise<Monitor> {
    const deployment = await this.deps.serving.deployments.get(input.deployment);
    const name = normaliseName('name', input.name ?? deployment.name);
    const spec = await this.checked(buildSpec(input));
    const now = this.deps.clock.now();
    const row: MonitorRow = {
      id: newId(now),
      name,
      deployment: deployment.name,
      spec: JSON.stringify(spec),
      next_due_at: nextDueAt(spec, now),
      last_report_id: null,
      last_evaluated_at: null,
      last_triggered_at: null,
      created_by: ctx.actor.name,
      created_at: now,
      updated_by: ctx.actor.name,
      updated_at: now,
    };
    try {
      return await mutate(this.deps.database, ctx, async (trx) => {
        const existing = await trx
          .selectFrom('monitors')
          .select('id')
          .where('name', '=', name)
          .executeTakeFirst();
        if (existing !== undefined) throw monitorExists(name);
        await trx.insertInto('monitors').values(row).execute();
        const monitor = toMonitor(row);
        await this.deps.audit.record(trx, ctx, {
          action: 'monitor.create',
          resourceType: 'monitor',
          resourceId: name,
          after: monitor,
        });
        return monitor;
      });
    } catch (error) {
      if (this.deps.database.isUniqueViolation(error)) throw monitorExists(name);
      throw error;
    }
  }

  async get(rawName: string): Promise<Monitor> {
    return toMonitor(await this.row(rawName));
  }

  async list(input: ListMonitorsInput = {}): Promise<Page<Monitor>> {
    let select = this.deps.database.db.selectFrom('monitors').selectAll();
    if (input.deployment !== undefined)
      select = select.where('deployment', '=', input.deployment.trim().toLowerCase());
    return newestFirstPage(select, input, `monitors:${input.deployment ?? ''}`, toMonitor);
  }

  async update(ctx: RequestContext, rawName: string, input: MonitorInput): Promise<Monitor> {
    const current = await this.row(rawName);
    const spec = await this.checked(buildSpec(input, readMonitorSpec(current)));
    const now = this.deps.clock.now();
    return mutate(this.deps.database, ctx, async (trx) => {
      const scheduleChanged =
        JSON.stringify(spec.schedule) !== JSON.stringify(readMonitorSpec(current).schedule);
      await trx
        .updateTable('monitors')
        .set({
          spec: JSON.stringify(spec),
          ...(scheduleChanged ? { next_due_at: nextDueAt(spec, now) } : {}),
          updated_by: ctx.actor.name,
          updated_at: now,
        })
        .where('id', '=', current.id)
        .execute();
      const row = await trx
        .selectFrom('monitors')
        .selectAll()
        .where('id', '=', current.id)
        .executeTakeFirstOrThrow();
      const monitor = toMonitor(row);
      await this.deps.audit.record(trx, ctx, {
        action: 'monitor.update',
        resourceType: 'monitor',
        resourceId: row.name,
        before: toMonitor(current),
        after: monitor,
      });
      return monitor;
    });
  }

  /** Deletes the monitor with its reports and alerts (the audit log keeps that it existed). */
  async delete(ctx: RequestContext, rawName: string): Promise<Monitor> {
    const current = await this.row(rawName);
    return mutate(this.deps.database, ctx, async (trx) => {
      await trx.deleteFrom('monitor_alerts').where('monitor_id', '=', current.id).execute();
      await trx.deleteFrom('monitor_reports').where('monitor_id', '=', current.id).execute();
      await trx.deleteFrom('monitors').where('id', '=', current.id).execute();
      const monitor = toMonitor(current);
      await this.deps.audit.record(trx, ctx, {
        action: 'monitor.delete',
        resourceType: 'monitor',
        resourceId: current.name,
        before: monitor,
      });
      return monitor;
    });
  }

  /** Starts an evaluation; the answer is the running report (follow its `links.self`). */
  async evaluate(
    ctx: RequestContext,
    rawName: string,
    cause: 'manual' | 'schedule' = 'manual',
  ): Promise<MonitorReportSummary> {
    const monitor = await this.row(rawName);
    const now = this.deps.clock.now();
    const report = {
      id: newId(now),
      monitor_id: monitor.id,
      status: 'running' as const,
      cause,
      rows: null,
      drift: null,
      share: null,
      body: null,
      error: null,
      created_by: ctx.actor.name,
      created_at: now,
      finished_at: null,
    };
    await this.deps.database.db.insertInto('monitor_reports').values(report).execute();
    const work = this.finish(ctx, monitor, report.id).finally(() => this.running.delete(work));
    this.running.add(work);
    return toReportSummary(monitor.name, report);
  }

  async reports(rawName: string, page: PageRequest = {}): Promise<Page<MonitorReportSummary>> {
    const monitor = await this.row(rawName);
    const select = this.deps.database.db
      .selectFrom('monitor_reports')
      .select([
        'id',
        'monitor_id',
        'status',
        'cause',
        'rows',
        'drift',
        'share',
        'error',
        'created_by',
        'created_at',
        'finished_at',
      ])
      .where('monitor_id', '=', monitor.id);
    return newestFirstPage(select, page, `monitor-reports:${monitor.id}`, (row) =>
      toReportSummary(monitor.name, { ...row, body: null }),
    );
  }

  /** One report with its body; `latest` names the newest. */
  async report(rawName: string, id: string): Promise<MonitorReport> {
    const monitor = await this.row(rawName);
    let select = this.deps.database.db
      .selectFrom('monitor_reports')
      .selectAll()
      .where('monitor_id', '=', monitor.id);
    select = id === 'latest' ? select.orderBy('id', 'desc').limit(1) : select.where('id', '=', id);
    const row = await select.executeTakeFirst();
    if (row === undefined) {
      throw new NotFoundError(
        'MONITOR_REPORT_NOT_FOUND',
        id === 'latest'
          ? `monitor '${monitor.name}' has no reports yet (evaluate it first)`
          : `monitor '${monitor.name}' has no report '${id}'`,
        { monitor: monitor.name, report: id },
      );
    }
    return toReport(monitor.name, row);
  }

  async alerts(rawName: string, page: PageRequest = {}): Promise<Page<MonitorAlert>> {
    const monitor = await this.row(rawName);
    const select = this.deps.database.db
      .selectFrom('monitor_alerts')
      .selectAll()
      .where('monitor_id', '=', monitor.id);
    return newestFirstPage(select, page, `monitor-alerts:${monitor.id}`, (row) => toAlert(monitor.name, row));
  }

  /** Fails evaluations a stop cut short (older than a minute and still running). */
  async failInterrupted(): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.database.db
      .updateTable('monitor_reports')
      .set({
        status: 'failed',
        error: JSON.stringify({
          code: 'UNAVAILABLE',
          message: 'the evaluation was interrupted by a server stop',
        }),
        finished_at: now,
      })
      .where('status', '=', 'running')
      .where('created_at', '<', now - INTERRUPTED_AFTER_MS)
      .execute();
  }

  /** Waits for the evaluations in progress. */
  async drain(): Promise<void> {
    await Promise.all([...this.running]);
  }

  private async finish(ctx: RequestContext, monitor: MonitorRow, reportId: string): Promise<void> {
    let body: ReportBody | undefined;
    let failure: { code: string; message: string } | undefined;
    try {
      const deployment = await this.deps.serving.deployments.get(monitor.deployment);
      body = await evaluateMonitor(
        this.deps,
        this.tools,
        deployment,
        readMonitorSpec(monitor),
        this.deps.clock.now(),
      );
    } catch (error) {
      failure =
        error instanceof SlipwayError
          ? { code: error.code, message: error.message }
          : { code: 'INTERNAL', message: (error as Error).message };
      if (!(error instanceof SlipwayError)) {
        this.deps.logger?.error({ err: error, monitor: monitor.name }, 'monitor evaluation failed');
      }
    }
    const now = this.deps.clock.now();
    const { db } = this.deps.database;
    await db.transaction().execute(async (trx) => {
      await trx
        .updateTable('monitor_reports')
        .set(
          body === undefined
            ? { status: 'failed', error: JSON.stringify(failure), finished_at: now }
            : {
                status: 'succeeded',
                rows: body.window.rows,
                drift: body.drift ? 1 : 0,
                share: body.inputs.share,
                body: encodeBody(body),
                finished_at: now,
              },
        )
        .where('id', '=', reportId)
        .execute();
      await trx
        .updateTable('monitors')
        .set({ last_report_id: reportId, last_evaluated_at: now })
        .where('id', '=', monitor.id)
        .execute();
    });
    if (body === undefined) return;
    this.deps.logger?.[body.drift || body.degraded ? 'warn' : 'info'](
      {
        monitor: monitor.name,
        report: reportId,
        drift: body.drift,
        driftedFeatures: body.driftedFeatures,
        share: body.inputs.share,
        degraded: body.degraded,
      },
      body.drift
        ? 'monitor found drift'
        : body.degraded
          ? 'monitor found degraded performance'
          : 'monitor found no drift',
    );
    if (body.drift || body.degraded) await this.actions.onAlert(ctx, monitor, reportId, body);
  }

  private async row(rawName: string): Promise<MonitorRow> {
    const name = normaliseName('monitor', rawName);
    const row = await this.deps.database.db
      .selectFrom('monitors')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    if (row === undefined) {
      throw new NotFoundError('MONITOR_NOT_FOUND', `monitor '${name}' does not exist`, { monitor: name });
    }
    return row;
  }

  /** Pins `dataset@latest` to its version now, and checks what the spec names exists. */
  private async checked(spec: MonitorSpec): Promise<MonitorSpec> {
    let reference = spec.reference;
    if (reference !== null) {
      const loaded = await loadDatasetVersion(this.deps.database.db, reference, 'reference');
      reference = formatReference(loaded.version.dataset, loaded.version.version);
    }
    if (spec.model !== null) await this.deps.registry.versions.resolve(spec.model);
    if (spec.onDrift !== null) await this.deps.pipelines.pipelines.get(spec.onDrift.pipeline);
    return { ...spec, reference };
  }
}

function monitorExists(name: string): ConflictError {
  return new ConflictError('MONITOR_EXISTS', `monitor '${name}' already exists`, { monitor: name });
}

export function nextDueAt(spec: MonitorSpec, after: number): number | null {
  return spec.schedule === null ? null : nextCronTime(spec.schedule.cron, spec.schedule.timezone, after);
}

/** JSON with non-finite numbers as the API's strings ("NaN", "Infinity", "-Infinity"). */
function encodeBody(body: ReportBody): string {
  return JSON.stringify(body, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
  );
}
