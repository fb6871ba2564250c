/** Small SQL pieces that mean the same on SQLite and PostgreSQL. */
import { type RawBuilder, sql } from 'kysely';

/** `column LIKE '%text%'` with the text's own % and _ taken literally. */
export function containsText(column: string, text: string): RawBuilder<boolean> {
  const pattern = `%${text.replace(/[%_\\]/g, '\\$&')}%`;
  return sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`;
}
