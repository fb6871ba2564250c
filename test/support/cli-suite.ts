/**
 * The setup every CLI suite shares: a real server and a scratch working directory, made before the
 * suite's tests and removed after them, and `run` to type a command there with the admin token.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { BackendName } from './backends.js';
import { type CliResult, cli } from './cli.js';
import { startTestServer, type TestServer } from './test-server.js';

export interface CliSuite {
  /** The server; set once the suite's beforeAll has run. */
  readonly server: TestServer;
  /** The scratch directory the CLI runs in. */
  readonly work: string;
  run(...argv: string[]): Promise<CliResult>;
}

export interface CliSuiteOptions {
  /** Names the scratch directory, e.g. 'slipway-models-cli-'. */
  readonly workPrefix: string;
  readonly backend?: BackendName;
  /** Seeds the server or writes input files before the first test. */
  readonly prepare?: (suite: CliSuite) => Promise<void>;
}

/** Call inside `describe`: registers the beforeAll and afterAll hooks. */
export function cliSuite(options: CliSuiteOptions): CliSuite {
  let server: TestServer | undefined;
  let work: string | undefined;
  const suite: CliSuite = {
    get server() {
      if (server === undefined) throw new Error('the CLI suite has not started yet');
      return server;
    },
    get work() {
      if (work === undefined) throw new Error('the CLI suite has not started yet');
      return work;
    },
    run: (...argv) =>
      cli(argv, { SLIPWAY_URL: suite.server.url, SLIPWAY_TOKEN: suite.server.adminToken }, suite.work),
  };
  beforeAll(async () => {
    server = await startTestServer(options.backend ?? 'sqlite');
    work = await mkdtemp(join(tmpdir(), options.workPrefix));
    await options.prepare?.(suite);
  });
  afterAll(async () => {
    await server?.close();
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });
  return suite;
}
