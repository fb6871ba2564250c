/** Dataset diffs through the SDK and HTTP: schema changes, row counts, shifts (PSI) and bad references. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatasetDiff, InvalidError, NotFoundError } from '../../src/client/index.js';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const EPS = 1e-4;
const ROWS = 1000;

async function push(t: TestServer, name: string, csv: string): Promise<number> {
  return (await t.sw.datasets.push(name, Buffer.from(csv), { format: 'csv' })).version;
}

function csv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return `${[header.join(','), ...rows.map((row) => row.join(','))].join('\n')}\n`;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * v1: x uniform on 0..999; v2: x shifted by +500 (uniform on 500..1499). Everything else known:
 * `stable` identical, `code` integer -> float with the same values (1 -> 1.0), `maybe` gains 10% nulls,
 * `dropped` removed, `added` new.
 */
const V1 = csv(
  ['id', 'x', 'stable', 'code', 'maybe', 'cat', 'dropped'],
  range(ROWS).map((i) => [i, i, i % 10, i % 5, i % 7, ['a', 'b', 'c', 'd'][i % 4]!, i * 2]),
);
const V2 = csv(
  ['id', 'x', 'stable', 'code', 'maybe', 'cat', 'added'],
  range(ROWS).map((i) => [
    i,
    i + 500,
    i % 10,
    `${i % 5}.0`,
    i % 10 === 0 ? '' : i % 7,
    ['a', 'b', 'c', 'd'][i % 4]!,
    'new',
  ]),
);

/**
 * x's PSI by hand: v1's deciles fall at 99.9, 199.8, …, 899.1 (linear interpolation over 0..999).
 * v2 has no rows in the five bins up to 499.5 (each counts as EPS), 10% in each of the bins
 * (499.5, 599.4] … (799.2, 899.1], and the remaining 60% above 899.1.
 */
const X_PSI = 5 * (EPS - 0.1) * Math.log(EPS / 0.1) + (0.6 - 0.1) * Math.log(0.6 / 0.1);

/**
 * 50 frequent categories (19 rows each) and a tail of 50 values seen once: v1's tail is u0..u49,
 * v2's is n0..n49. The tail shares one bin ("every other value"), which holds 5% in both.
 */
function tail(prefix: string): string {
  const rows = range(ROWS).map((i) => [i, i < 950 ? `c${i % 50}` : `${prefix}${i - 950}`]);
  return csv(['id', 'label'], rows);
}

describe.each(BACKENDS)('dataset diff on %s', (backend) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(backend);
    expect(await push(t, 'shift', V1)).toBe(1);
    expect(await push(t, 'shift', V2)).toBe(2);
    expect(await push(t, 'other', V1)).toBe(1);
    expect(await push(t, 'tail', tail('u'))).toBe(1);
    expect(await push(t, 'tail', tail('n'))).toBe(2);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reports schema changes, row counts and the shifted column first with the PSI worked out by hand', async () => {
    const diff = await t.sw.datasets.diff('shift@1', 'shift@2');
    expect(diff.from).toEqual({ dataset: 'shift', version: 1, rowCount: ROWS });
    expect(diff.to).toEqual({ dataset: 'shift', version: 2, rowCount: ROWS });
    expect(diff.rowCount).toEqual({ from: ROWS, to: ROWS, delta: 0 });
    expect(diff.schema.added).toEqual([{ name: 'added', type: 'string' }]);
    expect(diff.schema.removed).toEqual([{ name: 'dropped', type: 'integer' }]);
    expect(diff.schema.typeChanged).toEqual([{ name: 'code', from: 'integer', to: 'float' }]);

    const names = diff.columns.map((column) => column.name);
    expect(names[0]).toBe('x');
    expect(new Set(names)).toEqual(new Set(['id', 'x', 'stable', 'code', 'maybe', 'cat']));
    const psis = diff.columns.map((column) => column.psi);
    expect(psis).toEqual([...psis].sort((a, b) => b - a));

    const x = column(diff, 'x');
    expect(x.psi).toBeCloseTo(X_PSI, 6);
    expect(x.psiMethod).toBe('deciles');
    expect(x.bins).toBe(10);
    expect(x.mean).toEqual({ from: 499.5, to: 999.5, delta: 500 });
    expect(x.std!.delta).toBeCloseTo(0, 9);
    expect(x.nullRate).toEqual({ from: 0, to: 0, delta: 0 });

    expect(column(diff, 'stable').psi).toBe(0);
    expect(column(diff, 'cat')).toMatchObject({ psi: 0, psiMethod: 'categories', bins: 4 });
    expect(column(diff, 'id').psi).toBe(0);
    const code = column(diff, 'code');
    expect(code).toMatchObject({ type: 'float', fromType: 'integer', psiMethod: 'deciles', psi: 0 });
    expect(code.mean).toEqual({ from: 2, to: 2, delta: 0 });

    // 10% of `maybe` became null: the null bin alone (EPS -> 0.1) adds its term; no term is negative.
    const maybe = column(diff, 'maybe');
    expect(maybe.nullRate).toEqual({ from: 0, to: 0.1, delta: 0.1 });
    expect(maybe.psi).toBeGreaterThanOrEqual((0.1 - EPS) * Math.log(0.1 / EPS) - 1e-9);
    expect(maybe.psi).toBeLessThan(x.psi);
  });

  it('diffs in the other direction, against latest, and across datasets', async () => {
    const back = await t.sw.datasets.diff('shift@2', '1');
    expect(back.schema.added).toEqual([{ name: 'dropped', type: 'integer' }]);
    expect(back.columns[0]!.name).toBe('x');
    expect(back.rowCount.delta).toBe(0);

    const latest = await t.sw.datasets.diff('shift@1', 'latest');
    expect(latest.to.version).toBe(2);

    const same = await t.sw.datasets.diff('other@1', 'shift@1');
    expect(same.from.dataset).toBe('other');
    expect(same.to.dataset).toBe('shift');
    expect(same.schema).toEqual({ added: [], removed: [], typeChanged: [] });
    for (const entry of same.columns) {
      expect(entry.psi).toBe(0);
      expect(entry.nullRate.delta).toBe(0);
    }
  });

  it('compares the 50 most frequent categories one by one and the rest as one bin', async () => {
    const diff = await t.sw.datasets.diff('tail@1', 'tail@2');
    const label = column(diff, 'label');
    // 50 categories + the shared bin; one bin per value would count 100 values that moved.
    expect(label).toMatchObject({ psiMethod: 'categories', bins: 51 });
    expect(label.psi).toBeCloseTo(0, 12);
  });

  it('answers the REST route with full references in the query', async () => {
    const response = await t.fetch('/api/v1/datasets/shift/diff?from=2&to=other%401');
    expect(response.status).toBe(200);
    const diff = (await response.json()) as DatasetDiff;
    expect(diff.from).toEqual({ dataset: 'shift', version: 2, rowCount: ROWS });
    expect(diff.to).toEqual({ dataset: 'other', version: 1, rowCount: ROWS });
    expect(diff.schema.removed).toEqual([{ name: 'added', type: 'string' }]);
    expect(diff.columns[0]!.name).toBe('x');
  });

  it('documents the diff and validation routes in the OpenAPI document', async () => {
    const doc = (await (await t.fetch('/api/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(doc.paths['/api/v1/datasets/{name}/diff']!)).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/v1/datasets/{name}/versions/{version}/validate']!)).toEqual(['post']);
    expect(doc.paths['/api/v1/datasets/{name}/versions/{version}/validations/{id}']).toBeDefined();
  });

  it('refuses versions and datasets that do not exist, and malformed references', async () => {
    const missingVersion = await t.sw.datasets.diff('shift@1', 'shift@9').catch((e: unknown) => e);
    expect(missingVersion).toBeInstanceOf(NotFoundError);
    expect((missingVersion as NotFoundError).code).toBe('DATASET_VERSION_NOT_FOUND');
    expect((missingVersion as NotFoundError).message).toContain('no version 9');

    const missingDataset = await t.sw.datasets.diff('nope@1', '2').catch((e: unknown) => e);
    expect((missingDataset as NotFoundError).code).toBe('DATASET_NOT_FOUND');

    const bad = await t.fetch('/api/v1/datasets/shift/diff?from=1&to=shift%40-3');
    expect(bad.status).toBe(400);
    const error = ((await bad.json()) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('INVALID_REFERENCE');
    expect(error.message).toContain('to');

    const missingQuery = await t.fetch('/api/v1/datasets/shift/diff?from=1');
    expect(missingQuery.status).toBe(400);

    const invalid = await t.sw.datasets.diff('shift@0', '1').catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(InvalidError);
    expect((invalid as InvalidError).code).toBe('INVALID_REFERENCE');
  });
});

function column(diff: DatasetDiff, name: string) {
  const found = diff.columns.find((entry) => entry.name === name);
  if (found === undefined) throw new Error(`no column ${name} in the diff`);
  return found;
}
