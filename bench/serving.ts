/**
 * `npm run bench -- serving`: Slipway's inference endpoint (POST /v2/models/{deployment}/infer on a
 * server child process) under autocannon load, each figure beside a baseline measured in the same run.
 *
 * - limit: a 30 -> 64 -> 2 MLP, one row a request, 64 connections, batching off, against a minimal
 *   node:http server calling session.run directly (same session options; ORT's defaults as an extra
 *   line). Targets: >= 0.8x the raw server's requests/s, p99 < 10 ms.
 * - batching: a 256 -> 1024 -> 1024 -> 10 MLP at 128 connections, batching off vs on (32 rows / 2 ms,
 *   and 64 / 5 ms). Target: on >= 2x off.
 * - canary: the small MLP at 64 connections, one route vs a 90/10 split over two versions, measured
 *   single, split, split, single. Target: < 5 % throughput lost.
 *
 * Options: --duration S (10; after a 2 s warm-up), --connections N (instead of 64 / 128),
 * --only limit|batching|canary, --profile <dir> (V8 CPU profile of the Slipway server child).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Slipway } from '../src/client/index.js';
import { mlpModel } from '../test/support/onnx-models.js';
import { checkAnswers, deploymentTarget, v2Body, v2Target } from './serving/deployment-target.js';
import { type LoadResult, type LoadTarget, measureLoad } from './serving/load.js';
import { startRawServer } from './serving/raw-server-process.js';
import { formatCount, formatMs, printTable, verdict } from './support/report.js';
import { type ServerProcess, startServerProcess } from './support/server-process.js';

const TARGET_LIMIT_RATIO = 0.8;
const TARGET_P99_MS = 10;
const TARGET_BATCHING_RATIO = 2;
const TARGET_CANARY_RATIO = 0.95;
const WARM_UP_SECONDS = 2;

const SMALL = { inputs: 30, hidden: [64], outputs: 2, seed: 1 } as const;
const WIDE = { inputs: 256, hidden: [1024, 1024], outputs: 10, seed: 2 } as const;
const SCENARIOS = ['limit', 'batching', 'canary'] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Context {
  readonly root: string;
  readonly server: ServerProcess;
  readonly token: string;
  readonly sw: Slipway;
  readonly smallPath: string;
  readonly durationSeconds: number;
  readonly connections: number | undefined;
}

const HEADERS = [
  '',
  'req/s',
  'p50 ms',
  'p99 ms',
  'server cores',
  'server µs/req',
  'client cores',
  'load 1m',
  'target',
  'result',
];

export async function runServingBenchmark(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      duration: { type: 'string', default: '10' },
      connections: { type: 'string' },
      only: { type: 'string' },
      profile: { type: 'string' },
    },
  });
  const only = values.only === undefined ? undefined : scenario(values.only);
  const root = resolve(import.meta.dirname, '..');
  const ortVersion = (
    JSON.parse(await readFile(join(root, 'node_modules/onnxruntime-node/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  console.log(
    `serving benchmark: Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model.trim() ?? '?'}), ` +
      `onnxruntime-node ${ortVersion}, autocannon in this process, servers in child processes`,
  );

  const home = await mkdtemp(join(tmpdir(), 'slipway-bench-serving-'));
  const cpuProfileDir = values.profile === undefined ? undefined : resolve(values.profile);
  try {
    const smallPath = join(home, 'mlp-small.onnx');
    await writeFile(smallPath, mlpModel(SMALL));
    const server = await startServerProcess({
      root,
      home,
      ...(cpuProfileDir === undefined ? {} : { cpuProfileDir }),
    });
    try {
      const token = (await readFile(join(home, 'admin.token'), 'utf8')).trim();
      const sw = await Slipway.connect({ url: server.url, token, env: {} });
      try {
        // Two versions of the same bytes for the canary; the wide model only when it is measured.
        await sw.models.register('mlp', { file: Buffer.from(mlpModel(SMALL)) });
        await sw.models.register('mlp', { file: Buffer.from(mlpModel(SMALL)) });
        if (only === undefined || only === 'batching')
          await sw.models.register('wide', { file: Buffer.from(mlpModel(WIDE)) });
        console.log(`Slipway server from ${server.from}; SLIPWAY_HOME ${home}`);
        const context: Context = {
          root,
          server,
          token,
          sw,
          smallPath,
          durationSeconds: positive('duration', values.duration),
          connections:
            values.connections === undefined ? undefined : positive('connections', values.connections),
        };
        if (only === undefined || only === 'limit') await benchLimit(context);
        if (only === undefined || only === 'batching') await benchBatching(context);
        if (only === undefined || only === 'canary') await benchCanary(context);
      } finally {
        await sw.close();
      }
    } finally {
      await server.stop();
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  if (cpuProfileDir !== undefined) console.log(`\nserver CPU profile written to ${cpuProfileDir}`);
}

async function benchLimit(context: Context): Promise<void> {
  const connections = context.connections ?? 64;
  const body = v2Body(SMALL.inputs);
  const slipway = await deploymentTarget(
    context.sw,
    { url: context.server.url, token: context.token },
    'limit',
    { routes: [{ model: 'mlp@1' }], batching: { maxBatch: 1 } },
    body,
  );
  console.log(`\nlimit: MLP 30 -> 64 -> 2, one row a request, ${connections} connections`);
  const rawSame = await measureRaw(
    context,
    'raw node:http, Slipway session options',
    body,
    connections,
    'slipway',
  );
  const served = await measure(
    context,
    'Slipway, batching off',
    slipway,
    connections,
    context.server.cpuSeconds,
  );
  const rawDefault = await measureRaw(
    context,
    'raw node:http, ORT default options',
    body,
    connections,
    'default',
  );
  printTable(`limit (${connections} connections, ${context.durationSeconds} s each)`, HEADERS, [
    row('raw, Slipway session options', rawSame),
    row('raw, ORT default options', rawDefault),
    row('Slipway /v2 infer, maxBatch 1', served, `p99 < ${TARGET_P99_MS} ms`, served.p99Ms < TARGET_P99_MS),
    ratioRow('Slipway / raw (same options)', served, rawSame, TARGET_LIMIT_RATIO),
    ratioRow('Slipway / raw (ORT defaults)', served, rawDefault),
  ]);
}

async function benchBatching(context: Context): Promise<void> {
  const connections = context.connections ?? 128;
  const body = v2Body(WIDE.inputs);
  const server = { url: context.server.url, token: context.token };
  const configs = [
    { name: 'wide-off', label: 'batching off (maxBatch 1)', batching: { maxBatch: 1 } },
    { name: 'wide-32', label: 'maxBatch 32, maxDelayMs 2', batching: { maxBatch: 32, maxDelayMs: 2 } },
    { name: 'wide-64', label: 'maxBatch 64, maxDelayMs 5', batching: { maxBatch: 64, maxDelayMs: 5 } },
  ];
  console.log(`\nbatching: MLP 256 -> 1024 -> 1024 -> 10, one row a request, ${connections} connections`);
  const results: LoadResult[] = [];
  for (const config of configs) {
    const target = await deploymentTarget(
      context.sw,
      server,
      config.name,
      { routes: [{ model: 'wide@1' }], batching: config.batching },
      body,
    );
    results.push(await measure(context, config.label, target, connections, context.server.cpuSeconds));
  }
  const [off, on32, on64] = results as [LoadResult, LoadResult, LoadResult];
  printTable(`batching (${connections} connections, ${context.durationSeconds} s each)`, HEADERS, [
    row('Slipway, batching off', off),
    row('Slipway, maxBatch 32 / 2 ms', on32),
    row('Slipway, maxBatch 64 / 5 ms', on64),
    ratioRow('32 / 2 ms vs off', on32, off, TARGET_BATCHING_RATIO),
    ratioRow('64 / 5 ms vs off', on64, off, TARGET_BATCHING_RATIO),
  ]);
}

async function benchCanary(context: Context): Promise<void> {
  const connections = context.connections ?? 64;
  const body = v2Body(SMALL.inputs);
  const server = { url: context.server.url, token: context.token };
  const single = await deploymentTarget(
    context.sw,
    server,
    'single',
    { routes: [{ model: 'mlp@1' }], batching: { maxBatch: 1 } },
    body,
  );
  const split = await deploymentTarget(
    context.sw,
    server,
    'canary',
    { routes: [{ model: 'mlp@1', weight: 90 }, { model: 'mlp@2' }], batching: { maxBatch: 1 } },
    body,
  );
  const servedBy = await checkAnswers(split, (url) => url, 1_000);
  const shares = [...servedBy].map(([version, count]) => `${version} ${count}`).join(', ');
  console.log(
    `\ncanary: MLP 30 -> 64 -> 2, ${connections} connections; 1,000 split requests served by ${shares}`,
  );
  const cpu = context.server.cpuSeconds;
  // Single, split, split, single: a drift in the machine's speed over the four runs cancels out.
  const single1 = await measure(context, 'one route (1st)', single, connections, cpu);
  const split1 = await measure(context, '90/10 split (1st)', split, connections, cpu);
  const split2 = await measure(context, '90/10 split (2nd)', split, connections, cpu);
  const single2 = await measure(context, 'one route (2nd)', single, connections, cpu);
  const singleMean = mean(single1, single2);
  const splitMean = mean(split1, split2);
  printTable(`canary (${connections} connections, ${context.durationSeconds} s each)`, HEADERS, [
    row('one route, mlp@1 (1st)', single1),
    row('90/10 mlp@1 / mlp@2 (1st)', split1),
    row('90/10 mlp@1 / mlp@2 (2nd)', split2),
    row('one route, mlp@1 (2nd)', single2),
    ratioRow('split / one route (means)', splitMean, singleMean, TARGET_CANARY_RATIO),
  ]);
}

async function measureRaw(
  context: Context,
  label: string,
  body: string,
  connections: number,
  session: 'slipway' | 'default',
): Promise<LoadResult> {
  const raw = await startRawServer(context.root, context.smallPath, session);
  try {
    const target = v2Target(new URL('/v2/models/raw/infer', raw.url).href, body);
    await checkAnswers(target, () => `raw server (${session})`);
    return await measure(context, label, target, connections, raw.cpuSeconds);
  } finally {
    await raw.stop();
  }
}

async function measure(
  context: Context,
  label: string,
  target: LoadTarget,
  connections: number,
  serverCpuSeconds: () => number | undefined,
): Promise<LoadResult> {
  const result = await measureLoad(target, {
    connections,
    durationSeconds: context.durationSeconds,
    warmUpSeconds: WARM_UP_SECONDS,
    serverCpuSeconds,
  });
  console.log(
    `  ${label.padEnd(40)} loadavg ${result.loadAverage.padEnd(15)} ${formatCount(result.requestsPerSecond).padStart(7)} req/s, ` +
      `p50 ${formatMs(result.p50Ms)} ms, p99 ${formatMs(result.p99Ms)} ms (${formatCount(result.requests)} requests)`,
  );
  return result;
}

function row(label: string, result: LoadResult, target = '', pass?: boolean): string[] {
  return [
    label,
    formatCount(result.requestsPerSecond),
    formatMs(result.p50Ms),
    formatMs(result.p99Ms),
    result.serverCores?.toFixed(2) ?? '?',
    // CPU per request: steadier than req/s when other work shares the cores.
    result.serverCores === undefined
      ? '?'
      : formatCount((result.serverCores / result.requestsPerSecond) * 1e6),
    result.clientCores.toFixed(2),
    result.loadAverage.split(' ')[0] ?? '?',
    target,
    pass === undefined ? '' : verdict(pass),
  ];
}

function ratioRow(label: string, result: LoadResult, baseline: LoadResult, target?: number): string[] {
  const ratio = result.requestsPerSecond / baseline.requestsPerSecond;
  return [
    label,
    `${ratio.toFixed(2)}x`,
    `${(result.p50Ms / baseline.p50Ms).toFixed(2)}x`,
    `${(result.p99Ms / baseline.p99Ms).toFixed(2)}x`,
    '',
    result.serverCores === undefined || baseline.serverCores === undefined
      ? ''
      : `${(result.serverCores / result.requestsPerSecond / (baseline.serverCores / baseline.requestsPerSecond)).toFixed(2)}x`,
    '',
    '',
    target === undefined ? '' : `req/s >= ${target}x`,
    target === undefined ? '' : verdict(ratio >= target),
  ];
}

/** The mean of two measurements of the same thing (latency percentiles averaged too). */
function mean(a: LoadResult, b: LoadResult): LoadResult {
  const avg = (x: number, y: number) => (x + y) / 2;
  return {
    requestsPerSecond: avg(a.requestsPerSecond, b.requestsPerSecond),
    p50Ms: avg(a.p50Ms, b.p50Ms),
    p99Ms: avg(a.p99Ms, b.p99Ms),
    requests: a.requests + b.requests,
    serverCores:
      a.serverCores === undefined || b.serverCores === undefined
        ? undefined
        : avg(a.serverCores, b.serverCores),
    clientCores: avg(a.clientCores, b.clientCores),
    loadAverage: a.loadAverage,
  };
}

function scenario(text: string): Scenario {
  const found = SCENARIOS.find((name) => name === text);
  if (found === undefined) throw new Error(`--only must be one of ${SCENARIOS.join(', ')}, got '${text}'`);
  return found;
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new Error(`--${name} must be a positive integer, got '${text}'`);
  return value;
}
