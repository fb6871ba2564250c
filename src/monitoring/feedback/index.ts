/** Feedback (labels joined with the inference log) and the live performance of each model version. */

export {
  DEFAULT_LATE_AFTER_SECONDS,
  type FeedbackInput,
  type FeedbackItem,
  MAX_LABELS,
} from './feedback-input.js';
export {
  type DuplicateLabel,
  type FeedbackDeps,
  type FeedbackResult,
  FeedbackService,
  type LiveMetrics,
  type SeriesFilter,
  type TimeWindow,
  type UnknownLabel,
} from './feedback-service.js';
export { classAnswer, classOfLabel, type LabelValue, valueAnswer, valueOfLabel } from './label-decoding.js';
export { type JoinedRow, type LabelledRows, labelledRows, type RowKeys } from './labelled-rows.js';
export {
  BUCKET_MS,
  type LiveMetricPoint,
  type LiveMetricValues,
  type VersionPerformance,
} from './live-metrics.js';
export { type LiveStatus, withLiveMetrics } from './status-live.js';
