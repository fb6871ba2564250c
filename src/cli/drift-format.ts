/** The per-column drift table and text histograms, shared by `drift compare` and `monitors report`. */
import type { ColumnDriftResult, DriftHistogram, TestOutcome } from '../monitoring/index.js';
import { formatNumber, table } from './format.js';

export const DRIFT_HEADERS = [
  'COLUMN',
  'TYPE',
  'TEST',
  'STATISTIC',
  'P-VALUE/DISTANCE',
  'THRESHOLD',
  'DRIFT',
];

/** One row per test of every column, drifted columns first (the report's order). */
export function driftTable(columns: readonly ColumnDriftResult[], headers = DRIFT_HEADERS): string {
  const rows = columns.flatMap((c) => c.tests.map((t) => testRow(c, t)));
  return rows.length === 0 ? '(no column tests)' : table(headers, rows);
}

function testRow(c: ColumnDriftResult, t: TestOutcome): string[] {
  const value =
    t.pvalue !== undefined
      ? formatNumber(t.pvalue) +
        (t.adjustedPvalue === undefined ? '' : ` (adj ${formatNumber(t.adjustedPvalue)})`)
      : formatNumber(t.distance ?? t.statistic);
  return [
    c.column,
    c.kind,
    t.test,
    formatNumber(t.statistic),
    value,
    String(t.threshold),
    t.drifted ? 'yes' : 'no',
  ];
}

const BAR = 20;

/** Reference and current shares per bin as bars, the same bins on both sides. */
export function textHistogram(histogram: DriftHistogram): string {
  const labels =
    histogram.categories ??
    (histogram.edges ?? []).slice(0, -1).map((edge, i, all) => {
      const upper = histogram.edges![i + 1]!;
      return `[${formatNumber(edge)}, ${formatNumber(upper)}${i === all.length - 1 ? ']' : ')'}`;
    });
  const share = (counts: readonly number[]) => {
    const total = counts.reduce((a, b) => a + b, 0);
    return counts.map((count) => (total === 0 ? 0 : count / total));
  };
  const reference = share(histogram.reference);
  const current = share(histogram.current);
  const width = Math.max(3, ...labels.map((label) => label.length));
  const lines = [`  ${'BIN'.padEnd(width)}  ${'REFERENCE'.padEnd(BAR + 7)}  CURRENT`];
  for (let i = 0; i < labels.length; i++) {
    lines.push(`  ${labels[i]!.padEnd(width)}  ${bar(reference[i] ?? 0)}  ${bar(current[i] ?? 0).trimEnd()}`);
  }
  return lines.join('\n');
}

function bar(share: number): string {
  const filled = Math.round(share * BAR);
  return `${'█'.repeat(filled)}${' '.repeat(BAR - filled)} ${`${(share * 100).toFixed(1)}%`.padStart(6)}`;
}
