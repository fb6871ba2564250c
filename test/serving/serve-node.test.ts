/**
 * `slipway serve`: an inference-only node over the same database and artifact store as the admin
 * server. It serves the deployments the admin server manages, follows their changes on its own, routes
 * sticky callers exactly as the other node does, and has no admin API.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Slipway, type V2InferRequest } from '../../src/client/index.js';
import { loadServerConfig } from '../../src/core/config.js';
import { type RunningServer, startServer } from '../../src/server/start.js';
import { BACKENDS } from '../support/backends.js';
import { mlpModel } from '../support/onnx-models.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const request: V2InferRequest = {
  inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: [0.1, 0.2, 0.3, 0.4] }],
};

describe.each(BACKENDS)('an inference-only node on %s', (backend) => {
  let admin: TestServer;
  let node: RunningServer;
  let nodeHome: string;
  let viaNode: Slipway;

  beforeAll(async () => {
    admin = await startTestServer(backend);
    for (const seed of [1, 2])
      await admin.sw.models.register('mlp', {
        file: Buffer.from(mlpModel({ inputs: 4, hidden: [4], outputs: 2, seed })),
      });
    await admin.sw.deployments.create('mlp', {
      routes: [
        { model: 'mlp@1', weight: 50 },
        { model: 'mlp@2', weight: 50 },
      ],
      routingKey: 'header:x-user-id',
    });
    nodeHome = await mkdtemp(join(tmpdir(), 'slipway-node-'));
    node = await startServer(
      loadServerConfig({
        SLIPWAY_HOME: nodeHome,
        SLIPWAY_PORT: '0',
        SLIPWAY_DATABASE_URL: admin.databaseEnv,
        SLIPWAY_ARTIFACTS_URL: `file:${join(admin.home, 'artifacts')}`,
        SLIPWAY_LOG_LEVEL: 'silent',
      }),
      { inferenceOnly: true },
    );
    viaNode = await Slipway.connect({ url: node.url, token: admin.adminToken, env: {} });
  });
  afterAll(async () => {
    await viaNode?.close();
    await node?.close();
    await admin?.close();
    if (nodeHome !== undefined) await rm(nodeHome, { recursive: true, force: true });
  });

  it('serves the shared deployments and pins each caller to the same route as the admin server', async () => {
    for (const user of ['ann', 'bob', 'cy', 'dee', 'eve', 'fay', 'gus', 'hal']) {
      const headers = { 'x-user-id': user };
      const there = await admin.sw.deployments.infer('mlp', request, { headers });
      const here = await viaNode.deployments.infer('mlp', request, { headers });
      expect(here.model_version, user).toBe(there.model_version);
      expect(here.outputs).toEqual(there.outputs);
    }
    const predicted = await viaNode.deployments.predict('mlp', [{ input: [0.1, 0.2, 0.3, 0.4] }], {
      headers: { 'x-user-id': 'ann' },
    });
    expect(predicted.modelVersion).toMatch(/^mlp@[12]$/);
  });

  it('follows changes made on the admin server within a second or so', async () => {
    await admin.sw.deployments.update('mlp', { routes: [{ model: 'mlp@2' }] });
    const deadline = Date.now() + 5_000;
    let versions = new Set<string>();
    while (Date.now() < deadline) {
      versions = new Set(
        await Promise.all(
          Array.from(
            { length: 5 },
            async (_, i) =>
              (await viaNode.deployments.infer('mlp', request, { headers: { 'x-user-id': `u${i}` } }))
                .model_version,
          ),
        ),
      );
      if (versions.size === 1 && versions.has('2')) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect([...versions]).toEqual(['2']);
    expect((await viaNode.deployments.status('mlp', 60)).servingRevision).toBe(2);
  });

  it('has no admin API', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/deployments'],
      ['GET', '/api/v1/experiments'],
      ['POST', '/api/v1/deployments'],
    ] as const) {
      const response = await fetch(node.url + path, {
        method,
        headers: { authorization: `Bearer ${admin.adminToken}`, 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      expect(response.status, path).toBe(404);
    }
    expect((await fetch(`${node.url}/v2/health/ready`)).status).toBe(200);
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
  });
});
