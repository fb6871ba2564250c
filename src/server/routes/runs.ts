/** /api/v1/runs: runs, params, tags, metrics, search and compare. */
import { z } from 'zod';
import { fromWireNumber, PageQuerySchema } from '../../core/wire.js';
import type { Platform } from '../../platform.js';
import {
  CompareRunsQuery,
  CreateRunBody,
  ListRunsQuery,
  LogMetricsBody,
  LogMetricsResult,
  LogParamsBody,
  MetricHistoryPage,
  RunComparisonSchema,
  RunPage,
  RunSchema,
  SearchRunsBody,
  SetTagsBody,
  UpdateRunBody,
} from '../../tracking/schema.js';
import { contextOf } from '../request-context.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';
import { wireComparison, wirePoint, wireRun } from './wire-run.js';

const RunId = z.object({ id: z.string().describe('Run id') });
const tags = ['runs'];

export function runRoutes(app: ZodApp, { tracking }: Platform): void {
  const { runs, metrics, search } = tracking;

  app.post(
    '/api/v1/runs',
    {
      schema: {
        tags,
        summary: 'Start a run under an experiment',
        body: CreateRunBody,
        response: { 201: RunSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) =>
      reply.code(201).send(wireRun(await runs.create(contextOf(request), request.body))),
  );

  app.get(
    '/api/v1/runs',
    {
      schema: {
        tags,
        summary: "List an experiment's runs, newest first",
        querystring: ListRunsQuery,
        response: { 200: RunPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const page = await runs.list(request.query);
      return { ...page, items: page.items.map(wireRun) };
    },
  );

  app.post(
    '/api/v1/runs/search',
    {
      config: { role: 'viewer' },
      schema: {
        tags,
        summary: 'Search runs by a filter, ordered by metrics, params or attributes',
        body: SearchRunsBody,
        response: { 200: RunPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const page = await search.search(request.body);
      return { ...page, items: page.items.map(wireRun) };
    },
  );

  app.get(
    '/api/v1/runs/compare',
    {
      schema: {
        tags,
        summary: 'Compare runs: params and latest metrics side by side',
        querystring: CompareRunsQuery,
        response: { 200: RunComparisonSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      wireComparison(
        await tracking.compare(
          request.query.ids
            .split(',')
            .map((id) => id.trim())
            .filter((id) => id !== ''),
        ),
      ),
  );

  app.get(
    '/api/v1/runs/:id',
    {
      schema: {
        tags,
        summary: 'Get a run with its params, tags and latest metrics',
        params: RunId,
        response: { 200: RunSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => wireRun(await runs.get(request.params.id)),
  );

  app.patch(
    '/api/v1/runs/:id',
    {
      schema: {
        tags,
        summary: "Change a run's status, name or end time",
        params: RunId,
        body: UpdateRunBody,
        response: { 200: RunSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => wireRun(await runs.update(contextOf(request), request.params.id, request.body)),
  );

  app.post(
    '/api/v1/runs/:id/params',
    {
      schema: {
        tags,
        summary: 'Set params (immutable once set)',
        params: RunId,
        body: LogParamsBody,
        response: { 200: RunSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      wireRun(await runs.logParams(contextOf(request), request.params.id, request.body.params)),
  );

  app.post(
    '/api/v1/runs/:id/tags',
    {
      schema: {
        tags,
        summary: 'Set or remove tags',
        params: RunId,
        body: SetTagsBody,
        response: { 200: RunSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => wireRun(await runs.setTags(contextOf(request), request.params.id, request.body.tags)),
  );

  app.post(
    '/api/v1/runs/:id/metrics',
    {
      schema: {
        tags,
        summary: 'Log a batch of metric points (all or nothing, at most 10,000)',
        params: RunId,
        body: LogMetricsBody,
        response: { 200: LogMetricsResult, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const points = request.body.metrics;
      const decoded = new Array(points.length);
      for (let i = 0; i < points.length; i++) {
        const point = points[i]!;
        decoded[i] = {
          key: point.key,
          value: fromWireNumber(point.value),
          step: point.step,
          timestamp: point.timestamp,
        };
      }
      return metrics.logBatch(contextOf(request), request.params.id, decoded);
    },
  );

  app.get(
    '/api/v1/runs/:id/metrics/*',
    {
      schema: {
        tags,
        summary: 'History of one metric, by step (limit up to 25,000)',
        params: RunId.extend({ '*': z.string().describe('Metric key, e.g. train/loss') }),
        querystring: PageQuerySchema.strict(),
        response: { 200: MetricHistoryPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const page = await metrics.history(request.params.id, request.params['*'], request.query);
      return { ...page, items: page.items.map(wirePoint) };
    },
  );
}
