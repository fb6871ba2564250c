/** `{ items, nextPageToken }` lists with opaque tokens; a token from another query is rejected. */
import { InvalidError } from './errors.js';

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextPageToken?: string;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface PageRequest {
  readonly limit?: number;
  readonly pageToken?: string;
}

export function pageSize(limit: number | undefined, max = MAX_PAGE_SIZE): number {
  if (limit === undefined) return Math.min(DEFAULT_PAGE_SIZE, max);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new InvalidError(`limit must be an integer from 1 to ${max}, got ${limit}`, {
      field: 'limit',
      value: limit,
    });
  }
  return limit;
}

/** Encodes a cursor together with the query it belongs to. */
export function encodePageToken(cursor: unknown, query: string): string {
  return Buffer.from(JSON.stringify({ c: cursor, q: query })).toString('base64url');
}

/** An offset cursor: a non-negative safe integer. */
export function isOffsetCursor(cursor: unknown): cursor is number {
  return Number.isSafeInteger(cursor) && (cursor as number) >= 0;
}

/** A keyset cursor: the id of the last row of the previous page. */
export function isKeyCursor(cursor: unknown): cursor is string {
  return typeof cursor === 'string';
}

/**
 * Decodes a token made by encodePageToken for the same query. Tokens are not signed, so a caller can
 * craft one: the cursor is checked (`isCursor`) before it reaches SQL, where a wrong type would be a
 * database error (a 500) rather than INVALID_PAGE_TOKEN.
 */
export function decodePageToken<T>(
  token: string | undefined,
  query: string,
  isCursor: (cursor: unknown) => cursor is T,
): T | undefined {
  if (token === undefined || token === '') return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      c?: unknown;
      q?: unknown;
    } | null;
    if (decoded?.q === query && isCursor(decoded.c)) return decoded.c;
  } catch {
    // fall through to the error below
  }
  throw new InvalidError(
    'pageToken is not valid for this query; start again without it',
    { field: 'pageToken' },
    'INVALID_PAGE_TOKEN',
  );
}

/** Takes `limit + 1` rows, returns `limit` and a token made from the last row when there were more. */
export function pageOf<R, T>(
  rows: readonly R[],
  limit: number,
  toItem: (row: R) => T,
  cursorOf: (row: R) => unknown,
  query: string,
): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  const items = kept.map(toItem);
  return more ? { items, nextPageToken: encodePageToken(cursorOf(kept.at(-1)!), query) } : { items };
}
