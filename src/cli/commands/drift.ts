/**
 * slipway drift compare <reference> <current>: the drift report of two tables. Each side is a local
 * CSV/Parquet/JSON-lines file or a dataset version (`name@v`). Two versions are compared by the
 * server (POST /api/v1/drift/compare); otherwise the report is computed here, a version being
 * downloaded in its Parquet form first. Finding drift is not a failure: the exit code is 0 either way.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  type Correction,
  compareLoaded,
  DRIFT_TESTS,
  type DriftCompareOptions,
  type DriftComparison,
  fileFormatOf,
  type LoadedTable,
  type NamedTable,
  type RequestedTestName,
  readFileTable,
} from '../../monitoring/index.js';
import { type CliContext, collectList, parseInteger, UsageError } from '../context.js';
import { driftTable } from '../drift-format.js';
import { formatNumber } from '../format.js';

const CORRECTIONS: readonly Correction[] = ['none', 'bonferroni', 'bh'];
const MAX_BINS = 10_000;

interface CompareFlags {
  readonly tests?: string[];
  readonly columns?: string[];
  readonly correction?: string;
  readonly driftShare?: number;
  readonly bins?: number;
}

type Side =
  | { readonly kind: 'file'; readonly path: string; readonly arg: string }
  | { readonly kind: 'dataset'; readonly ref: string };

export function registerDrift(program: Command, ctx: CliContext): void {
  const drift = program
    .command('drift')
    .description('Data drift: compare two tables (local files or dataset versions) column by column');

  drift
    .command('compare <reference> <current>')
    .description(
      'Drift report of <current> against <reference>; each is a CSV/Parquet/JSON-lines file or name@version (exit 0 whether or not drift is found)',
    )
    .option(
      '--tests <list>',
      `tests to run where they apply: ${DRIFT_TESTS.join(',')} (default: one per column by its data)`,
      collectList,
    )
    .option('--columns <list>', 'columns to compare (default: all)', collectList)
    .option('--correction <kind>', 'multiple-testing correction: none, bonferroni or bh (default none)')
    .option(
      '--drift-share <share>',
      'dataset drift when this share of columns drifts, in (0, 1] (default 0.5)',
      parseShare,
    )
    .option('--bins <n>', `histogram bins, 1 to ${MAX_BINS} (default 10)`, parseInteger('--bins'))
    .action(async (reference: string, current: string, flags: CompareFlags) => {
      const options = compareOptions(flags);
      const sides = await Promise.all([sideOf(ctx, reference), sideOf(ctx, current)]);
      const [ref, cur] = sides;
      let result: DriftComparison;
      if (ref.kind === 'dataset' && cur.kind === 'dataset') {
        const sw = await ctx.client();
        result = await sw.drift.compare({ reference: ref.ref, current: cur.ref, ...options });
      } else {
        result = await compareLocally(ctx, ref, cur, options);
      }
      ctx.emit(
        result,
        () => formatComparison(result),
        () => [result.datasetDrift ? 'yes' : 'no'],
      );
    });
}

function parseShare(value: string): number {
  const share = Number(value);
  if (value.trim() === '' || !(share > 0 && share <= 1)) {
    throw new UsageError(`--drift-share expects a number in (0, 1], got '${value}'`);
  }
  return share;
}

function compareOptions(flags: CompareFlags): DriftCompareOptions {
  const tests = flags.tests;
  if (tests !== undefined) {
    if (tests.length === 0) throw new UsageError('--tests expects a comma-separated list of tests');
    const unknown = tests.filter((t) => !(DRIFT_TESTS as readonly string[]).includes(t));
    if (unknown.length > 0) {
      throw new UsageError(
        `--tests: unknown test ${unknown.join(', ')}; expected some of ${DRIFT_TESTS.join(', ')}`,
      );
    }
  }
  if (flags.columns !== undefined && flags.columns.length === 0) {
    throw new UsageError('--columns expects a comma-separated list of column names');
  }
  const correction = flags.correction;
  if (correction !== undefined && !(CORRECTIONS as readonly string[]).includes(correction)) {
    throw new UsageError(`--correction expects none, bonferroni or bh, got '${correction}'`);
  }
  if (flags.bins !== undefined && (flags.bins < 1 || flags.bins > MAX_BINS)) {
    throw new UsageError(`--bins expects a whole number from 1 to ${MAX_BINS}, got ${flags.bins}`);
  }
  return {
    ...(tests === undefined ? {} : { tests: tests as RequestedTestName[] }),
    ...(flags.columns === undefined ? {} : { columns: flags.columns }),
    ...(correction === undefined ? {} : { correction: correction as Correction }),
    ...(flags.driftShare === undefined ? {} : { driftShare: flags.driftShare }),
    ...(flags.bins === undefined ? {} : { bins: flags.bins }),
  };
}

/** A path that exists, or that ends in .csv/.parquet/.jsonl, is a file; anything else a dataset reference. */
async function sideOf(ctx: CliContext, arg: string): Promise<Side> {
  const path = resolve(ctx.io.cwd, arg);
  const found = await stat(path).then(
    (s) => s,
    () => undefined,
  );
  if (found === undefined && fileFormatOf(arg) === undefined) return { kind: 'dataset', ref: arg };
  if (found === undefined) throw new UsageError(`cannot read file '${arg}': it does not exist`);
  if (!found.isFile()) throw new UsageError(`'${arg}' is not a file`);
  if (fileFormatOf(arg) === undefined) {
    throw new UsageError(
      `cannot tell the format of '${arg}' from its extension: use .csv, .parquet or .jsonl`,
    );
  }
  return { kind: 'file', path, arg };
}

async function compareLocally(
  ctx: CliContext,
  reference: Side,
  current: Side,
  options: DriftCompareOptions,
): Promise<DriftComparison> {
  const scratch = await mkdtemp(join(tmpdir(), 'slipway-drift-'));
  try {
    const read = options.columns === undefined ? {} : { columns: options.columns };
    const load = async (side: Side, which: string): Promise<NamedTable> => {
      if (side.kind === 'file') {
        return { name: side.arg, loaded: await readFileTable(side.path, fileFormatOf(side.arg)!, read) };
      }
      const sw = await ctx.client();
      const version = await sw.datasets.version(side.ref);
      const name = `${version.dataset}@${version.version}`;
      const file = join(scratch, `${which}.parquet`);
      await sw.datasets.download(name, file, { form: 'parquet' });
      const loaded: LoadedTable = await readFileTable(file, 'parquet', read);
      return { name, loaded };
    };
    const ref = await load(reference, 'reference');
    const cur = await load(current, 'current');
    return compareLoaded(ref, cur, options);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function formatComparison(r: DriftComparison): string {
  const lines: string[] = [
    `drift of ${r.current} (${r.rows.current} rows) against ${r.reference} (${r.rows.reference} rows)` +
      (r.correction === 'none' ? '' : `, p-values corrected: ${r.correction}`),
    '',
  ];
  lines.push(driftTable(r.columns));
  lines.push('');
  const rule = r.share >= r.driftShare && r.totalColumns > 0 ? '≥' : '<';
  const mmd = r.multivariate;
  lines.push(
    `dataset drift: ${r.datasetDrift ? 'yes' : 'no'} (${r.driftedColumns} of ${r.totalColumns} columns drifted, share ${rule} ${r.driftShare}${mmd?.drifted ? '; mmd drift' : ''})`,
  );
  if (mmd !== undefined) {
    lines.push(
      `multivariate: mmd over ${mmd.columns.join(', ')}: statistic ${formatNumber(mmd.statistic)}, p-value ${formatNumber(mmd.pvalue)}, threshold ${mmd.threshold}, drift ${mmd.drifted ? 'yes' : 'no'}`,
    );
  }
  for (const s of r.skipped) lines.push(`skipped: ${s.column} (${s.reason})`);
  for (const i of r.ignored) lines.push(`ignored: ${i.column} (${i.reason})`);
  return lines.join('\n');
}
