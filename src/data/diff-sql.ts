/**
 * The DuckDB SQL behind dataset diffs and the distribution check of validation suites: column
 * statistics, and the bins and per-bin row counts from which diff-psi.ts computes the population
 * stability index (PSI) of two Parquet files. Pure text building, no I/O.
 *
 * PSI = Σ (pTo − pFrom) · ln(pTo / pFrom) over bins, where p is the share of a version's rows in the
 * bin. Numeric (and timestamp) columns are binned at the `from` version's deciles (quantiles 0.1 …
 * 0.9: exact and linearly interpolated up to EXACT_QUANTILE_ROWS rows, DuckDB's approx_quantile
 * (t-digest) beyond, where exact ones would dominate the time; equal edges merge, so a column with
 * few values gets fewer bins): bin 0 is (−∞, q0.1], bin k is (q0.k, q0.(k+1)], the last is
 * (q0.9, +∞). Other columns compare per
 * category: each of the `from` version's TOP_CATEGORIES most frequent values (as DuckDB's
 * approx_top_k finds them; exact when there are no more distinct values than that) is a bin, and
 * every other value, including values new in `to`, shares one more. Without that, an id-like column
 * would count each of its millions of values as a bin (slow, and every value missing from one side
 * would add an epsilon-sized term). In both cases nulls form a bin of their own, so a column that
 * starts to miss values moves too. A bin empty in one version counts as a share of PSI_EPSILON
 * there, so the logarithm stays finite.
 */
import type { ColumnSchema, LogicalType } from './entities.js';
import { ident, literal, scaledAggregate } from './sql.js';

export { ident as quoteIdent, literal as quoteString };

export const PSI_EPSILON = 1e-4;
export const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] as const;
export const TOP_CATEGORIES = 50;
export const EXACT_QUANTILE_ROWS = 100_000;

/** How a column's distribution is compared. */
export type PsiMethod = 'deciles' | 'categories';

const NUMERIC: ReadonlySet<LogicalType> = new Set(['integer', 'float']);

export function isNumericType(type: LogicalType): boolean {
  return NUMERIC.has(type);
}

/** Numbers and times are binned at deciles; anything else (or a change of kind) per category. */
export function psiMethodFor(from: LogicalType, to: LogicalType): PsiMethod {
  if (isNumericType(from) && isNumericType(to)) return 'deciles';
  if (from === 'timestamp' && to === 'timestamp') return 'deciles';
  return 'categories';
}

/** A DOUBLE literal; non-finite values as DuckDB spells them. */
export function doubleLiteral(value: number): string {
  if (Number.isNaN(value)) return "'nan'::DOUBLE";
  if (!Number.isFinite(value)) return value > 0 ? "'inf'::DOUBLE" : "'-inf'::DOUBLE";
  return `${String(value)}::DOUBLE`;
}

/** read_parquet over a local file; `withRowNumber` adds `file_row_number` (0-based). */
export function parquetSource(path: string, withRowNumber = false): string {
  return `read_parquet(${literal(path)}${withRowNumber ? ', file_row_number = true' : ''})`;
}

/** The column as a DOUBLE for statistics: numbers as they are, times as epoch seconds. */
export function numericExpression(column: ColumnSchema): string {
  const name = ident(column.name);
  return column.type === 'timestamp' ? `epoch(${name})` : `CAST(${name} AS DOUBLE)`;
}

/**
 * Aggregates of one column: non-null count and, for numbers, the mean and sample standard deviation
 * over finite values; with `bins`, what PSI bins by (decile edges or the top categories).
 */
export function columnAggregates(
  alias: string,
  column: ColumnSchema,
  options: {
    stats: boolean;
    bins?: PsiMethod | undefined;
    exactQuantiles?: boolean;
    /** For the mean and deviation of very large values (see scaledAggregate in sql.ts). */
    scale?: number;
  },
): string[] {
  const name = ident(column.name);
  const parts = [`count(${name}) AS ${alias}_n`];
  const x = numericExpression(column);
  if (options.stats && isNumericType(column.type)) {
    parts.push(`${scaledAggregate('avg', x, options.scale, `isfinite(${x})`)} AS ${alias}_mean`);
    parts.push(`${scaledAggregate('stddev_samp', x, options.scale, `isfinite(${x})`)} AS ${alias}_std`);
  }
  if (options.bins === 'deciles') {
    const quantile = options.exactQuantiles === false ? 'approx_quantile' : 'quantile_cont';
    parts.push(`${quantile}(${x}, [${DECILES.join(', ')}]) AS ${alias}_q`);
  } else if (options.bins === 'categories') {
    parts.push(`approx_top_k(${textExpression(column)}, ${TOP_CATEGORIES}) AS ${alias}_top`);
  }
  return parts;
}

/** Sorted, de-duplicated, finite-or-infinite (never NaN) decile edges. */
export function binEdges(deciles: readonly (number | null)[] | null | undefined): number[] {
  const edges = (deciles ?? []).filter((edge): edge is number => edge !== null && !Number.isNaN(edge));
  return [...new Set(edges)].sort((a, b) => a - b);
}

/** One comparison between the two versions' columns of the same name. */
export interface PsiColumn {
  readonly from: ColumnSchema;
  readonly to: ColumnSchema;
  readonly method: PsiMethod;
  /** For 'deciles': edges from the `from` version (binEdges). */
  readonly edges: readonly number[];
  /** For 'categories': the `from` version's most frequent values, each a bin of its own. */
  readonly categories: readonly string[];
}

function textExpression(column: ColumnSchema): string {
  return `CAST(${ident(column.name)} AS VARCHAR)`;
}

/**
 * Rows (col, v, n): per listed numeric column, its rows counted per decile bin (v = 0 … edges, the
 * last bin also taking NaN, which DuckDB sorts above every number) or null. One small group-by per
 * column, each reading only that column.
 */
export function numericCountsQuery(
  path: string,
  columns: readonly { index: number; column: ColumnSchema; edges: readonly number[] }[],
): string {
  return columns
    .map(({ index, column, edges }) => {
      const x = numericExpression(column);
      const whens = edges.map((edge, bin) => `WHEN ${x} <= ${doubleLiteral(edge)} THEN ${bin}`);
      const bin = `CASE WHEN ${x} IS NULL THEN NULL ${whens.join(' ')} ELSE ${edges.length} END`;
      return `SELECT ${index} AS col, ${bin} AS v, count(*) AS n FROM ${parquetSource(path)} GROUP BY ALL`;
    })
    .join('\nUNION ALL ');
}

/**
 * Rows (col, v, n): per listed column, its rows counted per category bin: one of `categories`, the
 * shared bin of every other value (v = `other`), or null.
 */
export function categoryCountsQuery(
  path: string,
  columns: readonly { index: number; column: ColumnSchema; categories: readonly string[] }[],
  other: string,
): string {
  return columns
    .map(({ index, column, categories }) => {
      const text = textExpression(column);
      const listed = categories.length === 0 ? 'false' : `${text} IN (${categories.map(literal).join(', ')})`;
      const bin = `CASE WHEN ${text} IS NULL THEN NULL WHEN ${listed} THEN ${text} ELSE ${literal(other)} END`;
      return `SELECT ${index} AS col, ${bin} AS v, count(*) AS n FROM ${parquetSource(path)} GROUP BY ALL`;
    })
    .join('\nUNION ALL ');
}
