/**
 * Inference end to end over HTTP: the Open Inference Protocol and row-oriented predict through
 * deployments, canary splits and sticky routing, switches (weights, alias moves, rollback) that the
 * next request sees, shadows that never touch the answer, and bad input, failing models and corrupt
 * model files answered clearly while the server keeps serving.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidError,
  type NotFoundError,
  type Slipway,
  type V2InferRequest,
} from '../../src/client/index.js';
import { gbdtToOnnx, predictLabels, predictProbabilities, trainGbdt } from '../../src/training/gbdt/index.js';
import { seededRandom } from '../../src/training/random.js';
import type { Table } from '../../src/training/table.js';
import { BACKENDS } from '../support/backends.js';
import { failingModel, mlpModel } from '../support/onnx-models.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const WIDTH = 6;

function rows(count: number, seed: number): number[] {
  const random = seededRandom(seed);
  return Array.from({ length: count * WIDTH }, () => random() * 2 - 1);
}

function v2(data: readonly number[], id?: string): V2InferRequest {
  return {
    ...(id === undefined ? {} : { id }),
    inputs: [{ name: 'input', shape: [data.length / WIDTH, WIDTH], datatype: 'FP32', data }],
  };
}

/** A churn-like table and a GBDT classifier on it, exported as Slipway's trainer does. */
function churnClassifier() {
  const random = seededRandom(5);
  const n = 800;
  const tenure = Float64Array.from({ length: n }, () => Math.floor(random() * 72));
  const plans = ['basic', 'pro', 'team'];
  const plan = Array.from({ length: n }, () => plans[Math.floor(random() * 3)]!);
  const labels = Int32Array.from({ length: n }, (_, i) =>
    tenure[i]! < 12 && plan[i] === 'basic' ? 1 : random() < 0.1 ? 1 : 0,
  );
  const table: Table = {
    rows: n,
    features: [
      { kind: 'numeric', name: 'tenure', values: tenure },
      { kind: 'categorical', name: 'plan', values: plan },
    ],
  };
  const model = trainGbdt(
    table,
    { kind: 'classification', classes: ['stay', 'churn'], labels },
    {
      iterations: 20,
      maxLeaves: 8,
      seed: 1,
    },
  );
  return { model, bytes: gbdtToOnnx(model) };
}

describe.each(BACKENDS)('inference on %s', (backend) => {
  let t: TestServer;
  let sw: Slipway;
  let reference: ort.InferenceSession;

  const servedVersions = async (name: string, count: number, headers?: Record<string, string>) => {
    const seen: number[] = [];
    for (let i = 0; i < count; i++) {
      const answer = await sw.deployments.infer(
        name,
        v2(rows(1, i)),
        headers === undefined ? {} : { headers },
      );
      seen.push(Number(answer.model_version));
    }
    return seen;
  };

  beforeAll(async () => {
    t = await startTestServer(backend, { env: { SLIPWAY_MAX_BODY_BYTES: '1MiB' } });
    sw = t.sw;
    const small = mlpModel({ inputs: WIDTH, hidden: [8], outputs: 3, seed: 1 });
    reference = await ort.InferenceSession.create(small);
    await sw.models.register('mlp', { file: Buffer.from(small) });
    await sw.models.register('mlp', {
      file: Buffer.from(mlpModel({ inputs: WIDTH, hidden: [8], outputs: 3, seed: 2 })),
    });
    await sw.models.register('mlp', { file: Buffer.from(small) });
    await sw.models.alias.set('mlp', 'champion', 1);
  });
  afterAll(async () => {
    await reference?.release();
    await t?.close();
  });

  it('answers V2 requests with the outputs onnxruntime gives and names the version that served', async () => {
    await sw.deployments.create('mlp', { routes: [{ model: 'mlp@champion' }] });
    const data = rows(4, 42);
    const response = await t.fetch('/v2/models/mlp/infer', {
      method: 'POST',
      body: JSON.stringify(v2(data, 'req-1')),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-slipway-model-version')).toBe('mlp@1');
    const body = (await response.json()) as {
      model_name: string;
      model_version: string;
      id: string;
      outputs: { name: string; shape: number[]; data: number[] }[];
    };
    expect(body).toMatchObject({ model_name: 'mlp', model_version: '1', id: 'req-1' });
    const expected = await reference.run({
      input: new ort.Tensor('float32', Float32Array.from(data), [4, WIDTH]),
    });
    const probabilities = body.outputs.find((output) => output.name === 'probabilities')!;
    expect(probabilities.shape).toEqual([4, 3]);
    expect(probabilities.data).toEqual(Array.from(expected.probabilities!.data as Float32Array));
    const labels = body.outputs.find((output) => output.name === 'label')!;
    expect(labels.data).toEqual(Array.from(expected.label!.data as BigInt64Array, Number));
    const only = await sw.deployments.infer('mlp', { ...v2(data), outputs: [{ name: 'label' }] });
    expect(only.outputs.map((output) => output.name)).toEqual(['label']);

    const metadata = (await (await t.fetch('/v2/models/mlp')).json()) as Record<string, unknown>;
    expect(metadata).toEqual({
      name: 'mlp',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, WIDTH] }],
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] },
        { name: 'label', datatype: 'INT64', shape: [-1] },
      ],
    });
    expect((await t.fetch('/v2/models/mlp/ready')).status).toBe(200);
    expect(await (await t.fetch('/v2/health/ready', { token: null })).json()).toEqual({ ready: true });
    expect(await (await t.fetch('/v2/health/live', { token: null })).json()).toEqual({ live: true });
    expect(await (await t.fetch('/v2', { token: null })).json()).toMatchObject({ name: 'slipway' });
  });

  it('addresses a registered version directly, without a deployment', async () => {
    const response = await t.fetch('/v2/models/mlp/versions/2/infer', {
      method: 'POST',
      body: JSON.stringify(v2(rows(1, 1))),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-slipway-model-version')).toBe('mlp@2');
    expect(await (await t.fetch('/v2/models/mlp/versions/2')).json()).toMatchObject({
      name: 'mlp',
      versions: ['2'],
    });
    expect(
      (
        await t.fetch('/v2/models/mlp/versions/9/infer', {
          method: 'POST',
          body: JSON.stringify(v2(rows(1, 1))),
        })
      ).status,
    ).toBe(404);
  });

  it('predicts from named features with a Slipway-trained model, as the TypeScript model does', async () => {
    const { model, bytes } = churnClassifier();
    await sw.models.register('churn', {
      file: Buffer.from(bytes),
      features: [
        { name: 'tenure', type: 'numeric' },
        { name: 'plan', type: 'categorical', categories: ['basic', 'pro', 'team'] },
      ],
      classes: ['stay', 'churn'],
    });
    await sw.deployments.create('churn', { routes: [{ model: 'churn@1' }] });
    const instances = [
      { tenure: 3, plan: 'basic' },
      { tenure: 60, plan: 'pro' },
      { tenure: null, plan: 'enterprise' },
      { plan: 'team' },
    ];
    const answer = await sw.deployments.predict('churn', instances);
    const table: Table = {
      rows: 4,
      features: [
        { kind: 'numeric', name: 'tenure', values: Float64Array.from([3, 60, Number.NaN, Number.NaN]) },
        { kind: 'categorical', name: 'plan', values: ['basic', 'pro', 'enterprise', 'team'] },
      ],
    };
    expect(answer.modelVersion).toBe('churn@1');
    expect(answer.predictions).toEqual(Array.from(predictLabels(model, table), (c) => model.classes[c]));
    const probabilities = predictProbabilities(model, table);
    for (const [r, row] of answer.probabilities!.entries())
      for (const [c, p] of row.entries()) expect(p as number).toBeCloseTo(probabilities[r * 2 + c]!, 5);
    const typo = await sw.deployments.predict('churn', [{ tenur: 3 }]).catch((e: unknown) => e);
    expect(typo).toBeInstanceOf(InvalidError);
    expect((typo as InvalidError).message).toMatch(/tenur/);
  });

  it('splits traffic by weight, and a routing key pins each caller to one route', async () => {
    await sw.deployments.create('canary', {
      routes: [
        { model: 'mlp@1', weight: 50 },
        { model: 'mlp@2', weight: 50 },
      ],
      routingKey: 'header:x-user-id',
    });
    const mixed = await servedVersions('canary', 60);
    expect(new Set(mixed)).toEqual(new Set([1, 2]));
    for (const user of ['u-1', 'u-2', 'u-3', 'u-4', 'u-5', 'u-6']) {
      const pinned = await servedVersions('canary', 6, { 'x-user-id': user });
      expect(new Set(pinned).size, user).toBe(1);
    }
    const users = await Promise.all(
      Array.from(
        { length: 40 },
        async (_, i) => (await servedVersions('canary', 1, { 'x-user-id': `user-${i}` }))[0],
      ),
    );
    expect(new Set(users)).toEqual(new Set([1, 2]));
  });

  it('switches with the next request after a change, follows alias moves and rolls back', async () => {
    await sw.deployments.create('switch', { routes: [{ model: 'mlp@champion' }] });
    expect(new Set(await servedVersions('switch', 5))).toEqual(new Set([1]));
    await sw.deployments.update('switch', {
      routes: [
        { model: 'mlp@champion', weight: 0 },
        { model: 'mlp@2', weight: 100 },
      ],
    });
    expect(new Set(await servedVersions('switch', 10))).toEqual(new Set([2]));
    await sw.deployments.rollback('switch');
    expect(new Set(await servedVersions('switch', 10))).toEqual(new Set([1]));
    await sw.models.alias.set('mlp', 'champion', 3);
    // The alias move commits in the registry; the server picks the new revision up on its poll.
    const deadline = Date.now() + 10_000;
    let served: number[] = [];
    while (Date.now() < deadline) {
      served = await servedVersions('switch', 1);
      if (served[0] === 3) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(served).toEqual([3]);
    expect(new Set(await servedVersions('switch', 5))).toEqual(new Set([3]));
    await sw.models.alias.set('mlp', 'champion', 1);
  });

  it('answers from the primary route whatever the shadow does', async () => {
    await sw.models.register('broken', { file: Buffer.from(failingModel()) });
    await sw.deployments.create('shadowed', { routes: [{ model: 'mlp@1' }], shadow: { model: 'broken@1' } });
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sw.deployments.infer('shadowed', v2(rows(1, i)))),
    );
    expect(answers.every((answer) => answer.model_version === '1')).toBe(true);
  });

  it('refuses bad requests in the protocol shape, survives a model that throws, and stays healthy', async () => {
    const bad = async (path: string, body: string, status: number, message: RegExp) => {
      const response = await t.fetch(path, { method: 'POST', body });
      expect(response.status, path).toBe(status);
      const payload = (await response.json()) as { error: string };
      expect(payload.error).toMatch(message);
    };
    await bad('/v2/models/mlp/infer', '{"inputs": [', 400, /JSON/i);
    await bad(
      '/v2/models/mlp/infer',
      JSON.stringify({ inputs: [{ name: 'x', shape: [1, 6], datatype: 'FP32', data: rows(1, 1) }] }),
      400,
      /unknown input 'x'/,
    );
    await bad(
      '/v2/models/mlp/infer',
      JSON.stringify({ inputs: [{ name: 'input', shape: [1, 6], datatype: 'FP64', data: rows(1, 1) }] }),
      400,
      /FP64 does not match the model's FP32/,
    );
    await bad(
      '/v2/models/mlp/infer',
      JSON.stringify({ inputs: [{ name: 'input', shape: [2, 6], datatype: 'FP32', data: rows(1, 1) }] }),
      400,
      /expected 12/,
    );
    await bad(
      '/v2/models/mlp/infer',
      JSON.stringify({
        inputs: [{ name: 'input', shape: [1, 6], datatype: 'FP32', data: [1, 2, 3, 'x', 5, 6] }],
      }),
      400,
      /not a number/,
    );
    await bad(
      '/v2/models/nope/infer',
      JSON.stringify(v2(rows(1, 1))),
      404,
      /deployment 'nope' does not exist/,
    );
    const huge = JSON.stringify(v2(rows(20_000, 5)));
    expect(huge.length).toBeGreaterThan(1024 ** 2);
    await bad('/v2/models/mlp/infer', huge, 413, /./);
    const missing = await sw.deployments.infer('nope', v2(rows(1, 1))).catch((e: unknown) => e);
    expect((missing as NotFoundError).code).toBe('DEPLOYMENT_NOT_FOUND');

    await sw.deployments.create('throws', { routes: [{ model: 'broken@1' }] });
    const index = (value: number) => ({
      inputs: [{ name: 'index', shape: [1], datatype: 'INT64', data: [value] }],
    });
    const failed = await t.fetch('/v2/models/throws/infer', {
      method: 'POST',
      body: JSON.stringify(index(7)),
    });
    expect(failed.status).toBe(500);
    expect(failed.headers.get('x-slipway-error-code')).toBe('INFERENCE_FAILED');
    expect(((await failed.json()) as { error: string }).error).toMatch(/broken@1 failed: .*out of/);
    const fine = await sw.deployments.infer('throws', index(1) as V2InferRequest);
    expect(fine.outputs[0]!.data).toHaveLength(1);
    expect((await sw.deployments.infer('mlp', v2(rows(1, 9)))).model_version).toBe('1');
  });

  it('counts answers per route (status, Prometheus) and logs each predicted row', async () => {
    await sw.deployments.create('counted', {
      routes: [
        { model: 'mlp@1', weight: 70 },
        { model: 'mlp@2', weight: 30 },
      ],
    });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => sw.deployments.infer('counted', v2(rows(2, 100 + i), `c-${i}`))),
    );
    await sw.deployments
      .infer('counted', { inputs: [{ name: 'input', shape: [1, 2], datatype: 'FP32', data: [1, 2] }] })
      .catch(() => {});
    const served = (version: number) =>
      answers.filter((answer) => answer.model_version === String(version)).length;
    const status = await sw.deployments.status('counted', 60);
    expect(status).toMatchObject({
      deployment: 'counted',
      revision: 1,
      servingRevision: 1,
      windowSeconds: 60,
      shadow: null,
    });
    const byVersion = new Map(status.routes.map((route) => [route.version, route]));
    expect(byVersion.get(1)!.requests + byVersion.get(2)!.requests).toBe(31);
    expect(byVersion.get(1)!.requests - byVersion.get(1)!.invalid).toBe(served(1));
    expect(byVersion.get(2)!.requests - byVersion.get(2)!.invalid).toBe(served(2));
    expect(byVersion.get(1)!.invalid + byVersion.get(2)!.invalid).toBe(1);
    expect(status.routes.every((route) => route.errors === 0)).toBe(true);
    expect(byVersion.get(1)!.p99Ms ?? byVersion.get(2)!.p99Ms).toBeGreaterThan(0);

    const metrics = await (await t.fetch('/metrics', { token: null })).text();
    const count = (version: number, outcome: string) =>
      Number(
        new RegExp(
          `slipway_inference_requests_total\\{deployment="counted",model_version="mlp@${version}",outcome="${outcome}"\\} (\\d+)`,
        ).exec(metrics)?.[1] ?? 0,
      );
    expect(count(1, 'ok')).toBe(served(1));
    expect(count(2, 'ok')).toBe(served(2));
    expect(count(1, 'invalid') + count(2, 'invalid')).toBe(1);
    expect(metrics).toContain('slipway_inference_batch_rows_bucket');

    await t.server.platform.serving.flushLog();
    const logged = await t.server.platform.database.db
      .selectFrom('inference_log')
      .selectAll()
      .where('deployment', '=', 'counted')
      .orderBy('request_id')
      .orderBy('row_index')
      .execute();
    expect(logged).toHaveLength(60);
    expect(logged[0]).toMatchObject({
      request_id: 'c-0',
      row_index: 0,
      deployment: 'counted',
      revision: 1,
      shadow: 0,
    });
    const answerOf = new Map(answers.map((answer) => [answer.id, answer]));
    for (const row of logged) {
      const answer = answerOf.get(row.request_id);
      expect(answer, row.request_id).toBeDefined();
      expect(Number(row.model_version)).toBe(Number(answer!.model_version));
      expect(row.route).toBe(`mlp@${answer!.model_version}`);
      const features = JSON.parse(row.features) as { input: number[] };
      expect(features.input).toHaveLength(WIDTH);
      const prediction = JSON.parse(row.prediction) as { probabilities: number[]; label: number };
      const probabilities = answer!.outputs.find((output) => output.name === 'probabilities')!
        .data as number[];
      expect(prediction.probabilities).toEqual(probabilities.slice(row.row_index * 3, row.row_index * 3 + 3));
    }
  });

  it('stops serving a deleted deployment', async () => {
    await sw.deployments.create('short-lived', { routes: [{ model: 'mlp@2' }] });
    expect((await sw.deployments.infer('short-lived', v2(rows(1, 4)))).model_version).toBe('2');
    await sw.deployments.delete('short-lived');
    const gone = await sw.deployments.infer('short-lived', v2(rows(1, 4))).catch((e: unknown) => e);
    expect((gone as NotFoundError).code).toBe('DEPLOYMENT_NOT_FOUND');
  });

  it('refuses to deploy a model whose stored file is corrupt, and the current revision keeps serving', async () => {
    const version = await sw.models.register('mlp', {
      file: Buffer.from(mlpModel({ inputs: WIDTH, hidden: [4], outputs: 3, seed: 9 })),
    });
    await writeFile(
      join(t.home, 'artifacts', 'sha256', version.digest.slice(0, 2), version.digest),
      Buffer.from('not the model'),
    );
    const refused = await sw.deployments
      .update('mlp', { routes: [{ model: `mlp@${version.version}` }] })
      .catch((e: unknown) => e);
    expect((refused as { code?: string }).code).toBe('MODEL_NOT_SERVABLE');
    expect((refused as Error).message).toMatch(new RegExp(`mlp@${version.version} cannot be served`));
    const current = await sw.deployments.get('mlp');
    expect(current.routes.map((route) => route.version)).toEqual([1]);
    expect((await sw.deployments.infer('mlp', v2(rows(1, 3)))).model_version).toBe('1');
  });
});

describe('back-pressure over HTTP', () => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer('sqlite', {
      env: { SLIPWAY_INFERENCE_TIMEOUT_MS: '500', SLIPWAY_INFERENCE_QUEUE_ROWS: '1' },
    });
    await t.sw.models.register('mlp', {
      file: Buffer.from(mlpModel({ inputs: WIDTH, hidden: [8], outputs: 3, seed: 1 })),
    });
    // A batch of 4 rows waits up to a second to fill: longer than the 500 ms every request gets.
    await t.sw.deployments.create('slow', {
      routes: [{ model: 'mlp@1' }],
      batching: { maxBatch: 4, maxDelayMs: 1000 },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const send = (count: number) =>
    t.fetch('/v2/models/slow/infer', { method: 'POST', body: JSON.stringify(v2(rows(count, count))) });

  it('answers 504 INFERENCE_TIMEOUT in the protocol shape when a request waits too long', async () => {
    const response = await send(1);
    expect(response.status).toBe(504);
    expect(response.headers.get('x-slipway-error-code')).toBe('INFERENCE_TIMEOUT');
    expect(((await response.json()) as { error: string }).error).toBe(
      'model version mlp@1 did not answer within 500 ms',
    );
  });

  it('answers 503 with Retry-After when the queue bound would be passed, and keeps the queued request', async () => {
    // The queue holds at most max(SLIPWAY_INFERENCE_QUEUE_ROWS, maxBatch) = 4 rows: whichever of the
    // two arrives second would make 5, and is refused at once; the other waits (and times out).
    const [three, two] = await Promise.all([send(3), send(2)]);
    const byStatus = new Map([three, two].map((response) => [response.status, response]));
    expect([...byStatus.keys()].sort()).toEqual([503, 504]);
    const refused = byStatus.get(503)!;
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('x-slipway-error-code')).toBe('UNAVAILABLE');
    expect(((await refused.json()) as { error: string }).error).toMatch(
      /^the queue of model version mlp@1 is full \(\d rows queued, limit 4\); retry later$/,
    );
    expect((await t.sw.deployments.status('slow')).routes[0]!.errors).toBe(3);
  });
});
