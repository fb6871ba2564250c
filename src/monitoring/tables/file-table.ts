/**
 * Reads a local CSV, JSON-lines or Parquet file into a drift table with a DuckDB instance of its own
 * (no server, no blob store): what `slipway drift compare` uses for file arguments. CSV and JSON
 * lines are read with the dialect datasets are pushed with, typed from the whole file.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { InvalidError } from '../../core/errors.js';
import { literal } from '../../data/index.js';
import { type LoadedTable, type ReadTableOptions, readRelationTable } from './parquet-table.js';

export type TableFileFormat = 'csv' | 'jsonl' | 'parquet';

/** The format named by a path's extension (.csv, .jsonl/.ndjson, .parquet), if any. */
export function fileFormatOf(path: string): TableFileFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.parquet')) return 'parquet';
  return undefined;
}

function relationOf(path: string, format: TableFileFormat): string {
  switch (format) {
    case 'csv':
      return `read_csv(${literal(path)}, delim=',', quote='"', escape='"', header=true, sample_size=-1)`;
    case 'jsonl':
      return `read_json(${literal(path)}, format='newline_delimited', records=true, sample_size=-1)`;
    case 'parquet':
      return `read_parquet(${literal(path)})`;
  }
}

/** Reads the file at `path` as `format`; a file DuckDB cannot read is DATA_UNREADABLE (400). */
export async function readFileTable(
  path: string,
  format: TableFileFormat,
  options: ReadTableOptions = {},
): Promise<LoadedTable> {
  const instance = await DuckDBInstance.create(':memory:', {
    threads: '2',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'true',
  });
  try {
    const connection = await instance.connect();
    try {
      return await readRelationTable(connection, relationOf(path, format), options);
    } catch (error) {
      if (error instanceof InvalidError) throw error;
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new InvalidError(
        `${format} file ${path} is unreadable: ${reason}`,
        { path, format },
        'DATA_UNREADABLE',
      );
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}
