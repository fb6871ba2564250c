/** Child processes for end-to-end tests: the real `slipway` binary, free ports, and waiting on output. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The installed entry point, exactly as `npx slipway` runs it (`npm test` builds dist first). */
export const SLIPWAY_BIN = fileURLToPath(new URL('../../bin/slipway.js', import.meta.url));

/**
 * A port for a server the test starts later, as a child process. It is drawn below the kernel's
 * ephemeral range: a port the OS handed out for `listen(0)` could be handed out again, in the gap
 * before the child listens, to another test's server (which then answers our readiness probes), or
 * to an outgoing connection. It is checked free at the time of the call.
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = (
    await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '32768')
  )
    .trim()
    .split(/\s+/)
    .map(Number);
  const low = 10_000;
  const high = Math.max(low + 1_000, ephemeralLow ?? 32_768);
  for (;;) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await canListen(port)) return port;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export interface Spawned {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves when the combined output matches, rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

export function spawnSlipway(
  args: readonly string[],
  options: { cwd: string; env: Readonly<Record<string, string>> },
): Spawned {
  const child = spawn(process.execPath, [SLIPWAY_BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    exited,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = text.match(pattern);
          if (match) {
            listeners.delete(check);
            resolve(match);
          }
        };
        listeners.add(check);
        check();
        void exited.then((code) => {
          if (listeners.has(check))
            reject(new Error(`process exited (${code}) before printing ${pattern}:\n${text}`));
        });
      });
    },
  };
}
