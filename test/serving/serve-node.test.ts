/**
 * `slipway serve`: an inference-only node over the same database and artifact store as the admin
 * server. It serves the deployments the admin server manages, follows their changes on its own, routes
 * sticky callers exactly as the other node does, and has no admin API. On PostgreSQL the node polls
 * only every 10 minutes here, so following a change proves the database's notification woke it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Slipway, type V2InferRequest } from '../../src/client/index.js';
import { loadServerConfig } from '../../src/core/config.js';
import { type RunningServer, startServer } from '../../src/server/start.js';
import { channelName } from '../../src/store/postgres-database.js';
import { BACKENDS, PG_URL } from '../support/backends.js';
import { mlpModel } from '../support/onnx-models.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const request: V2InferRequest = {
  inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: [0.1, 0.2, 0.3, 0.4] }],
};

/** Generous: the assertions are that changes arrive at all, not how fast. */
const DEADLINE_MS = 15_000;

/** Calls `check` until it returns true or the deadline passes; returns its last answer. */
async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** How many sessions are listening on the installation's deployment channel (its schema is in the URL). */
async function deploymentListeners(databaseEnv: string): Promise<number> {
  const schema = new URL(databaseEnv).searchParams.get('schema') ?? undefined;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const result = await client.query<{ count: string }>(
      'select count(*) from pg_stat_activity where datname = current_database() and query = $1',
      [`listen ${pg.escapeIdentifier(channelName('deployments', schema))}`],
    );
    return Number(result.rows[0]!.count);
  } finally {
    await client.end();
  }
}

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
        // SQLite has no notifications: there the node keeps the default poll.
        ...(backend === 'postgres' ? { SLIPWAY_DEPLOYMENT_POLL_MS: '600000' } : {}),
      }),
      { inferenceOnly: true },
    );
    viaNode = await Slipway.connect({ url: node.url, token: admin.adminToken, env: {} });
    // Both servers listen before any change is made, so none is picked up by the read on connecting.
    if (backend === 'postgres')
      expect(await eventually(async () => (await deploymentListeners(admin.databaseEnv)) === 2)).toBe(true);
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

  it('follows changes made on the admin server', async () => {
    await admin.sw.deployments.update('mlp', { routes: [{ model: 'mlp@2' }] });
    let versions = new Set<string>();
    await eventually(async () => {
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
      return versions.size === 1 && versions.has('2');
    });
    expect([...versions]).toEqual(['2']);
    expect((await viaNode.deployments.status('mlp', 60)).servingRevision).toBe(2);
  });

  it('follows a new deployment, the alias it routes to moving, and its deletion', async () => {
    await admin.sw.models.alias.set('mlp', 'champion', 1);
    await admin.sw.deployments.create('follower', { routes: [{ model: 'mlp@champion' }] });
    // The status reads what the node serves without loading anything itself (inference would).
    const servingRevision = async () => (await viaNode.deployments.status('follower', 60)).servingRevision;
    expect(await eventually(async () => (await servingRevision()) === 1)).toBe(true);
    expect((await viaNode.deployments.infer('follower', request)).model_version).toBe('1');

    // The alias move writes the deployment's next revision inside the move's own transaction.
    await admin.sw.models.alias.set('mlp', 'champion', 2);
    expect(await eventually(async () => (await servingRevision()) === 2)).toBe(true);
    expect((await viaNode.deployments.infer('follower', request)).model_version).toBe('2');

    await admin.sw.deployments.delete('follower');
    const gone = await eventually(() =>
      viaNode.deployments.infer('follower', request).then(
        () => false,
        (error: unknown) => (error as { status?: number }).status === 404,
      ),
    );
    expect(gone).toBe(true);
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
