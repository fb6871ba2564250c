/** Monitors, their reports and alert deliveries as the API shows them. */
import { toIso } from '../../core/clock.js';
import type { MonitorAlertRow, MonitorReportRow, MonitorRow } from '../../store/tables.js';
import type { ReportBody } from './evaluate.js';
import type { DegradationSpec, MonitorSpec, OnDriftSpec, ScheduleSpec, WindowSpec } from './spec.js';

export interface Monitor {
  readonly id: string;
  readonly name: string;
  readonly deployment: string;
  readonly description: string;
  /** `dataset@v`; absent: the training data of the version the champion route serves. */
  readonly reference?: string;
  /** Only rows this model reference served. */
  readonly model?: string;
  readonly window: WindowSpec;
  readonly features?: readonly string[];
  readonly tests?: readonly string[];
  readonly overrides: MonitorSpec['overrides'];
  readonly driftShare: number;
  readonly correction: MonitorSpec['correction'];
  readonly bins: number;
  readonly predictionDrift: boolean;
  readonly degradation?: DegradationSpec;
  readonly schedule?: ScheduleSpec & { readonly nextAt?: string };
  readonly onDrift?: OnDriftSpec & { readonly lastTriggeredAt?: string };
  readonly webhook?: string;
  readonly lastReport?: { readonly id: string; readonly at: string };
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedBy: string;
  readonly updatedAt: string;
}

export const REPORT_STATUSES = ['running', 'succeeded', 'failed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** A report as listed; a single read adds the body of a succeeded one. */
export interface MonitorReportSummary {
  readonly id: string;
  readonly monitor: string;
  readonly status: ReportStatus;
  /** `manual` (evaluate) or `schedule`. */
  readonly cause: 'manual' | 'schedule';
  readonly rows?: number;
  readonly drift?: boolean;
  /** Share of drifted features. */
  readonly share?: number;
  readonly error?: { readonly code: string; readonly message: string };
  readonly createdBy: string;
  readonly createdAt: string;
  readonly finishedAt?: string;
  readonly links: { readonly self: string };
}

export type MonitorReport = MonitorReportSummary & Partial<ReportBody>;

export interface MonitorAlert {
  readonly id: string;
  readonly monitor: string;
  readonly report: string;
  readonly kind: 'webhook' | 'pipeline';
  readonly target: string;
  readonly status: 'pending' | 'delivered' | 'failed' | 'skipped';
  readonly attempts: number;
  readonly nextAttemptAt?: string;
  readonly lastError?: string;
  readonly result?: Readonly<Record<string, unknown>>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function readMonitorSpec(row: MonitorRow): MonitorSpec {
  return JSON.parse(row.spec) as MonitorSpec;
}

export function toMonitor(row: MonitorRow): Monitor {
  const spec = readMonitorSpec(row);
  return {
    id: row.id,
    name: row.name,
    deployment: row.deployment,
    description: spec.description,
    ...(spec.reference === null ? {} : { reference: spec.reference }),
    ...(spec.model === null ? {} : { model: spec.model }),
    window: spec.window,
    ...(spec.features === null ? {} : { features: spec.features }),
    ...(spec.tests === null ? {} : { tests: spec.tests }),
    overrides: spec.overrides,
    driftShare: spec.driftShare,
    correction: spec.correction,
    bins: spec.bins,
    predictionDrift: spec.predictionDrift,
    ...(spec.degradation == null ? {} : { degradation: spec.degradation }),
    ...(spec.schedule === null
      ? {}
      : {
          schedule: {
            ...spec.schedule,
            ...(row.next_due_at === null ? {} : { nextAt: toIso(Number(row.next_due_at)) }),
          },
        }),
    ...(spec.onDrift === null
      ? {}
      : {
          onDrift: {
            ...spec.onDrift,
            ...(row.last_triggered_at === null
              ? {}
              : { lastTriggeredAt: toIso(Number(row.last_triggered_at)) }),
          },
        }),
    ...(spec.webhook === null ? {} : { webhook: spec.webhook }),
    ...(row.last_report_id === null || row.last_evaluated_at === null
      ? {}
      : { lastReport: { id: row.last_report_id, at: toIso(Number(row.last_evaluated_at)) } }),
    createdBy: row.created_by,
    createdAt: toIso(Number(row.created_at)),
    updatedBy: row.updated_by,
    updatedAt: toIso(Number(row.updated_at)),
  };
}

export function toReportSummary(monitor: string, row: MonitorReportRow): MonitorReportSummary {
  return {
    id: row.id,
    monitor,
    status: row.status,
    cause: row.cause,
    ...(row.rows === null ? {} : { rows: Number(row.rows) }),
    ...(row.drift === null ? {} : { drift: Number(row.drift) === 1 }),
    ...(row.share === null ? {} : { share: Number(row.share) }),
    ...(row.error === null ? {} : { error: JSON.parse(row.error) as { code: string; message: string } }),
    createdBy: row.created_by,
    createdAt: toIso(Number(row.created_at)),
    ...(row.finished_at === null ? {} : { finishedAt: toIso(Number(row.finished_at)) }),
    links: { self: `/api/v1/monitors/${monitor}/reports/${row.id}` },
  };
}

export function toReport(monitor: string, row: MonitorReportRow): MonitorReport {
  const summary = toReportSummary(monitor, row);
  return row.body === null ? summary : { ...summary, ...(JSON.parse(row.body) as ReportBody) };
}

export function toAlert(monitor: string, row: MonitorAlertRow): MonitorAlert {
  return {
    id: row.id,
    monitor,
    report: row.report_id,
    kind: row.kind,
    target: row.target,
    status: row.status,
    attempts: Number(row.attempts),
    ...(row.next_attempt_at === null || row.status !== 'pending'
      ? {}
      : { nextAttemptAt: toIso(Number(row.next_attempt_at)) }),
    ...(row.last_error === null ? {} : { lastError: row.last_error }),
    ...(row.result === null ? {} : { result: JSON.parse(row.result) as Record<string, unknown> }),
    createdAt: toIso(Number(row.created_at)),
    updatedAt: toIso(Number(row.updated_at)),
  };
}
