/**
 * Evaluates a parsed expression against a run's values with strict semantics: && || ! take booleans,
 * < <= > >= compare two numbers or two strings, == != compare values of one type (or null), and a
 * path the context lacks is an error naming it. Nothing is coerced, so a typo cannot pass a gate.
 */
import { InvalidError } from '../../core/errors.js';
import type { Expression, Reference } from './types.js';

export interface ExpressionContext {
  readonly params?: Readonly<Record<string, unknown>>;
  readonly steps?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The current element, inside a foreach step. */
  readonly item?: unknown;
}

type Scalar = string | number | boolean | null;

export function evaluateExpression(ast: Expression, context: ExpressionContext): Scalar {
  switch (ast.type) {
    case 'literal':
      return ast.value;
    case 'path':
      return resolve(ast.ref, ast.column, context);
    case 'not':
      return !boolean(evaluateExpression(ast.operand, context), '!', ast.column);
    case 'binary': {
      const { operator, column } = ast;
      if (operator === '&&' || operator === '||') {
        const left = boolean(evaluateExpression(ast.left, context), operator, column);
        if (operator === '&&' ? !left : left) return left;
        return boolean(evaluateExpression(ast.right, context), operator, column);
      }
      const left = evaluateExpression(ast.left, context);
      const right = evaluateExpression(ast.right, context);
      if (operator === '==' || operator === '!=') {
        if (left !== null && right !== null && typeof left !== typeof right)
          throw failure(
            `cannot compare ${describe(left)} with ${describe(right)} using '${operator}'`,
            column,
          );
        return operator === '==' ? left === right : left !== right;
      }
      const bothNumbers = typeof left === 'number' && typeof right === 'number';
      const bothStrings = typeof left === 'string' && typeof right === 'string';
      if (!bothNumbers && !bothStrings)
        throw failure(
          `'${operator}' needs two numbers or two strings, got ${describe(left)} and ${describe(right)}`,
          column,
        );
      const [a, b] = [left as number | string, right as number | string];
      if (operator === '<') return a < b;
      if (operator === '<=') return a <= b;
      if (operator === '>') return a > b;
      return a >= b;
    }
  }
}

function resolve(ref: Reference, column: number, context: ExpressionContext): Scalar {
  let found: { value: unknown } | undefined;
  if (ref.source === 'item') found = 'item' in context ? { value: context.item } : undefined;
  else if (ref.source === 'param') found = lookup(context.params, ref.name);
  else {
    const outputs = lookup(context.steps, ref.step);
    found = outputs ? lookup(outputs.value as Record<string, unknown>, ref.output) : undefined;
  }
  if (found === undefined || found.value === undefined) throw failure(`${ref.path} has no value`, column);
  const { value } = found;
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value;
  throw failure(
    `${ref.path} is ${Array.isArray(value) ? 'a list' : 'an object'}, not a value to compare`,
    column,
  );
}

function lookup(
  record: Readonly<Record<string, unknown>> | undefined,
  key: string,
): { value: unknown } | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? { value: record[key] } : undefined;
}

function boolean(value: Scalar, operator: string, column: number): boolean {
  if (typeof value !== 'boolean')
    throw failure(`'${operator}' needs booleans, got ${describe(value)}`, column);
  return value;
}

function describe(value: Scalar): string {
  return value === null ? 'null' : `${typeof value} ${JSON.stringify(value)}`;
}

function failure(problem: string, column: number): InvalidError {
  return new InvalidError(`expression, column ${column}: ${problem}`, { field: 'expression', column });
}
