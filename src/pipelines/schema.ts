/** HTTP request and response schemas of the pipelines API (validation, serialization and OpenAPI). */
import { z } from 'zod';
import { PageQuerySchema, pageSchema } from '../core/wire.js';
import { EXECUTORS, PIPELINE_RUN_STATUSES, STEP_STATUSES } from './entities.js';

const Iso = z.string().describe('ISO 8601 UTC time');
const Json = z.unknown();
const JsonObject = z.record(z.string(), Json);
const ErrorInfo = z.object({ code: z.string(), message: z.string() });

export const PipelineSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    latestVersion: z.number().int(),
    createdBy: z.string(),
    createdAt: Iso,
    updatedBy: z.string(),
    updatedAt: Iso,
  })
  .meta({ id: 'Pipeline' });

const CodeSchema = z.object({
  bundles: z.record(
    z.string(),
    z.object({
      digest: z.string(),
      size: z.number().int(),
      module: z.string(),
      export: z.string(),
      exports: z.array(z.string()).readonly(),
    }),
  ),
  files: z.record(z.string(), z.object({ digest: z.string(), size: z.number().int() })),
});

export const PipelineVersionSchema = z
  .object({
    pipeline: z.string(),
    version: z.number().int(),
    digest: z.string(),
    spec: Json.describe('The definition as applied (every default written out)'),
    code: CodeSchema.describe('Bundles of fn steps and the files snapshot, as blob digests'),
    source: z.string(),
    createdBy: z.string(),
    createdAt: Iso,
  })
  .meta({ id: 'PipelineVersion' });

export const ApplyResultSchema = z.object({
  pipeline: PipelineSchema,
  version: PipelineVersionSchema,
  created: z.boolean().describe('False when the definition and code equal the latest version'),
});

export const ApplyPipelineBody = z.strictObject({
  spec: JsonObject.describe('The pipeline definition, as in YAML'),
  source: z.string().max(255).optional(),
});

const StepRunSchema = z.object({
  step: z.string(),
  item: z.number().int().optional(),
  status: z.enum(STEP_STATUSES),
  attempt: z.number().int(),
  itemValue: Json.optional(),
  inputs: JsonObject.optional(),
  outputs: JsonObject.optional(),
  cacheKey: z.string().optional(),
  cachedFrom: z.string().optional(),
  reason: z.string().optional(),
  error: ErrorInfo.optional(),
  retryAt: Iso.optional(),
  worker: z.string().optional(),
  startedAt: Iso.optional(),
  finishedAt: Iso.optional(),
});

export const PipelineRunSchema = z
  .object({
    id: z.string(),
    pipeline: z.string(),
    version: z.number().int(),
    status: z.enum(PIPELINE_RUN_STATUSES),
    params: JsonObject,
    executor: z.enum(EXECUTORS),
    useCache: z.boolean(),
    trigger: JsonObject.describe(
      'Why the run started: {kind: manual | retry | webhook | schedule | dataset | drift, …}',
    ),
    run: z.string().describe('The tracking run'),
    error: ErrorInfo.optional(),
    cancelRequested: z.boolean(),
    createdBy: z.string(),
    createdAt: Iso,
    startedAt: Iso.optional(),
    finishedAt: Iso.optional(),
    updatedAt: Iso,
    steps: z.array(StepRunSchema).readonly().optional(),
  })
  .meta({ id: 'PipelineRun' });

export const PipelinePage = pageSchema(PipelineSchema);
export const PipelineVersionPage = pageSchema(PipelineVersionSchema);
export const PipelineRunPage = pageSchema(PipelineRunSchema);
export const ListPipelinesQuery = PageQuerySchema.extend({ nameContains: z.string().optional() }).strict();
export const ListPipelineRunsQuery = PageQuerySchema.extend({
  pipeline: z.string().optional(),
  status: z.enum(PIPELINE_RUN_STATUSES).optional(),
}).strict();
export const PipelineParams = z.object({ name: z.string().describe('Pipeline name') });
export const PipelineVersionParams = z.object({
  name: z.string(),
  version: z.coerce.number().int().describe('Version number'),
});
export const PipelineRunParams = z.object({ id: z.string().describe('Pipeline run id') });

export const StartRunBody = z.strictObject({
  version: z.number().int().optional().describe('Default: the latest version'),
  params: JsonObject.optional().describe('Param values; text is converted to the declared type'),
  executor: z.enum(EXECUTORS).optional().describe("Default 'local'"),
  useCache: z.boolean().optional().describe('False runs every step anew (--no-cache)'),
});

export const RetryRunBody = z.strictObject({
  from: z.string().optional().describe('Run this step and everything downstream again; reuse the rest'),
});

export const LogsQuery = z
  .object({
    step: z.string().optional(),
    item: z.coerce.number().int().optional(),
    afterSeq: z.coerce.number().int().optional().describe('Only chunks after this one (needs step)'),
  })
  .strict();

export const LogChunks = z.object({
  chunks: z
    .array(
      z.object({
        step: z.string(),
        item: z.number().int().optional(),
        seq: z.number().int(),
        at: Iso,
        text: z.string(),
      }),
    )
    .readonly(),
});

export const TriggerRunBody = z.strictObject({
  params: JsonObject.optional().describe('Param values; text is converted to the declared type'),
  executor: z.enum(EXECUTORS).optional(),
});

export const SchedulesQuery = z.object({ pipeline: z.string().optional() }).strict();

export const PipelineSchedulesSchema = z.object({
  schedules: z
    .array(
      z.object({
        pipeline: z.string(),
        cron: z.string(),
        timezone: z.string(),
        params: JsonObject,
        nextFireAt: Iso.optional().describe('Absent when the expression never fires again'),
        lastFireAt: Iso.optional(),
        lastRun: z.string().optional(),
      }),
    )
    .readonly(),
  triggers: z
    .array(
      z.object({
        pipeline: z.string(),
        dataset: z.string().describe('Dataset name pattern'),
        param: z.string().optional(),
        params: JsonObject,
        lastFireAt: Iso.optional(),
        lastRun: z.string().optional(),
      }),
    )
    .readonly(),
});
