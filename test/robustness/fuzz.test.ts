/**
 * Property-based fuzzing of every mutating route, on every metadata backend. Thousands of random and
 * malformed requests (wrong types, huge and unicode strings, extreme numbers, broken JSON, odd
 * content types, oversized bodies, hostile path parameters) must each get a 2xx or a 4xx in the
 * documented error shape (catalogued code, x-request-id), never a 5xx; a rejected request must
 * record no audit event (so it committed nothing); and a fixture the fuzzer never names must come
 * out exactly as it went in. rejected-writes.test.ts checks in depth that a rejected write changes
 * nothing at all; limits.test.ts covers sizes beyond this server's 64 KiB body limit.
 *
 * Reproduce a failure with the seed fast-check prints: SLIPWAY_FUZZ_SEED=<seed> npx vitest run test/robustness/fuzz.test.ts
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { parseError, problemWith, RawHttp } from '../support/raw-http.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { BODY_LIMIT } from './fuzz-inputs.js';
import { describeRequest, routeGroups, type Targets } from './fuzz-routes.js';

const SEED = Number(process.env.SLIPWAY_FUZZ_SEED ?? 20_260_131);
const ARTIFACT_LIMIT = 128 * 1024;
/** Cases per route group; every group covers its routes in proportion. */
const RUNS: Readonly<Record<string, number>> = {
  experiments: 500,
  runs: 400,
  runData: 600,
  search: 300,
  artifacts: 300,
  tokens: 300,
};

describe.each(BACKENDS)('fuzzing the mutating routes on %s', (backend) => {
  let t: TestServer;
  let http: RawHttp;
  let targets: Targets;
  let fixture: Fixture;
  let before: unknown;
  let auditHead: string | undefined;

  beforeAll(async () => {
    t = await startTestServer(backend, {
      env: { SLIPWAY_MAX_BODY_BYTES: String(BODY_LIMIT), SLIPWAY_MAX_ARTIFACT_BYTES: String(ARTIFACT_LIMIT) },
    });
    http = new RawHttp(t.url);
    fixture = await createFixture(t);
    before = await snapshot(t, fixture);
    const target = await t.sw.experiments.create({ name: 'target', tags: { kind: 'fuzzed' } });
    const run = await t.sw.runs.create({ experiment: target.id, params: { lr: 0.1 }, tags: { a: '1' } });
    await t.sw.runs.logMetrics(run.id, [{ key: 'loss', value: 1, step: 1 }]);
    await t.sw.tokens.create({ name: 'fuzz-editor', role: 'editor' });
    const viewer = await t.sw.tokens.create({ name: 'fuzz-viewer', role: 'viewer' });
    targets = {
      experimentId: target.id,
      experimentName: target.name,
      runId: run.id,
      tokenName: 'fuzz-editor',
      adminToken: t.adminToken,
      viewerToken: viewer.token,
      artifactLimit: ARTIFACT_LIMIT,
    };
    auditHead = await latestAuditId(t);
  });
  afterAll(async () => {
    await http?.close();
    await t?.close();
  });

  it.each(Object.keys(RUNS))(
    'answers every %s request with a 2xx or a well-formed 4xx, and a 4xx changes nothing',
    async (group) => {
      // An earlier group may have deleted or renamed the target; every group starts from it intact.
      await t.sw.experiments.restore(targets.experimentId);
      await t.sw.experiments.update(targets.experimentId, { name: targets.experimentName });
      auditHead = await latestAuditId(t);

      const requests = routeGroups(targets)[group]!;
      const statuses = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(requests, async (request) => {
          const response = await http.send(request);
          const problem = problemWith(response);
          if (problem !== undefined) throw new Error(`${describeRequest(request)}: ${problem}`);
          const kind = response.status < 400 ? 'accepted' : (parseError(response.text)?.code ?? '');
          statuses.set(kind, (statuses.get(kind) ?? 0) + 1);
          // Every mutation records an audit event in its own transaction: a rejected request must not.
          const head = await latestAuditId(t);
          if (response.status >= 400 && head !== auditHead) {
            throw new Error(
              `${describeRequest(request)} answered ${response.status} but recorded an audit event`,
            );
          }
          auditHead = head;
        }),
        { seed: SEED, numRuns: RUNS[group]!, endOnFailure: true },
      );
      // A fuzzer that only ever bounces off validation tests little: enough requests must get through.
      const accepted = statuses.get('accepted') ?? 0;
      expect(accepted, JSON.stringify(Object.fromEntries(statuses))).toBeGreaterThanOrEqual(
        RUNS[group]! / 20,
      );
    },
    120_000,
  );

  it('leaves the fixture the fuzzer never named exactly as it was', async () => {
    expect(await snapshot(t, fixture)).toEqual(before);
  });
});

interface Fixture {
  readonly experimentId: string;
  readonly runId: string;
  readonly tokenIds: readonly string[];
  readonly adminTokenId: string;
}

/** An experiment, a run with params, tags, metrics and artifacts, and a token: all named 'fixture-…'. */
async function createFixture(t: TestServer): Promise<Fixture> {
  const experiment = await t.sw.experiments.create({
    name: 'fixture-experiment',
    description: 'must survive the fuzzer',
    tags: { owner: 'fixture' },
  });
  const run = await t.sw.runs.create({
    experiment: experiment.id,
    name: 'fixture-run',
    params: { lr: 0.01, model: 'gbdt', deep: true },
    tags: { team: 'fixture' },
  });
  await t.sw.runs.logMetrics(
    run.id,
    Array.from({ length: 50 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1), step })),
  );
  await t.sw.runs.logMetrics(run.id, [
    { key: 'acc', value: Number.NaN, step: 0 },
    { key: 'acc', value: 0.9, step: 1 },
  ]);
  await t.sw.artifacts.put(run.id, 'model/weights.bin', Buffer.alloc(10_000, 3));
  await t.sw.artifacts.put(run.id, 'notes.txt', Buffer.from('fixture notes'));
  const viewer = await t.sw.tokens.create({ name: 'fixture-viewer', role: 'viewer' });
  const admin = (await t.sw.tokens.list()).find((token) => token.name === 'admin')!;
  return {
    experimentId: experiment.id,
    runId: run.id,
    tokenIds: [admin.id, viewer.id],
    adminTokenId: admin.id,
  };
}

/** Everything observable about the fixture, through the API. */
async function snapshot(t: TestServer, fixture: Fixture): Promise<unknown> {
  const { sw } = t;
  const artifacts = await sw.artifacts.list(fixture.runId);
  const tokens = (await sw.tokens.list({ includeRevoked: true }))
    .filter((token) => fixture.tokenIds.includes(token.id))
    // The fuzzer authenticates with the admin token, which moves its last-used time; nothing else may.
    .map(({ lastUsedAt, ...token }) =>
      token.id === fixture.adminTokenId ? token : { ...token, lastUsedAt },
    );
  return {
    experiment: await sw.experiments.get(fixture.experimentId),
    runs: (await sw.runs.list({ experiment: fixture.experimentId })).items,
    run: await sw.runs.get(fixture.runId),
    loss: (await sw.runs.metricHistory(fixture.runId, 'loss')).items,
    acc: (await sw.runs.metricHistory(fixture.runId, 'acc')).items,
    artifacts,
    bytes: await Promise.all(
      artifacts.map(async (artifact) =>
        createHash('sha256')
          .update(await sw.artifacts.bytes(fixture.runId, artifact.path))
          .digest('hex'),
      ),
    ),
    tokens,
  };
}

async function latestAuditId(t: TestServer): Promise<string | undefined> {
  return (await t.sw.audit.list({ limit: 1 })).items[0]?.id;
}
