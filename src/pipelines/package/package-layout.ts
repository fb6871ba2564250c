/**
 * The apply package: a tar of `pipeline.json` (first), `bundles/<step>.mjs` for each `fn` step and
 * `files/<relative path>` for the pipeline directory's snapshot. Writer and reader share these names.
 */
import { InvalidError } from '../../core/errors.js';

export const MANIFEST_ENTRY = 'pipeline.json';
export const BUNDLES_PREFIX = 'bundles/';
export const FILES_PREFIX = 'files/';
const BUNDLE_SUFFIX = '.mjs';

/** One `fn` step's module, bundled on the client. */
export interface FnBundle {
  /** As written in the step. */
  readonly module: string;
  readonly export: string;
  /** Every export the bundle has, sorted. */
  readonly exports: readonly string[];
  readonly code: Uint8Array;
}

export type BundleInfo = Pick<FnBundle, 'module' | 'export' | 'exports'>;

/** What `pipeline.json` holds. */
export interface PackageManifest {
  readonly spec: unknown;
  /** The pipeline file's base name, for messages. */
  readonly source: string;
  readonly bundles: Readonly<Record<string, BundleInfo>>;
}

export function bundleEntry(step: string): string {
  return `${BUNDLES_PREFIX}${step}${BUNDLE_SUFFIX}`;
}

export type EntryName =
  | { readonly kind: 'manifest' }
  | { readonly kind: 'bundle'; readonly step: string }
  | { readonly kind: 'file'; readonly path: string };

/** What an entry name means, or undefined for a name the package format does not have. */
export function parseEntryName(name: string): EntryName | undefined {
  if (name === MANIFEST_ENTRY) return { kind: 'manifest' };
  if (name.startsWith(BUNDLES_PREFIX) && name.endsWith(BUNDLE_SUFFIX)) {
    const step = name.slice(BUNDLES_PREFIX.length, -BUNDLE_SUFFIX.length);
    return step !== '' && !step.includes('/') ? { kind: 'bundle', step } : undefined;
  }
  if (name.startsWith(FILES_PREFIX)) return { kind: 'file', path: name.slice(FILES_PREFIX.length) };
  return undefined;
}

/**
 * True for a relative POSIX path that stays inside its root: no leading '/', no drive letter, no
 * empty, '.' or '..' segment, no backslash (a separator on Windows) and no NUL.
 */
export function isSafeRelativePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || /^[A-Za-z]:/.test(path) || /[\\\0]/.test(path)) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

export function invalidPackage(message: string, entry?: string): InvalidError {
  return new InvalidError(`apply package: ${message}`, {
    field: 'package',
    ...(entry === undefined ? {} : { entry }),
  });
}
