/**
 * Restore refuses what it cannot do completely, and then leaves the target as it was: a target that
 * already holds data, and archives that are truncated, damaged, not backups, or from a newer Slipway.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  backupCli,
  captureState,
  emptyInstallation,
  type Installation,
  populate,
  restoreCli,
  type State,
  startOn,
} from './harness.js';

interface EntryAt {
  readonly name: string;
  /** Where the entry's 512-byte header starts; its bytes follow it. */
  readonly offset: number;
  readonly size: number;
}

async function entriesOf(archive: Buffer): Promise<EntryAt[]> {
  const extract = tar.extract();
  Readable.from([archive]).pipe(extract as unknown as NodeJS.WritableStream);
  const entries: EntryAt[] = [];
  for await (const entry of extract) {
    entries.push({ name: entry.header.name, offset: entry.offset, size: entry.header.size });
    for await (const _ of entry);
  }
  return entries;
}

/** Repacks an archive, letting `edit` replace an entry's bytes. */
async function rewrite(archive: Buffer, edit: (name: string, bytes: Buffer) => Buffer): Promise<Buffer> {
  const extract = tar.extract();
  const pack = tar.pack();
  Readable.from([archive]).pipe(extract as unknown as NodeJS.WritableStream);
  const collected = (async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of pack) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  })();
  for await (const entry of extract) {
    const parts: Buffer[] = [];
    for await (const chunk of entry) parts.push(chunk as Buffer);
    const bytes = edit(entry.header.name, Buffer.concat(parts));
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: entry.header.name }, bytes, (error) => (error ? reject(error) : resolve())),
    );
  }
  pack.finalize();
  return collected;
}

describe.each(BACKENDS)('restore refusals on %s', (backend) => {
  let dir: string;
  let source: TestServer;
  let archive: Buffer;
  let before: State;
  const installations: Installation[] = [];

  const fresh = async () => {
    const installation = await emptyInstallation(backend);
    installations.push(installation);
    return installation;
  };
  const saved = async (name: string, bytes: Buffer) => {
    const file = join(dir, name);
    await writeFile(file, bytes);
    return file;
  };
  /** The target is still empty: a server starting on it has to create the first admin token. */
  const expectUntouched = async (target: Installation) => {
    const server = await startOn(target);
    try {
      expect(server.server.adminTokenPath).toBe(join(target.home, 'admin.token'));
      expect((await server.sw.experiments.list({ lifecycle: 'all' })).items).toEqual([]);
    } finally {
      await server.close();
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-refusals-'));
    source = await startTestServer(backend);
    await populate(source.sw);
    before = await captureState(source.sw);
    const file = join(dir, 'good.tar');
    expect((await backupCli(source.url, source.adminToken, file)).code).toBe(0);
    archive = await readFile(file);
  });
  afterAll(async () => {
    await source?.close();
    for (const installation of installations) await installation.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a target where a server has started (its admin token is data) and changes nothing', async () => {
    const target = await fresh();
    const first = await startOn(target);
    const token = first.server.adminTokenPath;
    await first.close();
    const result = await restoreCli(target, join(dir, 'good.tar'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('RESTORE_TARGET_NOT_EMPTY');
    expect(result.stderr).toContain('admin token');
    expect(token).toBeDefined();
    const again = await startOn(target);
    try {
      expect(again.server.adminTokenPath).toBeUndefined();
      expect((await again.sw.tokens.list()).map((t) => t.name)).toEqual(['admin']);
      expect((await again.sw.experiments.list({ lifecycle: 'all' })).items).toEqual([]);
    } finally {
      await again.close();
    }
  });

  it('refuses a target holding experiments and leaves them as they were', async () => {
    const target = await fresh();
    const server = await startOn(target);
    await server.sw.experiments.create({ name: 'mine' });
    const mine = await captureState(server.sw);
    await server.close();
    const result = await restoreCli(target, join(dir, 'good.tar'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not empty \(experiments: 1, tokens: 1, audit_events: 2\)/);
    const again = await startOn(target);
    try {
      expect(await captureState(again.sw)).toEqual(mine);
    } finally {
      await again.close();
    }
  });

  it('refuses an archive truncated in the middle of an entry', async () => {
    const target = await fresh();
    const result = await restoreCli(target, await saved('half.tar', archive.subarray(0, archive.length / 2)));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('BACKUP_INVALID');
    expect(result.stderr).toContain('truncated');
    await expectUntouched(target);
  });

  it('refuses an archive cut off exactly between two entries', async () => {
    const entries = await entriesOf(archive);
    const last = entries.at(-1)!;
    const table = /^tables\/([a-z_]+)\/000001\.jsonl$/.exec(last.name)?.[1];
    expect(table).toBeDefined();
    const target = await fresh();
    const result = await restoreCli(target, await saved('cut.tar', archive.subarray(0, last.offset)));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('BACKUP_INVALID');
    expect(result.stderr).toContain(`table '${table}' has 0 of the`);
    await expectUntouched(target);
  });

  it('refuses an archive whose blob bytes were damaged', async () => {
    const entries = await entriesOf(archive);
    const blob = entries.find((entry) => entry.name.startsWith('blobs/') && entry.size > 1000)!;
    const damaged = Buffer.from(archive);
    const at = blob.offset + 512 + 100;
    damaged[at] = damaged[at]! ^ 0xff;
    const target = await fresh();
    const result = await restoreCli(target, await saved('damaged.tar', damaged));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('BACKUP_INVALID');
    expect(result.stderr).toContain(blob.name.slice('blobs/sha256/'.length));
    await expectUntouched(target);
  });

  it('refuses a row that is not JSON, loading nothing (one transaction)', async () => {
    const broken = await rewrite(archive, (name, bytes) =>
      name.startsWith('tables/audit_events/') ? Buffer.from(`${bytes.toString('utf8')}{not json\n`) : bytes,
    );
    const adjusted = await rewrite(broken, (name, bytes) => {
      if (name !== 'manifest.json') return bytes;
      const manifest = JSON.parse(bytes.toString('utf8'));
      manifest.tables.audit_events += 1;
      return Buffer.from(JSON.stringify(manifest));
    });
    const target = await fresh();
    const result = await restoreCli(target, await saved('bad-row.tar', adjusted));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('BACKUP_INVALID');
    expect(result.stderr).toContain('not valid JSON');
    await expectUntouched(target);
  });

  it('refuses files that are not Slipway backups', async () => {
    const plainTar = await rewrite(archive, (_name, bytes) => bytes).then((bytes) =>
      rewrite(bytes, (name, content) => (name === 'manifest.json' ? Buffer.from('{"hello":1}') : content)),
    );
    for (const [name, bytes] of [
      ['noise.tar', randomBytes(64 * 1024)],
      ['empty.tar', Buffer.alloc(0)],
      ['other.tar', plainTar],
    ] as const) {
      const target = await fresh();
      const result = await restoreCli(target, await saved(name, bytes));
      expect(result.code, name).toBe(1);
      expect(result.stderr, name).toContain('BACKUP_INVALID');
    }
    const missing = await restoreCli(await fresh(), join(dir, 'no-such-file.tar'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('does not exist');
  });

  it('refuses backups from a newer Slipway (format version, unknown migration)', async () => {
    for (const change of [{ formatVersion: 2 }, { migration: '9999-from-the-future' }]) {
      const newer = await rewrite(archive, (name, bytes) =>
        name === 'manifest.json'
          ? Buffer.from(JSON.stringify({ ...JSON.parse(bytes.toString('utf8')), ...change }))
          : bytes,
      );
      const target = await fresh();
      const result = await restoreCli(target, await saved('newer.tar', newer));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('BACKUP_UNSUPPORTED');
      expect(result.stderr).toContain('upgrade Slipway');
      await expectUntouched(target);
    }
  });

  it('restores the good archive into a target after failed attempts on it', async () => {
    const target = await fresh();
    expect(
      (await restoreCli(target, await saved('half-again.tar', archive.subarray(0, 3 * 1024)))).code,
    ).toBe(1);
    expect((await restoreCli(target, join(dir, 'good.tar'))).code).toBe(0);
    const server = await startOn(target, source.adminToken);
    try {
      expect(await captureState(server.sw)).toEqual(before);
    } finally {
      await server.close();
    }
  });
});
