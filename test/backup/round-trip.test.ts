/**
 * Backup of a running server (while a writer keeps logging metrics), restore into an empty
 * installation on the same backend, and the restored installation looks exactly like the snapshot.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Slipway, UnauthorizedError } from '../../src/client/index.js';
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
    expect(backupOutput).toContain('blobs: 3');
    sourceClosed = true;
    await source.close();
  });

  it('restores into an empty installation; the original admin token works there', async () => {
    target = await emptyInstallation(backend);
    const result = await restoreCli(target, join(dir, 'backup.tar'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('3 blobs');
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

  it('accepts new runs and metrics after the restore', async () => {
    const run = await restored!.sw.runs.create({ experiment: 'churn', name: 'after-restore' });
    await restored!.sw.runs.logMetrics(run.id, [{ key: 'x', value: 1, step: 0 }]);
    expect((await restored!.sw.runs.get(run.id)).metrics.x?.value).toBe(1);
    const loss = await history(restored!.sw, data.specialRunId, 'loss');
    expect(loss).toHaveLength(4);
  });
});
