/** Streaming sha256: spooling uploads to a temp file while hashing, and verifying reads. */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { IntegrityError, InvalidError, NotFoundError, TooLargeError } from '../core/errors.js';
import type { BlobInfo, ByteSource, PutOptions } from './blob-store.js';

export const DIGEST_PATTERN = /^[0-9a-f]{64}$/;

// Spool files older than this belong to uploads that died with their process.
const STALE_TEMP_MS = 60 * 60 * 1000;

export function assertDigest(digest: string): void {
  if (!DIGEST_PATTERN.test(digest)) {
    throw new InvalidError(`digest must be 64 lower-case hex characters (sha256), got '${digest}'`, {
      digest,
    });
  }
}

export function blobNotFound(digest: string): NotFoundError {
  return new NotFoundError('BLOB_NOT_FOUND', `no blob with digest ${digest}`, { digest });
}

export interface SpooledFile extends BlobInfo {
  readonly path: string;
}

/**
 * Writes the source into a new file under `dir` while hashing and counting, then fsyncs it. On any
 * failure (too large, digest mismatch, source error) the file is removed and nothing is returned.
 */
export async function spoolToTempFile(
  source: ByteSource,
  dir: string,
  options: PutOptions = {},
): Promise<SpooledFile> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${randomUUID()}.part`);
  const handle = await open(path, 'wx', 0o644);
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of source) {
      const bytes = chunk as Uint8Array;
      size += bytes.byteLength;
      if (options.maxBytes !== undefined && size > options.maxBytes) {
        throw new TooLargeError(`artifact is larger than the ${options.maxBytes}-byte limit`, {
          limit: options.maxBytes,
        });
      }
      hash.update(bytes);
      await handle.write(bytes);
    }
    await handle.sync();
    await handle.close();
    const digest = hash.digest('hex');
    if (options.expectedDigest !== undefined && options.expectedDigest !== digest) {
      throw new InvalidError(
        `content sha256 is ${digest} but the request declared ${options.expectedDigest}`,
        { expected: options.expectedDigest, actual: digest },
        'DIGEST_MISMATCH',
      );
    }
    return { path, digest, size };
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(path, { force: true });
    throw error;
  }
}

/**
 * Passes bytes through and fails at the end if they do not hash to `digest` or are not `size` long.
 * The last chunk is held back until the check passes, so a reader that writes chunks out as they
 * arrive (an HTTP response, a file) never receives the complete bytes of a corrupt blob.
 */
export function verifying(digest: string, size?: number): Transform {
  const hash = createHash('sha256');
  let seen = 0;
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk);
      seen += chunk.byteLength;
      const previous = held;
      held = chunk;
      callback(null, previous);
    },
    flush(callback: TransformCallback) {
      const actual = hash.digest('hex');
      if (actual !== digest || (size !== undefined && seen !== size)) {
        callback(
          new IntegrityError(`blob ${digest} is corrupt: its bytes hash to ${actual} (${seen} bytes)`, {
            digest,
            actual,
            size: seen,
          }),
        );
        return;
      }
      callback(null, held);
    },
  });
}

/**
 * `source` read through verifying(): errors flow to the reader, and a reader that stops early
 * releases the source (its file descriptor or S3 connection) instead of leaving it paused forever.
 */
export function verifiedStream(source: Readable, digest: string, size?: number): Readable {
  return pipeline(source, verifying(digest, size), () => {
    // Errors reach the reader through the returned stream.
  });
}

/** Removes spool files that a killed process left behind (older than an hour: never a live upload). */
export async function removeStaleTempFiles(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const now = Date.now();
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info !== undefined && now - info.mtimeMs > STALE_TEMP_MS) await rm(path, { force: true });
  }
}
