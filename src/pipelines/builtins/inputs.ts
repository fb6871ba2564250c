/**
 * Checks a built-in's resolved inputs against its schema before any service is called. The engine
 * checks the declared types of references, but constants and params can still surprise, so every
 * kind reads its inputs through these and a wrong value is an InvalidError naming `inputs.<name>`.
 */
import { InvalidError } from '../../core/errors.js';
import { parseReference } from '../../core/references.js';
import { BUILTIN_SCHEMAS, type JsonValue } from '../definition/index.js';
import type { BuiltinInvocation } from './types.js';

export type BuiltinInputs = BuiltinInvocation['inputs'];

/** Inputs the schema does not declare are refused (a typo would otherwise be silently ignored). */
export function checkInputNames(kind: BuiltinInvocation['kind'], inputs: BuiltinInputs): void {
  const declared = Object.keys(BUILTIN_SCHEMAS[kind].inputs);
  for (const name of Object.keys(inputs)) {
    if (!declared.includes(name)) {
      throw new InvalidError(
        `inputs.${name}: ${kind} has no such input; its inputs are ${declared.join(', ')}`,
        {
          field: `inputs.${name}`,
        },
      );
    }
  }
}

export function requiredString(inputs: BuiltinInputs, name: string): string {
  const value = optionalString(inputs, name);
  if (value === undefined) throw missing(name, 'a string');
  return value;
}

export function optionalString(inputs: BuiltinInputs, name: string): string | undefined {
  const value = present(inputs, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw wrongType(name, 'a non-empty string', value);
  return value.trim();
}

export function optionalInteger(inputs: BuiltinInputs, name: string, min = 1): number | undefined {
  const value = present(inputs, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw wrongType(name, `a whole number from ${min}`, value);
  }
  return value;
}

export function optionalNumber(inputs: BuiltinInputs, name: string): number | undefined {
  const value = present(inputs, name);
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw wrongType(name, 'a number above 0', value);
  }
  return value;
}

/** A dataset or model reference (`churn@3`, `churn@champion`; a bare name means its latest version). */
export function requiredReference(inputs: BuiltinInputs, name: string, what: 'dataset' | 'model'): string {
  const value = present(inputs, name);
  if (typeof value !== 'string' || value.trim() === '') {
    if (value === undefined) throw missing(name, `a ${what} reference such as churn@3`);
    throw wrongType(name, `a ${what} reference such as churn@3`, value);
  }
  parseReference(`inputs.${name}`, value, { defaultAlias: 'latest' });
  return value.trim();
}

export function requiredJson(inputs: BuiltinInputs, name: string): JsonValue {
  const value = present(inputs, name);
  if (value === undefined) throw missing(name, 'a JSON value');
  return value;
}

export function optionalJson(inputs: BuiltinInputs, name: string): JsonValue | undefined {
  return present(inputs, name);
}

/** null counts as absent: a param left empty should not read as a value. */
function present(inputs: BuiltinInputs, name: string): JsonValue | undefined {
  if (!Object.hasOwn(inputs, name)) return undefined;
  const value = inputs[name];
  return value === null ? undefined : value;
}

function missing(name: string, expected: string): InvalidError {
  return new InvalidError(`inputs.${name} is required: expected ${expected}`, { field: `inputs.${name}` });
}

export function wrongType(name: string, expected: string, value: JsonValue): InvalidError {
  return new InvalidError(`inputs.${name} must be ${expected}, got ${describe(value)}`, {
    field: `inputs.${name}`,
    value,
  });
}

function describe(value: JsonValue): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}
