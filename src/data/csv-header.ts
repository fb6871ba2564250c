/**
 * The header record of a CSV file, parsed here rather than by DuckDB because DuckDB silently renames
 * duplicate column names (`a`, `a_1`) and its dialect sniffer misreports ragged files.
 */
import { open } from 'node:fs/promises';

/** A header longer than this is not a header. */
const MAX_HEADER_BYTES = 1024 * 1024;

/** The fields of the first record of `text` (RFC 4180: ',' separates, '"' quotes, '""' escapes). */
export function parseFirstRecord(text: string): { readonly fields: string[]; readonly complete: boolean } {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      fields.push(field);
      return { fields, complete: true };
    } else {
      field += char;
    }
  }
  fields.push(field);
  return { fields, complete: !quoted };
}

/** The header fields of the CSV file at `path`; an empty array for an empty (or blank) file. */
export async function readCsvHeader(path: string): Promise<{ fields: string[]; complete: boolean }> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(MAX_HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, MAX_HEADER_BYTES, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    if (text.replace(/^\uFEFF/, '').trim() === '') return { fields: [], complete: true };
    const parsed = parseFirstRecord(text);
    const complete = parsed.complete && (bytesRead < MAX_HEADER_BYTES || /[\r\n]/.test(text));
    return { fields: parsed.fields, complete };
  } finally {
    await handle.close();
  }
}

/** The first pair of names that DuckDB would treat as the same column (it compares case-insensitively). */
export function firstDuplicate(
  names: readonly string[],
): { name: string; first: number; second: number } | undefined {
  const seen = new Map<string, number>();
  for (const [index, name] of names.entries()) {
    const key = name.toLowerCase();
    const earlier = seen.get(key);
    if (earlier !== undefined) return { name, first: earlier + 1, second: index + 1 };
    seen.set(key, index);
  }
  return undefined;
}
