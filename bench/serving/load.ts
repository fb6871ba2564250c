/**
 * One closed-loop load measurement with autocannon's programmatic API: a warm-up run that is thrown
 * away, then the timed run. Latencies are taken from every 2xx response (float milliseconds), not
 * from autocannon's histogram, which rounds to whole milliseconds. Any non-2xx answer or socket error
 * fails the measurement: a fast error is not a served request.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { percentile } from '../support/report.js';

export interface LoadTarget {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface LoadOptions {
  readonly connections: number;
  readonly durationSeconds: number;
  readonly warmUpSeconds: number;
  /** CPU seconds the server process has used so far; undefined where it cannot be read. */
  readonly serverCpuSeconds: () => number | undefined;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Cores' worth of CPU used by the server and by this (client) process during the timed run. */
  readonly serverCores: number | undefined;
  readonly clientCores: number;
  /** /proc/loadavg's first three fields just before the timed run. */
  readonly loadAverage: string;
}

interface AutocannonResult {
  readonly duration: number;
  readonly '2xx': number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
}

interface AutocannonInstance {
  on(
    event: 'response',
    listener: (client: unknown, statusCode: number, bytes: number, responseMs: number) => void,
  ): void;
}

type Autocannon = (
  options: Readonly<Record<string, unknown>>,
  done: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

// autocannon is CommonJS without type declarations; the slice of its API used here is typed above.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export async function measureLoad(target: LoadTarget, options: LoadOptions): Promise<LoadResult> {
  if (options.warmUpSeconds > 0) await run(target, options.connections, options.warmUpSeconds, []);
  const loadAverage = readLoadAverage();
  const latencies: number[] = [];
  const serverBefore = options.serverCpuSeconds();
  const clientBefore = process.cpuUsage();
  const result = await run(target, options.connections, options.durationSeconds, latencies);
  const client = process.cpuUsage(clientBefore);
  const serverAfter = options.serverCpuSeconds();
  const seconds = result.duration;
  return {
    requestsPerSecond: result['2xx'] / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    requests: result['2xx'],
    serverCores:
      serverBefore === undefined || serverAfter === undefined
        ? undefined
        : (serverAfter - serverBefore) / seconds,
    clientCores: (client.user + client.system) / 1e6 / seconds,
    loadAverage,
  };
}

function run(
  target: LoadTarget,
  connections: number,
  seconds: number,
  latencies: number[],
): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        method: 'POST',
        headers: target.headers,
        body: target.body,
        connections,
        pipelining: 1,
        duration: seconds,
      },
      (error, result) => {
        if (error !== null) return reject(error);
        const failed = result.non2xx + result.errors + result.timeouts;
        if (failed > 0 || result['2xx'] === 0) {
          return reject(
            new Error(
              `${target.url}: ${result['2xx']} ok, ${result.non2xx} non-2xx, ${result.errors} errors, ` +
                `${result.timeouts} timeouts`,
            ),
          );
        }
        resolve(result);
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseMs) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseMs);
    });
  });
}

function readLoadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}
