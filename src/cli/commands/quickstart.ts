/**
 * slipway quickstart [--exit]: starts a local server (SQLite + a local artifact folder), trains the demo
 * churn model with AutoML through the SDK over HTTP, checks it by reading it back, and keeps serving until Ctrl-C
 * (or, with --exit, stops and exits 0 only if every step succeeded).
 */

import { join } from 'node:path';
import type { Command } from 'commander';
import { ADMIN_TOKEN_FILE } from '../../auth/index.js';
import { Slipway } from '../../client/slipway.js';
import { loadServerConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { type DemoResult, runDemo } from '../../quickstart/demo.js';
import { startServer } from '../../server/start.js';
import type { CliContext } from '../context.js';
import { untilSignal } from './server.js';

export function registerQuickstart(program: Command, ctx: CliContext): void {
  program
    .command('quickstart')
    .description('Start a local server, train a demo model with AutoML, and keep serving until Ctrl-C')
    .option('--exit', 'stop after the demo; exit 0 only if every step succeeded')
    .action(async (options: { exit?: boolean }) => {
      const config = loadServerConfig(ctx.io.env, ctx.io.cwd);
      const say = (line: string) => ctx.io.stderr.write(`  ✓ ${line}\n`);
      const server = await startServer(config, {
        logger: createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel),
      });
      const tokenPath = join(config.home, ADMIN_TOKEN_FILE);
      try {
        say(
          `server listening on ${server.url} (SQLite at ${config.database.kind === 'sqlite' ? config.database.path : 'PostgreSQL'}, artifacts in ${config.artifacts.kind === 'file' ? config.artifacts.path : 'S3'})`,
        );
        say(`admin token ${server.adminTokenPath === undefined ? 'in' : 'written to'} ${tokenPath}`);
        const sw = await Slipway.connect({ url: server.url, home: config.home, env: ctx.io.env });
        let result: DemoResult;
        try {
          result = await runDemo(sw, say);
        } finally {
          await sw.close();
        }
        ctx.emit({ url: server.url, adminTokenFile: tokenPath, ...result }, () =>
          [
            '',
            `Slipway is running at ${server.url}  (API docs: ${server.url}/docs)`,
            `Admin token: ${tokenPath}`,
            '',
            'Try, from another shell in this folder:',
            `  npx slipway automl show ${result.automlJob}`,
            `  npx slipway runs search --experiment ${result.experiment} --filter "parent_run_id = '${result.automlRunId}'" --order-by "metrics.cv/roc_auc desc"`,
            `  npx slipway runs compare ${result.trialRunIds.slice(0, 3).join(' ')}`,
            `  npx slipway models card ${result.model}`,
            `  npx slipway models show churn@champion`,
            `  npx slipway lineage model:churn@champion --direction upstream`,
            `  npx slipway datasets show ${result.dataset}`,
            `  npx slipway predict ${result.deployment} '{"tenure_months": 3, "monthly_charges": 90, "support_calls": 4, "contract": "month-to-month", "payment": "card"}'`,
            `  npx slipway deployments status ${result.deployment}`,
            `  npx slipway deploy ${result.deployment} -m churn@champion -m churn@<new version>:10    # a 90/10 canary`,
            `  npx slipway deploy rollback ${result.deployment}`,
            `  npx slipway train --dataset ${result.dataset} --target churned --strategy halving --trials 27 --register churn`,
            `  curl -H "Authorization: Bearer $(cat ${tokenPath})" ${server.url}/api/v1/automl/${result.automlJob}`,
            options.exit ? '' : '\nPress Ctrl-C to stop.',
          ].join('\n'),
        );
        if (!options.exit) await untilSignal();
      } finally {
        await server.close();
      }
    });
}
