/**
 * Run artifacts through the real HTTP server, on every metadata backend with the folder store and
 * once with the S3 store: SDK upload and download, listing, overwrite auditing, ETag/HEAD, declared
 * digests, missing runs and paths, roles, path traversal over raw HTTP, corrupt blobs (small: a
 * clean 500; large: the transfer is cut before it completes), the size limit, uploads cut off
 * mid-way, and a 1 GiB streamed upload with bounded memory.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { access, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import http, { type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ArtifactInfo,
  ForbiddenError,
  IntegrityError,
  NotFoundError,
  TooLargeError,
} from '../../src/client/index.js';
import { BACKENDS, type BackendName } from '../support/backends.js';
import { type LocalS3, startLocalS3 } from '../support/s3.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const MiB = 1024 * 1024;

interface Setup {
  readonly name: string;
  readonly backend: BackendName;
  readonly s3: boolean;
}

const SETUPS: readonly Setup[] = [
  ...BACKENDS.map((backend) => ({ name: `${backend} metadata, folder artifacts`, backend, s3: false })),
  { name: 'sqlite metadata, S3 artifacts', backend: 'sqlite', s3: true },
];

/** A server plus ways to look behind it: its blob store's contents, scratch files and raw bytes. */
interface Harness {
  readonly t: TestServer;
  readonly s3?: LocalS3;
  /** Replaces the stored bytes of a blob without going through Slipway. */
  replaceStored(digest: string, bytes: Uint8Array): Promise<void>;
  /** Files in the folder where uploads spool before they become blobs. */
  tempFiles(): Promise<readonly string[]>;
  storedDigests(): Promise<readonly string[]>;
  close(): Promise<void>;
}

async function startHarness(setup: Setup, env: Readonly<Record<string, string>> = {}): Promise<Harness> {
  const s3 = setup.s3 ? await startLocalS3() : undefined;
  const t = await startTestServer(setup.backend, {
    env: {
      ...env,
      ...(s3 === undefined ? {} : { ...s3.env, SLIPWAY_ARTIFACTS_URL: `s3://${s3.bucket}/artifacts` }),
    },
  });
  const spool = s3 === undefined ? join(t.home, 'artifacts', 'tmp') : join(t.home, 'tmp', 'uploads');
  return {
    t,
    ...(s3 === undefined ? {} : { s3 }),
    async replaceStored(digest, bytes) {
      if (s3 === undefined) {
        await writeFile(join(t.home, 'artifacts', 'sha256', digest.slice(0, 2), digest), bytes);
        return;
      }
      const client = s3.client();
      try {
        const Key = `artifacts/sha256/${digest.slice(0, 2)}/${digest}`;
        await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key, Body: bytes }));
      } finally {
        client.destroy();
      }
    },
    tempFiles: () => readdir(spool).catch(() => []),
    async storedDigests() {
      const digests: string[] = [];
      for await (const blob of t.server.platform.blobs.list()) digests.push(blob.digest);
      return digests.sort();
    },
    async close() {
      await t.close();
      await s3?.close();
    },
  };
}

describe.each(SETUPS)('artifacts over HTTP: $name', (setup) => {
  let h: Harness;
  let t: TestServer;
  beforeAll(async () => {
    h = await startHarness(setup);
    t = h.t;
    await t.sw.experiments.create({ name: 'artifacts' });
  });
  afterAll(async () => {
    await h?.close();
  });
  const newRun = () => t.sw.runs.create({ experiment: 'artifacts' });
  const artifactUrl = (runId: string, path: string) => `/api/v1/runs/${runId}/artifacts/${path}`;

  it('uploads a Buffer, a local file and a stream, and downloads them as bytes and to a file', async () => {
    const run = await newRun();
    const dir = await scratchDir();
    const fromBuffer = randomBytes(50_000);
    const fromFile = randomBytes(300_000);
    const fromStream = [randomBytes(70_000), randomBytes(90_000)];
    await writeFile(join(dir, 'local.bin'), fromFile);

    const a = await t.sw.artifacts.put(run.id, 'buffer.bin', fromBuffer);
    const b = await t.sw.artifacts.put(run.id, 'file.bin', join(dir, 'local.bin'));
    const c = await t.sw.artifacts.put(run.id, 'stream.bin', Readable.from(fromStream));
    expect(a).toMatchObject({ path: 'buffer.bin', digest: sha256(fromBuffer), size: fromBuffer.length });
    expect(b).toMatchObject({ path: 'file.bin', digest: sha256(fromFile), size: fromFile.length });
    const streamed = Buffer.concat(fromStream);
    expect(c).toMatchObject({ path: 'stream.bin', digest: sha256(streamed), size: streamed.length });

    expectSameBytes(await t.sw.artifacts.bytes(run.id, 'buffer.bin'), fromBuffer);
    expectSameBytes(await t.sw.artifacts.bytes(run.id, 'stream.bin'), streamed);
    const downloaded = await t.sw.artifacts.download(run.id, 'file.bin', join(dir, 'copy.bin'));
    expect(downloaded).toEqual({
      path: 'file.bin',
      digest: sha256(fromFile),
      size: fromFile.length,
      file: join(dir, 'copy.bin'),
    });
    expectSameBytes(await readFile(join(dir, 'copy.bin')), fromFile);
    expect((await readdir(dir)).sort()).toEqual(['copy.bin', 'local.bin']);
  });

  it('stores nested paths and lists them, whole or under a prefix', async () => {
    const run = await newRun();
    for (const path of [
      'model/model.onnx',
      'model/config/params.json',
      'metrics/summary.json',
      'readme.txt',
    ]) {
      await t.sw.artifacts.put(run.id, path, Buffer.from(`content of ${path}`));
    }
    const all = await t.sw.artifacts.list(run.id);
    expect(all.map((a) => a.path)).toEqual([
      'metrics/summary.json',
      'model/config/params.json',
      'model/model.onnx',
      'readme.txt',
    ]);
    const model = await t.sw.artifacts.list(run.id, 'model/');
    expect(model.map((a) => a.path)).toEqual(['model/config/params.json', 'model/model.onnx']);
    expect((await t.sw.artifacts.list(run.id, 'model/config')).map((a) => a.path)).toEqual([
      'model/config/params.json',
    ]);
    expect(await t.sw.artifacts.list(run.id, 'nothing/')).toEqual([]);
    expect((await t.sw.artifacts.bytes(run.id, 'model/model.onnx')).toString()).toBe(
      'content of model/model.onnx',
    );
    // Long nested paths are fine up to the documented limit.
    const deep = `${'deep/'.repeat(150)}leaf.bin`;
    await t.sw.artifacts.put(run.id, deep, Buffer.from('deep'));
    expect((await t.sw.artifacts.bytes(run.id, deep)).toString()).toBe('deep');
  });

  it('records both writes in the audit log when a path is overwritten', async () => {
    const run = await newRun();
    const v1 = await t.sw.artifacts.put(run.id, 'weights.bin', Buffer.from('version 1'));
    const v2 = await t.sw.artifacts.put(run.id, 'weights.bin', Buffer.from('version 2!'));
    expect(v2.digest).not.toBe(v1.digest);
    expect((await t.sw.artifacts.bytes(run.id, 'weights.bin')).toString()).toBe('version 2!');
    expect(await t.sw.artifacts.list(run.id)).toEqual([v2]);

    const events = (await t.sw.audit.list({ resource: `run:${run.id}` })).items.filter(
      (event) => event.action === 'run.put_artifact',
    );
    expect(events).toHaveLength(2);
    const byDigest = (event: (typeof events)[number]) => (event.after as ArtifactInfo).digest;
    const first = events.find((event) => byDigest(event) === v1.digest);
    const second = events.find((event) => byDigest(event) === v2.digest);
    expect(first?.before).toBeUndefined();
    expect(first?.after).toEqual(v1);
    expect(second?.before).toEqual(v1);
    expect(second?.after).toEqual(v2);
    expect(second?.actor).toBe('admin');
  });

  it('answers a matching If-None-Match with 304, and HEAD with headers but no body', async () => {
    const run = await newRun();
    const bytes = randomBytes(10_000);
    const info = await t.sw.artifacts.put(run.id, 'etag.bin', bytes);
    const url = artifactUrl(run.id, 'etag.bin');

    const full = await t.fetch(url);
    expect(full.status).toBe(200);
    const etag = full.headers.get('etag');
    expect(etag).toBe(`"sha256:${info.digest}"`);
    expect(full.headers.get('x-content-sha256')).toBe(info.digest);
    expectSameBytes(Buffer.from(await full.arrayBuffer()), bytes);

    const cached = await t.fetch(url, { headers: { 'if-none-match': etag! } });
    expect(cached.status).toBe(304);
    expect(await cached.text()).toBe('');
    const stale = await t.fetch(url, { headers: { 'if-none-match': '"sha256:0000"' } });
    expect(stale.status).toBe(200);
    expect((await stale.arrayBuffer()).byteLength).toBe(bytes.length);

    const head = await rawRequest(t, 'HEAD', url);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(bytes.length));
    expect(head.headers.etag).toBe(etag);
    expect(head.headers['x-content-sha256']).toBe(info.digest);
    expect(head.body.length).toBe(0);
  });

  it('rejects bytes that do not match x-content-sha256 with 400 DIGEST_MISMATCH, storing nothing', async () => {
    const run = await newRun();
    const sent = randomBytes(200_000);
    const blobsBefore = await h.storedDigests();
    const mismatch = await rawRequest(t, 'PUT', artifactUrl(run.id, 'damaged.bin'), {
      headers: {
        'content-type': 'application/octet-stream',
        'x-content-sha256': sha256(Buffer.from('other')),
      },
      body: sent,
    });
    expect(mismatch.status).toBe(400);
    expect(errorCode(mismatch)).toBe('DIGEST_MISMATCH');
    const malformed = await rawRequest(t, 'PUT', artifactUrl(run.id, 'damaged.bin'), {
      headers: { 'x-content-sha256': 'not-a-digest' },
      body: sent,
    });
    expect(malformed.status).toBe(400);
    expect(errorCode(malformed)).toBe('INVALID_ARGUMENT');
    expect(await t.sw.artifacts.list(run.id)).toEqual([]);
    expect(await h.storedDigests()).toEqual(blobsBefore);
    expect(await h.tempFiles()).toEqual([]);

    const matching = await rawRequest(t, 'PUT', artifactUrl(run.id, 'damaged.bin'), {
      headers: { 'x-content-sha256': sha256(sent) },
      body: sent,
    });
    expect(matching.status).toBe(201);
  });

  it('answers 404 RUN_NOT_FOUND for an upload to a missing run and ARTIFACT_NOT_FOUND for a missing path', async () => {
    const blobsBefore = await h.storedDigests();
    const noRun = await t.sw.artifacts
      .put('01ARZ3NDEKTSV4RRFFQ69G5FAV', 'a.bin', randomBytes(1000))
      .catch((e: unknown) => e);
    expect(noRun).toBeInstanceOf(NotFoundError);
    expect((noRun as NotFoundError).code).toBe('RUN_NOT_FOUND');
    expect(await h.storedDigests()).toEqual(blobsBefore);

    const run = await newRun();
    const noPath = await t.sw.artifacts.bytes(run.id, 'missing/file.bin').catch((e: unknown) => e);
    expect(noPath).toBeInstanceOf(NotFoundError);
    expect((noPath as NotFoundError).code).toBe('ARTIFACT_NOT_FOUND');
    const head = await rawRequest(t, 'HEAD', artifactUrl(run.id, 'missing/file.bin'));
    expect(head.status).toBe(404);
  });

  it('lets a viewer download but not upload', async () => {
    const run = await newRun();
    await t.sw.artifacts.put(run.id, 'shared.txt', Buffer.from('read me'));
    const { token } = await t.sw.tokens.create({
      name: `viewer-${randomUUID().slice(0, 8)}`,
      role: 'viewer',
    });
    const viewer = await t.connect(token);
    const denied = await viewer.artifacts.put(run.id, 'mine.txt', Buffer.from('no')).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(ForbiddenError);
    expect((denied as ForbiddenError).status).toBe(403);
    expect((await viewer.artifacts.bytes(run.id, 'shared.txt')).toString()).toBe('read me');
    expect((await t.sw.artifacts.list(run.id)).map((a) => a.path)).toEqual(['shared.txt']);
  });

  it('refuses every path that could escape the run, over raw HTTP, storing nothing anywhere', async () => {
    const run = await newRun();
    await t.sw.artifacts.put(run.id, 'a/kept.txt', Buffer.from('kept'));
    const listBefore = await t.sw.artifacts.list(run.id);
    const blobsBefore = await h.storedDigests();
    const homeBefore = await filesUnder(t.home);
    const keysBefore = await bucketKeys(h.s3);
    // A unique name, so that finding it anywhere on disk means an escape.
    const x = `escape-${randomUUID()}`;
    const attempts = [
      `../${x}`,
      `a/../../${x}`,
      `%2e%2e/${x}`,
      `%2E%2E%2F${x}`,
      `..%2f${x}`,
      `a/%2e%2e/%2e%2e/${x}`,
      `/${x}`,
      `a//${x}`,
      `a/./${x}`,
      `a%00${x}`,
      `a\\${x}`,
      `%252e%252e/${x}`,
      `${'a/'.repeat(1000)}${x}`,
    ];
    const outcomes: string[] = [];
    for (const attempt of attempts) {
      const url = artifactUrl(run.id, attempt);
      const put = await rawRequest(t, 'PUT', url, { body: Buffer.from('evil') });
      const get = await rawRequest(t, 'GET', url);
      outcomes.push(`${attempt.slice(0, 60)} -> PUT ${put.status} ${errorCode(put)}, GET ${get.status}`);
    }
    // Every one is refused with 400 by the artifact path rules, except NUL, which the server's guard
    // on every path parameter refuses first; none gets as far as a 404 from the router.
    const refusal = (attempt: string) =>
      attempt.includes('%00') ? 'INVALID_ARGUMENT' : 'INVALID_ARTIFACT_PATH';
    expect(outcomes).toEqual(
      attempts.map((attempt) => `${attempt.slice(0, 60)} -> PUT 400 ${refusal(attempt)}, GET 400`),
    );
    expect(await t.sw.artifacts.list(run.id)).toEqual(listBefore);
    expect(await h.storedDigests()).toEqual(blobsBefore);
    expect(await filesUnder(t.home)).toEqual(homeBefore);
    expect(await bucketKeys(h.s3)).toEqual(keysBefore);
    for (const place of [t.home, dirname(t.home), tmpdir(), process.cwd(), join(t.home, 'artifacts')]) {
      expect(await exists(join(place, x)), place).toBe(false);
    }
  });

  it('answers a small corrupt blob with a clean 500 BLOB_CORRUPT, verified before sending', async () => {
    const run = await newRun();
    const bytes = randomBytes(4000);
    const info = await t.sw.artifacts.put(run.id, 'small.bin', bytes);
    await h.replaceStored(info.digest, flipByte(bytes, 2000));

    const response = await rawRequest(t, 'GET', artifactUrl(run.id, 'small.bin'));
    expect(response.status).toBe(500);
    expect(response.headers['content-type']).toContain('application/json');
    expect(errorCode(response)).toBe('BLOB_CORRUPT');
    expect(response.complete).toBe(true);

    const sdk = await t.sw.artifacts.bytes(run.id, 'small.bin').catch((e: unknown) => e);
    expect(sdk).toBeInstanceOf(IntegrityError);
    const dir = await scratchDir();
    const download = await t.sw.artifacts
      .download(run.id, 'small.bin', join(dir, 'small.bin'))
      .catch((e: unknown) => e);
    expect(download).toBeInstanceOf(IntegrityError);
    expect(await readdir(dir)).toEqual([]);
  });

  it.each([
    ['one byte flipped', 'cut off', (bytes: Buffer) => flipByte(bytes, 5 * MiB)],
    ['different, longer bytes', 'refused', (bytes: Buffer) => randomBytes(bytes.length + MiB)],
    ['truncated', 'refused', (bytes: Buffer) => bytes.subarray(0, bytes.length - 3 * MiB)],
  ] as const)(
    'never serves a large corrupt blob (%s) complete: it is %s; download() leaves no file',
    async (_label, outcome, damage) => {
      const run = await newRun();
      const bytes = randomBytes(9 * MiB + 777);
      const info = await t.sw.artifacts.put(run.id, 'large.bin', bytes);
      await h.replaceStored(info.digest, damage(bytes));

      const response = await rawRequest(t, 'GET', artifactUrl(run.id, 'large.bin'));
      if (outcome === 'cut off') {
        // Too large to verify before sending: the headers went out, then the connection was cut.
        expect(response.status).toBe(200);
        expect(response.complete).toBe(false);
        expect(response.body.length).toBeLessThan(info.size);
      } else {
        // A length that disagrees with the metadata is caught before the first byte.
        expect(response.status).toBe(500);
        expect(errorCode(response)).toBe('BLOB_CORRUPT');
      }

      const dir = await scratchDir();
      const download = await t.sw.artifacts
        .download(run.id, 'large.bin', join(dir, 'large.bin'))
        .catch((e: unknown) => e);
      expect(download).toBeInstanceOf(Error);
      expect(await readdir(dir)).toEqual([]);
      await expect(t.sw.artifacts.bytes(run.id, 'large.bin')).rejects.toBeInstanceOf(Error);
    },
  );

  it('stores nothing from an upload cut off mid-way', async () => {
    const run = await newRun();
    const blobsBefore = await h.storedDigests();
    const { hostname, port } = new URL(t.url);
    const request = http.request({
      host: hostname,
      port,
      method: 'PUT',
      path: artifactUrl(run.id, 'cut.bin'),
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/octet-stream' },
      agent: false,
    });
    request.on('error', () => {});
    request.write(randomBytes(2 * MiB));
    // Cut the connection only once the server is spooling the upload.
    await waitFor(async () => (await h.tempFiles()).length > 0);
    expect((await h.tempFiles()).length).toBeGreaterThan(0);
    request.destroy();
    await waitFor(async () => (await h.tempFiles()).length === 0);
    expect(await h.tempFiles()).toEqual([]);
    expect(await t.sw.artifacts.list(run.id)).toEqual([]);
    expect(await h.storedDigests()).toEqual(blobsBefore);
  });
});

// The limit is fixed when a server starts, so it gets a server (and suite) of its own.
describe.each(SETUPS)('artifact size limit over HTTP: $name', (setup) => {
  let limited: Harness;
  beforeAll(async () => {
    limited = await startHarness(setup, { SLIPWAY_MAX_ARTIFACT_BYTES: '1MiB' });
    await limited.t.sw.experiments.create({ name: 'limited' });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('answers 413 PAYLOAD_TOO_LARGE over SLIPWAY_MAX_ARTIFACT_BYTES, storing nothing', async () => {
    const { t } = limited;
    const run = await t.sw.runs.create({ experiment: 'limited' });
    const url = `/api/v1/runs/${run.id}/artifacts/big.bin`;
    const viaSdk = await t.sw.artifacts.put(run.id, 'big.bin', randomBytes(2 * MiB)).catch((e: unknown) => e);
    expect(viaSdk).toBeInstanceOf(TooLargeError);
    expect((viaSdk as TooLargeError).code).toBe('PAYLOAD_TOO_LARGE');
    const streamed = await t.sw.artifacts
      .put(run.id, 'big.bin', Readable.from([randomBytes(MiB), randomBytes(MiB)]))
      .catch((e: unknown) => e);
    expect((streamed as TooLargeError).code).toBe('PAYLOAD_TOO_LARGE');
    const raw = await rawRequest(t, 'PUT', url, {
      body: Readable.from([randomBytes(MiB), randomBytes(MiB)]),
    });
    expect(raw.status).toBe(413);
    expect(errorCode(raw)).toBe('PAYLOAD_TOO_LARGE');
    expect(await t.sw.artifacts.list(run.id)).toEqual([]);
    expect(await limited.storedDigests()).toEqual([]);
    expect(await limited.tempFiles()).toEqual([]);
    // The SDK's connections stay usable, and exactly the limit is accepted.
    expect(await t.sw.artifacts.put(run.id, 'exact.bin', randomBytes(MiB))).toMatchObject({ size: MiB });
  });
});

// A volume test needs one metadata backend only: the bytes never touch the database.
describe('a 1 GiB upload over HTTP (sqlite metadata, folder artifacts)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
    await t.sw.experiments.create({ name: 'volume' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('streams a generated 1 GiB body to disk with bounded memory and the right digest', async () => {
    const run = await t.sw.runs.create({ experiment: 'volume' });
    const total = 1024 * MiB;
    const hash = createHash('sha256');
    const before = process.memoryUsage().rss;
    let peak = before;
    const sample = () => {
      peak = Math.max(peak, process.memoryUsage().rss);
    };
    async function* generate(): AsyncGenerator<Buffer> {
      for (let i = 0; i < total / MiB; i++) {
        const chunk = Buffer.alloc(MiB, i % 251);
        chunk.writeUInt32BE(i, 0);
        hash.update(chunk);
        sample();
        yield chunk;
      }
    }
    const timer = setInterval(sample, 20);
    let info: ArtifactInfo;
    try {
      info = await t.sw.artifacts.put(run.id, 'huge.bin', Readable.from(generate()));
    } finally {
      clearInterval(timer);
    }
    sample();
    expect(info).toMatchObject({ path: 'huge.bin', size: total, digest: hash.digest('hex') });
    expect(peak - before).toBeLessThan(256 * MiB);
    expect(await t.server.platform.blobs.stat(info.digest)).toEqual({ digest: info.digest, size: total });
    expect(await readdir(join(t.home, 'artifacts', 'tmp'))).toEqual([]);
  }, 600_000);
});

interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** Whether the whole body arrived (false when the server cut the connection). */
  readonly complete: boolean;
  readonly error?: Error;
}

/** One request over node:http, with the path sent exactly as given (nothing normalises it). */
function rawRequest(
  t: TestServer,
  method: string,
  path: string,
  options: { headers?: Readonly<Record<string, string>>; body?: Buffer | Readable } = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: hostname,
        port,
        method,
        path,
        headers: { authorization: `Bearer ${t.adminToken}`, ...options.headers },
        agent: false,
      },
      (response) => {
        const parts: Buffer[] = [];
        let error: Error | undefined;
        response.on('data', (chunk: Buffer) => parts.push(chunk));
        response.on('error', (e) => {
          error = e;
        });
        response.on('close', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(parts),
            complete: response.complete,
            ...(error === undefined ? {} : { error }),
          }),
        );
      },
    );
    request.on('error', reject);
    if (options.body instanceof Readable) options.body.pipe(request);
    else request.end(options.body);
  });
}

function errorCode(response: RawResponse): string | undefined {
  try {
    return (JSON.parse(response.body.toString()) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

async function bucketKeys(s3: LocalS3 | undefined): Promise<readonly string[]> {
  if (s3 === undefined) return [];
  const client = s3.client();
  try {
    const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }));
    return (page.Contents ?? []).map((object) => object.Key ?? '').sort();
  } finally {
    client.destroy();
  }
}

async function filesUnder(root: string): Promise<readonly string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Polls `condition` (server-side cleanup is asynchronous); gives up after a generous while. */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300 && !(await condition()); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const scratch: string[] = [];
afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});
async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-artifacts-'));
  scratch.push(dir);
  return dir;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function flipByte(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = (copy[index]! + 1) % 256;
  return copy;
}

/** Buffer.equals, because a deep toEqual over megabytes takes seconds. */
function expectSameBytes(actual: Buffer, expected: Buffer): void {
  expect(actual.length).toBe(expected.length);
  expect(actual.equals(expected)).toBe(true);
}
