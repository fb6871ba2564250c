/**
 * The profiler's one aggregate over every column (counts, distincts, moments, quantiles, time
 * ranges), and the cheap pass before it that finds float columns holding NaN or ±Infinity and the
 * scale each column's sums need. Exact or estimated (HyperLogLog, a reservoir) as the caller says.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { canBeNonFinite } from './column-types.js';
import { first, type ProfileColumn, type Row, toNumber, withFiniteColumns } from './profile-column.js';
import { aggregateScale, ident, scaledAggregate } from './sql.js';

export const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;
const RESERVOIR_SIZE = 65_536;

/**
 * NaN sorts above every number and ±Infinity are the extremes, so a float column holds non-finite
 * values exactly when its min or max is one. Only those columns (rare) then read through a CASE that
 * turns them into NULL: doing that, or a FILTER clause, for every float column makes profiling
 * several times slower.
 */
export async function markNonFinite(
  connection: DuckDBConnection,
  relation: string,
  columns: ProfileColumn[],
): Promise<void> {
  const floats = columns.filter((column) => canBeNonFinite(column.physicalType));
  if (floats.length === 0) return;
  const parts = floats.map(
    (column) => `min(${column.sql}) AS a${column.index}, max(${column.sql}) AS b${column.index}`,
  );
  const row = await first(connection, `SELECT ${parts.join(', ')} FROM ${relation}`);
  const unbounded: ProfileColumn[] = [];
  for (const column of floats) {
    const min = row[`a${column.index}`];
    const max = row[`b${column.index}`];
    if (isNonFinite(min) || isNonFinite(max)) {
      column.nonFinite = true;
      column.numeric = ident(`slipway.finite.${column.index}`);
      unbounded.push(column);
    } else {
      column.scale = aggregateScale(Math.max(Math.abs(Number(min)), Math.abs(Number(max))));
    }
  }
  // The finite values' range of a column holding NaN or ±Infinity needs a pass of its own (rare).
  if (unbounded.length === 0) return;
  const ranges = await first(
    connection,
    `SELECT ${unbounded.map((c) => `max(abs(${c.sql})) FILTER (WHERE isfinite(${c.sql})) AS m${c.index}`).join(', ')} FROM ${relation}`,
  );
  for (const column of unbounded) column.scale = aggregateScale(toNumber(ranges[`m${column.index}`]));
}

function isNonFinite(value: unknown): boolean {
  return typeof value === 'number' && !Number.isFinite(value);
}

export async function aggregate(
  connection: DuckDBConnection,
  relation: string,
  columns: readonly ProfileColumn[],
  exact: boolean,
): Promise<Row> {
  return first(
    connection,
    `SELECT ${aggregates(columns, exact).join(', ')} FROM ${withFiniteColumns(relation, columns)}`,
  );
}

function aggregates(columns: readonly ProfileColumn[], exact: boolean): string[] {
  const parts: string[] = [];
  for (const column of columns) {
    const c = `c${column.index}`;
    const value =
      column.type === 'string' && column.physicalType !== 'VARCHAR' ? `${column.sql}::VARCHAR` : column.sql;
    parts.push(`count(${column.sql}) AS ${c}_n`);
    parts.push(
      exact
        ? `count(DISTINCT ${value}) AS ${c}_distinct`
        : `approx_count_distinct(${value}) AS ${c}_distinct`,
    );
    if (column.type === 'integer' || column.type === 'float') {
      parts.push(...moments(column, `${column.numeric}::DOUBLE`, exact));
    } else if (column.type === 'timestamp') {
      const iso = (agg: string) => `strftime(${agg}(${column.sql})::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.%gZ')`;
      parts.push(`${iso('min')} AS ${c}_tmin`, `${iso('max')} AS ${c}_tmax`);
    }
  }
  return parts;
}

/** count (of finite values), min, max, mean, std and quantiles of the numeric expression `x`. */
function moments(column: ProfileColumn, x: string, exact: boolean): string[] {
  const c = `c${column.index}`;
  const quantiles = `[${QUANTILES.join(', ')}]`;
  return [
    `count(${x}) AS ${c}_finite`,
    `min(${x}) AS ${c}_min`,
    `max(${x}) AS ${c}_max`,
    `${scaledAggregate('avg', x, column.scale)} AS ${c}_mean`,
    `${scaledAggregate('stddev_samp', x, column.scale)} AS ${c}_std`,
    exact
      ? `quantile_cont(${x}, ${quantiles}) AS ${c}_q`
      : `reservoir_quantile(${x}, ${quantiles}, ${RESERVOIR_SIZE}) AS ${c}_q`,
  ];
}
