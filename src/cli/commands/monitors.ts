/**
 * slipway monitors: watch a deployment's live inputs and predictions against a reference. `create`
 * and `update` take the monitor's settings as flags; `evaluate` runs one now and prints its report;
 * `report` prints a stored one (default the latest): the features sorted by drift, the prediction
 * drift of each served version, data quality, and text histograms of the top features.
 */
import type { Command } from 'commander';
import { SlipwayError } from '../../core/errors.js';
import type { MonitorInput, MonitorReport } from '../../monitoring/index.js';
import {
  type CliContext,
  collectList,
  collectPairs,
  morePages,
  pageFlags,
  UsageError,
  withPaging,
} from '../context.js';
import { formatTime } from '../format.js';
import {
  formatMonitor,
  formatReport,
  MONITOR_HEADERS,
  monitorRow,
  REPORT_HEADERS,
  reportRow,
} from '../monitors-format.js';

interface SettingFlags {
  readonly description?: string;
  readonly reference?: string;
  readonly model?: string;
  readonly window?: string;
  readonly features?: string[];
  readonly tests?: string[];
  readonly override?: Record<string, string>;
  readonly driftShare?: string;
  readonly correction?: string;
  readonly bins?: string;
  readonly predictionDrift?: boolean;
  readonly degradation?: string;
  readonly degradationSamples?: string;
  readonly schedule?: string;
  readonly timezone?: string;
  readonly onDrift?: string;
  readonly param?: Record<string, string>;
  readonly cooldown?: string;
  readonly webhook?: string;
}

function settingOptions(command: Command): Command {
  return command
    .option('--description <text>', 'what the monitor is for')
    .option(
      '--reference <dataset@v>',
      'reference data (default: the training data of the champion route’s version)',
    )
    .option('--model <model@v>', 'only rows this model version (or alias) served')
    .option('--window <size>', 'rows (1000) or a duration (90s, 30m, 1h, 7d); default 1000 rows')
    .option('--features <list>', 'features to compare (default: the model’s features)', collectList)
    .option(
      '--tests <list>',
      'tests to run where they apply: ks,chi2,psi,js,wasserstein,ztest,mmd',
      collectList,
    )
    .option(
      '--override <column=test[:threshold]>',
      'one feature’s test and threshold (repeatable)',
      collectPairs('--override'),
    )
    .option('--drift-share <share>', 'dataset drift when this share of features drifts (default 0.5)')
    .option('--correction <kind>', 'multiple-testing correction: none, bonferroni or bh')
    .option('--bins <n>', 'histogram bins (default 10)')
    .option('--no-prediction-drift', 'do not compare the model’s answers')
    .option(
      '--degradation <metric:threshold>',
      "alert when live performance on labels crosses it: accuracy:0.8 (below), rmse:12 (above); 'none' removes it",
    )
    .option('--degradation-samples <n>', 'labelled rows a version needs before it is judged (default 100)')
    .option('--schedule <cron>', "evaluate on a cron schedule ('*/10 * * * *'); 'none' removes it")
    .option('--timezone <zone>', 'time zone of the schedule (default UTC)')
    .option('--on-drift <pipeline:name>', "run this pipeline when drift is found; 'none' removes it")
    .option('-p, --param <key=value>', 'param of the on-drift run (repeatable)', collectPairs('--param'))
    .option('--cooldown <duration>', 'at most one on-drift run per this long (default 1h)')
    .option('--webhook <url>', "POST a JSON alert here when drift is found; 'none' removes it");
}

function settingsOf(flags: SettingFlags, command: Command): MonitorInput {
  const none = (value: string | undefined) =>
    value === undefined ? undefined : value === 'none' ? null : value;
  const number = (flag: string, value: string | undefined) => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed))
      throw new UsageError(`${flag} expects a number, got '${value}'`);
    return parsed;
  };
  const overrides =
    flags.override === undefined
      ? undefined
      : Object.fromEntries(
          Object.entries(flags.override).map(([column, value]) => {
            const [test, threshold] = value.split(':');
            return [
              column,
              {
                test: test!,
                ...(threshold === undefined ? {} : { threshold: number('--override', threshold)! }),
              },
            ];
          }),
        );
  const reference = none(flags.reference);
  const model = none(flags.model);
  const schedule = none(flags.schedule);
  const onDrift = none(flags.onDrift);
  const webhook = none(flags.webhook);
  const degradation = none(flags.degradation);
  const degradationSamples = number('--degradation-samples', flags.degradationSamples);
  const driftShare = number('--drift-share', flags.driftShare);
  const bins = number('--bins', flags.bins);
  return {
    ...(flags.description === undefined ? {} : { description: flags.description }),
    ...(reference === undefined ? {} : { reference }),
    ...(model === undefined ? {} : { model }),
    ...(flags.window === undefined ? {} : { window: flags.window }),
    ...(flags.features === undefined ? {} : { features: flags.features }),
    ...(flags.tests === undefined ? {} : { tests: flags.tests }),
    ...(overrides === undefined ? {} : { overrides }),
    ...(driftShare === undefined ? {} : { driftShare }),
    ...(flags.correction === undefined ? {} : { correction: flags.correction }),
    ...(bins === undefined ? {} : { bins }),
    // Commander defaults --no-x flags to true; only an explicit --no-prediction-drift is a change.
    ...(command.getOptionValueSource('predictionDrift') === 'cli'
      ? { predictionDrift: flags.predictionDrift === true }
      : {}),
    ...(degradation === undefined ? {} : { degradation }),
    ...(degradationSamples === undefined ? {} : { degradationSamples }),
    ...(schedule === undefined ? {} : { schedule }),
    ...(flags.timezone === undefined ? {} : { timezone: flags.timezone }),
    ...(onDrift === undefined ? {} : { onDrift }),
    ...(flags.param === undefined ? {} : { onDriftParams: flags.param }),
    ...(flags.cooldown === undefined ? {} : { cooldown: flags.cooldown }),
    ...(webhook === undefined ? {} : { webhook }),
  };
}

export function registerMonitors(program: Command, ctx: CliContext): void {
  const monitors = program
    .command('monitors')
    .description('Monitors: drift and data quality of a deployment’s live traffic against a reference');

  const list = withPaging(
    monitors
      .command('list', { isDefault: true })
      .description('Monitors, newest first')
      .option('--deployment <name>', 'only monitors of this deployment'),
  ).action(async (options: { deployment?: string; limit?: number; pageToken?: string }) => {
    const sw = await ctx.client();
    const page = await sw.monitors.list({
      ...pageFlags(options),
      ...(options.deployment === undefined ? {} : { deployment: options.deployment }),
    });
    ctx.emit(
      page,
      () => ctx.table(MONITOR_HEADERS, page.items.map(monitorRow)) + morePages(page.nextPageToken),
      () => page.items.map((m) => m.name),
    );
  });
  void list;

  settingOptions(
    monitors
      .command('create [name]')
      .description('Create a monitor of a deployment (name defaults to the deployment’s)')
      .requiredOption('--deployment <name>', 'the deployment to watch'),
  ).action(
    async (name: string | undefined, flags: SettingFlags & { deployment: string }, command: Command) => {
      const sw = await ctx.client();
      const monitor = await sw.monitors.create({
        ...(name === undefined ? {} : { name }),
        deployment: flags.deployment,
        ...settingsOf(flags, command),
      });
      ctx.emit(
        monitor,
        () => `created monitor ${monitor.name}\n\n${formatMonitor(monitor)}`,
        () => [monitor.name],
      );
    },
  );

  settingOptions(monitors.command('update <name>').description('Change a monitor’s settings')).action(
    async (name: string, flags: SettingFlags, command: Command) => {
      const input = settingsOf(flags, command);
      if (Object.keys(input).length === 0)
        throw new UsageError('monitors update: give at least one setting to change');
      const sw = await ctx.client();
      const monitor = await sw.monitors.update(name, input);
      ctx.emit(
        monitor,
        () => `updated monitor ${monitor.name}\n\n${formatMonitor(monitor)}`,
        () => [monitor.name],
      );
    },
  );

  monitors
    .command('show <name>')
    .description('A monitor’s settings, schedule, actions and last report')
    .action(async (name: string) => {
      const sw = await ctx.client();
      const monitor = await sw.monitors.get(name);
      ctx.emit(
        monitor,
        () => formatMonitor(monitor),
        () => [monitor.name],
      );
    });

  monitors
    .command('delete <name>')
    .description('Delete a monitor with its reports and alerts (admin)')
    .action(async (name: string) => {
      const sw = await ctx.client();
      const monitor = await sw.monitors.delete(name);
      ctx.emit(
        monitor,
        () => `deleted monitor ${monitor.name}`,
        () => [monitor.name],
      );
    });

  monitors
    .command('evaluate <name>')
    .description('Evaluate now and print the report (--no-wait: print the running report’s id)')
    .option('--no-wait', 'do not wait for the report')
    .option('--top <n>', 'histograms of this many top features (default 3)', '3')
    .action(async (name: string, options: { wait: boolean; top: string }) => {
      const sw = await ctx.client();
      const started = await sw.monitors.evaluate(name);
      if (!options.wait) {
        ctx.emit(
          started,
          () => `report ${started.id} running: slipway monitors report ${name} ${started.id}`,
          () => [started.id],
        );
        return;
      }
      ctx.note(`evaluating ${name} (report ${started.id}) …`);
      const report = await sw.monitors.waitForReport(name, started.id);
      emitReport(ctx, report, Number(options.top));
    });

  monitors
    .command('report <name> [report]')
    .description(
      'A report (default the latest): features by drift, prediction drift, data quality, histograms',
    )
    .option('--latest', 'the newest report (the default)')
    .option('--top <n>', 'histograms of this many top features (default 3)', '3')
    .action(async (name: string, id: string | undefined, options: { latest?: boolean; top: string }) => {
      if (id !== undefined && options.latest === true)
        throw new UsageError('give a report id or --latest, not both');
      const sw = await ctx.client();
      const report = await sw.monitors.report(name, id ?? 'latest');
      emitReport(ctx, report, Number(options.top));
    });

  withPaging(monitors.command('reports <name>').description('Reports of a monitor, newest first')).action(
    async (name: string, options: { limit?: number; pageToken?: string }) => {
      const sw = await ctx.client();
      const page = await sw.monitors.reports(name, pageFlags(options));
      ctx.emit(
        page,
        () => ctx.table(REPORT_HEADERS, page.items.map(reportRow)) + morePages(page.nextPageToken),
        () => page.items.map((r) => r.id),
      );
    },
  );

  withPaging(
    monitors
      .command('alerts <name>')
      .description('Alert deliveries: webhook calls and on-drift pipeline runs'),
  ).action(async (name: string, options: { limit?: number; pageToken?: string }) => {
    const sw = await ctx.client();
    const page = await sw.monitors.alerts(name, pageFlags(options));
    ctx.emit(
      page,
      () =>
        ctx.table(
          ['ID', 'AT', 'REPORT', 'KIND', 'TARGET', 'STATUS', 'ATTEMPTS', 'RESULT'],
          page.items.map((a) => [
            a.id,
            formatTime(a.createdAt),
            a.report,
            a.kind,
            a.target,
            a.status,
            String(a.attempts),
            a.lastError ??
              (a.result === undefined
                ? '-'
                : Object.entries(a.result)
                    .map(([k, v]) => `${k} ${String(v)}`)
                    .join(', ')),
          ]),
        ) + morePages(page.nextPageToken),
      () => page.items.map((a) => a.id),
    );
  });
}

function emitReport(ctx: CliContext, report: MonitorReport, top: number): void {
  if (!Number.isInteger(top) || top < 0) throw new UsageError(`--top expects a whole number, got '${top}'`);
  if (report.status === 'failed' && !ctx.json) {
    const error = report.error ?? { code: 'INTERNAL', message: 'the evaluation failed' };
    throw new SlipwayError(error.code, 422, `report ${report.id} failed: ${error.message}`, {
      report: report.id,
    });
  }
  ctx.emit(
    report,
    () => formatReport(report, top),
    () => [report.id],
  );
}
