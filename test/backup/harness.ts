/**
 * Helpers for the backup suites: backup and restore through the CLI, empty installations (home + database) to restore
 * into, a server started on an existing installation, a dataset that touches every table (the
 * datasets, registry and lineage part is in registry-data.ts), and a picture of an installation's
 * state taken through the SDK so two installations can be compared.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ArtifactInfo,
  type AuditEvent,
  type Experiment,
  type MetricPoint,
  type Run,
  Slipway,
  type TokenInfo,
} from '../../src/client/index.js';
import { loadServerConfig } from '../../src/core/config.js';
import { type RunningServer, startServer } from '../../src/server/start.js';
import { type BackendName, type ScratchDatabase, scratchDatabase } from '../support/backends.js';
import { type CliResult, cli } from '../support/cli.js';
import {
  all,
  captureRegistryState,
  populateRegistry,
  type RegistryData,
  type RegistryState,
} from './registry-data.js';

/** A home folder and a database that nothing has touched yet. */
export interface Installation {
  readonly home: string;
  readonly backend: BackendName;
  readonly database: ScratchDatabase;
  /** The SLIPWAY_* variables a server or `slipway restore` reads for this installation. */
  readonly env: Readonly<Record<string, string>>;
  drop(): Promise<void>;
}

export async function emptyInstallation(
  backend: BackendName,
  extraEnv: Readonly<Record<string, string>> = {},
): Promise<Installation> {
  const home = await mkdtemp(join(tmpdir(), 'slipway-restore-'));
  const database = await scratchDatabase(backend);
  return {
    home,
    backend,
    database,
    env: {
      SLIPWAY_HOME: home,
      SLIPWAY_DATABASE_URL: database.env,
      SLIPWAY_LOG_LEVEL: 'silent',
      SLIPWAY_PORT: '0',
      ...extraEnv,
    },
    async drop() {
      await database.drop();
      await rm(home, { recursive: true, force: true });
    },
  };
}

export interface StartedServer {
  readonly url: string;
  readonly server: RunningServer;
  /** Connected with the given token. */
  readonly sw: Slipway;
  connect(token: string): Promise<Slipway>;
  close(): Promise<void>;
}

/** Starts a server on an installation and connects with `token` (default: its admin.token file). */
export async function startOn(installation: Installation, token?: string): Promise<StartedServer> {
  const server = await startServer(loadServerConfig(installation.env));
  const clients: Slipway[] = [];
  const connect = async (secret: string) => {
    const client = await Slipway.connect({ url: server.url, token: secret, env: {} });
    clients.push(client);
    return client;
  };
  try {
    const secret = token ?? (await readFile(join(installation.home, 'admin.token'), 'utf8')).trim();
    const sw = await connect(secret);
    return {
      url: server.url,
      server,
      sw,
      connect,
      async close() {
        await Promise.all(clients.map((client) => client.close()));
        await server.close();
      },
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}

/** Runs `slipway backup` against a server with a token. */
export function backupCli(url: string, token: string, file: string, ...flags: string[]): Promise<CliResult> {
  return cli([...flags, 'backup', file], { SLIPWAY_URL: url, SLIPWAY_TOKEN: token }, tmpdir());
}

export function restoreCli(installation: Installation, file: string, ...flags: string[]): Promise<CliResult> {
  return cli(['restore', file, ...flags], installation.env, tmpdir());
}

export interface Dataset {
  readonly editorToken: string;
  readonly revokedToken: string;
  /** The run whose metric history holds NaN and ±Infinity. */
  readonly specialRunId: string;
  /** Artifact bytes by `<runId>/<path>`, as uploaded. */
  readonly artifacts: ReadonlyMap<string, Buffer>;
  /** Datasets, models and lineage, recorded with the special run as producer and reader. */
  readonly registry: RegistryData;
  /** Distinct blobs: artifacts, dataset versions (as pushed and as Parquet) and model files. */
  readonly blobCount: number;
}

/**
 * Fills every table: experiments (one deleted), parent and child runs, metrics, artifacts, tokens,
 * datasets with a validation report, models with aliases, approvals and a card, and lineage.
 */
export async function populate(sw: Slipway, options: { bulkPoints?: number } = {}): Promise<Dataset> {
  const artifacts = new Map<string, Buffer>();
  await sw.experiments.create({ name: 'churn', description: 'churn model', tags: { team: 'ads' } });
  await sw.experiments.create({ name: 'gone', tags: { old: 'yes' } });
  const doomed = await sw.runs.create({ experiment: 'gone', name: 'old-run', params: { lr: 0.1 } });
  await sw.runs.logMetrics(doomed.id, [{ key: 'loss', value: 0.5, step: 1, timestamp: 1_000 }]);
  await sw.experiments.delete('gone');

  const parent = await sw.runs.create(
    {
      experiment: 'churn',
      name: 'sweep',
      params: { epochs: 10, optimiser: 'adam' },
      tags: { kind: 'sweep' },
    },
    { idempotencyKey: 'create-sweep' },
  );
  const child = await sw.runs.create({
    experiment: 'churn',
    name: 'trial-1',
    parentRunId: parent.id,
    params: { lr: 0.01, depth: 6 },
    tags: { note: 'unicode ✓ "quoted"\nnewline' },
    gitCommit: 'a'.repeat(40),
  });
  await sw.runs.setTags(child.id, { stage: 'eval' });
  await sw.runs.logMetrics(child.id, [
    { key: 'loss', value: 1, step: 0, timestamp: 10_000 },
    { key: 'loss', value: Number.NaN, step: 1, timestamp: 10_001 },
    { key: 'loss', value: Number.POSITIVE_INFINITY, step: 2, timestamp: 10_002 },
    { key: 'loss', value: Number.NEGATIVE_INFINITY, step: 3, timestamp: 10_003 },
    { key: 'acc', value: 0.25, step: 0, timestamp: 10_000 },
    { key: 'acc', value: Number.NEGATIVE_INFINITY, step: 1, timestamp: 10_004 },
  ]);
  await sw.runs.update(child.id, { status: 'finished' });
  await sw.runs.update(parent.id, { status: 'failed' });

  const model = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251));
  const notes = Buffer.from('notes about the sweep\n');
  for (const [run, path, bytes] of [
    [child.id, 'model/model.onnx', model],
    [child.id, 'notes.txt', notes],
    [parent.id, 'copy/of/notes.txt', notes],
    [parent.id, 'empty.bin', Buffer.alloc(0)],
  ] as const) {
    await sw.artifacts.put(run, path, bytes);
    artifacts.set(`${run}/${path}`, bytes);
  }

  const bulkPoints = options.bulkPoints ?? 0;
  if (bulkPoints > 0) {
    const bulk = await sw.runs.create({ experiment: 'churn', name: 'bulk' });
    for (let start = 0; start < bulkPoints; start += 10_000) {
      const count = Math.min(10_000, bulkPoints - start);
      await sw.runs.logMetrics(
        bulk.id,
        Array.from({ length: count }, (_, i) => ({
          key: `m${(start + i) % 4}`,
          value: Math.sin(start + i),
          step: start + i,
          timestamp: 20_000 + start + i,
        })),
      );
    }
  }

  const registry = await populateRegistry(sw, child.id);

  const editor = await sw.tokens.create({ name: 'ci', role: 'editor' });
  const revoked = await sw.tokens.create({ name: 'old-ci', role: 'viewer' });
  await sw.tokens.revoke('old-ci');
  const digests = new Set(registry.digests);
  for (const bytes of artifacts.values()) digests.add(createHash('sha256').update(bytes).digest('hex'));
  return {
    editorToken: editor.token,
    revokedToken: revoked.token,
    specialRunId: child.id,
    artifacts,
    registry,
    blobCount: digests.size,
  };
}

export interface ArtifactState extends ArtifactInfo {
  /** sha256 of the bytes the server serves. */
  readonly served: string;
}

/** Everything a user can see of an installation through the SDK, in a stable order. */
export interface State {
  readonly experiments: readonly Experiment[];
  readonly runs: readonly Run[];
  readonly histories: Readonly<Record<string, readonly MetricPoint[]>>;
  readonly artifacts: Readonly<Record<string, readonly ArtifactState[]>>;
  readonly audit: readonly AuditEvent[];
  /** Without lastUsedAt, which any request may move. */
  readonly tokens: readonly Omit<TokenInfo, 'lastUsedAt'>[];
  readonly registry: RegistryState;
}

export async function captureState(sw: Slipway): Promise<State> {
  const experiments = await all((pageToken) =>
    sw.experiments.list({ lifecycle: 'all', limit: 1000, pageToken }),
  );
  const runs: Run[] = [];
  for (const experiment of experiments) {
    runs.push(
      ...(await all((pageToken) => sw.runs.list({ experiment: experiment.id, limit: 1000, pageToken }))),
    );
  }
  runs.sort((a, b) => a.id.localeCompare(b.id));
  const histories: Record<string, MetricPoint[]> = {};
  const artifacts: Record<string, ArtifactState[]> = {};
  for (const run of runs) {
    for (const key of Object.keys(run.metrics).sort()) {
      histories[`${run.id}/${key}`] = await history(sw, run.id, key);
    }
    const items: ArtifactState[] = [];
    for (const info of await sw.artifacts.list(run.id)) {
      const bytes = await sw.artifacts.bytes(run.id, info.path);
      items.push({ ...info, served: createHash('sha256').update(bytes).digest('hex') });
    }
    artifacts[run.id] = items;
  }
  const audit = await all((pageToken) => sw.audit.list({ limit: 1000, pageToken }));
  const tokens = (await sw.tokens.list({ includeRevoked: true })).map(({ lastUsedAt: _, ...rest }) => rest);
  const registry = await captureRegistryState(sw);
  return { experiments, runs, histories, artifacts, audit, tokens, registry };
}

export async function history(sw: Slipway, runId: string, key: string): Promise<MetricPoint[]> {
  const points: MetricPoint[] = [];
  let pageToken: string | undefined;
  do {
    const page = await sw.runs.metricHistory(runId, key, {
      limit: 25_000,
      ...(pageToken ? { pageToken } : {}),
    });
    points.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return points;
}
