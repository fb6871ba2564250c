/**
 * slipway server: runs the API until SIGINT/SIGTERM, then drains in-flight requests and exits.
 * slipway serve: the same for an inference-only node (no admin API), for scaling serving out.
 */
import type { Command } from 'commander';
import { loadServerConfig } from '../../core/config.js';
import { createLogger } from '../../core/logger.js';
import { SLIPWAY_VERSION } from '../../core/version.js';
import { startServer } from '../../server/start.js';
import type { CliContext } from '../context.js';

export function registerServer(program: Command, ctx: CliContext): void {
  for (const [name, inferenceOnly] of [
    ['server', false],
    ['serve', true],
  ] as const) {
    program
      .command(name)
      .description(
        inferenceOnly
          ? 'Run an inference-only node: the deployments of the shared database behind /v2 and predict, no admin API'
          : 'Run the Slipway server (configured by SLIPWAY_* environment variables)',
      )
      .option('--host <host>', 'listen address (SLIPWAY_HOST, default 127.0.0.1)')
      .option('--port <port>', 'port (SLIPWAY_PORT, default 7070)')
      .action((options: { host?: string; port?: string }) => run(ctx, options, inferenceOnly));
  }
}

async function run(
  ctx: CliContext,
  options: { host?: string; port?: string },
  inferenceOnly: boolean,
): Promise<void> {
  const env = {
    ...ctx.io.env,
    ...(options.host === undefined ? {} : { SLIPWAY_HOST: options.host }),
    ...(options.port === undefined ? {} : { SLIPWAY_PORT: options.port }),
  };
  const config = loadServerConfig(env, ctx.io.cwd);
  const server = await startServer(config, { logger: createLogger(config.logLevel), inferenceOnly });
  ctx.note(
    `Slipway ${SLIPWAY_VERSION} ${inferenceOnly ? 'inference node ' : ''}listening on ${server.url} (home ${config.home})`,
  );
  if (server.adminTokenPath !== undefined) ctx.note(`admin token written to ${server.adminTokenPath}`);
  await untilSignal();
  ctx.note('shutting down: finishing in-flight requests');
  await server.close();
}

/** Resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
