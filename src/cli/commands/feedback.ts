/**
 * `slipway feedback <deployment> <file>` sends true labels for logged predictions: a CSV or JSON
 * Lines file with `request_id` (or `requestId`), optional `row_index`, and `label` columns, or with
 * `--key customer_id` an id column named like the key. `--request-id R --label 1` sends one. Prints
 * what was accepted and which labels were duplicates, unknown or late; exit 0 whatever they were.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { MAX_LABELS } from '../../monitoring/feedback/feedback-input.js';
import type { FeedbackItem, FeedbackResult } from '../../monitoring/feedback/index.js';
import { type CliContext, parseInteger, UsageError } from '../context.js';
import { table } from '../format.js';
import { type FileRow, readLabelFile } from './feedback-file.js';

interface FeedbackFlags {
  readonly key?: string;
  readonly labelColumn: string;
  readonly requestId?: string;
  readonly row?: number;
  readonly id?: string;
  readonly label?: string;
  readonly lateAfter?: number;
}

/** Items listed in full in the human output; the rest are counted. */
const SHOWN = 20;

export function registerFeedback(program: Command, ctx: CliContext): void {
  program
    .command('feedback')
    .description(
      'Send true labels for logged predictions (by request id, or by an id feature with --key) from a CSV or JSON Lines file, or one with --request-id/--id and --label',
    )
    .argument('<deployment>', 'deployment name')
    .argument(
      '[file]',
      'CSV or JSON Lines: request_id (or requestId), row_index?, label; or the --key column and label',
    )
    .option('--key <feature>', "match labels to predictions by this feature's value (newest prediction wins)")
    .option('--label-column <name>', 'the column holding the label', 'label')
    .option('--request-id <id>', 'one label: the request id of the prediction')
    .option('--row <n>', 'one label: the row within the request (default 0)', parseInteger('--row'))
    .option('--id <value>', 'one label with --key: the value of the key feature')
    .option('--label <value>', 'one label: its value')
    .option(
      '--late-after <seconds>',
      'labels received longer than this after the prediction count as late (default 86400)',
      parseInteger('--late-after'),
    )
    .action(async (deployment: string, file: string | undefined, flags: FeedbackFlags) => {
      if (
        file !== undefined &&
        (flags.requestId !== undefined || flags.id !== undefined || flags.label !== undefined)
      )
        throw new UsageError('give either a file or --request-id/--id with --label, not both');
      const items =
        file === undefined
          ? [singleItem(flags)]
          : fileItems(await readLabelFile(resolve(ctx.io.cwd, file)), file, flags);
      if (items.length === 0) throw new UsageError(`${file} holds no labels`);
      const sw = await ctx.client();
      const results: FeedbackResult[] = [];
      // The API takes MAX_LABELS per call; each call is all or nothing.
      for (let start = 0; start < items.length; start += MAX_LABELS) {
        const batch = items.slice(start, start + MAX_LABELS);
        if (items.length > MAX_LABELS)
          ctx.note(`sending labels ${start + 1}-${start + batch.length} of ${items.length}`);
        const result = await sw.deployments.feedback(deployment, {
          ...(flags.key === undefined ? {} : { key: flags.key }),
          labels: batch,
          ...(flags.lateAfter === undefined ? {} : { lateAfterSeconds: flags.lateAfter }),
        });
        results.push(offset(result, start));
      }
      const total = combine(results);
      ctx.emit(
        total,
        () => describeResult(total),
        () => [String(total.accepted)],
      );
    });
}

function singleItem(flags: FeedbackFlags): FeedbackItem {
  if (flags.label === undefined) throw new UsageError('give a file of labels, or one label with --label');
  if (flags.key !== undefined) {
    if (flags.id === undefined) throw new UsageError('--key needs --id <value> for one label');
    return { id: flags.id, label: flags.label };
  }
  if (flags.requestId === undefined)
    throw new UsageError('one label needs --request-id <id> (or --key <feature> with --id <value>)');
  return {
    requestId: flags.requestId,
    ...(flags.row === undefined ? {} : { rowIndex: flags.row }),
    label: flags.label,
  };
}

const firstOf = (row: FileRow, names: readonly string[]) =>
  names.map((name) => row[name]).find((value) => value !== undefined && value !== '');

function fileItems(rows: readonly FileRow[], file: string, flags: FeedbackFlags): FeedbackItem[] {
  const has = (name: string) => rows.some((row) => name in row);
  const label = flags.labelColumn;
  if (rows.length > 0 && !has(label))
    throw new UsageError(`${file} has no '${label}' column (name the label column with --label-column)`);
  if (flags.key !== undefined) {
    const idColumns = [flags.key, 'id'];
    if (rows.length > 0 && !idColumns.some(has))
      throw new UsageError(`${file} has no '${flags.key}' (or 'id') column to match --key ${flags.key} by`);
    return rows.map((row) => ({
      id: firstOf(row, idColumns) as string | number,
      label: row[label] as FeedbackItem['label'],
    }));
  }
  const requestColumns = ['request_id', 'requestId'];
  if (rows.length > 0 && !requestColumns.some(has))
    throw new UsageError(
      `${file} has no 'request_id' (or 'requestId') column; to match by a feature use --key`,
    );
  return rows.map((row) => {
    const index = firstOf(row, ['row_index', 'rowIndex']);
    return {
      requestId: String(firstOf(row, requestColumns) ?? ''),
      ...(index === undefined
        ? {}
        : { rowIndex: typeof index === 'string' && /^\d+$/.test(index) ? Number(index) : (index as number) }),
      label: row[label] as FeedbackItem['label'],
    };
  });
}

/** Item indexes of a later batch, counted from the start of the file. */
function offset(result: FeedbackResult, start: number): FeedbackResult {
  if (start === 0) return result;
  return {
    ...result,
    duplicates: result.duplicates.map((d) => ({ ...d, index: d.index + start })),
    unknown: result.unknown.map((u) => ({ ...u, index: u.index + start })),
  };
}

function combine(results: readonly FeedbackResult[]): FeedbackResult {
  const [first] = results;
  return {
    deployment: first!.deployment,
    accepted: results.reduce((sum, r) => sum + r.accepted, 0),
    duplicates: results.flatMap((r) => r.duplicates),
    unknown: results.flatMap((r) => r.unknown),
    late: results.reduce((sum, r) => sum + r.late, 0),
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function describeResult(result: FeedbackResult): string {
  const lines = [
    `${result.deployment}: ${result.accepted} accepted (${result.late} late), ${plural(result.duplicates.length, 'duplicate')}, ${result.unknown.length} unknown`,
  ];
  if (result.duplicates.length > 0) {
    lines.push('', 'Duplicates (already labelled; the first label stays):');
    lines.push(
      table(
        ['ITEM', 'REQUEST', 'ROW', 'ID', 'KEPT LABEL'],
        result.duplicates
          .slice(0, SHOWN)
          .map((d) => [
            String(d.index + 1),
            d.requestId,
            String(d.rowIndex),
            d.id ?? '-',
            JSON.stringify(d.label),
          ]),
      ),
    );
    if (result.duplicates.length > SHOWN)
      lines.push(`… and ${result.duplicates.length - SHOWN} more (--json lists all)`);
  }
  if (result.unknown.length > 0) {
    lines.push('', 'Unknown (no logged prediction of this deployment; the log may not have written it yet):');
    lines.push(
      table(
        ['ITEM', 'REQUEST', 'ROW', 'ID'],
        result.unknown
          .slice(0, SHOWN)
          .map((u) => [
            String(u.index + 1),
            u.requestId ?? '-',
            u.rowIndex === undefined ? '-' : String(u.rowIndex),
            u.id ?? '-',
          ]),
      ),
    );
    if (result.unknown.length > SHOWN)
      lines.push(`… and ${result.unknown.length - SHOWN} more (--json lists all)`);
  }
  return lines.join('\n');
}
