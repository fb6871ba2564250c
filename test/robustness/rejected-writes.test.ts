/**
 * A rejected write changes nothing, on every metadata backend: property-based requests that are valid
 * except for one bad part (a metric point, a param, a tag, a field of a run, an experiment or a
 * token, an artifact's bytes) must be refused whole with a 4xx, and leave the resource exactly as it
 * was, with no audit event; the same request without the bad part is then accepted whole. A model
 * upload that reuses an Idempotency-Key for other bytes is refused, storing no version and no blob.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tabularModel } from '../registry/fixtures.js';
import { BACKENDS } from '../support/backends.js';
import { parseError, problemWith, RawHttp, type RawResponse } from '../support/raw-http.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { shortText, validKey, validName } from './fuzz-inputs.js';

const SEED = Number(process.env.SLIPWAY_FUZZ_SEED ?? 20_260_131);
const NUM_RUNS = 50;
const ARTIFACT_LIMIT = 64 * 1024;
const METRIC_KEYS = ['loss', 'acc', 'val/loss'] as const;

const goodPoint = fc.record({
  key: fc.constantFrom(...METRIC_KEYS),
  value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom('NaN', 'Infinity')),
  step: fc.integer({ min: 0, max: 1_000_000 }),
  timestamp: fc.integer({ min: 0, max: 4_102_444_800_000 }),
});

type Point = { readonly [key: string]: unknown };

/** A point that breaks exactly one rule, at the schema or in the service. */
const badPoint: fc.Arbitrary<Point> = fc.oneof(
  fc
    .tuple(goodPoint, fc.constantFrom('', 'bad key!', 'a//b', '..', '/a', 'k'.repeat(251), 'é', 'a\u0000b'))
    .map(([point, key]) => ({ ...point, key })),
  fc
    .tuple(goodPoint, fc.constantFrom<unknown>('nan', null, true, {}, '1', []))
    .map(([point, value]) => ({ ...point, value })),
  fc
    .tuple(goodPoint, fc.constantFrom<unknown>(1.5, '1', 2 ** 53, null))
    .map(([point, step]) => ({ ...point, step })),
  fc
    .tuple(goodPoint, fc.constantFrom<unknown>(-1, 1.5, 'now'))
    .map(([point, timestamp]) => ({ ...point, timestamp })),
  goodPoint.map((point) => ({ ...point, unknown: 1 })),
  goodPoint.map(({ key: _, ...rest }) => rest),
  goodPoint.map(({ value: _, ...rest }) => rest),
);

/** Inserts `bad` among `good` at `at` (modulo the length). */
function withBad<T>(good: readonly T[], bad: T, at: number): T[] {
  const all = [...good];
  all.splice(at % (good.length + 1), 0, bad);
  return all;
}

describe.each(BACKENDS)('a rejected write changes nothing on %s', (backend) => {
  let t: TestServer;
  let http: RawHttp;
  let experimentId: string;
  let runId: string;
  let cases = 0;

  beforeAll(async () => {
    t = await startTestServer(backend, {
      env: { SLIPWAY_MAX_BODY_BYTES: String(64 * 1024), SLIPWAY_MAX_ARTIFACT_BYTES: String(ARTIFACT_LIMIT) },
    });
    http = new RawHttp(t.url);
    experimentId = (await t.sw.experiments.create({ name: 'atomic', tags: { kept: 'yes' } })).id;
    await t.sw.experiments.create({ name: 'taken' });
    runId = (await t.sw.runs.create({ experiment: experimentId, params: { fixed: 'v' }, tags: { t: '1' } }))
      .id;
  });
  afterAll(async () => {
    await http?.close();
    await t?.close();
  });

  const post = (path: string, body: unknown, method: 'POST' | 'PATCH' = 'POST') =>
    http.send({
      method,
      path,
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  /** The run as the API shows it, how many points each metric holds, and the newest audit event. */
  async function observeRun(): Promise<unknown> {
    const counts: Record<string, number> = {};
    for (const key of METRIC_KEYS) counts[key] = await historyLength(t, runId, key);
    return { run: await t.sw.runs.get(runId), counts, audit: await latestAuditId(t) };
  }

  function expectRejected(response: RawResponse, statuses: readonly number[] = [400]): void {
    expect(problemWith(response)).toBeUndefined();
    expect(statuses, response.text).toContain(response.status);
  }

  it('refuses a metric batch with one bad point whole, and takes the rest alone whole', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(goodPoint, { minLength: 1, maxLength: 40 }),
        badPoint,
        fc.nat(),
        async (good, bad, at) => {
          const before = await observeRun();
          expectRejected(await post(`/api/v1/runs/${runId}/metrics`, { metrics: withBad(good, bad, at) }));
          expect(await observeRun()).toEqual(before);

          const accepted = await post(`/api/v1/runs/${runId}/metrics`, { metrics: good });
          expect(accepted.status, accepted.text).toBe(200);
          const { counts } = (await observeRun()) as { counts: Record<string, number> };
          const { counts: earlier } = before as { counts: Record<string, number> };
          for (const key of METRIC_KEYS) {
            expect(counts[key]).toBe(earlier[key]! + good.filter((point) => point.key === key).length);
          }
        },
      ),
      { seed: SEED, numRuns: NUM_RUNS, endOnFailure: true },
    );
  }, 120_000);

  it('sets no param of a call with one bad or conflicting param, and all of them without it', async () => {
    const badParam = fc.constantFrom<[string, unknown]>(
      ['', 'v'],
      ['bad key!', 'v'],
      ['a//b', 'v'],
      ['k'.repeat(251), 'v'],
      ['nul\u0000', 'v'],
      ['long', 'x'.repeat(6001)],
      ['typed', null],
      ['typed', {}],
      ['typed', ['a']],
      ['fixed', 'changed'],
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(validKey, fc.oneof(shortText, fc.integer(), fc.boolean()), { maxKeys: 8 }),
        badParam,
        async (raw, [badKey, badValue]) => {
          // Fresh keys every case, so the good params never collide with an earlier case's.
          const prefix = `c${++cases}_`;
          const good = Object.fromEntries(Object.entries(raw).map(([key, value]) => [prefix + key, value]));
          const before = await observeRun();
          const response = await post(`/api/v1/runs/${runId}/params`, {
            params: { ...good, [badKey]: badValue },
          });
          expectRejected(response, [400, 409]);
          if (response.status === 409) expect(parseError(response.text)?.code).toBe('PARAM_IMMUTABLE');
          expect(await observeRun()).toEqual(before);

          const accepted = await post(`/api/v1/runs/${runId}/params`, { params: good });
          expect(accepted.status, accepted.text).toBe(200);
          const { params } = (await t.sw.runs.get(runId)) as { params: Record<string, string> };
          for (const [key, value] of Object.entries(good)) expect(params[key]).toBe(String(value));
        },
      ),
      { seed: SEED, numRuns: NUM_RUNS, endOnFailure: true },
    );
  }, 120_000);

  it('changes no tag of a call with one bad tag, and all of them without it', async () => {
    const badTag = fc.constantFrom<[string, unknown]>(
      ['', 'v'],
      ['bad key!', 'v'],
      ['/a', 'v'],
      ['long', 'x'.repeat(8001)],
      ['typed', 5],
      ['typed', false],
      ['nul', 'a\u0000'],
    );
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(validKey, fc.option(shortText, { nil: null }), { maxKeys: 8 }),
        badTag,
        async (good, [badKey, badValue]) => {
          const before = await observeRun();
          expectRejected(await post(`/api/v1/runs/${runId}/tags`, { tags: { ...good, [badKey]: badValue } }));
          expect(await observeRun()).toEqual(before);

          const accepted = await post(`/api/v1/runs/${runId}/tags`, { tags: good });
          expect(accepted.status, accepted.text).toBe(200);
          const expected: Record<string, string> = {
            ...(before as { run: { tags: Record<string, string> } }).run.tags,
          };
          for (const [key, value] of Object.entries(good)) {
            if (value === null) delete expected[key];
            else expected[key] = value;
          }
          expect((await t.sw.runs.get(runId)).tags).toEqual(expected);
        },
      ),
      { seed: SEED, numRuns: NUM_RUNS, endOnFailure: true },
    );
  }, 120_000);

  it('creates no run from a request with one bad part, and one run without it', async () => {
    const badPart = fc.constantFrom<Record<string, unknown>>(
      { params: { 'bad key!': 1 } },
      { params: { ok: 'x'.repeat(6001) } },
      { tags: { ok: 'x'.repeat(8001) } },
      { tags: { ok: 'nul\u0000' } },
      { gitCommit: 'xyz' },
      { parentRunId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' },
      { startTime: 'yesterday' },
      { name: '   ' },
      { experiment: 'missing-experiment' },
      { unknownField: true },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          params: fc.dictionary(validKey, fc.oneof(shortText, fc.integer()), { maxKeys: 5 }),
          tags: fc.dictionary(validKey, shortText, { maxKeys: 5 }),
        }),
        badPart,
        async (good, bad) => {
          const body = { experiment: experimentId, ...good };
          const before = await observeExperimentRuns();
          expectRejected(await post('/api/v1/runs', { ...body, ...bad }), [400, 404]);
          expect(await observeExperimentRuns()).toEqual(before);

          const accepted = await post('/api/v1/runs', body);
          expect(accepted.status, accepted.text).toBe(201);
          expect((await observeExperimentRuns()).runs.length).toBe(before.runs.length + 1);
        },
      ),
      { seed: SEED, numRuns: NUM_RUNS, endOnFailure: true },
    );
  }, 120_000);

  it('changes nothing of an experiment on an update with one bad part, and everything without it', async () => {
    const badPart = fc.constantFrom<Record<string, unknown>>(
      { name: 'Bad/Name' },
      { name: 'taken' },
      { description: 'x'.repeat(10_001) },
      { description: 'nul\u0000' },
      { tags: { 'bad key!': 'v' } },
      { tags: { ok: 'x'.repeat(8001) } },
      { lifecycle: 'deleted' },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          {
            name: validName.filter((name) => name !== 'taken'),
            description: shortText,
            tags: fc.dictionary(validKey, fc.option(shortText, { nil: null }), { maxKeys: 4 }),
          },
          { requiredKeys: [] },
        ),
        badPart,
        async (good, bad) => {
          const before = {
            experiment: await t.sw.experiments.get(experimentId),
            audit: await latestAuditId(t),
          };
          const response = await post(`/api/v1/experiments/${experimentId}`, { ...good, ...bad }, 'PATCH');
          expectRejected(response, [400, 409]);
          expect({
            experiment: await t.sw.experiments.get(experimentId),
            audit: await latestAuditId(t),
          }).toEqual(before);

          const accepted = await post(`/api/v1/experiments/${experimentId}`, good, 'PATCH');
          // Another experiment may already carry a generated name; that refusal must change nothing too.
          if (accepted.status === 409) {
            expect(parseError(accepted.text)?.code).toBe('EXPERIMENT_EXISTS');
            return;
          }
          expect(accepted.status, accepted.text).toBe(200);
          const after = await t.sw.experiments.get(experimentId);
          if (good.name !== undefined) expect(after.name).toBe(good.name);
          if (good.description !== undefined) expect(after.description).toBe(good.description);
        },
      ),
      { seed: SEED, numRuns: NUM_RUNS, endOnFailure: true },
    );
  }, 120_000);

  it('creates no token from a request with one bad part, and one token without it', async () => {
    const badPart = fc.constantFrom<Record<string, unknown>>(
      { expiresAt: '2001-01-01T00:00:00.000Z' },
      { expiresAt: 'soon' },
      { role: 'root' },
      { name: 'Bad Name' },
      { name: 'admin' },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('viewer', 'editor', 'admin'), badPart, async (role, bad) => {
        const body = { name: `token-${++cases}`, role };
        const before = {
          tokens: await t.sw.tokens.list({ includeRevoked: true }),
          audit: await latestAuditId(t),
        };
        expectRejected(await post('/api/v1/tokens', { ...body, ...bad }), [400, 409]);
        const after = {
          tokens: await t.sw.tokens.list({ includeRevoked: true }),
          audit: await latestAuditId(t),
        };
        expect(withoutLastUse(after)).toEqual(withoutLastUse(before));

        const accepted = await post('/api/v1/tokens', body);
        expect(accepted.status, accepted.text).toBe(201);
      }),
      { seed: SEED, numRuns: 40, endOnFailure: true },
    );
  }, 120_000);

  it('keeps an artifact as it was when a replacement is refused, and replaces it when it is not', async () => {
    let current = Buffer.from('first version');
    await t.sw.artifacts.put(runId, 'model.bin', current);
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 5_000 }).map((bytes) => Buffer.from(bytes)),
        fc.constantFrom('wrong digest', 'too large', 'malformed digest'),
        async (replacement, how) => {
          const put = (body: Buffer, digest: string | undefined) =>
            http.send({
              method: 'PUT',
              path: `/api/v1/runs/${runId}/artifacts/model.bin`,
              headers: {
                authorization: `Bearer ${t.adminToken}`,
                'content-type': 'application/octet-stream',
                ...(digest === undefined ? {} : { 'x-content-sha256': digest }),
              },
              body,
            });
          const before = { list: await t.sw.artifacts.list(runId), audit: await latestAuditId(t) };
          const response =
            how === 'too large'
              ? await put(Buffer.concat([replacement, Buffer.alloc(ARTIFACT_LIMIT)]), undefined)
              : await put(replacement, how === 'wrong digest' ? sha256(Buffer.from('other bytes')) : 'xyz');
          expectRejected(response, [400, 413]);
          expect({ list: await t.sw.artifacts.list(runId), audit: await latestAuditId(t) }).toEqual(before);
          expect(await t.sw.artifacts.bytes(runId, 'model.bin')).toEqual(current);

          const accepted = await put(replacement, sha256(replacement));
          expect(accepted.status, accepted.text).toBe(201);
          current = replacement;
          expect(await t.sw.artifacts.bytes(runId, 'model.bin')).toEqual(current);
        },
      ),
      { seed: SEED, numRuns: 40, endOnFailure: true },
    );
  }, 120_000);

  it('refuses a model upload that reuses an Idempotency-Key for other bytes; the same bytes replay', async () => {
    const upload = (bytes: Uint8Array, key: string) =>
      http.send({
        method: 'POST',
        path: '/api/v1/models/keyed/versions?description=same%20query',
        headers: {
          authorization: `Bearer ${t.adminToken}`,
          'content-type': 'application/octet-stream',
          'idempotency-key': key,
        },
        body: Buffer.from(bytes),
      });
    const blobs = async () => {
      const digests = new Set<string>();
      for await (const blob of t.server.platform.blobs.list()) digests.add(blob.digest);
      return digests;
    };
    const first = await upload(tabularModel(2, 1), 'upload-1');
    expect(first.status, first.text).toBe(201);
    for (let seed = 2; seed <= 4; seed++) {
      const before = {
        versions: await t.sw.models.versions('keyed'),
        blobs: await blobs(),
        audit: await latestAuditId(t),
      };
      const other = await upload(tabularModel(2, seed), 'upload-1');
      expectRejected(other, [409]);
      expect(parseError(other.text)?.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect({
        versions: await t.sw.models.versions('keyed'),
        blobs: await blobs(),
        audit: await latestAuditId(t),
      }).toEqual(before);
    }
    const replay = await upload(tabularModel(2, 1), 'upload-1');
    expect(replay.status, replay.text).toBe(201);
    expect(JSON.parse(replay.text)).toEqual(JSON.parse(first.text));
    expect((await t.sw.models.versions('keyed')).items).toHaveLength(1);
  });

  async function observeExperimentRuns() {
    const page = await t.sw.runs.list({ experiment: experimentId, limit: 1000 });
    return { runs: page.items.map((run) => run.id), audit: await latestAuditId(t) };
  }
});

async function historyLength(t: TestServer, runId: string, key: string): Promise<number> {
  let count = 0;
  let pageToken: string | undefined;
  do {
    const page = await t.sw.runs
      .metricHistory(runId, key, { limit: 25_000, ...(pageToken === undefined ? {} : { pageToken }) })
      .catch((error: unknown) => {
        if ((error as { code?: string }).code === 'METRIC_NOT_FOUND')
          return { items: [], nextPageToken: undefined };
        throw error;
      });
    count += page.items.length;
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return count;
}

async function latestAuditId(t: TestServer): Promise<string | undefined> {
  return (await t.sw.audit.list({ limit: 1 })).items[0]?.id;
}

/** Token use moves lastUsedAt of the token the test itself authenticates with. */
function withoutLastUse(state: { tokens: readonly { lastUsedAt?: string }[]; audit: string | undefined }) {
  return { ...state, tokens: state.tokens.map(({ lastUsedAt: _, ...token }) => token) };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
