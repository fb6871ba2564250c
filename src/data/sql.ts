/**
 * Quoting for the SQL that the data engine builds (DuckDB takes file paths and names as literals),
 * and the mean and standard deviation that survive very large values.
 */

/**
 * A DuckDB identifier: double quotes, inner quotes doubled. It cannot hold a NUL character, which is
 * why file-reader.ts refuses column names with one.
 */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A DuckDB string literal: single quotes, inner quotes doubled. DuckDB's parser ends a statement at a
 * NUL character, so text holding one (a data value, a suite's bound or pattern) becomes an
 * expression joining the pieces with chr(0); paths and option values never hold one.
 */
export function literal(text: string): string {
  const quote = (part: string) => `'${part.replaceAll("'", "''")}'`;
  if (!text.includes('\u0000')) return quote(text);
  return `(${text.split('\u0000').map(quote).join(' || chr(0) || ')})`;
}

/** A finite JS number as a DuckDB DOUBLE literal that reads back as the same number. */
export function doubleLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return `${String(value)}::DOUBLE`;
}

/**
 * `aggregate` (avg, stddev_samp) of the DOUBLE expression `x`. Sums of values beyond about 1e150
 * overflow a double (DuckDB's stddev_samp then fails "out of range", avg answers infinity). With a
 * `scale` from aggregateScale (a power of two, so the products are exact) the aggregate runs on
 * x·scale and its result is divided back. `filter` is the aggregate's FILTER condition.
 */
export function scaledAggregate(aggregate: 'avg' | 'stddev_samp', x: string, scale = 1, filter = ''): string {
  const where = filter === '' ? '' : ` FILTER (WHERE ${filter})`;
  if (scale === 1) return `${aggregate}(${x})${where}`;
  return `(${aggregate}(${x} * ${doubleLiteral(scale)})${where} / ${doubleLiteral(scale)})`;
}

/**
 * The scale for scaledAggregate(): 1, or for a column whose values reach `maxAbs` above 1e100, the
 * power of two that brings them near 1.
 */
export function aggregateScale(maxAbs: number | undefined): number {
  if (maxAbs === undefined || !Number.isFinite(maxAbs) || maxAbs <= 1e100) return 1;
  return 2 ** -Math.floor(Math.log2(maxAbs));
}

/** DuckDB's error for a variance or standard deviation beyond the largest double. */
export function isVarianceOverflow(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /^Out of Range Error: (STDDEV_SAMP|STDDEV_POP|VARSAMP|VARPOP) is out of range/.test(message);
}
