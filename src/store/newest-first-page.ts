/**
 * One page of a newest-first listing keyed by id (ids sort by creation time): the next page goes on
 * below the last id seen. The page token is tied to `query`, so a token from another listing is
 * refused rather than silently skipping rows.
 */
import { type SelectQueryBuilder, sql } from 'kysely';
import {
  decodePageToken,
  isKeyCursor,
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
