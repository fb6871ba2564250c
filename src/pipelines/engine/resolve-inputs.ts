/**
 * Turns a step's parsed inputs into values for one attempt: references are replaced by params,
 * upstream outputs or the foreach item; templates interpolate them as text (strings as they are,
 * anything else as JSON), exactly as a user reading `--threshold=${{ params.t }}` would expect.
 */
import { InvalidError } from '../../core/errors.js';
import type { InputValue, JsonValue, Reference } from '../definition/index.js';

export interface ValueScope {
  readonly params: Readonly<Record<string, JsonValue>>;
  /** Outputs of the steps finished so far, by step name. */
  readonly outputs: ReadonlyMap<string, Readonly<Record<string, JsonValue>>>;
  readonly item?: JsonValue;
}

export function resolveValue(value: InputValue, scope: ValueScope): JsonValue {
  switch (value.kind) {
    case 'const':
      return value.value;
    case 'ref':
      return lookup(value.ref, scope);
    case 'template':
      return value.parts
        .map((part) => {
          if (typeof part === 'string') return part;
          const resolved = lookup(part, scope);
          return typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
        })
        .join('');
  }
}

export function resolveAll(
  values: Readonly<Record<string, InputValue>>,
  scope: ValueScope,
): Record<string, JsonValue> {
  const resolved: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(values)) resolved[name] = resolveValue(value, scope);
  return resolved;
}

function lookup(ref: Reference, scope: ValueScope): JsonValue {
  switch (ref.source) {
    case 'param': {
      if (!Object.hasOwn(scope.params, ref.name)) throw missing(ref);
      return scope.params[ref.name]!;
    }
    case 'item':
      if (scope.item === undefined) throw missing(ref);
      return scope.item;
    case 'step': {
      const outputs = scope.outputs.get(ref.step);
      if (outputs === undefined || !Object.hasOwn(outputs, ref.output)) throw missing(ref);
      return outputs[ref.output]!;
    }
  }
}

function missing(ref: Reference): InvalidError {
  return new InvalidError(`\${{ ${ref.path} }} has no value in this run`, { field: ref.path });
}

/** The values a `when` or gate expression may read: params, finished steps' outputs, the item. */
export function expressionScope(scope: ValueScope): {
  params: Readonly<Record<string, JsonValue>>;
  steps: Readonly<Record<string, Readonly<Record<string, JsonValue>>>>;
  item?: JsonValue;
} {
  return {
    params: scope.params,
    steps: Object.fromEntries(scope.outputs),
    ...(scope.item === undefined ? {} : { item: scope.item }),
  };
}
