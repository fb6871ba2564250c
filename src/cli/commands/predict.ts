/**
 * `slipway predict <deployment> '<json row>'… | --file rows.jsonl`: named features in, one line per
 * row out (the prediction, and the class probabilities of classifiers). With the global --json the
 * API's response is printed as is.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type CliContext, collectPairs, UsageError } from '../context.js';
import { table } from '../format.js';

interface PredictFlags {
  readonly file?: string;
  readonly header?: Record<string, string>;
}

export function registerPredict(program: Command, ctx: CliContext): void {
  program
    .command('predict')
    .description('Predict with a deployment from rows of named features (JSON objects)')
    .argument('<deployment>', 'deployment name')
    .argument('[rows...]', 'rows as JSON objects, e.g. \'{"tenure": 3, "plan": "pro"}\'')
    .option('-f, --file <file>', 'rows from a file: JSON Lines (one object per line) or a JSON array')
    .option(
      '-H, --header <name=value>',
      'a request header, e.g. a routing key (repeatable)',
      collectPairs('--header'),
    )
    .action(async (deployment: string, texts: string[], flags: PredictFlags) => {
      const rows = [
        ...texts.map((text, i) => parseRow(text, `row ${i + 1}`)),
        ...(flags.file === undefined ? [] : await readRows(resolve(ctx.io.cwd, flags.file))),
      ];
      if (rows.length === 0) throw new UsageError('give rows as JSON arguments or --file rows.jsonl');
      const sw = await ctx.client();
      const answer = await sw.deployments.predict(
        deployment,
        rows,
        flags.header === undefined ? {} : { headers: flags.header },
      );
      ctx.emit(
        answer,
        () => {
          const headers = [
            'ROW',
            'PREDICTION',
            ...(answer.probabilities === undefined ? [] : ['PROBABILITIES']),
          ];
          const lines = answer.predictions.map((prediction, i) => [
            String(i + 1),
            typeof prediction === 'string' ? prediction : JSON.stringify(prediction),
            ...(answer.probabilities === undefined
              ? []
              : [answer.probabilities[i]!.map((p) => (typeof p === 'number' ? p.toFixed(4) : p)).join('  ')]),
          ]);
          return `served by ${answer.modelVersion} (request ${answer.requestId})\n${table(headers, lines)}`;
        },
        () => [answer.requestId],
      );
    });
}

function parseRow(text: string, where: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${where} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(`${where} must be a JSON object of feature values, got ${text.slice(0, 80)}`);
  return value as Record<string, unknown>;
}

async function readRows(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${error.code ?? error.message}`);
  });
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const rows = JSON.parse(trimmed) as unknown[];
    return rows.map((row, i) => parseRow(JSON.stringify(row), `${file} item ${i + 1}`));
  }
  return trimmed
    .split('\n')
    .map((line, i) => [line.trim(), i] as const)
    .filter(([line]) => line !== '')
    .map(([line, i]) => parseRow(line, `${file} line ${i + 1}`));
}
