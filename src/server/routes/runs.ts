/** /api/v1/runs: runs, params, tags, metrics, search and compare. */
import { validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { fromWireNumber, PageQuerySchema, type WireNumber } from '../../core/wire.js';
import type { Platform } from '../../platform.js';
import type { MetricBatch, MetricInput } from '../../tracking/index.js';
import {
  CompareRunsQuery,
  CreateRunBody,
  isPlainLogMetricsBody,
  ListRunsQuery,
  LogMetricsBody,
  type LogMetricsBodyType,
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
      // The zod parse copies every point of a batch and was a large share of a batch's cost; a plain
      // valid body is checked in place instead. Anything else still gets the zod parse and its errors.
      validatorCompiler: ({ httpPart, method, url }) => {
        if (httpPart === 'params') return validatorCompiler({ schema: RunId, httpPart, method, url });
        if (httpPart !== 'body') throw new Error(`${method} ${url} has no ${httpPart} schema`);
        const zod = validatorCompiler({ schema: LogMetricsBody, httpPart, method, url });
        return (data) => (isPlainLogMetricsBody(data) ? { value: data } : zod(data));
      },
    },
    async (request) => metrics.logBatch(contextOf(request), request.params.id, decodeWireBatch(request.body)),
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

/** NaN and ±Infinity arrive as strings; points and series without any (the usual case) are used as they are. */
function decodeWireBatch(body: LogMetricsBodyType): MetricBatch {
  const { metrics, series } = body;
  return {
    ...(metrics === undefined
      ? {}
      : {
          metrics: metrics.every(hasNumberValue)
            ? metrics
            : metrics.map((point) => ({ ...point, value: fromWireNumber(point.value) })),
        }),
    ...(series === undefined
      ? {}
      : {
          series: series.map((entry) =>
            entry.values.every(isNumber)
              ? { ...entry, values: entry.values as number[] }
              : { ...entry, values: entry.values.map(fromWireNumber) },
          ),
        }),
  };
}

function hasNumberValue(point: { readonly value: WireNumber }): point is MetricInput {
  return typeof point.value === 'number';
}

function isNumber(value: WireNumber): value is number {
  return typeof value === 'number';
}
