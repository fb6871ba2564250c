/**
 * Schema and profile of a Parquet file in three queries, whatever the column count: one aggregate
 * over every column (counts, distincts, moments, quantiles, ranges), one for every numeric
 * histogram, one for every top-categories list. Small files get exact distincts and quantiles;
 * above EXACT_MAX_ROWS they are estimated (HyperLogLog, a 65,536-value reservoir) and flagged.
 * NaN and ±Infinity are left out of numeric statistics and counted in `nonFinite`. The queries are
 * in profile-aggregate.ts and profile-distributions.ts; this file assembles the profile.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { logicalTypeOf } from './column-types.js';
import type { ColumnProfile, ColumnSchema, DatasetProfile, Histogram, NumericSummary } from './entities.js';
import { describe } from './file-reader.js';
import { aggregate, markNonFinite, QUANTILES } from './profile-aggregate.js';
import { type ProfileColumn, type Row, toNumber } from './profile-column.js';
import { histogramsOf, topCategories } from './profile-distributions.js';
import { ident, literal } from './sql.js';

export { QUANTILES } from './profile-aggregate.js';
export { HISTOGRAM_BINS, TOP_CATEGORIES } from './profile-distributions.js';

export const EXACT_MAX_ROWS = 500_000;

export interface ProfiledFile {
  readonly columns: readonly ColumnSchema[];
  readonly profile: DatasetProfile;
}

export async function profileParquet(connection: DuckDBConnection, path: string): Promise<ProfiledFile> {
  const relation = `read_parquet(${literal(path)})`;
  const columns: ProfileColumn[] = (await describe(connection, relation)).map((column, index) => ({
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

function numericSummary(
  column: ProfileColumn,
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
