/**
 * A real Slipway server on a random port, in this process, over a scratch home and database; plus an
 * SDK client connected with the admin token. Tests talk to it over HTTP like any user would.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Slipway } from '../../src/client/index.js';
import { loadServerConfig } from '../../src/core/config.js';
import { type RunningServer, startServer } from '../../src/server/start.js';
import { type BackendName, scratchDatabase } from './backends.js';

export interface TestServer {
  readonly url: string;
  readonly home: string;
  readonly backend: BackendName;
  readonly adminToken: string;
  /** The server's database as a SLIPWAY_DATABASE_URL value, for a second node on the same data. */
  readonly databaseEnv: string;
  /** Connected with the admin token. */
  readonly sw: Slipway;
  readonly server: RunningServer;
  /** A client for another token. */
  connect(token: string): Promise<Slipway>;
  /** fetch() against the server with the admin token unless `token` is given (null: no token). */
  fetch(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly env?: Readonly<Record<string, string>>;
}

export async function startTestServer(
  backend: BackendName,
  options: TestServerOptions = {},
): Promise<TestServer> {
  const home = await mkdtemp(join(tmpdir(), 'slipway-home-'));
  const database = await scratchDatabase(backend);
  const config = loadServerConfig({
    SLIPWAY_HOME: home,
    SLIPWAY_PORT: '0',
    SLIPWAY_DATABASE_URL: database.env,
    SLIPWAY_LOG_LEVEL: 'silent',
    ...options.env,
  });
  const server = await startServer(config);
  const adminToken = (await readFile(join(home, 'admin.token'), 'utf8')).trim();
  const clients: Slipway[] = [];
  const connect = async (token: string) => {
    const client = await Slipway.connect({ url: server.url, token, env: {} });
    clients.push(client);
    return client;
  };
  const sw = await connect(adminToken);
  return {
    url: server.url,
    home,
    backend,
    adminToken,
    databaseEnv: database.env,
    sw,
    server,
    connect,
    fetch(path, init = {}) {
      const { token, ...rest } = init;
      const headers = new Headers(rest.headers);
      const bearer = token === undefined ? adminToken : token;
      if (bearer !== null) headers.set('authorization', `Bearer ${bearer}`);
      if (rest.body !== undefined && typeof rest.body === 'string' && !headers.has('content-type')) {
        headers.set('content-type', 'application/json');
      }
      return fetch(server.url + path, { ...rest, headers });
    },
    async close() {
      await Promise.all(clients.map((client) => client.close()));
      await server.close();
      await database.drop();
      await rm(home, { recursive: true, force: true });
    },
  };
}
