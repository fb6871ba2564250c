/** HTTP request and response schemas of the tracking API (validation, serialization and OpenAPI). */
import { z } from 'zod';
import { PageQuerySchema, pageSchema, WireNumberSchema } from '../core/wire.js';
import { LIFECYCLES, RUN_STATUSES } from './entities.js';
import { MAX_FILTER_COMPARISONS, MAX_FILTER_DEPTH, MAX_FILTER_LIST_VALUES } from './search/filter-parser.js';

/** Each searched experiment is looked up by id or name; each order term is a subquery. */
const MAX_SEARCHED_EXPERIMENTS = 100;
const MAX_ORDER_TERMS = 10;

const Iso = z.string().describe('ISO 8601 UTC time');
const StringMap = z.record(z.string(), z.string());

export const ExperimentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    tags: StringMap,
    lifecycle: z.enum(LIFECYCLES),
    createdAt: Iso,
    updatedAt: Iso,
    deletedAt: Iso.optional(),
  })
  .meta({ id: 'Experiment' });

export const CreateExperimentBody = z.strictObject({
  name: z.string().describe('^[a-z0-9][a-z0-9._-]{0,127}$; upper case is folded to lower case'),
  description: z.string().optional(),
  tags: StringMap.optional(),
});

export const UpdateExperimentBody = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
  tags: z
    .record(z.string(), z.string().nullable())
    .optional()
    .describe('Merged into the tags; null removes a tag'),
});

export const ListExperimentsQuery = PageQuerySchema.extend({
  lifecycle: z
    .enum([...LIFECYCLES, 'all'])
    .optional()
    .describe('Default: active'),
  nameContains: z.string().optional(),
}).strict();

export const ExperimentPage = pageSchema(ExperimentSchema);

export const MetricPointSchema = z
  .object({
    value: WireNumberSchema,
    step: z.number().int(),
    timestamp: z.number().int().describe('Epoch milliseconds'),
  })
  .meta({ id: 'MetricPoint' });

export const RunSchema = z
  .object({
    id: z.string(),
    experimentId: z.string(),
    name: z.string(),
    status: z.enum(RUN_STATUSES),
    startTime: Iso,
    endTime: Iso.optional(),
    parentRunId: z.string().optional(),
    gitCommit: z.string().optional(),
    createdBy: z.string(),
    updatedAt: Iso,
    params: StringMap,
    tags: StringMap,
    metrics: z.record(z.string(), MetricPointSchema).describe('Latest point of each metric'),
  })
  .meta({ id: 'Run' });

export const RunPage = pageSchema(RunSchema);

const ParamValue = z.union([z.string(), z.number(), z.boolean()]);

export const CreateRunBody = z.strictObject({
  experiment: z.string().describe('Experiment id or name'),
  name: z.string().optional().describe('Default: a generated name such as brave-otter-417'),
  params: z.record(z.string(), ParamValue).optional().describe('Stored as strings; immutable once set'),
  tags: StringMap.optional(),
  parentRunId: z.string().optional(),
  gitCommit: z.string().optional(),
  startTime: Iso.optional(),
});

export const UpdateRunBody = z.strictObject({
  status: z.enum(RUN_STATUSES).optional(),
  name: z.string().optional(),
  endTime: Iso.optional(),
});

export const ListRunsQuery = PageQuerySchema.extend({
  experiment: z.string().describe('Experiment id or name'),
  status: z.enum(RUN_STATUSES).optional(),
  parentRunId: z.string().optional(),
}).strict();

export { isPlainLogMetricsBody, LogMetricsBody, type LogMetricsBodyType } from './metrics-body.js';

export const LogMetricsResult = z.object({ accepted: z.number().int() });

export const LogParamsBody = z.strictObject({ params: z.record(z.string(), ParamValue) });

export const SetTagsBody = z.strictObject({
  tags: z.record(z.string(), z.string().nullable()).describe('null removes a tag'),
});

export const MetricHistoryPage = pageSchema(MetricPointSchema);

export const SearchRunsBody = z.strictObject({
  experiments: z
    .array(z.string())
    .max(MAX_SEARCHED_EXPERIMENTS)
    .optional()
    .describe(`Experiment ids or names (at most ${MAX_SEARCHED_EXPERIMENTS}); default: all active`),
  filter: z
    .string()
    .optional()
    .describe(
      `e.g. metrics.accuracy > 0.9 and params.model = 'gbdt' (at most ${MAX_FILTER_COMPARISONS} comparisons and ${MAX_FILTER_LIST_VALUES} list values, nesting at most ${MAX_FILTER_DEPTH} deep)`,
    ),
  orderBy: z
    .array(z.string())
    .max(MAX_ORDER_TERMS)
    .optional()
    .describe(`e.g. ['metrics.accuracy desc'] (at most ${MAX_ORDER_TERMS} terms)`),
  limit: z.number().int().optional(),
  pageToken: z.string().optional(),
});

export const CompareRunsQuery = z.strictObject({ ids: z.string().describe('Comma-separated run ids') });

export const RunComparisonSchema = z.object({
  runs: z
    .array(
      z.object({
        id: z.string(),
        name: z.string(),
        experimentId: z.string(),
        status: z.enum(RUN_STATUSES),
        startTime: Iso,
        endTime: Iso.optional(),
      }),
    )
    .readonly(),
  params: z
    .array(
      z.object({ key: z.string(), values: z.array(z.string().nullable()).readonly(), differs: z.boolean() }),
    )
    .readonly(),
  metrics: z.array(
    z.object({ key: z.string(), values: z.array(WireNumberSchema.nullable()), differs: z.boolean() }),
  ),
});

export const ArtifactInfoSchema = z
  .object({
    path: z.string(),
    digest: z.string().describe('sha256, hex'),
    size: z.number().int(),
    createdAt: Iso,
  })
  .meta({ id: 'ArtifactInfo' });

export const ArtifactListQuery = z.strictObject({ prefix: z.string().optional() });
export const ArtifactList = z.object({ items: z.array(ArtifactInfoSchema).readonly() });
