/**
 * A real `slipway server` in a child process (`node --import tsx src/cli/bin.ts server`, from the
 * repository root) over a scratch home and database, for tests that kill it in the middle of work:
 * kill(signal) and restart() keep the same home, database and port, so clients reconnect as they
 * would to a restarted production server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { Slipway } from '../../src/client/index.js';
import { type BackendName, scratchDatabase } from './backends.js';
import { freePort, REPO_ROOT } from './processes.js';

/** How long a start may take before the test gives up (a deadline, not an assertion). */
const START_DEADLINE_MS = 60_000;

export interface ChildServer {
  readonly url: string;
  readonly home: string;
  readonly backend: BackendName;
  readonly adminToken: string;
  /** True between a start and the process's exit. */
  readonly running: boolean;
  /** stdout and stderr of every start so far, for failure messages. */
  output(): string;
  /** Sends `signal` (default SIGKILL) and waits until the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same home, database and port; resolves once /readyz says ready. */
  restart(): Promise<void>;
  /** Kills the server if it runs, then removes its database and home. */
  close(): Promise<void>;
}

export interface ChildServerOptions {
  readonly env?: Readonly<Record<string, string>>;
}

export async function startChildServer(
  backend: BackendName,
  options: ChildServerOptions = {},
): Promise<ChildServer> {
  const home = await mkdtemp(join(tmpdir(), 'slipway-child-'));
  const database = await scratchDatabase(backend);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    ...inheritedEnv(),
    SLIPWAY_HOME: home,
    SLIPWAY_HOST: '127.0.0.1',
    SLIPWAY_PORT: String(port),
    SLIPWAY_DATABASE_URL: database.env,
    SLIPWAY_LOG_LEVEL: 'warn',
    ...options.env,
  };
  let log = '';
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();

  const start = async () => {
    const spawned = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'server'], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = spawned;
    exited = once(spawned, 'exit');
    let done = false;
    void exited.then(() => {
      done = true;
      if (child === spawned) child = undefined;
    });
    log += `--- start (pid ${spawned.pid})\n`;
    spawned.stdout?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    spawned.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString();
    });
    const deadline = Date.now() + START_DEADLINE_MS;
    for (;;) {
      if (done) throw new Error(`slipway server exited during start-up:\n${log}`);
      if (Date.now() > deadline) {
        spawned.kill('SIGKILL');
        throw new Error(`slipway server was not ready after ${START_DEADLINE_MS} ms:\n${log}`);
      }
      if (await isReady(url)) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  await start();
  const adminToken = (await readFile(join(home, 'admin.token'), 'utf8')).trim();
  const server: ChildServer = {
    url,
    home,
    backend,
    adminToken,
    get running() {
      return child !== undefined;
    },
    output: () => log,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      const running = child;
      if (running === undefined) return;
      running.kill(signal);
      await exited;
    },
    restart: start,
    async close() {
      await server.kill('SIGKILL');
      await database.drop();
      await rm(home, { recursive: true, force: true });
    },
  };
  return server;
}

async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** The parent's environment without Slipway's own variables, which the child gets explicitly. */
function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('SLIPWAY_')) env[name] = value;
  }
  return env;
}

/**
 * For a describe block whose tests each start one child server: `start` it, `connect` clients to it;
 * after each test the clients close and the server is removed, its output printed if the test failed.
 */
export function childServerPerTest(): {
  start(backend: BackendName, options?: ChildServerOptions): Promise<ChildServer>;
  connect(server: ChildServer): Promise<Slipway>;
} {
  let current: ChildServer | undefined;
  const clients: Slipway[] = [];
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail' && current !== undefined) {
      console.error(`server output:\n${current.output().slice(-5_000)}`);
    }
    await Promise.allSettled(clients.splice(0).map((client) => client.close()));
    await current?.close();
    current = undefined;
  });
  return {
    async start(backend, options = {}) {
      current = await startChildServer(backend, options);
      return current;
    },
    async connect(server) {
      const client = await Slipway.connect({ url: server.url, token: server.adminToken, env: {} });
      clients.push(client);
      return client;
    },
  };
}
