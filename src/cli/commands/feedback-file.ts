/**
 * Label files for `slipway feedback`: CSV (RFC 4180: a header row, quoted fields may hold commas,
 * quotes and newlines) or JSON Lines (one object per line), told apart by the extension (.csv;
 * .jsonl/.ndjson/.json) or else by the first character. CSV values stay strings; JSON keeps types.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { UsageError } from '../context.js';

export type FileRow = Readonly<Record<string, unknown>>;

export async function readLabelFile(file: string): Promise<FileRow[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${error.code ?? error.message}`);
  });
  const extension = extname(file).toLowerCase();
  const jsonLines =
    extension === '.jsonl' || extension === '.ndjson' || extension === '.json'
      ? true
      : extension === '.csv'
        ? false
        : text.trimStart().startsWith('{');
  return jsonLines ? parseJsonLines(text, file) : parseCsv(text, file);
}

function parseJsonLines(text: string, file: string): FileRow[] {
  const rows: FileRow[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new UsageError(`${file} line ${i + 1} is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new UsageError(`${file} line ${i + 1} must be a JSON object, got ${line.slice(0, 80)}`);
    rows.push(value as FileRow);
  }
  return rows;
}

/** Records of fields; a final newline does not make an empty record. */
function csvRecords(text: string, file: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endField = () => {
    record.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    if (!(record.length === 1 && record[0] === '')) records.push(record);
    record = [];
  };
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n') endRecord();
    else if (c !== '\r') field += c;
  }
  if (quoted) throw new UsageError(`${file} ends inside a quoted field`);
  if (field !== '' || record.length > 0) endRecord();
  return records;
}

function parseCsv(text: string, file: string): FileRow[] {
  const [header, ...records] = csvRecords(text, file);
  if (header === undefined) return [];
  return records.map((record, r) => {
    if (record.length !== header.length)
      throw new UsageError(
        `${file} row ${r + 2} has ${record.length} fields, the header has ${header.length}`,
      );
    return Object.fromEntries(header.map((name, c) => [name.trim(), record[c]]));
  });
}
