/**
 * A version fingerprint of a validated pipeline: sha256 of canonical JSON (keys sorted, defaults
 * filled in), so the same definition written in YAML or TypeScript, in any key order, has one digest.
 */
import { createHash } from 'node:crypto';
import type { Pipeline } from './types.js';

export function pipelineDigest(pipeline: Pipeline): string {
  return createHash('sha256').update(canonicalJson(pipeline)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
