/**
 * `slipway train` and `slipway automl list|show|cancel` in-process against a real server: the
 * leaderboard and registered version on stdout, progress on stderr, --json, usage errors (exit 2),
 * server-side rejections and failed jobs (exit 1), and a YAML search space.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AutomlJob, Page } from '../../src/client/index.js';
import { seededRandom } from '../../src/training/random.js';
import { BACKENDS } from '../support/backends.js';
import { cliSuite } from '../support/cli-suite.js';

/** Subscribers with missing values; the target is a string label. */
function subscribersCsv(count: number, seed: number, constant = false): Buffer {
  const random = seededRandom(seed);
  const plans = ['basic', 'family', 'premium'];
  const lines = [`minutes,devices,plan,${constant ? 'one,' : ''}renewed`];
  for (let i = 0; i < count; i++) {
    const minutes = Math.round(random() * 3000);
    const devices = 1 + Math.floor(random() * 5);
    const plan = plans[Math.floor(random() * plans.length)]!;
    const score = minutes / 1000 + devices / 2 - (plan === 'basic' ? 1 : 0) + random() * 2 - 1;
    lines.push(
      [
        random() < 0.1 ? '' : minutes,
        devices,
        random() < 0.1 ? '' : plan,
        ...(constant ? [1] : []),
        score > 1.5 ? 'renewed' : 'lapsed',
      ].join(','),
    );
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

const SMALL_SPACE_YAML = `# small and quick
gbdt:
  iterations: { type: int, min: 10, max: 30 }
  maxLeaves: { type: choice, values: [4, 8] }
logistic:
  l2: { type: float, min: 0.001, max: 1, log: true }
`;

const GBDT_ONLY_YAML = `gbdt:
  iterations:
    type: int
    min: 10
    max: 20
  learningRate:
    type: choice
    values: [0.1, 0.2]
`;

describe.each(BACKENDS)('slipway train and slipway automl on %s', (backend) => {
  const suite = cliSuite({
    workPrefix: 'slipway-automl-cli-',
    backend,
    prepare: async ({ server, work }) => {
      await server.sw.datasets.push('subs', subscribersCsv(400, 5), { format: 'csv' });
      await server.sw.datasets.push('constant', subscribersCsv(300, 6, true), { format: 'csv' });
      await writeFile(join(work, 'small.yaml'), SMALL_SPACE_YAML);
      await writeFile(join(work, 'gbdt.yaml'), GBDT_ONLY_YAML);
      await writeFile(join(work, 'broken.yaml'), 'gbdt: [unclosed\n');
    },
  });
  const { run } = suite;
  const quick = ['--time-budget', '60s', '--folds', '3', '--parallelism', '2'];
  /** `slipway train` on the subscribers table, predicting `renewed`, with more flags. */
  const train = (...flags: string[]) => run('train', '--dataset', 'subs@1', '--target', 'renewed', ...flags);
  let trained: AutomlJob;

  it('trains, prints the leaderboard and the registered version, and reports progress on stderr', async () => {
    const result = await train(
      '--register',
      'renewal',
      '--metric',
      'roc_auc',
      '--trials',
      '6',
      '--search-space',
      'small.yaml',
      ...quick,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/AutoML job \S+/);
    expect(result.stdout).toMatch(/status\s+succeeded/);
    expect(result.stdout).toMatch(/model\s+renewal@1/);
    expect(result.stdout).toContain('Leaderboard (CV roc_auc, best first):');
    expect(result.stdout).toMatch(/RANK\s+TRIAL\s+FAMILY\s+SCORE\s+STD\s+PARAMS\s+RUN/);
    expect(result.stdout).toMatch(/Holdout \(\d+ rows\):/);
    expect(result.stdout).toContain('Confusion matrix');
    expect(result.stderr).toMatch(/AutoML job \S+ started \(run \S+\); classification, metric roc_auc/);
    expect(result.stderr).toMatch(/^(queued|running): \d+\/6 trials/m);

    const page = (await suite.server.sw.automl.list()) as Page<AutomlJob>;
    expect(page.items).toHaveLength(1);
    trained = page.items[0]!;
    expect(trained).toMatchObject({ status: 'succeeded', result: { modelVersion: 'renewal@1' } });
    expect(result.stdout).toContain(trained.id);
    for (const entry of trained.result!.leaderboard) expect(result.stdout).toContain(entry.run!);
    expect((await suite.server.sw.models.version('renewal@1')).classes).toEqual(['lapsed', 'renewed']);
  });

  it('prints the job as JSON with --json', async () => {
    const result = await run(
      '--json',
      'train',
      '--dataset',
      'subs',
      '--target',
      'renewed',
      '--trials',
      '2',
      '--metric',
      'accuracy',
      '--seed',
      '3',
      '--holdout',
      '0.25',
      '--search-space',
      'small.yaml',
      ...quick,
    );
    expect(result.code, result.stderr).toBe(0);
    const job = result.json<AutomlJob>();
    expect(job).toMatchObject({
      status: 'succeeded',
      dataset: 'subs@1',
      metric: 'accuracy',
      spec: { options: { maxTrials: 2, seed: 3, holdoutFraction: 0.25, timeBudgetMs: 60_000, folds: 3 } },
    });
    expect(job.result!.leaderboard, JSON.stringify(job.progress)).toHaveLength(2);
    expect(job.result!.modelVersion).toBeUndefined();
  });

  it('uses a YAML search space with only the families it names', async () => {
    const result = await run(
      '--json',
      'train',
      '--dataset',
      'subs@1',
      '--target',
      'renewed',
      '--strategy',
      'grid',
      '--trials',
      '10',
      '--search-space',
      'gbdt.yaml',
      ...quick,
    );
    expect(result.code, result.stderr).toBe(0);
    const job = result.json<AutomlJob>();
    expect(Object.keys(job.spec.options.searchSpace)).toEqual(['gbdt']);
    expect(job.spec.options.searchSpace).toEqual({
      gbdt: {
        iterations: { type: 'int', min: 10, max: 20 },
        learningRate: { type: 'choice', values: [0.1, 0.2] },
      },
    });
    expect(job.result!.leaderboard.every((entry) => entry.family === 'gbdt')).toBe(true);
    expect(job.result!.stoppedBy).toBe('exhausted');
  });

  it('exits 2 on usage errors without starting a job', async () => {
    const before = (await suite.server.sw.automl.list({ limit: 100 })).items.length;
    const budget = await train('--time-budget', 'abc');
    expect(budget.code).toBe(2);
    expect(budget.stderr).toContain("--time-budget expects a duration such as 120s, 5m or 1h, got 'abc'");
    const task = await train('--task', 'nope');
    expect(task.code).toBe(2);
    expect(task.stderr).toContain("--task must be one of classification, regression, got 'nope'");
    const missing = await run('train', '--dataset', 'subs@1');
    expect(missing.code).toBe(2);
    const noFile = await train('--search-space', 'none.yaml');
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain("cannot read search space 'none.yaml'");
    const broken = await train('--search-space', 'broken.yaml');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain("search space 'broken.yaml' does not parse");
    const status = await run('automl', 'list', '--status', 'nope');
    expect(status.code).toBe(2);
    expect((await suite.server.sw.automl.list({ limit: 100 })).items).toHaveLength(before);
  });

  it('exits 1 with the server error when the input is rejected or the job fails', async () => {
    const before = (await suite.server.sw.automl.list({ limit: 100 })).items.length;
    const target = await run('train', '--dataset', 'subs@1', '--target', 'nope', ...quick);
    expect(target.code).toBe(1);
    expect(target.stderr).toContain('[INVALID_TRAINING_DATA]');
    expect(target.stderr).toContain("target 'nope' is not a column of subs@1");
    const space = await train('--search-space', 'gbdt.yaml', '--task', 'regression');
    expect(space.code).toBe(1);
    expect(space.stderr).toContain('[INVALID_TRAINING_DATA]');
    expect((await suite.server.sw.automl.list({ limit: 100 })).items).toHaveLength(before);

    // Every trial fails: a constant column encodes to an all-zero column, and without an L2 penalty
    // the ridge's normal equations are singular; the job fails and so does the command.
    await writeFile(
      join(suite.work, 'failing.yaml'),
      'ridge:\n  l2: { type: choice, values: [0] }\n  solver: { type: choice, values: [cholesky] }\n',
    );
    const failed = await run(
      'train',
      '--dataset',
      'constant@1',
      '--target',
      'minutes',
      '--task',
      'regression',
      '--exclude',
      'renewed',
      '--search-space',
      'failing.yaml',
      ...quick,
    );
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/status\s+failed/);
    expect(failed.stderr).toMatch(
      /AutoML job \S+ failed: all 1 trials failed; the first error: .*positive definite/,
    );
  });

  it('lists, shows and cancels jobs', async () => {
    const list = await run('automl', 'list');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/ID\s+STATUS\s+DATASET\s+TARGET\s+METRIC\s+TRIALS\s+BEST\s+MODEL/);
    expect(list.stdout).toContain(trained.id);
    expect(list.stdout).toContain('renewal@1');
    const failedOnly = await run('-q', 'automl', 'list', '--status', 'failed');
    expect(failedOnly.stdout.trim().split('\n')).toHaveLength(1);
    const json = await run('--json', 'automl', 'list', '--status', 'succeeded', '--limit', '1');
    const page = json.json<Page<AutomlJob>>();
    expect(page.items).toHaveLength(1);
    expect(page.items[0]!.status).toBe('succeeded');
    expect(page.nextPageToken).toBeDefined();

    const shown = await run('automl', 'show', trained.id);
    expect(trained.metric).toBe('roc_auc');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain(`AutoML job ${trained.id}`);
    expect(shown.stdout).toContain('Leaderboard (CV roc_auc, best first):');
    expect(shown.stdout).toMatch(/model\s+renewal@1/);
    const missing = await run('automl', 'show', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('[AUTOML_JOB_NOT_FOUND]');

    const detached = await train(
      '--trials',
      '5000',
      '--time-budget',
      '10m',
      '--parallelism',
      '2',
      '--detach',
    );
    expect(detached.code, detached.stderr).toBe(0);
    const id = detached.stdout.trim();
    expect((await suite.server.sw.automl.get(id)).spec.options.timeBudgetMs).toBe(600_000);
    const cancelled = await run('automl', 'cancel', id);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout.trim()).toBe(`AutoML job ${id} is cancelled`);
    const job = await suite.server.sw.automl.get(id);
    expect(job.status).toBe('cancelled');
    expect((await suite.server.sw.runs.get(job.run)).status).toBe('killed');
    const again = await run('--json', 'automl', 'cancel', id);
    expect(again.json<AutomlJob>()).toEqual(job);
    const unknown = await run('automl', 'cancel', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('[AUTOML_JOB_NOT_FOUND]');
  });

  it('shows the rung of each leaderboard entry for successive halving', async () => {
    const result = await train(
      '--strategy',
      'halving',
      '--trials',
      '3',
      '--search-space',
      'small.yaml',
      ...quick,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('best first, highest rung first):');
    expect(result.stdout).toMatch(/RANK\s+TRIAL\s+RUNG\s+FAMILY/);
    const job = (await suite.server.sw.automl.list({ limit: 1 })).items[0]!;
    // Three configurations on the first rung, the best one again with the full budget.
    expect(job.result!.leaderboard.map((entry) => entry.rung)).toEqual([1, 0, 0, 0]);
  });
});
