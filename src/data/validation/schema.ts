/** HTTP schemas of validation suites and reports (validation, serialization and OpenAPI). */
import { z } from 'zod';
import { pageSchema } from '../../core/wire.js';
import { EXPECTATION_TYPES } from './suite.js';

const Json = z.unknown();

export const SuiteBody = z
  .unknown()
  .describe(
    'A suite: { name?, expectations: [{ type, column?, … }] } as JSON, or as YAML text with Content-Type application/yaml or text/yaml',
  );

const OffendingRowSchema = z.object({
  row: z.number().int().describe('0-based row position in the version'),
  values: z.record(z.string(), Json),
});

export const ExpectationResultSchema = z
  .object({
    index: z.number().int(),
    type: z.enum(EXPECTATION_TYPES),
    column: z.string().optional(),
    success: z.boolean(),
    observed: z.record(z.string(), Json).describe('What was measured (depends on the type)'),
    offendingCount: z.number().int().optional().describe('Row-level expectations: rows that break it'),
    message: z.string().optional().describe('Failures: why'),
    examples: z.array(OffendingRowSchema).readonly().optional().describe('Failures: up to 10 offending rows'),
  })
  .meta({ id: 'ExpectationResult' });

export const ValidationReportSchema = z
  .object({
    id: z.string(),
    dataset: z.string(),
    version: z.number().int(),
    suite: z.object({ name: z.string().optional(), expectations: z.array(Json).readonly() }),
    success: z.boolean(),
    counts: z.object({
      expectations: z.number().int(),
      passed: z.number().int(),
      failed: z.number().int(),
    }),
    rowCount: z.number().int(),
    results: z.array(ExpectationResultSchema).readonly(),
    createdBy: z.string(),
    createdAt: z.string().describe('ISO 8601 UTC time'),
  })
  .meta({ id: 'ValidationReport' });

export const ValidationReportPage = pageSchema(ValidationReportSchema);
