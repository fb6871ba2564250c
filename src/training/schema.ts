/** HTTP request and response schemas of the AutoML API (validation, serialization and OpenAPI). */
import { z } from 'zod';
import { PageQuerySchema, pageSchema } from '../core/wire.js';
import { FAMILIES, METRIC_NAMES, STRATEGIES, TASKS } from './automl/index.js';
import { AUTOML_JOB_STATUSES } from './automl-job.js';

const Iso = z.string().describe('ISO 8601 UTC time');
const Params = z.record(z.string(), z.union([z.number(), z.string(), z.boolean()]));
const Metrics = z.record(z.string(), z.number());
/** Scores can be NaN (a failed fold); JSON carries them as null. */
const Score = z.number().nullable();

export const StartAutomlBody = z.strictObject({
  dataset: z.string().describe("Dataset version, e.g. 'churn@3' (a bare name means its latest version)"),
  target: z.string().describe('The column to predict'),
  task: z.enum(TASKS).optional().describe('Default: inferred from the target column'),
  metric: z.enum(METRIC_NAMES).optional().describe('Default: log_loss (classification), rmse (regression)'),
  strategy: z.enum(STRATEGIES).optional(),
  maxTrials: z.number().int().optional(),
  timeBudgetSeconds: z.number().optional(),
  folds: z.number().int().optional(),
  holdoutFraction: z.number().optional(),
  seed: z.number().int().optional(),
  searchSpace: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Family -> param -> domain; see the README'),
  exclude: z.array(z.string()).max(10_000).optional().describe('Columns not to learn from'),
  register: z.string().optional().describe('Register the best model as a new version of this model'),
  experiment: z.string().optional().describe("Experiment of the AutoML run (default 'automl-<dataset>')"),
  parallelism: z.number().int().optional().describe('Trials at once (default: the number of cores)'),
});

const Progress = z.object({
  trialsDone: z.number().int(),
  trialsFailed: z.number().int(),
  trialsPlanned: z.number().int(),
  elapsedMs: z.number(),
  timeBudgetMs: z.number(),
  best: z.object({ trial: z.number().int(), family: z.enum(FAMILIES), score: Score }).optional(),
});

const LeaderboardEntrySchema = z.object({
  rank: z.number().int(),
  trial: z.number().int(),
  run: z.string().optional().describe("The trial's child run"),
  family: z.enum(FAMILIES),
  params: Params,
  score: Score,
  std: Score,
  rung: z.number().int().optional(),
});

const HoldoutSchema = z.object({
  rows: z.number().int(),
  metrics: Metrics,
  confusionMatrix: z
    .object({
      classes: z.array(z.string()).readonly(),
      counts: z.array(z.array(z.number()).readonly()).readonly(),
    })
    .optional()
    .describe('counts[actual][predicted]'),
  residuals: z
    .object({
      mean: z.number(),
      std: z.number(),
      meanAbsolute: z.number(),
      min: z.number(),
      p5: z.number(),
      p50: z.number(),
      p95: z.number(),
      max: z.number(),
    })
    .optional()
    .describe('prediction - actual'),
});

export const AutomlJobSchema = z
  .object({
    id: z.string(),
    status: z.enum(AUTOML_JOB_STATUSES),
    dataset: z.string(),
    target: z.string(),
    task: z.enum(TASKS),
    metric: z.enum(METRIC_NAMES),
    spec: z
      .object({
        dataset: z.string(),
        target: z.string(),
        exclude: z.array(z.string()).readonly(),
        options: z.object({
          task: z.enum(TASKS),
          metric: z.enum(METRIC_NAMES),
          strategy: z.enum(STRATEGIES),
          maxTrials: z.number().int(),
          timeBudgetMs: z.number(),
          folds: z.number().int(),
          holdoutFraction: z.number(),
          seed: z.number().int(),
          parallelism: z.number().int(),
          searchSpace: z.record(z.string(), z.unknown()),
        }),
        register: z.string().optional(),
        experiment: z.string(),
      })
      .describe('What the job was asked to do, with every default filled in'),
    run: z.string().describe('The AutoML run; each trial is one of its child runs'),
    progress: Progress,
    result: z
      .object({
        best: LeaderboardEntrySchema,
        leaderboard: z.array(LeaderboardEntrySchema).readonly(),
        holdout: HoldoutSchema,
        trainRows: z.number().int(),
        stoppedBy: z.enum(['trials', 'time', 'exhausted']),
        artifact: z.string().describe('runs/<run>/artifacts/model/model.onnx'),
        modelVersion: z.string().optional().describe("The registered version, e.g. 'churn@4'"),
        ignoredColumns: z.array(z.object({ column: z.string(), reason: z.string() })).readonly(),
        droppedRows: z.number().int(),
      })
      .optional(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    cancelRequested: z.boolean(),
    createdBy: z.string(),
    createdAt: Iso,
    startedAt: Iso.optional(),
    finishedAt: Iso.optional(),
    updatedAt: Iso,
  })
  .meta({ id: 'AutomlJob' });

export const AutomlJobPage = pageSchema(AutomlJobSchema);
export const ListAutomlJobsQuery = PageQuerySchema.extend({
  status: z.enum(AUTOML_JOB_STATUSES).optional(),
}).strict();
export const AutomlJobParams = z.object({ id: z.string().describe('AutoML job id') });
