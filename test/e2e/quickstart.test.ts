/**
 * `slipway quickstart` as a new user runs it: the real binary in a fresh folder. The demo it logs is
 * then read back by a fresh server, and its model.onnx is run in ONNX Runtime.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Slipway } from '../../src/client/index.js';
import { loadServerConfig } from '../../src/core/config.js';
import { churnDataset } from '../../src/quickstart/churn-data.js';
import { startServer } from '../../src/server/start.js';
import { cli } from '../support/cli.js';
import { freePort, spawnSlipway } from '../support/processes.js';

describe('slipway quickstart', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'slipway-quickstart-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('--exit logs the demo, checks it, and exits 0; the result survives a restart and its model runs', async () => {
    const quickstart = spawnSlipway(['quickstart', '--exit'], { cwd: folder, env: { SLIPWAY_PORT: '0' } });
    expect(await quickstart.exited, quickstart.output()).toBe(0);
    expect(quickstart.output()).toContain(
      'read back: search, metric history, compare and a verified model.onnx download all agree',
    );
    expect(quickstart.output()).toContain(join(folder, '.slipway', 'admin.token'));

    const server = await startServer(
      loadServerConfig({
        SLIPWAY_HOME: join(folder, '.slipway'),
        SLIPWAY_PORT: '0',
        SLIPWAY_LOG_LEVEL: 'silent',
      }),
    );
    const sw = await Slipway.connect({ url: server.url, home: join(folder, '.slipway'), env: {} });
    try {
      const runs = await sw.runs.search({
        experiments: ['demo'],
        filter: "tags.kind = 'trial'",
        orderBy: ['metrics.valid/accuracy desc'],
      });
      expect(runs.items).toHaveLength(5);
      const best = runs.items[0]!;
      expect(best.status).toBe('finished');
      expect((await sw.runs.metricHistory(best.id, 'train/loss')).items).toHaveLength(30);

      // The artifact is a real ONNX model: its accuracy on the demo's validation rows is the logged one.
      const model = await sw.artifacts.bytes(best.id, 'model.onnx');
      const session = await ort.InferenceSession.create(model);
      const valid = churnDataset(1000, 8);
      const output = await session.run({
        features: new ort.Tensor('float32', Float32Array.from(valid.x), [valid.rows, 4]),
      });
      const probability = output.probability!.data as Float32Array;
      let correct = 0;
      for (let row = 0; row < valid.rows; row++)
        if ((probability[row]! >= 0.5 ? 1 : 0) === valid.y[row]) correct++;
      expect(Math.abs(correct / valid.rows - best.metrics['valid/accuracy']!.value)).toBeLessThanOrEqual(
        0.002,
      );

      // The demo data are dataset versions, and the champion is the best run's model with its lineage.
      const champion = await sw.models.version('churn@champion');
      expect(champion).toMatchObject({ run: best.id, aliases: ['champion'] });
      expect(champion.datasets.map((d) => `${d.dataset}@${d.version}:${d.role}`)).toEqual([
        'churn-train@1:train',
        'churn-valid@1:validation',
      ]);
      expect(champion.digest).toBe(createHash('sha256').update(model).digest('hex'));
      const train = await sw.datasets.version('churn-train@1');
      expect(train.rowCount).toBe(4000);
      const graph = await sw.lineage.get({ node: 'dataset:churn-train@1', direction: 'downstream' });
      expect(graph.nodes.map((n) => n.id)).toEqual(
        expect.arrayContaining([`run:${best.id}`, 'model:churn@1']),
      );
    } finally {
      await sw.close();
      await server.close();
    }
  });

  it('keeps serving until Ctrl-C, and the CLI reaches it from another process with the local admin token', async () => {
    const port = await freePort();
    const quickstart = spawnSlipway(['quickstart'], { cwd: folder, env: { SLIPWAY_PORT: String(port) } });
    try {
      await quickstart.waitFor(/Press Ctrl-C to stop/);
      // A second quickstart in the same folder adds a new sweep to the same 'demo' experiment.
      const listed = await cli(
        ['--json', 'runs', 'list', '--experiment', 'demo', '--limit', '1000'],
        { SLIPWAY_PORT: String(port) },
        folder,
      );
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.json<{ items: unknown[] }>().items).toHaveLength(12);
    } finally {
      quickstart.child.kill('SIGINT');
    }
    expect(await quickstart.exited).toBe(0);
  });
});
