/**
 * The example pipelines under examples/ as a user applies them: python-scoring runs a Python command
 * step whose metrics feed a gate and whose summary becomes an artifact; churn-lifecycle applies (its
 * fn step bundled on its own) and runs end to end — data, AutoML, evaluation, gate, champion, deploy.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { applyFile, startRun, stepLog, stepOf, waitForRun } from './pipeline-files.js';

const example = (name: string) =>
  fileURLToPath(new URL(`../../examples/${name}/pipeline.yaml`, import.meta.url));

describe('example pipelines', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('sqlite');
  });

  afterAll(async () => {
    await server?.close();
  });

  it('python-scoring: a Python step writes metrics and a summary artifact; the gate reads the metrics', async () => {
    expect((await applyFile(server, example('python-scoring'))).status).toBe(201);
    const run = await waitForRun(server, (await startRun(server, 'python-scoring')).id);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    const score = stepOf(run, 'score').outputs!;
    expect(score).toMatchObject({ rows: 12, accuracy: 10 / 12 });
    expect(score.auc).toBeCloseTo(35 / 36, 12);
    expect(stepOf(run, 'gate').outputs).toEqual({ passed: true });
    const summary = await (await server.fetch(`/api/v1/${score.summary as string}`)).json();
    expect(summary).toMatchObject({
      metrics: { rows: 12 },
      confusion: { true_positive: 5, false_positive: 1, true_negative: 5, false_negative: 1 },
    });
    expect(await stepLog(server, run.id, 'score')).toContain('rows 12, auc 0.9722');

    const closed = await waitForRun(
      server,
      (await startRun(server, 'python-scoring', { params: { min_auc: 0.99 } })).id,
    );
    expect(closed.status).toBe('failed');
    expect(stepOf(closed, 'gate').error?.code).toBe('GATE_CLOSED');
    // Only the gate's param changed: the scoring step is reused.
    expect(stepOf(closed, 'score').status).toBe('cached');
  });

  it('churn-lifecycle: applies, and runs from synthetic data to a deployed champion', async () => {
    const applied = await applyFile(server, example('churn-lifecycle'));
    expect(applied.status, JSON.stringify(applied.body)).toBe(201);
    const run = await waitForRun(
      server,
      (await startRun(server, 'churn-lifecycle', { params: { rows: 1500, trials: 4 } })).id,
    );
    expect(run.status, JSON.stringify(run.steps?.map((step) => [step.step, step.status, step.error]))).toBe(
      'succeeded',
    );
    expect(stepOf(run, 'push').outputs).toEqual({ dataset: 'churn-train@1' });
    expect(stepOf(run, 'validate').outputs?.passed).toBe(true);
    expect(stepOf(run, 'train').outputs?.model).toBe('churn@1');
    expect(stepOf(run, 'evaluate').outputs?.auc).toBeGreaterThan(0.7);
    expect(stepOf(run, 'champion').outputs).toEqual({ model: 'churn@1' });
    expect(stepOf(run, 'deploy').outputs).toEqual({ revision: 1 });
    // The generated table is kept with the run.
    const csv = await (
      await server.fetch(`/api/v1/${stepOf(run, 'generate').outputs!.train as string}`)
    ).text();
    expect(csv.split('\n')[0]).toBe('tenure_months,monthly_charges,support_calls,contract,payment,churned');
    const served = await server.sw.deployments.predict('churn', [
      {
        tenure_months: 3,
        monthly_charges: 90,
        support_calls: 4,
        contract: 'month-to-month',
        payment: 'card',
      },
    ]);
    expect(served.modelVersion).toBe('churn@1');
  }, 120_000);
});
