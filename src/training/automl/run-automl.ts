/**
 * The search: hold out rows, cross-validate the planned trials on worker threads (round by round for
 * successive halving), pick the best, refit it on every non-holdout row, score it on the holdout and
 * export it to ONNX.
 */
import type { Table, Target } from '../table.js';
import { takeRows, takeTarget } from '../table.js';
import { describeFeatures, evaluateHoldout } from './evaluation.js';
import { holdoutSplit, kFolds } from './folds.js';
import { checkTrainingData } from './preflight.js';
import { compareOutcomes, createPlanner } from './strategies.js';
import type {
  AutomlHooks,
  AutomlOptions,
  AutomlProgress,
  AutomlResult,
  TrialOutcome,
  TrialPlan,
} from './types.js';
import { PoolClosedError, TrialPool, type WorkerReply } from './worker-pool.js';

type Stop = 'time' | 'abort';

function outcomeOf(plan: TrialPlan, reply: WorkerReply, metric: string): TrialOutcome {
  if ('metrics' in reply) {
    const score = reply.metrics[metric]?.mean;
    return { ...plan, status: 'succeeded', score, metrics: reply.metrics, durationMs: reply.durationMs };
  }
  const error = 'error' in reply ? reply.error : 'a trial worker answered a trial with a refit';
  return { ...plan, status: 'failed', metrics: {}, error, durationMs: reply.durationMs };
}

/** A finished outcome is reused only for the very same plan (guards against changed options). */
function samePlan(outcome: TrialOutcome, plan: TrialPlan): boolean {
  return (
    outcome.family === plan.family &&
    outcome.budgetFraction === plan.budgetFraction &&
    JSON.stringify(outcome.params) === JSON.stringify(plan.params)
  );
}

export async function runAutoml(
  table: Table,
  target: Target,
  options: AutomlOptions,
  hooks: AutomlHooks = {},
): Promise<AutomlResult> {
  const { signal } = hooks;
  signal?.throwIfAborted();
  checkTrainingData(table, target, options);
  const started = performance.now();
  const split = holdoutSplit(target, options.holdoutFraction, options.seed);
  const trainTable = takeRows(table, split.train);
  const trainTarget = takeTarget(target, split.train);
  const folds = kFolds(trainTarget, options.folds, options.seed);

  const outcomes = new Map<number, TrialOutcome>();
  const planner = createPlanner(options);
  let planned = 0;
  let stop: Stop | undefined;
  const workerData = { table: trainTable, target: trainTarget, folds, seed: options.seed };
  let pool = new TrialPool(workerData, options.parallelism);
  const halt = (reason: Stop) => {
    stop ??= reason;
    void pool.close();
  };
  const timer = setTimeout(
    () => halt('time'),
    Math.max(0, options.timeBudgetMs - (performance.now() - started)),
  );
  const onAbort = () => halt('abort');
  signal?.addEventListener('abort', onAbort, { once: true });

  const progress = (): AutomlProgress => {
    const done = [...outcomes.values()];
    const best = done
      .filter((o) => o.status === 'succeeded')
      .sort((a, b) => compareOutcomes(options, a, b))[0];
    return {
      trialsDone: done.length,
      trialsFailed: done.filter((o) => o.status === 'failed').length,
      trialsPlanned: planned,
      elapsedMs: performance.now() - started,
      timeBudgetMs: options.timeBudgetMs,
      best: best && { trial: best.id, family: best.family, score: best.score! },
    };
  };

  // A trial the time budget or an abort cut short still ends (as failed), so every onTrialStart is
  // matched by one onTrialEnd and a caller never keeps a trial open.
  const dropped = (plan: TrialPlan, durationMs: number): TrialOutcome => ({
    ...plan,
    status: 'failed',
    metrics: {},
    error:
      stop === 'time'
        ? `stopped unfinished: the time budget of ${options.timeBudgetMs} ms ran out`
        : 'stopped unfinished: the search was aborted',
    durationMs,
  });
  const runTrial = async (plan: TrialPlan): Promise<TrialOutcome> => {
    const dispatched = performance.now();
    try {
      return outcomeOf(plan, await pool.run(plan), options.metric);
    } catch (error) {
      if (error instanceof PoolClosedError) return dropped(plan, performance.now() - dispatched);
      throw error;
    }
  };

  // One lane per worker: each takes the next plan, announces it, runs it and reports it.
  const runRound = async (plans: TrialPlan[]) => {
    const queue = [...plans];
    const lane = async () => {
      for (let plan = queue.shift(); plan !== undefined && stop === undefined; plan = queue.shift()) {
        const reused = hooks.finished?.get(plan.id);
        if (reused !== undefined && samePlan(reused, plan)) {
          outcomes.set(plan.id, reused);
          continue;
        }
        await hooks.onTrialStart?.(plan);
        const outcome = stop === undefined ? await runTrial(plan) : dropped(plan, 0);
        outcomes.set(plan.id, outcome);
        await hooks.onTrialEnd?.(outcome, progress());
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.parallelism, plans.length) }, lane));
  };

  try {
    for (let round = planner.next([]); round.length > 0 && stop === undefined; ) {
      planned += round.length;
      await runRound(round);
      if (stop !== undefined) break;
      round = planner.next(round.map((plan) => outcomes.get(plan.id)!));
    }
    clearTimeout(timer); // the budget bounds the search, not the refit
    if (stop === 'abort') throw signal!.reason;

    const trials = [...outcomes.values()].sort((a, b) => a.id - b.id);
    const leaderboard = trials
      .filter((o) => o.status === 'succeeded')
      .sort((a, b) => compareOutcomes(options, a, b));
    const best = leaderboard[0];
    if (best === undefined) {
      const firstError = trials.find((o) => o.error !== undefined)?.error;
      throw new Error(
        trials.length === 0
          ? `no trial finished within the time budget of ${options.timeBudgetMs} ms`
          : `all ${trials.length} trials failed; the first error: ${firstError}`,
      );
    }

    // The refit runs on a worker too, so a long fit never blocks the caller's event loop; the time
    // budget closed the search's pool with its running trials, so it then takes a fresh worker.
    if (stop === 'time') pool = new TrialPool(workerData, 1);
    const holdoutTarget = takeTarget(target, split.holdout);
    const refit = await pool.refit(best, takeRows(table, split.holdout));
    return {
      options,
      trials,
      leaderboard,
      best,
      trainRows: trainTable.rows,
      holdout: evaluateHoldout(refit.predictions, holdoutTarget),
      onnx: refit.onnx,
      features: describeFeatures(trainTable),
      ...(target.kind === 'classification' ? { classes: [...target.classes] } : {}),
      stoppedBy: stop === 'time' ? 'time' : planner.exhausted ? 'exhausted' : 'trials',
    };
  } catch (error) {
    // An abort during the refit closes its pool; the caller sees the abort's reason, as documented.
    if (error instanceof PoolClosedError && signal?.aborted) throw signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    await pool.close();
  }
}
