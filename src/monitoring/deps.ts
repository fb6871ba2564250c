/** What the monitoring domain is built from (see createMonitoring); monitors, feedback. */
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Datasets } from '../data/index.js';
import type { Pipelines } from '../pipelines/index.js';
import type { Registry } from '../registry/index.js';
import type { Serving } from '../serving/index.js';
import type { Database } from '../store/index.js';

export interface MonitoringDeps {
  readonly database: Database;
  /** Dataset versions are read through its data engine. */
  readonly datasets: Datasets;
  readonly audit: AuditLog;
  readonly clock: Clock;
  /** Model versions: features, classes and the training data linked to them. */
  readonly registry: Registry;
  /** Deployments, and the models that compute a reference's predictions. */
  readonly serving: Serving;
  /** Runs the on-drift pipelines. */
  readonly pipelines: Pipelines;
  /** Inference log retention (SLIPWAY_INFERENCE_LOG_RETENTION); 0 keeps rows forever. */
  readonly logRetentionMs?: number;
  readonly logger?: Logger;
}
