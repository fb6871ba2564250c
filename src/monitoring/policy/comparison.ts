/**
 * The statistical comparison of a challenger with the champion on their labelled rows. Pure.
 *
 * - accuracy (and, for two classes, precision and recall): two-proportion z-test on the counts
 *   behind the rate (right answers of all rows; true positives of the predicted or of the actual
 *   positives), two-sided.
 * - f1, auc, r2 (and precision/recall with more than two classes): seeded bootstrap of the
 *   difference, each side resampled on its own; the percentile interval at level 1 − alpha and the
 *   two-sided p-value from the bootstrap distribution.
 * - rmse, mae, logLoss: Welch's t-test on the per-row losses (squared error, absolute error,
 *   −ln p(true class)).
 *
 * `effect` is the challenger's improvement in the metric's better direction (positive: better).
 */
import { seededRandom } from '../../core/seeded-random.js';
import type { LabelledRows } from '../feedback/index.js';
import { accuracy, logLoss, mae, precisionRecallF1, r2, rmse, rocAuc } from '../performance/index.js';
import { twoProportionZTest } from '../stats/index.js';
import type { PolicyMetric } from './spec.js';
import { welchTTest } from './student-t.js';

export type TestName = 'z-test' | 'bootstrap' | 'welch';

export interface Comparison {
  readonly metric: PolicyMetric;
  readonly test: TestName;
  readonly champion: number;
  readonly challenger: number;
  /** Challenger's improvement in the better direction; NaN when undefined. */
  readonly effect: number;
  readonly pValue: number;
  readonly statistic?: number;
  /** Bootstrap: the interval of the improvement at level 1 − alpha. */
  readonly ci?: readonly [number, number];
  readonly resamples?: number;
}

export const BOOTSTRAP_RESAMPLES = 1000;
/** Resamples × rows per bootstrap is kept under this (at least 200 resamples). */
const BOOTSTRAP_BUDGET = 40_000_000;
const BOOTSTRAP_SEED = 0x5eed;

export const LOWER_IS_BETTER: ReadonlySet<PolicyMetric> = new Set(['rmse', 'mae', 'logLoss']);

/** Why the metric cannot be computed for these rows, or undefined when it can. */
export function unsupported(metric: PolicyMetric, rows: LabelledRows): string | undefined {
  const classifier = rows.kind === 'classification';
  const forClassifiers = metric !== 'rmse' && metric !== 'mae' && metric !== 'r2';
  if (classifier !== forClassifiers)
    return `metric ${metric} does not apply to ${classifier ? 'a classifier' : 'a regressor'} (${rows.model}@${rows.version})`;
  if (
    (metric === 'auc' || metric === 'logLoss') &&
    rows.kind === 'classification' &&
    rows.labels.length > 0 &&
    rows.probabilities === undefined
  )
    return `metric ${metric} needs probabilities in the inference log, and ${rows.model}@${rows.version} logged none`;
  return undefined;
}

export function metricValue(metric: PolicyMetric, rows: LabelledRows): number {
  if (rows.kind === 'regression') {
    if (metric === 'rmse') return rmse(rows.labels, rows.predictions);
    if (metric === 'mae') return mae(rows.labels, rows.predictions);
    return r2(rows.labels, rows.predictions);
  }
  const k = rows.classes.length;
  switch (metric) {
    case 'accuracy':
      return accuracy(rows.labels, rows.predictions);
    case 'precision':
      return precisionRecallF1(rows.labels, rows.predictions, k).precision;
    case 'recall':
      return precisionRecallF1(rows.labels, rows.predictions, k).recall;
    case 'f1':
      return precisionRecallF1(rows.labels, rows.predictions, k).f1;
    case 'auc':
      return rows.probabilities === undefined || rows.labels.length === 0
        ? Number.NaN
        : rocAuc(rows.labels, rows.probabilities, k);
    case 'logLoss':
      return rows.probabilities === undefined || rows.labels.length === 0
        ? Number.NaN
        : logLoss(rows.labels, rows.probabilities, k);
    default:
      return Number.NaN;
  }
}

export function compareRows(
  metric: PolicyMetric,
  champion: LabelledRows,
  challenger: LabelledRows,
  alpha: number,
): Comparison {
  const a = metricValue(metric, champion);
  const b = metricValue(metric, challenger);
  const effect = LOWER_IS_BETTER.has(metric) ? a - b : b - a;
  const base = { metric, champion: a, challenger: b, effect };
  const counts = proportionCounts(metric, champion, challenger);
  if (counts !== undefined) {
    const [s1, n1, s2, n2] = counts;
    if (n1 === 0 || n2 === 0) return { ...base, test: 'z-test', pValue: 1 };
    const z = twoProportionZTest(s2, n2, s1, n1);
    return { ...base, test: 'z-test', pValue: z.pvalue, statistic: z.statistic };
  }
  if (LOWER_IS_BETTER.has(metric)) {
    const t = welchTTest(rowLosses(metric, champion), rowLosses(metric, challenger));
    return { ...base, test: 'welch', pValue: Number.isNaN(t.pvalue) ? 1 : t.pvalue, statistic: t.statistic };
  }
  return { ...base, ...bootstrap(metric, champion, challenger, alpha) };
}

/** [successes, n] of champion then challenger, for the metrics that are a rate; else undefined. */
function proportionCounts(
  metric: PolicyMetric,
  champion: LabelledRows,
  challenger: LabelledRows,
): [number, number, number, number] | undefined {
  if (champion.kind !== 'classification' || challenger.kind !== 'classification') return undefined;
  const binary = champion.classes.length === 2 && challenger.classes.length === 2;
  const count = (rows: typeof champion): [number, number] => {
    let s = 0;
    let n = 0;
    for (let i = 0; i < rows.labels.length; i++) {
      const y = rows.labels[i]!;
      const p = rows.predictions[i]!;
      if (metric === 'accuracy') {
        n++;
        if (y === p) s++;
      } else if (metric === 'precision' && p === 1) {
        n++;
        if (y === 1) s++;
      } else if (metric === 'recall' && y === 1) {
        n++;
        if (p === 1) s++;
      }
    }
    return [s, n];
  };
  if (metric === 'accuracy' || (binary && (metric === 'precision' || metric === 'recall')))
    return [...count(champion), ...count(challenger)];
  return undefined;
}

function rowLosses(metric: PolicyMetric, rows: LabelledRows): Float64Array {
  const n = rows.labels.length;
  const out = new Float64Array(n);
  if (rows.kind === 'regression') {
    for (let i = 0; i < n; i++) {
      const d = rows.labels[i]! - rows.predictions[i]!;
      out[i] = metric === 'rmse' ? d * d : Math.abs(d);
    }
    return out;
  }
  const k = rows.classes.length;
  const p = rows.probabilities;
  if (p === undefined) return out.fill(Number.NaN);
  const one = new Int32Array(1);
  for (let i = 0; i < n; i++) {
    one[0] = rows.labels[i]!;
    out[i] = logLoss(one, p.subarray(i * k, (i + 1) * k), k);
  }
  return out;
}

function resample(rows: LabelledRows, random: () => number): LabelledRows {
  const n = rows.labels.length;
  const pick = Uint32Array.from({ length: n }, () => Math.floor(random() * n));
  if (rows.kind === 'regression')
    return {
      ...rows,
      labels: Float64Array.from(pick, (i) => rows.labels[i]!),
      predictions: Float64Array.from(pick, (i) => rows.predictions[i]!),
    };
  const k = rows.classes.length;
  const probabilities =
    rows.probabilities === undefined
      ? undefined
      : (() => {
          const out = new Float64Array(n * k);
          for (let j = 0; j < n; j++)
            out.set(rows.probabilities!.subarray(pick[j]! * k, pick[j]! * k + k), j * k);
          return out;
        })();
  return {
    ...rows,
    labels: Int32Array.from(pick, (i) => rows.labels[i]!),
    predictions: Int32Array.from(pick, (i) => rows.predictions[i]!),
    ...(probabilities === undefined ? {} : { probabilities }),
  };
}

function bootstrap(
  metric: PolicyMetric,
  champion: LabelledRows,
  challenger: LabelledRows,
  alpha: number,
): Pick<Comparison, 'test' | 'pValue' | 'ci' | 'resamples'> {
  const rowsPer = champion.labels.length + challenger.labels.length;
  const resamples = Math.max(
    200,
    Math.min(BOOTSTRAP_RESAMPLES, Math.floor(BOOTSTRAP_BUDGET / Math.max(1, rowsPer))),
  );
  const random = seededRandom(BOOTSTRAP_SEED);
  const diffs: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const d =
      metricValue(metric, resample(challenger, random)) - metricValue(metric, resample(champion, random));
    if (!Number.isNaN(d)) diffs.push(d);
  }
  if (diffs.length === 0) return { test: 'bootstrap', pValue: 1, resamples };
  diffs.sort((x, y) => x - y);
  const below = diffs.filter((d) => d <= 0).length;
  const above = diffs.filter((d) => d >= 0).length;
  const m = diffs.length;
  const pValue = Math.min(1, (2 * (Math.min(below, above) + 1)) / (m + 1));
  const at = (q: number) => diffs[Math.min(m - 1, Math.max(0, Math.floor(q * (m - 1))))]!;
  return { test: 'bootstrap', pValue, ci: [at(alpha / 2), at(1 - alpha / 2)], resamples };
}
