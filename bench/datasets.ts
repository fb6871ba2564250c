/**
 * `npm run bench -- datasets`: pushing and profiling a 10-million-row, 20-column file through the
 * datasets service (spool + hash, checks, blob store, profile, metadata insert) against DuckDB's own
 * SUMMARIZE over the same file, raw; and a ~1 GB CSV push with the process's peak RSS, to show the
 * file is streamed, not loaded. Target: push + profile of the 10M x 20 file under 30 s.
 *
 * Options: --rows N (10,000,000), --csv-mb N (1024), --format parquet|csv (the 10M file; parquet),
 * --only profile|csv, --keep (leave the temp folder).
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadServerConfig } from '../src/core/config.js';
import { systemContext } from '../src/core/context.js';
import type { DatasetVersion } from '../src/data/index.js';
import { profileParquet } from '../src/data/profiler.js';
import { openPlatform, type Platform } from '../src/platform.js';
import { formatCount, printTable, verdict } from './support/report.js';

const TARGET_SECONDS = 30;
const MiB = 1024 * 1024;

export async function runDatasetsBenchmark(args: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      rows: { type: 'string', default: '10000000' },
      'csv-mb': { type: 'string', default: '1024' },
      format: { type: 'string', default: 'parquet' },
      only: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  const rows = Number(values.rows);
  const format = values.format === 'csv' ? 'csv' : 'parquet';
  const dir = await mkdtemp(join(tmpdir(), 'slipway-bench-datasets-'));
  console.log(
    `datasets benchmark: Node ${process.version}, ${cpus().length} cores, DuckDB, SQLite metadata; in ${dir}`,
  );
  const platform = await openPlatform(
    loadServerConfig({
      SLIPWAY_HOME: join(dir, 'home'),
      SLIPWAY_DATABASE_URL: `sqlite:${join(dir, 'slipway.db')}`,
      SLIPWAY_MAX_ARTIFACT_BYTES: String(64 * 1024 * MiB),
      SLIPWAY_LOG_LEVEL: 'silent',
    }),
  );
  try {
    if (values.only !== 'csv') await benchProfile(platform, dir, rows, format);
    if (values.only !== 'profile') await benchLargeCsv(platform, dir, Number(values['csv-mb']));
  } finally {
    await platform.close();
    if (!values.keep) await rm(dir, { recursive: true, force: true });
  }
}

/** 8 doubles, 4 integers (one with nulls), 5 strings (5 to 10M distinct), a boolean, a timestamp, a date. */
function generatorSql(rows: number): string {
  const columns = [
    ...Array.from({ length: 8 }, (_, i) => `(random() * ${(i + 1) * 100})::DOUBLE AS f${i}`),
    ...Array.from({ length: 3 }, (_, i) => `(hash(range * ${i + 3}) % ${10 ** (i + 2)})::BIGINT AS i${i}`),
    'CASE WHEN range % 10 = 0 THEN NULL ELSE range END AS n0',
    ...[5, 50, 1000, 100_000, 10_000_000].map(
      (k, i) => `'cat_' || (hash(range + ${i}) % ${k})::VARCHAR AS s${i}`,
    ),
    '(range % 3 = 0) AS b0',
    "TIMESTAMP '2020-01-01' + to_seconds(range) AS t0",
    "DATE '2000-01-01' + (range % 9000)::INTEGER AS d0",
  ];
  return `SELECT ${columns.join(', ')} FROM range(${rows})`;
}

async function generate(sql: string, target: string, options: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`COPY (${sql}) TO '${target}' (${options})`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return (await stat(target)).size;
}

async function benchProfile(platform: Platform, dir: string, rows: number, format: 'csv' | 'parquet') {
  const file = join(dir, `wide.${format}`);
  let t0 = performance.now();
  const size = await generate(
    generatorSql(rows),
    file,
    format === 'csv' ? 'FORMAT csv, HEADER' : 'FORMAT parquet',
  );
  console.log(
    `generated ${formatCount(rows)} rows x 20 columns as ${format}: ${(size / MiB).toFixed(0)} MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  // Baseline: DuckDB's SUMMARIZE over the same file, in a fresh instance with the same threads.
  const instance = await DuckDBInstance.create(':memory:', { threads: String(cpus().length) });
  const connection = await instance.connect();
  const reader = format === 'csv' ? `read_csv('${file}')` : `read_parquet('${file}')`;
  t0 = performance.now();
  await connection.runAndReadAll(`SUMMARIZE SELECT * FROM ${reader}`);
  const summarize = (performance.now() - t0) / 1000;
  connection.closeSync();
  instance.closeSync();

  t0 = performance.now();
  const { version } = await platform.datasets.push(
    systemContext('bench'),
    { name: 'wide', format },
    createReadStream(file),
  );
  const push = (performance.now() - t0) / 1000;

  // The profile step alone, over the stored Parquet form (what push spends in profiling).
  const parquet = await platform.datasets.engine.localFile(version.dataDigest, 'parquet');
  t0 = performance.now();
  await platform.datasets.engine.withConnection((c) => profileParquet(c, parquet));
  const profile = (performance.now() - t0) / 1000;

  printTable(
    `push + profile, ${formatCount(version.rowCount)} rows x ${version.columns.length} columns (${format}, ${(size / MiB).toFixed(0)} MiB)`,
    ['step', 'seconds', 'vs SUMMARIZE', `target (push < ${TARGET_SECONDS} s)`],
    [
      [
        'Slipway push (spool, checks, blobs, profile, insert)',
        push.toFixed(1),
        `${(push / summarize).toFixed(2)}x`,
        verdict(push < TARGET_SECONDS),
      ],
      ['Slipway profile alone', profile.toFixed(1), `${(profile / summarize).toFixed(2)}x`, ''],
      ['DuckDB SUMMARIZE (baseline)', summarize.toFixed(1), '1.00x', ''],
    ],
  );
}

async function benchLargeCsv(platform: Platform, dir: string, megabytes: number) {
  const file = join(dir, 'large.csv');
  // About 128 bytes a row with the generator's 20 columns written as text.
  const rows = Math.round((megabytes * MiB) / 190);
  const size = await generate(generatorSql(rows), file, 'FORMAT csv, HEADER');
  global.gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakJs = before.heapUsed + before.arrayBuffers;
  const timer = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakJs = Math.max(peakJs, now.heapUsed + now.arrayBuffers);
  }, 10);
  const t0 = performance.now();
  let seconds: number;
  let version: DatasetVersion;
  try {
    ({ version } = await platform.datasets.push(
      systemContext('bench'),
      { name: 'large', format: 'csv' },
      createReadStream(file),
    ));
    seconds = (performance.now() - t0) / 1000;
  } finally {
    clearInterval(timer);
  }
  printTable(
    `pushing a ${(size / MiB).toFixed(0)} MiB CSV (${formatCount(version.rowCount)} rows)`,
    ['measure', 'value'],
    [
      ['push seconds', seconds.toFixed(1)],
      ['throughput', `${(size / MiB / seconds).toFixed(0)} MiB/s`],
      ['RSS before', `${(before.rss / MiB).toFixed(0)} MiB`],
      ['peak RSS (process, DuckDB included)', `${(peakRss / MiB).toFixed(0)} MiB`],
      [
        'peak JS heap + buffers growth',
        `${((peakJs - before.heapUsed - before.arrayBuffers) / MiB).toFixed(0)} MiB`,
      ],
      ['file / peak RSS', `${(size / peakRss).toFixed(2)}x`],
    ],
  );
}
