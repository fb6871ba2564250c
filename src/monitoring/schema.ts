/**
 * HTTP schemas of the monitoring API (validation, serialization and OpenAPI), and the wire form of a
 * drift comparison: test statistics, p-values, distances and strengths that are NaN or ±Infinity
 * (a p-value of 0 gives an infinite strength) travel as "NaN", "Infinity", "-Infinity".
 */
import { z } from 'zod';
import { fromWireNumber, toWireNumber, type WireNumber, WireNumberSchema } from '../core/wire.js';
import { COLUMN_DRIFT_TESTS, DRIFT_TESTS, MULTIVARIATE_DRIFT_TESTS } from './drift/report-types.js';
import type { DriftCompareRequest, DriftComparison } from './drift-comparison.js';

const CORRECTIONS = ['none', 'bonferroni', 'bh'] as const;

export const DriftCompareBody = z.strictObject({
  reference: z
    .string()
    .min(1)
    .describe('The reference dataset version: dataset@N, dataset@latest or a bare name (latest)'),
  current: z.string().min(1).describe('The current dataset version, as reference'),
  columns: z
    .array(z.string().min(1))
    .min(1)
    .max(10_000)
    .optional()
    .describe('Columns to compare; default every column of either table'),
  tests: z
    .array(z.enum(DRIFT_TESTS))
    .min(1)
    .optional()
    .describe(
      'Run exactly these tests wherever they apply (default: one test per column chosen by its data); mmd is the multivariate test over the numeric columns',
    ),
  overrides: z
    .record(
      z.string(),
      z.strictObject({
        test: z.enum(DRIFT_TESTS).describe('A per-column test (mmd is refused: it is multivariate)'),
        threshold: z.number().optional().describe("Default: the test's default threshold"),
      }),
    )
    .optional()
    .describe('Per column: one test and threshold replacing the default or `tests`'),
  driftShare: z
    .number()
    .optional()
    .describe('Dataset drift when at least this share of columns drifts, in (0, 1] (default 0.5)'),
  bins: z.number().int().optional().describe('Equal-width histogram bins, 1 to 10000 (default 10)'),
  correction: z
    .enum(CORRECTIONS)
    .optional()
    .describe('Multiple-testing correction of the per-column p-values (default none)'),
});

const Num = WireNumberSchema;
const Ignored = z.object({ column: z.string(), reason: z.string() });

const TestOutcomeSchema = z.object({
  test: z.enum(COLUMN_DRIFT_TESTS),
  statistic: Num.describe('KS D, χ², z, or the distance for distance tests'),
  pvalue: Num.optional().describe('ks, chi2, ztest'),
  adjustedPvalue: Num.optional().describe('After the correction, when one is applied'),
  distance: Num.optional().describe('psi, js, or the normalised Wasserstein distance'),
  threshold: z.number(),
  drifted: z.boolean(),
  strength: Num.describe('distance / threshold, or ln(p) / ln(threshold); above 1 means drift'),
});

const ColumnResultSchema = TestOutcomeSchema.extend({
  column: z.string(),
  kind: z.enum(['numeric', 'categorical']),
  tests: z.array(TestOutcomeSchema).readonly(),
  referenceRows: z.number().int(),
  currentRows: z.number().int(),
  nullShare: z.object({ reference: z.number(), current: z.number() }),
  histogram: z.object({
    edges: z.array(z.number()).readonly().optional(),
    categories: z.array(z.string()).readonly().optional(),
    reference: z.array(z.number()).readonly(),
    current: z.array(z.number()).readonly(),
  }),
});

const MultivariateSchema = z.object({
  test: z.enum(MULTIVARIATE_DRIFT_TESTS),
  statistic: Num.describe('Biased squared MMD of the standardised rows'),
  pvalue: Num.describe('Permutation p-value (not corrected)'),
  threshold: z.number(),
  drifted: z.boolean().describe('pvalue < threshold; also makes datasetDrift true'),
  columns: z.array(z.string()).readonly(),
  referenceRows: z.number().int(),
  currentRows: z.number().int(),
});

export const DriftComparisonSchema = z
  .object({
    reference: z.string().describe('The resolved reference, e.g. churn-train@3'),
    current: z.string(),
    rows: z.object({ reference: z.number().int(), current: z.number().int() }),
    columns: z.array(ColumnResultSchema).readonly().describe('Drifted first, then by strength, then by name'),
    driftedColumns: z.number().int(),
    totalColumns: z.number().int(),
    share: z.number(),
    driftShare: z.number(),
    datasetDrift: z.boolean(),
    correction: z.enum(CORRECTIONS),
    skipped: z.array(Ignored).readonly().describe('Columns not compared, with the reason'),
    ignored: z.array(Ignored).readonly().describe('Columns left out for their type (dates, timestamps …)'),
    multivariate: MultivariateSchema.optional(),
  })
  .meta({ id: 'DriftComparison' });

export type WireDriftComparison = z.output<typeof DriftComparisonSchema>;

/** The request as the service takes it (the body's shapes are checked again by compareTables). */
export function compareRequestOf(body: z.output<typeof DriftCompareBody>): DriftCompareRequest {
  return body as DriftCompareRequest;
}

type Outcome = Record<string, unknown>;
const OUTCOME_NUMBERS = ['statistic', 'pvalue', 'adjustedPvalue', 'distance', 'strength'] as const;

function mapOutcome<T extends Outcome>(outcome: T, f: (value: never) => unknown): T {
  const out: Outcome = { ...outcome };
  for (const key of OUTCOME_NUMBERS) if (out[key] !== undefined) out[key] = f(out[key] as never);
  return out as T;
}

function mapComparison(value: Outcome, f: (value: never) => unknown): Outcome {
  const columns = (value.columns as Outcome[]).map((c) => ({
    ...mapOutcome(c, f),
    tests: (c.tests as Outcome[]).map((t) => mapOutcome(t, f)),
  }));
  const mv = value.multivariate as Outcome | undefined;
  return {
    ...value,
    columns,
    ...(mv === undefined
      ? {}
      : { multivariate: { ...mv, statistic: f(mv.statistic as never), pvalue: f(mv.pvalue as never) } }),
  };
}

/** Non-finite numbers of a comparison as the API's strings. */
export function toWireComparison(comparison: DriftComparison): WireDriftComparison {
  return mapComparison(comparison as unknown as Outcome, (v: number) =>
    toWireNumber(v),
  ) as unknown as WireDriftComparison;
}

/** Back from the wire: only the number fields are decoded (category labels may read "NaN"). */
export function fromWireComparison(wire: WireDriftComparison): DriftComparison {
  return mapComparison(wire as unknown as Outcome, (v: WireNumber) =>
    fromWireNumber(v),
  ) as unknown as DriftComparison;
}
