/**
 * One page of a newest-first listing keyed by id (ids sort by creation time): the next page goes on
 * below the last id seen. The page token is tied to `query`, so a token from another listing is
 * refused rather than silently skipping rows.
 */
import { type SelectQueryBuilder, sql } from 'kysely';
import {
  decodePageToken,
  isKeyCursor,
  isOffsetCursor,
  type Page,
  type PageRequest,
  pageOf,
  pageSize,
} from '../core/pagination.js';

export async function newestFirstPage<DB, TB extends keyof DB, O extends { readonly id: string }, T>(
  select: SelectQueryBuilder<DB, TB, O>,
  page: PageRequest,
  query: string,
  toItem: (row: O) => T,
): Promise<Page<T>> {
  const limit = pageSize(page.limit);
  const after = decodePageToken(page.pageToken, query, isKeyCursor);
  const rows = await (after === undefined ? select : select.where(sql<boolean>`${sql.ref('id')} < ${after}`))
    .orderBy(sql.ref('id'), 'desc')
    .limit(limit + 1)
    .execute();
  return pageOf(rows, limit, toItem, (row) => row.id, query);
}

/** A whole-number key as a page cursor, within the integer columns of both databases. */
function isIntegerKeyCursor(cursor: unknown): cursor is number {
  return isOffsetCursor(cursor) && cursor <= 2 ** 31 - 1;
}

/**
 * One page of a listing by a whole-number key, highest first (a model's versions, a deployment's
 * revisions): the next page goes on below the last key seen.
 */
export async function highestFirstPage<DB, TB extends keyof DB, O, T>(
  select: SelectQueryBuilder<DB, TB, O>,
  column: string,
  page: PageRequest,
  query: string,
  keyOf: (row: O) => number,
  toItem: (row: O) => T,
): Promise<Page<T>> {
  const limit = pageSize(page.limit);
  const below = decodePageToken(page.pageToken, query, isIntegerKeyCursor);
  const rows = await (below === undefined
    ? select
    : select.where(sql<boolean>`${sql.ref(column)} < ${below}`)
  )
    .orderBy(sql.ref(column), 'desc')
    .limit(limit + 1)
    .execute();
  return pageOf(rows, limit, toItem, keyOf, query);
}
