/**
 * Schema and profile of a Parquet file in three queries, whatever the column count: one aggregate
 * over every column (counts, distincts, moments, quantiles, ranges), one for every numeric
 * histogram, one for every top-categories list. Small files get exact distincts and quantiles;
 * above EXACT_MAX_ROWS they are estimated (HyperLogLog, a 65,536-value reservoir) and flagged.
 * NaN and ±Infinity are left out of numeric statistics and counted in `nonFinite`.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { canBeNonFinite, logicalTypeOf } from './column-types.js';
import type {
  CategoryCount,
  ColumnProfile,
  ColumnSchema,
  DatasetProfile,
  Histogram,
  LogicalType,
  NumericSummary,
} from './entities.js';
import { describe } from './file-reader.js';
import { aggregateScale, doubleLiteral, ident, literal, scaledAggregate } from './sql.js';

export const EXACT_MAX_ROWS = 500_000;
export const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;
export const HISTOGRAM_BINS = 20;
export const TOP_CATEGORIES = 10;
const RESERVOIR_SIZE = 65_536;

export interface ProfiledFile {
  readonly columns: readonly ColumnSchema[];
  readonly profile: DatasetProfile;
}

interface Column {
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

type Row = Record<string, unknown>;

export async function profileParquet(connection: DuckDBConnection, path: string): Promise<ProfiledFile> {
  const relation = `read_parquet(${literal(path)})`;
  const columns: Column[] = (await describe(connection, relation)).map((column, index) => ({
    index,
    name: column.name,
    physicalType: column.type,
    type: logicalTypeOf(column.type),
    sql: ident(column.name),
    nonFinite: false,
    numeric: ident(column.name),
    scale: 1,
  }));
  const rowCount = Number(
    (await connection.runAndReadAll(`SELECT count(*) FROM ${relation}`)).getRowsJS()[0]![0],
  );
  const exact = rowCount <= EXACT_MAX_ROWS;
  await markNonFinite(connection, relation, columns);
  const stats = rowCount === 0 ? {} : await aggregate(connection, relation, columns, exact);
  const numeric = columns.filter((c) => c.type === 'integer' || c.type === 'float');
  const histograms = await histogramsOf(connection, relation, numeric, stats);
  const tops = await topCategories(
    connection,
    relation,
    columns.filter((c) => c.type === 'string' || c.type === 'boolean'),
  );

  const profiles: ColumnProfile[] = columns.map((column) => {
    const key = (what: string) => stats[`c${column.index}_${what}`];
    const nonNull = toNumber(key('n')) ?? 0;
    const base = {
      name: column.name,
      type: column.type,
      count: rowCount,
      nullCount: rowCount - nonNull,
      // HyperLogLog can overshoot a little; never claim more distinct values than values.
      distinct: Math.min(toNumber(key('distinct')) ?? 0, nonNull),
      distinctApproximate: !exact,
    };
    if (column.type === 'integer' || column.type === 'float') {
      const summary = numericSummary(column, stats, exact, histograms.get(column.index));
      return summary === undefined ? base : { ...base, numeric: summary };
    }
    if (column.type === 'timestamp') {
      const min = key('tmin');
      const max = key('tmax');
      return typeof min === 'string' && typeof max === 'string' ? { ...base, temporal: { min, max } } : base;
    }
    return { ...base, top: tops.get(column.index) ?? [] };
  });
  return {
    columns: columns.map((column, i) => ({
      name: column.name,
      type: column.type,
      nullable: profiles[i]!.nullCount > 0,
      physicalType: column.physicalType,
    })),
    profile: { rowCount, columns: profiles },
  };
}

/**
 * NaN sorts above every number and ±Infinity are the extremes, so a float column holds non-finite
 * values exactly when its min or max is one. Only those columns (rare) then read through a CASE that
 * turns them into NULL: doing that, or a FILTER clause, for every float column makes profiling
 * several times slower.
 */
async function markNonFinite(
  connection: DuckDBConnection,
  relation: string,
  columns: Column[],
): Promise<void> {
  const floats = columns.filter((column) => canBeNonFinite(column.physicalType));
  if (floats.length === 0) return;
  const parts = floats.map(
    (column) => `min(${column.sql}) AS a${column.index}, max(${column.sql}) AS b${column.index}`,
  );
  const row = await first(connection, `SELECT ${parts.join(', ')} FROM ${relation}`);
  const unbounded: Column[] = [];
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

async function aggregate(
  connection: DuckDBConnection,
  relation: string,
  columns: readonly Column[],
  exact: boolean,
): Promise<Row> {
  return first(
    connection,
    `SELECT ${aggregates(columns, exact).join(', ')} FROM ${withFiniteColumns(relation, columns)}`,
  );
}

function aggregates(columns: readonly Column[], exact: boolean): string[] {
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

/**
 * The relation plus, for each float column, a copy holding only its finite values (NaN and ±Infinity
 * become NULL), which the numeric statistics read. A FILTER clause on each aggregate would do the
 * same four times slower.
 */
function withFiniteColumns(relation: string, columns: readonly Column[]): string {
  const extra = columns
    .filter((column) => column.nonFinite)
    .map((column) => `, CASE WHEN isfinite(${column.sql}) THEN ${column.sql} END AS ${column.numeric}`)
    .join('');
  return extra === '' ? relation : `(SELECT *${extra} FROM ${relation})`;
}

/** count (of finite values), min, max, mean, std and quantiles of the numeric expression `x`. */
function moments(column: Column, x: string, exact: boolean): string[] {
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

async function first(connection: DuckDBConnection, sql: string): Promise<Row> {
  return (await connection.runAndReadAll(sql)).getRowObjectsJS()[0] as Row;
}

/**
 * Bin edges: 20 equal-width bins from min to max; integer columns spanning fewer than 20 values get
 * one bin per value (edges min, min+1, …, max+1).
 */
function edgesOf(column: Column, min: number, max: number): number[] {
  if (column.type === 'integer' && max - min < HISTOGRAM_BINS) {
    return Array.from({ length: max - min + 2 }, (_, i) => min + i);
  }
  if (min === max) return [min, max];
  const width = (max - min) / HISTOGRAM_BINS;
  if (!Number.isFinite(width)) {
    // max - min overflows (e.g. -1e308 to 1e308): interpolate, which never leaves [min, max].
    return Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) =>
      i === HISTOGRAM_BINS ? max : min * (1 - i / HISTOGRAM_BINS) + max * (i / HISTOGRAM_BINS),
    );
  }
  return Array.from({ length: HISTOGRAM_BINS + 1 }, (_, i) => (i === HISTOGRAM_BINS ? max : min + i * width));
}

/**
 * DuckDB's binned histogram(x, boundaries) counts x in (b[i-1], b[i]]; our bins are [e[i], e[i+1]),
 * the last closed. Upper boundaries just below each inner edge (the next smaller double) and `max`
 * for the last bin make the two agree exactly.
 */
function boundariesOf(edges: readonly number[]): number[] {
  const inner = edges.slice(1, -1).map(nextDown);
  return [...inner, edges.at(-1)!];
}

async function histogramsOf(
  connection: DuckDBConnection,
  relation: string,
  columns: readonly Column[],
  stats: Row,
): Promise<Map<number, Histogram>> {
  const result = new Map<number, Histogram>();
  const parts: string[] = [];
  const planned: { column: Column; edges: number[]; boundaries: number[] }[] = [];
  for (const column of columns) {
    const min = toNumber(stats[`c${column.index}_min`]);
    const max = toNumber(stats[`c${column.index}_max`]);
    if (min === undefined || max === undefined) continue;
    const edges = edgesOf(column, min, max);
    const boundaries = boundariesOf(edges);
    planned.push({ column, edges, boundaries });
    parts.push(
      `histogram(${column.numeric}::DOUBLE, [${boundaries.map(doubleLiteral).join(', ')}]) AS h${column.index}`,
    );
  }
  if (parts.length === 0) return result;
  const row = await first(
    connection,
    `SELECT ${parts.join(', ')} FROM ${withFiniteColumns(relation, columns)}`,
  );
  for (const { column, edges, boundaries } of planned) {
    const bin = new Map(boundaries.map((boundary, i) => [boundary, i]));
    const counts = new Array<number>(edges.length - 1).fill(0);
    for (const entry of (row[`h${column.index}`] ?? []) as { key: unknown; value: unknown }[]) {
      const i = bin.get(Number(entry.key));
      if (i !== undefined) counts[i] = Number(entry.value);
    }
    result.set(column.index, { edges, counts });
  }
  return result;
}

/** The largest double below `value` (finite, non-zero-crossing cases are all that edges need). */
function nextDown(value: number): number {
  if (value === 0) return -Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, value > 0 ? bits - 1n : bits + 1n);
  return view.getFloat64(0);
}

async function topCategories(
  connection: DuckDBConnection,
  relation: string,
  columns: readonly Column[],
): Promise<Map<number, CategoryCount[]>> {
  const result = new Map<number, CategoryCount[]>();
  if (columns.length === 0) return result;
  const branches = columns.map(
    (column) =>
      `(SELECT ${column.index} AS i, v, c FROM (SELECT ${column.sql}::VARCHAR AS v, count(*) AS c FROM ${relation} WHERE ${column.sql} IS NOT NULL GROUP BY 1 ORDER BY c DESC, v LIMIT ${TOP_CATEGORIES}))`,
  );
  const reader = await connection.runAndReadAll(`${branches.join(' UNION ALL ')} ORDER BY i, c DESC, v`);
  for (const [index, value, count] of reader.getRowsJS()) {
    const list = result.get(Number(index)) ?? [];
    list.push({ value: String(value), count: Number(count) });
    result.set(Number(index), list);
  }
  return result;
}

function numericSummary(
  column: Column,
  stats: Row,
  exact: boolean,
  histogram: Histogram | undefined,
): NumericSummary | undefined {
  const key = (what: string) => stats[`c${column.index}_${what}`];
  const min = toNumber(key('min'));
  const max = toNumber(key('max'));
  const mean = toNumber(key('mean'));
  if (min === undefined || max === undefined || mean === undefined || histogram === undefined)
    return undefined;
  const values = (key('q') ?? []) as unknown[];
  const quantiles: Record<string, number> = {};
  QUANTILES.forEach((q, i) => {
    const value = toNumber(values[i]);
    if (value !== undefined) quantiles[String(q)] = value;
  });
  const nonFinite = (toNumber(key('n')) ?? 0) - (toNumber(key('finite')) ?? 0);
  return {
    min,
    max,
    mean,
    std: toNumber(key('std')) ?? 0,
    quantiles,
    quantilesApproximate: !exact,
    histogram,
    ...(nonFinite > 0 ? { nonFinite } : {}),
  };
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}
