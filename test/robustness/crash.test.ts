/**
 * Crash safety, on every metadata backend: a real server process is SIGKILLed in the middle of work
 * and restarted on the same home and database. Artifact uploads: nothing interrupted appears, every
 * acknowledged upload is intact, and the blob folder holds only complete blobs. Metric batches:
 * every acknowledged batch is there, no batch is partly there, and each run's latest metric agrees
 * with its history. The kill comes once the work is under way (waiting on conditions, not sleeps).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/client/index.js';
import { BACKENDS } from '../support/backends.js';
import { childServerPerTest } from '../support/child-server.js';

const CHUNK = 64 * 1024;
const BATCH = 1_000;

describe.each(BACKENDS)('a server killed mid-work on %s', (backend) => {
  const { start, connect } = childServerPerTest();

  it('keeps acknowledged artifact uploads intact and leaves no trace of interrupted ones', async () => {
    const server = await start(backend);
    const sw = await connect(server);
    await sw.experiments.create({ name: 'crash-artifacts' });
    const runId = (await sw.runs.create({ experiment: 'crash-artifacts' })).id;

    let stopping = false;
    /** What each upload sent, and whether its 201 arrived before the kill. */
    const sent = new Map<string, Buffer>();
    const acknowledged = new Set<string>();
    const uploaders = Array.from({ length: 3 }, async (_, client) => {
      const uploader = await connect(server);
      for (let n = 0; !stopping; n++) {
        const path = `complete/${client}/${n}.bin`;
        const bytes = randomBytes(1 + ((client * 7919 + n * 104_729) % (2 * 1024 * 1024)));
        sent.set(path, bytes);
        try {
          await uploader.artifacts.put(runId, path, bytes);
          if (!stopping) acknowledged.add(path);
        } catch {
          return; // the server is gone
        }
      }
    });

    // Uploads that stream a chunk at a time and never finish: the kill lands in their middle.
    const slow = Array.from({ length: 4 }, (_, i) => {
      let pushed = 0;
      const body = new Readable({ read() {} });
      const timer = setInterval(() => {
        body.push(randomBytes(CHUNK));
        pushed++;
      }, 20);
      const path = `interrupted/${i}.bin`;
      const upload = sw.artifacts.put(runId, path, body).then(
        () => 'acknowledged' as const,
        () => 'failed' as const,
      );
      return { path, upload, pushed: () => pushed, stop: () => clearInterval(timer) };
    });

    await waitFor(
      async () =>
        acknowledged.size >= 6 &&
        slow.every((upload) => upload.pushed() >= 4) &&
        (await partialTempFiles(server.home)) >= slow.length,
      'acknowledged uploads and partly received streaming ones',
    );
    stopping = true;
    const acknowledgedAtKill = new Set(acknowledged);
    await server.kill('SIGKILL');
    for (const upload of slow) upload.stop();
    expect(await Promise.all(slow.map((upload) => upload.upload))).toEqual(slow.map(() => 'failed'));
    await Promise.all(uploaders);

    await server.restart();
    const after = await connect(server);
    for (const path of acknowledgedAtKill) {
      expect(sha256(await after.artifacts.bytes(runId, path)), path).toBe(sha256(sent.get(path)!));
    }
    for (const { path } of slow) {
      const error = await after.artifacts.bytes(runId, path).catch((e: unknown) => e);
      expect(error, path).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).code).toBe('ARTIFACT_NOT_FOUND');
    }
    // An upload in flight at the kill may or may not have committed, but never partly.
    const listed = await after.artifacts.list(runId);
    for (const artifact of listed) {
      expect(sent.has(artifact.path), artifact.path).toBe(true);
      expect(artifact.digest, artifact.path).toBe(sha256(sent.get(artifact.path)!));
    }
    expect(listed.map((artifact) => artifact.path)).toEqual(expect.arrayContaining([...acknowledgedAtKill]));
    await expectOnlyCompleteBlobs(server.home);

    // The restarted server takes new uploads.
    const fresh = randomBytes(100_000);
    await after.artifacts.put(runId, 'after-restart.bin', fresh);
    expect(await after.artifacts.bytes(runId, 'after-restart.bin')).toEqual(fresh);
  }, 180_000);

  it('applies each metric batch wholly or not at all, keeping every acknowledged one', async () => {
    const server = await start(backend);
    const sw = await connect(server);
    await sw.experiments.create({ name: 'crash-metrics' });
    const runIds = [
      (await sw.runs.create({ experiment: 'crash-metrics' })).id,
      (await sw.runs.create({ experiment: 'crash-metrics' })).id,
    ];

    interface Writer {
      readonly runId: string;
      readonly key: string;
      readonly acknowledged: Set<number>;
      attempted: number;
    }
    const writers: Writer[] = Array.from({ length: 4 }, (_, i) => ({
      runId: runIds[i % 2]!,
      key: `writer-${i}/loss`,
      acknowledged: new Set<number>(),
      attempted: -1,
    }));
    let stopping = false;
    let inFlight = 0;
    const loops = writers.map(async (writer, i) => {
      const client = await connect(server);
      for (let batch = 0; !stopping; batch++) {
        writer.attempted = batch;
        inFlight++;
        try {
          await client.runs.logMetrics(writer.runId, pointsOf(i, writer.key, batch));
          if (!stopping) writer.acknowledged.add(batch);
        } catch {
          return;
        } finally {
          inFlight--;
        }
      }
    });

    await waitFor(
      async () => writers.every((writer) => writer.acknowledged.size >= 3),
      'three acknowledged batches per writer',
    );
    stopping = true;
    const acknowledgedAtKill = writers.map((writer) => new Set(writer.acknowledged));
    const inFlightAtKill = inFlight;
    await server.kill('SIGKILL');
    expect(inFlightAtKill, 'batches in flight when the server died').toBeGreaterThan(0);
    await Promise.all(loops);

    await server.restart();
    const after = await connect(server);
    for (const [i, writer] of writers.entries()) {
      const history = await after.runs.metricHistoryAll(writer.runId, writer.key);
      const perBatch = new Map<number, number>();
      for (const point of history) {
        const batch = Math.floor(point.step / BATCH);
        perBatch.set(batch, (perBatch.get(batch) ?? 0) + 1);
        expect(point.value).toBe(pointValue(i, point.step));
        expect(batch).toBeLessThanOrEqual(writer.attempted);
      }
      for (const [batch, count] of perBatch) expect(count, `${writer.key} batch ${batch}`).toBe(BATCH);
      for (const batch of acknowledgedAtKill[i]!)
        expect(perBatch.get(batch), `${writer.key} batch ${batch}`).toBe(BATCH);
      expect(new Set(history.map((point) => point.step)).size).toBe(history.length);
    }
    for (const runId of runIds) {
      const run = await after.runs.get(runId);
      for (const writer of writers.filter((w) => w.runId === runId)) {
        const history = await after.runs.metricHistoryAll(runId, writer.key);
        const highest = history.reduce((best, point) => (point.step > best.step ? point : best));
        expect(run.metrics[writer.key]).toEqual(highest);
      }
    }

    // The restarted server takes new batches.
    await after.runs.logMetrics(runIds[0]!, [{ key: 'after-restart', value: 1, step: 0 }]);
    expect((await after.runs.get(runIds[0]!)).metrics['after-restart']?.value).toBe(1);
  }, 180_000);
});

/** Writer `writer`'s batch `batch`: BATCH points with steps batch*BATCH .. batch*BATCH+BATCH-1. */
function pointsOf(writer: number, key: string, batch: number) {
  return Array.from({ length: BATCH }, (_, i) => {
    const step = batch * BATCH + i;
    return { key, value: pointValue(writer, step), step, timestamp: 1_700_000_000_000 + step };
  });
}

function pointValue(writer: number, step: number): number {
  return writer * 1e6 + step / 4;
}

/** Polls `condition` until it holds; fails with `what` after a generous deadline. */
async function waitFor(condition: () => Promise<boolean>, what: string, deadlineMs = 60_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Upload temp files the server is writing that already hold more than one chunk. */
async function partialTempFiles(home: string): Promise<number> {
  const tmp = join(home, 'artifacts', 'tmp');
  let count = 0;
  for (const name of await readdir(tmp).catch(() => [])) {
    const info = await stat(join(tmp, name)).catch(() => undefined);
    if (info !== undefined && info.size > CHUNK) count++;
  }
  return count;
}

/** Every file under <home>/artifacts/sha256 is complete: its bytes hash to its own name. */
async function expectOnlyCompleteBlobs(home: string): Promise<void> {
  const root = join(home, 'artifacts', 'sha256');
  let blobs = 0;
  for (const shard of await readdir(root)) {
    for (const name of await readdir(join(root, shard))) {
      expect(name.slice(0, 2)).toBe(shard);
      expect(sha256(await readFile(join(root, shard, name))), `${shard}/${name}`).toBe(name);
      blobs++;
    }
  }
  expect(blobs).toBeGreaterThan(0);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
