/** Monitoring: drift statistics and the drift report of two tables; monitors, live metrics and decisions follow. */
import { compareVersions } from './compare-service.js';
import type { MonitoringDeps } from './deps.js';
import type { DriftCompareRequest, DriftComparison } from './drift-comparison.js';
import { FeedbackService } from './feedback/feedback-service.js';
import { AlertActions } from './monitors/alert-actions.js';
import { MonitorScheduler } from './monitors/monitor-scheduler.js';
import { MonitorService } from './monitors/monitor-service.js';
import { PolicyScheduler } from './policy/policy-scheduler.js';
import { PolicyService } from './policy/policy-service.js';
import { LogRetention } from './retention/log-retention.js';

export { compareVersions } from './compare-service.js';
export type { MonitoringDeps } from './deps.js';
export * from './drift/index.js';
export {
  compareLoaded,
  type DriftCompareOptions,
  type DriftCompareRequest,
  type DriftComparison,
  type NamedTable,
} from './drift-comparison.js';
export * from './feedback/index.js';
export * from './monitors/index.js';
export * from './performance/index.js';
export * from './policy/index.js';
export { LogRetention, RETENTION_INTERVAL_MS } from './retention/log-retention.js';
export * from './stats/index.js';
export * from './tables/index.js';

export interface Monitoring {
  /** Ad hoc drift report of two dataset versions (`POST /api/v1/drift/compare`). */
  compare(request: DriftCompareRequest): Promise<DriftComparison>;
  /** Labels for logged predictions, and the live performance of each model version they give. */
  readonly feedback: FeedbackService;
  /** Monitors of deployments: drift and data quality of live windows, reports, alerts. */
  readonly monitors: MonitorService;
  /** Champion/challenger policies of deployments, their periodic evaluation and decisions. */
  readonly policies: PolicyService;
  /** Deletes inference log rows older than the retention (hourly, from start()). */
  readonly retention: LogRetention;
  /**
   * Starts background work: scheduled evaluations and alert deliveries. `baseUrl` is where the
   * server answers (report links in webhook payloads).
   */
  start(options: { readonly baseUrl: string }): Promise<void>;
  close(): Promise<void>;
}

export function createMonitoring(deps: MonitoringDeps): Monitoring {
  const feedback = new FeedbackService({
    database: deps.database,
    audit: deps.audit,
    clock: deps.clock,
    registry: deps.registry,
    deployments: deps.serving.deployments,
  });
  const actions = new AlertActions(deps);
  const monitors = new MonitorService(deps, actions, feedback);
  const scheduler = new MonitorScheduler(deps, monitors);
  const policies = new PolicyService({ ...deps, feedback });
  const policyScheduler = new PolicyScheduler(policies, deps.logger);
  const retention = new LogRetention(deps.database, deps.clock, deps.logRetentionMs ?? 0, deps.logger);
  return {
    compare: (request) => compareVersions(deps, request),
    feedback,
    monitors,
    policies,
    retention,
    async start(options) {
      actions.baseUrl = options.baseUrl;
      await monitors.failInterrupted();
      scheduler.start();
      actions.start();
      policyScheduler.start();
      retention.start();
    },
    async close() {
      await scheduler.close();
      await actions.close();
      await policyScheduler.close();
      await retention.close();
      await monitors.drain();
    },
  };
}
