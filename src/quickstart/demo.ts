/**
 * The quickstart's demo: a churn table pushed as a dataset version, a model trained on it by
 * AutoML (each trial a child run, the best refit, registered with its card and lineage), then read
 * back through the API (run search, compare, a verified model download) so every step is proven,
 * not assumed, then made champion and served by the deployment `churn`.
 */
import { createHash } from 'node:crypto';
import type { Slipway } from '../client/slipway.js';
import { ConflictError } from '../core/errors.js';
import type { AutomlJob } from '../training/index.js';
import { MODEL_ARTIFACT } from '../training/index.js';
import { CHURN_TARGET, churnRows } from './churn-data.js';
import { crownChampion, DEMO_MODEL, pushDemoData } from './registry-demo.js';
import { deployAndServe } from './serving-demo.js';

export const DEMO_EXPERIMENT = 'demo';
const DEMO_ROWS = 4000;
const DEMO_TRIALS = 12;

export interface DemoResult {
  readonly experiment: string;
  readonly automlJob: string;
  /** The AutoML run; the trials are its child runs. */
  readonly automlRunId: string;
  readonly trialRunIds: readonly string[];
  readonly bestRunId: string;
  /** Cross-validated ROC AUC of the best trial, and the refit model's holdout accuracy. */
  readonly bestScore: number;
  readonly holdoutAccuracy: number;
  /** The registered model version, e.g. `churn@1`. */
  readonly model: string;
  /** The dataset version it was trained on, e.g. `churn-train@1`. */
  readonly dataset: string;
  /** The deployment serving the champion. */
  readonly deployment: string;
}

export async function runDemo(sw: Slipway, say: (line: string) => void): Promise<DemoResult> {
  await sw.experiments
    .create({
      name: DEMO_EXPERIMENT,
      description: 'Quickstart: AutoML for a churn classifier',
      tags: { source: 'quickstart' },
    })
    .catch((error: unknown) => {
      if (!(error instanceof ConflictError)) throw error;
    });
  say(`experiment '${DEMO_EXPERIMENT}' ready`);
  const dataset = await pushDemoData(sw, churnRows(DEMO_ROWS, 7), say);

  let reported = -1;
  const job = await sw.automl.train(
    {
      dataset,
      target: CHURN_TARGET,
      experiment: DEMO_EXPERIMENT,
      register: DEMO_MODEL,
      // Ranked by AUC so the demo's search and leaderboard read alike; the default is log loss.
      metric: 'roc_auc',
      maxTrials: DEMO_TRIALS,
      timeBudgetSeconds: 300,
    },
    {
      intervalMs: 250,
      onProgress: (running) => {
        if (running.progress.trialsDone === reported) return;
        reported = running.progress.trialsDone;
        say(`AutoML: ${reported}/${running.progress.trialsPlanned} trials done`);
      },
    },
  );
  const result = succeeded(job);
  const best = result.best;
  say(
    `AutoML job ${job.id}: ${job.progress.trialsDone} trials; best ${best.family} (CV roc_auc ${best.score.toFixed(3)} ± ${best.std.toFixed(3)}), holdout accuracy ${result.holdout.metrics.accuracy?.toFixed(3)}; registered ${result.modelVersion}`,
  );

  // Read everything back through the API, as a user would.
  const ranked = await sw.runs.search({
    experiments: [DEMO_EXPERIMENT],
    filter: `parent_run_id = '${job.run}' and status = 'finished'`,
    orderBy: ['metrics.cv/roc_auc desc'],
  });
  if (
    ranked.items.length !== result.leaderboard.length ||
    ranked.items[0]?.metrics['cv/roc_auc']?.value !== best.score
  ) {
    throw new Error('run search did not rank the trials as the AutoML leaderboard does');
  }
  const trialRunIds = ranked.items.map((run) => run.id);
  const comparison = await sw.runs.compare(trialRunIds.slice(0, 3));
  if (!comparison.metrics.some((row) => row.key === 'cv/roc_auc')) {
    throw new Error('compare did not show the trials side by side');
  }
  const version = await sw.models.version(result.modelVersion!);
  const model = await sw.artifacts.bytes(job.run, MODEL_ARTIFACT);
  if (createHash('sha256').update(model).digest('hex') !== version.digest) {
    throw new Error(`the downloaded model does not match ${result.modelVersion}`);
  }
  say('read back: run search, compare and a verified model download agree with the leaderboard');
  await crownChampion(sw, result.modelVersion!, dataset, say);
  const deployment = await deployAndServe(sw, result.modelVersion!, say);

  return {
    experiment: DEMO_EXPERIMENT,
    automlJob: job.id,
    automlRunId: job.run,
    trialRunIds,
    bestRunId: best.run!,
    bestScore: best.score,
    holdoutAccuracy: result.holdout.metrics.accuracy ?? Number.NaN,
    model: result.modelVersion!,
    dataset,
    deployment,
  };
}

function succeeded(job: AutomlJob): NonNullable<AutomlJob['result']> {
  if (job.status !== 'succeeded' || job.result?.modelVersion === undefined) {
    throw new Error(`AutoML job ${job.id} ${job.status}: ${job.error?.message ?? 'no model was registered'}`);
  }
  return job.result;
}
