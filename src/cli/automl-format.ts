/** Human output of AutoML jobs: the progress line, and a job with its leaderboard and holdout. */
import type { AutomlJob } from '../training/index.js';
import { fieldBlock, formatDuration, formatNumber, formatTime, table } from './format.js';

/** Leaderboard rows shown; `--json` and the run's artifacts have them all. */
const SHOWN_ROWS = 10;

export function progressLine(job: AutomlJob): string {
  const { progress } = job;
  const budget = `${Math.round(progress.elapsedMs / 1000)}s/${Math.round(progress.timeBudgetMs / 1000)}s`;
  const failed = progress.trialsFailed > 0 ? ` (${progress.trialsFailed} failed)` : '';
  const best =
    progress.best === undefined
      ? ''
      : `, best ${job.metric} ${formatScore(progress.best.score)} (${progress.best.family}, trial ${progress.best.trial})`;
  return `${job.status}: ${progress.trialsDone}/${progress.trialsPlanned} trials${failed}, ${budget}${best}`;
}

export function describeJob(job: AutomlJob): string {
  const lines = [
    fieldBlock(`AutoML job ${job.id}`, [
      ['status', job.status],
      ['dataset', job.dataset],
      ['target', `${job.target} (${job.task})`],
      ['metric', job.metric],
      ['strategy', `${job.spec.options.strategy}, ${job.spec.options.folds}-fold CV`],
      ['progress', progressLine(job)],
      ['run', job.run],
      ['started', formatTime(job.startedAt)],
      ['took', job.startedAt === undefined ? '-' : formatDuration(job.startedAt, job.finishedAt)],
      ...(job.result?.modelVersion === undefined ? [] : [['model', job.result.modelVersion] as const]),
      ...(job.error === undefined ? [] : [['error', `${job.error.code}: ${job.error.message}`] as const]),
    ]),
  ];
  const result = job.result;
  if (result === undefined) return lines.join('\n');
  // Successive halving ranks by the highest rung reached first, so the rung explains the order.
  const rungs = result.leaderboard.some((entry) => entry.rung !== undefined);
  lines.push('', `Leaderboard (CV ${job.metric}, best first${rungs ? ', highest rung first' : ''}):`);
  lines.push(
    table(
      ['RANK', 'TRIAL', ...(rungs ? ['RUNG'] : []), 'FAMILY', 'SCORE', 'STD', 'PARAMS', 'RUN'],
      result.leaderboard.slice(0, SHOWN_ROWS).map((entry) => [
        String(entry.rank),
        String(entry.trial),
        ...(rungs ? [String(entry.rung ?? '-')] : []),
        entry.family,
        formatScore(entry.score),
        formatScore(entry.std),
        Object.entries(entry.params)
          .map(([key, value]) => `${key}=${typeof value === 'number' ? formatNumber(value) : String(value)}`)
          .join(' '),
        entry.run ?? '-',
      ]),
    ),
  );
  lines.push('', `Holdout (${result.holdout.rows} rows):`);
  lines.push(
    table(
      ['METRIC', 'VALUE'],
      Object.entries(result.holdout.metrics).map(([metric, value]) => [metric, formatScore(value)]),
    ),
  );
  const matrix = result.holdout.confusionMatrix;
  if (matrix !== undefined) {
    lines.push('', 'Confusion matrix (rows: actual, columns: predicted):');
    lines.push(
      table(
        ['', ...matrix.classes],
        matrix.counts.map((row, index) => [matrix.classes[index]!, ...row.map(String)]),
      ),
    );
  }
  const residuals = result.holdout.residuals;
  if (residuals !== undefined) {
    lines.push('', 'Residuals (prediction - actual):');
    lines.push(
      table(
        ['MEAN', 'STD', 'MEAN ABS', 'MIN', 'P5', 'MEDIAN', 'P95', 'MAX'],
        [
          [
            residuals.mean,
            residuals.std,
            residuals.meanAbsolute,
            residuals.min,
            residuals.p5,
            residuals.p50,
            residuals.p95,
            residuals.max,
          ].map(formatScore),
        ],
      ),
    );
  }
  if (result.ignoredColumns.length > 0) {
    lines.push('', `Not used: ${result.ignoredColumns.map((c) => `${c.column} (${c.reason})`).join(', ')}`);
  }
  return lines.join('\n');
}

function formatScore(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value)
    ? '-'
    : formatNumber(Number(value.toPrecision(4)));
}
