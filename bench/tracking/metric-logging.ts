/**
 * Metric logging end to end: training loops log through the SDK's buffered ActiveRun, over HTTP, into
 * a server child process writing SQLite. The limit beside it: the same number of rows inserted with
 * better-sqlite3 directly, one prepared statement in one transaction, into a file with the same
 * schema, indexes and pragmas.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { type ActiveRun, type BatchingOptions, Slipway } from '../../src/client/index.js';
import { openDatabase } from '../../src/store/index.js';
import { startServerProcess } from '../support/server-process.js';

export interface MetricLoggingOptions {
  readonly root: string;
  readonly runs: number;
  readonly keys: number;
  readonly steps: number;
  /** Write CPU profiles of the server child here. */
  readonly cpuProfileDir?: string;
  /** SDK batching; default: the SDK's own defaults. */
  readonly batching?: BatchingOptions;
  /** Measurement only: the server's SQLite with synchronous=NORMAL instead of FULL. */
  readonly relaxedSync?: boolean;
}

export interface MetricLoggingResult {
  readonly points: number;
  readonly endToEndMs: number;
  readonly rawMs: number;
  readonly serverFrom: 'dist' | 'tsx';
  readonly requests: number;
  /** CPU seconds used during the timed window (user + system). */
  readonly serverCpuSeconds?: number;
  readonly clientCpuSeconds: number;
}

/** A training loop yields to the event loop between steps (a real one computes; this one waits). */
const STEPS_BETWEEN_YIELDS = 100;

export async function benchMetricLogging(options: MetricLoggingOptions): Promise<MetricLoggingResult> {
  const points = options.runs * options.keys * options.steps;
  const keys = Array.from({ length: options.keys }, (_, k) => `metric_${k}`);
  const home = await mkdtemp(join(tmpdir(), 'slipway-bench-metrics-'));
  try {
    const server = await startServerProcess({
      root: options.root,
      home,
      ...(options.cpuProfileDir === undefined ? {} : { cpuProfileDir: options.cpuProfileDir }),
      relaxedSync: options.relaxedSync === true,
    });
    let endToEndMs: number;
    let clientCpuSeconds = 0;
    let serverCpuSeconds: number | undefined;
    try {
      const token = (await readFile(join(home, 'admin.token'), 'utf8')).trim();
      const sw = await Slipway.connect({ url: server.url, token, env: {} });
      try {
        await sw.experiments.create({ name: 'bench-metrics' });
        const runs = await Promise.all(
          Array.from({ length: options.runs }, (_, r) =>
            sw.startRun({
              experiment: 'bench-metrics',
              name: `run-${r}`,
              gitCommit: false,
              ...options.batching,
            }),
          ),
        );
        const serverCpu = server.cpuSeconds();
        const clientCpu = process.cpuUsage();
        const started = performance.now();
        await Promise.all(runs.map((run, r) => trainingLoop(run, r, keys, options.steps)));
        endToEndMs = performance.now() - started;
        const clientUsed = process.cpuUsage(clientCpu);
        clientCpuSeconds = (clientUsed.user + clientUsed.system) / 1e6;
        const serverAfter = server.cpuSeconds();
        if (serverCpu !== undefined && serverAfter !== undefined) serverCpuSeconds = serverAfter - serverCpu;
      } finally {
        await sw.close();
      }
    } finally {
      await server.stop();
    }
    const requests = verifyStored(join(home, 'slipway.db'), options);
    const rawMs = await rawInsert(options, keys);
    return {
      points,
      endToEndMs,
      rawMs,
      serverFrom: server.from,
      requests,
      clientCpuSeconds,
      ...(serverCpuSeconds === undefined ? {} : { serverCpuSeconds }),
    };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

async function trainingLoop(
  run: ActiveRun,
  r: number,
  keys: readonly string[],
  steps: number,
): Promise<void> {
  const values: Record<string, number> = {};
  for (let step = 0; step < steps; step++) {
    for (let k = 0; k < keys.length; k++) values[keys[k]!] = metricValue(r, k, step);
    run.logMetrics(values, step);
    if (step % STEPS_BETWEEN_YIELDS === STEPS_BETWEEN_YIELDS - 1) await yieldToEventLoop();
  }
  await run.end();
}

function metricValue(run: number, key: number, step: number): number {
  return Math.exp(-step / 2_000) * (1 + key) + run / 100 + Math.sin(step) / 50;
}

/** Every point stored, the latest value of every key at the last step, one audit event per batch. */
function verifyStored(path: string, options: MetricLoggingOptions): number {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    const expected = options.runs * options.keys * options.steps;
    const { n } = db.prepare('select count(*) as n from metrics').get() as { n: number };
    if (n !== expected) throw new Error(`expected ${expected} metric rows, found ${n}`);
    const latest = db
      .prepare('select count(*) as n from latest_metrics where step = ?')
      .get(options.steps - 1) as { n: number };
    if (latest.n !== options.runs * options.keys) {
      throw new Error(
        `expected ${options.runs * options.keys} latest values at the last step, found ${latest.n}`,
      );
    }
    const audit = db
      .prepare(`select count(*) as n, sum(json_extract("after", '$.points')) as logged
        from audit_events where action = 'run.log_metrics'`)
      .get() as { n: number; logged: number };
    if (audit.logged !== expected)
      throw new Error(`audit events count ${audit.logged} points, not ${expected}`);
    return audit.n;
  } finally {
    db.close();
  }
}

/** The limit: the same rows, one prepared insert in one transaction, same schema and pragmas. */
async function rawInsert(options: MetricLoggingOptions, keys: readonly string[]): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-bench-raw-'));
  const path = join(dir, 'raw.db');
  try {
    // Slipway's own migrations: the metrics table and its index are exactly the server's.
    const migrated = await openDatabase({ kind: 'sqlite', path });
    await migrated.close();
    const db = new BetterSqlite3(path);
    // The server connection's pragmas (journal_mode is stored in the file; the rest are per connection).
    db.pragma('journal_mode = WAL');
    db.pragma(options.relaxedSync === true ? 'synchronous = NORMAL' : 'synchronous = FULL');
    db.pragma('foreign_keys = ON');
    try {
      const now = Date.now();
      db.prepare(
        `insert into experiments (id, name, lifecycle, created_at, updated_at) values ('e', 'raw', 'active', ?, ?)`,
      ).run(now, now);
      const addRun = db.prepare(
        `insert into runs (id, experiment_id, name, status, start_time, created_by, updated_at)
         values (?, 'e', ?, 'running', ?, 'bench', ?)`,
      );
      const seqs = Array.from({ length: options.runs }, (_, r) =>
        Number(addRun.run(`run-${r}`, `run-${r}`, now, now).lastInsertRowid),
      );
      const insert = db.prepare(
        'insert into metrics (run_seq, key, step, timestamp, value) values (?,?,?,?,?)',
      );
      const started = performance.now();
      db.transaction(() => {
        for (let r = 0; r < options.runs; r++) {
          for (let step = 0; step < options.steps; step++) {
            const timestamp = now + step;
            for (let k = 0; k < keys.length; k++) {
              insert.run(seqs[r], keys[k], step, timestamp, metricValue(r, k, step));
            }
          }
        }
      })();
      return performance.now() - started;
    } finally {
      db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
