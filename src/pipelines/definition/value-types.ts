/**
 * Which values may flow where. Step outputs are typed strictly ('integer' fits 'number', 'json' fits
 * and accepts anything, 'dataset'/'model' references fit 'string'); text the user writes — constants,
 * string params, interpolated templates — may also name a dataset, model or file such as `churn@3`.
 */
import type { BuiltinInputType } from './builtins.js';
import type { JsonValue, OutputType, ParamType } from './types.js';

/** The type a constant has as written. */
export function typeOfConstant(value: JsonValue): OutputType {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (Array.isArray(value)) return 'list';
  return 'json';
}

/** Whether a value of type `source` may be given where `target` is expected. */
export function isAssignable(source: OutputType, target: BuiltinInputType, writtenByUser: boolean): boolean {
  if (target === 'expression') return false;
  if (source === target || target === 'json' || source === 'json') return true;
  if (source === 'integer' && target === 'number') return true;
  if ((source === 'dataset' || source === 'model') && target === 'string') return true;
  return (
    writtenByUser && source === 'string' && (target === 'dataset' || target === 'model' || target === 'file')
  );
}

/** Whether a param's default matches its declared type. */
export function defaultMatches(type: ParamType, value: JsonValue): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'list':
      return Array.isArray(value);
    case 'json':
      return true;
  }
}
