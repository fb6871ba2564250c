/**
 * The server side of apply: reads an untrusted package entry by entry, streaming each bundle and
 * file into the blob store, and refuses anything the format does not allow. The spec is returned
 * unparsed: the caller validates it with parsePipeline like any other definition.
 */
import type { Readable } from 'node:stream';
import type { BlobStore } from '../../artifacts/index.js';
import { openTar, readEntry } from '../../core/tar-input.js';
import {
  type BundleInfo,
  invalidPackage,
  isSafeRelativePath,
  MANIFEST_ENTRY,
  type PackageManifest,
  parseEntryName,
} from './package-layout.js';

export interface StoredBlob {
  readonly digest: string;
  readonly size: number;
}

export interface AppliedPackage {
  readonly spec: unknown;
  readonly source: string;
  readonly bundles: Readonly<Record<string, BundleInfo & StoredBlob>>;
  readonly files: Readonly<Record<string, StoredBlob>>;
}

export interface ReadApplyPackageOptions {
  /** The whole package's limit, pipeline.json included. */
  readonly maxBytes: number;
}

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** Blobs of a package that is then refused stay in the store, unreferenced, like any failed upload. */
export async function readApplyPackage(
  body: Readable,
  blobs: BlobStore,
  options: ReadApplyPackageOptions,
): Promise<AppliedPackage> {
  const archive = openTar(body, (detail) => invalidPackage(`the body is not a tar archive: ${detail}`));
  const translate = archive.translate;

  let manifest: PackageManifest | undefined;
  const bundles: Record<string, BundleInfo & StoredBlob> = {};
  const files: Record<string, StoredBlob> = {};
  let total = 0;
  let complete = false;
  try {
    for (let entry = await archive.next(); entry !== undefined; entry = await archive.next()) {
      const { name, type } = entry.header;
      const size = entry.header.size ?? 0;
      if (type !== 'file') throw invalidPackage(`entry '${name}' is a ${type}, not a file`, name);
      const parsed = parseEntryName(name);
      if (parsed === undefined || (parsed.kind === 'file' && !isSafeRelativePath(parsed.path)))
        throw invalidPackage(
          `unknown entry '${name}' (expected ${MANIFEST_ENTRY}, bundles/<step>.mjs or files/<relative path>)`,
          name,
        );
      total += size;
      if (total > options.maxBytes)
        throw invalidPackage(`the package is larger than the ${options.maxBytes}-byte limit`, name);

      if (manifest === undefined) {
        if (parsed.kind !== 'manifest')
          throw invalidPackage(`the first entry is '${name}', not ${MANIFEST_ENTRY}`, name);
        if (size > MAX_MANIFEST_BYTES)
          throw invalidPackage(`${MANIFEST_ENTRY} is implausibly large (${size} bytes)`, name);
        manifest = parseManifest(await readEntry(entry, translate));
        continue;
      }
      if (parsed.kind === 'manifest') throw invalidPackage(`duplicate entry '${name}'`, name);
      const remaining = options.maxBytes - (total - size);
      if (parsed.kind === 'bundle') {
        const info = manifest.bundles[parsed.step];
        if (!Object.hasOwn(manifest.bundles, parsed.step) || info === undefined)
          throw invalidPackage(
            `bundle for step '${parsed.step}', which ${MANIFEST_ENTRY} does not list`,
            name,
          );
        if (Object.hasOwn(bundles, parsed.step)) throw invalidPackage(`duplicate entry '${name}'`, name);
        bundles[parsed.step] = { ...info, ...(await store(blobs, entry, remaining, translate)) };
      } else {
        if (Object.hasOwn(files, parsed.path)) throw invalidPackage(`duplicate entry '${name}'`, name);
        files[parsed.path] = await store(blobs, entry, remaining, translate);
      }
    }
    if (manifest === undefined) throw invalidPackage(`the package is empty: no ${MANIFEST_ENTRY}`);
    const missing = Object.keys(manifest.bundles).filter((step) => !Object.hasOwn(bundles, step));
    if (missing.length > 0)
      throw invalidPackage(
        `${MANIFEST_ENTRY} lists bundles that the package does not hold: ${missing.map((step) => `bundles/${step}.mjs`).join(', ')}`,
        `bundles/${missing[0]}.mjs`,
      );
    complete = true;
    return { spec: manifest.spec, source: manifest.source, bundles, files };
  } finally {
    if (!complete) archive.abandon();
  }
}

async function store(
  blobs: BlobStore,
  entry: AsyncIterable<unknown>,
  maxBytes: number,
  translate: (error: unknown) => unknown,
): Promise<StoredBlob> {
  try {
    const { digest, size } = await blobs.put(entry as AsyncIterable<Uint8Array>, { maxBytes });
    return { digest, size };
  } catch (error) {
    throw translate(error);
  }
}

function parseManifest(bytes: Buffer): PackageManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw invalidPackage(`${MANIFEST_ENTRY} is not JSON: ${(error as Error).message}`, MANIFEST_ENTRY);
  }
  const bad = (what: string): never => {
    throw invalidPackage(`${MANIFEST_ENTRY}: ${what}`, MANIFEST_ENTRY);
  };
  if (!isRecord(raw)) return bad('must be an object with spec, source and bundles');
  if (!isRecord(raw.spec)) return bad('spec must be an object (a pipeline definition)');
  if (typeof raw.source !== 'string' || raw.source === '' || raw.source.includes('/'))
    return bad("source must be the pipeline file's base name");
  if (!isRecord(raw.bundles)) return bad('bundles must be an object of step names to bundles');
  const bundles: Record<string, BundleInfo> = {};
  for (const [step, info] of Object.entries(raw.bundles)) {
    const { module, export: exportName, exports } = isRecord(info) ? info : {};
    if (
      typeof module !== 'string' ||
      typeof exportName !== 'string' ||
      !Array.isArray(exports) ||
      !exports.every((name) => typeof name === 'string')
    )
      return bad(`bundles.${step} must have a module, an export and a list of exports`);
    bundles[step] = { module, export: exportName, exports };
  }
  return { spec: raw.spec, source: raw.source, bundles };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
