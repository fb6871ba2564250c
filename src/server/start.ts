/** Starts Slipway's HTTP server over a platform, with the admin bootstrap and graceful shutdown. */
import type { ServerConfig } from '../core/config.js';
import { systemContext } from '../core/context.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import { SLIPWAY_VERSION } from '../core/version.js';
import { openPlatform, type Platform } from '../platform.js';
import { buildApp } from './app.js';

export interface RunningServer {
  /** e.g. http://127.0.0.1:7070 */
  readonly url: string;
  readonly platform: Platform;
  /** Set when this start created the first admin token. */
  readonly adminTokenPath?: string;
  /** Stops accepting requests, lets in-flight ones finish, then closes the backends. */
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: Logger;
  /**
   * An inference-only node (`slipway serve`): health, metrics and inference routes, deployments
   * followed from the shared database; no admin API and no AutoML jobs.
   */
  readonly inferenceOnly?: boolean;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const platform = await openPlatform(config, options.logger === undefined ? {} : { logger: options.logger });
  let closing = false;
  try {
    const adminTokenPath = await platform.tokens.bootstrapAdmin(config.home, systemContext(newId()));
    const app = await buildApp(platform, {
      version: SLIPWAY_VERSION,
      inferenceOnly: options.inferenceOnly === true,
      isClosing: () => closing,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
    await app.listen({ host: config.host, port: config.port });
    if (options.inferenceOnly !== true) {
      await platform.training.automl.resume();
      platform.pipelines.start();
    }
    await platform.serving.start();
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    const url = `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${port}`;
    if (options.inferenceOnly !== true) await platform.monitoring.start({ baseUrl: url });
    return {
      url,
      platform,
      ...(adminTokenPath === undefined ? {} : { adminTokenPath }),
      async close() {
        if (closing) return;
        closing = true;
        await app.close();
        await platform.close();
      },
    };
  } catch (error) {
    await platform.close();
    throw error;
  }
}
