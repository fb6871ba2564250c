/**
 * Blobs in S3 or an S3-compatible server under `<prefix>/sha256/ab/<digest>`. The digest is only known
 * once every byte is seen, so uploads spool to a local temp file while hashing, then go up in one
 * (multipart when large) upload; an S3 object is never visible before its upload completes.
 */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Settings } from '../core/config.js';
import { UnavailableError } from '../core/errors.js';
import type { BlobInfo, BlobStore, ByteSource, PutOptions } from './blob-store.js';
import {
  assertDigest,
  blobNotFound,
  DIGEST_PATTERN,
  removeStaleTempFiles,
  spoolToTempFile,
  verifiedStream,
} from './digest.js';

export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
}

export async function openS3BlobStore(
  location: S3Location,
  settings: S3Settings,
  tempDir: string,
): Promise<BlobStore> {
  const config: S3ClientConfig = {
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    // Checksums only where S3 requires them: S3-compatible servers often reject the newer trailers,
    // and we verify every byte against its sha256 ourselves.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
  };
  await removeStaleTempFiles(tempDir);
  const client = new S3Client(config);
  const { bucket } = location;
  const base = location.prefix === '' ? 'sha256/' : `${location.prefix}/sha256/`;
  const keyOf = (digest: string) => `${base}${digest.slice(0, 2)}/${digest}`;

  const stat = async (digest: string): Promise<BlobInfo | undefined> => {
    assertDigest(digest);
    try {
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: keyOf(digest) }));
      return { digest, size: head.ContentLength ?? 0 };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw unavailable(error);
    }
  };

  return {
    kind: 's3',
    async put(source: ByteSource, options?: PutOptions): Promise<BlobInfo> {
      const spooled = await spoolToTempFile(source, tempDir, options);
      try {
        const info = { digest: spooled.digest, size: spooled.size };
        if ((await stat(spooled.digest)) !== undefined) return info;
        const upload = new Upload({
          client,
          params: {
            Bucket: bucket,
            Key: keyOf(spooled.digest),
            Body: createReadStream(spooled.path),
            ContentLength: spooled.size,
            ContentType: 'application/octet-stream',
          },
        });
        await upload.done().catch((error: unknown) => {
          throw unavailable(error);
        });
        return info;
      } finally {
        await rm(spooled.path, { force: true });
      }
    },
    async get(digest: string): Promise<Readable> {
      assertDigest(digest);
      let body: Readable;
      let size: number | undefined;
      try {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(digest) }));
        body = object.Body as Readable;
        size = object.ContentLength;
      } catch (error) {
        if (isMissing(error)) throw blobNotFound(digest);
        throw unavailable(error);
      }
      return verifiedStream(body, digest, size);
    },
    stat,
    async delete(digest: string): Promise<void> {
      assertDigest(digest);
      await client
        .send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(digest) }))
        .catch((error: unknown) => {
          if (!isMissing(error)) throw unavailable(error);
        });
    },
    async *list(): AsyncIterable<BlobInfo> {
      let token: string | undefined;
      do {
        const page = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: base,
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        );
        for (const object of page.Contents ?? []) {
          const digest = object.Key?.slice(object.Key.lastIndexOf('/') + 1) ?? '';
          if (DIGEST_PATTERN.test(digest)) yield { digest, size: object.Size ?? 0 };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    },
    async check(): Promise<void> {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }));
      } catch (error) {
        throw unavailable(error);
      }
    },
    async close(): Promise<void> {
      client.destroy();
    },
  };
}

function isMissing(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | null;
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}

function unavailable(error: unknown): UnavailableError {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new UnavailableError(`S3 artifact store failed: ${message}`);
}
