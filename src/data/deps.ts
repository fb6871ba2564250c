/** What the datasets domain is built from (see createDatasets). */
import type { BlobStore } from '../artifacts/index.js';
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { LineageRecorder } from '../lineage/index.js';
import type { Database } from '../store/index.js';
import type { DataEngine } from './data-engine.js';

export interface DatasetsDeps {
  readonly database: Database;
  readonly blobs: BlobStore;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly lineage: LineageRecorder;
  readonly engine: DataEngine;
  /** Largest file a push accepts (SLIPWAY_MAX_ARTIFACT_BYTES). */
  readonly maxBytes: number;
}
