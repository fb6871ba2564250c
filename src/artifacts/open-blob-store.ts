/** Chooses the blob backend from SLIPWAY_ARTIFACTS_URL. The S3 SDK loads only when S3 is configured. */
import { join } from 'node:path';
import type { ArtifactsUrl, S3Settings } from '../core/config.js';
import type { BlobStore } from './blob-store.js';
import { openFsBlobStore } from './fs-blob-store.js';

export interface BlobStoreOptions {
  readonly s3: S3Settings;
  /** Local scratch space (S3 uploads spool here while hashing). */
  readonly home: string;
}

const OPENERS: {
  readonly [K in ArtifactsUrl['kind']]: (
    url: Extract<ArtifactsUrl, { kind: K }>,
    options: BlobStoreOptions,
  ) => Promise<BlobStore>;
} = {
  file: (url) => openFsBlobStore(url.path),
  s3: async (url, options) => {
    const { openS3BlobStore } = await import('./s3-blob-store.js');
    return openS3BlobStore(url, options.s3, join(options.home, 'tmp', 'uploads'));
  },
};

export function openBlobStore(url: ArtifactsUrl, options: BlobStoreOptions): Promise<BlobStore> {
  const open = OPENERS[url.kind] as (url: ArtifactsUrl, options: BlobStoreOptions) => Promise<BlobStore>;
  return open(url, options);
}
