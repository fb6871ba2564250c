/**
 * A deployment's champion/challenger policy as the user writes it, checked whole with errors that
 * name the field (`minSamples must be a whole number ≥ 1, got 0`), and filled with the defaults.
 */

import { durationMs } from '../../core/duration-text.js';
import { InvalidError } from '../../core/errors.js';
import { formatDuration } from '../monitors/spec.js';

export const POLICY_METRICS = [
  'accuracy',
  'f1',
  'precision',
  'recall',
  'auc',
  'logLoss',
  'rmse',
  'mae',
  'r2',
] as const;
export type PolicyMetric = (typeof POLICY_METRICS)[number];
export const CLASSIFICATION_POLICY_METRICS: readonly PolicyMetric[] = [
  'accuracy',
  'f1',
  'precision',
  'recall',
  'auc',
  'logLoss',
];

export const DEFAULT_MIN_SAMPLES = 1000;
export const DEFAULT_ALPHA = 0.05;
export const DEFAULT_EVERY_MS = 60_000;
export const MIN_EVERY_MS = 1000;

export interface Guardrails {
  /** Highest share of the challenger's requests that may fail (5xx), in [0, 1]. */
  readonly maxErrorRate?: number;
  /** Highest p99 latency of the challenger's logged rows, in ms (> 0). */
  readonly maxP99Ms?: number;
}

export interface PolicySpec {
  /** Absent: accuracy for classifiers, rmse for regressors (decided at each evaluation). */
  readonly metric?: PolicyMetric;
  readonly minSamples: number;
  readonly alpha: number;
  readonly minEffect: number;
  readonly guardrails: Guardrails;
  readonly onBetter: 'promote' | 'notify';
  readonly onWorse: 'rollback' | 'notify';
  readonly evaluateEveryMs: number;
}

export interface PolicyInput {
  readonly metric?: string | undefined;
  readonly minSamples?: number | undefined;
  readonly alpha?: number | undefined;
  readonly minEffect?: number | undefined;
  readonly guardrails?: {
    readonly maxErrorRate?: number | undefined;
    readonly maxP99Ms?: number | undefined;
  };
  readonly onBetter?: string | undefined;
  readonly onWorse?: string | undefined;
  /** A duration: `30s`, `1m`, `1h` (default 1m, at least 1s); or milliseconds. */
  readonly evaluateEvery?: string | number | undefined;
}

function invalid(field: string, message: string, value: unknown): InvalidError {
  return new InvalidError(`${field} ${message}, got ${JSON.stringify(value)}`, { field, value });
}

export function buildPolicySpec(input: PolicyInput): PolicySpec {
  if (typeof input !== 'object' || input === null)
    throw new InvalidError('body must be an object', { field: 'body' });
  const { metric, minSamples, alpha, minEffect, guardrails, onBetter, onWorse, evaluateEvery } = input;
  if (metric !== undefined && !(POLICY_METRICS as readonly unknown[]).includes(metric))
    throw invalid('metric', `must be one of ${POLICY_METRICS.join(', ')}`, metric);
  if (minSamples !== undefined && !(Number.isInteger(minSamples) && minSamples >= 1 && minSamples <= 1e9))
    throw invalid('minSamples', 'must be a whole number ≥ 1', minSamples);
  if (alpha !== undefined && !(typeof alpha === 'number' && alpha > 0 && alpha < 1))
    throw invalid('alpha', 'must be a number between 0 and 1 (exclusive)', alpha);
  if (
    minEffect !== undefined &&
    !(typeof minEffect === 'number' && Number.isFinite(minEffect) && minEffect >= 0)
  )
    throw invalid('minEffect', 'must be a number ≥ 0', minEffect);
  const rails = guardrails ?? {};
  if (typeof rails !== 'object' || rails === null) throw invalid('guardrails', 'must be an object', rails);
  const { maxErrorRate, maxP99Ms } = rails;
  if (
    maxErrorRate !== undefined &&
    !(typeof maxErrorRate === 'number' && maxErrorRate >= 0 && maxErrorRate <= 1)
  )
    throw invalid('guardrails.maxErrorRate', 'must be a number in [0, 1]', maxErrorRate);
  if (maxP99Ms !== undefined && !(typeof maxP99Ms === 'number' && Number.isFinite(maxP99Ms) && maxP99Ms > 0))
    throw invalid('guardrails.maxP99Ms', 'must be a number of milliseconds > 0', maxP99Ms);
  if (onBetter !== undefined && onBetter !== 'promote' && onBetter !== 'notify')
    throw invalid('onBetter', "must be 'promote' or 'notify'", onBetter);
  if (onWorse !== undefined && onWorse !== 'rollback' && onWorse !== 'notify')
    throw invalid('onWorse', "must be 'rollback' or 'notify'", onWorse);
  let every = DEFAULT_EVERY_MS;
  if (evaluateEvery !== undefined) {
    const ms = typeof evaluateEvery === 'number' ? evaluateEvery : durationMs(String(evaluateEvery));
    if (ms === undefined || !Number.isFinite(ms) || ms < MIN_EVERY_MS || ms > 7 * 86_400_000)
      throw invalid('evaluateEvery', 'must be a duration from 1s to 7d such as 30s, 1m or 1h', evaluateEvery);
    every = ms;
  }
  return {
    ...(metric === undefined ? {} : { metric: metric as PolicyMetric }),
    minSamples: minSamples ?? DEFAULT_MIN_SAMPLES,
    alpha: alpha ?? DEFAULT_ALPHA,
    minEffect: minEffect ?? 0,
    guardrails: {
      ...(maxErrorRate === undefined ? {} : { maxErrorRate }),
      ...(maxP99Ms === undefined ? {} : { maxP99Ms }),
    },
    onBetter: (onBetter ?? 'promote') as PolicySpec['onBetter'],
    onWorse: (onWorse ?? 'rollback') as PolicySpec['onWorse'],
    evaluateEveryMs: every,
  };
}

export { formatDuration };
