/**
 * The body of `POST /runs/{id}/metrics`: points as objects (`metrics`, the MLflow shape) and/or as
 * columns per key (`series`, about half the bytes and a third of the parse time for bulk logging;
 * the SDK sends this form). Plus a fast check the route uses instead of the zod parse on valid
 * bodies: a 10,000-point batch is checked in place, without copying it.
 */
import { z } from 'zod';
import { WireNumberSchema } from '../core/wire.js';

const WireMetricPoint = z.strictObject({
  key: z.string(),
  value: WireNumberSchema,
  step: z.number().int().optional().describe('Default 0'),
  timestamp: z.number().int().optional().describe('Epoch milliseconds; default: server time'),
});

const WireMetricSeries = z
  .strictObject({
    key: z.string(),
    values: z.array(WireNumberSchema),
    steps: z.array(z.number().int()).optional().describe('One per value; default 0 for each'),
    timestamps: z
      .array(z.number().int())
      .optional()
      .describe('One per value, epoch milliseconds; default: server time'),
  })
  .superRefine((series, ctx) => {
    for (const field of ['steps', 'timestamps'] as const) {
      const list = series[field];
      if (list !== undefined && list.length !== series.values.length) {
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: `must have one entry per value (${series.values.length}), got ${list.length}`,
        });
      }
    }
  });

export const LogMetricsBody = z
  .strictObject({
    metrics: z.array(WireMetricPoint).optional().describe('Points, one object each'),
    series: z.array(WireMetricSeries).optional().describe('Points as columns, one entry per key'),
  })
  .refine((body) => body.metrics !== undefined || body.series !== undefined, {
    message: 'give metrics (points) or series (columns per key), or both',
  })
  .describe('At most 10,000 points in all; the batch is written all or nothing');

export type LogMetricsBodyType = z.infer<typeof LogMetricsBody>;

const BODY_FIELDS = new Set(['metrics', 'series']);
const POINT_FIELDS = new Set(['key', 'value', 'step', 'timestamp']);
const SERIES_FIELDS = new Set(['key', 'values', 'steps', 'timestamps']);
const NON_FINITE_WIRE = new Set<unknown>(['NaN', 'Infinity', '-Infinity']);

/**
 * True only for bodies LogMetricsBody accepts, and then its parse would return an equal value.
 * Anything it does not accept goes to the zod parse, so errors read exactly as the schema says.
 */
export function isPlainLogMetricsBody(body: unknown): body is LogMetricsBodyType {
  if (!isPlainObject(body)) return false;
  for (const field in body) if (!BODY_FIELDS.has(field)) return false;
  const { metrics, series } = body;
  if (metrics === undefined && series === undefined) return false;
  return (
    (metrics === undefined || arePlainPoints(metrics)) && (series === undefined || arePlainSeries(series))
  );
}

function arePlainPoints(metrics: unknown): boolean {
  if (!Array.isArray(metrics)) return false;
  for (let i = 0; i < metrics.length; i++) {
    const point: unknown = metrics[i];
    if (!isPlainObject(point)) return false;
    for (const field in point) if (!POINT_FIELDS.has(field)) return false;
    const { key, value, step, timestamp } = point;
    if (typeof key !== 'string' || !isWireNumber(value)) return false;
    if (step !== undefined && !Number.isSafeInteger(step)) return false;
    if (timestamp !== undefined && !Number.isSafeInteger(timestamp)) return false;
  }
  return true;
}

function arePlainSeries(series: unknown): boolean {
  if (!Array.isArray(series)) return false;
  for (let i = 0; i < series.length; i++) {
    const entry: unknown = series[i];
    if (!isPlainObject(entry)) return false;
    for (const field in entry) if (!SERIES_FIELDS.has(field)) return false;
    const { key, values, steps, timestamps } = entry;
    if (typeof key !== 'string' || !Array.isArray(values)) return false;
    for (let j = 0; j < values.length; j++) if (!isWireNumber(values[j])) return false;
    if (steps !== undefined && !areSafeIntegers(steps, values.length)) return false;
    if (timestamps !== undefined && !areSafeIntegers(timestamps, values.length)) return false;
  }
  return true;
}

function areSafeIntegers(list: unknown, length: number): boolean {
  if (!Array.isArray(list) || list.length !== length) return false;
  for (let i = 0; i < list.length; i++) if (!Number.isSafeInteger(list[i])) return false;
  return true;
}

function isWireNumber(value: unknown): boolean {
  return typeof value === 'number' ? Number.isFinite(value) : NON_FINITE_WIRE.has(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
