/** Runs and comparisons carry metric values; on the wire non-finite values become strings. */
import { toWireNumber } from '../../core/wire.js';
import type { MetricPoint, Run, RunComparison } from '../../tracking/index.js';

export function wirePoint(point: MetricPoint) {
  return { value: toWireNumber(point.value), step: point.step, timestamp: point.timestamp };
}

export function wireRun(run: Run) {
  return {
    ...run,
    metrics: Object.fromEntries(Object.entries(run.metrics).map(([key, point]) => [key, wirePoint(point)])),
  };
}

export function wireComparison(comparison: RunComparison) {
  return {
    ...comparison,
    metrics: comparison.metrics.map((row) => ({
      ...row,
      values: row.values.map((value) => (value === null ? null : toWireNumber(value))),
    })),
  };
}
