import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidError, NotFoundError } from '../../src/client/index.js';
import { tabularModel } from '../registry/fixtures.js';
import { BACKENDS } from '../support/backends.js';
import { cli } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const model = (seed: number) => tabularModel(2, seed);

function csv(rows: number, shift: number): string {
  const lines = ['a,b,label'];
  for (let i = 0; i < rows; i++) lines.push(`${i + shift},${(i * 7) % 13},${i % 2}`);
  return `${lines.join('\n')}\n`;
}

describe.each(BACKENDS)('lineage on %s', (backend) => {
  let t: TestServer;
  let runA: string;
  let runB: string;

  async function ok(response: Response): Promise<unknown> {
    const body = await response.json();
    expect(response.status, JSON.stringify(body)).toBeLessThan(300);
    return body;
  }

  const push = async (name: string, body: string, query = '') =>
    ok(
      await t.fetch(`/api/v1/datasets/${name}/versions?format=csv${query}`, {
        method: 'PUT',
        body,
        headers: { 'content-type': 'application/octet-stream' },
      }),
    );

  async function trainRun(name: string, seed: number): Promise<string> {
    const run = await t.sw.startRun({ experiment: 'lineage', name, gitCommit: false });
    await run.logArtifact(Buffer.from(model(seed)), 'model/model.onnx');
    await run.end('finished');
    return run.id;
  }

  const register = async (runId: string, datasets: { ref: string; role: string }[]) =>
    ok(
      await t.fetch('/api/v1/models/churn/versions', {
        method: 'POST',
        body: JSON.stringify({ source: `runs/${runId}/artifacts/model/model.onnx`, run: runId, datasets }),
      }),
    );

  beforeAll(async () => {
    t = await startTestServer(backend);
    await push('orders', csv(50, 0));
    await push('orders', csv(60, 3), '&derivedFrom=orders@1');
    await push('holdout', csv(20, 100));
    runA = await trainRun('a', 1);
    runB = await trainRun('b', 2);
    await register(runA, [
      { ref: 'orders@2', role: 'train' },
      { ref: 'holdout@1', role: 'validation' },
    ]);
    await register(runB, [{ ref: 'orders@1', role: 'train' }]);
    await ok(
      await t.fetch('/api/v1/models/churn/aliases/champion', {
        method: 'PUT',
        body: JSON.stringify({ version: 1, expectedVersion: null }),
      }),
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers "which data trained the champion" in one call, through the run and derived datasets', async () => {
    const graph = await t.sw.lineage.get({ node: 'model:churn@champion', direction: 'upstream' });
    expect(graph.root).toBe('model:churn@1');
    const ids = graph.nodes.map((n) => n.id).sort();
    expect(ids).toEqual(
      ['dataset:holdout@1', 'dataset:orders@1', 'dataset:orders@2', 'model:churn@1', `run:${runA}`].sort(),
    );
    const edges = graph.edges.map((e) => `${e.source} -${e.relation}-> ${e.target}`).sort();
    expect(edges).toEqual(
      [
        `run:${runA} -produced-> model:churn@1`,
        'dataset:orders@2 -trained_on-> model:churn@1',
        'dataset:holdout@1 -validated_on-> model:churn@1',
        `dataset:orders@2 -input-> run:${runA}`,
        `dataset:holdout@1 -input-> run:${runA}`,
        'dataset:orders@1 -derived-> dataset:orders@2',
      ].sort(),
    );
    const champion = graph.nodes.find((n) => n.id === 'model:churn@1')!;
    expect(champion.details).toMatchObject({ approvalStatus: 'pending', aliases: ['champion'] });
    expect(graph.nodes.find((n) => n.id === 'dataset:orders@2')!.details).toMatchObject({ rowCount: 60 });
    expect(graph.nodes.find((n) => n.id === `run:${runA}`)!.details).toMatchObject({
      experiment: 'lineage',
      runName: 'a',
      status: 'finished',
    });
  });

  it('answers "which models are affected if orders@1 was bad" in one call', async () => {
    const graph = await t.sw.lineage.get({ node: 'dataset:orders@1', direction: 'downstream' });
    const models = graph.nodes
      .filter((n) => n.kind === 'model')
      .map((n) => n.id)
      .sort();
    expect(models).toEqual(['model:churn@1', 'model:churn@2']);
    expect(graph.nodes.map((n) => n.id)).toContain('dataset:orders@2');
    // Nothing upstream of the start node is included in a downstream walk.
    expect(graph.nodes.map((n) => n.id)).not.toContain('dataset:holdout@1');
  });

  it('limits the walk by depth and resolves dataset@latest', async () => {
    const one = await t.sw.lineage.get({ node: 'dataset:orders@1', direction: 'downstream', depth: 1 });
    expect(one.nodes.map((n) => n.id).sort()).toEqual(
      ['dataset:orders@1', 'dataset:orders@2', 'model:churn@2', `run:${runB}`].sort(),
    );
    const latest = await t.sw.lineage.get({ node: 'dataset:orders@latest', direction: 'upstream' });
    expect(latest.root).toBe('dataset:orders@2');
    expect(latest.nodes.map((n) => n.id).sort()).toEqual(['dataset:orders@1', 'dataset:orders@2']);
  });

  it('walks both ways from a run', async () => {
    const graph = await t.sw.lineage.get({ node: `run:${runB}` });
    expect(graph.direction).toBe('both');
    expect(graph.nodes.map((n) => n.id).sort()).toEqual(
      ['dataset:orders@1', 'model:churn@2', `run:${runB}`].sort(),
    );
  });

  it('names what is wrong with a bad node, direction or depth', async () => {
    const malformed = await t.sw.lineage.get({ node: 'churn@1' }).catch((e: unknown) => e);
    expect(malformed).toBeInstanceOf(InvalidError);
    expect((malformed as InvalidError).message).toContain("'<kind>:<name>'");
    const missing = await t.sw.lineage.get({ node: 'model:nope@1' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).code).toBe('LINEAGE_NODE_NOT_FOUND');
    const noVersion = await t.sw.lineage.get({ node: 'model:churn@9' }).catch((e: unknown) => e);
    expect((noVersion as NotFoundError).message).toContain('no version 9');
    const noAlias = await t.sw.lineage.get({ node: 'model:churn@retired' }).catch((e: unknown) => e);
    expect((noAlias as NotFoundError).message).toContain("no alias 'retired'");
    const badDirection = await t.fetch('/api/v1/lineage?node=model:churn@1&direction=sideways');
    expect(badDirection.status).toBe(400);
    const badDepth = await t.fetch('/api/v1/lineage?node=model:churn@1&depth=0');
    expect(badDepth.status).toBe(400);
  });

  it('records the dataset versions a run read, through the SDK and the CLI', async () => {
    const run = await t.sw.startRun({ experiment: 'lineage', name: 'reader', gitCommit: false });
    await run.logInputs(['orders@latest', 'holdout@1']);
    // Recording the same input again is harmless.
    expect(await t.sw.runs.logInputs(run.id, ['orders@2'])).toEqual({
      run: run.id,
      datasets: [{ dataset: 'orders', version: 2 }],
    });
    const env = { SLIPWAY_URL: t.url, SLIPWAY_TOKEN: t.adminToken };
    const logged = await cli(['runs', 'log', run.id, '--input', 'orders@1'], env);
    expect(logged.code, logged.stderr).toBe(0);
    const graph = await t.sw.lineage.get({ node: `run:${run.id}`, direction: 'upstream', depth: 1 });
    expect(graph.edges.map((e) => `${e.source} -${e.relation}->`).sort()).toEqual([
      'dataset:holdout@1 -input->',
      'dataset:orders@1 -input->',
      'dataset:orders@2 -input->',
    ]);
    const audit = await t.sw.audit.list({ resource: `run:${run.id}`, action: 'run.log_inputs' });
    expect(audit.items).toHaveLength(3);

    await expect(t.sw.runs.logInputs('no-such-run', ['orders@1'])).rejects.toMatchObject({
      code: 'RUN_NOT_FOUND',
    });
    const missing = await t.sw.runs.logInputs(run.id, ['orders@1', 'orders@9']).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'DATASET_VERSION_NOT_FOUND' });
    await expect(t.sw.runs.logInputs(run.id, [])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    // The failed calls recorded nothing.
    expect(
      (await t.sw.lineage.get({ node: `run:${run.id}`, direction: 'upstream', depth: 1 })).edges,
    ).toHaveLength(3);
  });

  it('prints the graph as trees on the command line', async () => {
    const env = { SLIPWAY_URL: t.url, SLIPWAY_TOKEN: t.adminToken };
    const result = await cli(['lineage', 'model:churn@champion', '--direction', 'upstream'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('upstream:\nmodel:churn@1 (pending, @champion)');
    expect(result.stdout).toContain(`← produced run:${runA} (lineage/a, finished)`);
    expect(result.stdout).toContain('← derived dataset:orders@1 (50 rows, csv)');
    expect(result.stdout).not.toContain('downstream:');
    const json = await cli(['lineage', 'dataset:orders@1', '--json'], env);
    expect(json.json<{ root: string }>().root).toBe('dataset:orders@1');
    const usage = await cli(['lineage', 'dataset:orders@1', '--direction', 'up'], env);
    expect(usage.code).toBe(2);
    const failed = await cli(['lineage', 'model:ghost@1'], env);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('LINEAGE_NODE_NOT_FOUND');
  });
});
