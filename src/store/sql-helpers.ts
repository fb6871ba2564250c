/** Small SQL pieces that mean the same on SQLite and PostgreSQL. */
import { type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';

/** `column LIKE '%text%'` with the text's own % and _ taken literally. */
export function containsText(column: string, text: string): RawBuilder<boolean> {
  const pattern = `%${text.replace(/[%_\\]/g, '\\$&')}%`;
  return sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`;
}

/** Only rows whose `name` contains `text` (names are stored lower-case); every row for no or empty text. */
export function whereNameContains<DB, TB extends keyof DB, O>(
  select: SelectQueryBuilder<DB, TB, O>,
  text: string | undefined,
): SelectQueryBuilder<DB, TB, O> {
  return text === undefined || text === '' ? select : select.where(containsText('name', text.toLowerCase()));
}
