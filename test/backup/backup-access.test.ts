/**
 * GET /api/v1/backup is for admins only, answers a tar stream, and `slipway backup` never leaves a
 * file behind unless the whole archive arrived and checked out.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { Client } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForbiddenError } from '../../src/client/index.js';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { backupCli, type Dataset, populate } from './harness.js';

describe.each(BACKENDS)('backup access on %s', (backend) => {
  let t: TestServer;
  let dir: string;
  let data: Dataset;
  let viewerToken: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-backup-access-'));
    t = await startTestServer(backend);
    data = await populate(t.sw);
    viewerToken = (await t.sw.tokens.create({ name: 'reader', role: 'viewer' })).token;
  });
  afterAll(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 403 to viewer and editor tokens and 401 without a token', async () => {
    for (const token of [viewerToken, data.editorToken]) {
      const response = await t.fetch('/api/v1/backup', { token });
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('PERMISSION_DENIED');
    }
    expect((await t.fetch('/api/v1/backup', { token: null })).status).toBe(401);
    const editor = await t.connect(data.editorToken);
    await expect(editor.backup.download(join(dir, 'sdk.tar'))).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('refuses `slipway backup` with an editor token, writing no file', async () => {
    const result = await backupCli(t.url, data.editorToken, join(dir, 'editor.tar'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PERMISSION_DENIED');
    expect(await readdir(dir)).toEqual([]);
  });

  it('streams a tar archive to admins, starting with its manifest', async () => {
    const response = await t.fetch('/api/v1/backup');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-tar');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="slipway-backup-.*\.tar"$/,
    );
    const extract = tar.extract();
    Readable.from(Buffer.from(await response.arrayBuffer())).pipe(
      extract as unknown as NodeJS.WritableStream,
    );
    const names: string[] = [];
    let manifest: { format?: string; sourceDialect?: string; tables?: Record<string, number> } = {};
    for await (const entry of extract) {
      const parts: Buffer[] = [];
      for await (const chunk of entry) parts.push(chunk as Buffer);
      if (entry.header.name === 'manifest.json') manifest = JSON.parse(Buffer.concat(parts).toString('utf8'));
      names.push(entry.header.name);
    }
    expect(names[0]).toBe('manifest.json');
    expect(manifest).toMatchObject({ format: 'slipway-backup', sourceDialect: backend });
    expect(names.filter((name) => name.startsWith('blobs/sha256/'))).toHaveLength(data.blobCount);
    expect(names).toContain('tables/experiments/000001.jsonl');
    expect(manifest.tables?.experiments).toBe(2);
  });

  it('prints JSON with --json: the file, its size and the manifest', async () => {
    const file = join(dir, 'json.tar');
    const result = await backupCli(t.url, t.adminToken, file, '--json');
    expect(result.code, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout) as {
      file: string;
      bytes: number;
      manifest: { blobs: { count: number } };
    };
    expect(printed.file).toBe(file);
    expect(printed.bytes).toBeGreaterThan(200_000);
    expect(printed.manifest.blobs.count).toBe(data.blobCount);
    await rm(file);
  });

  it('releases its snapshot when the reader goes away mid-archive', async () => {
    // Big enough that the server is still writing when the reader hangs up. On PostgreSQL each
    // snapshot holds one of the pool's 10 connections: leaked ones would stall the last backup.
    const run = await t.sw.runs.create({ experiment: 'churn', name: 'big' });
    await t.sw.artifacts.put(run.id, 'big.bin', randomBytes(8 * 1024 * 1024));
    for (let i = 0; i < 12; i++) {
      // A client of its own, destroyed after the first bytes: the server sees its reader vanish.
      const client = new Client(t.url);
      const response = await client.request({
        method: 'GET',
        path: '/api/v1/backup',
        headers: { authorization: `Bearer ${t.adminToken}` },
      });
      expect(response.statusCode).toBe(200);
      for await (const _ of response.body) break;
      await client.destroy();
    }
    const file = join(dir, 'after-abandoned.tar');
    const result = await backupCli(t.url, t.adminToken, file);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`blobs: ${data.blobCount + 1}`);
    await rm(file);
  });

  it('leaves no file when the backup breaks off halfway (a blob went missing from the store)', async () => {
    // Damage the store behind the server's back: the archive fails after its first bytes were sent.
    const shards = join(t.home, 'artifacts', 'sha256');
    for (const shard of await readdir(shards)) {
      for (const blob of await readdir(join(shards, shard))) await rm(join(shards, shard, blob));
    }
    const result = await backupCli(t.url, t.adminToken, join(dir, 'broken.tar'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/broke off|damaged|truncated/);
    expect(await readdir(dir)).toEqual([]);
  });
});
