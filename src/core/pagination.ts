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

export function decodePageToken<T>(token: string | undefined, query: string): T | undefined {
  if (token === undefined || token === '') return undefined;
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      c?: unknown;
      q?: unknown;
    };
    if (decoded.q === query && decoded.c !== undefined) return decoded.c as T;
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
