/**
 * The built-in pipeline steps through runBuiltin on a real platform (SQLite, a scratch home): push and
 * validate a generated CSV, train a tiny AutoML job, evaluate, register from a run, alias (with an
 * approval policy), create then update a deployment, bad inputs naming the field, and cancelling
 * training through the step's signal.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../src/core/config.js';
import type { RequestContext } from '../../src/core/context.js';
import { ConflictError, InvalidError, NotFoundError, SlipwayError } from '../../src/core/errors.js';
import { LineageRecorder } from '../../src/lineage/index.js';
import {
  type BuiltinDeps,
  type BuiltinInvocation,
  type BuiltinOutputs,
  runBuiltin,
  SIDE_EFFECT_KINDS,
} from '../../src/pipelines/builtins/index.js';
import type { JsonValue } from '../../src/pipelines/definition/index.js';
import { openPlatform, type Platform } from '../../src/platform.js';
import { seededRandom } from '../../src/training/random.js';

const PLANS = ['basic', 'pro', 'enterprise'];

/** Customers whose churn depends on tenure, fee and plan, with some noise. */
function customersCsv(count: number, seed: number): string {
  const random = seededRandom(seed);
  const lines = ['tenure,monthly,plan,churned'];
  for (let i = 0; i < count; i++) {
    const tenure = Math.floor(random() * 72);
    const monthly = Math.round((20 + random() * 100) * 100) / 100;
    const plan = PLANS[Math.floor(random() * PLANS.length)]!;
    const risk = (36 - tenure) / 18 + (monthly - 70) / 40 + (plan === 'basic' ? 0.5 : -0.5) + random() - 0.5;
    lines.push(`${tenure},${monthly},${plan},${risk > 0 ? 'left' : 'stayed'}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A search of small GBDTs and the linear model would be faster still; three default trials suffice. */
const TRAIN_INPUTS = { target: 'churned', trials: 3, timeBudgetSeconds: 120 } as const;

async function failure(promise: Promise<unknown>): Promise<SlipwayError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof SlipwayError)) throw new Error(`expected a SlipwayError, got ${String(error)}`);
  return error;
}

describe('built-in pipeline steps', () => {
  let home: string;
  let workDir: string;
  let platform: Platform;
  let deps: BuiltinDeps;
  let pipelineRun: string;
  const ctx: RequestContext = {
    actor: { name: 'pipeline-tester', role: 'admin' },
    requestId: 'pipeline-run-1',
  };
  const logs: string[] = [];

  function invoke(
    kind: BuiltinInvocation['kind'],
    inputs: Readonly<Record<string, JsonValue>>,
    options: { step?: string; signal?: AbortSignal } = {},
  ): Promise<BuiltinOutputs> {
    return runBuiltin(
      {
        kind,
        inputs,
        ctx,
        run: pipelineRun,
        step: options.step ?? kind.replace('.', '-'),
        workDir,
        scratchDir: join(home, 'scratch'),
        log: (line) => logs.push(line),
        signal: options.signal ?? new AbortController().signal,
      },
      deps,
    );
  }

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'slipway-builtins-'));
    workDir = join(home, 'pipeline');
    await mkdir(join(workDir, 'data'), { recursive: true });
    await writeFile(join(workDir, 'data', 'customers.csv'), customersCsv(300, 11));
    await writeFile(join(workDir, 'data', 'big.csv'), customersCsv(3000, 12));
    await writeFile(join(workDir, 'data', 'notes.txt'), 'not data');
    platform = await openPlatform(loadServerConfig({ SLIPWAY_HOME: home, SLIPWAY_LOG_LEVEL: 'silent' }));
    deps = {
      database: platform.database,
      blobs: platform.blobs,
      audit: platform.audit,
      clock: platform.clock,
      lineage: new LineageRecorder(platform.clock),
      tracking: platform.tracking,
      datasets: platform.datasets,
      registry: platform.registry,
      training: platform.training,
      serving: platform.serving,
      runInputs: platform.runInputs,
    };
    await platform.tracking.experiments.create(ctx, { name: 'pipelines' });
    pipelineRun = (await platform.tracking.runs.create(ctx, { experiment: 'pipelines', name: 'churn-run-1' }))
      .id;
  });

  afterAll(async () => {
    await platform?.close();
    await rm(home, { recursive: true, force: true });
  });

  it('marks the kinds that change the world as never cached', () => {
    expect([...SIDE_EFFECT_KINDS].sort()).toEqual(['deployment.update', 'model.alias', 'model.register']);
  });

  describe('dataset.push and dataset.validate', () => {
    it('pushes a file relative to the work directory, and answers the same version for the same bytes', async () => {
      expect(await invoke('dataset.push', { name: 'churn', file: 'data/customers.csv' })).toEqual({
        dataset: 'churn@1',
      });
      expect(
        await invoke('dataset.push', { name: 'churn', file: join(workDir, 'data/customers.csv') }),
      ).toEqual({
        dataset: 'churn@1',
      });
      expect(logs.some((line) => line.includes('churn@1 already holds these bytes'))).toBe(true);
      const version = await platform.datasets.datasets.version('churn', '1');
      expect(version.rowCount).toBe(300);
    });

    it('passes a suite the data meets, with the report as an output', async () => {
      const outputs = await invoke('dataset.validate', {
        dataset: 'churn@1',
        expectations: [
          { type: 'not_null', column: 'tenure' },
          { type: 'values_in_set', column: 'plan', values: PLANS },
          { type: 'row_count_between', min: 100 },
        ],
      });
      expect(outputs.passed).toBe(true);
      const report = outputs.report as { success: boolean; counts: { passed: number }; suite?: unknown };
      expect(report.success).toBe(true);
      expect(report.counts.passed).toBe(3);
      expect(report.suite).toBeUndefined();
    });

    it('fails the step on a failed expectation, listing it', async () => {
      const error = await failure(
        invoke('dataset.validate', {
          dataset: 'churn',
          expectations: {
            name: 'strict',
            expectations: [
              { type: 'values_between', column: 'tenure', min: 0, max: 10 },
              { type: 'not_null', column: 'plan' },
            ],
          },
        }),
      );
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.status).toBe(422);
      expect(error.message).toMatch(/churn@1 failed 1 of 2 expectations: \[0\] values_between\(tenure\)/);
      expect(error.details.report).toEqual(expect.any(String));
    });

    it('reads a suite file, and refuses a missing or malformed suite naming inputs.expectations', async () => {
      await writeFile(
        join(workDir, 'suite.yaml'),
        'expectations:\n  - { type: column_exists, column: plan }\n',
      );
      expect(
        (await invoke('dataset.validate', { dataset: 'churn@1', expectations: 'suite.yaml' })).passed,
      ).toBe(true);
      const absent = await failure(invoke('dataset.validate', { dataset: 'churn@1' }));
      expect(absent).toBeInstanceOf(InvalidError);
      expect(absent.details.field).toBe('inputs.expectations');
      const unknown = await failure(
        invoke('dataset.validate', {
          dataset: 'churn@1',
          expectations: [{ type: 'sparkles', column: 'plan' }],
        }),
      );
      expect(unknown.code).toBe('INVALID_SUITE');
      expect(unknown.details.field).toBe('inputs.expectations[0].type');
      expect(unknown.message).toMatch(
        /^inputs\.expectations: expectations\[0\]\.type: unknown expectation type/,
      );
    });
  });

  describe('bad inputs name the field', () => {
    it.each<[string, BuiltinInvocation['kind'], Record<string, JsonValue>, string, string]>([
      [
        'a number for a string',
        'dataset.push',
        { name: 7, file: 'data/customers.csv' },
        'INVALID_ARGUMENT',
        'inputs.name',
      ],
      [
        'a missing file',
        'dataset.push',
        { name: 'churn', file: 'data/nope.csv' },
        'INVALID_ARGUMENT',
        'inputs.file',
      ],
      [
        'an unknown extension',
        'dataset.push',
        { name: 'churn', file: 'data/notes.txt' },
        'INVALID_ARGUMENT',
        'inputs.file',
      ],
      [
        'a bad dataset name',
        'dataset.push',
        { name: 'Bad Name!', file: 'data/customers.csv' },
        'INVALID_ARGUMENT',
        'inputs.name',
      ],
      [
        'an undeclared input',
        'dataset.push',
        { name: 'churn', file: 'x.csv', fil: 'y' },
        'INVALID_ARGUMENT',
        'inputs.fil',
      ],
      [
        'a fractional trial count',
        'train',
        { dataset: 'churn@1', target: 'churned', trials: 2.5 },
        'INVALID_ARGUMENT',
        'inputs.trials',
      ],
      [
        'an unknown metric',
        'train',
        { dataset: 'churn@1', target: 'churned', metric: 'vibes' },
        'INVALID_ARGUMENT',
        'inputs.metric',
      ],
      [
        'an unknown target',
        'train',
        { dataset: 'churn@1', target: 'nope' },
        'INVALID_TRAINING_DATA',
        'inputs.target',
      ],
      [
        'a list for a reference',
        'model.evaluate',
        { model: ['churn@1'], dataset: 'churn@1', target: 'churned' },
        'INVALID_ARGUMENT',
        'inputs.model',
      ],
      [
        'an object for routes',
        'deployment.update',
        { deployment: 'api', routes: { model: 'churn@1' } },
        'INVALID_ARGUMENT',
        'inputs.routes',
      ],
      [
        'a route without a model',
        'deployment.update',
        { deployment: 'api', routes: [{ weight: 100 }] },
        'INVALID_ARGUMENT',
        'inputs.routes[0].model',
      ],
    ])('%s', async (_name, kind, inputs, code, field) => {
      const error = await failure(invoke(kind, inputs));
      expect(error).toBeInstanceOf(InvalidError);
      expect(error.code).toBe(code);
      expect(error.details.field).toBe(field);
      expect(error.message).toContain(field);
    });

    it.each<[string, BuiltinInvocation['kind'], Record<string, JsonValue>, string, string]>([
      [
        'an unknown dataset',
        'dataset.validate',
        { dataset: 'ghost@1', expectations: [{ type: 'column_exists', column: 'a' }] },
        'DATASET_NOT_FOUND',
        'inputs.dataset',
      ],
      [
        'an unknown dataset version',
        'train',
        { dataset: 'churn@9', target: 'churned' },
        'DATASET_VERSION_NOT_FOUND',
        'inputs.dataset',
      ],
      [
        'an unknown model',
        'model.alias',
        { model: 'ghost@1', alias: 'champion' },
        'MODEL_NOT_FOUND',
        'inputs.model',
      ],
      [
        'an unknown run',
        'model.register',
        { name: 'churn', run: 'no-such-run' },
        'RUN_NOT_FOUND',
        'inputs.run',
      ],
    ])('%s', async (_name, kind, inputs, code, field) => {
      const error = await failure(invoke(kind, inputs));
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.code).toBe(code);
      expect(error.details.field).toBe(field);
    });
  });

  describe('training, evaluation, registry and deployment', () => {
    let trained: BuiltinOutputs;

    beforeAll(async () => {
      trained = await invoke('train', { dataset: 'churn@1', ...TRAIN_INPUTS }, { step: 'train' });
    });

    it('trains an AutoML job and registers its model under the dataset name', async () => {
      expect(trained.model).toBe('churn@1');
      expect(typeof trained.run).toBe('string');
      const metrics = trained.metrics as Record<string, number>;
      expect(metrics.roc_auc).toBeGreaterThan(0.5);
      expect(metrics.accuracy).toBeGreaterThan(0.5);
      expect(logs.some((line) => /^trials \d+\/3 done/.test(line))).toBe(true);
      const version = await platform.registry.versions.resolve('churn@1');
      expect(version.run).toBe(trained.run);
      expect(version.classes).toEqual(['left', 'stayed']);
    });

    it('evaluates the model on the dataset and logs the metrics to the pipeline run', async () => {
      const outputs = await invoke(
        'model.evaluate',
        { model: 'churn@latest', dataset: 'churn@1', target: 'churned' },
        { step: 'evaluate' },
      );
      const metrics = outputs.metrics as Record<string, number>;
      for (const key of ['roc_auc', 'accuracy', 'log_loss', 'f1', 'precision', 'recall']) {
        expect(metrics[key], key).toEqual(expect.any(Number));
      }
      for (const key of ['roc_auc', 'accuracy', 'f1', 'precision', 'recall']) {
        expect(metrics[key]!, key).toBeGreaterThanOrEqual(0);
        expect(metrics[key]!, key).toBeLessThanOrEqual(1);
      }
      expect(outputs.auc).toBe(metrics.roc_auc);
      expect(outputs.accuracy).toBe(metrics.accuracy);
      // Trained on most of these rows: well above chance.
      expect(outputs.auc).toBeGreaterThan(0.7);
      const run = await platform.tracking.runs.get(pipelineRun);
      expect(run.metrics['evaluate/roc_auc']?.value).toBeCloseTo(outputs.auc as number, 10);
    });

    it('evaluates in batches over more rows than one page', async () => {
      const { dataset } = await invoke('dataset.push', { name: 'churn-big', file: 'data/big.csv' });
      expect(dataset).toBe('churn-big@1');
      const outputs = await invoke('model.evaluate', {
        model: 'churn@1',
        dataset: dataset ?? null,
        target: 'churned',
      });
      expect(outputs.auc).toBeGreaterThan(0.7);
      expect(logs).toContain(
        `churn@1 on 3000 rows of churn-big@1: ${Object.entries(outputs.metrics as Record<string, number>)
          .map(([key, value]) => `${key} ${value.toPrecision(4)}`)
          .join(', ')}`,
      );
    });

    it('refuses to evaluate on a dataset without the target or the features', async () => {
      const target = await failure(
        invoke('model.evaluate', { model: 'churn@1', dataset: 'churn@1', target: 'nope' }),
      );
      expect(target.details.field).toBe('inputs.target');
      await writeFile(join(workDir, 'data', 'other.csv'), 'tenure,churned\n1,left\n2,stayed\n');
      const { dataset } = await invoke('dataset.push', { name: 'other', file: 'data/other.csv' });
      const features = await failure(
        invoke('model.evaluate', { model: 'churn@1', dataset: dataset ?? null, target: 'churned' }),
      );
      expect(features.details.field).toBe('inputs.dataset');
      expect(features.message).toMatch(/lacks the column\(s\) churn@1 reads: monthly, plan/);
    });

    it('registers a run artifact as a new version, keeping the AutoML feature metadata', async () => {
      const outputs = await invoke('model.register', {
        name: 'churn-registered',
        run: trained.run as string,
      });
      expect(outputs).toEqual({ model: 'churn-registered@1' });
      const version = await platform.registry.versions.resolve('churn-registered@1');
      const original = await platform.registry.versions.resolve('churn@1');
      expect(version.digest).toBe(original.digest);
      expect(version.features).toEqual(original.features);
      expect(version.classes).toEqual(['left', 'stayed']);
      expect(version.tags['slipway.pipeline.run']).toBe(pipelineRun);
      const evaluated = await invoke('model.evaluate', {
        model: 'churn-registered@1',
        dataset: 'churn@1',
        target: 'churned',
      });
      expect(evaluated.auc).toBe(
        (await invoke('model.evaluate', { model: 'churn@1', dataset: 'churn@1', target: 'churned' })).auc,
      );
      const missing = await failure(
        invoke('model.register', { name: 'churn', run: trained.run as string, path: 'model/nope.onnx' }),
      );
      expect(missing.code).toBe('ARTIFACT_NOT_FOUND');
      expect(missing.details.field).toBe('inputs.path');
    });

    it('sets an alias, and surfaces the approval policy refusing an unapproved version', async () => {
      expect(await invoke('model.alias', { model: 'churn@1', alias: 'staging' })).toEqual({
        model: 'churn@1',
      });
      expect((await platform.registry.aliases.get('churn', 'staging')).version).toBe(1);
      await platform.registry.models.setPolicy(ctx, 'churn', { requireApprovalFor: ['champion'] });
      const refused = await failure(invoke('model.alias', { model: 'churn@staging', alias: 'champion' }));
      expect(refused).toBeInstanceOf(ConflictError);
      expect(refused.code).toBe('APPROVAL_REQUIRED');
      await platform.registry.approvals.approve(ctx, 'churn@1');
      expect(await invoke('model.alias', { model: 'churn@staging', alias: 'champion' })).toEqual({
        model: 'churn@1',
      });
      const bad = await failure(invoke('model.alias', { model: 'churn@1', alias: 'latest' }));
      expect(bad.details.field).toBe('inputs.alias');
    });

    it('creates a deployment, then updates its routes as a new revision', async () => {
      const routes = [{ model: 'churn@champion', weight: 100 }];
      expect(await invoke('deployment.update', { deployment: 'churn-api', routes })).toEqual({ revision: 1 });
      expect(
        await invoke('deployment.update', {
          deployment: 'churn-api',
          routes: [{ model: 'churn@champion', weight: 90 }, { model: 'churn-registered@1' }],
        }),
      ).toEqual({ revision: 2 });
      const deployment = await platform.serving.deployments.get('churn-api');
      expect(deployment.routes.map((route) => [route.model, route.version, route.weight])).toEqual([
        ['churn', 1, 90],
        ['churn-registered', 1, 10],
      ]);
      const weights = await failure(
        invoke('deployment.update', { deployment: 'churn-api', routes: [{ model: 'churn@1', weight: 50 }] }),
      );
      expect(weights.details.field).toBe('inputs.routes');
      expect((await platform.serving.deployments.get('churn-api')).revision).toBe(2);
    });
  });

  it('cancels the AutoML job when the signal aborts during train', async () => {
    const controller = new AbortController();
    const running = invoke(
      'train',
      {
        dataset: 'churn-big@1',
        target: 'churned',
        trials: 200,
        timeBudgetSeconds: 600,
        register: 'cancelled',
      },
      { signal: controller.signal },
    );
    // Abort once the job is under way.
    for (;;) {
      const jobs = await platform.training.automl.list({ status: 'running' });
      if (jobs.items.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    controller.abort(new Error('pipeline run cancelled'));
    await expect(running).rejects.toThrow('pipeline run cancelled');
    const [job] = (await platform.training.automl.list({})).items;
    expect(job?.spec.register).toBe('cancelled');
    expect(job?.status).toBe('cancelled');
    expect((await platform.tracking.runs.get(job!.run)).status).toBe('killed');
  });
});
