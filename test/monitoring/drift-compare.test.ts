/**
 * Ad hoc drift comparison through the public interfaces: POST /api/v1/drift/compare over HTTP, the
 * SDK's sw.drift.compare, and `slipway drift compare` on local files, dataset versions and both mixed.
 * The data is seeded: in the current table x (numeric) and c (categorical) shift, y and d do not.
 */

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { InvalidError, NotFoundError } from '../../src/core/errors.js';
import { seededRandom } from '../../src/core/seeded-random.js';
import type { DriftComparison } from '../../src/monitoring/index.js';
import { BACKENDS } from '../support/backends.js';
import { cliSuite } from '../support/cli-suite.js';

const ROWS = 400;

interface Row {
  readonly ts: string;
  readonly x: number;
  readonly y: number;
  readonly c: string;
  readonly d: string;
}

/** ROWS rows; `shifted` moves x by one standard deviation and reverses c's category weights. */
function sample(seed: number, shifted: boolean): Row[] {
  const rand = seededRandom(seed);
  const normal = (mean: number, std: number) =>
    mean + std * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const pick = (labels: readonly string[], weights: readonly number[]) => {
    let u = rand() * weights.reduce((a, b) => a + b, 0);
    let k = 0;
    while (k < weights.length - 1 && u >= weights[k]!) u -= weights[k++]!;
    return labels[k]!;
  };
  return Array.from({ length: ROWS }, (_, i) => ({
    ts: `2024-01-${String((i % 28) + 1).padStart(2, '0')} 12:00:00`,
    x: Number(normal(shifted ? 1 : 0, 1).toFixed(6)),
    y: Number(normal(50, 5).toFixed(6)),
    c: pick(['a', 'b', 'c', 'd'], shifted ? [1, 2, 3, 4] : [4, 3, 2, 1]),
    d: pick(['red', 'green', 'blue'], [5, 3, 2]),
  }));
}

const csv = (rows: readonly Row[]) =>
  `ts,x,y,c,d\n${rows.map((r) => `${r.ts},${r.x},${r.y},${r.c},${r.d}`).join('\n')}\n`;
const jsonl = (rows: readonly Row[]) =>
  `${rows.map((r) => JSON.stringify({ x: r.x, y: r.y, c: r.c, d: r.d })).join('\n')}\n`;

const REFERENCE = csv(sample(1, false));
const CURRENT = csv(sample(2, true));
const AGAIN = jsonl(sample(3, false));
/** Two categories, all "yes" on one side and all "no" on the other: the z-test's p-value underflows to 0. */
const ALL_YES = `flag\n${'yes\n'.repeat(800)}`;
const ALL_NO = `flag\n${'no\n'.repeat(800)}`;

async function toParquet(csvPath: string, parquetPath: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(
      `COPY (SELECT * FROM read_csv('${csvPath}', header=true)) TO '${parquetPath}' (FORMAT parquet)`,
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const drifted = (r: DriftComparison) =>
  Object.fromEntries(r.columns.map((c) => [c.column, c.drifted])) as Record<string, boolean>;

/** The report without what names the two sides, for comparing local and server answers. */
const statistics = (r: DriftComparison) => {
  const { reference: _r, current: _c, ignored: _i, ...rest } = r;
  return rest;
};

describe.each(BACKENDS)('drift compare (%s)', (backend) => {
  const suite = cliSuite({
    workPrefix: 'slipway-drift-cli-',
    backend,
    prepare: async ({ server, work }) => {
      await writeFile(join(work, 'ref.csv'), REFERENCE);
      await writeFile(join(work, 'cur.csv'), CURRENT);
      await writeFile(join(work, 'again.jsonl'), AGAIN);
      await toParquet(join(work, 'cur.csv'), join(work, 'cur.parquet'));
      await server.sw.datasets.push('churn-train', Buffer.from(REFERENCE), { format: 'csv' });
      await server.sw.datasets.push('churn-live', Buffer.from(CURRENT), { format: 'csv' });
      await server.sw.datasets.push('flags-a', Buffer.from(ALL_YES), { format: 'csv' });
      await server.sw.datasets.push('flags-b', Buffer.from(ALL_NO), { format: 'csv' });
    },
  });
  const { run } = suite;
  const post = (body: unknown, token?: string) =>
    suite.server.fetch('/api/v1/drift/compare', {
      method: 'POST',
      body: JSON.stringify(body),
      ...(token === undefined ? {} : { token }),
    });

  describe('POST /api/v1/drift/compare', () => {
    it('answers the report with resolved references, rows and ignored columns', async () => {
      const response = await post({ reference: 'churn-train@1', current: 'churn-live@latest' });
      expect(response.status).toBe(200);
      const report = (await response.json()) as DriftComparison;
      expect(report.reference).toBe('churn-train@1');
      expect(report.current).toBe('churn-live@1');
      expect(report.rows).toEqual({ reference: ROWS, current: ROWS });
      expect(report.ignored).toEqual([{ column: 'ts', reason: 'timestamp column' }]);
      expect(drifted(report)).toEqual({ x: true, c: true, y: false, d: false });
      expect(report.columns.slice(0, 2).every((c) => c.drifted)).toBe(true);
      expect(Object.fromEntries(report.columns.map((c) => [c.column, c.test]))).toEqual({
        x: 'ks',
        y: 'ks',
        c: 'chi2',
        d: 'chi2',
      });
      expect(report).toMatchObject({ driftedColumns: 2, totalColumns: 4, share: 0.5, datasetDrift: true });
      expect(report.multivariate).toBeUndefined();
    });

    it('is documented in the OpenAPI document', async () => {
      const doc = (await (await suite.server.fetch('/api/v1/openapi.json')).json()) as {
        paths: Record<string, Record<string, unknown>>;
        components: { schemas: Record<string, unknown> };
      };
      expect(doc.paths['/api/v1/drift/compare']?.post).toBeDefined();
      expect(doc.components.schemas.DriftComparison).toBeDefined();
    });

    it('lets a viewer compare', async () => {
      const viewer = await suite.server.sw.tokens.create({ name: `drift-viewer-${backend}`, role: 'viewer' });
      const response = await post({ reference: 'churn-train@1', current: 'churn-live@1' }, viewer.token);
      expect(response.status).toBe(200);
      expect((await post({ reference: 'churn-train@1', current: 'churn-live@1' }, 'nope')).status).toBe(401);
    });

    it('adds MMD over the numeric columns, restricts columns and corrects p-values', async () => {
      const mmd = (await (
        await post({ reference: 'churn-train@1', current: 'churn-live@1', tests: ['ks', 'chi2', 'mmd'] })
      ).json()) as DriftComparison;
      expect(mmd.multivariate).toMatchObject({
        test: 'mmd',
        columns: ['x', 'y'],
        threshold: 0.05,
        drifted: true,
      });
      expect(mmd.multivariate!.pvalue as number).toBeLessThan(0.05);

      const calm = (await (
        await post({
          reference: 'churn-train@1',
          current: 'churn-live@1',
          columns: ['y', 'd'],
          tests: ['mmd', 'ks'],
        })
      ).json()) as DriftComparison;
      expect(drifted(calm)).toEqual({ y: false });
      expect(calm.multivariate).toMatchObject({ columns: ['y'], drifted: false });
      expect(calm.skipped).toEqual([
        { column: 'd', reason: 'none of the requested tests applies to this categorical column' },
      ]);
      expect(calm.datasetDrift).toBe(false);
      expect(calm.ignored).toEqual([]);

      const corrected = (await (
        await post({
          reference: 'churn-train@1',
          current: 'churn-live@1',
          correction: 'bh',
          driftShare: 0.75,
        })
      ).json()) as DriftComparison;
      expect(corrected.correction).toBe('bh');
      expect(corrected.columns.every((c) => typeof c.adjustedPvalue === 'number')).toBe(true);
      expect(corrected.datasetDrift).toBe(false);
    });

    it('encodes an infinite strength as the string "Infinity"', async () => {
      const response = await post({ reference: 'flags-a@1', current: 'flags-b@1' });
      expect(response.status).toBe(200);
      const report = (await response.json()) as {
        columns: { test: string; pvalue: unknown; strength: unknown }[];
      };
      expect(report.columns[0]).toMatchObject({ test: 'ztest', pvalue: 0, strength: 'Infinity' });
    });

    const bad: [string, unknown, number, string, RegExp][] = [
      [
        'an unknown dataset',
        { reference: 'nope@1', current: 'churn-live@1' },
        404,
        'DATASET_NOT_FOUND',
        /nope/,
      ],
      [
        'an unknown version',
        { reference: 'churn-train@9', current: 'churn-live@1' },
        404,
        'DATASET_VERSION_NOT_FOUND',
        /no version 9/,
      ],
      [
        'a bad reference',
        { reference: 'churn-train@', current: 'churn-live@1' },
        400,
        'INVALID_REFERENCE',
        /reference/,
      ],
      ['a missing current', { reference: 'churn-train@1' }, 400, 'INVALID_ARGUMENT', /body\.current/],
      [
        'an unknown column',
        { reference: 'churn-train@1', current: 'churn-live@1', columns: ['x', 'nope'] },
        400,
        'INVALID_ARGUMENT',
        /columns: unknown column nope/,
      ],
      [
        'an unknown test',
        { reference: 'churn-train@1', current: 'churn-live@1', tests: ['ks', 'bogus'] },
        400,
        'INVALID_ARGUMENT',
        /body\.tests/,
      ],
      [
        'a test that does not fit the column',
        { reference: 'churn-train@1', current: 'churn-live@1', overrides: { c: { test: 'ks' } } },
        400,
        'INVALID_ARGUMENT',
        /overrides\.c\.test: ks needs a numeric column/,
      ],
      [
        'mmd as an override',
        { reference: 'churn-train@1', current: 'churn-live@1', overrides: { x: { test: 'mmd' } } },
        400,
        'INVALID_ARGUMENT',
        /overrides\.x\.test: mmd is a multivariate test/,
      ],
      [
        'mmd without numeric columns',
        { reference: 'churn-train@1', current: 'churn-live@1', columns: ['c'], tests: ['mmd'] },
        400,
        'INVALID_ARGUMENT',
        /tests: mmd needs at least one numeric column/,
      ],
      [
        'bins out of range',
        { reference: 'churn-train@1', current: 'churn-live@1', bins: 0 },
        400,
        'INVALID_ARGUMENT',
        /bins must be an integer from 1 to 10000/,
      ],
      [
        'a drift share out of range',
        { reference: 'churn-train@1', current: 'churn-live@1', driftShare: 2 },
        400,
        'INVALID_ARGUMENT',
        /driftShare/,
      ],
      [
        'a timestamp column only',
        { reference: 'churn-train@1', current: 'churn-live@1', columns: ['ts'] },
        400,
        'INVALID_ARGUMENT',
        /none of the requested columns can be compared \(ts: timestamp column\)/,
      ],
    ];
    it.each(bad)('refuses %s', async (_what, body, status, code, message) => {
      const response = await post(body);
      expect(response.status).toBe(status);
      const { error } = (await response.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    });
  });

  describe('sw.drift.compare', () => {
    it('returns the typed report, decoding non-finite numbers', async () => {
      const report = await suite.server.sw.drift.compare({
        reference: 'churn-train@1',
        current: 'churn-live@1',
        tests: ['psi'],
      });
      expect(report.columns.every((c) => c.test === 'psi')).toBe(true);
      expect(drifted(report).x).toBe(true);
      const flags = await suite.server.sw.drift.compare({ reference: 'flags-a@1', current: 'flags-b@1' });
      expect(flags.columns[0]!.strength).toBe(Number.POSITIVE_INFINITY);
      expect(flags.datasetDrift).toBe(true);
    });

    it('throws the SDK error classes with the field named', async () => {
      const unknown = suite.server.sw.drift.compare({ reference: 'gone@1', current: 'churn-live@1' });
      await expect(unknown).rejects.toBeInstanceOf(NotFoundError);
      const column = await suite.server.sw.drift
        .compare({ reference: 'churn-train@1', current: 'churn-live@1', columns: ['nope'] })
        .catch((error: unknown) => error);
      expect(column).toBeInstanceOf(InvalidError);
      expect((column as InvalidError).details).toMatchObject({ field: 'columns' });
    });
  });

  describe('slipway drift compare', () => {
    it('compares a local CSV with a local Parquet file and prints a table', async () => {
      const result = await run('drift', 'compare', 'ref.csv', 'cur.parquet');
      expect(result.code).toBe(0);
      const lines = result.stdout.split('\n');
      expect(lines[0]).toBe(`drift of cur.parquet (${ROWS} rows) against ref.csv (${ROWS} rows)`);
      expect(result.stdout).toMatch(
        /COLUMN\s+TYPE\s+TEST\s+STATISTIC\s+P-VALUE\/DISTANCE\s+THRESHOLD\s+DRIFT/,
      );
      const rows = lines.filter((l) => /^[xycd] /.test(l));
      expect(rows.map((l) => [l.split(/\s+/)[0], l.split(/\s+/).at(-1)])).toEqual([
        [expect.stringMatching(/^[xc]$/), 'yes'],
        [expect.stringMatching(/^[xc]$/), 'yes'],
        [expect.stringMatching(/^[yd]$/), 'no'],
        [expect.stringMatching(/^[yd]$/), 'no'],
      ]);
      expect(result.stdout).toMatch(/^x\s+numeric\s+ks\s+\S+\s+\S+\s+0\.05\s+yes$/m);
      expect(result.stdout).toContain('dataset drift: yes (2 of 4 columns drifted, share ≥ 0.5)');
      expect(result.stdout).toContain('ignored: ts (timestamp column)');
    });

    it('computes locally what the server computes for the same data', async () => {
      const local = await run('--json', 'drift', 'compare', 'ref.csv', 'cur.csv');
      const remote = await run('drift', 'compare', 'churn-train@1', 'churn-live@latest', '--json');
      expect(local.code).toBe(0);
      expect(remote.code).toBe(0);
      expect(local.json<DriftComparison>()).toMatchObject({ reference: 'ref.csv', current: 'cur.csv' });
      expect(remote.json<DriftComparison>()).toMatchObject({
        reference: 'churn-train@1',
        current: 'churn-live@1',
      });
      expect(statistics(local.json<DriftComparison>())).toEqual(statistics(remote.json<DriftComparison>()));
      const api = await (await post({ reference: 'churn-train@1', current: 'churn-live@1' })).json();
      expect(remote.json()).toEqual(api);
    });

    it('mixes a local file with a dataset version', async () => {
      const mixed = await run(
        '--json',
        'drift',
        'compare',
        'ref.csv',
        'churn-live@latest',
        '--tests',
        'ks,chi2,mmd',
      );
      expect(mixed.code).toBe(0);
      const report = mixed.json<DriftComparison>();
      expect(report.reference).toBe('ref.csv');
      expect(report.current).toBe('churn-live@1');
      expect(drifted(report)).toEqual({ x: true, c: true, y: false, d: false });
      expect(report.multivariate).toMatchObject({ columns: ['x', 'y'], drifted: true });
      const human = await run(
        'drift',
        'compare',
        'churn-train@1',
        'cur.parquet',
        '--tests',
        'ks,mmd',
        '--correction',
        'bh',
      );
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(
        /^multivariate: mmd over x, y: statistic \S+, p-value \S+, threshold 0\.05, drift yes$/m,
      );
      expect(human.stdout).toContain('p-values corrected: bh');
      expect(human.stdout).toContain(
        'skipped: c (none of the requested tests applies to this categorical column)',
      );
    });

    it('finds no drift between two samples of one distribution, and exits 0 either way', async () => {
      const calm = await run('drift', 'compare', 'ref.csv', 'again.jsonl');
      expect(calm.code).toBe(0);
      expect(calm.stdout).toContain('dataset drift: no (0 of 4 columns drifted, share < 0.5)');
      expect(calm.stdout).toContain('ignored: ts (timestamp column in the reference table)');
      const strict = await run(
        '--json',
        'drift',
        'compare',
        'ref.csv',
        'cur.csv',
        '--drift-share',
        '0.75',
        '--bins',
        '5',
      );
      expect(strict.code).toBe(0);
      expect(strict.json<DriftComparison>().datasetDrift).toBe(false);
      expect(
        strict.json<DriftComparison>().columns.find((c) => c.column === 'x')!.histogram.edges,
      ).toHaveLength(6);
    });

    const usage: [string, string[], RegExp][] = [
      ['an unknown test', ['ref.csv', 'cur.csv', '--tests', 'ks,bogus'], /--tests: unknown test bogus/],
      ['a missing file', ['ref.csv', 'missing.csv'], /cannot read file 'missing\.csv': it does not exist/],
      [
        'a bad correction',
        ['ref.csv', 'cur.csv', '--correction', 'holm'],
        /--correction expects none, bonferroni or bh/,
      ],
      [
        'a drift share out of range',
        ['ref.csv', 'cur.csv', '--drift-share', '1.5'],
        /--drift-share expects a number in \(0, 1\]/,
      ],
      [
        'bins out of range',
        ['ref.csv', 'cur.csv', '--bins', '0'],
        /--bins expects a whole number from 1 to 10000/,
      ],
    ];
    it.each(usage)('exits 2 on %s', async (_what, args, message) => {
      const result = await run('drift', 'compare', ...args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe('');
    });

    it('exits 1 on an unknown column or dataset, locally and on the server', async () => {
      const local = await run('drift', 'compare', 'ref.csv', 'cur.csv', '--columns', 'x,nope');
      expect(local.code).toBe(1);
      expect(local.stderr.split('\n')[0]).toBe(
        'error: columns: unknown column nope (in neither ref.csv nor cur.csv) [INVALID_ARGUMENT]',
      );
      const remote = await run('drift', 'compare', 'churn-train@1', 'churn-live@1', '--columns', 'nope');
      expect(remote.code).toBe(1);
      expect(remote.stderr).toContain('columns: unknown column nope');
      const dataset = await run('drift', 'compare', 'ref.csv', 'nope@1');
      expect(dataset.code).toBe(1);
      expect(dataset.stderr).toContain('[DATASET_NOT_FOUND]');
    });
  });
});
