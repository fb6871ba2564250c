/**
 * Backup and restore with the S3 blob store (a real S3-compatible server): into S3 under another
 * prefix, and across stores into a plain folder. Datasets (rows, diffs read from the restored blobs
 * through a new, empty data cache), models and lineage come back with everything else.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { type LocalS3, startLocalS3 } from '../support/s3.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  backupCli,
  captureState,
  type Dataset,
  emptyInstallation,
  type Installation,
  populate,
  restoreCli,
  type State,
  startOn,
} from './harness.js';

describe.each(BACKENDS)('backup and restore with S3 artifacts on %s', (backend) => {
  let s3: LocalS3;
  let dir: string;
  let source: TestServer;
  let data: Dataset;
  let before: State;
  const installations: Installation[] = [];

  beforeAll(async () => {
    s3 = await startLocalS3();
    dir = await mkdtemp(join(tmpdir(), 'slipway-backup-s3-'));
    source = await startTestServer(backend, {
      env: { ...s3.env, SLIPWAY_ARTIFACTS_URL: `s3://${s3.bucket}/${backend}-source` },
    });
    data = await populate(source.sw);
    before = await captureState(source.sw);
    const result = await backupCli(source.url, source.adminToken, join(dir, 'backup.tar'));
    expect(result.code, result.stderr).toBe(0);
  });
  afterAll(async () => {
    await source?.close();
    for (const installation of installations) await installation.drop();
    await s3?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const restoreAndCompare = async (env: Readonly<Record<string, string>>) => {
    const target = await emptyInstallation(backend, env);
    installations.push(target);
    const result = await restoreCli(target, join(dir, 'backup.tar'));
    expect(result.code, result.stderr).toBe(0);
    const server = await startOn(target, source.adminToken);
    try {
      expect(await captureState(server.sw)).toEqual(before);
      for (const [key, bytes] of data.artifacts) {
        const slash = key.indexOf('/');
        expect(
          (await server.sw.artifacts.bytes(key.slice(0, slash), key.slice(slash + 1))).equals(bytes),
        ).toBe(true);
      }
      for (const [ref, bytes] of data.registry.datasetBytes) {
        expect((await server.sw.datasets.bytes(ref)).equals(bytes), ref).toBe(true);
      }
    } finally {
      await server.close();
    }
  };

  it('restores into S3 under a new prefix, holding every blob there', async () => {
    await restoreAndCompare({ ...s3.env, SLIPWAY_ARTIFACTS_URL: `s3://${s3.bucket}/${backend}-restored` });
    const client = s3.client();
    try {
      const listed = await client.send(
        new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${backend}-restored/sha256/` }),
      );
      expect(listed.Contents ?? []).toHaveLength(data.blobCount);
    } finally {
      client.destroy();
    }
  });

  it('restores an S3 installation into one with a folder blob store', async () => {
    await restoreAndCompare({});
  });
});
