/**
 * Property-based fuzzing of every mutating route, on every metadata backend. Thousands of random and
 * malformed requests (wrong types, huge and unicode strings, extreme numbers, broken JSON, odd
 * content types, oversized bodies, hostile path parameters; damaged CSV, Parquet and ONNX files;
 * JSON and YAML validation suites) must each get a 2xx or a 4xx in the documented error shape
 * (catalogued code, x-request-id), never a 5xx; a rejected request must record no audit event (so it
 * committed nothing); no request may leave a blob the database does not name, or a dataset without
 * a version; and a fixture the fuzzer never names must come out exactly as it went in. rejected-writes.test.ts checks in depth that a rejected write changes
 * nothing at all; limits.test.ts covers sizes beyond this server's 64 KiB body limit.
 *
 * Reproduce a failure with the seed fast-check prints: SLIPWAY_FUZZ_SEED=<seed> npx vitest run test/robustness/fuzz.test.ts
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoringModel, tabularModel } from '../registry/fixtures.js';
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
  datasets: 200,
  validation: 120,
  models: 200,
  aliases: 150,
  lineage: 150,
};
const TARGET_CSV = 'id,amount,city,joined\n1,2.5,Oslo,2024-01-02\n2,,Bergen,2024-02-03\n3,7,Oslo,\n';

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
    await t.sw.datasets.push('target-data', Buffer.from(TARGET_CSV), { format: 'csv' });
    await t.sw.datasets.push('target-data', Buffer.from(`${TARGET_CSV}4,1e3,Tromsø,2024-03-04\n`), {
      format: 'csv',
      derivedFrom: ['target-data@1'],
    });
    const onnx = [tabularModel(2, 1), tabularModel(2, 2), tabularModel(2, 3)].map((m) => Buffer.from(m));
    await t.sw.artifacts.put(run.id, 'model/model.onnx', onnx[2]!);
    await t.sw.models.register('target-model', { file: onnx[0]! });
    await t.sw.models.register('target-model', { file: onnx[1]! });
    await t.sw.models.alias.set('target-model', 'champion', 1);
    targets = {
      experimentId: target.id,
      experimentName: target.name,
      runId: run.id,
      tokenName: 'fuzz-editor',
      adminToken: t.adminToken,
      viewerToken: viewer.token,
      artifactLimit: ARTIFACT_LIMIT,
      datasetName: 'target-data',
      datasetColumns: ['id', 'amount', 'city', 'joined'],
      parquet: await t.sw.datasets.bytes('target-data@1', { form: 'parquet' }),
      modelName: 'target-model',
      onnx,
      modelSource: `runs/${run.id}/artifacts/model/model.onnx`,
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
      await t.sw.models.restore(targets.modelName);
      await t.sw.models.setPolicy(targets.modelName, { requireApprovalFor: [] });
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
      // Nothing half-written: a refused push or upload took its blobs with it, and a dataset exists
      // only with a version.
      expect(await unreferencedBlobs(t)).toEqual([]);
      expect(await datasetsWithoutVersions(t)).toEqual([]);
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
  readonly dataset: string;
  readonly model: string;
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

  const dataset = 'fixture-data';
  await t.sw.datasets.push(dataset, Buffer.from('k,v\n1,a\n2,b\n3,\n'), { format: 'csv', run: run.id });
  await t.sw.datasets.push(dataset, Buffer.from('{"k":1,"v":"a"}\n{"k":4,"v":null}\n'), {
    format: 'jsonl',
    derivedFrom: [`${dataset}@1`],
    description: 'fixture jsonl',
  });
  await t.sw.datasets.update(dataset, { description: 'fixture dataset', tags: { owner: 'fixture' } });
  await t.sw.datasets.validate(`${dataset}@2`, {
    name: 'fixture-suite',
    expectations: [
      { type: 'not_null', column: 'v' },
      { type: 'unique', column: 'k' },
    ],
  });
  await t.sw.runs.logInputs(run.id, [`${dataset}@1`]);
  const model = 'fixture-model';
  await t.sw.models.register(model, {
    file: Buffer.from(scoringModel(3, 7)),
    run: run.id,
    datasets: [{ ref: `${dataset}@2`, role: 'train' }],
    metrics: { auc: 0.9 },
  });
  await t.sw.models.register(model, { file: Buffer.from(scoringModel(3, 8)) });
  await t.sw.models.approve(`${model}@1`, 'fixture approval');
  await t.sw.models.setPolicy(model, { requireApprovalFor: ['champion'] });
  await t.sw.models.alias.set(model, 'champion', 1, { expectedVersion: null });
  await t.sw.models.alias.set(model, 'challenger', 2);
  await t.sw.models.setCard(`${model}@1`, { intendedUse: 'fixture scoring', limitations: 'none known' });
  return {
    experimentId: experiment.id,
    runId: run.id,
    dataset,
    model,
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
    datasets: await datasetSnapshot(t, fixture.dataset),
    models: await modelSnapshot(t, fixture.model),
    lineage: await sw.lineage.get({ node: `dataset:${fixture.dataset}@1`, direction: 'both' }),
  };
}

async function datasetSnapshot(t: TestServer, name: string): Promise<unknown> {
  const { sw } = t;
  const versions = (await sw.datasets.versions(name)).items;
  return {
    dataset: await sw.datasets.get(name),
    versions,
    each: await Promise.all(
      versions.map(async ({ version }) => {
        const ref = `${name}@${version}`;
        return {
          profile: await sw.datasets.profile(ref),
          rows: await sw.datasets.rows(ref),
          bytes: sha256(await sw.datasets.bytes(ref)),
          validations: (await sw.datasets.validations(ref)).items,
        };
      }),
    ),
  };
}

async function modelSnapshot(t: TestServer, name: string): Promise<unknown> {
  const { sw } = t;
  const versions = (await sw.models.versions(name)).items;
  const aliases = await sw.models.alias.list(name);
  return {
    model: await sw.models.get(name),
    versions,
    aliases,
    history: await Promise.all(
      aliases.map(async (a) => (await sw.models.alias.history(name, a.alias)).items),
    ),
    cards: await Promise.all(versions.map((v) => sw.models.card(`${name}@${v.version}`))),
    files: await Promise.all(
      versions.map(async (v) => {
        const response = await t.fetch(`/api/v1/models/${name}/versions/${v.version}/artifact`);
        return sha256(Buffer.from(await response.arrayBuffer()));
      }),
    ),
  };
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Blobs in the store that no row of the database names (left by a write that did not commit). */
async function unreferencedBlobs(t: TestServer): Promise<string[]> {
  const { database, blobs } = t.server.platform;
  const named = new Set(
    (await database.db.selectFrom('blobs').select('digest').execute()).map((row) => row.digest),
  );
  const unnamed: string[] = [];
  for await (const blob of blobs.list()) if (!named.has(blob.digest)) unnamed.push(blob.digest);
  return unnamed;
}

async function datasetsWithoutVersions(t: TestServer): Promise<string[]> {
  const names: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await t.sw.datasets.list({ limit: 1000, ...(pageToken ? { pageToken } : {}) });
    names.push(...page.items.filter((d) => d.latestVersion === undefined).map((d) => d.name));
    pageToken = page.nextPageToken;
  } while (pageToken !== undefined);
  return names;
}

async function latestAuditId(t: TestServer): Promise<string | undefined> {
  return (await t.sw.audit.list({ limit: 1 })).items[0]?.id;
}
