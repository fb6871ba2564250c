/**
 * Entry names inside the archive: `manifest.json`, then `blobs/sha256/<digest>`, then
 * `tables/<table>/<n>.jsonl` (n counts from 1, zero-padded so a plain `tar t` lists them in order).
 */
import { DIGEST_PATTERN } from '../artifacts/index.js';

export const MANIFEST_ENTRY = 'manifest.json';

export type EntryName =
  | { readonly kind: 'manifest' }
  | { readonly kind: 'blob'; readonly digest: string }
  | { readonly kind: 'chunk'; readonly table: string; readonly index: number };

export function blobEntry(digest: string): string {
  return `blobs/sha256/${digest}`;
}

export function chunkEntry(table: string, index: number): string {
  return `tables/${table}/${String(index).padStart(6, '0')}.jsonl`;
}

/** Undefined for a name no Slipway backup contains. */
export function parseEntryName(name: string): EntryName | undefined {
  if (name === MANIFEST_ENTRY) return { kind: 'manifest' };
  const blob = /^blobs\/sha256\/([^/]+)$/.exec(name);
  if (blob !== null) return DIGEST_PATTERN.test(blob[1]!) ? { kind: 'blob', digest: blob[1]! } : undefined;
  const chunk = /^tables\/([a-z][a-z0-9_]*)\/(\d{1,9})\.jsonl$/.exec(name);
  if (chunk !== null) return { kind: 'chunk', table: chunk[1]!, index: Number(chunk[2]) };
  return undefined;
}
