/**
 * The `queue` executor on a real Redis, with real `slipway worker` processes: the same pipeline
 * gives the same outputs as on the local executor; a worker killed mid-step has its job finished by
 * another; a cancel kills the command a worker runs; workers are listed while they run; and a Redis
 * outage longer than the limit fails the attempt with QUEUE_UNAVAILABLE (on a private redis-server,
 * never the shared one).
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${{ … }}` is pipeline reference syntax.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadServerConfig } from '../../src/core/config.js';
import type { PipelineRunInfo } from '../../src/pipelines/index.js';
import { BACKENDS, REDIS_URL } from '../support/backends.js';
import { cli } from '../support/cli.js';
import { freePort, REPO_ROOT } from '../support/processes.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { applyFile, pipelineDir, startRun, stepLog, stepOf, waitForRun } from './pipeline-files.js';

const STEPS_TS = `
import { readFileSync } from 'node:fs';

export function double(inputs: { x: number }) {
  console.log('doubling', inputs.x);
  return { y: inputs.x * 2 };
}

export function readNotes(inputs: { notes: string }) {
  return { text: readFileSync(inputs.notes, 'utf8').trim() };
}

export function total(inputs: { values: number[] }) {
  return { total: inputs.values.reduce((a, b) => a + b, 0) };
}
`;

const FLOW_YAML = `name: qflow
params:
  x: { type: number, default: 21 }
  grid: { type: list, default: [1, 2, 3] }
steps:
  - name: double
    kind: fn
    module: ./steps.ts
    export: double
    inputs: { x: "\${{ params.x }}" }
    outputs: { y: number }
  - name: shell
    kind: command
    argv: [sh, ./emit.sh, "\${{ steps.double.outputs.y }}"]
    outputs: { z: number, notes: file }
  - name: read
    kind: fn
    module: ./steps.ts
    export: readNotes
    inputs: { notes: "\${{ steps.shell.outputs.notes }}" }
    outputs: { text: string }
  - name: fan
    kind: fn
    module: ./steps.ts
    export: double
    foreach: { items: "\${{ params.grid }}", concurrency: 3 }
    inputs: { x: "\${{ item }}" }
    outputs: { y: number }
  - name: sum
    kind: fn
    module: ./steps.ts
    export: total
    inputs: { values: "\${{ steps.fan.outputs.y }}" }
    outputs: { total: number }
`;

const EMIT_SH = `echo "got $1"
echo "{\\"z\\": $(($1 + 1))}" > "$SLIPWAY_OUTPUT_DIR/outputs.json"
echo "notes for $1" > "$SLIPWAY_OUTPUT_DIR/notes"
`;

const SLOW_SPEC = {
  name: 'slowq',
  params: { seconds: { type: 'number', default: 3 }, pidfile: { type: 'string', default: '/dev/null' } },
  steps: [
    {
      name: 'slow',
      kind: 'command',
      argv: [
        'sh',
        '-c',
        'echo $$ > "$0"; echo started; sleep "$1"; echo \'{"value": 7}\' > "$SLIPWAY_OUTPUT_DIR/outputs.json"',
        '${{ params.pidfile }}',
        '${{ params.seconds }}',
      ],
      outputs: { value: 'integer' },
    },
  ],
};

const EDGE_SPEC = {
  name: 'edgeq',
  params: { counter: { type: 'string' }, pidfile: { type: 'string' } },
  steps: [
    {
      name: 'flaky',
      kind: 'command',
      argv: [
        'sh',
        '-c',
        'n=$(cat "$0" 2>/dev/null | wc -l); echo "try $n"; echo x >> "$0"; [ "$n" -ge 1 ]',
        '${{ params.counter }}',
      ],
      retries: { count: 1, backoffMs: 50 },
    },
    {
      name: 'stuck',
      kind: 'command',
      argv: ['sh', '-c', 'echo $$ > "$0"; exec sleep 60', '${{ params.pidfile }}'],
      timeout: '1s',
      after: ['flaky'],
    },
  ],
};

const GPU_SPEC = {
  name: 'gpuq',
  steps: [{ name: 'train', kind: 'command', argv: ['echo', 'on a gpu'], resources: ['gpu'] }],
};

interface WorkerProcess {
  readonly id: string;
  readonly child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** `slipway worker` in a child process over the test server's home, database and Redis. */
async function startWorker(
  server: TestServer,
  env: Readonly<Record<string, string>>,
  args: readonly string[] = ['--concurrency', '4'],
): Promise<WorkerProcess> {
  const inherited: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith('SLIPWAY_')) inherited[name] = value;
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'worker', ...args], {
    cwd: REPO_ROOT,
    env: {
      ...inherited,
      SLIPWAY_HOME: server.home,
      SLIPWAY_DATABASE_URL: server.databaseEnv,
      SLIPWAY_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const match = /worker (\S+) ready/.exec(text);
    if (match !== null) return handle(match[1]!);
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker did not start:\n${text}`);
    await sleep(50);
  }
  function handle(id: string): WorkerProcess {
    return {
      id,
      child,
      output: () => text,
      async stop(signal = 'SIGTERM') {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        await exited;
      },
    };
  }
}
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function applySpec(server: TestServer, spec: unknown): Promise<void> {
  const applied = await server.fetch('/api/v1/pipelines', { method: 'POST', body: JSON.stringify({ spec }) });
  expect([200, 201]).toContain(applied.status);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Removes every key under a test's prefix from the shared Redis. */
async function dropPrefix(url: string, prefix: string): Promise<void> {
  const client = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

const workerSettings = (prefix: string, redisUrl: string) => ({
  SLIPWAY_REDIS_URL: redisUrl,
  SLIPWAY_QUEUE_PREFIX: prefix,
  SLIPWAY_QUEUE_LOCK_MS: '1500',
});

describe.skipIf(REDIS_URL === undefined).each(BACKENDS)('queue executor on %s', (backend) => {
  const redisUrl = REDIS_URL!;
  const prefix = `t${randomBytes(5).toString('hex')}`;
  let server: TestServer;
  let workers: WorkerProcess[] = [];

  beforeAll(async () => {
    server = await startTestServer(backend, { env: workerSettings(prefix, redisUrl) });
    const dir = await pipelineDir({ 'pipeline.yaml': FLOW_YAML, 'steps.ts': STEPS_TS, 'emit.sh': EMIT_SH });
    expect((await applyFile(server, join(dir, 'pipeline.yaml'))).status).toBe(201);
    await applySpec(server, SLOW_SPEC);
    await applySpec(server, EDGE_SPEC);
    await applySpec(server, GPU_SPEC);
    workers = await Promise.all([0, 1].map(() => startWorker(server, workerSettings(prefix, redisUrl))));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await server?.close();
    await dropPrefix(redisUrl, prefix);
  }, 60_000);

  it('runs fn, command, file and foreach steps on workers to the same outputs as locally', async () => {
    const queued = await waitForRun(server, (await startRun(server, 'qflow', { executor: 'queue' })).id);
    const local = await waitForRun(
      server,
      (await startRun(server, 'qflow', { executor: 'local', useCache: false })).id,
    );
    expect(queued.status, JSON.stringify(queued)).toBe('succeeded');
    expect(local.status).toBe('succeeded');
    const outputsOf = (run: PipelineRunInfo) => ({
      double: stepOf(run, 'double').outputs,
      z: stepOf(run, 'shell').outputs?.z,
      read: stepOf(run, 'read').outputs,
      fan: stepOf(run, 'fan').outputs,
      sum: stepOf(run, 'sum').outputs,
    });
    expect(outputsOf(queued)).toEqual(outputsOf(local));
    expect(outputsOf(queued)).toMatchObject({ z: 43, read: { text: 'notes for 42' }, sum: { total: 12 } });
    const notes = String(stepOf(queued, 'shell').outputs?.notes);
    expect(notes.startsWith(`runs/${queued.run}/artifacts/steps/shell/notes`), notes).toBe(true);
    expect(await (await server.fetch(`/api/v1/${notes}`)).text()).toBe('notes for 42\n');

    // The step rows name the worker that ran them; the logs were written by it.
    const ids = workers.map((worker) => worker.id);
    for (const [name, item] of [['double'], ['shell'], ['read'], ['fan', 0], ['fan', 2], ['sum']] as const) {
      expect(ids, `${name} ${item}`).toContain(stepOf(queued, name, item).worker);
    }
    expect(await stepLog(server, queued.id, 'double')).toBe('doubling 21\n');
    expect(await stepLog(server, queued.id, 'shell')).toContain('got 42');
  }, 120_000);

  it('lists the running workers over REST', async () => {
    type Listing = { queue: boolean; items: { id: string; queues: string[]; running: number }[] };
    // A worker's heartbeat reports the steps it runs; the previous test's may still be counted until
    // the next beat, so wait for every worker to report none.
    let body: Listing;
    for (let deadline = Date.now() + 20_000; ; ) {
      const response = await server.fetch('/api/v1/workers');
      expect(response.status).toBe(200);
      body = (await response.json()) as Listing;
      if (body.items.every((item) => item.running === 0) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(body.queue).toBe(true);
    expect(body.items.map((item) => item.id).sort()).toEqual(workers.map((worker) => worker.id).sort());
    expect(body.items[0]).toMatchObject({ queues: ['default'], concurrency: 4, running: 0 });

    const env = { SLIPWAY_URL: server.url, SLIPWAY_TOKEN: server.adminToken };
    const table = await cli(['workers', 'list'], env);
    expect(table.code, table.stderr).toBe(0);
    for (const worker of workers) expect(table.stdout).toContain(worker.id);
    expect(table.stdout).toMatch(/ID\s+HOST\s+PID\s+QUEUES/);
    const listed = await cli(['workers', 'list', '--json'], env);
    expect(listed.json<{ items: unknown[] }>().items).toHaveLength(2);
  });

  it('answers an empty list without Redis', async () => {
    const plain = await startTestServer(backend);
    try {
      const response = await plain.fetch('/api/v1/workers');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ queue: false, items: [] });
      const refused = await plain.fetch('/api/v1/pipelines/slowq/runs', {
        method: 'POST',
        body: JSON.stringify({ executor: 'queue' }),
      });
      expect(refused.status).toBeGreaterThanOrEqual(400);
    } finally {
      await plain.close();
    }
  }, 60_000);

  it('kills the command a worker runs when the run is cancelled', async () => {
    const pidfile = join(await pipelineDir({}), 'pid');
    const started = await startRun(server, 'slowq', {
      executor: 'queue',
      params: { seconds: 60, pidfile },
    });
    let pid = 0;
    while (pid === 0) {
      pid = Number((await readFile(pidfile, 'utf8').catch(() => '0')).trim()) || 0;
      await sleep(50);
    }
    expect(isAlive(pid)).toBe(true);
    const cancel = await server.fetch(`/api/v1/pipeline-runs/${started.id}/cancel`, { method: 'POST' });
    expect(cancel.status).toBeLessThan(300);
    const run = await waitForRun(server, started.id);
    expect(run.status).toBe('cancelled');
    expect(stepOf(run, 'slow').status).toBe('cancelled');
    const deadline = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(50);
    expect(isAlive(pid)).toBe(false);
    expect(await stepLog(server, run.id, 'slow')).toContain('started');
  }, 60_000);

  it('leaves retries to the engine, keeps one log per step, and kills a timed-out command', async () => {
    const dir = await pipelineDir({});
    const pidfile = join(dir, 'pid');
    const started = await startRun(server, 'edgeq', {
      executor: 'queue',
      params: { counter: join(dir, 'counter'), pidfile },
    });
    const run = await waitForRun(server, started.id);
    expect(run.status).toBe('failed');
    expect(stepOf(run, 'flaky')).toMatchObject({ status: 'succeeded', attempt: 2 });
    const log = await stepLog(server, run.id, 'flaky');
    expect(log).toMatch(/try 0[\s\S]*STEP_FAILED[\s\S]*--- attempt 2 ---[\s\S]*try 1/);
    expect(stepOf(run, 'stuck')).toMatchObject({ status: 'failed', error: { code: 'STEP_TIMEOUT' } });
    const pid = Number((await readFile(pidfile, 'utf8')).trim());
    const deadline = Date.now() + 10_000;
    while (isAlive(pid) && Date.now() < deadline) await sleep(50);
    expect(isAlive(pid)).toBe(false);
  }, 60_000);

  it('sends a step to the queue of its resource tag', async () => {
    const started = await startRun(server, 'gpuq', { executor: 'queue' });
    await sleep(1_500);
    const waiting = await waitForRun(server, started.id, () => true);
    expect(waiting.status).toBe('running'); // No worker serves `gpu` yet.
    expect(workers.map((worker) => worker.id)).not.toContain(stepOf(waiting, 'train').worker);

    // A cancelled run's job leaves the queue before any worker took it.
    const dropped = await startRun(server, 'gpuq', { executor: 'queue' });
    await waitForRun(
      server,
      dropped.id,
      (run) => run.steps?.find((step) => step.step === 'train')?.status === 'running',
    );
    await server.fetch(`/api/v1/pipeline-runs/${dropped.id}/cancel`, { method: 'POST' });
    expect((await waitForRun(server, dropped.id)).status).toBe('cancelled');

    const gpu = await startWorker(server, workerSettings(prefix, redisUrl), ['--queues', 'gpu']);
    try {
      const run = await waitForRun(server, started.id);
      expect(run.status).toBe('succeeded');
      expect(stepOf(run, 'train').worker).toBe(gpu.id);
      expect(await stepLog(server, run.id, 'train')).toContain('on a gpu');
      await sleep(500);
      expect(await stepLog(server, dropped.id, 'train')).not.toContain('on a gpu');
    } finally {
      await gpu.stop('SIGTERM');
    }
    expect(gpu.child.exitCode).toBe(0);
    const { items } = (await (await server.fetch('/api/v1/workers')).json()) as { items: { id: string }[] };
    expect(items.map((item) => item.id)).not.toContain(gpu.id);
  }, 90_000);

  it('finishes a step on another worker when the one running it is killed', async () => {
    const started = await startRun(server, 'slowq', { executor: 'queue', params: { seconds: 3 } });
    const running = await waitForRun(server, started.id, (run) =>
      workers.some((worker) => run.steps?.find((step) => step.step === 'slow')?.worker === worker.id),
    );
    const victim = workers.find((worker) => worker.id === stepOf(running, 'slow').worker)!;
    const survivor = workers.find((worker) => worker !== victim)!;
    await victim.stop('SIGKILL');

    const run = await waitForRun(server, started.id);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(stepOf(run, 'slow')).toMatchObject({ status: 'succeeded', attempt: 1, outputs: { value: 7 } });
    expect(stepOf(run, 'slow').worker).toBe(survivor.id);
    expect(await stepLog(server, run.id, 'slow')).toContain(`resumed on worker ${survivor.id}`);
  }, 90_000);
});

describe('queue settings', () => {
  it('default to a 30 s lock, a 5 min outage limit and the slipway prefix, and name bad values', () => {
    const base = { SLIPWAY_HOME: '/tmp/slipway-queue-settings' };
    expect(loadServerConfig(base).pipelines).toMatchObject({
      queueLockMs: 30_000,
      queueOutageMs: 300_000,
      queuePrefix: 'slipway',
    });
    expect(
      loadServerConfig({ ...base, SLIPWAY_QUEUE_LOCK_MS: '2000', SLIPWAY_QUEUE_OUTAGE_MS: '1500' }).pipelines,
    ).toMatchObject({ queueLockMs: 2000, queueOutageMs: 1500 });
    for (const [name, value] of [
      ['SLIPWAY_QUEUE_LOCK_MS', 'soon'],
      ['SLIPWAY_QUEUE_OUTAGE_MS', '-1'],
      ['SLIPWAY_QUEUE_PREFIX', 'a:b'],
    ] as const) {
      expect(() => loadServerConfig({ ...base, [name]: value })).toThrow(ConfigError);
      expect(() => loadServerConfig({ ...base, [name]: value })).toThrow(name);
    }
  });
});

/** A redis-server of the test's own (stopping the shared one would break every other suite). */
async function privateRedis(options: { persist: boolean }): Promise<{
  url: string;
  start(): Promise<void>;
  stop(signal: NodeJS.Signals): Promise<void>;
}> {
  const port = await freePort();
  const dir = await pipelineDir({});
  const url = `redis://127.0.0.1:${port}`;
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir];
  args.push('--appendonly', options.persist ? 'yes' : 'no');
  let child: ChildProcess | undefined;
  const server = {
    url,
    async start() {
      child = spawn('redis-server', args, { stdio: 'ignore' });
      const probe = new Redis(url, { retryStrategy: () => 50 });
      probe.on('error', () => {});
      await probe.ping();
      probe.disconnect();
    },
    async stop(signal: NodeJS.Signals) {
      const running = child;
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill(signal);
      await exited;
    },
  };
  await server.start();
  return server;
}

describe.skipIf(REDIS_URL === undefined)('queue executor during a Redis outage', () => {
  const prefix = `t${randomBytes(5).toString('hex')}`;
  const stops: (() => Promise<void>)[] = [];

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  }, 30_000);

  it('fails the waiting attempt with QUEUE_UNAVAILABLE once Redis stays away past the limit', async () => {
    const redis = await privateRedis({ persist: false });
    stops.push(() => redis.stop('SIGKILL'));
    const server = await startTestServer('sqlite', {
      env: { ...workerSettings(prefix, redis.url), SLIPWAY_QUEUE_OUTAGE_MS: '1500' },
    });
    stops.push(() => server.close());
    await applySpec(server, SLOW_SPEC);

    // No worker: the attempt waits in the queue for as long as Redis answers.
    const started = await startRun(server, 'slowq', { executor: 'queue' });
    await waitForRun(
      server,
      started.id,
      (run) => run.steps?.find((step) => step.step === 'slow')?.status === 'running',
    );
    await sleep(2_500);
    expect(stepOf(await waitForRun(server, started.id, () => true), 'slow').status).toBe('running');

    await redis.stop('SIGKILL');
    const run = await waitForRun(server, started.id);
    expect(run.status).toBe('failed');
    expect(stepOf(run, 'slow').error).toMatchObject({ code: 'QUEUE_UNAVAILABLE' });
    expect(stepOf(run, 'slow').error?.message).toContain('SLIPWAY_QUEUE_OUTAGE_MS');
  }, 60_000);

  it('carries on when Redis comes back within the limit', async () => {
    const redis = await privateRedis({ persist: true });
    stops.push(() => redis.stop('SIGKILL'));
    const server = await startTestServer('sqlite', {
      env: { ...workerSettings(prefix, redis.url), SLIPWAY_QUEUE_OUTAGE_MS: '20000' },
    });
    stops.push(() => server.close());
    await applySpec(server, SLOW_SPEC);
    const worker = await startWorker(server, workerSettings(prefix, redis.url));
    stops.push(() => worker.stop('SIGKILL'));

    const started = await startRun(server, 'slowq', { executor: 'queue', params: { seconds: 2 } });
    await waitForRun(
      server,
      started.id,
      (run) => run.steps?.find((step) => step.step === 'slow')?.worker === worker.id,
    );
    await redis.stop('SIGTERM'); // A clean stop writes the append-only file: the jobs survive.
    await sleep(2_000);
    await redis.start();

    const run = await waitForRun(server, started.id);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(stepOf(run, 'slow').outputs).toEqual({ value: 7 });
  }, 90_000);
});
