/** HTTP request and response schemas of feedback and live metrics (validation, serialization, OpenAPI). */
import { z } from 'zod';
import { InvalidError } from '../../core/errors.js';
import { WireNumberSchema } from '../../core/wire.js';
import { DeploymentStatusSchema, StatusQuery } from '../../serving/schema.js';

const LabelValue = z
  .union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or boolean' })
  .describe('The true label: a class (its name; a number or boolean may also be its index) or a value');

const FeedbackItemSchema = z.strictObject({
  requestId: z
    .string({ error: 'must be a string' })
    .optional()
    .describe('The request id the prediction answered with (requestId, or the V2 id); without key'),
  rowIndex: z
    .number({ error: 'must be a whole number' })
    .int()
    .min(0)
    .optional()
    .describe('The row within the request (default 0)'),
  id: z
    .union([z.string(), z.number()], { error: 'must be a string or number' })
    .optional()
    .describe("With key: the value of that feature in the prediction's input"),
  label: LabelValue,
});

export const FeedbackBody = z
  .strictObject({
    key: z
      .string()
      .min(1)
      .optional()
      .describe('Label by this feature instead of by request id: each item gives { id, label }'),
    labels: z
      .array(FeedbackItemSchema)
      .describe('At most 10,000 per call (413 beyond); the call is all or nothing'),
    lateAfterSeconds: z
      .number()
      .min(0)
      .optional()
      .describe('Labels received longer than this after the prediction count as late (default 86400)'),
  })
  .meta({ id: 'FeedbackRequest' });

export const FeedbackResultSchema = z
  .object({
    deployment: z.string(),
    accepted: z.number().int().describe('Labels written by this call'),
    duplicates: z
      .array(
        z.object({
          index: z.number().int().describe('Position in labels'),
          requestId: z.string(),
          rowIndex: z.number().int(),
          id: z.string().optional(),
          label: LabelValue.describe('The label the row keeps: the first one given'),
        }),
      )
      .readonly()
      .describe('Rows that were labelled already (or twice in this call): the first label stays'),
    unknown: z
      .array(
        z.object({
          index: z.number().int(),
          requestId: z.string().optional(),
          rowIndex: z.number().int().optional(),
          id: z.string().optional(),
        }),
      )
      .readonly()
      .describe(
        'Labels naming no logged prediction of this deployment (yet: the log is written every 250 ms)',
      ),
    late: z
      .number()
      .int()
      .describe('Accepted labels received more than lateAfterSeconds after the prediction'),
  })
  .meta({ id: 'FeedbackResult' });

const TimeParam = z.string().describe('ISO 8601 time or epoch milliseconds').optional();

export const MetricsQuery = z.object({
  since: TimeParam.describe('Buckets from this time (default: 7 days before until)'),
  until: TimeParam.describe('Buckets before this time (default: now)'),
  model: z.string().optional().describe('Only this model (`churn`) or model version (`churn@3`)'),
  metric: z.string().optional().describe('Only this metric, e.g. accuracy, rocAuc, rmse'),
});

const MetricValues = z
  .record(z.string(), WireNumberSchema)
  .describe(
    'accuracy, precision, recall, f1, rocAuc, logLoss (classifiers; the last two with probabilities) or rmse, mae, r2 (regressors); "NaN" where undefined',
  );

export const LiveMetricPage = z
  .object({
    deployment: z.string(),
    items: z
      .array(
        z.object({
          model: z.string(),
          version: z.number().int(),
          bucketStart: z.number().int().describe('Epoch ms: the hour of prediction time'),
          metric: z.string(),
          value: WireNumberSchema,
          samples: z.number().int().describe('Labelled predictions in the bucket'),
        }),
      )
      .readonly(),
  })
  .meta({ id: 'LiveMetricSeries' });

const LiveFiguresSchema = z.object({
  samples: z.number().int().describe('Labelled predictions of this version in the window'),
  skipped: z
    .number()
    .int()
    .describe('Labelled rows left out: a label naming no class, or an unreadable answer'),
  metrics: MetricValues,
});

export const StatusWithLiveQuery = StatusQuery.extend({
  since: TimeParam.describe(
    'Live metrics over predictions made since this time (default: the status window)',
  ),
});

const RouteStatusSchema = DeploymentStatusSchema.shape.routes.unwrap().element;
const ShadowStatusSchema = DeploymentStatusSchema.shape.shadow.unwrap();

export const DeploymentStatusWithLiveSchema = DeploymentStatusSchema.extend({
  liveSince: z.string().describe('Live metrics cover predictions made from this time (ISO) until now'),
  routes: z.array(RouteStatusSchema.extend({ live: LiveFiguresSchema })).readonly(),
  shadow: ShadowStatusSchema.extend({ live: LiveFiguresSchema }).nullable(),
});

/** `?since=` / `?until=`: epoch milliseconds or an ISO 8601 time. */
export function parseTimeParam(field: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (/^\d{1,15}$/.test(value)) return Number(value);
  const time = Date.parse(value);
  if (Number.isNaN(time) || !/^\d{4}-\d{2}-\d{2}T/.test(value))
    throw new InvalidError(
      `${field} must be epoch milliseconds or an ISO 8601 time such as 2026-01-31T12:00:00.000Z, got '${value}'`,
      { field, value },
    );
  return time;
}
