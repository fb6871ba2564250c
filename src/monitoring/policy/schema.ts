/** HTTP request and response schemas of deployment policies and decisions (validation, serialisation, OpenAPI). */
import { z } from 'zod';
import { PageQuerySchema, pageSchema, WireNumberSchema } from '../../core/wire.js';
import { OUTCOMES } from './entities.js';
import { POLICY_METRICS } from './spec.js';

const Iso = z.string().describe('ISO 8601 UTC time');

export const PolicyBody = z.strictObject({
  metric: z
    .enum(POLICY_METRICS)
    .optional()
    .describe('Default: accuracy for classifiers, rmse for regressors (by the champion version)'),
  minSamples: z
    .number()
    .optional()
    .describe('Labelled rows each version needs before deciding (default 1000)'),
  alpha: z.number().optional().describe('Significance level of the test (default 0.05)'),
  minEffect: z
    .number()
    .optional()
    .describe('Absolute improvement the challenger must show to be promoted (default 0)'),
  guardrails: z
    .strictObject({
      maxErrorRate: z.number().optional().describe('Share of failed (5xx) challenger requests, in [0, 1]'),
      maxP99Ms: z.number().optional().describe('p99 latency of the challenger’s logged rows, ms'),
    })
    .optional(),
  onBetter: z.enum(['promote', 'notify']).optional().describe('Default promote'),
  onWorse: z.enum(['rollback', 'notify']).optional().describe('Default rollback'),
  evaluateEvery: z
    .union([z.string(), z.number()])
    .optional()
    .describe('Periodic evaluation: a duration such as 30s, 1m (default), 1h; at least 1s'),
});

export const PolicySchema = z
  .object({
    deployment: z.string(),
    metric: z.enum(POLICY_METRICS).optional(),
    minSamples: z.number().int(),
    alpha: z.number(),
    minEffect: z.number(),
    guardrails: z.object({ maxErrorRate: z.number().optional(), maxP99Ms: z.number().optional() }),
    onBetter: z.enum(['promote', 'notify']),
    onWorse: z.enum(['rollback', 'notify']),
    evaluateEvery: z.string(),
    nextEvaluationAt: Iso,
    createdBy: z.string(),
    createdAt: Iso,
    updatedBy: z.string(),
    updatedAt: Iso,
  })
  .meta({ id: 'DeploymentPolicy' });

const Compared = z.object({
  reference: z.string(),
  model: z.string(),
  version: z.number().int(),
  shadow: z.boolean().optional(),
});

const Side = z.object({
  samples: z.number().int(),
  skipped: z.number().int(),
  value: WireNumberSchema.optional(),
});

const Evidence = z
  .object({
    metric: z.enum(POLICY_METRICS).optional(),
    test: z.enum(['z-test', 'bootstrap', 'welch']).optional(),
    alpha: z.number().optional(),
    minEffect: z.number().optional(),
    minSamples: z.number().optional(),
    windowStart: Iso.optional(),
    champion: Side.optional(),
    challenger: Side.optional(),
    effect: WireNumberSchema.optional().describe(
      'The challenger’s improvement in the metric’s better direction',
    ),
    pValue: WireNumberSchema.optional(),
    statistic: WireNumberSchema.optional(),
    ci: z.tuple([WireNumberSchema, WireNumberSchema]).readonly().optional(),
    resamples: z.number().int().optional(),
    guardrails: z
      .object({
        errorRate: z
          .object({
            value: WireNumberSchema,
            errors: z.number(),
            requests: z.number(),
            windowSeconds: z.number(),
            limit: z.number(),
            breached: z.boolean(),
          })
          .optional(),
        p99Ms: z
          .object({ value: WireNumberSchema, rows: z.number(), limit: z.number(), breached: z.boolean() })
          .optional(),
      })
      .optional(),
    applied: z
      .object({
        alias: z
          .object({ model: z.string(), alias: z.string(), from: z.number().nullable(), to: z.number() })
          .optional(),
        revision: z.number().int().optional(),
      })
      .optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  })
  .meta({ id: 'PolicyDecisionEvidence' });

export const DecisionSchema = z
  .object({
    id: z.string(),
    deployment: z.string(),
    at: Iso,
    cause: z.enum(['manual', 'schedule']),
    outcome: z.enum(OUTCOMES),
    reason: z.string(),
    revision: z.number().int().describe('The deployment revision evaluated'),
    champion: Compared.nullable(),
    challenger: Compared.nullable(),
    evidence: Evidence,
    actor: z.string(),
  })
  .meta({ id: 'PolicyDecision' });

export const DecisionPage = pageSchema(DecisionSchema);
export const DecisionsQuery = PageQuerySchema;
