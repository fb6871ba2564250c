/**
 * Run search over HTTP: 10,000 runs with params and metrics, one filtered, ordered search timed
 * through the SDK; beside it the same answer from hand-written SQL run with better-sqlite3 directly
 * on the same file (the search, then the params, tags and latest metrics of the page).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { Slipway } from '../../src/client/index.js';
import { loadServerConfig } from '../../src/core/config.js';
import { systemContext } from '../../src/core/context.js';
import { newId } from '../../src/core/ids.js';
import { openPlatform } from '../../src/platform.js';
import { startServerProcess } from '../support/server-process.js';

export interface RunSearchOptions {
  readonly root: string;
  readonly runs: number;
  readonly repeats: number;
  readonly cpuProfileDir?: string;
}

export interface RunSearchResult {
  readonly runs: number;
  readonly matches: number;
  readonly seedMs: number;
  readonly httpMs: readonly number[];
  readonly sqlMs: readonly number[];
  readonly serverFrom: 'dist' | 'tsx';
}

export const SEARCH_FILTER = "metrics.accuracy > 0.9 and params.model = 'gbdt'";
export const SEARCH_ORDER = 'metrics.accuracy desc';
const LIMIT = 100;
const WARM_UP = 3;
const MODELS = ['gbdt', 'linear', 'mlp'] as const;

// The hand-written equivalent: joins instead of EXISTS, the page's details by seq.
const SEARCH_SQL = `
  select r.* from runs r
  join latest_metrics m on m.run_seq = r.seq and m.key = 'accuracy'
  join run_params p on p.run_seq = r.seq and p.key = 'model'
  where r.experiment_id = ? and m.value > 0.9 and p.value = 'gbdt'
  order by m.value desc, r.id desc
  limit ${LIMIT + 1}`;

export async function benchRunSearch(options: RunSearchOptions): Promise<RunSearchResult> {
  const home = await mkdtemp(join(tmpdir(), 'slipway-bench-search-'));
  try {
    const seeding = performance.now();
    await seed(home, options.runs);
    const seedMs = performance.now() - seeding;

    const server = await startServerProcess({
      root: options.root,
      home,
      ...(options.cpuProfileDir === undefined ? {} : { cpuProfileDir: options.cpuProfileDir }),
    });
    const httpMs: number[] = [];
    let apiIds: string[];
    try {
      const token = (await readFile(join(home, 'admin.token'), 'utf8')).trim();
      const sw = await Slipway.connect({ url: server.url, token, env: {} });
      try {
        const search = () =>
          sw.runs.search({
            experiments: ['bench-search'],
            filter: SEARCH_FILTER,
            orderBy: [SEARCH_ORDER],
            limit: LIMIT,
          });
        for (let i = 0; i < WARM_UP; i++) await search();
        let last = await search();
        for (let i = 0; i < options.repeats; i++) {
          const started = performance.now();
          last = await search();
          httpMs.push(performance.now() - started);
        }
        apiIds = last.items.map((run) => run.id);
      } finally {
        await sw.close();
      }
    } finally {
      await server.stop();
    }

    const { sqlMs, ids: sqlIds, matches } = timeSql(join(home, 'slipway.db'), options.repeats);
    if (JSON.stringify(apiIds) !== JSON.stringify(sqlIds)) {
      throw new Error(
        'the API and the hand-written SQL found different runs: the baseline is not equivalent',
      );
    }
    return { runs: options.runs, matches, seedMs, httpMs, sqlMs, serverFrom: server.from };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** Runs with three params and three metrics (five steps each), created through the service layer. */
async function seed(home: string, runs: number): Promise<void> {
  const platform = await openPlatform(loadServerConfig({ SLIPWAY_HOME: home }));
  try {
    // Seeding is set-up, not measured: skip the per-commit fsync here only (the server keeps FULL).
    await sql`pragma synchronous = OFF`.execute(platform.database.db);
    const ctx = systemContext(newId());
    const { experiments, runs: runService, metrics } = platform.tracking;
    await experiments.create(ctx, { name: 'bench-search' });
    const random = mulberry32(42);
    for (let i = 0; i < runs; i++) {
      const run = await runService.create(ctx, {
        experiment: 'bench-search',
        name: `run-${i}`,
        params: {
          model: MODELS[i % MODELS.length]!,
          lr: Number((random() / 10).toFixed(4)),
          depth: 2 + (i % 7),
        },
      });
      const accuracy = 0.5 + random() / 2;
      const points = [];
      for (let step = 0; step < 5; step++) {
        const progress = (step + 1) / 5;
        points.push(
          { key: 'accuracy', value: accuracy * progress, step },
          { key: 'loss', value: (1 - accuracy) / progress, step },
          { key: 'f1', value: accuracy * progress * 0.95, step },
        );
      }
      await metrics.logBatch(ctx, run.id, { metrics: points });
    }
  } finally {
    await platform.close();
  }
}

function timeSql(path: string, repeats: number): { sqlMs: number[]; ids: string[]; matches: number } {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    const experiment = db.prepare('select id from experiments where name = ?').pluck();
    const search = db.prepare(SEARCH_SQL);
    const details = ['run_params', 'run_tags', 'latest_metrics'].map((table) =>
      db.prepare(`select * from ${table} where run_seq in (select value from json_each(?)) order by key`),
    );
    const once = () => {
      const id = experiment.get('bench-search');
      const rows = search.all(id) as { id: string; seq: number }[];
      const page = rows.slice(0, LIMIT);
      const seqs = JSON.stringify(page.map((row) => row.seq));
      for (const statement of details) statement.all(seqs);
      return page.map((row) => row.id);
    };
    for (let i = 0; i < WARM_UP; i++) once();
    const sqlMs: number[] = [];
    let ids: string[] = [];
    for (let i = 0; i < repeats; i++) {
      const started = performance.now();
      ids = once();
      sqlMs.push(performance.now() - started);
    }
    const matches = (
      db
        .prepare(`select count(*) as n from (${SEARCH_SQL.replace(/limit \d+/, '')})`)
        .get(experiment.get('bench-search')) as { n: number }
    ).n;
    return { sqlMs, ids, matches };
  } finally {
    db.close();
  }
}

/** A small seeded PRNG, so every run of the benchmark searches the same data. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
