/**
 * The PSI pass of a diff: each column's rows per bin in each version (one query for the numeric
 * bins, one for the categories), then the PSI of those counts (diff-psi.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { populationStability } from './diff-psi.js';
import { categoryCountsQuery, numericCountsQuery, type PsiColumn, type PsiMethod } from './diff-sql.js';

type Row = Record<string, unknown>;

export interface ColumnShift {
  readonly psi: number;
  readonly bins: number;
  readonly method: PsiMethod;
}

export async function psiOf(
  connection: DuckDBConnection,
  fromPath: string,
  toPath: string,
  columns: readonly PsiColumn[],
): Promise<ColumnShift[]> {
  if (columns.length === 0) return [];
  const from = await binCounts(connection, fromPath, columns, 'from');
  const to = await binCounts(connection, toPath, columns, 'to');
  return columns.map((column, index) => {
    const { psi, bins } = populationStability(from[index]!, to[index]!);
    return { psi: Number.isFinite(psi) ? Math.max(0, psi) : 0, bins, method: column.method };
  });
}

/** Each column's rows per bin in one file: one query for the numeric bins, one for the categories. */
async function binCounts(
  connection: DuckDBConnection,
  path: string,
  columns: readonly PsiColumn[],
  side: 'from' | 'to',
): Promise<Map<string | null, number>[]> {
  const counts = columns.map(() => new Map<string | null, number>());
  const numeric = columns.flatMap((psi, index) =>
    psi.method === 'deciles' ? [{ index, column: psi[side], edges: psi.edges }] : [],
  );
  if (numeric.length > 0) {
    const reader = await connection.runAndReadAll(numericCountsQuery(path, numeric));
    for (const row of reader.getRowObjectsJS() as Row[]) {
      const bin = row.v === null || row.v === undefined ? null : String(row.v);
      counts[Number(row.col)]!.set(bin, Number(row.n));
    }
  }
  const categorical = columns.flatMap((psi, index) =>
    psi.method === 'categories' ? [{ index, column: psi[side], categories: psi.categories }] : [],
  );
  if (categorical.length > 0) {
    // The label of the shared bin only has to differ from the listed categories.
    const listed = new Set(categorical.flatMap((entry) => entry.categories));
    let other = '(other)';
    while (listed.has(other)) other = `(${other})`;
    const reader = await connection.runAndReadAll(categoryCountsQuery(path, categorical, other));
    for (const row of reader.getRowObjectsJS() as Row[]) {
      const value = row.v === null || row.v === undefined ? null : String(row.v);
      counts[Number(row.col)]!.set(value, Number(row.n));
    }
  }
  return counts;
}
