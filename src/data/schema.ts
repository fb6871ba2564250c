/** HTTP request and response schemas of the datasets API (validation, serialization and OpenAPI). */
import { z } from 'zod';
import { PageQuerySchema, pageSchema } from '../core/wire.js';
import { DATA_FORMATS, LOGICAL_TYPES } from './entities.js';
import { MAX_RUN_INPUTS } from './run-inputs.js';

const Iso = z.string().describe('ISO 8601 UTC time');
const StringMap = z.record(z.string(), z.string());

export const DatasetSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    tags: StringMap,
    latestVersion: z.number().int().optional().describe('Absent before the first push'),
    createdBy: z.string(),
    createdAt: Iso,
    updatedAt: Iso,
  })
  .meta({ id: 'Dataset' });

export const ColumnSchemaSchema = z
  .object({
    name: z.string(),
    type: z.enum(LOGICAL_TYPES),
    nullable: z.boolean().describe('True when the column holds at least one null'),
    physicalType: z.string().describe("DuckDB's type, e.g. BIGINT, DOUBLE, VARCHAR, DATE"),
  })
  .meta({ id: 'DatasetColumn' });

export const DatasetVersionSchema = z
  .object({
    id: z.string(),
    dataset: z.string(),
    version: z.number().int(),
    format: z.enum(DATA_FORMATS),
    sourceDigest: z.string().describe('sha256 of the bytes as pushed'),
    sourceSize: z.number().int(),
    dataDigest: z.string().describe('sha256 of the stored Parquet form'),
    dataSize: z.number().int(),
    rowCount: z.number().int(),
    columns: z.array(ColumnSchemaSchema).readonly(),
    description: z.string(),
    tags: StringMap,
    createdBy: z.string(),
    createdAt: Iso,
  })
  .meta({ id: 'DatasetVersion' });

const HistogramSchema = z.object({
  edges: z
    .array(z.number())
    .readonly()
    .describe('Ascending; bin i is [edges[i], edges[i+1]), the last closed'),
  counts: z.array(z.number().int()).readonly(),
});

export const ColumnProfileSchema = z
  .object({
    name: z.string(),
    type: z.enum(LOGICAL_TYPES),
    count: z.number().int().describe('Rows, nulls included'),
    nullCount: z.number().int(),
    distinct: z.number().int(),
    distinctApproximate: z.boolean(),
    numeric: z
      .object({
        min: z.number(),
        max: z.number(),
        mean: z.number(),
        std: z.number().describe('Sample standard deviation'),
        quantiles: z.record(z.string(), z.number()).describe("Keyed '0.01' … '0.99'"),
        quantilesApproximate: z.boolean(),
        histogram: HistogramSchema,
        nonFinite: z
          .number()
          .int()
          .optional()
          .describe('NaN and ±Infinity values, left out of the statistics'),
      })
      .optional(),
    top: z
      .array(z.object({ value: z.string(), count: z.number().int() }))
      .readonly()
      .optional()
      .describe('Strings and booleans: the 10 most frequent values'),
    temporal: z.object({ min: z.string(), max: z.string() }).optional(),
  })
  .meta({ id: 'DatasetColumnProfile' });

export const DatasetProfileSchema = z
  .object({
    dataset: z.string(),
    version: z.number().int(),
    rowCount: z.number().int(),
    columns: z.array(ColumnProfileSchema).readonly(),
  })
  .meta({ id: 'DatasetProfile' });

export const DatasetPage = pageSchema(DatasetSchema);
export const DatasetVersionPage = pageSchema(DatasetVersionSchema);
export const ListQuery = PageQuerySchema.strict();

export const UpdateBody = z.strictObject({
  description: z.string().optional(),
  tags: z
    .record(z.string(), z.string().nullable())
    .optional()
    .describe('Merged into the tags; null removes a tag'),
});

const Repeatable = z.union([z.string(), z.array(z.string())]).transform((value) =>
  (Array.isArray(value) ? value : [value])
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

export const PushQuery = z.strictObject({
  format: z.string().describe(`One of ${DATA_FORMATS.join(', ')}`),
  description: z.string().optional(),
  derivedFrom: Repeatable.optional().describe(
    'Versions this one was made from (name@N; repeatable or comma-separated): lineage edges',
  ),
  run: z.string().optional().describe('The run that produced this version: a lineage edge'),
});

export const RowsQuery = z.strictObject({
  limit: z.coerce.number().int().optional().describe('1 to 1000 (default 100)'),
  offset: z.coerce.number().int().optional().describe('Rows to skip (default 0)'),
});

export const RowsPageSchema = z
  .object({
    dataset: z.string(),
    version: z.number().int(),
    rowCount: z.number().int(),
    offset: z.number().int(),
    columns: z.array(z.object({ name: z.string(), type: z.enum(LOGICAL_TYPES) })).readonly(),
    rows: z
      .array(z.record(z.string(), z.unknown()))
      .readonly()
      .describe(
        'Safe integers as numbers (larger as strings), timestamps as ISO strings, NaN/±Infinity as strings, bytes as base64',
      ),
  })
  .meta({ id: 'DatasetRows' });

export const DownloadQuery = z.strictObject({
  form: z.enum(['source', 'parquet']).optional().describe('source (default): the bytes as pushed'),
});

export const LogRunInputsBody = z.object({
  datasets: z
    .array(z.string().min(1))
    .min(1)
    .max(MAX_RUN_INPUTS)
    .describe("Dataset versions the run read: 'orders@7' or 'orders@latest'"),
});

export const RunInputsSchema = z.object({
  run: z.string(),
  datasets: z.array(z.object({ dataset: z.string(), version: z.number().int() })).readonly(),
});
