/** Rules for param, tag and metric keys and values, shared by every tracking write. */
import { InvalidError } from '../core/errors.js';

export const MAX_KEY_LENGTH = 250;
export const MAX_PARAM_VALUE_LENGTH = 6000;
export const MAX_TAG_VALUE_LENGTH = 8000;
/**
 * Params or tags one call may set: each is a row of one multi-row insert, and the databases bound a
 * statement's parameters (SQLite 32,766, PostgreSQL 65,535), so more would fail as a 500.
 */
export const MAX_ENTRIES_PER_CALL = 1000;
/** Letters, digits and `_ - . / : space`, as MLflow allows, so keys like `train/loss` work. */
const KEY_PATTERN = /^[A-Za-z0-9_\-. /:]+$/;

export function checkKey(kind: 'param' | 'tag' | 'metric', key: string): void {
  const fail = (problem: string) =>
    new InvalidError(`${kind} key ${problem}, got '${key}'`, { field: `${kind}.key`, value: key });
  if (key.length === 0) throw fail('must not be empty');
  if (key.length > MAX_KEY_LENGTH) throw fail(`must be at most ${MAX_KEY_LENGTH} characters`);
  if (!KEY_PATTERN.test(key)) throw fail('may contain only letters, digits, spaces and _ - . / :');
  if (key.startsWith('/') || key.endsWith('/') || key.includes('//'))
    throw fail("must not start or end with '/' or contain '//'");
  if (key.split('/').some((part) => part === '.' || part === '..'))
    throw fail("must not contain '.' or '..' segments");
}

export function checkEntryCount(kind: 'param' | 'tag', entries: Readonly<Record<string, unknown>>): void {
  const count = Object.keys(entries).length;
  if (count > MAX_ENTRIES_PER_CALL) {
    throw new InvalidError(`one call sets at most ${MAX_ENTRIES_PER_CALL} ${kind}s, got ${count}`, {
      field: `${kind}s`,
      limit: MAX_ENTRIES_PER_CALL,
    });
  }
}

export function checkValue(kind: 'param' | 'tag', key: string, value: string): void {
  const max = kind === 'param' ? MAX_PARAM_VALUE_LENGTH : MAX_TAG_VALUE_LENGTH;
  if (value.length > max) {
    throw new InvalidError(`${kind} '${key}' value must be at most ${max} characters, got ${value.length}`, {
      field: `${kind}.value`,
      key,
    });
  }
}

export type ParamValue = string | number | boolean;

/** Params are stored as strings, as every tracking tool does; numbers keep their JS spelling. */
export function paramToString(value: ParamValue): string {
  return typeof value === 'string' ? value : String(value);
}

export function checkGitCommit(value: string): void {
  if (!/^[0-9a-f]{7,64}$/i.test(value)) {
    throw new InvalidError(`gitCommit must be 7 to 64 hex characters, got '${value}'`, {
      field: 'gitCommit',
      value,
    });
  }
}
