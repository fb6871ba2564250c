/**
 * Reads a Parquet file (a dataset version's stored form, or a file converted by DuckDB) into the
 * column arrays drift tests take: numbers and booleans as Float64Array (NaN for null), strings as
 * categories. Dates and timestamps are left out, as Evidently leaves them out of drift by default:
 * a window is always "later" than its reference.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { type DataEngine, type DatasetVersion, ident, literal } from '../../data/index.js';
import type { DriftColumn, DriftTable } from '../drift/index.js';

export interface IgnoredColumn {
  readonly column: string;
  readonly reason: string;
}

export interface LoadedTable {
  readonly table: DriftTable;
  readonly rows: number;
  readonly ignored: readonly IgnoredColumn[];
}

export interface ReadTableOptions {
  /** Only these columns (unknown names are ignored and reported); default every column. */
  readonly columns?: readonly string[];
}

type ColumnPlan = { readonly name: string; readonly kind: DriftColumn['kind'] };

const NUMERIC_TYPES =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL.*|BOOLEAN)$/;
const TEMPORAL_TYPES = /^(DATE|TIME.*|TIMESTAMP.*|INTERVAL)$/;

/** Reads the columns of a Parquet file at `path`, typed by DuckDB's schema of the file. */
export async function readParquetTable(
  engine: DataEngine,
  path: string,
  options: ReadTableOptions = {},
): Promise<LoadedTable> {
  return engine.withConnection((connection) =>
    readRelationTable(connection, `read_parquet(${literal(path)})`, options),
  );
}

/**
 * Reads the columns of any DuckDB relation (`read_parquet(…)`, `read_csv(…)`, a table name) on a
 * bare connection, typed by DuckDB's schema of it.
 */
export async function readRelationTable(
  connection: DuckDBConnection,
  relation: string,
  options: ReadTableOptions = {},
): Promise<LoadedTable> {
  const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`);
  const schema = described.getRowObjectsJS().map((row) => ({
    name: String(row.column_name),
    type: String(row.column_type),
  }));
  const { plan, ignored } = planColumns(schema, options.columns);
  if (plan.length === 0) {
    const count = await connection.runAndReadAll(`SELECT count(*) FROM ${relation}`);
    return { table: { columns: {} }, rows: Number(count.getColumnsJS()[0]?.[0] ?? 0), ignored };
  }
  const projection = plan
    .map(({ name, kind }) => `CAST(${ident(name)} AS ${kind === 'numeric' ? 'DOUBLE' : 'VARCHAR'})`)
    .join(', ');
  const reader = await connection.runAndReadAll(`SELECT ${projection} FROM ${relation}`);
  const values = reader.getColumnsJS();
  const columns: Record<string, DriftColumn> = {};
  for (const [index, { name, kind }] of plan.entries()) {
    const column = values[index] ?? [];
    columns[name] =
      kind === 'numeric'
        ? { kind, values: Float64Array.from(column, (v) => (v === null ? Number.NaN : Number(v))) }
        : { kind, values: column.map((v) => (v === null ? null : String(v))) };
  }
  return { table: { columns }, rows: reader.currentRowCount, ignored };
}

/** A dataset version's columns, read from its stored Parquet form. */
export async function loadVersionTable(
  engine: DataEngine,
  version: DatasetVersion,
  options: ReadTableOptions = {},
): Promise<LoadedTable> {
  const path = await engine.localFile(version.dataDigest, 'parquet');
  return readParquetTable(engine, path, options);
}

function planColumns(
  schema: readonly { name: string; type: string }[],
  wanted: readonly string[] | undefined,
): { plan: ColumnPlan[]; ignored: IgnoredColumn[] } {
  const ignored: IgnoredColumn[] = [];
  const byName = new Map(schema.map((column) => [column.name, column.type]));
  const names = wanted ?? schema.map((column) => column.name);
  const plan: ColumnPlan[] = [];
  for (const name of names) {
    const type = byName.get(name);
    if (type === undefined) ignored.push({ column: name, reason: 'not a column of this table' });
    else if (TEMPORAL_TYPES.test(type))
      ignored.push({ column: name, reason: `${type.toLowerCase()} column` });
    else if (NUMERIC_TYPES.test(type)) plan.push({ name, kind: 'numeric' });
    else if (type === 'VARCHAR') plan.push({ name, kind: 'categorical' });
    else ignored.push({ column: name, reason: `${type.toLowerCase()} column (not numeric or text)` });
  }
  return { plan, ignored };
}
