/**
 * A version's code on this machine's disk: bundles as `<digest>.mjs` and files snapshots as whole
 * directories, each made once from the blob store and appearing atomically (written aside, then
 * renamed), so concurrent steps and a crash midway never see half a file or half a snapshot.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from '../../artifacts/index.js';
import { filesDigest } from '../engine/cache-key.js';
import type { PipelineCode } from '../entities.js';

export class CodeCache {
  private readonly making = new Map<string, Promise<string>>();

  constructor(
    private readonly blobs: BlobStore,
    private readonly root: string,
  ) {}

  /** The path of a bundle blob as an importable file. */
  bundle(digest: string): Promise<string> {
    const target = join(this.root, 'bundles', `${digest}.mjs`);
    return this.once(target, async (aside) => {
      await mkdir(dirname(aside), { recursive: true });
      await pipeline(await this.blobs.get(digest), createWriteStream(aside));
    });
  }

  /** The directory holding a version's files snapshot (an empty one when it has none). */
  files(code: PipelineCode): Promise<string> {
    const target = join(this.root, 'files', filesDigest(code));
    return this.once(target, async (aside) => {
      await mkdir(aside, { recursive: true });
      for (const [path, file] of Object.entries(code.files)) {
        const destination = join(aside, path);
        await mkdir(dirname(destination), { recursive: true });
        await pipeline(await this.blobs.get(file.digest), createWriteStream(destination));
      }
    });
  }

  private once(target: string, make: (aside: string) => Promise<void>): Promise<string> {
    let making = this.making.get(target);
    if (making === undefined) {
      making = this.materialise(target, make).finally(() => this.making.delete(target));
      this.making.set(target, making);
    }
    return making;
  }

  private async materialise(target: string, make: (aside: string) => Promise<void>): Promise<string> {
    if (await exists(target)) return target;
    const aside = `${target}.${randomUUID()}.partial`;
    try {
      await make(aside);
      await rename(aside, target).catch(async (error: NodeJS.ErrnoException) => {
        // Another process made it first: theirs is the same content.
        if (!(await exists(target))) throw error;
      });
    } finally {
      await rm(aside, { recursive: true, force: true });
    }
    return target;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
