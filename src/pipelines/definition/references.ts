/**
 * `${{ params.x }}`, `${{ steps.s.outputs.o }}` and `${{ item }}`: parsing the paths and the strings
 * that hold them, once, into constants, single references (which keep their type) or templates
 * (which interpolate as text).
 */
import type { InputValue, JsonValue, Reference } from './types.js';

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
const PLACEHOLDER = /\$\{\{(.*?)\}\}/g;
const OPENING = '${{';

/** A dotted path as a reference, or why it names nothing a pipeline has. */
export function parseReferencePath(path: string): Reference | { problem: string } {
  const segments = path.split('.');
  if (segments.some((segment) => !SEGMENT.test(segment)))
    return { problem: `'${path}' is not a path such as params.NAME, steps.STEP.outputs.NAME or item` };
  const [scope, ...rest] = segments;
  if (scope === 'item' && rest.length === 0) return { source: 'item', path };
  if (scope === 'params' && rest.length === 1) return { source: 'param', name: rest[0]!, path };
  if (scope === 'steps' && rest.length === 3 && rest[1] === 'outputs')
    return { source: 'step', step: rest[0]!, output: rest[2]!, path };
  if (scope === 'steps' && rest.length === 1)
    return { problem: `'${path}' names a step, not a value; use steps.${rest[0]}.outputs.NAME` };
  return { problem: `'${path}' is not a path such as params.NAME, steps.STEP.outputs.NAME or item` };
}

export function isProblem<T extends object>(value: T | { problem: string }): value is { problem: string } {
  return 'problem' in value;
}

/** An input as written, parsed; strings with `${{ … }}` become references or templates. */
export function parseInputValue(raw: JsonValue): InputValue | { problem: string } {
  if (typeof raw !== 'string') {
    const nested = findNestedPlaceholder(raw);
    if (nested !== undefined)
      return {
        problem: `'${nested}' is inside a list or object; references are allowed only as a whole input value or in a string`,
      };
    return { kind: 'const', value: raw };
  }
  if (!raw.includes(OPENING)) return { kind: 'const', value: raw };
  const parts: (string | Reference)[] = [];
  let last = 0;
  for (const match of raw.matchAll(PLACEHOLDER)) {
    const reference = parseReferencePath(match[1]!.trim());
    if (isProblem(reference)) return reference;
    if (match.index > last) parts.push(raw.slice(last, match.index));
    parts.push(reference);
    last = match.index + match[0].length;
  }
  const tail = raw.slice(last);
  if (tail.includes(OPENING)) return { problem: `'${raw}' has a '\${{' without its closing '}}'` };
  if (tail !== '') parts.push(tail);
  const [only] = parts;
  if (parts.length === 1 && only !== undefined && typeof only !== 'string') return { kind: 'ref', ref: only };
  return { kind: 'template', parts };
}

/** The references an input value uses, in order. */
export function referencesOf(value: InputValue): Reference[] {
  if (value.kind === 'ref') return [value.ref];
  if (value.kind === 'template')
    return value.parts.filter((part): part is Reference => typeof part !== 'string');
  return [];
}

function findNestedPlaceholder(value: JsonValue): string | undefined {
  if (typeof value === 'string') return value.includes(OPENING) ? value : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const element of Array.isArray(value) ? value : Object.values(value)) {
    const found = findNestedPlaceholder(element as JsonValue);
    if (found !== undefined) return found;
  }
  return undefined;
}
