/**
 * Previewing a version's rows: a window (limit, offset) of its stored Parquet form in file order,
 * with values turned into JSON and the types JSON cannot show well sent as text.
 */
import { InvalidError } from '../core/errors.js';
import { pageSize } from '../core/pagination.js';
import type { DataEngine } from './data-engine.js';
import type { DatasetVersion, LogicalType } from './entities.js';
import { type JsonValue, toJsonValue } from './json-values.js';
import { ident, literal } from './sql.js';

export interface RowsInput {
  readonly limit?: number;
  readonly offset?: number;
}

export interface RowsPage {
  readonly dataset: string;
  readonly version: number;
  readonly rowCount: number;
  readonly offset: number;
  readonly columns: readonly { readonly name: string; readonly type: LogicalType }[];
  readonly rows: readonly Readonly<Record<string, JsonValue>>[];
}

export const DEFAULT_ROWS = 100;
export const MAX_ROWS = 1000;

/** The window a rows request asks for, checked before the version is looked up. */
export function rowsWindow(input: RowsInput): { limit: number; offset: number } {
  const limit = pageSize(input.limit ?? DEFAULT_ROWS, MAX_ROWS);
  const offset = input.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new InvalidError(`offset must be a whole number from 0, got ${offset}`, {
      field: 'offset',
      value: offset,
    });
  }
  return { limit, offset };
}

export async function readRows(
  engine: DataEngine,
  version: DatasetVersion,
  limit: number,
  offset: number,
): Promise<RowsPage> {
  const path = await engine.localFile(version.dataDigest, 'parquet');
  const rows = await engine.withConnection(async (connection) => {
    // Types the JSON conversion cannot show well travel as their text form.
    const projection = version.columns
      .map((column) =>
        /^(TIME|INTERVAL)/.test(column.physicalType) && !column.physicalType.startsWith('TIMESTAMP')
          ? `${ident(column.name)}::VARCHAR AS ${ident(column.name)}`
          : ident(column.name),
      )
      .join(', ');
    const reader = await connection.runAndReadAll(
      `SELECT ${projection} FROM read_parquet(${literal(path)}) LIMIT ${limit} OFFSET ${offset}`,
    );
    return reader.getRowObjectsJS();
  });
  return {
    dataset: version.dataset,
    version: version.version,
    rowCount: version.rowCount,
    offset,
    columns: version.columns.map((column) => ({ name: column.name, type: column.type })),
    rows: rows.map((row) =>
      Object.fromEntries(Object.entries(row).map(([key, value]) => [key, toJsonValue(value)])),
    ),
  };
}
