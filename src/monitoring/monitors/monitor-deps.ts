/** What monitors need of the platform. */
import type { MonitoringDeps } from '../deps.js';

export type MonitorDeps = Pick<
  MonitoringDeps,
  'database' | 'audit' | 'clock' | 'datasets' | 'registry' | 'serving' | 'pipelines' | 'logger'
>;
