/**
 * A run's params: every declared param gets a value (given, else its default), each of its declared
 * type. Text is accepted for typed params (`--param threshold=0.9`, a webhook's query) and converted,
 * so the CLI and webhooks need not know the types; anything else that does not fit is refused.
 */
import { InvalidError } from '../core/errors.js';
import { type JsonValue, type ParamType, type Pipeline, valueMatchesType } from './definition/index.js';

export function resolveRunParams(
  pipeline: Pipeline,
  given: Readonly<Record<string, unknown>>,
): Record<string, JsonValue> {
  const problems: string[] = [];
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(pipeline.params, name)) {
      const known = Object.keys(pipeline.params);
      problems.push(
        `params.${name}: pipeline '${pipeline.name}' has no such param (it has ${known.length === 0 ? 'none' : known.join(', ')})`,
      );
    }
  }
  const values: Record<string, JsonValue> = {};
  for (const [name, spec] of Object.entries(pipeline.params)) {
    if (Object.hasOwn(given, name) && given[name] !== undefined) {
      const value = coerceParam(spec.type, given[name]);
      if (value === undefined)
        problems.push(`params.${name}: expected ${describeType(spec.type)}, got ${show(given[name])}`);
      else values[name] = value;
    } else if (spec.default !== undefined) {
      values[name] = spec.default;
    } else {
      problems.push(`params.${name}: required (it has no default)`);
    }
  }
  if (problems.length > 0) {
    const field = problems[0]!.slice(0, problems[0]!.indexOf(':'));
    throw new InvalidError(problems.join('; '), { field, problems });
  }
  return values;
}

/** The value as the param's type, or undefined when it cannot be one. */
function coerceParam(type: ParamType, value: unknown): JsonValue | undefined {
  if (typeof value === 'string' && type !== 'string') {
    const parsed = parseText(type, value);
    return parsed !== undefined && valueMatchesType(type, parsed) ? parsed : undefined;
  }
  return isJson(value) && valueMatchesType(type, value) ? value : undefined;
}

function parseText(type: ParamType, text: string): JsonValue | undefined {
  if (type === 'number' || type === 'integer') {
    const number = text.trim() === '' ? Number.NaN : Number(text);
    return Number.isFinite(number) ? number : undefined;
  }
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : undefined;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    // A json param may be plain text; a list must be a JSON array.
    return type === 'json' ? text : undefined;
  }
}

function isJson(value: unknown): value is JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJson);
  if (typeof value === 'object') return Object.values(value).every(isJson);
  return false;
}

function describeType(type: ParamType): string {
  return type === 'list' ? 'a list (JSON array)' : type === 'json' ? 'any JSON value' : `a ${type}`;
}

function show(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : (JSON.stringify(value) ?? String(value));
}
