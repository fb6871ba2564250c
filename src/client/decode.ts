/** Wire shapes -> SDK entities: metric values arrive as numbers or "NaN"/"Infinity"/"-Infinity". */
import type { z } from 'zod';
import type { Page } from '../core/pagination.js';
import { fromWireNumber } from '../core/wire.js';
import type { MetricPoint, Run, RunComparison } from '../tracking/index.js';
import type { MetricPointSchema, RunComparisonSchema, RunSchema } from '../tracking/schema.js';

export type WireRun = z.output<typeof RunSchema>;
export type WirePoint = z.output<typeof MetricPointSchema>;
export type WireComparison = z.output<typeof RunComparisonSchema>;

export function decodePoint(point: WirePoint): MetricPoint {
  return { value: fromWireNumber(point.value), step: point.step, timestamp: point.timestamp };
}

export function decodeRun(run: WireRun): Run {
  return {
    ...run,
    metrics: Object.fromEntries(Object.entries(run.metrics).map(([key, point]) => [key, decodePoint(point)])),
  };
}

export function decodeRunPage(page: Page<WireRun>): Page<Run> {
  return { ...page, items: page.items.map(decodeRun) };
}

export function decodeComparison(comparison: WireComparison): RunComparison {
  return {
    ...comparison,
    metrics: comparison.metrics.map((row) => ({
      ...row,
      values: row.values.map((value) => (value === null ? null : fromWireNumber(value))),
    })),
  };
}
