/**
 * `npm run bench -- monitor`: a full monitor evaluation over a 100,000-row window of the inference log
 * (target: under 5 s), on a server in this process (SQLite). A classifier on 20 numeric and 2
 * categorical features is trained on a pushed 100,000-row reference and served; 100,000 rows (half the
 * features shifted) are sent through row-oriented predict, 1,000 rows per request, and the log is
 * flushed. Then the monitor is evaluated: cold (reading the reference and the model's reference
 * answers) and warm (both kept). The limit, measured in the same run: compareTables alone on the same
 * two tables already in memory, i.e. the statistics without reading the log or the reference.
 *
 * Options: --rows N (100000), --repeat N (warm evaluations, 3).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { Slipway } from '../src/client/index.js';
import { loadServerConfig } from '../src/core/config.js';
import { systemContext } from '../src/core/context.js';
import { compareTables, type DriftTable } from '../src/monitoring/index.js';
import { startServer } from '../src/server/start.js';
import { gbdtToOnnx, trainGbdt } from '../src/training/gbdt/index.js';
import { seededRandom } from '../src/training/random.js';
import { formatMs, printTable, verdict } from './support/report.js';

const NUMERIC = 20;
const PLANS = ['basic', 'pro', 'team', 'enterprise'];
const REGIONS = ['north', 'south', 'east', 'west', 'center'];
const TARGET_MS = 5000;

type Row = Record<string, number | string>;

function rows(count: number, seed: number, shift: number): Row[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const row: Row = {};
    for (let f = 0; f < NUMERIC; f++) row[`x${f}`] = random() * 10 + (f < NUMERIC / 2 ? shift : 0);
    row.plan = PLANS[Math.floor(random() * PLANS.length)]!;
    row.region = REGIONS[Math.floor(random() * REGIONS.length)]!;
    return row;
  });
}

function tableOf(data: readonly Row[]): DriftTable {
  const columns: DriftTable['columns'] = {};
  for (let f = 0; f < NUMERIC; f++) {
    const name = `x${f}`;
    Object.assign(columns, {
      [name]: { kind: 'numeric', values: Float64Array.from(data, (r) => r[name] as number) },
    });
  }
  Object.assign(columns, {
    plan: { kind: 'categorical', values: data.map((r) => r.plan as string) },
    region: { kind: 'categorical', values: data.map((r) => r.region as string) },
  });
  return { columns };
}

function csvOf(data: readonly Row[], labels: readonly number[]): Buffer {
  const names = [...Array.from({ length: NUMERIC }, (_, f) => `x${f}`), 'plan', 'region'];
  const lines = [[...names, 'label'].join(',')];
  for (const [i, row] of data.entries()) lines.push([...names.map((n) => row[n]), labels[i]].join(','));
  return Buffer.from(`${lines.join('\n')}\n`);
}

export async function runMonitorBenchmark(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: { rows: { type: 'string', default: '100000' }, repeat: { type: 'string', default: '3' } },
  });
  const count = Number(values.rows);
  const repeat = Number(values.repeat);
  const home = await mkdtemp(join(tmpdir(), 'slipway-bench-monitor-'));
  const server = await startServer(
    loadServerConfig({ SLIPWAY_HOME: home, SLIPWAY_PORT: '0', SLIPWAY_LOG_LEVEL: 'silent' }),
  );
  const sw = await Slipway.connect({
    url: server.url,
    token: (await readFile(join(home, 'admin.token'), 'utf8')).trim(),
    env: {},
  });
  try {
    const reference = rows(count, 1, 0);
    const labels = reference.map((r) => ((r.x0 as number) + (r.x11 as number) > 10 ? 1 : 0));
    await sw.datasets.push('bench-train', csvOf(reference, labels), { format: 'csv' });
    const sample = reference.slice(0, 20_000);
    const model = trainGbdt(
      {
        rows: sample.length,
        features: Object.entries(tableOf(sample).columns).map(([name, c]) => ({ name, ...c }) as never),
      },
      {
        kind: 'classification',
        classes: ['0', '1'],
        labels: Int32Array.from(labels.slice(0, sample.length)),
      },
      { iterations: 20, maxLeaves: 16, seed: 1 },
    );
    await server.platform.registry.versions.register(
      systemContext('bench'),
      'bench',
      Readable.from([gbdtToOnnx(model)]),
      {
        features: [
          ...Array.from({ length: NUMERIC }, (_, f) => ({ name: `x${f}`, type: 'numeric' as const })),
          { name: 'plan', type: 'categorical' as const, categories: PLANS },
          { name: 'region', type: 'categorical' as const, categories: REGIONS },
        ],
        classes: ['0', '1'],
        datasets: [{ ref: 'bench-train@1', role: 'train' }],
      },
    );
    await sw.deployments.create('bench', { routes: [{ model: 'bench@1' }] });
    const live = rows(count, 2, 1);
    const sendStart = performance.now();
    for (let i = 0; i < live.length; i += 1000)
      await sw.deployments.predict('bench', live.slice(i, i + 1000));
    await server.platform.serving.flushLog();
    const sendMs = performance.now() - sendStart;
    await sw.monitors.create({ deployment: 'bench', window: count });

    const evaluate = async () => {
      const start = performance.now();
      const started = await sw.monitors.evaluate('bench');
      const report = await sw.monitors.waitForReport('bench', started.id, { intervalMs: 20 });
      if (report.status !== 'succeeded' || report.rows !== count) {
        throw new Error(`evaluation ${report.status}: ${report.error?.message ?? `${report.rows} rows`}`);
      }
      return { ms: performance.now() - start, report };
    };
    const cold = await evaluate();
    const warm: number[] = [];
    for (let i = 0; i < repeat; i++) warm.push((await evaluate()).ms);
    warm.sort((a, b) => a - b);
    const warmMs = warm[Math.floor(warm.length / 2)]!;

    const refTable = tableOf(reference);
    const curTable = tableOf(live);
    const limits: number[] = [];
    for (let i = 0; i < Math.max(1, repeat); i++) {
      const start = performance.now();
      compareTables(refTable, curTable);
      limits.push(performance.now() - start);
    }
    limits.sort((a, b) => a - b);
    const limitMs = limits[Math.floor(limits.length / 2)]!;

    console.log(
      `monitor evaluation over a ${count.toLocaleString('en-US')}-row window, ${NUMERIC + 2} features (SQLite, in-process server)`,
    );
    console.log(
      `sending the window: ${formatMs(sendMs)} ms (${count / 1000} predict calls of 1,000 rows, log flushed)`,
    );
    printTable(
      'evaluation (POST evaluate → report succeeded)',
      ['case', 'ms', 'limit ms', 'ratio', `target < ${TARGET_MS} ms`],
      [
        [
          'cold (reads reference, runs model on it)',
          formatMs(cold.ms),
          formatMs(limitMs),
          `${(cold.ms / limitMs).toFixed(1)}x`,
          verdict(cold.ms < TARGET_MS),
        ],
        [
          `warm (median of ${repeat})`,
          formatMs(warmMs),
          formatMs(limitMs),
          `${(warmMs / limitMs).toFixed(1)}x`,
          verdict(warmMs < TARGET_MS),
        ],
      ],
    );
    console.log(
      `\nlimit: compareTables alone on the same tables in memory. drifted features: ${cold.report.driftedFeatures?.length} of ${NUMERIC + 2} (expected ${NUMERIC / 2})`,
    );
  } finally {
    await sw.close();
    await server.close();
    await rm(home, { recursive: true, force: true });
  }
}
