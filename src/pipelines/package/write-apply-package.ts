/**
 * Writes the apply package as a tar stream. Snapshot files are streamed from disk with backpressure,
 * never read whole; entries carry a fixed mtime so the same inputs give the same bytes.
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { InvalidError } from '../../core/errors.js';
import type { PipelineSpec } from '../definition/index.js';
import {
  type BundleInfo,
  bundleEntry,
  FILES_PREFIX,
  type FnBundle,
  MANIFEST_ENTRY,
  type PackageManifest,
} from './package-layout.js';
import type { SnapshotFile } from './snapshot-files.js';

export interface ApplyPackageInput {
  readonly spec: PipelineSpec;
  /** The pipeline file (only its base name is shipped). */
  readonly source: string;
  readonly bundles: Readonly<Record<string, FnBundle>>;
  readonly files: Readonly<Record<string, SnapshotFile>>;
}

const MTIME = new Date(0);

type Pack = ReturnType<typeof tar.pack>;

export function writeApplyPackage(input: ApplyPackageInput): Readable {
  const pack = tar.pack();
  let finalized = false;
  // Rejects if the reader goes away first, so a write waiting for 'drain' does not wait forever.
  const torn = new Promise<never>((_, reject) => {
    pack.once('close', () => {
      if (!finalized) reject(new Error('the apply package was closed before it was complete'));
    });
  });
  torn.catch(() => {});

  const write = async (): Promise<void> => {
    const bundles: Record<string, BundleInfo> = {};
    for (const [step, bundle] of Object.entries(input.bundles))
      bundles[step] = { module: bundle.module, export: bundle.export, exports: bundle.exports };
    const manifest: PackageManifest = { spec: input.spec, source: basename(input.source), bundles };
    await Promise.race([addBytes(pack, MANIFEST_ENTRY, Buffer.from(JSON.stringify(manifest))), torn]);
    for (const [step, bundle] of Object.entries(input.bundles))
      await Promise.race([addBytes(pack, bundleEntry(step), bundle.code), torn]);
    for (const [relative, file] of Object.entries(input.files))
      await addFile(pack, `${FILES_PREFIX}${relative}`, file, torn);
    finalized = true;
    pack.finalize();
  };
  write().catch((error: unknown) => pack.destroy(error as Error));
  return Readable.from(pack);
}

function addBytes(pack: Pack, name: string, bytes: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ name, size: bytes.byteLength, mtime: MTIME }, Buffer.from(bytes), (error) =>
      error ? reject(error) : resolve(),
    );
  });
}

async function addFile(pack: Pack, name: string, file: SnapshotFile, torn: Promise<never>): Promise<void> {
  let settle: (error?: Error | null) => void = () => {};
  const written = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  written.catch(() => {});
  const sink = pack.entry({ name, size: file.size, mtime: MTIME }, (error) => settle(error));
  // The failure reaches the reader through the pack; the entry's own 'error' would go unheard.
  sink.on('error', () => {});
  let seen = 0;
  try {
    for await (const chunk of createReadStream(file.path)) {
      seen += (chunk as Buffer).byteLength;
      // Bytes beyond the header's size would corrupt every entry after this one.
      if (seen > file.size) throw changed(file, seen);
      if (!sink.write(chunk)) await Promise.race([drained(sink), torn]);
    }
    if (seen !== file.size) throw changed(file, seen);
    sink.end(null); // streamx wants an argument; null adds nothing
    await Promise.race([written, torn]);
  } catch (error) {
    sink.destroy(error as Error);
    throw error;
  }
}

function drained(sink: { once(event: 'drain', listener: () => void): unknown }): Promise<void> {
  return new Promise((resolve) => sink.once('drain', resolve));
}

function changed(file: SnapshotFile, seen: number): InvalidError {
  return new InvalidError(
    `${file.path} changed while it was being packaged (${file.size} bytes when listed, ${seen > file.size ? 'more' : seen} now); apply again`,
    { field: 'file', path: file.path },
  );
}
