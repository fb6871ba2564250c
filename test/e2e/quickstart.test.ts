/**
 * `slipway quickstart` as a new user runs it: the real binary in a fresh folder, running the
 * churn-lifecycle example pipeline. What the pipeline made (its run, the AutoML job, the champion, the
 * deployment) is then read back by a fresh server, and the model it registered is run in ONNX Runtime.
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

  it('--exit runs the lifecycle pipeline, checks it, and exits 0; the result survives a restart and its model runs', async () => {
    const quickstart = spawnSlipway(['quickstart', '--exit'], { cwd: folder, env: { SLIPWAY_PORT: '0' } });
    expect(await quickstart.exited, quickstart.output()).toBe(0);
    const output = quickstart.output();
    expect(output).toContain('applied pipeline churn-lifecycle version 1 (9 steps)');
    // One line per step state change, finished steps with their duration.
    for (const step of [
      'generate',
      'push',
      'push-holdout',
      'validate',
      'train',
      'evaluate',
      'gate',
      'champion',
      'deploy',
    ])
      expect(output).toMatch(new RegExp(`^ +${step} +succeeded +\\d+(\\.\\d)?m?s$`, 'm'));
    expect(output).toContain(
      'read back: run search, compare and a verified model download agree with the leaderboard',
    );
    expect(output).toContain(join(folder, '.slipway', 'admin.token'));
    expect(output).toContain('deployment churn (revision 1) routes 100% to churn@champion = churn@1');
    // The loop: drift on what moved, the retraining it started, the challenger promoted on labels.
    expect(output).toMatch(
      /monitor report \w+: drift in monthly_charges .*support_calls .*payment .*; unchanged: (tenure_months, contract|contract, tenure_months);/,
    );
    expect(output).toMatch(
      /retraining run \w+ \(started by the drift\) registered churn@2; deployment churn revision \d+ serves 90% churn@champion = churn@1, 10% churn@challenger = churn@2/,
    );
    expect(output).toContain('policy decision: promote');
    expect(output).toMatch(
      /churn@champion is now churn@2; deployment churn revision \d+ serves 100% churn@champion = churn@2/,
    );
    expect(output).toMatch(
      /the audit log tells it in order: monitor\.drift by admin → pipeline\.run by monitor:churn → .*deployment\.decision by admin/,
    );
    expect(output).toContain('npx slipway deployments decisions churn');
    const runId = /pipeline run {2}(\w+) \(tracking run (\w+)\)/.exec(output);
    expect(runId, output).not.toBeNull();
    expect(output).toContain(`npx slipway pipelines status ${runId![1]}`);
    expect(output).toContain(`npx slipway pipelines logs ${runId![1]} --step train`);
    expect(output).toContain('npx slipway pipelines show churn-lifecycle');

    const server = await startServer(
      loadServerConfig({
        SLIPWAY_HOME: join(folder, '.slipway'),
        SLIPWAY_PORT: '0',
        SLIPWAY_LOG_LEVEL: 'silent',
      }),
    );
    const sw = await Slipway.connect({ url: server.url, home: join(folder, '.slipway'), env: {} });
    try {
      const runs = await sw.pipelines.runs({ pipeline: 'churn-lifecycle' });
      expect(runs.items.map((run) => run.status)).toEqual(['succeeded']);
      const retrains = await sw.pipelines.runs({ pipeline: 'churn-retrain' });
      expect(retrains.items.map((run) => [run.status, run.trigger.kind])).toEqual([['succeeded', 'drift']]);
      const run = await sw.pipelines.getRun(runs.items[0]!.id);
      expect(run.steps?.find((step) => step.step === 'evaluate')?.outputs?.auc).toBeGreaterThan(0.7);
      expect(run.steps?.find((step) => step.step === 'deploy')?.outputs).toEqual({ revision: 1 });
      const jobs = await sw.automl.list();
      // The lifecycle's job, and the retraining's on the moved world's data.
      expect(jobs.items.map((j) => j.dataset).sort()).toEqual(['churn-train@1', 'churn-train@2']);
      const job = jobs.items.find((j) => j.dataset === 'churn-train@1')!;
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
        experiments: ['automl-churn-train'],
        filter: `parent_run_id = '${job.run}' and status = 'finished'`,
        orderBy: ['metrics.cv/roc_auc desc'],
      });
      expect(trials.items).toHaveLength(result.leaderboard.length);
      expect(trials.items[0]!.metrics['cv/roc_auc']!.value).toBe(result.best.score);

      // The first champion is the refit model: a self-contained ONNX graph that takes the raw columns.
      const champion = await sw.models.version('churn@1');
      expect(champion).toMatchObject({ run: job.run, aliases: [], classes: ['0', '1'] });
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
      // The restarted server serves the deployment as the loop left it: the promoted churn@2.
      const promoted = await sw.models.version('churn@champion');
      expect(promoted).toMatchObject({ version: 2, aliases: expect.arrayContaining(['champion']) });
      expect(promoted.datasets.map((d) => `${d.dataset}@${d.version}:${d.role}`)).toEqual([
        'churn-train@2:train',
      ]);
      const served = await sw.deployments.predict(
        'churn',
        fresh.slice(0, 50).map(({ churned: _, ...features }) => features),
      );
      expect(served.modelVersion).toBe('churn@2');
      const decisions = await sw.deployments.decisions('churn');
      expect(decisions.items[0]).toMatchObject({ outcome: 'promote' });

      const train = await sw.datasets.version('churn-train@1');
      expect(train.rowCount).toBe(4000);
      const graph = await sw.lineage.get({ node: 'dataset:churn-train@1', direction: 'downstream' });
      expect(graph.nodes.map((n) => n.id)).toEqual(
        expect.arrayContaining([`run:${job.run}`, 'model:churn@1']),
      );
      // The pipeline's train step ran that job: its output names the same run and model.
      expect(run.steps?.find((step) => step.step === 'train')?.outputs).toMatchObject({
        run: job.run,
        model: 'churn@1',
      });
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
      // A second quickstart in the same folder runs the pipelines again: the data are the same bytes, so
      // everything up to the gates comes from the cache (no new AutoML job); alias and deploy run again,
      // and the loop promotes churn@2 once more.
      expect(quickstart.output()).toMatch(/^ +train +cached +0ms \(cached from run \w+\)$/m);
      const env = { SLIPWAY_PORT: String(port) };
      const jobs = await cli(['--json', 'automl', 'list'], env, folder);
      expect(jobs.code, jobs.stderr).toBe(0);
      expect(jobs.json<{ items: { status: string }[] }>().items.map((job) => job.status)).toEqual([
        'succeeded',
        'succeeded',
      ]);
      const runs = await cli(['--json', 'pipelines', 'runs', '--pipeline', 'churn-lifecycle'], env, folder);
      expect(runs.code, runs.stderr).toBe(0);
      const [latest, first] = runs.json<{ items: { id: string; status: string }[] }>().items;
      expect([latest?.status, first?.status]).toEqual(['succeeded', 'succeeded']);
      const status = await cli(['pipelines', 'status', latest!.id], env, folder);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(new RegExp(`train\\s+cached.*cached from ${first!.id}`));
      // The champion (churn@2 again, after the loop) serves the deployment, reached from this process.
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
      const deployment = await cli(['deployments', 'status', 'churn'], env, folder);
      expect(deployment.stdout).toMatch(/churn@champion\s+churn@2\s+100%/);
    } finally {
      quickstart.child.kill('SIGINT');
    }
    expect(await quickstart.exited).toBe(0);
  });
});
