/**
 * Where the SDK and CLI find their server and token: explicit options, then SLIPWAY_URL and
 * SLIPWAY_TOKEN, then (for a server on this machine) the admin token in $SLIPWAY_HOME.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_TOKEN_FILE } from '../auth/tokens.js';
import { type Env, loadClientConfig } from '../core/config.js';

export interface ConnectOptions {
  /** Default: SLIPWAY_URL, else http://127.0.0.1:$SLIPWAY_PORT (7070). */
  readonly url?: string;
  /** Default: SLIPWAY_TOKEN, else $SLIPWAY_HOME/admin.token when the server is on this machine. */
  readonly token?: string;
  /** Default: SLIPWAY_HOME, else ./.slipway */
  readonly home?: string;
  readonly env?: Env;
  /** Folder a relative SLIPWAY_HOME is resolved against (default: the process's). */
  readonly cwd?: string;
}

export interface Credentials {
  readonly url: string;
  readonly token?: string;
  /** Where the token came from, for error messages. */
  readonly tokenSource: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function resolveCredentials(options: ConnectOptions = {}): Credentials {
  const env = options.env ?? process.env;
  const config = loadClientConfig(
    options.home === undefined ? env : { ...env, SLIPWAY_HOME: options.home },
    options.cwd,
  );
  const url = (options.url ?? config.url).replace(/\/+$/, '');
  if (options.token !== undefined) return { url, token: options.token, tokenSource: 'the token option' };
  if (config.token !== undefined) return { url, token: config.token, tokenSource: 'SLIPWAY_TOKEN' };
  if (LOOPBACK.has(new URL(url).hostname)) {
    const path = join(config.home, ADMIN_TOKEN_FILE);
    try {
      const token = readFileSync(path, 'utf8').trim();
      if (token !== '') return { url, token, tokenSource: path };
    } catch {
      // no local admin token: continue without one
    }
  }
  return { url, tokenSource: 'nowhere (set SLIPWAY_TOKEN)' };
}
