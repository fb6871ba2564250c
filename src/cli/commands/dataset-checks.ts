/** slipway datasets diff|validate|validations */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { DatasetDiff, ValidationReport } from '../../data/index.js';
import { type CliContext, morePages, pageFlags, UsageError, withPaging } from '../context.js';
import { formatNumber, formatTime, shorten } from '../format.js';

/** Some expectation failed: exit code 1, after the report has been printed. */
class ExpectationsFailed extends Error {
  constructor(report: ValidationReport) {
    super(
      `validation of ${report.dataset}@${report.version} failed: ${report.counts.failed} of ${report.counts.expectations} expectations failed (report ${report.id})`,
    );
    this.name = 'ExpectationsFailed';
  }
}

export function registerDatasetChecks(datasets: Command, ctx: CliContext): void {
  datasets
    .command('diff <from> <to>')
    .description(
      'Compare two versions (name@1 name@2; `to` may be another dataset): schema, row counts, per-column shifts',
    )
    .action(async (from: string, to: string) => {
      const sw = await ctx.client();
      const diff = await sw.datasets.diff(from, to);
      ctx.emit(
        diff,
        () => describeDiff(ctx, diff),
        () => diff.columns.map((column) => column.name),
      );
    });

  datasets
    .command('validate <ref>')
    .description('Run a validation suite (YAML or JSON) against name@N; exits 1 when an expectation fails')
    .requiredOption('-s, --suite <file>', 'the suite file (.yaml, .yml or .json)')
    .action(async (ref: string, options: { suite: string }) => {
      const file = resolve(ctx.io.cwd, options.suite);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        throw new UsageError(
          `cannot read suite '${options.suite}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
      const sw = await ctx.client();
      const report = await sw.datasets.validate(ref, text);
      ctx.emit(
        report,
        () => describeReport(ctx, report),
        () => [report.id],
      );
      if (!report.success) throw new ExpectationsFailed(report);
    });

  withPaging(datasets.command('validations <ref> [id]'))
    .description("List a version's stored validation reports, newest first, or show one by id")
    .action(async (ref: string, id: string | undefined, options: { limit?: number; pageToken?: string }) => {
      const sw = await ctx.client();
      if (id !== undefined) {
        const report = await sw.datasets.validation(ref, id);
        ctx.emit(
          report,
          () => describeReport(ctx, report),
          () => [report.id],
        );
        return;
      }
      const page = await sw.datasets.validations(ref, pageFlags(options));
      ctx.emit(
        page,
        () =>
          ctx.table(
            ['ID', 'CREATED', 'RESULT', 'PASSED', 'FAILED', 'SUITE', 'BY'],
            page.items.map((r) => [
              r.id,
              formatTime(r.createdAt),
              r.success ? 'PASS' : 'FAIL',
              String(r.counts.passed),
              String(r.counts.failed),
              r.suite.name ?? '-',
              r.createdBy,
            ]),
          ) + morePages(page.nextPageToken),
        () => page.items.map((r) => r.id),
      );
    });
}

function describeDiff(ctx: CliContext, diff: DatasetDiff): string {
  const { from, to } = diff;
  const lines = [
    `${from.dataset}@${from.version} -> ${to.dataset}@${to.version}: rows ${from.rowCount} -> ${to.rowCount} (${signed(diff.rowCount.delta)})`,
  ];
  const { added, removed, typeChanged } = diff.schema;
  if (added.length > 0) lines.push(`added:        ${added.map((c) => `${c.name} (${c.type})`).join(', ')}`);
  if (removed.length > 0)
    lines.push(`removed:      ${removed.map((c) => `${c.name} (${c.type})`).join(', ')}`);
  if (typeChanged.length > 0)
    lines.push(`type changed: ${typeChanged.map((c) => `${c.name} ${c.from} -> ${c.to}`).join(', ')}`);
  lines.push('');
  lines.push(
    ctx.table(
      ['COLUMN', 'TYPE', 'PSI', 'NULL RATE', 'MEAN', 'STD'],
      diff.columns.map((c) => [
        c.name,
        c.fromType === undefined ? c.type : `${c.fromType} -> ${c.type}`,
        `${formatNumber(round(c.psi))}${c.psi >= 0.2 ? ' !' : ''}`,
        transition(c.nullRate),
        c.mean === undefined ? '-' : transition(c.mean),
        c.std === undefined ? '-' : transition(c.std),
      ]),
    ),
  );
  lines.push('', 'PSI: 0 unchanged, < 0.1 small, 0.1-0.2 moderate, >= 0.2 large shift (!)');
  return lines.join('\n');
}

function describeReport(ctx: CliContext, report: ValidationReport): string {
  const suite = report.suite.name === undefined ? '' : ` with suite '${report.suite.name}'`;
  const verdict = report.success
    ? `PASSED: all ${report.counts.expectations} expectations hold`
    : `FAILED: ${report.counts.failed} of ${report.counts.expectations} expectations failed`;
  const lines = [
    `Validation of ${report.dataset}@${report.version}${suite} (${report.rowCount} rows): ${verdict}`,
    `report ${report.id}, ${formatTime(report.createdAt)} by ${report.createdBy}`,
    '',
    ctx.table(
      ['#', 'EXPECTATION', 'COLUMN', 'RESULT', 'OBSERVED', 'OFFENDING'],
      report.results.map((r) => [
        String(r.index),
        r.type,
        r.column ?? '-',
        r.success ? 'PASS' : 'FAIL',
        shorten(formatObserved(r.observed), 60),
        r.offendingCount === undefined ? '-' : String(r.offendingCount),
      ]),
    ),
  ];
  for (const result of report.results) {
    if (result.success) continue;
    lines.push(
      '',
      `[${result.index}] ${result.type}${result.column === undefined ? '' : ` ${result.column}`}: ${result.message ?? 'failed'}`,
    );
    for (const example of result.examples ?? []) {
      lines.push(`    row ${example.row}: ${shorten(JSON.stringify(example.values), 160)}`);
    }
  }
  return lines.join('\n');
}

function formatObserved(observed: Readonly<Record<string, unknown>>): string {
  return Object.entries(observed)
    .map(
      ([key, value]) =>
        `${key}=${typeof value === 'number' ? formatNumber(round(value)) : JSON.stringify(value)}`,
    )
    .join(' ');
}

function transition(change: { from: number; to: number }): string {
  return `${formatNumber(round(change.from))} -> ${formatNumber(round(change.to))}`;
}

function signed(value: number): string {
  return value >= 0 ? `+${value}` : String(value);
}

function round(value: number): number {
  return Number.isFinite(value) ? Number(value.toPrecision(4)) : value;
}
