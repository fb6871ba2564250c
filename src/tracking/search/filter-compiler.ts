/**
 * Turns a parsed filter into SQL over `runs`. Metrics, params and tags are matched with EXISTS on
 * their tables (metrics against each run's latest value), so `and`, `or` and `not` compose exactly;
 * a comparison on a key the run does not have is false. NaN metrics match no comparison.
 */
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import { InvalidError } from '../../core/errors.js';
import type { Tables } from '../../store/tables.js';
import { RUN_STATUSES } from '../entities.js';
import type { Attribute, CompareOp, Field, Filter, Literal, OrderTerm } from './filter-ast.js';

type RunsBuilder = ExpressionBuilder<Tables, 'runs'>;
type Condition = Expression<SqlBool>;

const NUMERIC_OPS: readonly CompareOp[] = ['=', '!=', '<', '<=', '>', '>='];
const TEXT_OPS: readonly CompareOp[] = ['=', '!=', 'like', 'ilike'];
const TIME_ATTRIBUTES: readonly Attribute[] = ['start_time', 'end_time'];

export function compileFilter(eb: RunsBuilder, filter: Filter): Condition {
  switch (filter.kind) {
    case 'and':
      return eb.and(filter.items.map((item) => compileFilter(eb, item)));
    case 'or':
      return eb.or(filter.items.map((item) => compileFilter(eb, item)));
    case 'not':
      return eb.not(compileFilter(eb, filter.item));
    case 'present':
      return compilePresent(eb, filter.field, filter.present);
    case 'in':
      return compileIn(eb, filter.field, filter.values, filter.negated);
    case 'compare':
      return compileCompare(eb, filter.field, filter.op, filter.value);
  }
}

/** ORDER BY expression for a term: the latest metric value, the param or tag value, or an attribute. */
export function orderExpression(field: Field): Expression<unknown> {
  switch (field.entity) {
    case 'metric':
      return sql`(select m.value from latest_metrics m where m.run_seq = runs.seq and m.key = ${field.key})`;
    case 'param':
      return sql`(select p.value from run_params p where p.run_seq = runs.seq and p.key = ${field.key})`;
    case 'tag':
      return sql`(select t.value from run_tags t where t.run_seq = runs.seq and t.key = ${field.key})`;
    case 'attribute':
      return sql.ref(`runs.${field.name}`);
  }
}

export function describeOrder(term: OrderTerm): string {
  return `${fieldName(term.field)} ${term.descending ? 'desc' : 'asc'}`;
}

function compileCompare(eb: RunsBuilder, field: Field, op: CompareOp, value: Literal): Condition {
  switch (field.entity) {
    case 'metric': {
      requireOp(field, op, NUMERIC_OPS, 'metrics compare as numbers');
      if (typeof value !== 'number')
        throw invalid(`${fieldName(field)} ${op} needs a number, got '${value}'`);
      return existsIn(eb, 'latest_metrics', field.key, (m) => m('value', sqlOp(op), value));
    }
    case 'param':
    case 'tag': {
      requireOp(field, op, TEXT_OPS, `${field.entity}s are text`);
      const text = String(value);
      const table = field.entity === 'param' ? 'run_params' : 'run_tags';
      return existsIn(eb, table, field.key, () => textCondition(`${table}.value`, op, text));
    }
    case 'attribute':
      return compileAttribute(eb, field.name, op, value);
  }
}

function compileAttribute(eb: RunsBuilder, name: Attribute, op: CompareOp, value: Literal): Condition {
  const column = `runs.${name}` as const;
  if (TIME_ATTRIBUTES.includes(name)) {
    requireOp(
      { entity: 'attribute', name },
      op,
      NUMERIC_OPS,
      'times compare as epoch milliseconds or ISO times',
    );
    return eb(column, sqlOp(op), toEpoch(name, value));
  }
  requireOp({ entity: 'attribute', name }, op, TEXT_OPS, `${name} is text`);
  const text = String(value);
  if (name === 'status' && (op === '=' || op === '!=')) checkStatus(text);
  return textCondition(column, op, text);
}

function compileIn(eb: RunsBuilder, field: Field, values: readonly Literal[], negated: boolean): Condition {
  const op = negated ? 'not in' : 'in';
  if (field.entity === 'metric') {
    const numbers = values.map((value) => {
      if (typeof value !== 'number')
        throw invalid(`${fieldName(field)} in (...) needs numbers, got '${value}'`);
      return value;
    });
    return existsIn(eb, 'latest_metrics', field.key, (m) => m('value', op, numbers));
  }
  if (field.entity === 'attribute') {
    const column = `runs.${field.name}` as const;
    if (TIME_ATTRIBUTES.includes(field.name))
      return eb(
        column,
        op,
        values.map((value) => toEpoch(field.name, value)),
      );
    const texts = values.map(String);
    if (field.name === 'status') texts.forEach(checkStatus);
    return eb(column, op, texts);
  }
  const table = field.entity === 'param' ? 'run_params' : 'run_tags';
  return existsIn(eb, table, field.key, (kv) => kv('value', op, values.map(String)));
}

function compilePresent(eb: RunsBuilder, field: Field, present: boolean): Condition {
  if (field.entity === 'attribute') {
    return present ? eb(`runs.${field.name}`, 'is not', null) : eb(`runs.${field.name}`, 'is', null);
  }
  const table =
    field.entity === 'metric' ? 'latest_metrics' : field.entity === 'param' ? 'run_params' : 'run_tags';
  const exists = existsIn(eb, table, field.key, () => sql<SqlBool>`1 = 1`);
  return present ? exists : eb.not(exists);
}

type KeyedTable = 'latest_metrics' | 'run_params' | 'run_tags';

function existsIn<T extends KeyedTable>(
  eb: RunsBuilder,
  table: T,
  key: string,
  condition: (inner: ExpressionBuilder<Tables, T>) => Condition,
): Condition {
  return eb.exists(
    eb
      .selectFrom(table as KeyedTable)
      .select(sql.lit(1).as('one'))
      .whereRef(`${table as KeyedTable}.run_seq`, '=', 'runs.seq')
      .where(`${table as KeyedTable}.key`, '=', key)
      .where((inner) => condition(inner as unknown as ExpressionBuilder<Tables, T>)),
  );
}

function textCondition(column: string, op: CompareOp, text: string): Condition {
  const ref = sql.ref(column);
  switch (op) {
    case 'ilike':
      return sql<SqlBool>`lower(${ref}) like lower(${text})`;
    case 'like':
      return sql<SqlBool>`${ref} like ${text}`;
    default:
      return sql<SqlBool>`${ref} ${sql.raw(sqlOp(op))} ${text}`;
  }
}

function sqlOp(op: CompareOp): '=' | '<>' | '<' | '<=' | '>' | '>=' {
  if (op === '!=') return '<>';
  if (op === 'like' || op === 'ilike') throw invalid(`${op} is not a numeric comparison`);
  return op;
}

function requireOp(field: Field, op: CompareOp, allowed: readonly CompareOp[], why: string): void {
  if (!allowed.includes(op))
    throw invalid(`${fieldName(field)} does not support '${op}' (${why}; use ${allowed.join(', ')})`);
}

function toEpoch(name: Attribute, value: Literal): number {
  if (typeof value === 'number') return value;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw invalid(`${name} needs epoch milliseconds or an ISO time, got '${value}'`);
  return time;
}

function checkStatus(value: string): void {
  if (!(RUN_STATUSES as readonly string[]).includes(value)) {
    throw invalid(`status must be one of ${RUN_STATUSES.join(', ')}, got '${value}'`);
  }
}

function fieldName(field: Field): string {
  return field.entity === 'attribute' ? field.name : `${field.entity}s.${field.key}`;
}

function invalid(message: string): InvalidError {
  return new InvalidError(`filter: ${message}`, {}, 'INVALID_FILTER');
}
