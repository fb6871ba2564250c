/**
 * The BlobStore contract, one case suite run against every implementation: the folder store and the
 * S3 store (against a real S3-compatible server, under a key prefix). Covers round trips, dedup,
 * missing and invalid digests, failed puts storing nothing (too large, wrong digest, erroring
 * source), corruption detected on read, delete, list, concurrent puts, streaming without buffering,
 * and the folder store's removal of temp files left by a crash.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BlobInfo, BlobStore } from '../../src/artifacts/blob-store.js';
import { openFsBlobStore } from '../../src/artifacts/fs-blob-store.js';
import { openS3BlobStore } from '../../src/artifacts/s3-blob-store.js';
import { IntegrityError, InvalidError, NotFoundError, TooLargeError } from '../../src/core/errors.js';
import { type LocalS3, startLocalS3 } from '../support/s3.js';

const MiB = 1024 * 1024;

/** One store under test plus ways to reach behind its back. */
interface Harness {
  readonly store: BlobStore;
  /** Replaces the stored bytes of `digest` without going through the store. */
  replaceStored(digest: string, bytes: Uint8Array): Promise<void>;
  /** Files left in the folder where the store spools uploads. */
  tempFiles(): Promise<readonly string[]>;
}

interface Implementation {
  readonly name: string;
  /** Size of the streaming case. s3rver is slow, so S3 uses less, still enough for a multipart upload. */
  readonly largeBytes: number;
  setUp(): Promise<void>;
  /** A fresh, empty store. */
  open(): Promise<Harness>;
  tearDown(): Promise<void>;
}

const scratch: string[] = [];
async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-blobs-'));
  scratch.push(dir);
  return dir;
}

const folderStore: Implementation = {
  name: 'folder',
  largeBytes: 256 * MiB,
  async setUp() {},
  async open() {
    const root = await scratchDir();
    const store = await openFsBlobStore(root);
    return {
      store,
      replaceStored: (digest, bytes) => writeFile(join(root, 'sha256', digest.slice(0, 2), digest), bytes),
      tempFiles: () => readdir(join(root, 'tmp')),
    };
  },
  async tearDown() {},
};

let s3: LocalS3 | undefined;
const s3Store: Implementation = {
  name: 's3',
  largeBytes: 32 * MiB,
  async setUp() {
    s3 = await startLocalS3();
  },
  async open() {
    if (s3 === undefined) throw new Error('local S3 not started');
    const server = s3;
    const prefix = `contract/${randomUUID()}`;
    const spool = await scratchDir();
    const store = await openS3BlobStore(
      { bucket: server.bucket, prefix },
      { endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true },
      spool,
    );
    return {
      store,
      async replaceStored(digest, bytes) {
        const client = server.client();
        try {
          await client.send(
            new PutObjectCommand({
              Bucket: server.bucket,
              Key: `${prefix}/sha256/${digest.slice(0, 2)}/${digest}`,
              Body: bytes,
            }),
          );
        } finally {
          client.destroy();
        }
      },
      tempFiles: () => readdir(spool),
    };
  },
  async tearDown() {
    await s3?.close();
  },
};

// No implementation is skipped: s3rver is a dev dependency, so the S3 store always runs.
const IMPLEMENTATIONS: readonly Implementation[] = [folderStore, s3Store];

afterAll(async () => {
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe.each(IMPLEMENTATIONS)('BlobStore contract: $name store', (impl) => {
  let h: Harness;
  const opened: BlobStore[] = [];
  const open = async () => {
    h = await impl.open();
    opened.push(h.store);
    return h;
  };
  beforeAll(() => impl.setUp());
  afterAll(() => impl.tearDown());
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  it('put returns the sha256 and size, and get returns the same bytes', async () => {
    const { store } = await open();
    const bytes = randomBytes(100_000);
    const info = await store.put(Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]));
    expect(info).toEqual({ digest: sha256(bytes), size: bytes.length });
    expectSameBytes(await readAll(await store.get(info.digest)), bytes);
    expect(await store.stat(info.digest)).toEqual(info);
    // Async iterables work as sources too, and an empty blob is a blob.
    const empty = await store.put(chunks([]));
    expect(empty).toEqual({ digest: sha256(Buffer.alloc(0)), size: 0 });
    expectSameBytes(await readAll(await store.get(empty.digest)), Buffer.alloc(0));
  });

  it('stores identical bytes once', async () => {
    const { store } = await open();
    const bytes = Buffer.from('the same bytes, twice');
    const first = await store.put(chunks([bytes]));
    const second = await store.put(chunks([bytes.subarray(0, 3), bytes.subarray(3)]));
    expect(second).toEqual(first);
    expect(await listAll(store)).toEqual([first]);
    expect(await h.tempFiles()).toEqual([]);
  });

  it('answers a missing digest with undefined from stat and BLOB_NOT_FOUND from get', async () => {
    const { store } = await open();
    const missing = sha256(Buffer.from('never stored'));
    expect(await store.stat(missing)).toBeUndefined();
    const error = await store.get(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).code).toBe('BLOB_NOT_FOUND');
  });

  it('rejects strings that are not sha256 digests on get, stat and delete', async () => {
    const { store } = await open();
    const good = sha256(Buffer.from('x'));
    for (const bad of ['', 'abc', good.toUpperCase(), `${good}0`, `../${good.slice(3)}`, 'g'.repeat(64)]) {
      for (const call of [() => store.get(bad), () => store.stat(bad), () => store.delete(bad)]) {
        const error = await call().catch((e: unknown) => e);
        expect(error, `'${bad}'`).toBeInstanceOf(InvalidError);
        expect((error as InvalidError).message).toContain('digest');
      }
    }
  });

  it('rejects a source over maxBytes with TooLargeError and stores nothing', async () => {
    const { store } = await open();
    const kept = await store.put(chunks([Buffer.from('already here')]));
    const error = await store
      .put(chunks(Array.from({ length: 4 }, () => randomBytes(300_000))), { maxBytes: MiB })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooLargeError);
    expect((error as TooLargeError).code).toBe('PAYLOAD_TOO_LARGE');
    expect(await listAll(store)).toEqual([kept]);
    expect(await h.tempFiles()).toEqual([]);
    // Exactly at the limit is allowed.
    const exact = Buffer.alloc(MiB, 7);
    expect(await store.put(chunks([exact]), { maxBytes: MiB })).toEqual({ digest: sha256(exact), size: MiB });
  });

  it('rejects bytes that do not hash to expectedDigest with DIGEST_MISMATCH and stores nothing', async () => {
    const { store } = await open();
    const bytes = Buffer.from('what was sent');
    const error = await store
      .put(chunks([bytes]), { expectedDigest: sha256(Buffer.from('what was meant')) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidError);
    expect((error as InvalidError).code).toBe('DIGEST_MISMATCH');
    expect(await store.stat(sha256(bytes))).toBeUndefined();
    expect(await listAll(store)).toEqual([]);
    expect(await h.tempFiles()).toEqual([]);
    await expect(store.put(chunks([bytes]), { expectedDigest: sha256(bytes) })).resolves.toEqual({
      digest: sha256(bytes),
      size: bytes.length,
    });
  });

  it('rejects a put whose source fails part-way, storing nothing', async () => {
    const { store } = await open();
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield randomBytes(200_000);
      yield randomBytes(200_000);
      throw new Error('source broke');
    }
    await expect(store.put(failing())).rejects.toThrow('source broke');
    let pushed = 0;
    const stream = new Readable({
      read() {
        if (pushed++ < 3) this.push(randomBytes(100_000));
        else this.destroy(new Error('stream broke'));
      },
    });
    await expect(store.put(stream)).rejects.toThrow('stream broke');
    expect(await listAll(store)).toEqual([]);
    expect(await h.tempFiles()).toEqual([]);
  });

  it.each([
    ['the same length', (bytes: Buffer) => flipByte(bytes, Math.floor(bytes.length / 2))],
    ['fewer bytes', (bytes: Buffer) => bytes.subarray(0, bytes.length - 1000)],
    ['more bytes', (bytes: Buffer) => Buffer.concat([bytes, randomBytes(300_000)])],
    ['a tiny blob', (_bytes: Buffer) => Buffer.from('tiny but wrong')],
  ])(
    'detects stored bytes replaced behind its back (%s) with BLOB_CORRUPT, never serving them whole',
    async (_label, damage) => {
      const { store } = await open();
      const bytes = randomBytes(MiB + 4321);
      const { digest } = await store.put(chunks([bytes]));
      const damaged = damage(bytes);
      await h.replaceStored(digest, damaged);
      const { received, error } = await consume(await store.get(digest));
      expect(error).toBeInstanceOf(IntegrityError);
      expect((error as IntegrityError).code).toBe('BLOB_CORRUPT');
      // Whoever writes chunks out as they arrive must never have received the complete wrong content.
      expect(received).toBeLessThan(damaged.length);
    },
  );

  it('detects a tiny blob damaged behind its back', async () => {
    const { store } = await open();
    const bytes = Buffer.from('small and precious');
    const { digest } = await store.put(chunks([bytes]));
    await h.replaceStored(digest, flipByte(bytes, 3));
    const { received, error } = await consume(await store.get(digest));
    expect((error as IntegrityError).code).toBe('BLOB_CORRUPT');
    expect(received).toBe(0);
  });

  it('deletes a blob (and deleting a missing one is not an error)', async () => {
    const { store } = await open();
    const { digest } = await store.put(chunks([Buffer.from('short-lived')]));
    await store.delete(digest);
    expect(await store.stat(digest)).toBeUndefined();
    const error = await store.get(digest).catch((e: unknown) => e);
    expect((error as NotFoundError).code).toBe('BLOB_NOT_FOUND');
    await expect(store.delete(digest)).resolves.toBeUndefined();
    expect(await listAll(store)).toEqual([]);
  });

  it('lists every stored blob exactly once', async () => {
    const { store } = await open();
    const stored: BlobInfo[] = [];
    for (let i = 0; i < 12; i++) stored.push(await store.put(chunks([Buffer.from(`blob ${i}`)])));
    await store.put(chunks([Buffer.from('blob 3')]));
    const listed = await listAll(store);
    expect(listed).toHaveLength(12);
    expect(sortByDigest(listed)).toEqual(sortByDigest(stored));
  });

  it('lets concurrent puts of the same content all succeed with the same digest', async () => {
    const { store } = await open();
    const bytes = randomBytes(2 * MiB);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => store.put(chunks([bytes.subarray(0, MiB), bytes.subarray(MiB)]))),
    );
    for (const result of results) expect(result).toEqual({ digest: sha256(bytes), size: bytes.length });
    expect(await listAll(store)).toEqual([{ digest: sha256(bytes), size: bytes.length }]);
    expectSameBytes(await readAll(await store.get(sha256(bytes))), bytes);
    expect(await h.tempFiles()).toEqual([]);
  });

  it('releases the underlying file or connection when a reader stops part-way', async () => {
    const { store } = await open();
    const { digest } = await store.put(chunks([randomBytes(4 * MiB)]));
    const before = await openDescriptors();
    for (let i = 0; i < 30; i++) {
      const stream = await store.get(digest);
      await new Promise<void>((resolve) => stream.once('readable', resolve));
      stream.destroy();
    }
    // A leak holds one descriptor (file or socket) per abandoned reader; allow a little slack for
    // sockets the server side is still closing.
    expect(await settledDescriptors(before + 5)).toBeLessThanOrEqual(before + 5);
    expect(await readAll(await store.get(digest))).toHaveLength(4 * MiB);
  });

  it('streams a large source in and out without buffering it', async () => {
    const { store } = await open();
    const source = generated(impl.largeBytes);
    const { result: info, growth } = await measureRssGrowth(() => store.put(source.chunks));
    expect(info).toEqual({ digest: source.digest(), size: impl.largeBytes });
    expect(growth).toBeLessThan(128 * MiB);
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of await store.get(info.digest)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    expect({ digest: hash.digest('hex'), size }).toEqual(info);
    expect(await h.tempFiles()).toEqual([]);
  }, 300_000);

  it('passes check() when it can read and write', async () => {
    const { store } = await open();
    await expect(store.check()).resolves.toBeUndefined();
  });
});

describe('S3 store: leftovers of a crashed upload in its local spool', () => {
  it('removes spool files older than an hour when opened, and keeps fresh ones', async () => {
    const server = await startLocalS3();
    const spool = await scratchDir();
    const stale = join(spool, `${randomUUID()}.part`);
    const fresh = join(spool, `${randomUUID()}.part`);
    await writeFile(stale, randomBytes(1000));
    await writeFile(fresh, randomBytes(1000));
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(stale, twoHoursAgo, twoHoursAgo);
    try {
      const store = await openS3BlobStore(
        { bucket: server.bucket, prefix: `spool/${randomUUID()}` },
        { endpoint: server.endpoint, region: 'us-east-1', forcePathStyle: true },
        spool,
      );
      await store.close();
      expect(await readdir(spool)).toEqual([fresh.slice(fresh.lastIndexOf('/') + 1)]);
    } finally {
      await server.close();
    }
  });
});

describe('folder store: leftovers of a crashed upload', () => {
  it('removes .part files older than an hour when opened, and keeps fresh ones', async () => {
    const root = await scratchDir();
    await (await openFsBlobStore(root)).close();
    const stale = join(root, 'tmp', `${randomUUID()}.part`);
    const fresh = join(root, 'tmp', `${randomUUID()}.part`);
    await writeFile(stale, randomBytes(1000));
    await writeFile(fresh, randomBytes(1000));
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(stale, twoHoursAgo, twoHoursAgo);
    const store = await openFsBlobStore(root);
    try {
      expect(await readdir(join(root, 'tmp'))).toEqual([fresh.slice(fresh.lastIndexOf('/') + 1)]);
      expect(await listAll(store)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Buffer.equals, because a deep toEqual over megabytes takes seconds. */
function expectSameBytes(actual: Buffer, expected: Buffer): void {
  expect(actual.length).toBe(expected.length);
  expect(actual.equals(expected)).toBe(true);
}

async function* chunks(parts: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part;
}

function flipByte(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = (copy[index]! + 1) % 256;
  return copy;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

async function consume(stream: Readable): Promise<{ received: number; error?: unknown }> {
  let received = 0;
  try {
    for await (const chunk of stream) received += (chunk as Buffer).length;
    return { received };
  } catch (error) {
    return { received, error };
  }
}

async function listAll(store: BlobStore): Promise<BlobInfo[]> {
  const all: BlobInfo[] = [];
  for await (const info of store.list()) all.push(info);
  return all;
}

function sortByDigest(infos: readonly BlobInfo[]): BlobInfo[] {
  return [...infos].sort((a, b) => a.digest.localeCompare(b.digest));
}

/** `total` bytes in fresh 1 MiB chunks, hashed as they are generated. */
function generated(total: number): { chunks: AsyncIterable<Uint8Array>; digest(): string } {
  const hash = createHash('sha256');
  async function* produce(): AsyncGenerator<Uint8Array> {
    for (let offset = 0, i = 0; offset < total; offset += MiB, i++) {
      const chunk = Buffer.alloc(Math.min(MiB, total - offset), i % 251);
      chunk.writeUInt32BE(i, 0);
      hash.update(chunk);
      yield chunk;
    }
  }
  return { chunks: produce(), digest: () => hash.digest('hex') };
}

/** Runs `work`, sampling RSS throughout; returns the peak growth over the starting RSS. */
async function measureRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 5);
  try {
    const result = await work();
    sample();
    return { result, growth: peak - before };
  } finally {
    clearInterval(timer);
  }
}

async function openDescriptors(): Promise<number> {
  return (await readdir('/proc/self/fd')).length;
}

/** The open descriptor count once it drops to `target` or stops changing (closing is asynchronous). */
async function settledDescriptors(target: number): Promise<number> {
  let count = await openDescriptors();
  for (let i = 0; i < 100 && count > target; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    count = await openDescriptors();
  }
  return count;
}
