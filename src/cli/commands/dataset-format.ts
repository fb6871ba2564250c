/** Human output for `slipway datasets`: a version's header, schema and per-column profile. */
import type { ColumnProfile, DatasetProfile, DatasetVersion } from '../../data/index.js';
import { UsageError } from '../context.js';
import {
  fieldBlock,
  formatBytes,
  formatNumber,
  formatTags,
  formatTime,
  orDash,
  sparkline,
  table,
} from '../format.js';

export function describeVersion(version: DatasetVersion, profile: DatasetProfile): string {
  const header = fieldBlock(`Dataset ${version.dataset}@${version.version}`, [
    [
      'format',
      `${version.format} (${formatBytes(version.sourceSize)}; stored as Parquet, ${formatBytes(version.dataSize)})`,
    ],
    ['rows', String(version.rowCount)],
    ['sha256', version.sourceDigest],
    ['created', `${formatTime(version.createdAt)} by ${version.createdBy}`],
    ['description', orDash(version.description)],
    ['tags', formatTags(version.tags)],
  ]);
  const schema = table(
    ['COLUMN', 'TYPE', 'PHYSICAL', 'NULLABLE'],
    version.columns.map((c) => [c.name, c.type, c.physicalType, c.nullable ? 'yes' : 'no']),
  );
  const profiles = table(
    ['COLUMN', 'NULLS', 'DISTINCT', 'SUMMARY'],
    profile.columns.map((c) => [
      c.name,
      `${c.nullCount} (${percent(c.nullCount, c.count)})`,
      `${c.distinctApproximate ? '~' : ''}${c.distinct}`,
      summary(c),
    ]),
  );
  return [header, '', 'Schema', schema, '', 'Profile', profiles].join('\n');
}

function summary(column: ColumnProfile): string {
  if (column.numeric !== undefined) {
    const n = column.numeric;
    const q = (key: string) => (n.quantiles[key] === undefined ? '-' : formatNumber(n.quantiles[key]!));
    return `min ${formatNumber(n.min)}  p50 ${q('0.5')}  max ${formatNumber(n.max)}  mean ${formatNumber(n.mean)}  std ${formatNumber(n.std)}  ${sparkline(n.histogram.counts, 20)}${n.nonFinite === undefined ? '' : `  (${n.nonFinite} NaN/Inf)`}`;
  }
  if (column.temporal !== undefined) return `${column.temporal.min} .. ${column.temporal.max}`;
  if (column.top !== undefined) {
    return column.top
      .slice(0, 5)
      .map((t) => `${t.value.length > 20 ? `${t.value.slice(0, 19)}…` : t.value} (${t.count})`)
      .join(', ');
  }
  return '-';
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '0%' : `${Number(((part / whole) * 100).toFixed(1))}%`;
}

/** `key=value` sets a tag; `key=` removes it. */
export function tagChanges(pairs: readonly string[]): Record<string, string | null> {
  const changes: Record<string, string | null> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`tags are key=value (key= removes one), got '${pair}'`);
    const value = pair.slice(eq + 1);
    changes[pair.slice(0, eq)] = value === '' ? null : value;
  }
  return changes;
}

export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** A JSON value from a row, as one table cell. */
export function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
