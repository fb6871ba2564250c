/** HTTP request and response schemas of the deployments API (validation, serialization and OpenAPI). */
import { z } from 'zod';
import { PageQuerySchema, pageSchema } from '../core/wire.js';

const Iso = z.string().describe('ISO 8601 UTC time');

export const DeploymentParams = z.object({ name: z.string() });
export const RevisionParams = z.object({ name: z.string(), revision: z.coerce.number().int() });

const RouteInputSchema = z.strictObject({
  model: z.string().describe("Model version or alias, e.g. 'churn@champion' or 'churn@3'"),
  weight: z
    .number()
    .optional()
    .describe(
      'Percent of requests (0-100); one route may leave it out and take what the others leave of 100',
    ),
});

const ShadowInputSchema = z
  .strictObject({
    model: z.string(),
    fraction: z.number().optional().describe('Share of requests copied to the shadow, (0, 1]; default 1'),
  })
  .nullable()
  .describe(
    'A model served a copy of the traffic asynchronously; its answers are logged, never returned. null removes it',
  );

const BatchingInputSchema = z.strictObject({
  maxBatch: z.number().optional().describe('Rows per inference run, 1-4096; 1 = batching off (the default)'),
  maxDelayMs: z.number().optional().describe('Longest a request waits for others to join its batch, 0-1000'),
});

const SpecFields = {
  shadow: ShadowInputSchema.optional(),
  routingKey: z
    .string()
    .nullable()
    .optional()
    .describe("Sticky routing: 'header:<name>' or 'input:<feature>'; null removes it"),
  batching: BatchingInputSchema.optional(),
  description: z.string().optional(),
};

export const CreateDeploymentBody = z.strictObject({
  name: z.string(),
  routes: z.array(RouteInputSchema).max(10_000),
  ...SpecFields,
});

export const UpdateDeploymentBody = z.strictObject({
  routes: z.array(RouteInputSchema).max(10_000).optional(),
  ...SpecFields,
  expectedRevision: z
    .number()
    .int()
    .optional()
    .describe(
      'Apply only if the deployment is still at this revision (409 DEPLOYMENT_REVISION_CONFLICT otherwise)',
    ),
});

export const DeleteDeploymentQuery = z.object({
  expectedRevision: z.coerce
    .number()
    .int()
    .optional()
    .describe('Delete only if the deployment is still at this revision'),
});

export const RollbackDeploymentBody = z
  .strictObject({
    toRevision: z.number().int().optional().describe('Default: the revision before the current one'),
    expectedRevision: z.number().int().optional(),
  })
  .optional();

const ResolvedModelFields = {
  reference: z.string().describe('As written: a version or an alias'),
  model: z.string(),
  version: z.number().int().describe('The version the reference resolved to in this revision'),
  digest: z.string(),
};

const RouteSchema = z.object({ ...ResolvedModelFields, weight: z.number().int() });
const ShadowSchema = z.object({ ...ResolvedModelFields, fraction: z.number() }).nullable();
const BatchingSchema = z.object({ maxBatch: z.number().int(), maxDelayMs: z.number() });

export const DeploymentSchema = z.object({
  name: z.string(),
  revision: z.number().int(),
  description: z.string(),
  routes: z.array(RouteSchema).readonly(),
  shadow: ShadowSchema,
  routingKey: z.string().nullable(),
  batching: BatchingSchema,
  createdBy: z.string(),
  createdAt: Iso,
  updatedBy: z.string(),
  updatedAt: Iso,
});

export const DeploymentList = z.object({ items: z.array(DeploymentSchema).readonly() });

const CauseSchema = z.union([
  z.object({ kind: z.literal('create') }),
  z.object({ kind: z.literal('update'), changed: z.array(z.string()).readonly() }),
  z.object({ kind: z.literal('rollback'), toRevision: z.number().int() }),
  z.object({
    kind: z.literal('alias'),
    alias: z.string(),
    fromVersion: z.number().int(),
    toVersion: z.number().int(),
  }),
]);

export const DeploymentRevisionSchema = z.object({
  deployment: z.string(),
  revision: z.number().int(),
  routes: z.array(RouteSchema).readonly(),
  shadow: ShadowSchema,
  routingKey: z.string().nullable(),
  batching: BatchingSchema,
  cause: CauseSchema,
  actor: z.string(),
  at: Iso,
});

export const DeploymentRevisionPage = pageSchema(DeploymentRevisionSchema);
export const ListRevisionsQuery = PageQuerySchema;

export const StatusQuery = z.object({
  window: z.coerce
    .number()
    .int()
    .min(10)
    .max(350)
    .optional()
    .describe('Seconds of live figures, 10-350 (default 300)'),
});

const RouteStatusFields = {
  reference: z.string(),
  model: z.string(),
  version: z.number().int(),
  weight: z.number(),
  requests: z.number().int(),
  requestsPerSecond: z.number(),
  errors: z.number().int().describe('Server-side failures: the model threw, timed out or was overloaded'),
  invalid: z.number().int().describe('Requests refused as invalid (4xx)'),
  p50Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
};

export const DeploymentStatusSchema = z.object({
  deployment: z.string(),
  revision: z.number().int(),
  servingRevision: z
    .number()
    .int()
    .nullable()
    .describe('The revision this server serves (differs while a new one loads)'),
  windowSeconds: z.number().int(),
  routes: z.array(z.object(RouteStatusFields)).readonly(),
  shadow: z
    .object({ ...RouteStatusFields, fraction: z.number(), disagreements: z.number().int() })
    .nullable(),
  loadError: z.string().optional(),
});
