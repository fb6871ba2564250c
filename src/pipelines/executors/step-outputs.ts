/**
 * Checks what a step answered against the outputs it declared: every declared output present, of
 * its type, and nothing undeclared (a typo in an output name would otherwise pass silently and fail
 * a later step with a confusing message).
 */
import { isAbsolute, join } from 'node:path';
import { parseReference } from '../../core/references.js';
import { type JsonValue, type OutputType, valueMatchesType } from '../definition/index.js';
import { StepFailure } from './step-failure.js';

export function checkOutputs(
  declared: Readonly<Record<string, OutputType>>,
  answered: unknown,
  outputDir: string,
): Record<string, JsonValue> {
  const values = (answered ?? {}) as Record<string, JsonValue>;
  if (typeof values !== 'object' || Array.isArray(values)) {
    throw new StepFailure(
      'OUTPUT_INVALID',
      `the step must answer an object of outputs, got ${kindOf(answered)}`,
    );
  }
  const problems: string[] = [];
  for (const name of Object.keys(values)) {
    if (!Object.hasOwn(declared, name)) problems.push(`'${name}' is not a declared output`);
  }
  const checked: Record<string, JsonValue> = {};
  for (const [name, type] of Object.entries(declared)) {
    const value = values[name];
    if (type === 'file') {
      // A file output may be answered as a path, or simply written as outputs/<name>.
      const path = value === undefined ? name : value;
      if (typeof path !== 'string' || path === '') {
        problems.push(`output '${name}' must be a file path, got ${kindOf(value)}`);
        continue;
      }
      checked[name] = isAbsolute(path) ? path : join(outputDir, path);
      continue;
    }
    if (value === undefined) {
      problems.push(`output '${name}' (${type}) is missing`);
      continue;
    }
    if (!fits(type, value)) problems.push(`output '${name}' must be ${describe(type)}, got ${kindOf(value)}`);
    else checked[name] = value;
  }
  if (problems.length > 0) throw new StepFailure('OUTPUT_INVALID', problems.join('; '));
  return checked;
}

function fits(type: Exclude<OutputType, 'file'>, value: JsonValue): boolean {
  if (type === 'dataset' || type === 'model') return typeof value === 'string' && isVersionReference(value);
  // JSON has no NaN or Infinity: a number output must be finite to be stored as it was answered.
  if (typeof value === 'number' && !Number.isFinite(value)) return false;
  return valueMatchesType(type, value);
}

function isVersionReference(text: string): boolean {
  try {
    return parseReference('output', text).version !== undefined;
  } catch {
    return false;
  }
}

function describe(type: OutputType): string {
  if (type === 'dataset' || type === 'model') return `a ${type} version reference such as 'churn@3'`;
  return type === 'json' ? 'JSON' : `a ${type}`;
}

function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}
