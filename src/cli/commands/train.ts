/**
 * slipway train --dataset churn@3 --target churned [...]: starts an AutoML job and follows it with
 * progress (trials done, best so far) until the leaderboard and the registered model are in; and
 * slipway automl list|show|cancel for jobs started earlier or elsewhere.
 */
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { AutomlJob, MetricName, StartAutomlInput, Strategy, Task } from '../../training/index.js';
import { AUTOML_JOB_STATUSES, METRIC_NAMES, STRATEGIES, TASKS } from '../../training/index.js';
import { describeJob, progressLine } from '../automl-format.js';
import {
  type CliContext,
  collectList,
  morePages,
  pageFlags,
  parseInteger,
  UsageError,
  withPaging,
} from '../context.js';

interface TrainFlags {
  dataset: string;
  target: string;
  task?: string;
  metric?: string;
  strategy?: string;
  trials?: number;
  timeBudget?: string;
  folds?: number;
  holdout?: string;
  seed?: number;
  searchSpace?: string;
  exclude?: string[];
  register?: string;
  experiment?: string;
  parallelism?: number;
  detach?: boolean;
}

export function registerTrain(program: Command, ctx: CliContext): void {
  program
    .command('train')
    .description('Train a model with AutoML on a dataset version; exits 1 unless the job succeeds')
    .requiredOption('--dataset <ref>', "dataset version, e.g. 'churn@3' (a bare name: its latest)")
    .requiredOption('--target <column>', 'the column to predict')
    .option('--task <task>', `${TASKS.join(' | ')} (default: inferred from the target)`)
    .option('--metric <metric>', `${METRIC_NAMES.join(' | ')} (default: log_loss, or rmse for regression)`)
    .option('--strategy <strategy>', `${STRATEGIES.join(' | ')} (default: random)`)
    .option('--trials <n>', 'most trials to run (default 30)', parseInteger('--trials'))
    .option('--time-budget <duration>', "e.g. '120s', '5m', '1h' (default 120s)")
    .option('--folds <k>', 'k of the k-fold cross-validation (default 5)', parseInteger('--folds'))
    .option('--holdout <fraction>', 'share of rows held out for the final evaluation (default 0.2)')
    .option('--seed <n>', 'seed of the splits and the search (default 0)', parseInteger('--seed'))
    .option('--search-space <file>', 'a JSON or YAML search space replacing the default one')
    .option('--exclude <columns>', 'columns not to learn from, comma-separated (repeatable)', collectList)
    .option('--register <model>', 'register the best model as a new version of this model')
    .option('--experiment <name>', "experiment of the AutoML run (default 'automl-<dataset>')")
    .option(
      '--parallelism <n>',
      'trials at once (default: the number of cores)',
      parseInteger('--parallelism'),
    )
    .option('--detach', 'start the job and print its id without waiting')
    .action(async (flags: TrainFlags) => {
      const input = await trainInput(ctx, flags);
      const sw = await ctx.client();
      const started = await sw.automl.start(input);
      ctx.note(
        `AutoML job ${started.id} started (run ${started.run}); ${started.task}, metric ${started.metric}`,
      );
      if (flags.detach === true) {
        ctx.emit(
          started,
          () => started.id,
          () => [started.id],
        );
        return;
      }
      const job = await sw.automl.wait(started.id, { onProgress: progressReporter(ctx) });
      ctx.emit(
        job,
        () => describeJob(job),
        () => [job.result?.modelVersion ?? job.id],
      );
      if (job.status !== 'succeeded') {
        throw new Error(
          `AutoML job ${job.id} ${job.status}${job.error === undefined ? '' : `: ${job.error.message}`}`,
        );
      }
    });

  const automl = program.command('automl').description('AutoML jobs started with slipway train');
  withPaging(automl.command('list', { isDefault: true }))
    .description('AutoML jobs, newest first')
    .option('--status <status>', AUTOML_JOB_STATUSES.join(' | '))
    .action(async (options: { status?: string; limit?: number; pageToken?: string }) => {
      if (
        options.status !== undefined &&
        !(AUTOML_JOB_STATUSES as readonly string[]).includes(options.status)
      ) {
        throw new UsageError(
          `--status must be one of ${AUTOML_JOB_STATUSES.join(', ')}, got '${options.status}'`,
        );
      }
      const sw = await ctx.client();
      const page = await sw.automl.list({
        ...pageFlags(options),
        ...(options.status === undefined ? {} : { status: options.status as AutomlJob['status'] }),
      });
      ctx.emit(
        page,
        () =>
          ctx.table(
            ['ID', 'STATUS', 'DATASET', 'TARGET', 'METRIC', 'TRIALS', 'BEST', 'MODEL'],
            page.items.map((job) => [
              job.id,
              job.status,
              job.dataset,
              job.target,
              job.metric,
              `${job.progress.trialsDone}/${job.progress.trialsPlanned}`,
              job.result === undefined
                ? '-'
                : `${job.result.best.family} ${job.result.best.score?.toPrecision(4)}`,
              job.result?.modelVersion ?? '-',
            ]),
          ) + morePages(page.nextPageToken),
        () => page.items.map((job) => job.id),
      );
    });
  automl
    .command('show <id>')
    .description('An AutoML job: progress, and once done the leaderboard, holdout metrics and model')
    .action(async (id: string) => {
      const job = await (await ctx.client()).automl.get(id);
      ctx.emit(
        job,
        () => describeJob(job),
        () => [job.id],
      );
    });
  automl
    .command('cancel <id>')
    .description('Cancel a queued or running AutoML job')
    .action(async (id: string) => {
      const job = await (await ctx.client()).automl.cancel(id);
      ctx.emit(
        job,
        () => `AutoML job ${job.id} is ${job.status}`,
        () => [job.id],
      );
    });
}

async function trainInput(ctx: CliContext, flags: TrainFlags): Promise<StartAutomlInput> {
  const oneOf = (flag: string, value: string | undefined, allowed: readonly string[]) => {
    if (value !== undefined && !allowed.includes(value)) {
      throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got '${value}'`);
    }
    return value;
  };
  const task = oneOf('--task', flags.task, TASKS) as Task | undefined;
  const metric = oneOf('--metric', flags.metric, METRIC_NAMES) as MetricName | undefined;
  const strategy = oneOf('--strategy', flags.strategy, STRATEGIES) as Strategy | undefined;
  const holdout = flags.holdout === undefined ? undefined : Number(flags.holdout);
  if (holdout !== undefined && !Number.isFinite(holdout)) {
    throw new UsageError(`--holdout expects a fraction such as 0.2, got '${flags.holdout}'`);
  }
  return {
    dataset: flags.dataset,
    target: flags.target,
    ...(task === undefined ? {} : { task }),
    ...(metric === undefined ? {} : { metric }),
    ...(strategy === undefined ? {} : { strategy }),
    ...(flags.trials === undefined ? {} : { maxTrials: flags.trials }),
    ...(flags.timeBudget === undefined ? {} : { timeBudgetSeconds: parseDuration(flags.timeBudget) }),
    ...(flags.folds === undefined ? {} : { folds: flags.folds }),
    ...(holdout === undefined ? {} : { holdoutFraction: holdout }),
    ...(flags.seed === undefined ? {} : { seed: flags.seed }),
    ...(flags.searchSpace === undefined
      ? {}
      : { searchSpace: await readSearchSpace(ctx, flags.searchSpace) }),
    ...(flags.exclude === undefined ? {} : { exclude: flags.exclude }),
    ...(flags.register === undefined ? {} : { register: flags.register }),
    ...(flags.experiment === undefined ? {} : { experiment: flags.experiment }),
    ...(flags.parallelism === undefined ? {} : { parallelism: flags.parallelism }),
  };
}

const DURATION_UNITS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600 };

/** '120s', '5m', '1.5h' or plain seconds, to seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([smh]?)$/.exec(text.trim());
  if (match === null)
    throw new UsageError(`--time-budget expects a duration such as 120s, 5m or 1h, got '${text}'`);
  return Number(match[1]) * DURATION_UNITS[match[2]!]!;
}

async function readSearchSpace(ctx: CliContext, path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(resolve(ctx.io.cwd, path), 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read search space '${path}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  let value: unknown;
  try {
    value = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new UsageError(`search space '${path}' does not parse: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`search space '${path}' must be a mapping of model family to parameters`);
  }
  return value as Record<string, unknown>;
}

/** On a terminal one line redrawn in place; otherwise a line each time a trial finishes. */
function progressReporter(ctx: CliContext): (job: AutomlJob) => void {
  const tty = (ctx.io.stderr as { isTTY?: boolean }).isTTY === true;
  let last = '';
  return (job) => {
    const line = progressLine(job);
    if (line === last || ctx.quiet) return;
    last = line;
    ctx.io.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  };
}
