/**
 * What the profiler's queries share: a column as they see it (its SQL, and how its finite values are
 * read), the relation with finite-only copies of float columns, and reading one result row.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LogicalType } from './entities.js';

export interface ProfileColumn {
  readonly index: number;
  readonly name: string;
  readonly physicalType: string;
  readonly type: LogicalType;
  /** The column as SQL. */
  readonly sql: string;
  /** Float columns holding NaN or ±Infinity (found by markNonFinite), which statistics leave out. */
  nonFinite: boolean;
  /** The column's finite values as SQL: the column itself unless it holds NaN or ±Infinity. */
  numeric: string;
  /** For the mean and deviation: 1 unless the values are so large that their sums overflow a double. */
  scale: number;
}

export type Row = Record<string, unknown>;

/**
 * The relation plus, for each float column, a copy holding only its finite values (NaN and ±Infinity
 * become NULL), which the numeric statistics read. A FILTER clause on each aggregate would do the
 * same four times slower.
 */
export function withFiniteColumns(relation: string, columns: readonly ProfileColumn[]): string {
  const extra = columns
    .filter((column) => column.nonFinite)
    .map((column) => `, CASE WHEN isfinite(${column.sql}) THEN ${column.sql} END AS ${column.numeric}`)
    .join('');
  return extra === '' ? relation : `(SELECT *${extra} FROM ${relation})`;
}

export async function first(connection: DuckDBConnection, sql: string): Promise<Row> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS()[0] as Row;
}

export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}
