/** HTTP request and response schemas of the monitors API (validation, serialization and OpenAPI). */
import { z } from 'zod';
import { PageQuerySchema, pageSchema } from '../../core/wire.js';
import { DRIFT_TESTS } from '../drift/index.js';

const Iso = z.string().describe('ISO 8601 UTC time');
const CORRECTIONS = ['none', 'bonferroni', 'bh'] as const;

const WindowSchema = z.union([
  z.object({ kind: z.literal('count'), rows: z.number().int() }),
  z.object({ kind: z.literal('time'), ms: z.number().int() }),
]);

const SettingsFields = {
  description: z.string().max(1000).optional(),
  reference: z
    .string()
    .nullable()
    .optional()
    .describe(
      'dataset@v (pinned when written); null or absent: the training data of the champion route’s version',
    ),
  model: z.string().nullable().optional().describe('Only rows this model version (or alias) served'),
  window: z
    .union([z.number().int(), z.string()])
    .optional()
    .describe('Rows (1000) or a duration (90s, 30m, 1h, 7d); default 1000 rows'),
  features: z.array(z.string()).nullable().optional().describe('Default: the model’s features'),
  tests: z
    .array(z.enum(DRIFT_TESTS))
    .nullable()
    .optional()
    .describe('Default: one test per feature by its data'),
  overrides: z
    .record(z.string(), z.strictObject({ test: z.enum(DRIFT_TESTS), threshold: z.number().optional() }))
    .optional(),
  driftShare: z
    .number()
    .optional()
    .describe('Dataset drift when this share of features drifts (default 0.5)'),
  correction: z.enum(CORRECTIONS).optional(),
  bins: z.number().int().optional(),
  predictionDrift: z.boolean().optional().describe('Compare the model’s answers too (default true)'),
  degradation: z
    .string()
    .nullable()
    .optional()
    .describe(
      'metric:threshold on live labels, e.g. accuracy:0.8 (alert below) or rmse:12 (alert above); null removes it',
    ),
  degradationSamples: z
    .number()
    .int()
    .optional()
    .describe('Labelled rows a version needs to be judged (default 100)'),
  schedule: z.string().nullable().optional().describe('Cron expression; null removes the schedule'),
  timezone: z.string().optional().describe('IANA time zone of the schedule (default UTC)'),
  onDrift: z.string().nullable().optional().describe('pipeline:<name> to run on drift; null removes it'),
  onDriftParams: z.record(z.string(), z.unknown()).optional().describe('Params of the on-drift run'),
  cooldown: z
    .union([z.number(), z.string()])
    .optional()
    .describe('Duration between on-drift runs (default 1h)'),
  webhook: z.string().nullable().optional().describe('URL that receives a JSON POST on drift'),
};

export const CreateMonitorBody = z.strictObject({
  name: z.string().optional().describe('Default: the deployment’s name'),
  deployment: z.string(),
  ...SettingsFields,
});

export const UpdateMonitorBody = z.strictObject(SettingsFields);

export const MonitorParams = z.object({ name: z.string().describe('Monitor name') });
export const ReportParams = z.object({
  name: z.string(),
  report: z.string().describe('Report id, or latest'),
});
export const ListMonitorsQuery = PageQuerySchema.extend({ deployment: z.string().optional() }).strict();
export const PageQuery = PageQuerySchema;

export const MonitorSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    deployment: z.string(),
    description: z.string(),
    reference: z.string().optional(),
    model: z.string().optional(),
    window: WindowSchema,
    features: z.array(z.string()).readonly().optional(),
    tests: z.array(z.string()).readonly().optional(),
    overrides: z.record(z.string(), z.object({ test: z.string(), threshold: z.number().optional() })),
    driftShare: z.number(),
    correction: z.enum(CORRECTIONS),
    bins: z.number().int(),
    predictionDrift: z.boolean(),
    degradation: z
      .object({ metric: z.string(), threshold: z.number(), minSamples: z.number().int() })
      .optional(),
    schedule: z.object({ cron: z.string(), timezone: z.string(), nextAt: Iso.optional() }).optional(),
    onDrift: z
      .object({
        pipeline: z.string(),
        params: z.record(z.string(), z.unknown()),
        cooldownMs: z.number(),
        lastTriggeredAt: Iso.optional(),
      })
      .optional(),
    webhook: z.string().optional(),
    lastReport: z.object({ id: z.string(), at: Iso }).optional(),
    createdBy: z.string(),
    createdAt: Iso,
    updatedBy: z.string(),
    updatedAt: Iso,
  })
  .meta({ id: 'Monitor' });

const SummaryFields = {
  id: z.string(),
  monitor: z.string(),
  status: z.enum(['running', 'succeeded', 'failed']),
  cause: z.enum(['manual', 'schedule']),
  rows: z.number().int().optional(),
  drift: z.boolean().optional().describe('Input or prediction drift'),
  share: z.number().optional().describe('Share of drifted features'),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  createdBy: z.string(),
  createdAt: Iso,
  finishedAt: Iso.optional(),
  links: z.object({ self: z.string() }),
};

export const ReportSummarySchema = z.object(SummaryFields).meta({ id: 'MonitorReportSummary' });

const Json = z.unknown();
export const ReportSchema = z
  .object({
    ...SummaryFields,
    deployment: z.string().optional(),
    revision: z.number().int().optional(),
    window: z
      .object({
        kind: z.enum(['count', 'time']),
        size: z.number(),
        rows: z.number().int(),
        from: Iso,
        to: Iso,
      })
      .optional(),
    reference: z
      .object({
        dataset: z.string(),
        rows: z.number().int(),
        source: z.enum(['explicit', 'lineage']),
        model: z.string(),
      })
      .optional(),
    versions: z
      .array(z.object({ model: z.string(), version: z.number().int(), rows: z.number().int() }))
      .readonly()
      .optional(),
    inputs: Json.optional().describe(
      'The drift report of the features (as POST /drift/compare answers, with ignored columns); non-finite numbers as strings',
    ),
    predictions: z
      .array(
        z.object({
          model: z.string(),
          version: z.number().int(),
          rows: z.number().int(),
          report: Json.optional(),
          skipped: z.string().optional(),
        }),
      )
      .readonly()
      .optional()
      .describe('Per served version: its answers in the window against its answers on the reference'),
    quality: Json.optional().describe('Per feature: missing share, out-of-range share, unseen categories'),
    performance: z
      .object({
        metric: z.string(),
        threshold: z.number(),
        alertWhen: z.enum(['below', 'above']),
        minSamples: z.number().int(),
        versions: z
          .array(
            z.object({
              model: z.string(),
              version: z.number().int(),
              samples: z.number().int(),
              value: z.number().optional(),
              degraded: z.boolean(),
            }),
          )
          .readonly(),
      })
      .optional()
      .describe(
        'With a degradation rule: each served version’s metric on the labels of the window’s predictions',
      ),
    degraded: z.boolean().optional(),
    inputDrift: z.boolean().optional(),
    predictionDrift: z.boolean().optional(),
    driftedFeatures: z.array(z.string()).readonly().optional(),
  })
  .meta({ id: 'MonitorReport' });

export const AlertSchema = z
  .object({
    id: z.string(),
    monitor: z.string(),
    report: z.string(),
    kind: z.enum(['webhook', 'pipeline']),
    target: z.string(),
    status: z.enum(['pending', 'delivered', 'failed', 'skipped']),
    attempts: z.number().int(),
    nextAttemptAt: Iso.optional(),
    lastError: z.string().optional(),
    result: z.record(z.string(), z.unknown()).optional(),
    createdAt: Iso,
    updatedAt: Iso,
  })
  .meta({ id: 'MonitorAlert' });

export const MonitorPage = pageSchema(MonitorSchema);
export const ReportPage = pageSchema(ReportSummarySchema);
export const AlertPage = pageSchema(AlertSchema);
