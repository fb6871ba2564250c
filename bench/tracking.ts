/**
 * `npm run bench -- tracking`: metric logging end to end (SDK -> HTTP -> server child -> SQLite)
 * against raw better-sqlite3 inserts of the same rows, and run search over HTTP against hand-written
 * SQL on the same file. Targets: >= 250,000 points/s and >= 0.3 of the raw rate; search < 100 ms.
 *
 * Options: --runs N --keys N --steps N (default 10 x 10 x 10,000), --search-runs N (10,000),
 * --repeats N (20), --only metrics|search, --profile <dir> (V8 CPU profiles of the server children),
 * --batch-size N --in-flight N (SDK batching; default the SDK's), --sync normal (measurement only:
 * what synchronous=FULL costs).
 */
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatCount, formatMs, percentile, printTable, verdict } from './support/report.js';
import { benchMetricLogging } from './tracking/metric-logging.js';
import { benchRunSearch, SEARCH_FILTER, SEARCH_ORDER } from './tracking/run-search.js';

const TARGET_POINTS_PER_SECOND = 250_000;
const TARGET_RATIO = 0.3;
const TARGET_SEARCH_MS = 100;

export async function runTrackingBenchmark(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      runs: { type: 'string', default: '10' },
      keys: { type: 'string', default: '10' },
      steps: { type: 'string', default: '10000' },
      'search-runs': { type: 'string', default: '10000' },
      repeats: { type: 'string', default: '20' },
      only: { type: 'string' },
      profile: { type: 'string' },
      sync: { type: 'string', default: 'full' },
      'batch-size': { type: 'string' },
      'in-flight': { type: 'string' },
    },
  });
  const root = resolve(import.meta.dirname, '..');
  const cpuProfileDir = values.profile === undefined ? undefined : resolve(values.profile);
  const profile = cpuProfileDir === undefined ? {} : { cpuProfileDir };
  const sync = syncMode(values.sync).toUpperCase();
  console.log(
    `tracking benchmark: Node ${process.version}, ${cpus().length} cores, SQLite (WAL, synchronous=${sync})`,
  );
  if (sync !== 'FULL') console.log('  (measurement only: Slipway itself always runs synchronous=FULL)');

  if (values.only !== 'search') {
    const result = await benchMetricLogging({
      root,
      runs: positive('runs', values.runs),
      keys: positive('keys', values.keys),
      steps: positive('steps', values.steps),
      relaxedSync: syncMode(values.sync) === 'normal',
      batching: {
        ...(values['batch-size'] === undefined
          ? {}
          : { batchSize: positive('batch-size', values['batch-size']) }),
        ...(values['in-flight'] === undefined
          ? {}
          : { maxInFlight: positive('in-flight', values['in-flight']) }),
      },
      ...profile,
    });
    const endToEnd = (result.points / result.endToEndMs) * 1000;
    const raw = (result.points / result.rawMs) * 1000;
    const ratio = endToEnd / raw;
    console.log(
      `\nmetric logging: ${formatCount(result.points)} points, server from ${result.serverFrom}, ` +
        `${result.requests} batch requests; all points, latest values and audit events verified`,
    );
    console.log(
      `CPU during the timed window: server ${result.serverCpuSeconds?.toFixed(2) ?? '?'} s, ` +
        `client ${result.clientCpuSeconds.toFixed(2)} s (wall ${(result.endToEndMs / 1000).toFixed(2)} s)`,
    );
    printTable(
      'metric logging',
      ['', 'seconds', 'points/s', 'target', 'result'],
      [
        [
          'SDK -> HTTP -> SQLite',
          (result.endToEndMs / 1000).toFixed(2),
          formatCount(endToEnd),
          `>= ${formatCount(TARGET_POINTS_PER_SECOND)}`,
          verdict(endToEnd >= TARGET_POINTS_PER_SECOND),
        ],
        ['raw better-sqlite3, 1 txn', (result.rawMs / 1000).toFixed(2), formatCount(raw), '', ''],
        [
          'ratio end-to-end / raw',
          '',
          ratio.toFixed(2),
          `>= ${TARGET_RATIO}`,
          verdict(ratio >= TARGET_RATIO),
        ],
      ],
    );
  }

  if (values.only !== 'metrics') {
    const result = await benchRunSearch({
      root,
      runs: positive('search-runs', values['search-runs']),
      repeats: positive('repeats', values.repeats),
      ...profile,
    });
    const http = { median: percentile(result.httpMs, 0.5), p95: percentile(result.httpMs, 0.95) };
    const raw = { median: percentile(result.sqlMs, 0.5), p95: percentile(result.sqlMs, 0.95) };
    console.log(
      `\nrun search: ${formatCount(result.runs)} runs (seeded in ${(result.seedMs / 1000).toFixed(1)} s), ` +
        `server from ${result.serverFrom}\n  filter: ${SEARCH_FILTER}\n  order:  ${SEARCH_ORDER}, limit 100 ` +
        `(${result.matches} runs match); ${result.httpMs.length} timed requests after warm-up`,
    );
    printTable(
      'run search',
      ['', 'median ms', 'p95 ms', 'target', 'result'],
      [
        [
          'POST /api/v1/runs/search (SDK)',
          formatMs(http.median),
          formatMs(http.p95),
          `p95 < ${TARGET_SEARCH_MS} ms`,
          verdict(http.p95 < TARGET_SEARCH_MS),
        ],
        ['hand-written SQL, better-sqlite3', formatMs(raw.median), formatMs(raw.p95), '', ''],
        [
          'ratio HTTP / SQL',
          `${(http.median / raw.median).toFixed(1)}x`,
          `${(http.p95 / raw.p95).toFixed(1)}x`,
          '',
          '',
        ],
      ],
    );
  }
  if (cpuProfileDir !== undefined) console.log(`\nserver CPU profiles written to ${cpuProfileDir}`);
}

function syncMode(text: string): 'full' | 'normal' {
  if (text === 'full' || text === 'normal') return text;
  throw new Error(`--sync must be full (Slipway's setting) or normal (measurement only), got '${text}'`);
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new Error(`--${name} must be a positive integer, got '${text}'`);
  return value;
}
