/**
 * The profiler's distributions: one query for every numeric column's histogram (bins that match
 * DuckDB's binned histogram exactly) and one for every string or boolean column's top categories.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CategoryCount, Histogram } from './entities.js';
import { first, type ProfileColumn, type Row, toNumber, withFiniteColumns } from './profile-column.js';
import { doubleLiteral } from './sql.js';

export const HISTOGRAM_BINS = 20;
export const TOP_CATEGORIES = 10;

/**
 * Bin edges: 20 equal-width bins from min to max; integer columns spanning fewer than 20 values get
 * one bin per value (edges min, min+1, …, max+1).
 */
function edgesOf(column: ProfileColumn, min: number, max: number): number[] {
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

export async function histogramsOf(
  connection: DuckDBConnection,
  relation: string,
  columns: readonly ProfileColumn[],
  stats: Row,
): Promise<Map<number, Histogram>> {
  const result = new Map<number, Histogram>();
  const parts: string[] = [];
  const planned: { column: ProfileColumn; edges: number[]; boundaries: number[] }[] = [];
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

export async function topCategories(
  connection: DuckDBConnection,
  relation: string,
  columns: readonly ProfileColumn[],
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
