/** What policies are built from: the monitoring domain's dependencies plus its feedback service. */
import type { MonitoringDeps } from '../deps.js';
import type { FeedbackService } from '../feedback/index.js';

export interface PolicyDeps extends MonitoringDeps {
  readonly feedback: FeedbackService;
}
