export { normaliseArtifactPath, normaliseArtifactPrefix } from './artifact-path.js';
export type { BlobInfo, BlobStore, ByteSource, PutOptions } from './blob-store.js';
export { DIGEST_PATTERN, removeStaleTempFiles, type SpooledFile, spoolToTempFile } from './digest.js';
export { type BlobStoreOptions, openBlobStore } from './open-blob-store.js';
