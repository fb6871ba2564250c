/**
 * Datasets and the model registry with the S3 blob store (a real S3-compatible server), on every
 * metadata backend: push, profile, rows, downloads, diff and validation; register (uploaded and from
 * a run's artifact), pull and cards. DuckDB reads local files only, so the data engine copies blobs
 * into a cache under $SLIPWAY_HOME: a second server with a new, empty home on the same database and
 * bucket must serve the existing versions from S3 alone, and a blob damaged in the bucket must be
 * refused rather than cached.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatasetVersion, Slipway } from '../../src/client/index.js';
import { loadServerConfig } from '../../src/core/config.js';
import { type RunningServer, startServer } from '../../src/server/start.js';
import { scoringModel, tabularModel } from '../registry/fixtures.js';
import { BACKENDS, type ScratchDatabase, scratchDatabase } from '../support/backends.js';
import { type LocalS3, startLocalS3 } from '../support/s3.js';

const ROWS = 500;
const CSV = `id,amount,city,joined\n${Array.from(
  { length: ROWS },
  (_, i) =>
    `${i + 1},${i % 17 === 0 ? '' : ((i * 31) % 97) * 1.5},${['Oslo', 'Bergen', 'Tromsø'][i % 3]},2024-0${1 + (i % 9)}-15`,
).join('\n')}\n`;
const JSONL = Array.from({ length: ROWS * 2 }, (_, i) =>
  JSON.stringify({ id: i + 1, amount: ((i * 13) % 89) * 2.5, city: ['Oslo', 'Bergen'][i % 2], joined: null }),
).join('\n');

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A server on an S3 bucket prefix and a database, over a home folder of its own. */
interface Node {
  readonly home: string;
  readonly server: RunningServer;
  readonly sw: Slipway;
  close(): Promise<void>;
}

async function startNode(env: Readonly<Record<string, string>>, token?: string): Promise<Node> {
  const home = await mkdtemp(join(tmpdir(), 'slipway-s3-home-'));
  const server = await startServer(
    loadServerConfig({ ...env, SLIPWAY_HOME: home, SLIPWAY_PORT: '0', SLIPWAY_LOG_LEVEL: 'silent' }),
  );
  try {
    const secret = token ?? (await readFile(join(home, 'admin.token'), 'utf8')).trim();
    const sw = await Slipway.connect({ url: server.url, token: secret, env: {} });
    return {
      home,
      server,
      sw,
      async close() {
        await sw.close();
        await server.close();
        await rm(home, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server.close();
    throw error;
  }
}

describe.each(BACKENDS)('datasets and models on the S3 blob store, %s metadata', (backend) => {
  let s3: LocalS3;
  let database: ScratchDatabase;
  let env: Record<string, string>;
  let prefix: string;
  let first: Node | undefined;
  let fresh: Node | undefined;
  let adminToken: string;
  let work: string;
  const versions: DatasetVersion[] = [];
  let runId: string;

  beforeAll(async () => {
    s3 = await startLocalS3();
    database = await scratchDatabase(backend);
    work = await mkdtemp(join(tmpdir(), 'slipway-s3-work-'));
    prefix = `${backend}-data`;
    env = {
      ...s3.env,
      SLIPWAY_DATABASE_URL: database.env,
      SLIPWAY_ARTIFACTS_URL: `s3://${s3.bucket}/${prefix}`,
    };
    first = await startNode(env);
    adminToken = (await readFile(join(first.home, 'admin.token'), 'utf8')).trim();
  });
  afterAll(async () => {
    await fresh?.close();
    await first?.close();
    await database?.drop();
    await s3?.close();
    await rm(work, { recursive: true, force: true });
  });

  const objectKeys = async (): Promise<Set<string>> => {
    const client = s3.client();
    try {
      const keys = new Set<string>();
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket: s3.bucket,
            Prefix: `${prefix}/sha256/`,
            ContinuationToken: token,
          }),
        );
        for (const item of page.Contents ?? []) keys.add(item.Key!.slice(item.Key!.lastIndexOf('/') + 1));
        token = page.NextContinuationToken;
      } while (token !== undefined);
      return keys;
    } finally {
      client.destroy();
    }
  };

  it('pushes CSV, JSON lines and Parquet versions, keeping both forms of each in the bucket', async () => {
    const { sw } = first!;
    runId = (await sw.runs.create({ experiment: (await sw.experiments.create({ name: 's3' })).id })).id;
    versions.push(await sw.datasets.push('orders', Buffer.from(CSV), { format: 'csv', run: runId }));
    versions.push(
      await sw.datasets.push('orders', Buffer.from(JSONL), { format: 'jsonl', derivedFrom: ['orders@1'] }),
    );
    const parquet = await sw.datasets.bytes('orders@1', { form: 'parquet' });
    versions.push(
      await sw.datasets.push('orders', parquet, { format: 'parquet', derivedFrom: ['orders@2'] }),
    );
    expect(versions.map((v) => [v.version, v.format, v.rowCount])).toEqual([
      [1, 'csv', ROWS],
      [2, 'jsonl', ROWS * 2],
      [3, 'parquet', ROWS],
    ]);
    // Parquet input is its own stored form.
    expect(versions[2]!.dataDigest).toBe(versions[2]!.sourceDigest);
    expect(versions[2]!.dataDigest).toBe(versions[0]!.dataDigest);
    // The same bytes again are the same version.
    const again = await sw.datasets.push('orders', Buffer.from(CSV), { format: 'csv' });
    expect(again.id).toBe(versions[0]!.id);
    const keys = await objectKeys();
    for (const v of versions) {
      expect(keys.has(v.sourceDigest), `source of v${v.version}`).toBe(true);
      expect(keys.has(v.dataDigest), `parquet of v${v.version}`).toBe(true);
    }
    // Nothing went to a local artifact folder.
    expect(await readdir(join(first!.home, 'artifacts')).catch(() => [])).toEqual([]);
  });

  it('profiles, previews rows, downloads verified bytes, diffs and validates', async () => {
    const { sw } = first!;
    const profile = await sw.datasets.profile('orders@1');
    expect(profile.rowCount).toBe(ROWS);
    const amount = profile.columns.find((c) => c.name === 'amount')!;
    expect(amount.nullCount).toBe(Math.ceil(ROWS / 17));
    const rows = await sw.datasets.rows('orders@1', { limit: 3, offset: 1 });
    expect(rows.rows).toEqual([
      { id: 2, amount: 46.5, city: 'Bergen', joined: '2024-02-15T00:00:00.000Z' },
      { id: 3, amount: 93, city: 'Tromsø', joined: '2024-03-15T00:00:00.000Z' },
      { id: 4, amount: 139.5, city: 'Oslo', joined: '2024-04-15T00:00:00.000Z' },
    ]);
    expect((await sw.datasets.bytes('orders@1')).toString()).toBe(CSV);
    const file = join(work, 'orders-2.jsonl');
    const downloaded = await sw.datasets.download('orders@2', file);
    expect(downloaded.digest).toBe(versions[1]!.sourceDigest);
    expect(await readFile(file, 'utf8')).toBe(JSONL);

    const diff = await sw.datasets.diff('orders@1', 'orders@2');
    expect(diff.rowCount).toEqual({ from: ROWS, to: ROWS * 2, delta: ROWS });
    expect(diff.columns.map((c) => c.name).sort()).toEqual(['amount', 'city', 'id', 'joined']);
    expect((await sw.datasets.diff('orders@1', 'orders@3')).columns.every((c) => c.psi === 0)).toBe(true);

    const report = await sw.datasets.validate('orders@latest', {
      expectations: [
        { type: 'unique', column: 'id' },
        { type: 'values_in_set', column: 'city', values: ['Oslo', 'Bergen'] },
        { type: 'distribution_close_to', column: 'amount', reference: 'orders@1', maxPsi: 0.01 },
      ],
    });
    expect(report.results.map((r) => r.success)).toEqual([true, false, true]);
    expect(report.results[1]!.offendingCount).toBe(Math.floor(ROWS / 3) + (ROWS % 3 > 2 ? 1 : 0));
  });

  it('registers uploaded and run-artifact models, pulls them verified and renders their cards', async () => {
    const { sw } = first!;
    const uploaded = Buffer.from(scoringModel(3, 5));
    const v1 = await sw.models.register('churn', {
      file: uploaded,
      run: runId,
      datasets: [{ ref: 'orders@1', role: 'train' }],
      metrics: { auc: 0.8 },
    });
    const artifact = Buffer.from(tabularModel(4, 3));
    await sw.artifacts.put(runId, 'model/model.onnx', artifact);
    const v2 = await sw.models.register('churn', { source: `runs/${runId}/artifacts/model/model.onnx` });
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v2.signature.inputs).toEqual([expect.objectContaining({ name: 'x', shape: ['batch', 4] })]);
    const keys = await objectKeys();
    expect(keys.has(v1.digest) && keys.has(v2.digest)).toBe(true);
    for (const [ref, bytes] of [
      ['churn@1', uploaded],
      ['churn@2', artifact],
    ] as const) {
      const file = join(work, `${ref}.onnx`);
      const pulled = await sw.models.pull(ref, file);
      expect(pulled.digest).toBe(sha256(bytes));
      expect((await readFile(file)).equals(bytes)).toBe(true);
    }
    await sw.models.alias.set('churn', 'champion', 1, { expectedVersion: null });
    const card = await sw.models.card('churn@champion');
    expect(card).toMatchObject({ version: 1 });
    expect(await sw.models.cardMarkdown('churn@1')).toContain('orders@1');
  });

  it('serves existing versions from a new server home with an empty cache, on the same database and bucket', async () => {
    const digestOf1 = versions[0]!.dataDigest;
    await first!.close();
    first = undefined;
    fresh = await startNode(env, adminToken);
    const { sw } = fresh;
    const cache = join(fresh.home, 'cache', 'data');
    expect(await readdir(cache)).toEqual([]);

    const rows = await sw.datasets.rows('orders@2', { limit: 2, offset: ROWS * 2 - 2 });
    expect(rows.rows.map((row) => row.id)).toEqual([ROWS * 2 - 1, ROWS * 2]);
    const diff = await sw.datasets.diff('orders@1', 'orders@2');
    expect(diff.rowCount.delta).toBe(ROWS);
    const report = await sw.datasets.validate('orders@3', {
      expectations: [{ type: 'row_count_between', min: ROWS, max: ROWS }],
    });
    expect(report.success).toBe(true);
    // The Parquet forms were fetched from the bucket into the new home's cache.
    expect(await readdir(cache)).toEqual(
      expect.arrayContaining([`${digestOf1}.parquet`, `${versions[1]!.dataDigest}.parquet`]),
    );
    expect((await sw.datasets.bytes('orders@1')).toString()).toBe(CSV);
    const file = join(work, 'again.onnx');
    expect((await sw.models.pull('churn@champion', file)).version).toBe(1);

    // New versions keep their numbering, and diff against the old ones.
    const v4 = await sw.datasets.push('orders', Buffer.from(CSV.replaceAll('Oslo', 'Bodø')), {
      format: 'csv',
    });
    expect(v4.version).toBe(4);
    const shifted = await sw.datasets.diff('orders@1', 'orders@4');
    expect(shifted.columns.find((c) => c.name === 'city')!.psi).toBeGreaterThan(0.2);
  });

  it('refuses a version whose blob was damaged in the bucket, caching nothing', async () => {
    const { sw } = fresh!;
    const damaged = await sw.datasets.push('damaged', Buffer.from('k,v\n1,a\n2,b\n'), { format: 'csv' });
    // A server that never read it: its cache is empty for this version.
    await fresh!.close();
    fresh = await startNode(env, adminToken);
    const client = s3.client();
    try {
      await client.send(
        new PutObjectCommand({
          Bucket: s3.bucket,
          Key: `${prefix}/sha256/${damaged.dataDigest.slice(0, 2)}/${damaged.dataDigest}`,
          Body: Buffer.from('not the parquet file'),
        }),
      );
    } finally {
      client.destroy();
    }
    await expect(fresh.sw.datasets.rows('damaged@1')).rejects.toMatchObject({ code: 'BLOB_CORRUPT' });
    expect(await readdir(join(fresh.home, 'cache', 'data'))).toEqual([]);
    // Other versions are unaffected.
    expect((await fresh.sw.datasets.rows('orders@1', { limit: 1 })).rows).toHaveLength(1);
  });
});
