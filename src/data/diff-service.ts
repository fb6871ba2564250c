/**
 * Diffs two dataset versions (of one dataset, or of two: train data against another dataset) with
 * DuckDB over their Parquet forms. Every query is one aggregate scan: statistics of each version
 * (the `from` one also finding the bins: decile edges, top categories), then per version the rows
 * counted per bin (one small group-by per column, reading only that column). PSI itself is
 * plain arithmetic on those counts (diff-psi.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { normaliseName } from '../core/names.js';
import { parseReference, type Reference } from '../core/references.js';
import type { Database } from '../store/index.js';
import type { DataEngine } from './data-engine.js';
import type { Change, ColumnDiff, DatasetDiff, TypeChange } from './diff-entities.js';
import { populationStability } from './diff-psi.js';
import {
  binEdges,
  categoryCountsQuery,
  columnAggregates,
  EXACT_QUANTILE_ROWS,
  isNumericType,
  numericCountsQuery,
  numericExpression,
  type PsiColumn,
  type PsiMethod,
  parquetSource,
  psiMethodFor,
} from './diff-sql.js';
import type { ColumnSchema, DatasetVersion } from './entities.js';
import { aggregateScale, isVarianceOverflow } from './sql.js';
import { loadDatasetVersion } from './version-loader.js';

export interface ColumnShift {
  readonly psi: number;
  readonly bins: number;
  readonly method: PsiMethod;
}

type Row = Record<string, unknown>;

export class DiffService {
  constructor(
    private readonly database: Database,
    private readonly engine: DataEngine,
  ) {}

  /**
   * `from` and `to` are each a version number, `latest`, or a full reference `other@N` (which may
   * name another dataset).
   */
  async diff(name: string, from: string, to: string): Promise<DatasetDiff> {
    const dataset = normaliseName('dataset name', name);
    // One after the other: a failed lookup must not leave the other running after the answer.
    const fromReference = resolveSelector('from', dataset, from);
    const toReference = resolveSelector('to', dataset, to);
    const fromVersion = await this.load(fromReference);
    return this.compare(fromVersion, await this.load(toReference));
  }

  async compare(from: DatasetVersion, to: DatasetVersion): Promise<DatasetDiff> {
    const toByName = new Map(to.columns.map((column) => [column.name, column]));
    const fromNames = new Set(from.columns.map((column) => column.name));
    const common = from.columns.flatMap((column) => {
      const other = toByName.get(column.name);
      return other === undefined ? [] : [{ from: column, to: other }];
    });
    const typeChanged: TypeChange[] = common
      .filter((pair) => pair.from.type !== pair.to.type)
      .map((pair) => ({ name: pair.from.name, from: pair.from.type, to: pair.to.type }));

    const fromPath = await this.localFile(from);
    const toPath = await this.localFile(to);
    const columns = await this.engine.withConnection(async (connection) => {
      // One connection runs one query at a time; DuckDB parallelises inside each.
      const fromStats = await statistics(
        connection,
        fromPath,
        from.rowCount,
        common.map((pair) => ({ column: pair.from, bins: psiMethodFor(pair.from.type, pair.to.type) })),
      );
      const toStats = await statistics(
        connection,
        toPath,
        to.rowCount,
        common.map((pair) => ({ column: pair.to, bins: undefined })),
      );
      const psiColumns: PsiColumn[] = common.map((pair, index) => {
        const method = psiMethodFor(pair.from.type, pair.to.type);
        return { ...pair, method, ...binsOf(method, fromStats[index]!) };
      });
      const shifts = await psiOf(connection, fromPath, toPath, psiColumns);
      return common.map((pair, index): ColumnDiff => {
        const a = fromStats[index]!;
        const b = toStats[index]!;
        const shift = shifts[index]!;
        const numeric = isNumericType(pair.from.type) && isNumericType(pair.to.type);
        return {
          name: pair.to.name,
          type: pair.to.type,
          ...(pair.from.type === pair.to.type ? {} : { fromType: pair.from.type }),
          psi: shift.psi,
          psiMethod: shift.method,
          bins: shift.bins,
          nullRate: change(nullRate(a.nonNull, from.rowCount), nullRate(b.nonNull, to.rowCount)),
          ...(numeric && a.mean !== undefined && b.mean !== undefined
            ? { mean: change(a.mean, b.mean) }
            : {}),
          ...(numeric && a.std !== undefined && b.std !== undefined ? { std: change(a.std, b.std) } : {}),
        };
      });
    });
    columns.sort((a, b) => b.psi - a.psi || a.name.localeCompare(b.name));
    return {
      from: { dataset: from.dataset, version: from.version, rowCount: from.rowCount },
      to: { dataset: to.dataset, version: to.version, rowCount: to.rowCount },
      rowCount: change(from.rowCount, to.rowCount),
      schema: {
        added: to.columns
          .filter((column) => !fromNames.has(column.name))
          .map((column) => ({ name: column.name, type: column.type })),
        removed: from.columns
          .filter((column) => !toByName.has(column.name))
          .map((column) => ({ name: column.name, type: column.type })),
        typeChanged,
      },
      columns,
    };
  }

  /**
   * The PSI of each named column from `reference` to `version` (both must hold it), for the
   * distribution expectation of validation suites.
   */
  async shifts(
    reference: DatasetVersion,
    version: DatasetVersion,
    names: readonly string[],
  ): Promise<ColumnShift[]> {
    const pairs = names.map((name) => {
      const from = reference.columns.find((column) => column.name === name);
      const to = version.columns.find((column) => column.name === name);
      if (from === undefined || to === undefined) throw new Error(`column '${name}' missing from a side`);
      return { from, to, method: psiMethodFor(from.type, to.type) };
    });
    const fromPath = await this.localFile(reference);
    const toPath = await this.localFile(version);
    return this.engine.withConnection(async (connection) => {
      const fromStats = await statistics(
        connection,
        fromPath,
        reference.rowCount,
        pairs.map((pair) => ({ column: pair.from, bins: pair.method })),
      );
      const columns = pairs.map((pair, index) => ({ ...pair, ...binsOf(pair.method, fromStats[index]!) }));
      return psiOf(connection, fromPath, toPath, columns);
    });
  }

  private localFile(version: DatasetVersion): Promise<string> {
    return this.engine.localFile(version.dataDigest, 'parquet');
  }

  private async load(reference: Reference): Promise<DatasetVersion> {
    return (await loadDatasetVersion(this.database.db, reference)).version;
  }
}

/** A version number, `latest`, or a full reference `name@N` (possibly another dataset). */
export function resolveSelector(field: string, dataset: string, raw: string): Reference {
  const text = raw.trim();
  return parseReference(field, text.includes('@') ? text : `${dataset}@${text}`);
}

interface ColumnStats {
  readonly nonNull: number;
  readonly mean?: number;
  readonly std?: number;
  readonly deciles?: readonly (number | null)[];
  readonly top?: readonly string[];
}

function binsOf(method: PsiMethod, stats: ColumnStats): Pick<PsiColumn, 'edges' | 'categories'> {
  return method === 'deciles'
    ? { edges: binEdges(stats.deciles), categories: [] }
    : { edges: [], categories: stats.top ?? [] };
}

/** One pass over the file: non-null counts, means and standard deviations, and decile edges. */
async function statistics(
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

async function psiOf(
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

function nullRate(nonNull: number, rows: number): number {
  return rows === 0 ? 0 : (rows - nonNull) / rows;
}

function change(from: number, to: number): Change {
  return { from, to, delta: to - from };
}

function finiteOrUndefined(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}
