/**
 * `slipway quickstart` as a new user runs it: the real binary in a fresh folder. The AutoML job it
 * runs is then read back by a fresh server, and the model it registered is run in ONNX Runtime.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Slipway } from '../../src/client/index.js';
import { loadServerConfig } from '../../src/core/config.js';
import { type ChurnRow, churnRows } from '../../src/quickstart/churn-data.js';
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
      'read back: run search, compare and a verified model download agree with the leaderboard',
    );
    expect(quickstart.output()).toContain(join(folder, '.slipway', 'admin.token'));
    expect(quickstart.output()).toContain(
      'deployment churn (revision 1) routes 100% to churn@champion = churn@1',
    );

    const server = await startServer(
      loadServerConfig({
        SLIPWAY_HOME: join(folder, '.slipway'),
        SLIPWAY_PORT: '0',
        SLIPWAY_LOG_LEVEL: 'silent',
      }),
    );
    const sw = await Slipway.connect({ url: server.url, home: join(folder, '.slipway'), env: {} });
    try {
      const jobs = await sw.automl.list();
      expect(jobs.items).toHaveLength(1);
      const job = jobs.items[0]!;
      expect(job).toMatchObject({
        status: 'succeeded',
        dataset: 'churn-train@1',
        target: 'churned',
        task: 'classification',
      });
      const result = job.result!;
      expect(result.modelVersion).toBe('churn@1');

      // Every trial is a finished or failed child run of the AutoML run, ranked as the leaderboard.
      const trials = await sw.runs.search({
        experiments: ['demo'],
        filter: `parent_run_id = '${job.run}' and status = 'finished'`,
        orderBy: ['metrics.cv/roc_auc desc'],
      });
      expect(trials.items).toHaveLength(result.leaderboard.length);
      expect(trials.items[0]!.metrics['cv/roc_auc']!.value).toBe(result.best.score);

      // The champion is the refit model: a self-contained ONNX graph that takes the raw columns.
      const champion = await sw.models.version('churn@champion');
      expect(champion).toMatchObject({ run: job.run, aliases: ['champion'], classes: ['0', '1'] });
      expect(champion.datasets.map((d) => `${d.dataset}@${d.version}:${d.role}`)).toEqual([
        'churn-train@1:train',
      ]);
      expect(champion.features?.find((f) => f.name === 'contract')).toEqual({
        name: 'contract',
        type: 'categorical',
        categories: ['month-to-month', 'one-year', 'two-year'],
      });
      const model = await sw.artifacts.bytes(job.run, 'model/model.onnx');
      expect(champion.digest).toBe(createHash('sha256').update(model).digest('hex'));
      const session = await ort.InferenceSession.create(model);
      const fresh = churnRows(1000, 8);
      const feeds: Record<string, ort.Tensor> = {};
      for (const feature of champion.features!) {
        const values = fresh.map((row) => row[feature.name as keyof ChurnRow]);
        feeds[feature.name] =
          feature.type === 'numeric'
            ? new ort.Tensor('float32', Float32Array.from(values, Number), [fresh.length, 1])
            : new ort.Tensor(
                'string',
                values.map((v) => (v === null ? '' : String(v))),
                [fresh.length, 1],
              );
      }
      const output = await session.run(feeds);
      const labels = output.label!.data as string[];
      const correct = fresh.filter((row, index) => labels[index] === String(row.churned)).length;
      const majority = Math.max(...[0, 1].map((c) => fresh.filter((row) => row.churned === c).length));
      // The model learned the churn signal: clearly better than always answering the majority class.
      expect(correct).toBeGreaterThan(majority + 0.05 * fresh.length);
      // The restarted server serves the deployment the demo made, with the same answers.
      const served = await sw.deployments.predict(
        'churn',
        fresh.slice(0, 50).map(({ churned: _, ...features }) => features),
      );
      expect(served.modelVersion).toBe('churn@1');
      expect(served.predictions).toEqual(labels.slice(0, 50));

      const train = await sw.datasets.version('churn-train@1');
      expect(train.rowCount).toBe(4000);
      const graph = await sw.lineage.get({ node: 'dataset:churn-train@1', direction: 'downstream' });
      expect(graph.nodes.map((n) => n.id)).toEqual(
        expect.arrayContaining([`run:${job.run}`, 'model:churn@1']),
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
      // A second quickstart in the same folder adds a new AutoML run and its trials to 'demo'.
      const env = { SLIPWAY_PORT: String(port) };
      const jobs = await cli(['--json', 'automl', 'list'], env, folder);
      expect(jobs.code, jobs.stderr).toBe(0);
      const finished = jobs.json<{ items: { status: string; progress: { trialsDone: number } }[] }>().items;
      expect(finished.map((job) => job.status)).toEqual(['succeeded', 'succeeded']);
      const listed = await cli(
        ['--json', 'runs', 'list', '--experiment', 'demo', '--limit', '1000'],
        env,
        folder,
      );
      expect(listed.code, listed.stderr).toBe(0);
      const runs = finished.reduce((sum, job) => sum + 1 + job.progress.trialsDone, 0);
      expect(listed.json<{ items: unknown[] }>().items).toHaveLength(runs);
      // The second demo's champion (churn@2) now serves the deployment, reached from this process.
      const predicted = await cli(
        [
          'predict',
          'churn',
          '{"tenure_months": 3, "monthly_charges": 90, "support_calls": 4, "contract": "month-to-month", "payment": "card"}',
        ],
        env,
        folder,
      );
      expect(predicted.code, predicted.stderr).toBe(0);
      expect(predicted.stdout).toContain('served by churn@2');
      const status = await cli(['deployments', 'status', 'churn'], env, folder);
      expect(status.stdout).toMatch(/churn@champion\s+churn@2\s+100%/);
    } finally {
      quickstart.child.kill('SIGINT');
    }
    expect(await quickstart.exited).toBe(0);
  });
});
