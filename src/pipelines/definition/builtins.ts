/**
 * The one table of built-in step kinds and their fixed input and output schemas. Validation, type
 * checking and the TypeScript autocompletion of `definePipeline` are all derived from it.
 */
import type { BuiltinKind, OutputType } from './types.js';

/** `expression` is a gate's condition: text parsed as an expression, never a reference. */
export type BuiltinInputType = OutputType | 'expression';

export interface BuiltinInputSpec {
  readonly type: BuiltinInputType;
  readonly optional?: true;
}

export interface BuiltinSchema {
  readonly inputs: Readonly<Record<string, BuiltinInputSpec>>;
  readonly outputs: Readonly<Record<string, OutputType>>;
}

export const BUILTIN_SCHEMAS = {
  'dataset.push': {
    inputs: { name: { type: 'string' }, file: { type: 'file' } },
    outputs: { dataset: 'dataset' },
  },
  'dataset.validate': {
    inputs: { dataset: { type: 'dataset' }, expectations: { type: 'json', optional: true } },
    outputs: { passed: 'boolean', report: 'json' },
  },
  train: {
    inputs: {
      dataset: { type: 'dataset' },
      target: { type: 'string' },
      trials: { type: 'integer', optional: true },
      metric: { type: 'string', optional: true },
      timeBudgetSeconds: { type: 'number', optional: true },
      register: { type: 'string', optional: true },
    },
    outputs: { run: 'string', model: 'model', metrics: 'json' },
  },
  'model.register': {
    inputs: { name: { type: 'string' }, run: { type: 'string' }, path: { type: 'string', optional: true } },
    outputs: { model: 'model' },
  },
  'model.evaluate': {
    inputs: { model: { type: 'model' }, dataset: { type: 'dataset' }, target: { type: 'string' } },
    outputs: { metrics: 'json', auc: 'number', accuracy: 'number' },
  },
  'model.alias': {
    inputs: { model: { type: 'model' }, alias: { type: 'string' } },
    outputs: { model: 'model' },
  },
  'deployment.update': {
    inputs: { deployment: { type: 'string' }, routes: { type: 'json' } },
    outputs: { revision: 'integer' },
  },
  gate: {
    inputs: { condition: { type: 'expression' } },
    outputs: { passed: 'boolean' },
  },
} as const satisfies Record<BuiltinKind, BuiltinSchema>;

export function isBuiltinKind(kind: string): kind is BuiltinKind {
  return Object.hasOwn(BUILTIN_SCHEMAS, kind);
}

export function builtinSchema(kind: BuiltinKind): BuiltinSchema {
  return BUILTIN_SCHEMAS[kind];
}
