/** HTTP request and response schemas of the registry API (validation, serialization and OpenAPI). */
import { z } from 'zod';
import { PageQuerySchema, pageSchema } from '../core/wire.js';
import {
  ALIAS_MOVE_REASONS,
  APPROVAL_STATUSES,
  DATASET_ROLES,
  MODEL_FORMATS,
  MODEL_LIFECYCLES,
} from './entities.js';

const Iso = z.string().describe('ISO 8601 UTC time');
const StringMap = z.record(z.string(), z.string());
const Metrics = z.record(z.string(), z.number()).describe('Metric name -> finite number');

/** Versions are PostgreSQL integers: larger numbers would be a database error, not a 404. */
const MAX_VERSION = 2 ** 31 - 1;
const VersionNumber = z.number().int().min(1).max(MAX_VERSION);

export const ModelParams = z.object({ name: z.string().describe('Model name') });
export const VersionParams = ModelParams.extend({
  ref: z.string().describe("A version number, an alias, or 'latest'"),
});
export const AliasParams = ModelParams.extend({ alias: z.string().describe('Alias, e.g. champion') });

export const PolicySchema = z
  .object({
    requireApprovalFor: z.array(z.string()).readonly().describe('Aliases that need an approved version'),
  })
  .meta({ id: 'ModelPolicy' });

const ModelFields = {
  id: z.string(),
  name: z.string(),
  description: z.string(),
  tags: StringMap,
  policy: PolicySchema,
  lifecycle: z.enum(MODEL_LIFECYCLES),
  latestVersion: z.number().int().optional(),
  createdBy: z.string(),
  createdAt: Iso,
  updatedAt: Iso,
  deletedAt: Iso.optional(),
};

export const ModelSchema = z.object(ModelFields).meta({ id: 'Model' });
export const ModelPage = pageSchema(ModelSchema);

const TensorSpecSchema = z
  .object({
    name: z.string(),
    kind: z.string().describe('tensor, sparse_tensor, sequence, map, optional'),
    elementType: z.string().describe('float32, int64, string …; or e.g. map(int64,float32)'),
    shape: z
      .array(z.union([z.number().int(), z.string(), z.null()]))
      .readonly()
      .nullable()
      .optional()
      .describe('Tensors: a number, a symbolic name, or null (unknown) per dimension; null: unknown rank'),
  })
  .meta({ id: 'TensorSpec' });

export const SignatureSchema = z
  .object({
    inputs: z.array(TensorSpecSchema).readonly(),
    outputs: z.array(TensorSpecSchema).readonly(),
    opsets: z.array(z.object({ domain: z.string(), version: z.number().int() })).readonly(),
    irVersion: z.number().int(),
    producerName: z.string(),
    producerVersion: z.string(),
    metadata: StringMap,
  })
  .meta({ id: 'ModelSignature' });

const DatasetLinkSchema = z.object({
  dataset: z.string(),
  version: z.number().int(),
  role: z.enum(DATASET_ROLES),
});

const ApprovalSchema = z.object({
  status: z.enum(APPROVAL_STATUSES),
  comment: z.string().optional(),
  by: z.string().optional(),
  at: Iso.optional(),
});

export const FeatureSchema = z
  .object({
    name: z.string(),
    type: z.enum(['numeric', 'categorical']),
    categories: z
      .array(z.string())
      .readonly()
      .optional()
      .describe('Categorical: the categories the model knows'),
  })
  .meta({ id: 'ModelFeature' });

export const ModelVersionSchema = z
  .object({
    id: z.string(),
    model: z.string(),
    version: z.number().int().describe('The resolved version number'),
    format: z.enum(MODEL_FORMATS),
    digest: z.string().describe('sha256 of the model file, hex'),
    size: z.number().int(),
    signature: SignatureSchema,
    featureNames: z.array(z.string()).readonly().optional(),
    features: z
      .array(FeatureSchema)
      .readonly()
      .optional()
      .describe("How named features map onto the graph's inputs"),
    classes: z
      .array(z.string())
      .readonly()
      .optional()
      .describe('Classifiers: label classes, in probability column order'),
    metrics: Metrics,
    run: z.string().optional().describe('The run that produced it'),
    datasets: z.array(DatasetLinkSchema).readonly(),
    description: z.string(),
    tags: StringMap,
    approval: ApprovalSchema,
    aliases: z.array(z.string()).readonly().describe('Aliases pointing at this version now'),
    createdBy: z.string(),
    createdAt: Iso,
  })
  .meta({ id: 'ModelVersion' });

export const ModelVersionPage = pageSchema(ModelVersionSchema);

export const ModelDetailsSchema = z
  .object({
    ...ModelFields,
    latest: ModelVersionSchema.optional().describe('The newest version'),
    aliases: z.record(z.string(), z.number().int()).describe('Alias -> version'),
  })
  .meta({ id: 'ModelDetails' });

export const CreateModelBody = z.strictObject({
  name: z.string().describe('^[a-z0-9][a-z0-9._-]{0,127}$; upper case is folded to lower case'),
  description: z.string().optional(),
  tags: StringMap.optional(),
});

export const UpdateModelBody = z.strictObject({
  description: z.string().optional(),
  tags: z
    .record(z.string(), z.string().nullable())
    .optional()
    .describe('Merged into the tags; null removes a tag'),
});

export const ListModelsQuery = PageQuerySchema.extend({
  lifecycle: z
    .enum([...MODEL_LIFECYCLES, 'all'])
    .optional()
    .describe('Default: active'),
  nameContains: z.string().optional(),
}).strict();

export const PolicyBody = z.strictObject({
  requireApprovalFor: z
    .array(z.string())
    .max(100)
    .describe('Aliases that may only point at approved versions'),
});

const DatasetRefSchema = z.strictObject({
  ref: z.string().describe("Dataset version, e.g. 'train@3'"),
  role: z.enum(DATASET_ROLES),
});

const RegisterFields = {
  run: z.string().optional().describe('The producing run (default: the run of source)'),
  datasets: z.array(DatasetRefSchema).max(100).optional(),
  metrics: Metrics.optional(),
  description: z.string().optional(),
  featureNames: z.array(z.string()).optional(),
  features: z.array(FeatureSchema).optional(),
  classes: z.array(z.string()).optional(),
  tags: StringMap.optional(),
};

export const RegisterFromSourceBody = z
  .strictObject({
    source: z.string().describe('runs/<runId>/artifacts/<path> of an artifact already stored'),
    ...RegisterFields,
  })
  .describe(
    'application/json: register an artifact already in a run. To upload the file instead, send it as the application/octet-stream body with the metadata in the query string.',
  );

const Repeated = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]));

/** The metadata of an upload, as query parameters (the body is the ONNX file). */
export const RegisterUploadQuery = z.strictObject({
  run: z.string().optional().describe('Upload only: the producing run id'),
  dataset: Repeated.describe("Upload only, repeatable: a training dataset version, e.g. 'train@3'"),
  validationDataset: Repeated.describe('Upload only, repeatable: a validation dataset version'),
  metric: Repeated.describe("Upload only, repeatable: 'name=value', e.g. 'auc=0.91'"),
  featureNames: z.string().optional().describe('Upload only: comma-separated feature names'),
  features: z
    .string()
    .optional()
    .describe('Upload only: the features as JSON, [{"name","type":"numeric"|"categorical","categories"?}]'),
  classes: z.string().optional().describe('Upload only: the label classes as a JSON array of strings'),
  description: z.string().optional().describe('Upload only'),
  tag: Repeated.describe("Upload only, repeatable: 'key=value'"),
});

export const ListVersionsQuery = PageQuerySchema.strict();

/** The body is optional: a POST without one reaches the schema as null, and means no comment. */
export const DecisionBody = z.strictObject({ comment: z.string().optional() }).nullable();

export const ModelAliasSchema = z
  .object({
    model: z.string(),
    alias: z.string(),
    version: z.number().int(),
    updatedBy: z.string(),
    updatedAt: Iso,
  })
  .meta({ id: 'ModelAlias' });

export const ModelAliasList = z.object({ items: z.array(ModelAliasSchema).readonly() });

export const AliasMoveSchema = z
  .object({
    id: z.string(),
    model: z.string(),
    alias: z.string(),
    from: z.number().int().optional().describe('Absent when the move created the alias'),
    to: z.number().int().optional().describe('Absent when the move deleted the alias'),
    reason: z.enum(ALIAS_MOVE_REASONS),
    actor: z.string(),
    requestId: z.string(),
    at: Iso,
  })
  .meta({ id: 'AliasMove' });

export const AliasHistoryPage = pageSchema(AliasMoveSchema);

export const SetAliasBody = z.strictObject({
  version: VersionNumber,
  expectedVersion: VersionNumber.nullable()
    .optional()
    .describe(
      'Compare-and-set: the version the alias points at now; null: it must not exist; omitted: unconditional',
    ),
});

export const ExpectedQuery = z.strictObject({
  expectedVersion: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_VERSION)
    .optional()
    .describe('Compare-and-set: the version it points at now'),
});

/** Optional: a POST without a body reaches the schema as null, and means an unconditional rollback. */
export const RollbackBody = z
  .strictObject({
    expectedVersion: VersionNumber.optional().describe('Compare-and-set: the version it points at now'),
  })
  .nullish();

const SliceSchema = z.strictObject({
  slice: z.string().describe("e.g. 'all', 'region=eu'"),
  dataset: z.string().optional().describe("e.g. 'churn-valid@2'"),
  metrics: Metrics,
});

export const CardBody = z.strictObject({
  description: z.string().optional(),
  intendedUse: z.string().optional(),
  limitations: z.string().optional(),
  ethicalConsiderations: z.string().optional(),
  evaluation: z.array(SliceSchema).optional().describe('Metrics per dataset slice'),
  markdown: z.string().optional().describe('Free-form markdown'),
});

export const CardQuery = z.strictObject({
  format: z
    .enum(['json', 'markdown'])
    .optional()
    .describe('Default: json, or markdown with Accept: text/markdown'),
});

const ColumnSummarySchema = z.object({
  name: z.string(),
  type: z.string(),
  nullFraction: z.number(),
  distinct: z.number(),
  mean: z.number().optional(),
  std: z.number().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  top: z
    .array(z.object({ value: z.string(), count: z.number() }))
    .readonly()
    .optional(),
});

export const ModelCardSchema = z
  .object({
    model: z.string(),
    version: z.number().int(),
    description: z.string(),
    intendedUse: z.string(),
    limitations: z.string(),
    ethicalConsiderations: z.string(),
    evaluation: z.array(SliceSchema).readonly(),
    markdown: z.string(),
    updatedBy: z.string().optional(),
    updatedAt: Iso.optional(),
    automatic: z.object({
      format: z.enum(MODEL_FORMATS),
      digest: z.string(),
      size: z.number().int(),
      signature: SignatureSchema,
      featureNames: z.array(z.string()).readonly().optional(),
      features: z.array(FeatureSchema).readonly().optional(),
      classes: z.array(z.string()).readonly().optional(),
      metrics: Metrics,
      lineage: z.object({ run: z.string().optional(), datasets: z.array(DatasetLinkSchema).readonly() }),
      approval: ApprovalSchema,
      aliases: z.array(z.string()).readonly(),
      trainingData: z
        .object({
          dataset: z.string(),
          version: z.number().int(),
          rowCount: z.number(),
          columns: z.array(ColumnSummarySchema).readonly(),
        })
        .optional(),
      createdBy: z.string(),
      createdAt: Iso,
    }),
  })
  .meta({ id: 'ModelCard' });
