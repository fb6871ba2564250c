/**
 * Datasets through the SDK and raw HTTP on every metadata backend: pushes of CSV, Parquet and JSON
 * lines with their schema and profile checked against numbers computed here from the generated
 * data, row previews, verified downloads, content addressing, versions, tags, lineage parameters,
 * and bad input (each a clear 4xx that leaves no version, no row and no scratch file behind).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatasetVersion, type InvalidError, NotFoundError } from '../../src/client/index.js';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const N = 1000;
const CATEGORIES = ['red', 'green', 'blue', 'amber'];

/** Row i (0-based): id, a float with every 10th value missing, a category, a flag, a date. */
function makeRows() {
  return Array.from({ length: N }, (_, i) => ({
    id: i + 1,
    score: i % 10 === 3 ? null : Math.round(((i * 37) % 101) * 0.25 * 100) / 100,
    colour: CATEGORIES[(i * i) % 4 === 0 ? 0 : i % 4]!,
    flag: i % 3 === 0,
    day: new Date(Date.UTC(2024, 0, 1) + (i % 60) * 86_400_000).toISOString().slice(0, 10),
  }));
}
const ROWS = makeRows();
const CSV = `id,score,colour,flag,day\n${ROWS.map((r) => `${r.id},${r.score ?? ''},${r.colour},${r.flag},${r.day}`).join('\n')}\n`;
const JSONL = `${ROWS.map((r) => JSON.stringify(r)).join('\n')}\n`;

function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

function expectedNumeric(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1);
  const min = sorted[0]!;
  const max = sorted.at(-1)!;
  const width = (max - min) / 20;
  const counts = new Array<number>(20).fill(0);
  for (const v of values) counts[Math.min(Math.floor((v - min) / width), 19)]! += 1;
  return { sorted, mean, std: Math.sqrt(variance), min, max, counts };
}

describe.each(BACKENDS)('datasets on %s', (backend) => {
  let t: TestServer;
  const scratch = () => readdir(join(t.home, 'tmp', 'data'));
  const put = (name: string, query: string, body: string | Uint8Array) =>
    t.fetch(`/api/v1/datasets/${name}/versions?${query}`, {
      method: 'PUT',
      body,
      headers: { 'content-type': 'text/csv' },
    });

  beforeAll(async () => {
    t = await startTestServer(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  let csvVersion: DatasetVersion;

  it('pushes a CSV: version 1 with the inferred schema and a profile matching the data', async () => {
    csvVersion = await t.sw.datasets.push('Orders', Buffer.from(CSV), {
      format: 'csv',
      description: 'first',
    });
    expect(csvVersion).toMatchObject({
      dataset: 'orders',
      version: 1,
      format: 'csv',
      rowCount: N,
      description: 'first',
    });
    expect(csvVersion.columns).toEqual([
      { name: 'id', type: 'integer', nullable: false, physicalType: 'BIGINT' },
      { name: 'score', type: 'float', nullable: true, physicalType: 'DOUBLE' },
      { name: 'colour', type: 'string', nullable: false, physicalType: 'VARCHAR' },
      { name: 'flag', type: 'boolean', nullable: false, physicalType: 'BOOLEAN' },
      { name: 'day', type: 'timestamp', nullable: false, physicalType: 'DATE' },
    ]);

    const profile = await t.sw.datasets.profile('orders@1');
    expect(profile).toMatchObject({ dataset: 'orders', version: 1, rowCount: N });
    const [id, score, colour, flag, day] = profile.columns;

    const ids = expectedNumeric(ROWS.map((r) => r.id));
    expect(id).toMatchObject({ count: N, nullCount: 0, distinct: N, distinctApproximate: false });
    expect(id!.numeric!.min).toBe(1);
    expect(id!.numeric!.max).toBe(N);
    expect(id!.numeric!.mean).toBeCloseTo(ids.mean, 9);
    expect(id!.numeric!.std).toBeCloseTo(ids.std, 9);
    expect(id!.numeric!.histogram.counts).toEqual(ids.counts);
    expect(id!.numeric!.histogram.edges).toHaveLength(21);

    const scores = ROWS.flatMap((r) => (r.score === null ? [] : [r.score]));
    const s = expectedNumeric(scores);
    expect(score).toMatchObject({ count: N, nullCount: N / 10, distinct: new Set(scores).size });
    expect(score!.numeric).toMatchObject({ min: s.min, max: s.max, quantilesApproximate: false });
    expect(score!.numeric!.mean).toBeCloseTo(s.mean, 9);
    expect(score!.numeric!.std).toBeCloseTo(s.std, 9);
    for (const q of [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]) {
      expect(score!.numeric!.quantiles[String(q)]).toBeCloseTo(quantile(s.sorted, q), 9);
    }
    expect(score!.numeric!.histogram.counts).toEqual(s.counts);
    expect(score!.numeric!.histogram.counts.reduce((a, b) => a + b, 0)).toBe(scores.length);

    const colourCounts = new Map<string, number>();
    for (const r of ROWS) colourCounts.set(r.colour, (colourCounts.get(r.colour) ?? 0) + 1);
    const expectedTop = [...colourCounts]
      .map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
    expect(colour).toMatchObject({ distinct: colourCounts.size, top: expectedTop });
    expect(flag!.top).toEqual([
      { value: 'false', count: ROWS.filter((r) => !r.flag).length },
      { value: 'true', count: ROWS.filter((r) => r.flag).length },
    ]);
    expect(day!.temporal).toEqual({ min: '2024-01-01T00:00:00.000Z', max: '2024-02-29T00:00:00.000Z' });
    expect(day!.distinct).toBe(60);
    expect(await scratch()).toEqual([]);
  });

  it('answers identical content with the same version (200) and stores nothing new', async () => {
    const again = await put('orders', 'format=csv', CSV);
    expect(again.status).toBe(200);
    expect(((await again.json()) as DatasetVersion).version).toBe(1);
    expect((await t.sw.datasets.versions('orders')).items).toHaveLength(1);
  });

  it('records the lineage given with an identical push on the version it answers', async () => {
    const run = await t.sw.startRun({ experiment: 'data-prep', name: 'repush', gitCommit: false });
    const again = await t.sw.datasets.push('orders', Buffer.from(CSV), { format: 'csv', run: run.id });
    expect(again.version).toBe(1);
    const graph = await t.sw.lineage.get({ node: 'dataset:orders@1', direction: 'upstream', depth: 1 });
    expect(graph.edges).toEqual([
      expect.objectContaining({ source: `run:${run.id}`, target: 'dataset:orders@1', relation: 'produced' }),
    ]);
    const audit = await t.sw.audit.list({
      resource: `dataset_version:${again.id}`,
      action: 'dataset.record_lineage',
    });
    expect(audit.items).toHaveLength(1);
    expect((await t.sw.datasets.versions('orders')).items).toHaveLength(1);
  });

  it('previews rows as JSON and downloads the original bytes, verified', async () => {
    const page = await t.sw.datasets.rows('orders@1', { limit: 3, offset: 2 });
    expect(page).toMatchObject({ dataset: 'orders', version: 1, rowCount: N, offset: 2 });
    expect(page.rows).toEqual(ROWS.slice(2, 5).map((r) => ({ ...r, day: `${r.day}T00:00:00.000Z` })));
    expect((await t.sw.datasets.rows('orders@latest')).rows).toHaveLength(100);
    const limited = await t.fetch('/api/v1/datasets/orders/versions/1/rows?limit=1001');
    expect(limited.status).toBe(400);

    expect((await t.sw.datasets.bytes('orders@1')).toString('utf8')).toBe(CSV);
    const response = await t.fetch('/api/v1/datasets/orders/versions/1/download');
    expect(response.headers.get('content-type')).toContain('text/csv');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="orders-v1.csv"');
    expect(response.headers.get('x-content-sha256')).toBe(csvVersion.sourceDigest);
    const parquet = await t.sw.datasets.bytes('orders@1', { form: 'parquet' });
    expect(parquet.subarray(0, 4).toString()).toBe('PAR1');
  });

  it('pushes Parquet and JSON lines of the same data to the same schema and profile', async () => {
    const parquet = await t.sw.datasets.bytes('orders@1', { form: 'parquet' });
    const fromParquet = await t.sw.datasets.push('orders-pq', parquet, { format: 'parquet' });
    expect(fromParquet.columns).toEqual(csvVersion.columns);
    expect(fromParquet.dataDigest).toBe(fromParquet.sourceDigest);
    const fromJson = await t.sw.datasets.push('orders-json', Buffer.from(JSONL), { format: 'jsonl' });
    expect(fromJson.rowCount).toBe(N);
    expect(fromJson.columns.map((c) => [c.name, c.type])).toEqual(
      csvVersion.columns.map((c) => [c.name, c.type]),
    );
    const profiles = await Promise.all(
      ['orders@1', 'orders-pq@1', 'orders-json@1'].map((r) => t.sw.datasets.profile(r)),
    );
    expect(profiles[1]!.columns).toEqual(profiles[0]!.columns);
    expect(profiles[2]!.columns).toEqual(profiles[0]!.columns);
    expect((await t.sw.datasets.rows('orders-json@1', { limit: 1 })).rows[0]).toEqual(
      (await t.sw.datasets.rows('orders@1', { limit: 1 })).rows[0],
    );
  });

  it('numbers new versions, lists them newest first, describes, tags and records lineage', async () => {
    const changed = CSV.replace('\n1,', '\n1000001,');
    const run = await t.sw.startRun({ experiment: 'data-prep', gitCommit: false });
    const v2 = await t.sw.datasets.push('orders', Buffer.from(changed), {
      format: 'csv',
      derivedFrom: ['orders@1', 'orders-pq@latest'],
      run: run.id,
    });
    expect(v2.version).toBe(2);
    const versions = await t.sw.datasets.versions('orders');
    expect(versions.items.map((v) => v.version)).toEqual([2, 1]);
    const first = await t.sw.datasets.versions('orders', { limit: 1 });
    expect(first.items.map((v) => v.version)).toEqual([2]);
    const next = await t.sw.datasets.versions('orders', { limit: 1, pageToken: first.nextPageToken! });
    expect(next.items.map((v) => v.version)).toEqual([1]);
    expect((await t.sw.datasets.version('orders@latest')).version).toBe(2);
    expect(await t.sw.datasets.get('orders')).toMatchObject({
      name: 'orders',
      latestVersion: 2,
      description: 'first',
    });
    const listed = await t.sw.datasets.list();
    expect(listed.items.map((d) => d.name)).toEqual(['orders-json', 'orders-pq', 'orders']);

    const updated = await t.sw.datasets.update('orders', {
      description: 'all orders',
      tags: { team: 'ads' },
    });
    expect(updated).toMatchObject({ description: 'all orders', tags: { team: 'ads' }, latestVersion: 2 });
    const tagged = await t.sw.datasets.updateVersion('orders@1', { tags: { stage: 'raw', x: '1' } });
    expect(tagged.tags).toEqual({ stage: 'raw', x: '1' });
    expect((await t.sw.datasets.updateVersion('orders@1', { tags: { x: null } })).tags).toEqual({
      stage: 'raw',
    });

    // The lineage graph's own API is tested with the lineage work; here: the edges a push records.
    const rows = await t.server.platform.database.db
      .selectFrom('lineage_edges')
      .selectAll()
      .where('target', '=', 'dataset:orders@2')
      .execute();
    expect(rows.map((r) => `${r.source} ${r.relation}`).sort()).toEqual([
      'dataset:orders-pq@1 derived',
      'dataset:orders@1 derived',
      `run:${run.id} produced`,
    ]);
    await run.end();
  });

  it('refuses lineage that names nothing, before storing anything', async () => {
    const before = (await t.sw.datasets.versions('orders')).items.length;
    const body = Buffer.from('a,b\n1,2\n');
    const missingVersion = await t.sw.datasets
      .push('orders', body, { format: 'csv', derivedFrom: ['orders@99'] })
      .catch((e: unknown) => e);
    expect(missingVersion).toBeInstanceOf(NotFoundError);
    expect((missingVersion as NotFoundError).code).toBe('DATASET_VERSION_NOT_FOUND');
    const missingRun = await t.sw.datasets
      .push('orders', body, { format: 'csv', run: 'nope' })
      .catch((e: unknown) => e);
    expect((missingRun as NotFoundError).code).toBe('RUN_NOT_FOUND');
    const badRef = await t.sw.datasets
      .push('orders', body, { format: 'csv', derivedFrom: ['orders@x!'] })
      .catch((e: unknown) => e);
    expect((badRef as InvalidError).code).toBe('INVALID_REFERENCE');
    expect((await t.sw.datasets.versions('orders')).items.length).toBe(before);
    expect(await scratch()).toEqual([]);
  });

  const BAD: readonly [string, string, string | Uint8Array, RegExp][] = [
    ['unparseable CSV', 'csv', 'x\n"a\n', /line 2/],
    ['empty file', 'csv', '', /empty/],
    ['header only', 'csv', 'a,b\n', /no rows/],
    ['ragged rows', 'csv', 'a,b,c\n1,2,3\n4,5\n6,7,8\n', /line 3 has 2 fields but the header has 3/],
    [
      'ragged rows deep in the file',
      'csv',
      `a,b\n${'1,2\n'.repeat(30_000)}3,4,5\n`,
      /line 30002 has 3 fields/,
    ],
    ['duplicate column names', 'csv', 'a,b,A\n1,2,3\n', /duplicate column name 'A' \(columns 1 and 3/],
    ['garbage as Parquet', 'parquet', 'this is not parquet at all', /not a valid Parquet file/],
    ['empty JSON lines', 'jsonl', '\n\n', /empty/],
    ['JSON lines that are not objects', 'jsonl', '[1,2]\n[3,4]\n', /JSON object/],
    ['broken JSON lines', 'jsonl', '{"a":1}\n{"a":\n', /unreadable/],
  ];

  it.each(BAD)(
    'refuses %s with DATA_UNREADABLE, leaving nothing behind',
    async (_label, format, body, message) => {
      const before = await t.server.platform.database.db
        .selectFrom('dataset_versions')
        .select('id')
        .execute();
      const response = await put('bad-input', `format=${format}`, body);
      expect(response.status).toBe(400);
      const error = ((await response.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe('DATA_UNREADABLE');
      expect(error.message).toMatch(message);
      expect(error.message).toContain(`${format} file is unreadable`);
      const after = await t.server.platform.database.db.selectFrom('dataset_versions').select('id').execute();
      expect(after).toHaveLength(before.length);
      await expect(t.sw.datasets.get('bad-input')).rejects.toBeInstanceOf(NotFoundError);
      expect(await scratch()).toEqual([]);
    },
  );

  it('refuses a bad format name, bad names and missing datasets or versions clearly', async () => {
    const format = await put('orders', 'format=xlsx', 'a\n1\n');
    expect(format.status).toBe(400);
    expect(((await format.json()) as { error: { message: string } }).error.message).toBe(
      "format must be one of csv, parquet, jsonl, got 'xlsx'",
    );
    const name = await put('bad%20name', 'format=csv', 'a\n1\n');
    expect(name.status).toBe(400);
    expect((await t.sw.datasets.get('ghost').catch((e: unknown) => e)) as NotFoundError).toMatchObject({
      code: 'DATASET_NOT_FOUND',
    });
    expect(
      (await t.sw.datasets.version('orders@42').catch((e: unknown) => e)) as NotFoundError,
    ).toMatchObject({
      code: 'DATASET_VERSION_NOT_FOUND',
    });
    expect((await t.sw.datasets.rows('ghost@1').catch((e: unknown) => e)) as NotFoundError).toMatchObject({
      code: 'DATASET_NOT_FOUND',
    });
    const badVersion = await t.fetch('/api/v1/datasets/orders/versions/zero/profile');
    expect(badVersion.status).toBe(400);
    expect(await scratch()).toEqual([]);
  });

  it('numbers concurrent pushes of one dataset one after another', async () => {
    const pushes = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        t.sw.datasets.push('racy', Buffer.from(`n\n${i}\n`), { format: 'csv' }),
      ),
    );
    expect(pushes.map((v) => v.version).sort()).toEqual([1, 2, 3, 4]);
    const same = await Promise.all(
      Array.from({ length: 3 }, () =>
        t.sw.datasets.push('racy', Buffer.from('n\nsame\n'), { format: 'csv' }),
      ),
    );
    expect(new Set(same.map((v) => v.version)).size).toBe(1);
    expect((await t.sw.datasets.versions('racy')).items).toHaveLength(5);
  });

  it('keeps NaN and Infinity out of numeric statistics and out of the JSON', async () => {
    const version = await t.sw.datasets.push('floats', Buffer.from('x\n1.5\nNaN\ninf\n-inf\n2.5\n'), {
      format: 'csv',
    });
    const [x] = (await t.sw.datasets.profile(`floats@${version.version}`)).columns;
    expect(x!.numeric).toMatchObject({ min: 1.5, max: 2.5, mean: 2, nonFinite: 3 });
    const rows = (await t.sw.datasets.rows('floats@1')).rows.map((r) => r.x);
    expect(rows).toEqual([1.5, 'NaN', 'Infinity', '-Infinity', 2.5]);
  });
});
