/**
 * Follows an AutoML job until it ends, logging each trial as it finishes. The service keeps no
 * per-job event stream, so this polls `get`; the signal cancels the job (and stops the wait).
 */
import type { RequestContext } from '../../core/context.js';
import { ERROR_CATALOGUE, errorFromWire, type SlipwayError } from '../../core/errors.js';
import type { AutomlJob, Training } from '../../training/index.js';
import { sleep } from './signals.js';

const POLL_MS = 200;

export async function followJob(
  training: Training,
  ctx: RequestContext,
  started: AutomlJob,
  log: (line: string) => void,
  signal: AbortSignal,
): Promise<AutomlJob> {
  let job = started;
  let reported = -1;
  let wasRunning = false;
  try {
    for (;;) {
      if (job.status === 'running' && !wasRunning) {
        wasRunning = true;
        log(`AutoML job ${job.id} running: up to ${job.progress.trialsPlanned} trials, metric ${job.metric}`);
      }
      if (job.progress.trialsDone !== reported) {
        reported = job.progress.trialsDone;
        if (reported > 0) log(progressLine(job));
      }
      if (job.status === 'succeeded') return job;
      if (job.status === 'failed' || job.status === 'cancelled') throw jobFailure(job);
      await sleep(POLL_MS, signal);
      job = await training.automl.get(job.id);
    }
  } catch (error) {
    if (signal.aborted) {
      log(`cancelling AutoML job ${job.id}`);
      await training.automl.cancel(ctx, job.id).catch(() => {});
    }
    throw error;
  }
}

function progressLine(job: AutomlJob): string {
  const { trialsDone, trialsFailed, trialsPlanned, best } = job.progress;
  const failed = trialsFailed > 0 ? ` (${trialsFailed} failed)` : '';
  const score = best === undefined ? '' : `, best ${job.metric} ${formatScore(best.score)} (${best.family})`;
  return `trials ${trialsDone}/${trialsPlanned} done${failed}${score}`;
}

export function formatScore(score: number | null): string {
  return score === null || !Number.isFinite(score) ? 'n/a' : score.toPrecision(4);
}

/** The job's own error, as the class its code belongs to (TRAINING_FAILED, a 500, when it has none). */
function jobFailure(job: AutomlJob): SlipwayError {
  if (job.status === 'cancelled') {
    return errorFromWire(500, 'TRAINING_FAILED', `AutoML job ${job.id} was cancelled before it finished`, {
      job: job.id,
      run: job.run,
    });
  }
  const code = job.error?.code ?? 'TRAINING_FAILED';
  const status = ERROR_CATALOGUE[code]?.status ?? 500;
  return errorFromWire(
    status,
    code,
    `AutoML job ${job.id} failed: ${job.error?.message ?? 'no reason given'}`,
    {
      job: job.id,
      run: job.run,
    },
  );
}
