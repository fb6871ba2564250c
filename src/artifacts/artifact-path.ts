/**
 * Artifact paths are relative, '/'-separated names inside one run (`model/model.onnx`). Anything that
 * could name a place outside the run, or mean two things, is rejected rather than "cleaned".
 */
import { InvalidError } from '../core/errors.js';

const MAX_PATH_LENGTH = 1024;
// Control characters (incl. NUL), backslashes and '%' (encoded forms must arrive already decoded once).
// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const FORBIDDEN = /[\u0000-\u001f\u007f\\%]/;

export function normaliseArtifactPath(raw: string): string {
  const fail = (problem: string) =>
    new InvalidError(
      `artifact path ${problem}, got '${raw.replaceAll('\0', '\\0')}'`,
      { path: raw },
      'INVALID_ARTIFACT_PATH',
    );
  if (raw === '') throw fail('must not be empty');
  if (raw.length > MAX_PATH_LENGTH) throw fail(`must be at most ${MAX_PATH_LENGTH} characters`);
  if (raw.startsWith('/')) throw fail('must be relative (no leading /)');
  if (/^[a-zA-Z]:/.test(raw)) throw fail('must be relative (no drive letter)');
  if (FORBIDDEN.test(raw)) throw fail('must not contain control characters, backslashes or %');
  const segments = raw.split('/');
  if (raw.endsWith('/')) throw fail('must name a file, not a folder (trailing /)');
  for (const segment of segments) {
    if (segment === '') throw fail("must not contain empty segments ('//')");
    if (segment === '.' || segment === '..') throw fail("must not contain '.' or '..' segments");
  }
  return raw;
}

/** A prefix for listing: '' or a normalised path, optionally ending in '/'. */
export function normaliseArtifactPrefix(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '';
  const trimmed = raw.endsWith('/') ? raw.slice(0, -1) : raw;
  return `${normaliseArtifactPath(trimmed)}${raw.endsWith('/') ? '/' : ''}`;
}
