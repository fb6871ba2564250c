/** slipway runs [list|show|search|compare|metrics|create|log|end] */
import type { Command } from 'commander';
import type { MetricInput, Run, RunStatus } from '../../tracking/index.js';
import {
  type CliContext,
  collectList,
  collectPairs,
  morePages,
  type PageFlags,
  pageFlags,
  parseInteger,
  UsageError,
  withPaging,
} from '../context.js';
import { formatBytes, formatDuration, formatNumber, formatTime, shorten, sparkline } from '../format.js';

export function registerRuns(program: Command, ctx: CliContext): void {
  const runs = program
    .command('runs')
    .alias('run')
    .description('Runs: params, metrics, tags and artifacts of one training or evaluation');

  withPaging(runs.command('list', { isDefault: true }))
    .description("List an experiment's runs, newest first")
    .requiredOption('-e, --experiment <idOrName>', 'experiment id or name')
    .option('--status <status>', 'running, finished, failed or killed')
    .option('--parent <runId>', 'only children of this run')
    .action(async (options: { experiment: string; status?: RunStatus; parent?: string } & PageFlags) => {
      const sw = await ctx.client();
      const page = await sw.runs.list({
        experiment: options.experiment,
        ...(options.status === undefined ? {} : { status: options.status }),
        ...(options.parent === undefined ? {} : { parentRunId: options.parent }),
        ...pageFlags(options),
      });
      ctx.emit(
        page,
        () => runTable(ctx, page.items, page.nextPageToken),
        () => page.items.map((run) => run.id),
      );
    });

  withPaging(runs.command('search'))
    .description('Search runs: --filter "metrics.accuracy > 0.9 and params.model = \'gbdt\'"')
    .option(
      '-e, --experiment <idOrName>',
      'experiment(s) to search (repeatable or comma-separated; default: all)',
      collectList,
    )
    .option('-f, --filter <expression>', 'filter over metrics.*, params.*, tags.* and attributes')
    .option(
      '-o, --order-by <term>',
      "e.g. 'metrics.accuracy desc' (repeatable)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action(async (options: { experiment?: string[]; filter?: string; orderBy?: string[] } & PageFlags) => {
      const sw = await ctx.client();
      const page = await sw.runs.search({
        ...(options.experiment === undefined ? {} : { experiments: options.experiment }),
        ...(options.filter === undefined ? {} : { filter: options.filter }),
        ...(options.orderBy === undefined ? {} : { orderBy: options.orderBy }),
        ...pageFlags(options),
      });
      ctx.emit(
        page,
        () => runTable(ctx, page.items, page.nextPageToken),
        () => page.items.map((run) => run.id),
      );
    });

  runs
    .command('show <runId>')
    .description('Show a run: attributes, params, tags, latest metrics and artifacts')
    .action(async (runId: string) => {
      const sw = await ctx.client();
      const run = await sw.runs.get(runId);
      const [experiment, artifacts] = await Promise.all([
        sw.experiments.get(run.experimentId),
        sw.artifacts.list(runId),
      ]);
      ctx.emit(
        { ...run, artifacts },
        () => {
          const lines = [
            `Run ${run.name} (${run.id})`,
            `  experiment  ${experiment.name} (${experiment.id})`,
            `  status      ${run.status}`,
            `  started     ${formatTime(run.startTime)}`,
            `  ended       ${formatTime(run.endTime)}  (duration ${formatDuration(run.startTime, run.endTime)})`,
            ...(run.parentRunId === undefined ? [] : [`  parent      ${run.parentRunId}`]),
            ...(run.gitCommit === undefined ? [] : [`  git commit  ${run.gitCommit}`]),
            `  created by  ${run.createdBy}`,
            '',
            'Params',
            indent(
              ctx.table(
                ['KEY', 'VALUE'],
                Object.entries(run.params).map(([k, v]) => [k, shorten(v, 80)]),
              ),
            ),
            '',
            'Tags',
            indent(
              ctx.table(
                ['KEY', 'VALUE'],
                Object.entries(run.tags).map(([k, v]) => [k, shorten(v, 80)]),
              ),
            ),
            '',
            'Metrics (latest)',
            indent(
              ctx.table(
                ['KEY', 'VALUE', 'STEP'],
                Object.entries(run.metrics).map(([k, p]) => [k, formatNumber(p.value), String(p.step)]),
              ),
            ),
            '',
            'Artifacts',
            indent(
              ctx.table(
                ['PATH', 'SIZE', 'SHA256'],
                artifacts.map((a) => [a.path, formatBytes(a.size), a.digest.slice(0, 16)]),
              ),
            ),
          ];
          return lines.join('\n');
        },
        () => [run.id],
      );
    });

  runs
    .command('compare <runIds...>')
    .description('Params and latest metrics of several runs side by side (* marks differences)')
    .action(async (runIds: string[]) => {
      const sw = await ctx.client();
      const comparison = await sw.runs.compare(
        runIds.flatMap((id) => id.split(',')).filter((id) => id !== ''),
      );
      ctx.emit(
        comparison,
        () => {
          const headers = ['', 'KEY', ...comparison.runs.map((run) => shorten(run.name, 24))];
          const rows = [
            ['', 'id', ...comparison.runs.map((run) => run.id)],
            ['', 'status', ...comparison.runs.map((run) => run.status)],
            ...comparison.params.map((row) => [
              row.differs ? '*' : '',
              `params.${row.key}`,
              ...row.values.map((v) => (v === null ? '-' : shorten(v, 24))),
            ]),
            ...comparison.metrics.map((row) => [
              row.differs ? '*' : '',
              `metrics.${row.key}`,
              ...row.values.map((v) => (v === null ? '-' : formatNumber(v))),
            ]),
          ];
          return ctx.table(headers, rows);
        },
        () => comparison.runs.map((run) => run.id),
      );
    });

  runs
    .command('metrics <runId> <key>')
    .description('The full history of one metric, with a sparkline')
    .option('--limit <n>', 'at most this many points (default: all)', parseInteger('--limit'))
    .action(async (runId: string, key: string, options: { limit?: number }) => {
      const sw = await ctx.client();
      const points = await sw.runs.metricHistoryAll(
        runId,
        key,
        options.limit === undefined ? {} : { limit: options.limit },
      );
      ctx.emit({ items: points }, () => {
        const values = points.map((p) => p.value);
        const finite = values.filter(Number.isFinite);
        const summary =
          finite.length === 0
            ? ''
            : `\n${key}: ${points.length} points, min ${formatNumber(Math.min(...finite))}, max ${formatNumber(Math.max(...finite))}, last ${formatNumber(values.at(-1)!)}\n${sparkline(values, 60)}`;
        return (
          ctx.table(
            ['STEP', 'VALUE', 'TIMESTAMP'],
            points.map((p) => [String(p.step), formatNumber(p.value), new Date(p.timestamp).toISOString()]),
          ) + summary
        );
      });
    });

  runs
    .command('create')
    .description('Start a run (for scripts; SDKs use startRun)')
    .requiredOption('-e, --experiment <idOrName>', 'experiment id or name')
    .option('-n, --name <name>', 'run name (default: generated)')
    .option('--param <key=value>', 'a param (repeatable)', collectPairs('--param'))
    .option('--tag <key=value>', 'a tag (repeatable)', collectPairs('--tag'))
    .option('--parent <runId>', 'parent run')
    .option('--git-commit <sha>', 'code version')
    .action(
      async (options: {
        experiment: string;
        name?: string;
        param?: Record<string, string>;
        tag?: Record<string, string>;
        parent?: string;
        gitCommit?: string;
      }) => {
        const sw = await ctx.client();
        const run = await sw.runs.create({
          experiment: options.experiment,
          ...(options.name === undefined ? {} : { name: options.name }),
          ...(options.param === undefined ? {} : { params: options.param }),
          ...(options.tag === undefined ? {} : { tags: options.tag }),
          ...(options.parent === undefined ? {} : { parentRunId: options.parent }),
          ...(options.gitCommit === undefined ? {} : { gitCommit: options.gitCommit }),
        });
        ctx.emit(
          run,
          () => `started run '${run.name}' (${run.id})`,
          () => [run.id],
        );
      },
    );

  runs
    .command('log <runId>')
    .description(
      'Log metrics, params, tags and input datasets to a run: --metric loss=0.4 --step 3 --param lr=0.1 --input orders@7',
    )
    .option(
      '--metric <key=value>',
      'a metric value (repeatable; NaN, Infinity allowed)',
      collectPairs('--metric'),
    )
    .option('--step <n>', 'step for the metrics (default 0)', parseInteger('--step'))
    .option('--param <key=value>', 'a param (repeatable)', collectPairs('--param'))
    .option('--tag <key=value>', 'a tag (repeatable)', collectPairs('--tag'))
    .option('--input <dataset@version>', 'a dataset version the run read (repeatable; lineage)', collectList)
    .action(
      async (
        runId: string,
        options: {
          metric?: Record<string, string>;
          step?: number;
          param?: Record<string, string>;
          tag?: Record<string, string>;
          input?: string[];
        },
      ) => {
        if (
          options.metric === undefined &&
          options.param === undefined &&
          options.tag === undefined &&
          options.input === undefined
        ) {
          throw new UsageError('nothing to log: give --metric, --param, --tag or --input');
        }
        const sw = await ctx.client();
        const now = Date.now();
        const metrics: MetricInput[] = Object.entries(options.metric ?? {}).map(([key, text]) => {
          const value = Number(text);
          if (text.trim() === '' || (Number.isNaN(value) && text !== 'NaN'))
            throw new UsageError(`--metric ${key} expects a number, got '${text}'`);
          return { key, value, step: options.step ?? 0, timestamp: now };
        });
        if (options.param !== undefined) await sw.runs.logParams(runId, options.param);
        if (options.tag !== undefined) await sw.runs.setTags(runId, options.tag);
        if (metrics.length > 0) await sw.runs.logMetrics(runId, metrics);
        if (options.input !== undefined) await sw.runs.logInputs(runId, options.input);
        const run = await sw.runs.get(runId);
        ctx.emit(
          run,
          () => `logged to run '${run.name}' (${run.id})`,
          () => [run.id],
        );
      },
    );

  runs
    .command('end <runId>')
    .description('Mark a run finished (or --status failed|killed)')
    .option('--status <status>', 'finished, failed or killed', 'finished')
    .action(async (runId: string, options: { status: RunStatus }) => {
      const sw = await ctx.client();
      const run = await sw.runs.update(runId, { status: options.status });
      ctx.emit(
        run,
        () => `run '${run.name}' is ${run.status}`,
        () => [run.id],
      );
    });
}

function runTable(ctx: CliContext, runs: readonly Run[], nextPageToken: string | undefined): string {
  const rows = runs.map((run) => [
    run.id,
    shorten(run.name, 28),
    run.status,
    formatTime(run.startTime),
    formatDuration(run.startTime, run.endTime),
    shorten(
      Object.entries(run.metrics)
        .slice(0, 3)
        .map(([key, point]) => `${key}=${formatNumber(point.value)}`)
        .join(' '),
      70,
    ),
  ]);
  return (
    ctx.table(['ID', 'NAME', 'STATUS', 'STARTED', 'DURATION', 'METRICS'], rows) + morePages(nextPageToken)
  );
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
