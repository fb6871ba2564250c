/**
 * Files and values that reach the data engine's SQL, on every metadata backend, each a case the
 * fuzzer once answered with a 500: Parquet files damaged past their footer, floats so large that
 * their variance overflows a double, NUL characters in column names, data values and YAML suites,
 * and bodies left out of POSTs whose body is optional. Also: a diff says the same every time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tabularModel } from '../registry/fixtures.js';
import { BACKENDS } from '../support/backends.js';
import { parseError, problemWith, RawHttp } from '../support/raw-http.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe.each(BACKENDS)('hostile data on %s', (backend) => {
  let t: TestServer;
  let http: RawHttp;

  beforeAll(async () => {
    t = await startTestServer(backend);
    http = new RawHttp(t.url);
  });
  afterAll(async () => {
    await http?.close();
    await t?.close();
  });

  const push = (name: string, format: string, body: Buffer | string) =>
    http.send({
      method: 'PUT',
      path: `/api/v1/datasets/${name}/versions?format=${format}`,
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/octet-stream' },
      body,
    });

  it('refuses Parquet files damaged anywhere with DATA_UNREADABLE, or takes them whole', async () => {
    await t.sw.datasets.push('clean', Buffer.from('id,amount,city\n1,2.5,Oslo\n2,,Bergen\n3,7,Oslo\n'), {
      format: 'csv',
    });
    const parquet = await t.sw.datasets.bytes('clean@1', { form: 'parquet' });
    const answers = new Map<string, number>();
    // One byte overwritten at a time, across the whole file: data pages, page headers and footer.
    for (let at = 4; at < parquet.length - 8; at += 7) {
      const damaged = Buffer.from(parquet);
      damaged[at] = damaged[at]! ^ 0x5a;
      const response = await push('damaged', 'parquet', damaged);
      expect(problemWith(response), `byte ${at}`).toBeUndefined();
      const kind = response.status < 300 ? 'accepted' : parseError(response.text)!.code;
      expect(['accepted', 'DATA_UNREADABLE'], `byte ${at}: ${response.text}`).toContain(kind);
      answers.set(kind, (answers.get(kind) ?? 0) + 1);
    }
    expect(answers.get('DATA_UNREADABLE')).toBeGreaterThan(0);
    const prefixed = await push('damaged', 'parquet', Buffer.concat([Buffer.from('garbage!'), parquet]));
    expect(parseError(prefixed.text)?.code, prefixed.text).toBe('DATA_UNREADABLE');
  });

  it('profiles, diffs and validates floats whose variance overflows a double', async () => {
    const huge = await t.sw.datasets.push(
      'huge',
      // Their sum overflows too: the mean must not become Infinity.
      Buffer.from('x,y\n1e308,1\n-1e308,2\n2.44e293,3\n1.7976931348623157e308,4\n-9.4e230,5\n'),
      { format: 'csv' },
    );
    const profile = await t.sw.datasets.profile(`huge@${huge.version}`);
    const x = profile.columns.find((column) => column.name === 'x')!.numeric!;
    expect(x).toMatchObject({ min: -1e308, max: 1.7976931348623157e308 });
    // Worked out by hand: mean 3.5954e307, sample deviation 1.0707e308.
    expect(x.mean / 3.5953862697246365e307).toBeCloseTo(1, 12);
    expect(x.std / 1.070672742450381e308).toBeCloseTo(1, 9);
    const edges = x.histogram.edges;
    expect(edges).toHaveLength(21);
    expect(edges.every((edge, i) => i === 0 || edge > edges[i - 1]!)).toBe(true);
    expect(x.histogram.counts.reduce((a, b) => a + b, 0)).toBe(5);
    // An ordinary column next to the huge one keeps its exact statistics.
    expect(profile.columns.find((column) => column.name === 'y')!.numeric).toMatchObject({ mean: 3 });

    await t.sw.datasets.push('huge', Buffer.from('x,y\n1,1\n2,2\n3,3\n'), { format: 'csv' });
    const diff = await t.sw.datasets.diff('huge@1', 'huge@2');
    const shift = diff.columns.find((column) => column.name === 'x')!;
    expect(shift.std?.to).toBe(1);
    // The diff computes them afresh, from the same values: they agree.
    expect(shift.std!.from / x.std).toBeCloseTo(1, 12);
    expect(shift.mean!.from / x.mean).toBeCloseTo(1, 12);
    const report = await t.sw.datasets.validate('huge@1', {
      expectations: [
        { type: 'values_between', column: 'x', min: -1e308, max: 1e308 },
        { type: 'distribution_close_to', column: 'x', reference: 'huge@2' },
        { type: 'mean_between', column: 'y', min: 3, max: 3 },
        // The sum of x overflows a double; its mean does not.
        { type: 'mean_between', column: 'x', min: 3.5e307, max: 3.6e307 },
        { type: 'mean_between', column: 'x', max: 0 },
      ],
    });
    expect(report.results.map((result) => [result.success, result.offendingCount])).toEqual([
      [false, 1],
      [false, undefined],
      [true, undefined],
      [true, undefined],
      [false, undefined],
    ]);
    const observed = report.results[3]!.observed as { mean: number };
    expect(observed.mean / 3.5953862697246365e307).toBeCloseTo(1, 12);
  });

  it('refuses a column name holding NUL, and keeps NUL in values through rows, diff and YAML suites', async () => {
    const named = await push('nul', 'csv', 'a\u0000b,c\n1,2\n');
    expect(parseError(named.text)).toMatchObject({ code: 'DATA_UNREADABLE', details: { column: 1 } });
    const keyed = await push('nul', 'jsonl', '{"c":1,"a\\u0000b":2}\n');
    expect(parseError(keyed.text)).toMatchObject({ code: 'DATA_UNREADABLE', details: { column: 2 } });
    expect(await t.sw.datasets.list()).toMatchObject({
      items: expect.not.arrayContaining([{ name: 'nul' }]),
    });

    await t.sw.datasets.push('nul', Buffer.from('v,w\nx\u0000y,1\nz,2\nx\u0000y,3\n'), { format: 'csv' });
    await t.sw.datasets.push('nul', Buffer.from('v,w\nz,1\nx\u0000y,2\n'), { format: 'csv' });
    expect((await t.sw.datasets.rows('nul@1')).rows[0]).toEqual({ v: 'x\u0000y', w: 1 });
    expect((await t.sw.datasets.profile('nul@1')).columns[0]!.top).toEqual([
      { value: 'x\u0000y', count: 2 },
      { value: 'z', count: 1 },
    ]);
    const diff = await t.sw.datasets.diff('nul@1', 'nul@2');
    expect(diff.columns.find((column) => column.name === 'v')!.psi).toBeGreaterThan(0);
    // JSON bodies may not carry NUL (the server refuses them); YAML text may ("\0").
    const report = await t.sw.datasets.validate(
      'nul@1',
      [
        'expectations:',
        '  - { type: values_in_set, column: v, values: ["x\\0y"] }',
        '  - { type: values_match_regex, column: v, pattern: "x\\0?y|z" }',
        '  - { type: values_between, column: v, min: "x\\0", max: "z" }',
      ].join('\n'),
    );
    expect(report.results.map((result) => [result.success, result.offendingCount])).toEqual([
      [false, 1],
      [true, 0],
      [true, 0],
    ]);
  });

  it('gives the same diff every time it is asked', async () => {
    const rows = (n: number, shift: number) =>
      `id,amount,day\n${Array.from({ length: n }, (_, i) => `${i},${(i * 7 + shift) % 101},2024-01-${String(1 + (i % 28)).padStart(2, '0')}`).join('\n')}\n`;
    await t.sw.datasets.push('steady', Buffer.from(rows(300, 0)), { format: 'csv' });
    await t.sw.datasets.push('steady', Buffer.from(rows(500, 13)), { format: 'csv' });
    const first = await t.sw.datasets.diff('steady@1', 'steady@2');
    for (let i = 0; i < 15; i++) expect(await t.sw.datasets.diff('steady@1', 'steady@2')).toEqual(first);
  });

  it('approves, rejects and rolls back without a request body, whose fields are all optional', async () => {
    for (const seed of [1, 2])
      await t.sw.models.register('bodiless', { file: Buffer.from(tabularModel(2, seed)) });
    await t.sw.models.alias.set('bodiless', 'champion', 1);
    await t.sw.models.alias.set('bodiless', 'champion', 2);
    const post = (path: string) =>
      http.send({ method: 'POST', path, headers: { authorization: `Bearer ${t.adminToken}` } });
    const approved = await post('/api/v1/models/bodiless/versions/1/approve');
    expect(approved.status, approved.text).toBe(200);
    expect(JSON.parse(approved.text)).toMatchObject({ approval: { status: 'approved' } });
    const rejected = await post('/api/v1/models/bodiless/versions/2/reject');
    expect(rejected.status, rejected.text).toBe(200);
    const rolledBack = await post('/api/v1/models/bodiless/aliases/champion/rollback');
    expect(rolledBack.status, rolledBack.text).toBe(200);
    expect(JSON.parse(rolledBack.text)).toMatchObject({ alias: 'champion', version: 1 });
  });
});
