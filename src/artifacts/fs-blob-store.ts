/** Blobs in a local folder: `<root>/sha256/ab/<digest>`, written via `<root>/tmp` + fsync + rename. */
import { constants, createReadStream } from 'node:fs';
import { access, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { UnavailableError } from '../core/errors.js';
import type { BlobInfo, BlobStore, ByteSource, PutOptions } from './blob-store.js';
import {
  assertDigest,
  blobNotFound,
  removeStaleTempFiles,
  spoolToTempFile,
  verifiedStream,
} from './digest.js';

export async function openFsBlobStore(root: string): Promise<BlobStore> {
  const tmp = join(root, 'tmp');
  await mkdir(join(root, 'sha256'), { recursive: true });
  await mkdir(tmp, { recursive: true });
  await removeStaleTempFiles(tmp);

  const pathOf = (digest: string) => join(root, 'sha256', digest.slice(0, 2), digest);
  const statBlob = async (digest: string): Promise<BlobInfo | undefined> => {
    assertDigest(digest);
    try {
      return { digest, size: (await stat(pathOf(digest))).size };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  };

  return {
    kind: 'file',
    async put(source: ByteSource, options?: PutOptions): Promise<BlobInfo> {
      const spooled = await spoolToTempFile(source, tmp, options);
      const target = pathOf(spooled.digest);
      if (await exists(target)) {
        await rm(spooled.path, { force: true });
      } else {
        await mkdir(join(root, 'sha256', spooled.digest.slice(0, 2)), { recursive: true });
        await rename(spooled.path, target);
        await fsyncDirectory(join(root, 'sha256', spooled.digest.slice(0, 2)));
      }
      return { digest: spooled.digest, size: spooled.size };
    },
    async get(digest: string): Promise<Readable> {
      assertDigest(digest);
      const info = await statBlob(digest);
      if (info === undefined) throw blobNotFound(digest);
      return verifiedStream(createReadStream(pathOf(digest)), digest, info.size);
    },
    stat: statBlob,
    async delete(digest: string): Promise<void> {
      assertDigest(digest);
      await rm(pathOf(digest), { force: true });
    },
    async *list(): AsyncIterable<BlobInfo> {
      for (const shard of (await readdir(join(root, 'sha256'))).sort()) {
        for (const digest of (await readdir(join(root, 'sha256', shard))).sort()) {
          const info = await statBlob(digest).catch(() => undefined);
          if (info !== undefined) yield info;
        }
      }
    },
    async check(): Promise<void> {
      try {
        await access(tmp, constants.W_OK | constants.R_OK);
      } catch (error) {
        throw new UnavailableError(`artifact folder ${root} is not writable: ${(error as Error).message}`);
      }
    },
    async close(): Promise<void> {},
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

/** Makes the rename itself durable, not only the file's contents. */
async function fsyncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT';
}
