/**
 * Rows as JSON Lines, the same on every dialect: strings, numbers and nulls as themselves; numbers
 * JSON cannot carry (±Infinity in metrics, NaN should one ever be stored) as `{"$number":"Infinity"}`.
 * No column holds an object, so the tagged form cannot be mistaken for a value.
 */
import { invalidBackup } from './backup-errors.js';

export type BackupValue = string | number | null;
export type BackupRow = Readonly<Record<string, BackupValue>>;

const NON_FINITE: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

/** One row as one line of JSON (without the newline). */
export function encodeRow(table: string, row: Readonly<Record<string, unknown>>): string {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) {
    if (typeof value === 'number') {
      out[column] = Number.isFinite(value) ? value : { $number: String(value) };
    } else if (value === null || typeof value === 'string') {
      out[column] = value;
    } else {
      // A new column type (blob, boolean, date) needs a codec before backups can carry it.
      throw new Error(`backup cannot encode ${table}.${column}: unsupported value type ${typeof value}`);
    }
  }
  return JSON.stringify(out);
}

/** Parses one line back into a row; `where` names its place in the archive for error messages. */
export function decodeRow(line: string, where: string): BackupRow {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw invalidBackup(`${where} is not valid JSON`, { where });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidBackup(`${where} is not a JSON object`, { where });
  }
  const row: Record<string, BackupValue> = {};
  for (const [column, value] of Object.entries(parsed)) {
    if (value === null || typeof value === 'string' || typeof value === 'number') {
      row[column] = value;
      continue;
    }
    const tagged = (value as { $number?: unknown }).$number;
    const number = typeof tagged === 'string' ? NON_FINITE[tagged] : undefined;
    if (number === undefined) {
      throw invalidBackup(`${where}: column '${column}' holds a value backups never contain`, {
        where,
        column,
      });
    }
    row[column] = number;
  }
  return row;
}
