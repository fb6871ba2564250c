/**
 * Reads a pushed file with DuckDB, refusing what is not a table (DATA_UNREADABLE, naming the problem:
 * empty, ragged, duplicate column names, not its format), and writes its Parquet form. Parquet input
 * is already the stored form and is only checked.
 */
import { open, stat } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { InvalidError } from '../core/errors.js';
import { firstDuplicate, readCsvHeader } from './csv-header.js';
import type { DataFormat } from './entities.js';
import { literal } from './sql.js';

export interface ReadFile {
  /** The Parquet form: `path` itself for Parquet input, else `parquetPath`, now written. */
  readonly parquet: string;
  readonly rowCount: number;
}

const CSV_DIALECT = `delim=',', quote='"', escape='"', header=true, strict_mode=true, skip=0, comment=''`;
const JSON_DIALECT = `format='newline_delimited', records=true`;

export function unreadable(format: DataFormat, problem: string, details: Record<string, unknown> = {}) {
  return new InvalidError(
    `${format} file is unreadable: ${problem}`,
    { format, ...details },
    'DATA_UNREADABLE',
  );
}

/** Checks the file at `path` and, unless it is Parquet already, writes its Parquet form to `parquetPath`. */
export async function readDataFile(
  connection: DuckDBConnection,
  format: DataFormat,
  path: string,
  parquetPath: string,
): Promise<ReadFile> {
  switch (format) {
    case 'csv':
      return readCsv(connection, path, parquetPath);
    case 'jsonl':
      return readJsonLines(connection, path, parquetPath);
    case 'parquet':
      return { parquet: path, rowCount: await checkParquet(connection, path) };
  }
}

async function readCsv(connection: DuckDBConnection, path: string, parquetPath: string): Promise<ReadFile> {
  const header = await readCsvHeader(path);
  if (header.fields.length === 0) throw unreadable('csv', 'the file is empty (no header, no rows)');
  if (!header.complete) {
    throw unreadable('csv', 'the header line does not end (an unterminated quote, or longer than 1 MiB)');
  }
  const duplicate = firstDuplicate(header.fields);
  if (duplicate !== undefined) throw duplicateColumn('csv', duplicate);
  checkColumnNames('csv', header.fields);
  const relation = (extra: string) => `read_csv(${literal(path)}, ${CSV_DIALECT}${extra})`;
  const diagnose = async (error: unknown): Promise<never> => {
    throw await diagnoseCsv(connection, path, header.fields.length, error);
  };
  try {
    const columns = await describe(connection, relation(''));
    if (columns.length !== header.fields.length) await diagnose(undefined);
  } catch (error) {
    await diagnose(error);
  }
  let rowCount: number;
  try {
    rowCount = await copyToParquet(connection, relation(''), parquetPath);
  } catch (error) {
    // The sniffer guesses types from a sample; a later value that does not fit needs the whole file.
    if (!isConversionError(error)) return diagnose(error);
    try {
      rowCount = await copyToParquet(connection, relation(', sample_size=-1'), parquetPath);
    } catch (retried) {
      return diagnose(retried);
    }
  }
  if (rowCount === 0) throw unreadable('csv', 'the file has a header but no rows');
  return { parquet: parquetPath, rowCount };
}

/**
 * Turns a failed read into a message naming the line at fault: the file is read again with every
 * column as text and the header's column count fixed, which makes DuckDB report the first ragged row
 * or broken quote instead of a failed dialect guess.
 */
async function diagnoseCsv(
  connection: DuckDBConnection,
  path: string,
  columnCount: number,
  original: unknown,
): Promise<InvalidError> {
  const columns = Array.from({ length: columnCount }, (_, i) => `${literal(`c${i}`)}: 'VARCHAR'`).join(', ');
  try {
    await connection.run(
      `SELECT count(*) FROM read_csv(${literal(path)}, auto_detect=false, ${CSV_DIALECT}, columns={${columns}})`,
    );
  } catch (error) {
    return csvProblem(error, path);
  }
  return original === undefined
    ? unreadable('csv', 'its rows do not have the same number of fields as the header')
    : csvProblem(original, path);
}

function csvProblem(error: unknown, path: string): InvalidError {
  const text = messageOf(error);
  const line = /CSV Error on Line: (\d+)/.exec(text);
  const counts = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(text);
  if (line !== null && counts !== null) {
    return unreadable(
      'csv',
      `line ${line[1]} has ${counts[2]} fields but the header has ${counts[1]} (ragged rows)`,
      { line: Number(line[1]), expected: Number(counts[1]), found: Number(counts[2]) },
    );
  }
  if (line !== null) {
    const reason = text
      .split('\n')
      .map((part) => part.trim())
      .find((part) => part !== '' && !/^(CSV Error|Original Line|Invalid Input Error)/.test(part));
    return unreadable('csv', `line ${line[1]}: ${reason ?? 'does not parse'}`, { line: Number(line[1]) });
  }
  return unreadable('csv', summarise(text, path));
}

async function readJsonLines(
  connection: DuckDBConnection,
  path: string,
  parquetPath: string,
): Promise<ReadFile> {
  if (await isBlank(path)) throw unreadable('jsonl', 'the file is empty (no rows)');
  const relation = (extra: string) => `read_json(${literal(path)}, ${JSON_DIALECT}${extra})`;
  let names: string[];
  try {
    names = (await describe(connection, relation(''))).map((column) => column.name);
  } catch (error) {
    throw jsonProblem(error, path);
  }
  checkColumnNames('jsonl', names);
  // DuckDB renames keys that differ only in case (`A`, `a` -> `A`, `a_1`): look at the real keys.
  if (names.some((name) => /_\d+$/.test(name))) {
    const keys = await connection.runAndReadAll(
      `SELECT DISTINCT unnest(json_keys(json)) AS k FROM read_json_objects(${literal(path)}, format='newline_delimited')`,
    );
    const duplicate = firstDuplicate(keys.getRowsJS().map((row) => String(row[0])));
    if (duplicate !== undefined) {
      throw unreadable(
        'jsonl',
        `keys '${duplicate.name}' and another differing only in case name one column`,
        {
          column: duplicate.name,
        },
      );
    }
  }
  let rowCount: number;
  try {
    rowCount = await copyToParquet(connection, relation(''), parquetPath);
  } catch (error) {
    if (!isConversionError(error)) throw jsonProblem(error, path);
    try {
      rowCount = await copyToParquet(connection, relation(', sample_size=-1'), parquetPath);
    } catch (retried) {
      throw jsonProblem(retried, path);
    }
  }
  if (rowCount === 0) throw unreadable('jsonl', 'the file has no rows');
  return { parquet: parquetPath, rowCount };
}

function jsonProblem(error: unknown, path: string): InvalidError {
  const text = messageOf(error);
  if (text.includes('expected records')) {
    return unreadable('jsonl', 'every line must be a JSON object with at least one key');
  }
  const line = /in line (\d+)/.exec(text);
  return unreadable('jsonl', summarise(text, path), line === null ? {} : { line: Number(line[1]) });
}

async function checkParquet(connection: DuckDBConnection, path: string): Promise<number> {
  const relation = `read_parquet(${literal(path)})`;
  let names: string[];
  let rowCount: number;
  try {
    names = (await describe(connection, relation)).map((column) => column.name);
    const count = await connection.runAndReadAll(`SELECT count(*) FROM ${relation}`);
    rowCount = Number(count.getRowsJS()[0]![0]);
  } catch (error) {
    throw unreadable('parquet', `not a valid Parquet file (${summarise(messageOf(error), path)})`);
  }
  checkColumnNames('parquet', names);
  if (names.some((name) => /_\d+$/.test(name))) {
    const duplicate = firstDuplicate(await parquetTopLevelNames(connection, path));
    if (duplicate !== undefined) throw duplicateColumn('parquet', duplicate);
  }
  if (names.length === 0 || rowCount === 0) throw unreadable('parquet', 'the file has no rows');
  return rowCount;
}

/** The top-level column names as written in the file (DuckDB's own names are de-duplicated). */
async function parquetTopLevelNames(connection: DuckDBConnection, path: string): Promise<string[]> {
  const reader = await connection.runAndReadAll(
    `SELECT name, coalesce(num_children, 0) FROM parquet_schema(${literal(path)})`,
  );
  const rows = reader.getRowsJS().map((row) => ({ name: String(row[0]), children: Number(row[1]) }));
  const names: string[] = [];
  let index = 1;
  const skip = (): void => {
    const node = rows[index++]!;
    for (let child = 0; child < node.children; child++) skip();
  };
  const rootChildren = rows[0]?.children ?? 0;
  for (let child = 0; child < rootChildren && index < rows.length; child++) {
    names.push(rows[index]!.name);
    skip();
  }
  return names;
}

/** SQL cannot name a column holding a NUL character (see sql.ts), so no version may have one. */
function checkColumnNames(format: DataFormat, names: readonly string[]): void {
  const index = names.findIndex((name) => name.includes('\u0000'));
  if (index === -1) return;
  throw unreadable(format, `column ${index + 1}'s name holds a NUL character`, { column: index + 1 });
}

function duplicateColumn(
  format: DataFormat,
  duplicate: { name: string; first: number; second: number },
): InvalidError {
  return unreadable(
    format,
    `duplicate column name '${duplicate.name}' (columns ${duplicate.first} and ${duplicate.second}; names are compared ignoring case)`,
    { column: duplicate.name, columns: [duplicate.first, duplicate.second] },
  );
}

export interface DescribedColumn {
  readonly name: string;
  readonly type: string;
}

export async function describe(connection: DuckDBConnection, relation: string): Promise<DescribedColumn[]> {
  const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`);
  return reader.getRowsJS().map((row) => ({ name: String(row[0]), type: String(row[1]) }));
}

async function copyToParquet(
  connection: DuckDBConnection,
  relation: string,
  target: string,
): Promise<number> {
  const reader = await connection.runAndReadAll(
    `COPY (SELECT * FROM ${relation}) TO ${literal(target)} (FORMAT parquet)`,
  );
  return Number(reader.getRowsJS()[0]?.[0] ?? 0);
}

async function isBlank(path: string): Promise<boolean> {
  const { size } = await stat(path);
  if (size === 0) return true;
  if (size > 64 * 1024) return false;
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(size);
    await handle.read(buffer, 0, size, 0);
    return buffer.toString('utf8').trim() === '';
  } finally {
    await handle.close();
  }
}

function isConversionError(error: unknown): boolean {
  const text = messageOf(error);
  return text.startsWith('Conversion Error') || text.includes('Could not convert');
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** DuckDB's message without the scratch path, hints for SQL users, or the query echo. */
function summarise(text: string, path: string): string {
  const first = text
    .split(/\n\s*\n|\nPossible fixes|\nLINE \d+:|\nTry /)[0]!
    .replace(/^[A-Za-z ]+ Error: /, '')
    .replaceAll(`"${path}"`, 'the file')
    .replaceAll(`'${path}'`, 'the file')
    .replaceAll(path, 'the file')
    .replace(/\s+/g, ' ')
    .trim();
  return first === '' ? 'does not parse' : first.slice(0, 500);
}
