/** slipway datasets [list|push|show|versions|rows|pull|tag|diff|validate] */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { formatOfPath } from '../../client/datasets-api.js';
import type { DataFormat } from '../../data/index.js';
import {
  type CliContext,
  morePages,
  type PageFlags,
  pageFlags,
  parseInteger,
  UsageError,
  withPaging,
} from '../context.js';
import { type UpdateFlags, updateInput, withUpdateFlags } from '../entity-commands.js';
import { fieldBlock, formatBytes, formatTags, formatTime, orDash, shorten } from '../format.js';
import { registerDatasetChecks } from './dataset-checks.js';
import { cell, describeVersion, splitList, tagChanges } from './dataset-format.js';

export function registerDatasets(program: Command, ctx: CliContext): void {
  const datasets = program
    .command('datasets')
    .alias('dataset')
    .description('Datasets: immutable, versioned tabular data with profiles, diffs and validation');

  withPaging(datasets.command('list', { isDefault: true }))
    .description('List datasets, newest first')
    .action(async (options: PageFlags) => {
      const sw = await ctx.client();
      const page = await sw.datasets.list(pageFlags(options));
      ctx.emit(
        page,
        () =>
          ctx.table(
            ['NAME', 'LATEST', 'UPDATED', 'DESCRIPTION'],
            page.items.map((d) => [
              d.name,
              d.latestVersion === undefined ? '-' : `@${d.latestVersion}`,
              formatTime(d.updatedAt),
              shorten(d.description),
            ]),
          ) + morePages(page.nextPageToken),
        () => page.items.map((d) => d.name),
      );
    });

  datasets
    .command('push <name> <file>')
    .description(
      'Push a CSV, Parquet or JSON-lines file as a new version (identical content: the existing one)',
    )
    .option('--format <format>', 'csv, parquet or jsonl (default: from the file extension)')
    .option('-d, --description <text>', 'what this version is')
    .option('--derived-from <ref...>', 'versions this one was made from (name@N; lineage)')
    .option('--run <id>', 'the run that produced it (lineage)')
    .action(
      async (
        name: string,
        file: string,
        options: { format?: string; description?: string; derivedFrom?: string[]; run?: string },
      ) => {
        const path = resolve(ctx.io.cwd, file);
        const format = options.format ?? formatOfPath(path);
        if (format === undefined) {
          throw new UsageError(
            `cannot tell the format of '${file}' from its extension: pass --format csv|parquet|jsonl`,
          );
        }
        const sw = await ctx.client();
        const version = await sw.datasets.push(name, path, {
          format: format as DataFormat,
          ...(options.description === undefined ? {} : { description: options.description }),
          ...(options.derivedFrom === undefined
            ? {}
            : { derivedFrom: options.derivedFrom.flatMap(splitList) }),
          ...(options.run === undefined ? {} : { run: options.run }),
        });
        ctx.emit(
          version,
          () =>
            `${version.dataset}@${version.version}: ${version.rowCount} rows, ${version.columns.length} columns (${formatBytes(version.sourceSize)} ${version.format}, sha256 ${version.sourceDigest})`,
          () => [`${version.dataset}@${version.version}`],
        );
      },
    );

  datasets
    .command('show <ref>')
    .description('Show a version (name@N, name@latest or name): header, schema and profile')
    .action(async (ref: string) => {
      const sw = await ctx.client();
      const [version, profile] = await Promise.all([sw.datasets.version(ref), sw.datasets.profile(ref)]);
      ctx.emit(
        { ...version, profile },
        () => describeVersion(version, profile),
        () => [`${version.dataset}@${version.version}`],
      );
    });

  withPaging(datasets.command('versions <name>'))
    .description("List a dataset's versions, newest first")
    .action(async (name: string, options: PageFlags) => {
      const sw = await ctx.client();
      const page = await sw.datasets.versions(name, pageFlags(options));
      ctx.emit(
        page,
        () =>
          ctx.table(
            ['VERSION', 'FORMAT', 'ROWS', 'COLUMNS', 'SIZE', 'CREATED', 'BY', 'DESCRIPTION'],
            page.items.map((v) => [
              `@${v.version}`,
              v.format,
              String(v.rowCount),
              String(v.columns.length),
              formatBytes(v.sourceSize),
              formatTime(v.createdAt),
              v.createdBy,
              shorten(v.description),
            ]),
          ) + morePages(page.nextPageToken),
        () => page.items.map((v) => `${v.dataset}@${v.version}`),
      );
    });

  datasets
    .command('rows <ref>')
    .description('Preview rows of a version')
    .option('--limit <n>', 'rows to show (1-1000, default 20)', parseInteger('--limit'))
    .option('--offset <n>', 'rows to skip', parseInteger('--offset'))
    .action(async (ref: string, options: { limit?: number; offset?: number }) => {
      const sw = await ctx.client();
      const page = await sw.datasets.rows(ref, { limit: options.limit ?? 20, offset: options.offset ?? 0 });
      ctx.emit(
        page,
        () => {
          const names = page.columns.map((c) => c.name);
          const body = ctx.table(
            names,
            page.rows.map((row) => names.map((n) => shorten(cell(row[n]), 32))),
          );
          const last = page.offset + page.rows.length;
          return `${body}\nrows ${page.rows.length === 0 ? 0 : page.offset + 1}-${last} of ${page.rowCount}`;
        },
        () => [],
      );
    });

  datasets
    .command('pull <ref>')
    .description('Download a version as pushed (or --parquet), verified against its sha256 (-o - for stdout)')
    .option('-o, --output <file>', 'where to write it (default: <name>-v<N>.<format> here)')
    .option('--parquet', 'the stored Parquet form instead of the original bytes')
    .action(async (ref: string, options: { output?: string; parquet?: boolean }) => {
      const sw = await ctx.client();
      const form = options.parquet === true ? 'parquet' : 'source';
      if (options.output === '-') {
        ctx.io.stdout.write(await sw.datasets.bytes(ref, { form }));
        return;
      }
      let output = options.output;
      if (output === undefined) {
        const version = await sw.datasets.version(ref);
        output = `${version.dataset}-v${version.version}.${form === 'parquet' ? 'parquet' : version.format}`;
      }
      const target = resolve(ctx.io.cwd, output);
      const info = await sw.datasets.download(ref, target, { form });
      ctx.emit(
        info,
        () => `wrote ${target} (${formatBytes(info.size)}, sha256 verified)`,
        () => [target],
      );
    });

  datasets
    .command('tag <ref> <pairs...>')
    .description('Set tags on a version (key=value; key= removes the tag)')
    .action(async (ref: string, pairs: string[]) => {
      const sw = await ctx.client();
      const version = await sw.datasets.updateVersion(ref, { tags: tagChanges(pairs) });
      ctx.emit(
        version,
        () => `${version.dataset}@${version.version} tags: ${formatTags(version.tags)}`,
        () => [`${version.dataset}@${version.version}`],
      );
    });

  withUpdateFlags(
    datasets.command('update <name>').description("Change a dataset's description or tags"),
  ).action(async (name: string, options: UpdateFlags) => {
    const sw = await ctx.client();
    const dataset = await sw.datasets.update(name, updateInput(options));
    ctx.emit(
      dataset,
      () =>
        fieldBlock(`Dataset ${dataset.name}`, [
          ['latest', dataset.latestVersion === undefined ? '-' : `@${dataset.latestVersion}`],
          ['description', orDash(dataset.description)],
          ['tags', formatTags(dataset.tags)],
        ]),
      () => [dataset.name],
    );
  });

  registerDatasetChecks(datasets, ctx);
}
