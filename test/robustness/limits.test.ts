/**
 * Sizes the fuzzer cannot reach under its 64 KiB body limit, on every metadata backend with the
 * default body limit: the largest params/tags call and run search the limits allow work, and one
 * more is refused with a 400 that changes nothing (rather than a database error, i.e. a 500).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ENTRIES_PER_CALL } from '../../src/tracking/index.js';
import {
  MAX_FILTER_COMPARISONS,
  MAX_FILTER_DEPTH,
  MAX_FILTER_LIST_VALUES,
} from '../../src/tracking/search/filter-parser.js';
import { BACKENDS } from '../support/backends.js';
import { parseError, problemWith } from '../support/raw-http.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const entries = (count: number, prefix: string) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, `v${i}`]));

describe.each(BACKENDS)('size limits on %s', (backend) => {
  let t: TestServer;
  let runId: string;

  beforeAll(async () => {
    t = await startTestServer(backend);
    await t.sw.experiments.create({ name: 'limits' });
    runId = (await t.sw.runs.create({ experiment: 'limits' })).id;
    await t.sw.runs.logMetrics(runId, [{ key: 'loss', value: 0.5 }]);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function send(method: string, path: string, body: unknown) {
    const response = await t.fetch(path, { method, body: JSON.stringify(body) });
    const text = await response.text();
    const problem = problemWith({
      status: response.status,
      headers: { 'x-request-id': response.headers.get('x-request-id') ?? undefined },
      text,
    });
    expect(problem).toBeUndefined();
    return { status: response.status, code: parseError(text)?.code, text };
  }

  it.each([
    ['params', (n: number) => ({ params: entries(n, 'p') }), `/params`],
    ['tags', (n: number) => ({ tags: entries(n, 't') }), `/tags`],
  ] as const)(
    'sets up to the limit of %s in one call, and none of a call over it',
    async (kind, body, suffix) => {
      const over = await send('POST', `/api/v1/runs/${runId}${suffix}`, body(25_000));
      expect(over).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT' });
      expect(over.text).toContain(`at most ${MAX_ENTRIES_PER_CALL}`);
      expect(Object.keys((await t.sw.runs.get(runId))[kind])).toHaveLength(0);

      const atLimit = await send('POST', `/api/v1/runs/${runId}${suffix}`, body(MAX_ENTRIES_PER_CALL));
      expect(atLimit.status, atLimit.text).toBe(200);
      expect(Object.keys((await t.sw.runs.get(runId))[kind])).toHaveLength(MAX_ENTRIES_PER_CALL);
    },
  );

  it('creates no run with too many params or tags', async () => {
    for (const field of ['params', 'tags']) {
      const response = await send('POST', '/api/v1/runs', {
        experiment: 'limits',
        [field]: entries(25_000, 'k'),
      });
      expect(response).toMatchObject({ status: 400, code: 'INVALID_ARGUMENT' });
    }
    expect((await t.sw.runs.list({ experiment: 'limits' })).items).toHaveLength(1);
  });

  it('runs the largest search the limits allow and refuses a larger one', async () => {
    const term = 'metrics.loss > 0.1';
    const search = (body: Record<string, unknown>) => send('POST', '/api/v1/runs/search', body);
    const nested = (depth: number) => `${'not ('.repeat(depth / 2)}${term}${')'.repeat(depth / 2)}`;
    const and = (count: number) =>
      Array.from({ length: count }, (_, i) => `params.p${i} = 'x'`).join(' and ');
    const list = (count: number) => `(${Array.from({ length: count }, (_, i) => `'${i}'`).join(',')})`;
    const accepted = [
      { filter: and(MAX_FILTER_COMPARISONS) },
      { filter: Array(MAX_FILTER_COMPARISONS).fill(term).join(' or ') },
      { filter: `params.p in ${list(MAX_FILTER_LIST_VALUES)}` },
      { filter: nested(MAX_FILTER_DEPTH) },
      { orderBy: Array.from({ length: 10 }, (_, i) => `metrics.m${i} desc`) },
      { experiments: Array(100).fill('limits') },
    ];
    for (const body of accepted) {
      const response = await search(body);
      expect(response.status, `${JSON.stringify(body).slice(0, 100)}: ${response.text}`).toBe(200);
    }
    const refused: [Record<string, unknown>, string][] = [
      [{ filter: and(MAX_FILTER_COMPARISONS + 1) }, 'INVALID_FILTER'],
      [{ filter: Array(5_000).fill(term).join(' or ') }, 'INVALID_FILTER'],
      [{ filter: `params.p in ${list(MAX_FILTER_LIST_VALUES + 1)}` }, 'INVALID_FILTER'],
      [{ filter: `params.p in ${list(MAX_FILTER_LIST_VALUES)} or params.q in ('a')` }, 'INVALID_FILTER'],
      [{ filter: `params.p in ${list(30_000)}` }, 'INVALID_FILTER'],
      [{ filter: nested(MAX_FILTER_DEPTH + 2) }, 'INVALID_FILTER'],
      [{ filter: `${'('.repeat(50_000)}${term}${')'.repeat(50_000)}` }, 'INVALID_FILTER'],
      [{ filter: `${'not '.repeat(50_000)}${term}` }, 'INVALID_FILTER'],
      [{ orderBy: Array.from({ length: 11 }, (_, i) => `metrics.m${i}`) }, 'INVALID_ARGUMENT'],
      [{ orderBy: Array(5_000).fill('metrics.loss') }, 'INVALID_ARGUMENT'],
      [{ experiments: Array(101).fill('limits') }, 'INVALID_ARGUMENT'],
    ];
    for (const [body, code] of refused) {
      const response = await search(body);
      expect(response, JSON.stringify(body).slice(0, 100)).toMatchObject({ status: 400, code });
    }
  });
});
