/**
 * Model files on local disk, by digest: the first load streams the blob from the artifact store
 * (which verifies it against its digest as it streams) into a temporary file and renames it into the
 * cache, so a cached file is always whole and verified; later loads, and other deployments of the
 * same bytes, read the cache. Concurrent loads of one digest share one download.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from '../../artifacts/index.js';

export class ModelFiles {
  private readonly downloads = new Map<string, Promise<string>>();

  constructor(
    private readonly blobs: BlobStore,
    private readonly dir: string,
  ) {}

  /** The path of the verified file of `digest` with `size` bytes. */
  path(digest: string, size: number): Promise<string> {
    let download = this.downloads.get(digest);
    if (download === undefined) {
      download = this.fetch(digest, size).finally(() => this.downloads.delete(digest));
      this.downloads.set(digest, download);
    }
    return download;
  }

  private async fetch(digest: string, size: number): Promise<string> {
    const file = join(this.dir, `${digest}.onnx`);
    const cached = await stat(file).catch(() => undefined);
    if (cached?.size === size) return file;
    await mkdir(this.dir, { recursive: true });
    const temporary = join(this.dir, `.${digest}.${randomUUID()}.part`);
    try {
      await pipeline(await this.blobs.get(digest), createWriteStream(temporary));
      await rename(temporary, file);
    } finally {
      await rm(temporary, { force: true });
    }
    return file;
  }
}
