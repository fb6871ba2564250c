/**
 * The model card AutoML fills for the version it registers (pure): what was searched, the
 * leaderboard, the holdout metrics, and the confusion matrix or residual summary. The training
 * data's profile summary is added by the registry itself from the version's dataset link.
 */
import type { CardFields } from '../registry/index.js';
import type { HoldoutEvaluation } from './automl/index.js';
import type { AutomlJobResult, AutomlJobSpec, LeaderboardEntry } from './automl-job.js';

/** Rows of the leaderboard the card lists; the full board is in the run's artifacts and child runs. */
const CARD_LEADERBOARD_ROWS = 10;

export function automlCard(
  spec: AutomlJobSpec,
  result: AutomlJobResult,
  progress: { trialsDone: number; trialsFailed: number },
): CardFields {
  const { options } = spec;
  const best = result.best;
  const cv = `${options.metric} ${format(best.score)} ± ${format(best.std)}`;
  return {
    description:
      `Trained by Slipway AutoML on ${spec.dataset} to predict '${spec.target}' (${options.task}). ` +
      `Best of ${progress.trialsDone} trials (${options.strategy} search, ${options.folds}-fold cross-validation): ` +
      `${best.family}, CV ${cv}; holdout ${options.metric} ${format(result.holdout.metrics[options.metric])}.`,
    intendedUse: `Predicting '${spec.target}' for rows shaped like ${spec.dataset}. Review the evaluation and limitations before production use.`,
    limitations: [
      `Trained on ${result.trainRows} rows and scored once on a holdout of ${result.holdout.rows} rows drawn from the same data; it has not seen data from other periods or sources.`,
      'Categories not seen in training, and missing values, follow the branch or weight learned for missing values.',
      result.droppedRows > 0 ? `${result.droppedRows} rows without a target value were left out.` : '',
      result.ignoredColumns.length > 0
        ? `Not used as features: ${result.ignoredColumns.map((c) => `${c.column} (${c.reason})`).join(', ')}.`
        : '',
    ]
      .filter((line) => line !== '')
      .join(' '),
    evaluation: [
      { slice: 'holdout', dataset: spec.dataset, metrics: result.holdout.metrics },
      {
        slice: `cross-validation (${options.folds} folds, best trial)`,
        dataset: spec.dataset,
        metrics: { [options.metric]: best.score, [`${options.metric}_std`]: best.std },
      },
    ],
    markdown: [
      '### AutoML leaderboard',
      '',
      ...leaderboardTable(result.leaderboard.slice(0, CARD_LEADERBOARD_ROWS), options.metric),
      '',
      `${progress.trialsDone} trials finished (${progress.trialsFailed} failed); the search stopped by ${stopReason(result.stoppedBy)}.`,
      '',
      ...holdoutSection(result.holdout),
    ].join('\n'),
  };
}

function leaderboardTable(entries: readonly LeaderboardEntry[], metric: string): string[] {
  // Successive halving ranks by the highest rung reached first, so the rung explains the order.
  const rungs = entries.some((entry) => entry.rung !== undefined);
  const headers = [
    'rank',
    'trial',
    ...(rungs ? ['rung'] : []),
    'family',
    `CV ${metric}`,
    'std',
    'params',
    'run',
  ];
  const lines = [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---|').join('')}`];
  for (const entry of entries) {
    const params = Object.entries(entry.params)
      .map(([key, value]) => `${key}=${typeof value === 'number' ? format(value) : String(value)}`)
      .join(', ');
    const cells = [
      String(entry.rank),
      String(entry.trial),
      ...(rungs ? [String(entry.rung ?? '')] : []),
      entry.family,
      format(entry.score),
      format(entry.std),
      params,
      entry.run === undefined ? '' : `\`${entry.run}\``,
    ];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

function holdoutSection(holdout: HoldoutEvaluation): string[] {
  const lines = [`### Holdout (${holdout.rows} rows)`, '', '| metric | value |', '|---|---|'];
  for (const [metric, value] of Object.entries(holdout.metrics))
    lines.push(`| ${metric} | ${format(value)} |`);
  if (holdout.confusionMatrix !== undefined) {
    const { classes, counts } = holdout.confusionMatrix;
    lines.push('', '#### Confusion matrix (rows: actual, columns: predicted)', '');
    lines.push(
      `| | ${classes.map((c) => `\`${c}\``).join(' | ')} |`,
      `|---|${classes.map(() => '---|').join('')}`,
    );
    counts.forEach((row, index) => {
      lines.push(`| \`${classes[index]}\` | ${row.join(' | ')} |`);
    });
  }
  if (holdout.residuals !== undefined) {
    const r = holdout.residuals;
    lines.push(
      '',
      '#### Residuals (prediction − actual)',
      '',
      '| mean | std | mean abs | min | p5 | median | p95 | max |',
    );
    lines.push('|---|---|---|---|---|---|---|---|');
    lines.push(
      `| ${[r.mean, r.std, r.meanAbsolute, r.min, r.p5, r.p50, r.p95, r.max].map(format).join(' | ')} |`,
    );
  }
  return lines;
}

function stopReason(stoppedBy: AutomlJobResult['stoppedBy']): string {
  if (stoppedBy === 'time') return 'reaching its time budget';
  if (stoppedBy === 'trials') return 'reaching its trial limit';
  return 'trying every configuration of its search space';
}

function format(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}
