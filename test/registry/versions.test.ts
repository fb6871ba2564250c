/** Models and their versions through the SDK and HTTP: register (upload and run artifact), signatures, pull, bad files. */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  UnprocessableError,
} from '../../src/client/index.js';
import { gbdtToOnnx, trainGbdt } from '../../src/training/gbdt/index.js';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { blobDigests, scoringModel, spoolFiles, tabularModel, upload } from './fixtures.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.each(BACKENDS)('model versions on %s', (backend) => {
  let t: TestServer;
  let work: string;
  beforeAll(async () => {
    t = await startTestServer(backend);
    work = await mkdtemp(join(tmpdir(), 'slipway-models-'));
  });
  afterAll(async () => {
    await t?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('registers an uploaded file, creating the model, and reads the signature from the ONNX itself', async () => {
    const bytes = scoringModel(3, 1);
    const file = join(work, 'scoring.onnx');
    await writeFile(file, bytes);
    const version = await t.sw.models.register('Scoring', {
      file,
      metrics: { auc: 0.91, logloss: 0.3 },
      featureNames: ['age', 'tenure', 'spend'],
      description: 'first cut',
      tags: { team: 'risk' },
    });
    expect(version).toMatchObject({
      model: 'scoring',
      version: 1,
      format: 'onnx',
      digest: sha256(bytes),
      size: bytes.byteLength,
      metrics: { auc: 0.91, logloss: 0.3 },
      featureNames: ['age', 'tenure', 'spend'],
      datasets: [],
      description: 'first cut',
      tags: { team: 'risk' },
      approval: { status: 'pending' },
      aliases: [],
      createdBy: 'admin',
    });
    expect(version.run).toBeUndefined();
    expect(version.signature).toEqual({
      inputs: [
        { name: 'features', kind: 'tensor', elementType: 'float32', shape: ['N', 3] },
        { name: 'segment', kind: 'tensor', elementType: 'int64', shape: ['N', null] },
      ],
      outputs: [
        { name: 'score', kind: 'tensor', elementType: 'float32', shape: ['N', 1] },
        { name: 'label', kind: 'tensor', elementType: 'int64', shape: ['N'] },
      ],
      opsets: [
        { domain: '', version: 17 },
        { domain: 'ai.onnx.ml', version: 3 },
      ],
      irVersion: 8,
      producerName: 'slipway-tests',
      producerVersion: '1.0',
      metadata: { owner: 'risk-team' },
    });
    const model = await t.sw.models.get('scoring');
    expect(model).toMatchObject({ name: 'scoring', latestVersion: 1, lifecycle: 'active', aliases: {} });
    expect(model.latest).toEqual(version);
    expect(await t.sw.models.version('scoring@1')).toEqual(version);
    expect(await t.sw.models.version('scoring')).toEqual(version);
    expect(await t.sw.models.version('scoring@latest')).toEqual(version);
  });

  it('keeps the features and classes of an uploaded file, and refuses malformed ones naming the field', async () => {
    const rows = 60;
    const model = trainGbdt(
      {
        rows,
        features: [
          { kind: 'numeric', name: 'tenure', values: Float64Array.from({ length: rows }, (_, i) => i % 30) },
          {
            kind: 'categorical',
            name: 'plan',
            values: Array.from({ length: rows }, (_, i) => (i % 2 ? 'pro' : 'basic')),
          },
        ],
      },
      {
        kind: 'classification',
        classes: ['stay', 'churn'],
        labels: Int32Array.from({ length: rows }, (_, i) => (i % 30 < 10 ? 1 : 0)),
      },
      { iterations: 3, maxLeaves: 4, seed: 1 },
    );
    const features = [
      { name: 'tenure', type: 'numeric' as const },
      { name: 'plan', type: 'categorical' as const, categories: ['basic', 'pro'] },
    ];
    const version = await t.sw.models.register('with-classes', {
      file: Buffer.from(gbdtToOnnx(model)),
      features,
      classes: ['stay', 'churn'],
    });
    expect(version).toMatchObject({ features, classes: ['stay', 'churn'], featureNames: ['tenure', 'plan'] });
    const bad = await t.fetch('/api/v1/models/with-classes/versions?classes=stay,churn', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from(gbdtToOnnx(model)),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: { field: string } } }).error.details.field).toBe(
      'classes',
    );
    const wrongType = await t.fetch(
      `/api/v1/models/with-classes/versions?features=${encodeURIComponent('[{"name":"tenure","type":"text"}]')}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.from(gbdtToOnnx(model)),
      },
    );
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { error: { details: { field: string } } }).error.details.field).toBe(
      'features[0].type',
    );
    expect((await t.sw.models.get('with-classes')).latestVersion).toBe(1);
  });

  it('registers from a run artifact, recording the run as producer', async () => {
    const bytes = tabularModel(2, 5);
    const run = await t.sw.startRun({ experiment: 'registry-tests', name: 'train', gitCommit: false });
    await run.logArtifact(Buffer.from(bytes), 'model/model.onnx');
    await run.end('finished');
    const version = await t.sw.models.register('from-run', {
      source: `runs/${run.id}/artifacts/model/model.onnx`,
      metrics: { rmse: 1.5 },
      featureNames: ['a', 'b'],
    });
    expect(version).toMatchObject({
      model: 'from-run',
      version: 1,
      run: run.id,
      digest: sha256(bytes),
      size: bytes.byteLength,
      metrics: { rmse: 1.5 },
    });
    expect(version.signature.inputs).toEqual([
      { name: 'x', kind: 'tensor', elementType: 'float32', shape: ['batch', 2] },
    ]);
    // The same bytes uploaded again are a new version: versions are records, not content.
    const again = await t.sw.models.register('from-run', { file: Buffer.from(bytes), run: run.id });
    expect(again).toMatchObject({ version: 2, run: run.id, digest: version.digest });

    const bad = [
      ['nope', 'source must be'],
      [`runs/${run.id}/artifacts/missing.onnx`, 'ARTIFACT_NOT_FOUND'],
      ['runs/01JUNKUNKNOWNRUN0000000000/artifacts/m.onnx', 'RUN_NOT_FOUND'],
    ] as const;
    for (const [source, expected] of bad) {
      const error = await t.sw.models.register('from-run', { source }).catch((e: unknown) => e);
      expect(`${(error as InvalidError).code} ${(error as InvalidError).message}`).toContain(expected);
    }
    const unknownRun = await t.sw.models
      .register('from-run', { file: Buffer.from(bytes), run: 'no-such-run' })
      .catch((e: unknown) => e);
    expect((unknownRun as NotFoundError).code).toBe('RUN_NOT_FOUND');
    expect((await t.sw.models.versions('from-run')).items.map((v) => v.version)).toEqual([2, 1]);
  });

  it('refuses a featureNames list that does not match the input width', async () => {
    const error = await t.sw.models
      .register('widths', { file: Buffer.from(tabularModel(3)), featureNames: ['a', 'b'] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidError);
    expect((error as InvalidError).message).toContain("featureNames has 2 names but input 'x' has 3 columns");
    await expect(t.sw.models.get('widths')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('pull writes identical bytes, verified, by number, alias and latest', async () => {
    const bytes = scoringModel(4, 7);
    const registered = await t.sw.models.register('pullme', { file: Buffer.from(bytes) });
    await t.sw.models.register('pullme', { file: Buffer.from(scoringModel(4, 8)) });
    await t.sw.models.alias.set('pullme', 'champion', 1);
    for (const ref of ['pullme@1', 'pullme@champion', 'PULLME@1']) {
      const target = join(work, `${ref.replace('@', '-')}.onnx`);
      const pulled = await t.sw.models.pull(ref, target);
      expect(pulled).toMatchObject({
        model: 'pullme',
        version: 1,
        digest: registered.digest,
        size: bytes.byteLength,
      });
      expect(Buffer.compare(await readFile(target), Buffer.from(bytes))).toBe(0);
    }
    const latest = await t.sw.models.pull('pullme', join(work, 'latest.onnx'));
    expect(latest.version).toBe(2);
    const response = await t.fetch('/api/v1/models/pullme/versions/champion/artifact');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-content-sha256')).toBe(registered.digest);
    expect(response.headers.get('x-model-version')).toBe('1');
    expect(Buffer.compare(Buffer.from(await response.arrayBuffer()), Buffer.from(bytes))).toBe(0);
    await expect(t.sw.models.pull('pullme@9', join(work, 'nine.onnx'))).rejects.toMatchObject({
      code: 'MODEL_VERSION_NOT_FOUND',
    });
    await expect(t.sw.models.pull('pullme@nobody', join(work, 'x.onnx'))).rejects.toMatchObject({
      code: 'ALIAS_NOT_FOUND',
    });
  });

  it('rejects a non-ONNX, truncated or empty file with INVALID_MODEL and stores nothing', async () => {
    const valid = scoringModel(3, 3);
    await t.sw.models.register('guarded', { file: Buffer.from(scoringModel(3, 2)) });
    const cases: [string, Uint8Array, string][] = [
      ['csv text', Buffer.from('age,plan\n31,pro\n'), 'not a valid ONNX model'],
      ['random bytes', Buffer.from('hello,world\n1,2\n'), 'does not decode as an ONNX protobuf'],
      [
        'truncated',
        valid.subarray(0, Math.floor(valid.byteLength * 0.6)),
        'does not decode as an ONNX protobuf',
      ],
      ['empty', new Uint8Array(0), 'is empty'],
      ['protobuf, not a model', Buffer.from([0x08, 0x07]), 'has no graph'],
    ];
    for (const model of ['guarded', 'never-created']) {
      for (const [label, bytes, reason] of cases) {
        const before = await blobDigests(t);
        const response = await upload(t, model, bytes, '?metric=auc%3D0.5');
        const body = (await response.json()) as {
          error: { code: string; message: string; details: unknown };
        };
        expect(response.status, label).toBe(400);
        expect(body.error.code, label).toBe('INVALID_MODEL');
        expect(body.error.message, label).toContain(reason);
        expect(body.error.details, label).toMatchObject({ format: 'onnx' });
        expect(await blobDigests(t), label).toEqual(before);
        expect(await spoolFiles(t), label).toEqual([]);
      }
    }
    expect((await t.sw.models.versions('guarded')).items.map((v) => v.version)).toEqual([1]);
    await expect(t.sw.models.get('never-created')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    // Also through the SDK, and from a run artifact that is not ONNX.
    const run = await t.sw.startRun({ experiment: 'registry-tests', gitCommit: false });
    await run.logArtifact(Buffer.from('not a model'), 'model.onnx');
    await run.end('finished');
    const fromRun = await t.sw.models
      .register('never-created', { source: `runs/${run.id}/artifacts/model.onnx` })
      .catch((e: unknown) => e);
    expect(fromRun).toBeInstanceOf(InvalidError);
    expect((fromRun as InvalidError).code).toBe('INVALID_MODEL');
    await expect(t.sw.models.get('never-created')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses bad metadata before storing anything', async () => {
    const before = await blobDigests(t);
    const bytes = scoringModel(3, 11);
    for (const [query, fragment] of [
      ['?metric=auc', "metric must be 'name=value'"],
      ['?metric=auc%3Dhigh', "metric 'auc' must be a finite number"],
      ['?dataset=train%403%40x', 'datasets[0].ref'],
      ['?dataset=no-such-data%401', "dataset 'no-such-data' does not exist"],
      ['?nonsense=1', 'nonsense'],
    ] as const) {
      const response = await upload(t, 'meta-checks', bytes, query);
      const body = (await response.json()) as { error: { message: string } };
      expect(response.status, query).toBeGreaterThanOrEqual(400);
      expect(response.status, query).toBeLessThan(500);
      expect(body.error.message, query).toContain(fragment);
    }
    const badName = await upload(t, 'Bad%20Name', bytes);
    expect(badName.status).toBe(400);
    expect(await blobDigests(t)).toEqual(before);
    await expect(t.sw.models.get('meta-checks')).rejects.toBeInstanceOf(NotFoundError);
    const json = await t.fetch('/api/v1/models/meta-checks/versions?run=x', {
      method: 'POST',
      body: JSON.stringify({ source: 'runs/x/artifacts/m.onnx' }),
    });
    expect(json.status).toBe(400);
  });

  it('numbers concurrent registers without gaps or duplicates', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.sw.models.register('busy', { file: Buffer.from(tabularModel(2, i + 1)) }),
      ),
    );
    expect(results.map((v) => v.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const page = await t.sw.models.versions('busy', { limit: 3 });
    expect(page.items.map((v) => v.version)).toEqual([8, 7, 6]);
    const next = await t.sw.models.versions('busy', { limit: 3, pageToken: page.nextPageToken! });
    expect(next.items.map((v) => v.version)).toEqual([5, 4, 3]);
  });

  it('creates, lists, updates, soft-deletes (admin) and restores models', async () => {
    const created = await t.sw.models.create({ name: 'Crud-Model', description: 'd', tags: { a: '1' } });
    expect(created).toMatchObject({
      name: 'crud-model',
      lifecycle: 'active',
      policy: { requireApprovalFor: [] },
    });
    await expect(t.sw.models.create({ name: 'crud-model' })).rejects.toMatchObject({ code: 'MODEL_EXISTS' });
    const listed = await t.sw.models.list({ nameContains: 'crud' });
    expect(listed.items.map((m) => m.name)).toEqual(['crud-model']);
    const all = await t.sw.models.list();
    expect(all.items[0]!.name).toBe('crud-model');
    expect(all.items.find((m) => m.name === 'scoring')?.latestVersion).toBe(1);
    const updated = await t.sw.models.update('crud-model', { description: 'new', tags: { a: null, b: '2' } });
    expect(updated).toMatchObject({ description: 'new', tags: { b: '2' } });

    const editor = await t.connect(
      (await t.sw.tokens.create({ name: 'models-editor', role: 'editor' })).token,
    );
    await expect(editor.models.delete('crud-model')).rejects.toBeInstanceOf(ForbiddenError);
    const deleted = await t.sw.models.delete('crud-model');
    expect(deleted.lifecycle).toBe('deleted');
    expect((await t.sw.models.list({ nameContains: 'crud' })).items).toEqual([]);
    expect((await t.sw.models.list({ nameContains: 'crud', lifecycle: 'deleted' })).items).toHaveLength(1);
    await expect(t.sw.models.create({ name: 'crud-model' })).rejects.toBeInstanceOf(ConflictError);
    const refused = await t.sw.models
      .register('crud-model', { file: Buffer.from(tabularModel(1)) })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UnprocessableError);
    expect((refused as UnprocessableError).code).toBe('MODEL_DELETED');
    expect((await t.sw.models.restore('crud-model')).lifecycle).toBe('active');
    expect((await t.sw.models.register('crud-model', { file: Buffer.from(tabularModel(1)) })).version).toBe(
      1,
    );

    const audit = await t.sw.audit.list({ resource: `model:${created.id}` });
    expect(audit.items.map((e) => e.action).reverse()).toEqual([
      'model.create',
      'model.update',
      'model.delete',
      'model.restore',
    ]);
  });

  it('refuses an upload over SLIPWAY_MAX_ARTIFACT_BYTES with 413, storing nothing', async () => {
    const small = await startTestServer(backend, { env: { SLIPWAY_MAX_ARTIFACT_BYTES: '256' } });
    try {
      const before = await blobDigests(small);
      const response = await upload(small, 'too-big', scoringModel(64, 1));
      expect(response.status).toBe(413);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await blobDigests(small)).toEqual(before);
      expect(await spoolFiles(small)).toEqual([]);
      await expect(small.sw.models.get('too-big')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    } finally {
      await small.close();
    }
  });

  it('answers unknown models, versions and malformed references with 4xx', async () => {
    await expect(t.sw.models.get('ghost')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
    await expect(t.sw.models.version('scoring@99')).rejects.toMatchObject({
      code: 'MODEL_VERSION_NOT_FOUND',
    });
    await expect(t.sw.models.version('scoring@Bad_Alias')).rejects.toMatchObject({
      code: 'INVALID_REFERENCE',
    });
    await expect(t.sw.models.version('scoring@0')).rejects.toMatchObject({ code: 'INVALID_REFERENCE' });
    await expect(t.sw.models.versions('ghost')).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });
});
