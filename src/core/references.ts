/**
 * References to versioned resources: `churn@3` (a version) or `churn@champion` (an alias). Every API
 * that names a model or dataset version accepts both; responses always state the resolved version.
 */
import { InvalidError } from './errors.js';
import { normaliseName } from './names.js';

/** Alias names: a lower-case letter, then letters, digits and '-'. */
export const ALIAS_PATTERN = /^[a-z][a-z0-9-]{0,63}$/;

export type Reference =
  | { readonly name: string; readonly version: number; readonly alias?: undefined }
  | { readonly name: string; readonly alias: string; readonly version?: undefined };

const MAX_VERSION = 2 ** 31 - 1;

/** Parses `name@N` or `name@alias`; `name` alone is refused unless `defaultAlias` is given. */
export function parseReference(
  field: string,
  raw: string,
  options: { defaultAlias?: string } = {},
): Reference {
  const text = raw.trim();
  const at = text.lastIndexOf('@');
  if (at < 0) {
    if (options.defaultAlias !== undefined)
      return { name: normaliseName(field, text), alias: options.defaultAlias };
    throw invalidReference(field, raw, "must be 'name@version' or 'name@alias'");
  }
  const name = normaliseName(field, text.slice(0, at));
  const selector = text.slice(at + 1).toLowerCase();
  if (/^\d+$/.test(selector)) return { name, version: parseVersionNumber(field, selector, raw) };
  if (ALIAS_PATTERN.test(selector)) return { name, alias: selector };
  throw invalidReference(
    field,
    raw,
    `'${selector}' after '@' is neither a version number nor an alias (a letter, then a-z, 0-9 or '-')`,
  );
}

/** Parses a version number given alone (a path segment, a query value). */
export function parseVersionNumber(field: string, raw: string, whole = raw): number {
  const version = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(version) || version < 1 || version > MAX_VERSION) {
    throw invalidReference(field, whole, `version must be a whole number from 1, got '${raw}'`);
  }
  return version;
}

/** Checks an alias name, saying what is wrong with it. */
export function normaliseAlias(field: string, raw: string): string {
  const alias = raw.trim().toLowerCase();
  if (/^\d+$/.test(alias)) {
    throw new InvalidError(`${field} must not be a number (it would read as a version), got '${raw}'`, {
      field,
      value: raw,
    });
  }
  if (!ALIAS_PATTERN.test(alias)) {
    throw new InvalidError(
      `${field} must start with a letter and contain only a-z, 0-9 and '-' (at most 64 characters), got '${raw}'`,
      { field, value: raw },
    );
  }
  return alias;
}

export function formatReference(name: string, version: number): string {
  return `${name}@${version}`;
}

function invalidReference(field: string, raw: string, problem: string): InvalidError {
  return new InvalidError(`${field} ${problem}, got '${raw}'`, { field, value: raw }, 'INVALID_REFERENCE');
}
