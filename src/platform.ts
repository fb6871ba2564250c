/**
 * The one place that builds Slipway from its configuration: the metadata database, the blob store,
 * and every domain service over them. The server, the CLI's offline commands and the tests all
 * start here.
 */
import { join } from 'node:path';
import { type BlobStore, openBlobStore } from './artifacts/index.js';
import { AuditLog, TokenService } from './auth/index.js';
import { type Clock, systemClock } from './core/clock.js';
import type { ServerConfig } from './core/config.js';
import type { Logger } from './core/logger.js';
import {
  createDatasets,
  DataEngine,
  type Datasets,
  loadDatasetVersion,
  RunInputService,
} from './data/index.js';
import { LineageQuery, LineageRecorder } from './lineage/index.js';
import { createMonitoring, type Monitoring } from './monitoring/index.js';
import { createPipelines, type Pipelines } from './pipelines/index.js';
import { createRegistry, type Registry } from './registry/index.js';
import { createServing, DEFAULT_RUNTIME_OPTIONS, type Serving } from './serving/index.js';
import { type Database, openDatabase } from './store/index.js';
import { createTracking, findRunRow, type Tracking } from './tracking/index.js';
import { createTraining, type Training } from './training/index.js';

export interface Platform {
  readonly config: ServerConfig;
  readonly database: Database;
  readonly blobs: BlobStore;
  readonly clock: Clock;
  readonly audit: AuditLog;
  readonly tokens: TokenService;
  readonly tracking: Tracking;
  /** Walks the lineage graph; domains record edges through the recorder they are built with. */
  readonly lineage: LineageQuery;
  readonly runInputs: RunInputService;
  readonly datasets: Datasets;
  readonly registry: Registry;
  /** AutoML jobs; a server calls `training.automl.resume()` to pick up jobs a stop interrupted. */
  readonly training: Training;
  /** Deployments and their revisions. */
  readonly serving: Serving;
  /** Pipelines and their runs; a server calls `pipelines.start()` to resume runs left unfinished. */
  readonly pipelines: Pipelines;
  /** Drift comparison, monitors, feedback and decisions; a server calls `monitoring.start()`. */
  readonly monitoring: Monitoring;
  close(): Promise<void>;
}

export async function openPlatform(
  config: ServerConfig,
  options: { clock?: Clock; logger?: Logger } = {},
): Promise<Platform> {
  const clock = options.clock ?? systemClock;
  const database = await openDatabase(config.database);
  let blobs: BlobStore;
  try {
    blobs = await openBlobStore(config.artifacts, { s3: config.s3, home: config.home });
  } catch (error) {
    await database.close();
    throw error;
  }
  let engine: DataEngine;
  try {
    engine = await DataEngine.open({ home: config.home, blobs });
  } catch (error) {
    await blobs.close();
    await database.close();
    throw error;
  }
  const audit = new AuditLog(database, clock);
  const lineage = new LineageRecorder(clock);
  const maxArtifactBytes = config.maxArtifactBytes;
  const tracking = createTracking({ database, blobs, audit, clock, maxArtifactBytes });
  const datasets = createDatasets({
    database,
    blobs,
    audit,
    clock,
    lineage,
    engine,
    maxBytes: maxArtifactBytes,
  });
  const registry = createRegistry({
    database,
    blobs,
    audit,
    clock,
    lineage,
    tracking,
    datasets,
    maxArtifactBytes,
    scratchDir: join(config.home, 'tmp', 'models'),
  });
  const runInputs = new RunInputService(database, audit, lineage);
  const training = createTraining({
    database,
    audit,
    clock,
    tracking,
    datasets,
    registry,
    runInputs,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const serving = createServing({
    database,
    databaseUrl: config.database,
    registry,
    audit,
    lineage,
    clock,
    blobs,
    home: config.home,
    runtime: {
      ...DEFAULT_RUNTIME_OPTIONS,
      sessionThreads: config.serving.onnxSessions ?? DEFAULT_RUNTIME_OPTIONS.sessionThreads,
      intraOpThreads: config.serving.onnxThreads,
      timeoutMs: config.serving.timeoutMs,
      maxQueueRows: config.serving.queueRows,
    },
    logSample: config.serving.logSample,
    deploymentPollMs: config.serving.deploymentPollMs,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const pipelines = createPipelines({
    database,
    blobs,
    audit,
    clock,
    lineage,
    tracking,
    datasets,
    registry,
    training,
    serving,
    runInputs,
    home: config.home,
    settings: config.pipelines,
    ...(config.redisUrl === undefined ? {} : { redisUrl: config.redisUrl }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  const monitoring = createMonitoring({
    logRetentionMs: config.serving.logRetentionMs,
    database,
    audit,
    clock,
    datasets,
    registry,
    serving,
    pipelines,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  return {
    config,
    database,
    blobs,
    clock,
    audit,
    tokens: new TokenService(database, audit, clock),
    tracking,
    lineage: new LineageQuery(database, {
      model: async (reference) => (await registry.versions.resolve(reference)).version,
      dataset: async (reference) => (await loadDatasetVersion(database.db, reference)).version.version,
      run: async (id) => {
        await findRunRow(database.db, id);
      },
    }),
    runInputs,
    datasets,
    registry,
    training,
    serving,
    pipelines,
    monitoring,
    async close() {
      await monitoring.close();
      await pipelines.close();
      await serving.close();
      await training.close();
      engine.close();
      await blobs.close();
      await database.close();
    },
  };
}
