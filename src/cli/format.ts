/** Human output: aligned tables, compact numbers, durations, sizes and sparklines. */

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** The header of a `show`: a title line, then indented `label  value` lines with the values aligned. */
export function fieldBlock(
  title: string,
  fields: readonly (readonly [label: string, value: string])[],
): string {
  return [title, ...fields.map(([label, value]) => `  ${label.padEnd(13)}${value}`)].join('\n');
}

/** Empty text shown as '-', so a blank field reads as unset rather than missing. */
export function orDash(text: string): string {
  return text === '' ? '-' : text;
}

export function formatTags(tags: Readonly<Record<string, string>>): string {
  return orDash(
    Object.entries(tags)
      .map(([k, v]) => `${k}=${v}`)
      .join(', '),
  );
}

/** `active`, or `deleted since <time>`. */
export function formatLifecycle(entity: { readonly lifecycle: string; readonly deletedAt?: string }): string {
  return `${entity.lifecycle}${entity.deletedAt === undefined ? '' : ` since ${formatTime(entity.deletedAt)}`}`;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return value.toExponential(4);
  return String(Number(value.toPrecision(6)));
}

export function formatDuration(startIso: string, endIso?: string): string {
  const ms = (endIso === undefined ? Date.now() : Date.parse(endIso)) - Date.parse(startIso);
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
  return `${Math.floor(ms / 3_600_000)}h${Math.round((ms % 3_600_000) / 60_000)}m`;
}

export function formatTime(iso: string | undefined): string {
  return iso === undefined ? '-' : iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

export function formatBytes(size: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${size} B` : `${value.toFixed(1)} ${units[unit]}`;
}

const BARS = '▁▂▃▄▅▆▇█';

/** A one-line picture of a series (finite values only), resampled to at most `width` bars. */
export function sparkline(values: readonly number[], width = 40): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '';
  const buckets = Math.min(width, finite.length);
  const sampled = Array.from(
    { length: buckets },
    (_, i) => finite[Math.floor((i * finite.length) / buckets)]!,
  );
  const min = Math.min(...sampled);
  const max = Math.max(...sampled);
  return sampled
    .map((value) => BARS[max === min ? 3 : Math.round(((value - min) / (max - min)) * (BARS.length - 1))])
    .join('');
}

export function shorten(text: string, max = 48): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
