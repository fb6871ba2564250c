/**
 * DuckDB, the data engine behind datasets: it reads CSV, JSON lines and Parquet files, writes the
 * stored Parquet form and answers the profile, diff, preview and validation queries. DuckDB reads
 * files, not streams, so blobs it needs are copied (verified) into a local cache keyed by digest;
 * with an S3 blob store this is the only local copy.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { BlobStore } from '../artifacts/index.js';
import { removeStaleTempFiles } from '../artifacts/index.js';

export interface DataEngineOptions {
  /** SLIPWAY_HOME: the cache and DuckDB's spill space live under it. */
  readonly home: string;
  readonly blobs: BlobStore;
}

export class DataEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly blobs: BlobStore,
    /** Verified local copies of blobs, named by digest. */
    private readonly cacheDir: string,
    /** Scratch files (uploads being converted); removed when their work ends. */
    readonly scratchDir: string,
  ) {}

  static async open(options: DataEngineOptions): Promise<DataEngine> {
    const cacheDir = join(options.home, 'cache', 'data');
    const scratchDir = join(options.home, 'tmp', 'data');
    const spillDir = join(options.home, 'tmp', 'duckdb');
    await Promise.all([cacheDir, scratchDir, spillDir].map((dir) => mkdir(dir, { recursive: true })));
    await removeStaleTempFiles(scratchDir);
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(availableParallelism()),
      temp_directory: spillDir,
      // Extensions come inside the package (parquet, json); never fetch one at run time.
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'true',
    });
    return new DataEngine(instance, options.blobs, cacheDir, scratchDir);
  }

  /** Runs `work` on a connection of its own, closed afterwards. */
  async withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.instance.connect();
    try {
      return await work(connection);
    } finally {
      connection.closeSync();
    }
  }

  /** A new path in the scratch directory; the caller removes it. */
  scratchPath(extension: string): string {
    return join(this.scratchDir, `${randomUUID()}.${extension}`);
  }

  /** The local path of a verified copy of the blob, fetching it on first use. */
  async localFile(digest: string, extension: string): Promise<string> {
    const path = join(this.cacheDir, `${digest}.${extension}`);
    if (await exists(path)) return path;
    const part = join(this.cacheDir, `${randomUUID()}.part`);
    try {
      // The blob store's stream fails before its end on wrong bytes, so no corrupt copy is renamed in.
      await pipeline(await this.blobs.get(digest), createWriteStream(part, { flags: 'wx' }));
      await rename(part, path);
    } catch (error) {
      await rm(part, { force: true });
      throw error;
    }
    return path;
  }

  /** Places a file already known to hold the blob's bytes into the cache (after a push). */
  async adopt(digest: string, extension: string, file: string): Promise<string> {
    const path = join(this.cacheDir, `${digest}.${extension}`);
    await rename(file, path);
    return path;
  }

  close(): void {
    this.instance.closeSync();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
