/**
 * slipway quickstart [--exit]: starts a local server (SQLite + a local artifact folder), logs the demo
 * experiment through the SDK over HTTP, checks it by reading it back, and keeps serving until Ctrl-C
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
    .description('Start a local server, log a demo experiment, and keep serving until Ctrl-C')
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
            `  npx slipway runs list --experiment ${result.experiment}`,
            `  npx slipway runs show ${result.bestRunId}`,
            `  npx slipway runs search --experiment ${result.experiment} --filter "metrics.valid/accuracy > 0.7" --order-by "metrics.valid/accuracy desc"`,
            `  npx slipway runs compare ${result.trialRunIds.slice(0, 3).join(' ')}`,
            `  npx slipway runs metrics ${result.bestRunId} valid/loss`,
            `  npx slipway artifacts get ${result.bestRunId} model.onnx -o x.onnx`,
            `  npx slipway datasets show ${result.datasets.train}`,
            `  npx slipway models show ${result.model}`,
            `  npx slipway lineage model:churn@champion --direction upstream`,
            `  curl -H "Authorization: Bearer $(cat ${tokenPath})" ${server.url}/api/v1/runs/${result.bestRunId}`,
            options.exit ? '' : '\nPress Ctrl-C to stop.',
          ].join('\n'),
        );
        if (!options.exit) await untilSignal();
      } finally {
        await server.close();
      }
    });
}
