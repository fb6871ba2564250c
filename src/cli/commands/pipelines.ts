/**
 * `slipway pipelines apply <file>` ships a pipeline (definition, fn bundles, files) as a new version;
 * `pipelines [list] | show` read them; `pipelines run <name> [--watch]` starts a run and can follow it
 * live; `pipelines runs | status | logs | cancel | retry` read and steer runs; `pipelines schedules`
 * lists schedules and dataset triggers.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ExecutorName, PipelineRunInfo, PipelineRunStatus } from '../../pipelines/index.js';
import { EXECUTORS, PIPELINE_RUN_STATUSES } from '../../pipelines/index.js';
import {
  type CliContext,
  collectPairs,
  morePages,
  pageFlags,
  parseInteger,
  UsageError,
  withPaging,
} from '../context.js';
import { formatTime, orDash } from '../format.js';
import {
  describeApply,
  describeRun,
  describeVersion,
  RUNS_HEADERS,
  runDuration,
  runsTable,
} from './pipelines-format.js';
import { printLogs, watchRun } from './pipelines-watch.js';

interface RunFlags {
  readonly param?: Record<string, string>;
  readonly version?: number;
  readonly executor?: string;
  readonly cache: boolean;
  readonly watch?: boolean;
}

export function registerPipelines(program: Command, ctx: CliContext): void {
  const pipelines = program
    .command('pipelines')
    .description('Pipelines: apply definitions as versions, run them, follow runs and their logs');

  withPaging(pipelines.command('list', { isDefault: true }))
    .description('Pipelines, most recently changed first')
    .option('--name-contains <text>', 'only pipelines whose name contains this')
    .action(async (options: { nameContains?: string; limit?: number; pageToken?: string }) => {
      const page = await (await ctx.client()).pipelines.list({
        ...pageFlags(options),
        ...(options.nameContains === undefined ? {} : { nameContains: options.nameContains }),
      });
      ctx.emit(
        page,
        () =>
          ctx.table(
            ['NAME', 'VERSION', 'DESCRIPTION', 'UPDATED', 'BY'],
            page.items.map((p) => [
              p.name,
              String(p.latestVersion),
              orDash(p.description),
              formatTime(p.updatedAt),
              p.updatedBy,
            ]),
          ) + morePages(page.nextPageToken),
        () => page.items.map((p) => p.name),
      );
    });

  pipelines
    .command('apply <file>')
    .description(
      'Validate a pipeline file (YAML, or a module exporting definePipeline(…)), bundle its fn steps and apply it as a new version',
    )
    .action(async (file: string) => {
      const sw = await ctx.client();
      const result = await sw.pipelines.apply(resolve(ctx.io.cwd, file));
      ctx.emit(
        result,
        () => describeApply(result),
        () => [`${result.pipeline.name}@${result.version.version}`],
      );
    });

  pipelines
    .command('show <name>')
    .description('A pipeline version: params, source, digest and its DAG (default: the latest version)')
    .option('--version <n>', 'the version to show', parseInteger('--version'))
    .action(async (name: string, options: { version?: number }) => {
      const sw = await ctx.client();
      const pipeline = await sw.pipelines.get(name);
      const version = await sw.pipelines.version(name, options.version ?? pipeline.latestVersion);
      ctx.emit(
        version,
        () => describeVersion(version, pipeline.latestVersion),
        () => [`${version.pipeline}@${version.version}`],
      );
    });

  pipelines
    .command('run <name>')
    .description(
      'Start a run of a pipeline; with --watch follow it until it ends (exit 1 unless it succeeds)',
    )
    .option('-p, --param <key=value>', 'a param value (repeatable)', collectPairs('--param'))
    .option('--version <n>', 'the version to run (default: the latest)', parseInteger('--version'))
    .option('--executor <executor>', `${EXECUTORS.join(' | ')} (default: local)`)
    .option('--no-cache', 'run every step anew instead of reusing cached outputs')
    .option('-w, --watch', 'show live progress until the run has finished')
    .action(async (name: string, flags: RunFlags) => {
      if (flags.executor !== undefined && !(EXECUTORS as readonly string[]).includes(flags.executor))
        throw new UsageError(`--executor must be one of ${EXECUTORS.join(', ')}, got '${flags.executor}'`);
      const sw = await ctx.client();
      const started = await sw.pipelines.run(name, {
        ...(flags.param === undefined ? {} : { params: flags.param }),
        ...(flags.version === undefined ? {} : { version: flags.version }),
        ...(flags.executor === undefined ? {} : { executor: flags.executor as ExecutorName }),
        ...(flags.cache ? {} : { useCache: false }),
      });
      if (flags.watch !== true) {
        ctx.note(`started run ${started.id} of ${started.pipeline} version ${started.version}`);
        ctx.emit(
          started,
          () => started.id,
          () => [started.id],
        );
        return;
      }
      if (!ctx.json && !ctx.quiet)
        ctx.print(`started run ${started.id} of ${started.pipeline} version ${started.version}`);
      const run = await watchRun(ctx, sw, started.id);
      finish(ctx, run);
    });

  withPaging(pipelines.command('runs'))
    .description('Pipeline runs, newest first')
    .option('--pipeline <name>', 'only runs of this pipeline')
    .option('--status <status>', PIPELINE_RUN_STATUSES.join(' | '))
    .action(async (options: { pipeline?: string; status?: string; limit?: number; pageToken?: string }) => {
      if (
        options.status !== undefined &&
        !(PIPELINE_RUN_STATUSES as readonly string[]).includes(options.status)
      ) {
        throw new UsageError(
          `--status must be one of ${PIPELINE_RUN_STATUSES.join(', ')}, got '${options.status}'`,
        );
      }
      const page = await (await ctx.client()).pipelines.runs({
        ...pageFlags(options),
        ...(options.pipeline === undefined ? {} : { pipeline: options.pipeline }),
        ...(options.status === undefined ? {} : { status: options.status as PipelineRunStatus }),
      });
      ctx.emit(
        page,
        () => ctx.table(RUNS_HEADERS, runsTable(page.items)) + morePages(page.nextPageToken),
        () => page.items.map((run) => run.id),
      );
    });

  pipelines
    .command('schedules [name]')
    .description(
      'Cron schedules and dataset triggers (of one pipeline or all): next and last firing, last run',
    )
    .action(async (name: string | undefined) => {
      const listed = await (await ctx.client()).pipelines.schedules(name);
      ctx.emit(
        listed,
        () =>
          [
            listed.schedules.length === 0
              ? 'no schedules'
              : ctx.table(
                  ['PIPELINE', 'CRON', 'TIME ZONE', 'PARAMS', 'NEXT', 'LAST', 'LAST RUN'],
                  listed.schedules.map((schedule) => [
                    schedule.pipeline,
                    schedule.cron,
                    schedule.timezone,
                    Object.keys(schedule.params).length === 0 ? '-' : JSON.stringify(schedule.params),
                    schedule.nextFireAt === undefined ? '-' : formatTime(schedule.nextFireAt),
                    schedule.lastFireAt === undefined ? '-' : formatTime(schedule.lastFireAt),
                    schedule.lastRun ?? '-',
                  ]),
                ),
            '',
            listed.triggers.length === 0
              ? 'no dataset triggers'
              : ctx.table(
                  ['PIPELINE', 'DATASETS', 'PARAM', 'PARAMS', 'LAST', 'LAST RUN'],
                  listed.triggers.map((trigger) => [
                    trigger.pipeline,
                    trigger.dataset,
                    trigger.param ?? '-',
                    Object.keys(trigger.params).length === 0 ? '-' : JSON.stringify(trigger.params),
                    trigger.lastFireAt === undefined ? '-' : formatTime(trigger.lastFireAt),
                    trigger.lastRun ?? '-',
                  ]),
                ),
          ].join('\n'),
        () => [...listed.schedules, ...listed.triggers].map((entry) => entry.pipeline),
      );
    });

  pipelines
    .command('status <run>')
    .description('A pipeline run: every step with status, attempt, duration, outputs and errors')
    .action(async (id: string) => {
      const run = await (await ctx.client()).pipelines.getRun(id);
      ctx.emit(
        run,
        () => describeRun(run),
        () => [run.id],
      );
    });

  pipelines
    .command('logs <run>')
    .description("A run's step logs (every step's lines prefixed [step] or [step#item], unless --step)")
    .option('--step <step>', 'only this step')
    .option('--item <n>', 'only this item of a foreach step (needs --step)', parseInteger('--item'))
    .option('-f, --follow', 'keep printing new lines until the run has finished')
    .action(async (id: string, options: { step?: string; item?: number; follow?: boolean }) => {
      if (options.item !== undefined && options.step === undefined)
        throw new UsageError('--item needs --step');
      const sw = await ctx.client();
      await printLogs(
        ctx,
        sw,
        id,
        {
          ...(options.step === undefined ? {} : { step: options.step }),
          ...(options.item === undefined ? {} : { item: options.item }),
        },
        options.follow === true,
      );
    });

  pipelines
    .command('cancel <run>')
    .description('Cancel a run: running steps are stopped, the rest marked cancelled')
    .action(async (id: string) => {
      const run = await (await ctx.client()).pipelines.cancel(id);
      ctx.emit(
        run,
        () =>
          `run ${run.id} is ${run.status}${run.cancelRequested && run.status === 'running' ? ' (cancel requested)' : ''}`,
        () => [run.id],
      );
    });

  pipelines
    .command('retry <run>')
    .description('Run a finished run again, reusing the steps that succeeded (all, or those before --from)')
    .option('--from <step>', 'run this step and everything downstream again')
    .option('-w, --watch', 'show live progress until the new run has finished')
    .action(async (id: string, options: { from?: string; watch?: boolean }) => {
      const sw = await ctx.client();
      const started = await sw.pipelines.retry(id, options.from === undefined ? {} : { from: options.from });
      if (options.watch !== true) {
        ctx.note(
          `started run ${started.id}, a retry of ${id}${options.from === undefined ? '' : ` from ${options.from}`}`,
        );
        ctx.emit(
          started,
          () => started.id,
          () => [started.id],
        );
        return;
      }
      if (!ctx.json && !ctx.quiet) ctx.print(`started run ${started.id}, a retry of ${id}`);
      finish(ctx, await watchRun(ctx, sw, started.id));
    });
}

/** The end of a watched run: its summary, and exit 1 unless it succeeded. */
function finish(ctx: CliContext, run: PipelineRunInfo): void {
  ctx.emit(
    run,
    () => `run ${run.id} ${run.status} in ${runDuration(run)}`,
    () => [run.id],
  );
  if (run.status !== 'succeeded') {
    const failed = (run.steps ?? []).find((step) => step.status === 'failed');
    const cause =
      run.error?.message ??
      (failed?.error === undefined ? undefined : `step ${failed.step}: ${failed.error.message}`);
    throw new Error(`pipeline run ${run.id} ${run.status}${cause === undefined ? '' : `: ${cause}`}`);
  }
}
