/**
 * The statistics pass of a diff: per version one aggregate scan giving each column's non-null count,
 * mean and standard deviation and, for the `from` version, the bins (decile edges, top categories)
 * PSI counts rows in. Values so large their sums overflow are scaled, found only when that happens.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  binEdges,
  columnAggregates,
  EXACT_QUANTILE_ROWS,
  isNumericType,
  numericExpression,
  type PsiColumn,
  type PsiMethod,
  parquetSource,
} from './diff-sql.js';
import type { ColumnSchema } from './entities.js';
import { aggregateScale, isVarianceOverflow } from './sql.js';

type Row = Record<string, unknown>;

export interface ColumnStats {
  readonly nonNull: number;
  readonly mean?: number;
  readonly std?: number;
  readonly deciles?: readonly (number | null)[];
  readonly top?: readonly string[];
}

export function binsOf(method: PsiMethod, stats: ColumnStats): Pick<PsiColumn, 'edges' | 'categories'> {
  return method === 'deciles'
    ? { edges: binEdges(stats.deciles), categories: [] }
    : { edges: [], categories: stats.top ?? [] };
}

/** One pass over the file: non-null counts, means and standard deviations, and decile edges. */
export async function statistics(
  connection: DuckDBConnection,
  path: string,
  rows: number,
  columns: readonly { column: ColumnSchema; bins: PsiMethod | undefined }[],
): Promise<ColumnStats[]> {
  if (columns.length === 0) return [];
  const query = async (scales: readonly number[] = []): Promise<Row> => {
    const selects = columns.flatMap((entry, index) =>
      columnAggregates(`c${index}`, entry.column, {
        stats: true,
        bins: entry.bins,
        exactQuantiles: rows <= EXACT_QUANTILE_ROWS,
        ...(scales[index] === undefined ? {} : { scale: scales[index] }),
      }),
    );
    const reader = await connection.runAndReadAll(`SELECT ${selects.join(', ')} FROM ${parquetSource(path)}`);
    return (reader.getRowObjectsJS()[0] ?? {}) as Row;
  };
  // Values beyond about 1e150 overflow the sums behind the mean and deviation: rare, so only then
  // find which columns need scaling, and ask again.
  let row = await query().catch((error: unknown) => {
    if (isVarianceOverflow(error)) return undefined;
    throw error;
  });
  const overflowed = (stats: Row) =>
    columns.some((_, index) => {
      const mean = stats[`c${index}_mean`];
      return typeof mean === 'number' && !Number.isFinite(mean);
    });
  if (row === undefined || overflowed(row))
    row = await query(await aggregateScales(connection, path, columns));
  return columns.map((_, index) => {
    const mean = finiteOrUndefined(row[`c${index}_mean`]);
    const std = finiteOrUndefined(row[`c${index}_std`]);
    const deciles = row[`c${index}_q`];
    const top = row[`c${index}_top`];
    return {
      nonNull: Number(row[`c${index}_n`] ?? 0),
      // One finite value has a mean but no sample deviation: report 0, as profiles do.
      ...(mean === undefined ? {} : { mean, std: std ?? 0 }),
      ...(Array.isArray(deciles) ? { deciles: deciles.map((q) => (q === null ? null : Number(q))) } : {}),
      ...(Array.isArray(top) ? { top: top.filter((value) => value !== null).map(String) } : {}),
    };
  });
}

/** Per column, the scale its mean and deviation need (1 for all but very large numbers). */
async function aggregateScales(
  connection: DuckDBConnection,
  path: string,
  columns: readonly { column: ColumnSchema }[],
): Promise<number[]> {
  const selects = columns.map(({ column }, index) => {
    if (!isNumericType(column.type)) return `NULL AS m${index}`;
    const x = numericExpression(column);
    return `max(abs(${x})) FILTER (WHERE isfinite(${x})) AS m${index}`;
  });
  const reader = await connection.runAndReadAll(`SELECT ${selects.join(', ')} FROM ${parquetSource(path)}`);
  const row = (reader.getRowObjectsJS()[0] ?? {}) as Row;
  return columns.map((_, index) => {
    const value = row[`m${index}`];
    return aggregateScale(typeof value === 'number' ? value : undefined);
  });
}

function finiteOrUndefined(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}
