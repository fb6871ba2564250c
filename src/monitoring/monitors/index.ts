/** Monitors: live windows of a deployment compared with a reference, stored reports, alerts. */
export { AlertActions, PIPELINE_ATTEMPTS, WEBHOOK_ATTEMPTS } from './alert-actions.js';
export {
  type ColumnQuality,
  type DataQuality,
  NULL_RATE_RISE,
  OUT_OF_RANGE_SHARE,
  UNSEEN_SHARE,
} from './data-quality.js';
export {
  type Monitor,
  type MonitorAlert,
  type MonitorReport,
  type MonitorReportSummary,
  REPORT_STATUSES,
  type ReportStatus,
} from './entities.js';
export type { PredictionDrift, ReportBody } from './evaluate.js';
export { MonitorScheduler } from './monitor-scheduler.js';
export { type CreateMonitorInput, type ListMonitorsInput, MonitorService } from './monitor-service.js';
export { REFERENCE_PREDICTION_ROWS } from './prediction-drift.js';
export {
  DEFAULT_COOLDOWN_MS,
  DEFAULT_WINDOW,
  formatDuration,
  formatWindow,
  MAX_WINDOW_ROWS,
  type MonitorInput,
  type MonitorSpec,
  type MonitorTestName,
  type OnDriftSpec,
  type ScheduleSpec,
  type WindowSpec,
} from './spec.js';
