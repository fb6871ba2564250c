/**
 * What a monitor does when a report finds drift: a warning in the log, an audit event, a webhook
 * call and, at most once per cooldown, a run of the on-drift pipeline. Each call or run is an alert
 * row delivered here with retries (exponential backoff) so a failure is visible, never lost: a
 * webhook gets WEBHOOK_ATTEMPTS tries; a pipeline that does not exist or refuses its params fails at
 * once (retrying cannot help), other failures are retried. Alerts are claimed by compare-and-set on
 * `next_attempt_at`, so with several servers each is delivered by one of them.
 */
import type { RequestContext } from '../../core/context.js';
import { InvalidError, NotFoundError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { Periodic } from '../../core/periodic.js';
import type { MonitorAlertRow, MonitorRow } from '../../store/tables.js';
import { readMonitorSpec } from './entities.js';
import type { ReportBody } from './evaluate.js';
import type { MonitorDeps } from './monitor-deps.js';

export const WEBHOOK_ATTEMPTS = 5;
export const PIPELINE_ATTEMPTS = 5;
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 300_000;
/** How long a claimed delivery is its server's before another may try it. */
const CLAIM_MS = 60_000;
const WEBHOOK_TIMEOUT_MS = 10_000;
const DELIVERIES_PER_TICK = 50;
const DELIVERY_TICK_MS = 1000;

export class AlertActions {
  /** Where the server answers, for the report links in webhook payloads (set when it listens). */
  baseUrl = 'http://127.0.0.1:7070';
  /** Due deliveries, looked for once a second and right after alerts are recorded. */
  private readonly delivery: Periodic;

  constructor(private readonly deps: MonitorDeps) {
    this.delivery = new Periodic(
      'monitor alert delivery',
      DELIVERY_TICK_MS,
      () => this.deliver(),
      deps.logger,
    );
  }

  start(): void {
    this.delivery.start();
  }

  close(): Promise<void> {
    return this.delivery.close();
  }

  /** Records the alerts a drifted (or degraded) report calls for, then delivers them. */
  async onAlert(ctx: RequestContext, monitor: MonitorRow, reportId: string, body: ReportBody): Promise<void> {
    const spec = readMonitorSpec(monitor);
    const now = this.deps.clock.now();
    const event = body.drift ? 'monitor.drift' : 'monitor.degradation';
    const summary = {
      event,
      monitor: monitor.name,
      deployment: monitor.deployment,
      report: {
        id: reportId,
        url: `${this.baseUrl}/api/v1/monitors/${monitor.name}/reports/${reportId}`,
        drift: body.drift,
        degraded: body.degraded,
        inputDrift: body.inputDrift,
        predictionDrift: body.predictionDrift,
        share: body.inputs.share,
        driftedFeatures: body.driftedFeatures,
        rows: body.window.rows,
        window: { from: body.window.from, to: body.window.to },
        reference: body.reference.dataset,
        ...(body.performance === undefined ? {} : { performance: body.performance }),
      },
      at: new Date(now).toISOString(),
    };
    const alerts: MonitorAlertRow[] = [];
    const alert = (kind: MonitorAlertRow['kind'], target: string, payload: unknown): MonitorAlertRow => ({
      id: newId(now),
      monitor_id: monitor.id,
      report_id: reportId,
      kind,
      target,
      status: 'pending',
      attempts: 0,
      next_attempt_at: now,
      last_error: null,
      payload: JSON.stringify(payload),
      result: null,
      created_at: now,
      updated_at: now,
    });
    if (spec.webhook !== null) alerts.push(alert('webhook', spec.webhook, summary));
    if (spec.onDrift !== null) {
      const { pipeline, params, cooldownMs } = spec.onDrift;
      const run = alert('pipeline', pipeline, { params });
      // Compare-and-set: of the drifted reports within one cooldown, only the first starts a run.
      const claimed = await this.deps.database.db
        .updateTable('monitors')
        .set({ last_triggered_at: now })
        .where('id', '=', monitor.id)
        .where((eb) =>
          eb.or([eb('last_triggered_at', 'is', null), eb('last_triggered_at', '<=', now - cooldownMs)]),
        )
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 1) alerts.push(run);
      else {
        alerts.push({
          ...run,
          status: 'skipped',
          next_attempt_at: null,
          last_error: `within the cooldown of ${Math.round(cooldownMs / 1000)} s since the last run this monitor started`,
        });
      }
    }
    await this.deps.database.db.transaction().execute(async (trx) => {
      if (alerts.length > 0) await trx.insertInto('monitor_alerts').values(alerts).execute();
      await this.deps.audit.record(trx, ctx, {
        action: event,
        resourceType: 'monitor',
        resourceId: monitor.name,
        after: {
          report: reportId,
          inputDrift: body.inputDrift,
          predictionDrift: body.predictionDrift,
          degraded: body.degraded,
          driftedFeatures: body.driftedFeatures,
          share: body.inputs.share,
          actions: alerts.map((a) => ({ kind: a.kind, target: a.target, status: a.status })),
        },
      });
    });
    if (alerts.some((a) => a.status === 'pending')) void this.delivery.run();
  }

  private async deliver(): Promise<void> {
    const { db } = this.deps.database;
    const now = this.deps.clock.now();
    const due = await db
      .selectFrom('monitor_alerts')
      .innerJoin('monitors', 'monitors.id', 'monitor_alerts.monitor_id')
      .selectAll('monitor_alerts')
      .select('monitors.name as monitor_name')
      .where('monitor_alerts.status', '=', 'pending')
      .where('monitor_alerts.next_attempt_at', '<=', now)
      .orderBy('monitor_alerts.next_attempt_at')
      .limit(DELIVERIES_PER_TICK)
      .execute();
    await Promise.all(
      due.map(async (row) => {
        const claimed = await db
          .updateTable('monitor_alerts')
          .set({ next_attempt_at: now + CLAIM_MS })
          .where('id', '=', row.id)
          .where('status', '=', 'pending')
          .where('next_attempt_at', '=', Number(row.next_attempt_at))
          .executeTakeFirst();
        if (Number(claimed.numUpdatedRows) === 1) await this.attempt(row.monitor_name, row);
      }),
    );
  }

  private async attempt(monitor: string, row: MonitorAlertRow): Promise<void> {
    const attempts = Number(row.attempts) + 1;
    let outcome: { result: Record<string, unknown> } | { error: string; final: boolean };
    try {
      outcome = {
        result:
          row.kind === 'webhook'
            ? await this.callWebhook(row.target, row.payload)
            : await this.startPipeline(monitor, row),
      };
    } catch (error) {
      const final =
        row.kind === 'pipeline'
          ? error instanceof NotFoundError || error instanceof InvalidError || attempts >= PIPELINE_ATTEMPTS
          : attempts >= WEBHOOK_ATTEMPTS;
      outcome = { error: (error as Error).message, final };
    }
    const now = this.deps.clock.now();
    if ('result' in outcome) {
      await this.settle(row, {
        status: 'delivered',
        attempts,
        next_attempt_at: null,
        result: JSON.stringify(outcome.result),
        updated_at: now,
      });
      this.deps.logger?.info(
        { monitor, alert: row.id, kind: row.kind, target: row.target, ...outcome.result },
        'monitor alert delivered',
      );
      return;
    }
    const backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempts - 1));
    await this.settle(row, {
      status: outcome.final ? 'failed' : 'pending',
      attempts,
      next_attempt_at: outcome.final ? null : now + backoff,
      last_error: outcome.error,
      updated_at: now,
    });
    this.deps.logger?.warn(
      { monitor, alert: row.id, kind: row.kind, target: row.target, attempts, error: outcome.error },
      outcome.final ? 'monitor alert failed for good' : 'monitor alert failed; retrying',
    );
  }

  private async settle(row: MonitorAlertRow, changes: Partial<MonitorAlertRow>): Promise<void> {
    await this.deps.database.db.updateTable('monitor_alerts').set(changes).where('id', '=', row.id).execute();
  }

  private async callWebhook(url: string, payload: string): Promise<Record<string, unknown>> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'slipway-monitor' },
      body: payload,
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`the webhook answered HTTP ${response.status}`);
    return { status: response.status };
  }

  private async startPipeline(monitor: string, row: MonitorAlertRow): Promise<Record<string, unknown>> {
    const { params } = JSON.parse(row.payload) as { params: Record<string, unknown> };
    const ctx: RequestContext = {
      actor: { name: `monitor:${monitor}`, role: 'editor' },
      requestId: row.report_id,
    };
    const run = await this.deps.pipelines.runs.start(ctx, {
      pipeline: row.target,
      params,
      trigger: { kind: 'drift', monitor, report: row.report_id },
    });
    return { run: run.id, pipeline: row.target };
  }
}
