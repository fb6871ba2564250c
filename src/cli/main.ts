/**
 * The `slipway` command line. `runCli` is the whole program as a function of (argv, io) so that tests
 * run it in-process; bin.ts wires it to the real process. Exit codes: 0 success, 1 the operation
 * failed, 2 the command was called wrongly.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../core/config.js';
import { SlipwayError } from '../core/errors.js';
import { SLIPWAY_VERSION } from '../core/version.js';
import { registerAccess } from './commands/access.js';
import { registerArtifacts } from './commands/artifacts.js';
import { registerBackup } from './commands/backup.js';
import { registerDatasets } from './commands/datasets.js';
import { registerDeployments } from './commands/deployments.js';
import { registerDrift } from './commands/drift.js';
import { registerExperiments } from './commands/experiments.js';
import { registerFeedback } from './commands/feedback.js';
import { registerLineage } from './commands/lineage.js';
import { registerModels } from './commands/models.js';
import { registerMonitors } from './commands/monitors.js';
import { registerPipelines } from './commands/pipelines.js';
import { registerPredict } from './commands/predict.js';
import { registerQuickstart } from './commands/quickstart.js';
import { registerRuns } from './commands/runs.js';
import { registerServer } from './commands/server.js';
import { registerTrain } from './commands/train.js';
import { registerWorkers } from './commands/workers.js';
import { CliContext, type CliIO, UsageError } from './context.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const program = new Command('slipway')
    .description('Slipway: data, experiments, models, serving and monitoring in one MLOps platform')
    .version(SLIPWAY_VERSION, '-v, --version')
    .option('--json', 'machine-readable output (the REST API objects)')
    .option('-q, --quiet', 'print only ids')
    .option('--url <url>', 'server URL (default SLIPWAY_URL or http://127.0.0.1:7070)')
    .option('--token <token>', 'API token (default SLIPWAY_TOKEN or $SLIPWAY_HOME/admin.token)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  const ctx = new CliContext(io, program);
  registerServer(program, ctx);
  registerQuickstart(program, ctx);
  registerExperiments(program, ctx);
  registerRuns(program, ctx);
  registerArtifacts(program, ctx);
  registerAccess(program, ctx);
  registerBackup(program, ctx);
  registerDatasets(program, ctx);
  registerModels(program, ctx);
  registerLineage(program, ctx);
  registerTrain(program, ctx);
  registerDeployments(program, ctx);
  registerPredict(program, ctx);
  registerFeedback(program, ctx);
  registerPipelines(program, ctx);
  registerWorkers(program, ctx);
  registerDrift(program, ctx);
  registerMonitors(program, ctx);
  for (const command of program.commands)
    command.exitOverride().configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    return report(error, io);
  } finally {
    await ctx.close();
  }
}

function report(error: unknown, io: CliIO): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message; help and version are not failures.
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof UsageError) {
    io.stderr.write(`error: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof ConfigError) {
    io.stderr.write(`error: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof SlipwayError) {
    // One line first, the structured facts after.
    io.stderr.write(`error: ${error.message} [${error.code}]\n`);
    if (Object.keys(error.details).length > 0) io.stderr.write(`${JSON.stringify(error.details)}\n`);
    return EXIT_FAILED;
  }
  io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT_FAILED;
}
