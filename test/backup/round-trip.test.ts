/**
 * Backup of a running server (while a writer keeps logging metrics), restore into an empty
 * installation on the same backend, and the restored installation looks exactly like the snapshot:
 * tracking, datasets (served from the blobs in a new home, whose data cache starts empty), the
 * model registry and lineage.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Slipway, type SuiteInput, UnauthorizedError } from '../../src/client/index.js';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  backupCli,
  captureState,
  type Dataset,
  emptyInstallation,
  history,
  type Installation,
  populate,
  restoreCli,
  type StartedServer,
  type State,
  startOn,
} from './harness.js';
import { DATASET, MODEL } from './registry-data.js';

const STEPS_PER_BATCH = 5;

/** Logs keys `a` and `b` at the same steps, one batch (and one audit event) at a time, until stopped. */
function startWriter(sw: Slipway, runId: string) {
  let stopped = false;
  let batches = 0;
  let firstBatch: () => void = () => {};
  const first = new Promise<void>((resolve) => {
    firstBatch = resolve;
  });
  const loop = (async () => {
    for (let step = 0; !stopped; step += STEPS_PER_BATCH) {
      const points = [];
      for (let s = step; s < step + STEPS_PER_BATCH; s++) {
        points.push({ key: 'a', value: s, step: s, timestamp: 1_000_000 + s });
        points.push({ key: 'b', value: -s, step: s, timestamp: 1_000_000 + s });
      }
      await sw.runs.logMetrics(runId, points);
      batches++;
      firstBatch();
    }
  })();
  return {
    first,
    async stop(): Promise<number> {
      stopped = true;
      await loop;
      return batches;
    },
  };
}

describe.each(BACKENDS)('backup and restore on %s', (backend) => {
  let source: TestServer;
  let sourceClosed = false;
  let dir: string;
  let target: Installation | undefined;
  let restored: StartedServer | undefined;
  let data: Dataset;
  let liveRunId: string;
  let before: State;
  let after: State;
  let backupOutput: string;
  let batchesWritten = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-backup-'));
    source = await startTestServer(backend);
  });
  afterAll(async () => {
    await restored?.close();
    await target?.drop();
    if (!sourceClosed) await source?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('backs up the running server with the CLI while a writer keeps logging metrics', async () => {
    data = await populate(source.sw, { bulkPoints: 60_000 });
    liveRunId = (await source.sw.runs.create({ experiment: 'churn', name: 'live' })).id;
    before = await captureState(source.sw);
    const writer = startWriter(source.sw, liveRunId);
    await writer.first;
    const result = await backupCli(source.url, source.adminToken, join(dir, 'backup.tar'));
    batchesWritten = await writer.stop();
    expect(result.code, result.stderr).toBe(0);
    backupOutput = result.stdout;
    expect(backupOutput).toContain(join(dir, 'backup.tar'));
    expect(backupOutput).toMatch(/metrics\s+\d{5,}/);
    expect(backupOutput).toContain(`blobs: ${data.blobCount}`);
    for (const table of ['datasets', 'dataset_versions', 'model_alias_history', 'lineage_edges']) {
      expect(backupOutput).toMatch(new RegExp(`${table}\\s+[1-9]`));
    }
    sourceClosed = true;
    await source.close();
  });

  it('restores into an empty installation; the original admin token works there', async () => {
    target = await emptyInstallation(backend);
    const result = await restoreCli(target, join(dir, 'backup.tar'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${data.blobCount} blobs`);
    expect(result.stdout).toContain("the backup's tokens work as before");
    restored = await startOn(target, source.adminToken);
    expect(restored.server.adminTokenPath).toBeUndefined();
    expect((await restored.sw.whoami()).role).toBe('admin');
    after = await captureState(restored.sw);
  });

  it('brings back experiments (also deleted ones), runs, params, tags and artifacts unchanged', () => {
    expect(after.experiments).toEqual(before.experiments);
    expect(after.experiments.find((e) => e.name === 'gone')?.lifecycle).toBe('deleted');
    const withoutLiveMetrics = (runs: State['runs']) =>
      runs.map((run) => (run.id === liveRunId ? { ...run, metrics: {} } : run));
    expect(withoutLiveMetrics(after.runs)).toEqual(withoutLiveMetrics(before.runs));
    const child = after.runs.find((run) => run.id === data.specialRunId);
    expect(child?.parentRunId).toBe(after.runs.find((run) => run.name === 'sweep')?.id);
    expect(after.artifacts).toEqual(before.artifacts);
  });

  it('brings back every metric history, NaN and ±Infinity included', async () => {
    for (const [key, points] of Object.entries(before.histories))
      expect(after.histories[key]).toEqual(points);
    const loss = await history(restored!.sw, data.specialRunId, 'loss');
    expect(loss.map((point) => point.value)).toEqual([1, Number.NaN, Infinity, -Infinity]);
    const acc = await history(restored!.sw, data.specialRunId, 'acc');
    expect(acc.map((point) => point.value)).toEqual([0.25, -Infinity]);
  });

  it('serves artifacts with the bytes that were uploaded', async () => {
    for (const [key, bytes] of data.artifacts) {
      const slash = key.indexOf('/');
      const served = await restored!.sw.artifacts.bytes(key.slice(0, slash), key.slice(slash + 1));
      expect(served.equals(bytes)).toBe(true);
    }
  });

  it('keeps the audit log, tokens and idempotency keys', async () => {
    const ignoringLiveMetrics = (events: State['audit']) =>
      events.filter((event) => !(event.action === 'run.log_metrics' && event.resourceId === liveRunId));
    expect(ignoringLiveMetrics(after.audit)).toEqual(ignoringLiveMetrics(before.audit));
    expect(after.tokens).toEqual(before.tokens);
    const editor = await restored!.connect(data.editorToken);
    expect((await editor.whoami()).role).toBe('editor');
    await expect(restored!.connect(data.revokedToken)).rejects.toBeInstanceOf(UnauthorizedError);
    const sweep = before.runs.find((run) => run.name === 'sweep')!;
    const replay = await restored!.sw.runs.create(
      {
        experiment: 'churn',
        name: 'sweep',
        params: { epochs: 10, optimiser: 'adam' },
        tags: { kind: 'sweep' },
      },
      { idempotencyKey: 'create-sweep' },
    );
    expect(replay.id).toBe(sweep.id);
  });

  it('captured one consistent snapshot although the writer kept committing', async () => {
    const a = after.histories[`${liveRunId}/a`] ?? [];
    const b = after.histories[`${liveRunId}/b`] ?? [];
    expect(a.length).toBeGreaterThan(0);
    // Each batch wrote 5 points of a, 5 of b, the latest values and one audit event, atomically.
    expect(b.length).toBe(a.length);
    expect(a.length % STEPS_PER_BATCH).toBe(0);
    expect(a.length).toBeLessThanOrEqual(batchesWritten * STEPS_PER_BATCH);
    const live = after.runs.find((run) => run.id === liveRunId)!;
    expect(live.metrics.a).toEqual(a.at(-1));
    expect(live.metrics.b).toEqual(b.at(-1));
    const events = after.audit.filter(
      (event) => event.action === 'run.log_metrics' && event.resourceId === liveRunId,
    );
    expect(events.length).toBe(a.length / STEPS_PER_BATCH);
    // Every artifact row has its blob: each one was downloaded (and verified) by captureState.
    for (const items of Object.values(after.artifacts)) {
      for (const item of items) expect(item.served).toBe(item.digest);
    }
  });

  it('brings back datasets, versions, profiles, row previews, diffs, reports and the bytes as pushed', async () => {
    expect(after.registry.datasets).toEqual(before.registry.datasets);
    expect(after.registry.datasetVersions).toEqual(before.registry.datasetVersions);
    expect(after.registry.diffs).toEqual(before.registry.diffs);
    const [v2, v1] = after.registry.datasetVersions[DATASET]!;
    expect(v1!.rows.rows).toHaveLength(40);
    expect(v2!.validations.map((report) => report.id)).toEqual([data.registry.report.id]);
    for (const [ref, bytes] of data.registry.datasetBytes) {
      expect((await restored!.sw.datasets.bytes(ref)).equals(bytes), ref).toBe(true);
    }
  });

  it('brings back models, signatures, aliases with their history, approvals, cards and the files', async () => {
    const { registry } = after;
    expect(registry.models).toEqual(before.registry.models);
    expect(registry.details).toEqual(before.registry.details);
    expect(registry.modelVersions).toEqual(before.registry.modelVersions);
    expect(registry.aliases).toEqual(before.registry.aliases);
    expect(registry.aliasHistory).toEqual(before.registry.aliasHistory);
    expect(registry.details[MODEL]).toMatchObject({ aliases: { champion: 1, challenger: 2 } });
    expect(registry.aliasHistory[`${MODEL}/staging`]!.map((move) => move.reason)).toEqual(['delete', 'set']);
    expect(registry.models.find((model) => model.name === 'retired-model')?.lifecycle).toBe('deleted');
    const [second, first] = registry.modelVersions[MODEL]!;
    expect(first!.version.signature.inputs.map((input) => input.name)).toEqual(['features', 'segment']);
    expect(first!.card.intendedUse).toBe('retention outreach');
    expect(second!.version.approval.status).toBe('rejected');
    for (const [ref, bytes] of data.registry.modelBytes) {
      const state = registry.modelVersions[MODEL]!.find((v) => `${MODEL}@${v.version.version}` === ref)!;
      expect(state.pulled).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  it('brings back the lineage graph', () => {
    expect(after.registry.lineage).toEqual(before.registry.lineage);
    const upstream = after.registry.lineage[`model:${MODEL}@1`]!;
    expect(upstream.edges.map((edge) => `${edge.source} -${edge.relation}-> ${edge.target}`)).toEqual(
      expect.arrayContaining([
        `dataset:${DATASET}@2 -trained_on-> model:${MODEL}@1`,
        `dataset:${DATASET}@1 -validated_on-> model:${MODEL}@1`,
        `run:${data.specialRunId} -produced-> model:${MODEL}@1`,
        `dataset:${DATASET}@1 -derived-> dataset:${DATASET}@2`,
        `dataset:${DATASET}@1 -input-> run:${data.specialRunId}`,
      ]),
    );
  });

  it('accepts new dataset versions, validations, model versions and alias moves after the restore', async () => {
    const { sw } = restored!;
    const pushed = await sw.datasets.push(DATASET, Buffer.from('order_id,amount\n1,2.5\n'), {
      format: 'csv',
      derivedFrom: [`${DATASET}@2`],
    });
    expect(pushed.version).toBe(3);
    // The same suite over the restored version, read from the restored blobs, says the same.
    const again = await sw.datasets.validate(`${DATASET}@2`, data.registry.report.suite as SuiteInput);
    expect(again.results).toEqual(data.registry.report.results);
    expect((await sw.datasets.validations(`${DATASET}@2`)).items).toHaveLength(2);
    const registered = await sw.models.register(MODEL, { file: data.registry.modelBytes.get(`${MODEL}@2`)! });
    expect(registered.version).toBe(3);
    await sw.models.approve(`${MODEL}@3`);
    await sw.models.alias.set(MODEL, 'champion', 3, { expectedVersion: 1 });
    await expect(sw.models.alias.set(MODEL, 'champion', 1, { expectedVersion: 1 })).rejects.toMatchObject({
      code: 'ALIAS_CONFLICT',
    });
    const history = await sw.models.alias.history(MODEL, 'champion');
    expect(history.items.map((move) => [move.from, move.to])).toEqual([
      [1, 3],
      [undefined, 1],
    ]);
  });

  it('accepts new runs and metrics after the restore', async () => {
    const run = await restored!.sw.runs.create({ experiment: 'churn', name: 'after-restore' });
    await restored!.sw.runs.logMetrics(run.id, [{ key: 'x', value: 1, step: 0 }]);
    expect((await restored!.sw.runs.get(run.id)).metrics.x?.value).toBe(1);
    const loss = await history(restored!.sw, data.specialRunId, 'loss');
    expect(loss).toHaveLength(4);
  });
});
