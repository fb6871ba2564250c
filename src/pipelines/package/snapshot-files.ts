/**
 * The pipeline directory's files, for steps that run in it on the server (`command` steps) or read
 * a file from it (`dataset.push`). Bounded, because a pipeline written in a home or repository
 * root would otherwise ship everything beside it.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { InvalidError } from '../../core/errors.js';
import type { Pipeline } from '../definition/index.js';
import { isSafeRelativePath } from './package-layout.js';

export const MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024;
export const MAX_SNAPSHOT_FILES = 2000;

export interface SnapshotLimits {
  readonly maxBytes?: number;
  readonly maxFiles?: number;
}

export interface SnapshotFile {
  /** Absolute path on this machine. */
  readonly path: string;
  readonly size: number;
}

/** Files keyed by POSIX path relative to the pipeline file's directory; `{}` when no step needs them. */
export async function snapshotFiles(
  pipeline: Pipeline,
  file: string,
  limits: SnapshotLimits = {},
): Promise<Record<string, SnapshotFile>> {
  if (!pipeline.steps.some((step) => step.kind === 'command' || step.kind === 'dataset.push')) return {};
  const maxBytes = limits.maxBytes ?? MAX_SNAPSHOT_BYTES;
  const maxFiles = limits.maxFiles ?? MAX_SNAPSHOT_FILES;
  const root = dirname(resolve(file));
  const files: Record<string, SnapshotFile> = {};
  let count = 0;
  let bytes = 0;

  const tooMuch = (found: string, limit: string): InvalidError =>
    new InvalidError(
      `pipeline directory ${root} is too large to ship: it holds ${found}, over the limit of ${limit}; move the pipeline and the files its steps need into a directory of their own`,
      { field: 'file', directory: root, count, bytes, maxFiles, maxBytes },
    );

  // Depth first in name order, so the snapshot (and the package) is the same on every run.
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => compare(a.name, b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      const relative = `${prefix}${entry.name}`;
      if (entry.isDirectory()) {
        await walk(path, `${relative}/`);
        continue;
      }
      const size = await regularFileSize(entry, path);
      if (size === undefined) continue;
      if (!isSafeRelativePath(relative))
        throw new InvalidError(`cannot ship '${relative}': its name is not a portable relative path`, {
          field: 'file',
          path,
        });
      count++;
      bytes += size;
      // Stop at the first file over a limit: the directory may be enormous.
      if (count > maxFiles) throw tooMuch(`more than ${maxFiles} files`, `${maxFiles} files`);
      if (bytes > maxBytes) throw tooMuch(`at least ${bytes} bytes`, `${maxBytes} bytes`);
      files[relative] = { path, size };
    }
  };
  await walk(root, '');
  return files;
}

/** Regular files, and symbolic links to them; links to directories are not followed. */
async function regularFileSize(entry: Dirent, path: string): Promise<number | undefined> {
  if (entry.isFile()) return (await stat(path)).size;
  if (!entry.isSymbolicLink()) return undefined;
  const target = await stat(path).catch(() => undefined);
  return target?.isFile() ? target.size : undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
