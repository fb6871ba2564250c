/**
 * Downloading a version: the bytes as pushed or the stored Parquet form, refused before the first
 * byte when the blob is missing or has another length, with the file name and content type to send.
 */
import type { Readable } from 'node:stream';
import type { BlobStore } from '../artifacts/index.js';
import { IntegrityError, NotFoundError } from '../core/errors.js';
import type { DataFormat, DatasetVersion } from './entities.js';

export type DownloadForm = 'source' | 'parquet';

export interface Download {
  readonly version: DatasetVersion;
  readonly digest: string;
  readonly size: number;
  readonly fileName: string;
  readonly contentType: string;
  readonly stream: Readable;
}

const CONTENT_TYPES: Readonly<Record<DataFormat, string>> = {
  csv: 'text/csv; charset=utf-8',
  jsonl: 'application/x-ndjson',
  parquet: 'application/vnd.apache.parquet',
};

export async function openDownload(
  blobs: BlobStore,
  version: DatasetVersion,
  form: DownloadForm,
): Promise<Download> {
  const parquet = form === 'parquet';
  const digest = parquet ? version.dataDigest : version.sourceDigest;
  const size = parquet ? version.dataSize : version.sourceSize;
  const format: DataFormat = parquet ? 'parquet' : version.format;
  const missing = () =>
    new IntegrityError(`dataset ${version.dataset}@${version.version} is missing its blob ${digest}`, {
      digest,
    });
  const blob = await blobs.stat(digest);
  if (blob === undefined) throw missing();
  if (blob.size !== size) {
    throw new IntegrityError(
      `dataset ${version.dataset}@${version.version} should be ${size} bytes but its blob ${digest} has ${blob.size}`,
      { digest, expected: size, size: blob.size },
    );
  }
  let stream: Readable;
  try {
    stream = await blobs.get(digest);
  } catch (error) {
    if (error instanceof NotFoundError) throw missing();
    throw error;
  }
  return {
    version,
    digest,
    size,
    fileName: `${version.dataset}-v${version.version}.${format}`,
    contentType: CONTENT_TYPES[format],
    stream,
  };
}
