/**
 * Small readers for untrusted input: each checks one shape (object with known fields, string,
 * bounded integer, name) and records a problem at the exact path instead of throwing.
 */
import { InvalidError } from '../../core/errors.js';
import { normaliseName } from '../../core/names.js';
import type { Path, Problems } from './problems.js';
import type { JsonValue } from './types.js';

export type RawObject = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is RawObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** An object with only `allowed` fields and all `required` ones; problems name each field. */
export function readObject(
  value: unknown,
  path: Path,
  allowed: readonly string[],
  required: readonly string[],
  problems: Problems,
): RawObject | undefined {
  if (!isObject(value)) {
    problems.add(path, `must be an object, got ${describeValue(value)}`);
    return undefined;
  }
  for (const key of Object.keys(value))
    if (!allowed.includes(key))
      problems.add([...path, key], `unknown field '${key}' (allowed: ${allowed.join(', ')})`);
  for (const key of required)
    if (value[key] === undefined) problems.add([...path, key], 'required field is missing');
  return value;
}

export function readString(
  value: unknown,
  path: Path,
  problems: Problems,
  nonEmpty = true,
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') problems.add(path, `must be a string, got ${describeValue(value)}`);
  else if (nonEmpty && value.trim() === '') problems.add(path, 'must not be empty');
  else return value;
  return undefined;
}

export function readInteger(
  value: unknown,
  path: Path,
  [min, max]: readonly [number, number],
  problems: Problems,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.add(path, `must be a whole number from ${min} to ${max}, got ${describeValue(value)}`);
    return undefined;
  }
  return value;
}

export function readBoolean(value: unknown, path: Path, problems: Problems): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  problems.add(path, `must be true or false, got ${describeValue(value)}`);
  return undefined;
}

/** A resource name under the project's rules (lower-cased like every other Slipway name). */
export function readName(value: unknown, path: Path, problems: Problems): string | undefined {
  if (typeof value !== 'string') {
    problems.add(path, `must be a name, got ${describeValue(value)}`);
    return undefined;
  }
  try {
    return normaliseName('name', value);
  } catch (error) {
    if (!(error instanceof InvalidError)) throw error;
    problems.add(path, error.message.replace(/^name /, ''));
    return undefined;
  }
}

/**
 * A name that appears inside reference paths (step, param, output, input): the project's name
 * rules, but already lower case and without '.', which separates the parts of `steps.a.outputs.b`.
 */
export function readIdentifier(value: unknown, path: Path, problems: Problems): string | undefined {
  if (typeof value === 'string' && value.includes('.')) {
    problems.add(path, `must not contain '.' (it separates the parts of a reference), got '${value}'`);
    return undefined;
  }
  if (typeof value === 'string' && value !== value.trim().toLowerCase()) {
    problems.add(path, `must be lower case without surrounding spaces, got '${value}'`);
    return undefined;
  }
  return readName(value, path, problems);
}

export function readStringList(value: unknown, path: Path, problems: Problems): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    problems.add(path, `must be a list of strings, got ${describeValue(value)}`);
    return undefined;
  }
  const strings: string[] = [];
  value.forEach((element, i) => {
    const text = readString(element, [...path, i], problems);
    if (text !== undefined) strings.push(text);
  });
  return strings;
}

/** Plain JSON (what YAML and JSON can express); functions, undefined and the like are not. */
export function isJsonValue(value: unknown): value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  if (isObject(value)) return Object.values(value).every(isJsonValue);
  return false;
}
