/** The model registry: models, immutable versions with signatures, aliases, approvals and model cards. */
import type { BlobStore } from '../artifacts/index.js';
import type { AuditLog } from '../auth/index.js';
import type { Clock } from '../core/clock.js';
import type { Datasets } from '../data/index.js';
import type { LineageRecorder } from '../lineage/index.js';
import type { Database } from '../store/index.js';
import type { Tracking } from '../tracking/index.js';

export interface RegistryDeps {
  readonly database: Database;
  readonly blobs: BlobStore;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly lineage: LineageRecorder;
  readonly tracking: Tracking;
  readonly datasets: Datasets;
  readonly maxArtifactBytes: number;
}

// SCAFFOLD(registry): services are added here by the registry work.
// biome-ignore lint/suspicious/noEmptyInterface: filled by the registry work
export interface Registry {}

export function createRegistry(_deps: RegistryDeps): Registry {
  return {};
}
