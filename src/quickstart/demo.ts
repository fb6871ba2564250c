/**
 * The quickstart's demo: the churn-lifecycle example pipeline applied and run through the SDK —
 * synthetic data pushed and validated, a model trained by AutoML (each trial a child run, the best
 * refit and registered), evaluated on a holdout, gated, made champion and deployed — then read back
 * through the API (run search, compare, a verified model download, lineage) so every step is proven,
 * not assumed, and finally sent traffic.
 */
import { createHash } from 'node:crypto';
import type { Slipway } from '../client/slipway.js';
import type { JsonValue, PipelineRunInfo } from '../pipelines/index.js';
import { MODEL_ARTIFACT } from '../training/index.js';
import { LIFECYCLE_PIPELINE, lifecycleExampleFile } from './lifecycle-example.js';
import { formatMs, stepProgress } from './pipeline-progress.js';
import { checkChampion } from './registry-demo.js';
import { sendTraffic } from './serving-demo.js';

export interface DemoReporter {
  /** A step of the demo that succeeded. */
  say(line: string): void;
  /** A pipeline step changing state. */
  progress(line: string): void;
}

export interface DemoResult {
  readonly pipeline: string;
  readonly pipelineVersion: number;
  /** The example's file, as applied. */
  readonly pipelineFile: string;
  readonly pipelineRun: string;
  /** The tracking run recording the pipeline run's params, step metrics and lineage. */
  readonly trackingRun: string;
  /** The experiment AutoML put its runs in. */
  readonly experiment: string;
  readonly automlJob: string;
  /** The AutoML run; the trials are its child runs. */
  readonly automlRunId: string;
  readonly trialRunIds: readonly string[];
  /** Cross-validated ROC AUC of the best trial, and the model's ROC AUC on the holdout. */
  readonly bestScore: number;
  readonly holdoutAuc: number;
  /** The registered model version, e.g. `churn@1`. */
  readonly model: string;
  /** The dataset versions it was trained and evaluated on, e.g. `churn-train@1`. */
  readonly dataset: string;
  readonly holdout: string;
  /** The deployment serving the champion, and its revision. */
  readonly deployment: string;
  readonly deploymentRevision: number;
}

export async function runDemo(sw: Slipway, report: DemoReporter): Promise<DemoResult> {
  const { say } = report;
  const file = lifecycleExampleFile();
  const applied = await sw.pipelines.apply(file);
  say(
    `${applied.created ? 'applied' : 'unchanged:'} pipeline ${applied.pipeline.name} version ${applied.version.version} (${applied.version.spec.steps.length} steps) from ${file}`,
  );
  const started = await sw.pipelines.run(LIFECYCLE_PIPELINE, { version: applied.version.version });
  say(`started pipeline run ${started.id}; its steps:`);
  const run = await sw.pipelines.waitForRun(started.id, {
    intervalMs: 250,
    onUpdate: stepProgress(report.progress),
  });
  if (run.status !== 'succeeded') throw new Error(failureOf(run));
  const took = Date.parse(run.finishedAt ?? run.updatedAt) - Date.parse(run.startedAt ?? run.createdAt);
  say(`pipeline run ${run.id} succeeded in ${formatMs(took)}`);

  const dataset = stringOutput(run, 'push', 'dataset');
  const holdout = stringOutput(run, 'push-holdout', 'dataset');
  const model = stringOutput(run, 'train', 'model');
  const automlRun = stringOutput(run, 'train', 'run');
  const holdoutAuc = numberOutput(run, 'evaluate', 'auc');
  const deployment = String(run.params.deployment);
  const deploymentRevision = numberOutput(run, 'deploy', 'revision');

  // Read everything back through the API, as a user would.
  const job = await automlJobOf(sw, automlRun);
  const result = job.result;
  if (job.status !== 'succeeded' || result?.modelVersion !== model) {
    throw new Error(
      `AutoML job ${job.id} is ${job.status} with ${result?.modelVersion ?? 'no model'}, not ${model}`,
    );
  }
  const best = result.best;
  say(
    `AutoML job ${job.id}: ${job.progress.trialsDone} trials; best ${best.family} (CV roc_auc ${best.score.toFixed(3)} ± ${best.std.toFixed(3)}); registered ${model}; holdout ROC AUC ${holdoutAuc.toFixed(3)} on ${holdout}`,
  );
  const experiment = job.spec.experiment;
  const ranked = await sw.runs.search({
    experiments: [experiment],
    filter: `parent_run_id = '${job.run}' and status = 'finished'`,
    orderBy: ['metrics.cv/roc_auc desc'],
  });
  if (
    ranked.items.length !== result.leaderboard.length ||
    ranked.items[0]?.metrics['cv/roc_auc']?.value !== best.score
  ) {
    throw new Error('run search did not rank the trials as the AutoML leaderboard does');
  }
  const trialRunIds = ranked.items.map((trial) => trial.id);
  const comparison = await sw.runs.compare(trialRunIds.slice(0, 3));
  if (!comparison.metrics.some((row) => row.key === 'cv/roc_auc')) {
    throw new Error('compare did not show the trials side by side');
  }
  const version = await sw.models.version(model);
  const bytes = await sw.artifacts.bytes(job.run, MODEL_ARTIFACT);
  if (createHash('sha256').update(bytes).digest('hex') !== version.digest) {
    throw new Error(`the downloaded model does not match ${model}`);
  }
  say('read back: run search, compare and a verified model download agree with the leaderboard');
  await checkChampion(sw, model, dataset, say);
  await sendTraffic(sw, deployment, model, say);

  return {
    pipeline: LIFECYCLE_PIPELINE,
    pipelineVersion: applied.version.version,
    pipelineFile: file,
    pipelineRun: run.id,
    trackingRun: run.run,
    experiment,
    automlJob: job.id,
    automlRunId: job.run,
    trialRunIds,
    bestScore: best.score,
    holdoutAuc,
    model,
    dataset,
    holdout,
    deployment,
    deploymentRevision,
  };
}

/** Why the run did not succeed, and where to look. */
function failureOf(run: PipelineRunInfo): string {
  const failed = (run.steps ?? []).filter((step) => step.status === 'failed');
  const reasons = failed.map((step) => `${step.step}: ${step.error?.code}: ${step.error?.message}`);
  const logs = failed.map((step) => `slipway pipelines logs ${run.id} --step ${step.step}`);
  return [
    `pipeline run ${run.id} ${run.status}${run.error === undefined ? '' : `: ${run.error.message}`}`,
    ...reasons.map((reason) => `  ${reason}`),
    ...(logs.length === 0 ? [] : ['see:', ...logs.map((line) => `  ${line}`)]),
  ].join('\n');
}

function outputOf(run: PipelineRunInfo, step: string, output: string): JsonValue | undefined {
  return run.steps?.find((candidate) => candidate.step === step && candidate.item === undefined)?.outputs?.[
    output
  ];
}

function stringOutput(run: PipelineRunInfo, step: string, output: string): string {
  const value = outputOf(run, step, output);
  if (typeof value !== 'string') throw new Error(`step ${step} of run ${run.id} has no output ${output}`);
  return value;
}

function numberOutput(run: PipelineRunInfo, step: string, output: string): number {
  const value = outputOf(run, step, output);
  if (typeof value !== 'number') throw new Error(`step ${step} of run ${run.id} has no output ${output}`);
  return value;
}

/** The AutoML job behind a tracking run: the train step answers the run, not the job. */
async function automlJobOf(sw: Slipway, run: string) {
  for (let pageToken: string | undefined; ; ) {
    const page = await sw.automl.list({ limit: 100, ...(pageToken === undefined ? {} : { pageToken }) });
    const job = page.items.find((candidate) => candidate.run === run);
    if (job !== undefined) return job;
    pageToken = page.nextPageToken;
    if (pageToken === undefined) throw new Error(`no AutoML job has run ${run}`);
  }
}
