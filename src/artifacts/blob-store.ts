/**
 * Content-addressed blob storage. Bytes are keyed by their sha256; identical bytes are stored once;
 * a blob becomes visible only when complete; every read is checked against the digest. Names
 * (run artifact paths, model files) map to digests in the metadata store, never here.
 */
import type { Readable } from 'node:stream';

export interface BlobInfo {
  /** Lower-case hex sha256 of the bytes. */
  readonly digest: string;
  readonly size: number;
}

export interface PutOptions {
  /** Reject (storing nothing) once the stream passes this many bytes. */
  readonly maxBytes?: number;
  /** Reject (storing nothing) unless the bytes hash to this digest. */
  readonly expectedDigest?: string;
}

export type ByteSource = Readable | AsyncIterable<Uint8Array>;

export interface BlobStore {
  /** 'file' or 's3': for messages and readiness output. */
  readonly kind: string;
  /** Streams the bytes in without buffering them; returns their digest and size. */
  put(source: ByteSource, options?: PutOptions): Promise<BlobInfo>;
  /**
   * A stream of the blob's bytes that errors with IntegrityError (BLOB_CORRUPT) if they do not match
   * the digest or size; NotFoundError (BLOB_NOT_FOUND) if there is no such blob.
   */
  get(digest: string): Promise<Readable>;
  stat(digest: string): Promise<BlobInfo | undefined>;
  delete(digest: string): Promise<void>;
  list(): AsyncIterable<BlobInfo>;
  /** Throws UnavailableError if the backend cannot be read and written. */
  check(): Promise<void>;
  close(): Promise<void>;
}
