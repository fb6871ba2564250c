/** Run search: filter semantics (and/or/not, like/ilike, in, is null, attributes), ordering, paging, errors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidError, type Run } from '../../src/client/index.js';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe.each(BACKENDS)('run search on %s', (backend) => {
  let t: TestServer;
  const ids: Record<string, string> = {};

  const names = async (filter: string, orderBy: string[] = ['name']) =>
    (await t.sw.runs.search({ experiments: ['search'], filter, orderBy, limit: 1000 })).items.map(
      (r: Run) => r.name,
    );

  beforeAll(async () => {
    t = await startTestServer(backend);
    await t.sw.experiments.create({ name: 'search' });
    await t.sw.experiments.create({ name: 'elsewhere' });
    const fixture = [
      {
        name: 'gbdt-a',
        params: { model: 'gbdt', lr: '0.1' },
        tags: { team: 'Ads' },
        acc: 0.95,
        loss: 0.2,
        status: 'finished',
      },
      {
        name: 'gbdt-b',
        params: { model: 'gbdt', lr: '0.3' },
        tags: { team: 'search' },
        acc: 0.85,
        loss: 0.4,
        status: 'finished',
      },
      {
        name: 'linear-c',
        params: { model: 'linear', lr: '0.1' },
        tags: {},
        acc: 0.91,
        loss: Number.NaN,
        status: 'failed',
      },
      {
        name: 'linear-d',
        params: { model: 'linear' },
        tags: { team: 'ads' },
        acc: undefined,
        loss: 0.3,
        status: 'running',
      },
    ] as const;
    for (const row of fixture) {
      const run = await t.sw.runs.create({
        experiment: 'search',
        name: row.name,
        params: row.params,
        tags: row.tags,
      });
      const metrics = [
        ...(row.acc === undefined ? [] : [{ key: 'val/acc', value: row.acc, step: 1 }]),
        { key: 'loss', value: row.loss, step: 1 },
      ];
      await t.sw.runs.logMetrics(run.id, metrics);
      if (row.status !== 'running') await t.sw.runs.update(run.id, { status: row.status });
      ids[row.name] = run.id;
    }
    await t.sw.runs.create({ experiment: 'elsewhere', name: 'gbdt-elsewhere', params: { model: 'gbdt' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('combines metric, param and attribute comparisons with and', async () => {
    expect(await names("metrics.`val/acc` > 0.9 and params.model = 'gbdt' and status = 'finished'")).toEqual([
      'gbdt-a',
    ]);
    expect(await names('metrics.val/acc >= 0.85')).toEqual(['gbdt-a', 'gbdt-b', 'linear-c']);
  });

  it('supports or, not and parentheses, with missing keys counting as false', async () => {
    expect(await names("params.model = 'linear' or metrics.loss < 0.3")).toEqual([
      'gbdt-a',
      'linear-c',
      'linear-d',
    ]);
    expect(await names("not (params.model = 'gbdt')")).toEqual(['linear-c', 'linear-d']);
    expect(await names("(tags.team = 'ads' or tags.team = 'Ads') and not status = 'running'")).toEqual([
      'gbdt-a',
    ]);
    // linear-d has no val/acc: the comparison is false, so `not` makes it true.
    expect(await names('not metrics.val/acc > 0.5')).toEqual(['linear-d']);
  });

  it('never matches NaN metrics in comparisons', async () => {
    expect(await names('metrics.loss > -1')).toEqual(['gbdt-a', 'gbdt-b', 'linear-d']);
    expect(await names('metrics.loss != 0.2')).toEqual(['gbdt-b', 'linear-d']);
  });

  it('makes like case-sensitive and ilike case-insensitive on both databases', async () => {
    expect(await names("tags.team like 'ad%'")).toEqual(['linear-d']);
    expect(await names("tags.team ilike 'AD%'")).toEqual(['gbdt-a', 'linear-d']);
    expect(await names("name like 'linear-_'")).toEqual(['linear-c', 'linear-d']);
    expect(await names("name not like 'gbdt%'")).toEqual(['linear-c', 'linear-d']);
  });

  it('supports in, not in, is null and is not null', async () => {
    expect(await names("status in ('failed', 'running')")).toEqual(['linear-c', 'linear-d']);
    expect(await names("params.lr not in ('0.1')")).toEqual(['gbdt-b']);
    expect(await names('params.lr is null')).toEqual(['linear-d']);
    expect(await names('metrics.val/acc is not null and tags.team is null')).toEqual(['linear-c']);
    expect(await names('end_time is null')).toEqual(['linear-d']);
    expect(await names('metrics.val/acc in (0.85, 0.95)')).toEqual(['gbdt-a', 'gbdt-b']);
  });

  it('filters by id, time attributes and accepts ISO times', async () => {
    expect(await names(`id = '${ids['gbdt-b']}'`)).toEqual(['gbdt-b']);
    expect(await names(`start_time > '2000-01-01T00:00:00Z' and params.model = 'linear'`)).toEqual([
      'linear-c',
      'linear-d',
    ]);
    expect(await names('start_time < 0')).toEqual([]);
  });

  it('orders by a metric (missing last), by params and attributes, and breaks ties newest first', async () => {
    expect(await names('', ['metrics.val/acc desc'])).toEqual(['gbdt-a', 'linear-c', 'gbdt-b', 'linear-d']);
    expect(await names('', ['metrics.val/acc asc'])).toEqual(['gbdt-b', 'linear-c', 'gbdt-a', 'linear-d']);
    expect(await names('', ['params.model desc', 'name'])).toEqual([
      'linear-c',
      'linear-d',
      'gbdt-a',
      'gbdt-b',
    ]);
    const newestFirst = (await t.sw.runs.search({ experiments: ['search'] })).items.map((r) => r.name);
    expect(newestFirst).toEqual(['linear-d', 'linear-c', 'gbdt-b', 'gbdt-a']);
  });

  it('pages with offset tokens that only fit their own query', async () => {
    const first = await t.sw.runs.search({ experiments: ['search'], orderBy: ['name'], limit: 3 });
    expect(first.items.map((r) => r.name)).toEqual(['gbdt-a', 'gbdt-b', 'linear-c']);
    const second = await t.sw.runs.search({
      experiments: ['search'],
      orderBy: ['name'],
      limit: 3,
      pageToken: first.nextPageToken!,
    });
    expect(second.items.map((r) => r.name)).toEqual(['linear-d']);
    expect(second.nextPageToken).toBeUndefined();
    const wrongQuery = await t.sw.runs
      .search({ experiments: ['search'], orderBy: ['name desc'], limit: 3, pageToken: first.nextPageToken! })
      .catch((e: unknown) => e);
    expect((wrongQuery as InvalidError).code).toBe('INVALID_PAGE_TOKEN');
  });

  it('searches every active experiment by default and skips deleted ones', async () => {
    const all = (await t.sw.runs.search({ filter: "params.model = 'gbdt'", orderBy: ['name'] })).items.map(
      (r) => r.name,
    );
    expect(all).toEqual(['gbdt-a', 'gbdt-b', 'gbdt-elsewhere']);
    await t.sw.experiments.delete('elsewhere');
    const active = (await t.sw.runs.search({ filter: "params.model = 'gbdt'", orderBy: ['name'] })).items.map(
      (r) => r.name,
    );
    expect(active).toEqual(['gbdt-a', 'gbdt-b']);
    const explicit = await t.sw.runs.search({ experiments: ['elsewhere'] });
    expect(explicit.items.map((r) => r.name)).toEqual(['gbdt-elsewhere']);
    await t.sw.experiments.restore('elsewhere');
  });

  it('explains bad filters with the position and what was expected', async () => {
    const cases: [string, string][] = [
      ['metrics.acc >', 'expected a quoted string or a number'],
      ['metrics.acc > 1 and', 'expected a field'],
      ["params.lr > '0.1'", "does not support '>'"],
      ["metrics.acc = 'high'", 'needs a number'],
      ["color = 'red'", "unknown field 'color'"],
      ["status = 'done'", 'status must be one of'],
      ["(params.a = 'x'", "expected ')'"],
      ["params.a = 'unterminated", 'unterminated'],
      ['metrics.acc > 1 metrics.b < 2', "expected 'and', 'or'"],
      ['metrics.acc ~ 1', "unexpected character '~'"],
    ];
    for (const [filter, fragment] of cases) {
      const error = await t.sw.runs.search({ filter }).catch((e: unknown) => e);
      expect(error, filter).toBeInstanceOf(InvalidError);
      expect((error as InvalidError).code, filter).toBe('INVALID_FILTER');
      expect((error as InvalidError).message, filter).toContain(fragment);
    }
    const order = await t.sw.runs.search({ orderBy: ['metrics.acc sideways'] }).catch((e: unknown) => e);
    expect((order as InvalidError).code).toBe('INVALID_FILTER');
  });
});
