/**
 * How an AutoML search shows in tracking: the job's run is the parent, each trial a child run with
 * its family and hyperparameters as params and its cross-validated metrics as `cv/<metric>` (mean)
 * and `cv/<metric>_std`, so `runs search` and `runs compare` show the leaderboard.
 */
import type { RequestContext } from '../core/context.js';
import { ConflictError, NotFoundError } from '../core/errors.js';
import type { MetricInput, Tracking } from '../tracking/index.js';
import type { TrialOutcome, TrialPlan } from './automl/index.js';

export async function ensureExperiment(tracking: Tracking, ctx: RequestContext, name: string): Promise<void> {
  try {
    await tracking.experiments.get(name);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    try {
      await tracking.experiments.create(ctx, { name, description: 'AutoML runs and their trials' });
    } catch (raced) {
      // Another start created it first.
      if (!(raced instanceof ConflictError)) throw raced;
    }
  }
}

export async function startTrialRun(
  tracking: Tracking,
  ctx: RequestContext,
  parent: { readonly run: string; readonly experiment: string; readonly job: string },
  plan: TrialPlan,
): Promise<string> {
  const run = await tracking.runs.create(ctx, {
    experiment: parent.experiment,
    parentRunId: parent.run,
    name: `trial-${String(plan.id).padStart(3, '0')}-${plan.family}`,
    params: {
      family: plan.family,
      ...plan.params,
      ...(plan.budgetFraction === undefined ? {} : { budget_fraction: plan.budgetFraction }),
    },
    tags: {
      'slipway.automl.job': parent.job,
      'slipway.automl.trial': String(plan.id),
      ...(plan.rung === undefined ? {} : { 'slipway.automl.rung': String(plan.rung) }),
    },
  });
  return run.id;
}

export async function endTrialRun(
  tracking: Tracking,
  ctx: RequestContext,
  runId: string,
  outcome: TrialOutcome,
): Promise<void> {
  const metrics: MetricInput[] = Object.entries(outcome.metrics).flatMap(([key, summary]) => [
    { key: `cv/${key}`, value: summary.mean },
    { key: `cv/${key}_std`, value: summary.std },
  ]);
  metrics.push({ key: 'duration_s', value: outcome.durationMs / 1000 });
  await tracking.metrics.logBatch(ctx, runId, { metrics });
  if (outcome.error !== undefined)
    await tracking.runs.setTags(ctx, runId, { 'slipway.automl.error': outcome.error.slice(0, 5000) });
  await tracking.runs.update(ctx, runId, { status: outcome.status === 'succeeded' ? 'finished' : 'failed' });
}

/**
 * Ends the trial runs still running under the AutoML run: those a stopped server left behind, and
 * any a cancel or a failure left open (e.g. a hook that failed between a trial's start and end).
 */
export async function endTrialRuns(
  tracking: Tracking,
  ctx: RequestContext,
  parent: { readonly run: string; readonly experiment: string },
  status: 'failed' | 'killed',
  reason: string,
): Promise<void> {
  for (;;) {
    // Each ended run leaves the 'running' listing, so the first page is always what is left.
    const page = await tracking.runs.list({
      experiment: parent.experiment,
      parentRunId: parent.run,
      status: 'running',
    });
    for (const run of page.items) {
      await tracking.runs.setTags(ctx, run.id, { 'slipway.automl.error': reason.slice(0, 5000) });
      await tracking.runs.update(ctx, run.id, { status });
    }
    if (page.nextPageToken === undefined) return;
  }
}
