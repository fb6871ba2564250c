/**
 * slipway quickstart [--exit]: starts a local server (SQLite + a local artifact folder), applies and
 * runs the churn-lifecycle example pipeline through the SDK over HTTP with live step progress, checks
 * what it made by reading it back, sends the deployment traffic, then plays the monitoring loop (drift,
 * retraining, a challenger promoted on live labels), and keeps serving until Ctrl-C (or, with --exit,
 * stops and exits 0 only if every step succeeded).
 */

import { isAbsolute, join, relative } from 'node:path';
import type { Command } from 'commander';
import { ADMIN_TOKEN_FILE } from '../../auth/index.js';
import { Slipway } from '../../client/slipway.js';
import { loadServerConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { type DemoResult, runDemo } from '../../quickstart/demo.js';
import { type LoopResult, runLoop } from '../../quickstart/loop-demo.js';
import { startServer } from '../../server/start.js';
import type { CliContext } from '../context.js';
import { untilSignal } from './server.js';

export function registerQuickstart(program: Command, ctx: CliContext): void {
  program
    .command('quickstart')
    .description(
      'Start a local server, run the churn-lifecycle pipeline (data, AutoML, gate, deploy), then drift, retraining and a promotion, and keep serving until Ctrl-C',
    )
    .option('--exit', 'stop after the demo; exit 0 only if every step succeeded')
    .action(async (options: { exit?: boolean }) => {
      const config = loadServerConfig(ctx.io.env, ctx.io.cwd);
      const say = (line: string) => ctx.io.stderr.write(`  ✓ ${line}\n`);
      const progress = (line: string) => ctx.io.stderr.write(`      ${line}\n`);
      const server = await startServer(config, {
        // The demo's own lines tell what happens; its drift warnings would only repeat them.
        logger: createLogger(config.logLevel === 'info' ? 'error' : config.logLevel),
      });
      const tokenPath = join(config.home, ADMIN_TOKEN_FILE);
      try {
        say(
          `server listening on ${server.url} (SQLite at ${config.database.kind === 'sqlite' ? config.database.path : 'PostgreSQL'}, artifacts in ${config.artifacts.kind === 'file' ? config.artifacts.path : 'S3'})`,
        );
        say(`admin token ${server.adminTokenPath === undefined ? 'in' : 'written to'} ${tokenPath}`);
        const sw = await Slipway.connect({ url: server.url, home: config.home, env: ctx.io.env });
        let result: DemoResult;
        let loop: LoopResult;
        try {
          result = await runDemo(sw, { say, progress });
          ctx.io.stderr.write(
            '\n  The world moves: drift, retraining, a challenger, a decision on live labels\n',
          );
          loop = await runLoop(sw, result.deployment, { say, progress });
        } finally {
          await sw.close();
        }
        const nearby = relative(ctx.io.cwd, result.pipelineFile);
        const example = nearby.startsWith('..') || isAbsolute(nearby) ? result.pipelineFile : nearby;
        ctx.emit({ url: server.url, adminTokenFile: tokenPath, ...result, loop }, () =>
          [
            '',
            `Slipway is running at ${server.url}  (API docs: ${server.url}/docs)`,
            `Admin token: ${tokenPath}`,
            '',
            'Created:',
            `  pipeline      ${result.pipeline} version ${result.pipelineVersion} (${example})`,
            `  pipeline run  ${result.pipelineRun} (tracking run ${result.trackingRun})`,
            `  datasets      ${result.dataset} (training), ${result.holdout} (holdout)`,
            `  AutoML job    ${result.automlJob} (run ${result.automlRunId}, ${result.trialRunIds.length} trials in experiment ${result.experiment})`,
            `  model         ${result.model}, the first champion (holdout ROC AUC ${result.holdoutAuc.toFixed(3)})`,
            `  deployment    ${result.deployment} (revision ${result.deploymentRevision})`,
            `  monitor       ${loop.monitor}: report ${loop.driftReport} found drift in ${loop.driftedFeatures.join(', ')}`,
            `  retraining    pipeline run ${loop.retrainRun} registered ${loop.challenger}, served as a 10% challenger`,
            `  decision      ${loop.decision}: ${loop.champion} is churn@champion and takes all traffic`,
            '',
            'Try, from another shell in this folder:',
            `  npx slipway pipelines show ${result.pipeline}        # params and the DAG`,
            `  npx slipway pipelines status ${result.pipelineRun}   # steps, durations, outputs`,
            `  npx slipway pipelines logs ${result.pipelineRun} --step train`,
            `  npx slipway pipelines run ${result.pipeline} --watch                     # again: unchanged steps are cached`,
            `  npx slipway pipelines run ${result.pipeline} -p threshold=0.99 --watch   # the gate closes: nothing ships`,
            `  npx slipway automl show ${result.automlJob}`,
            `  npx slipway runs search --experiment ${result.experiment} --filter "parent_run_id = '${result.automlRunId}'" --order-by "metrics.cv/roc_auc desc"`,
            `  npx slipway runs compare ${result.trialRunIds.slice(0, 3).join(' ')}`,
            `  npx slipway models card ${result.model}`,
            `  npx slipway lineage model:churn@champion --direction upstream`,
            `  npx slipway datasets show ${result.dataset}`,
            `  npx slipway predict ${result.deployment} '{"tenure_months": 3, "monthly_charges": 90, "support_calls": 4, "contract": "month-to-month", "payment": "card"}'`,
            `  npx slipway deployments status ${result.deployment}`,
            `  npx slipway monitors report ${loop.monitor} ${loop.driftReport}      # features by drift, histograms`,
            `  npx slipway monitors alerts ${loop.monitor}`,
            `  npx slipway deployments decisions ${result.deployment}`,
            `  npx slipway audit --since 1h`,
            `  npx slipway deploy rollback ${result.deployment}`,
            `  curl -H "Authorization: Bearer $(cat ${tokenPath})" ${server.url}/api/v1/pipeline-runs/${result.pipelineRun}`,
            options.exit ? '' : '\nPress Ctrl-C to stop.',
          ].join('\n'),
        );
        if (!options.exit) await untilSignal();
      } finally {
        await server.close();
      }
    });
}
