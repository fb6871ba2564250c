/**
 * `npm run bench -- pipelines`: the engine's own cost per step. A pipeline of 1,000 no-op `fn` steps —
 * a root, a fan-out of 899 independent steps after it and a chain of 100 — is applied to a server in
 * this process and run without the cache; its wall time per step is set side by side with the limit
 * measured in the same run: the same no-op function called 1,000 times directly. Targets for the
 * difference, the per-step overhead: <= 2 ms/step on the local executor, <= 15 ms/step on the queue
 * executor with two workers.
 *
 * Options: --executor local|queue (queue needs SLIPWAY_REDIS_URL; `slipway worker` children run the
 * steps), --steps N (1000), --chain N (100), --concurrency N (the pipeline's, default 64),
 * --workers N (queue only, default 2), --worker-concurrency N (queue only, default 16).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Slipway } from '../src/client/index.js';
import { loadServerConfig } from '../src/core/config.js';
import type { ExecutorName, PipelineRunInfo } from '../src/pipelines/index.js';
import { startServer } from '../src/server/start.js';
import { formatMs, printTable, verdict } from './support/report.js';

const TARGET_OVERHEAD_MS: Readonly<Record<ExecutorName, number>> = { local: 2, queue: 15 };
const PIPELINE = 'bench-noop';

interface Shape {
  readonly steps: number;
  readonly chain: number;
  readonly concurrency: number;
}

/** A server to run the pipeline on, with whatever the executor needs beside it. */
interface Target {
  readonly sw: Slipway;
  readonly describe: string;
  close(): Promise<void>;
}

interface TargetOptions {
  readonly root: string;
  readonly home: string;
  readonly workerConcurrency: number;
  readonly workers: number;
}

/** Each executor's set-up; adding one is adding an entry. */
const TARGETS: Readonly<Record<ExecutorName, (options: TargetOptions) => Promise<Target>>> = {
  local: (options) => inProcessServer(options.home, {}, 'in-process server, local executor (worker threads)'),
  queue: queueTarget,
};

export async function runPipelinesBenchmark(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      executor: { type: 'string', default: 'local' },
      steps: { type: 'string', default: '1000' },
      chain: { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '64' },
      'worker-concurrency': { type: 'string', default: '16' },
      workers: { type: 'string', default: '2' },
    },
  });
  const executor = values.executor as ExecutorName;
  if (!Object.hasOwn(TARGETS, executor)) {
    throw new Error(`--executor must be one of ${Object.keys(TARGETS).join(', ')}, got '${values.executor}'`);
  }
  const shape: Shape = {
    steps: positive('steps', values.steps),
    chain: positive('chain', values.chain),
    concurrency: positive('concurrency', values.concurrency),
  };
  if (shape.chain >= shape.steps) throw new Error('--chain must be smaller than --steps');
  const root = resolve(import.meta.dirname, '..');
  const dir = await mkdtemp(join(tmpdir(), 'slipway-bench-pipelines-'));
  console.log(
    `pipelines benchmark: Node ${process.version}, ${cpus().length} cores; ${shape.steps} no-op fn steps (1 root, ${shape.steps - 1 - shape.chain} fanned out, a chain of ${shape.chain}), pipeline concurrency ${shape.concurrency}, executor ${executor}`,
  );
  try {
    const file = await writePipeline(dir, shape);
    const direct = await directCalls(join(dir, 'steps.ts'), shape.steps);
    const target = await TARGETS[executor]({
      root,
      home: join(dir, 'home'),
      workerConcurrency: positive('worker-concurrency', values['worker-concurrency']),
      workers: positive('workers', values.workers),
    });
    try {
      console.log(`  ${target.describe}`);
      const applied = await target.sw.pipelines.apply(file);
      // A first run warms the fn threads' bundle import, the statements and the JIT; the second is timed.
      await runOnce(target.sw, executor, applied.version.version);
      const { wallMs, run } = await runOnce(target.sw, executor, applied.version.version);
      const perStep = wallMs / shape.steps;
      const directPerStep = direct / shape.steps;
      const overhead = perStep - directPerStep;
      printTable(
        `${shape.steps} no-op steps, run ${run.id}`,
        ['', 'TOTAL ms', 'ms/step', 'vs direct'],
        [
          [
            `pipeline run (${executor})`,
            formatMs(wallMs),
            formatMs(perStep),
            `${Math.round(perStep / directPerStep)}x`,
          ],
          ['direct calls (await fn())', formatMs(direct), directPerStep.toFixed(5), '1x'],
        ],
      );
      console.log(
        `\nper-step overhead ${formatMs(overhead)} ms (target <= ${TARGET_OVERHEAD_MS[executor]} ms/step on the ${executor} executor): ${verdict(overhead <= TARGET_OVERHEAD_MS[executor])}`,
      );
    } finally {
      await target.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One module, one export called by every step; a root, a fan-out after it, a chain after the root. */
async function writePipeline(dir: string, shape: Shape): Promise<string> {
  await writeFile(
    join(dir, 'steps.ts'),
    'export function noop(_inputs: unknown, _context: unknown) {\n  return {};\n}\n',
  );
  const step = (name: string, after: string | undefined) =>
    `  - name: ${name}\n    kind: fn\n    module: ./steps.ts\n    export: noop\n    outputs: {}\n${after === undefined ? '' : `    after: [${after}]\n`}`;
  const lines = [`name: ${PIPELINE}`, `concurrency: ${shape.concurrency}`, 'steps:', step('root', undefined)];
  for (let i = 0; i < shape.steps - 1 - shape.chain; i++) lines.push(step(`fan-${i}`, 'root'));
  for (let i = 0; i < shape.chain; i++) lines.push(step(`chain-${i}`, i === 0 ? 'root' : `chain-${i - 1}`));
  const file = join(dir, 'pipeline.yaml');
  await writeFile(file, lines.join('\n'));
  return file;
}

/** The limit: the same function, imported once, awaited `count` times in a loop. */
async function directCalls(module: string, count: number): Promise<number> {
  const { noop } = (await import(pathToFileURL(module).href)) as {
    noop: (inputs: unknown, context: unknown) => unknown;
  };
  const context = { outputDir: tmpdir(), log: () => {} };
  for (let i = 0; i < count; i++) await noop({}, context);
  const started = performance.now();
  for (let i = 0; i < count; i++) await noop({}, context);
  return performance.now() - started;
}

async function runOnce(
  sw: Slipway,
  executor: ExecutorName,
  version: number,
): Promise<{ wallMs: number; run: PipelineRunInfo }> {
  const started = performance.now();
  const begun = await sw.pipelines.run(PIPELINE, { version, executor, useCache: false });
  // The run's list entry (no steps) is polled: reading 1,000 step rows every 10 ms would load the
  // server this benchmark measures.
  for (;;) {
    const [latest] = (await sw.pipelines.runs({ pipeline: PIPELINE, limit: 1 })).items;
    if (latest?.id === begun.id && ['succeeded', 'failed', 'cancelled'].includes(latest.status)) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const wallMs = performance.now() - started;
  const run = await sw.pipelines.getRun(begun.id);
  if (run.status !== 'succeeded') {
    const failed = run.steps?.find((step) => step.status === 'failed');
    throw new Error(
      `run ${run.id} ${run.status}: ${failed?.step} ${failed?.error?.message ?? run.error?.message}`,
    );
  }
  return { wallMs, run };
}

async function inProcessServer(
  home: string,
  env: Readonly<Record<string, string>>,
  describe: string,
): Promise<Target & { readonly databaseEnv: Readonly<Record<string, string>> }> {
  const config = loadServerConfig({
    SLIPWAY_HOME: home,
    SLIPWAY_PORT: '0',
    SLIPWAY_LOG_LEVEL: 'silent',
    ...env,
  });
  const server = await startServer(config);
  const token = (await readFile(join(home, 'admin.token'), 'utf8')).trim();
  const sw = await Slipway.connect({ url: server.url, token, env: {} });
  return {
    sw,
    describe,
    databaseEnv: { SLIPWAY_HOME: home },
    async close() {
      await sw.close();
      await server.close();
    },
  };
}

/** The server in this process dispatches to Redis; a `slipway worker` child on the same home runs steps. */
async function queueTarget(options: TargetOptions): Promise<Target> {
  const redis = process.env.SLIPWAY_REDIS_URL;
  if (redis === undefined || redis === '') {
    throw new Error('--executor queue needs SLIPWAY_REDIS_URL (a Redis the server and the worker share)');
  }
  const env = { SLIPWAY_REDIS_URL: redis };
  const server = await inProcessServer(
    options.home,
    env,
    `in-process server, queue executor on ${redis}, ${options.workers} worker children (concurrency ${options.workerConcurrency} each)`,
  );
  const workers = Array.from({ length: options.workers }, () =>
    spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/bin.ts', 'worker', '--concurrency', String(options.workerConcurrency)],
      {
        cwd: options.root,
        env: { PATH: process.env.PATH ?? '', ...server.databaseEnv, ...env, SLIPWAY_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    ),
  );
  return {
    sw: server.sw,
    describe: server.describe,
    async close() {
      await Promise.all(workers.map(stopChild));
      await server.close();
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a whole number from 1`);
  return value;
}
