/** HTTP request and response schemas of dataset diffs (validation, serialization and OpenAPI). */
import { z } from 'zod';
import { LOGICAL_TYPES } from './entities.js';

const Logical = z.enum(LOGICAL_TYPES);
const Change = z.object({ from: z.number(), to: z.number(), delta: z.number().describe('to − from') });
const Side = z.object({ dataset: z.string(), version: z.number().int(), rowCount: z.number().int() });

export const DiffQuery = z.strictObject({
  from: z.string().min(1).describe("A version number, 'latest', or a full reference such as other@3"),
  to: z.string().min(1).describe("A version number, 'latest', or a full reference such as other@3"),
});

export const ColumnDiffSchema = z
  .object({
    name: z.string(),
    type: Logical.describe('Logical type in the `to` version'),
    fromType: Logical.optional().describe('Set when the logical type changed'),
    psi: z
      .number()
      .describe('Population stability index, from -> to (0: unchanged; above 0.2: a large shift)'),
    psiMethod: z
      .enum(['deciles', 'categories'])
      .describe("'deciles': bins at the from version's deciles; 'categories': one bin per value"),
    bins: z.number().int().describe('Bins summed over, the null bin included'),
    nullRate: Change,
    mean: Change.optional().describe('Numeric columns, over finite values'),
    std: Change.optional().describe('Numeric columns: sample standard deviation over finite values'),
  })
  .meta({ id: 'ColumnDiff' });

export const DatasetDiffSchema = z
  .object({
    from: Side,
    to: Side,
    rowCount: Change,
    schema: z.object({
      added: z.array(z.object({ name: z.string(), type: Logical })).readonly(),
      removed: z.array(z.object({ name: z.string(), type: Logical })).readonly(),
      typeChanged: z.array(z.object({ name: z.string(), from: Logical, to: Logical })).readonly(),
    }),
    columns: z.array(ColumnDiffSchema).readonly().describe('Common columns, highest PSI first'),
  })
  .meta({ id: 'DatasetDiff' });
