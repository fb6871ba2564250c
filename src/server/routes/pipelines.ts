/**
 * /api/v1/pipelines and /api/v1/pipeline-runs: apply definitions (JSON, or a package with code from
 * `slipway pipelines apply`), read versions, start, follow, cancel and retry runs, read step logs.
 */
import { Readable } from 'node:stream';
import { readApplyPackage } from '../../pipelines/package/index.js';
import {
  ApplyPipelineBody,
  ApplyResultSchema,
  ListPipelineRunsQuery,
  ListPipelinesQuery,
  LogChunks,
  LogsQuery,
  PipelinePage,
  PipelineParams,
  PipelineRunPage,
  PipelineRunParams,
  PipelineRunSchema,
  PipelineSchedulesSchema,
  PipelineSchema,
  PipelineVersionPage,
  PipelineVersionParams,
  PipelineVersionSchema,
  RetryRunBody,
  SchedulesQuery,
  StartRunBody,
  TriggerRunBody,
} from '../../pipelines/schema.js';
import type { Platform } from '../../platform.js';
import { rawBodyRoutes, withRequestBody } from '../raw-bytes.js';
import { contextOf } from '../request-context.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';

const tags = ['pipelines'];

export function pipelineRoutes(app: ZodApp, platform: Platform): void {
  const { pipelines, runs } = platform.pipelines;

  app.post(
    '/api/v1/pipelines',
    {
      schema: {
        tags,
        summary: 'Apply a pipeline definition given as JSON (steps of kind fn need code: apply a package)',
        body: ApplyPipelineBody,
        response: { 200: ApplyResultSchema, 201: ApplyResultSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const result = await pipelines.apply(contextOf(request), {
        spec: request.body.spec,
        ...(request.body.source === undefined ? {} : { source: request.body.source }),
      });
      reply.code(result.created ? 201 : 200);
      return result;
    },
  );

  rawBodyRoutes(app, (raw) => {
    raw.post(
      '/api/v1/pipelines/package',
      {
        schema: {
          tags,
          summary:
            'Apply a pipeline package (a tar: pipeline.json, bundles/<step>.mjs, files/…), as `slipway pipelines apply` sends it',
          response: { 200: ApplyResultSchema, 201: ApplyResultSchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const ctx = contextOf(request);
        const applied = await withRequestBody(request.raw, (body) =>
          readApplyPackage(Readable.from(body), platform.blobs, {
            maxBytes: platform.config.maxArtifactBytes,
          }),
        );
        const result = await pipelines.apply(ctx, {
          spec: applied.spec,
          source: applied.source,
          code: { bundles: applied.bundles, files: applied.files },
        });
        return reply.code(result.created ? 201 : 200).send(result);
      },
    );
  });

  app.get(
    '/api/v1/pipelines',
    {
      schema: {
        tags,
        summary: 'Pipelines, newest first',
        querystring: ListPipelinesQuery,
        response: { 200: PipelinePage, ...ERROR_RESPONSES },
      },
    },
    async (request) => pipelines.list(request.query),
  );

  app.get(
    '/api/v1/pipelines/:name',
    {
      schema: {
        tags,
        summary: 'A pipeline',
        params: PipelineParams,
        response: { 200: PipelineSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => pipelines.get(request.params.name),
  );

  app.get(
    '/api/v1/pipelines/:name/versions',
    {
      schema: {
        tags,
        summary: "A pipeline's versions, highest first",
        params: PipelineParams,
        response: { 200: PipelineVersionPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => pipelines.versions(request.params.name),
  );

  app.get(
    '/api/v1/pipelines/:name/versions/:version',
    {
      schema: {
        tags,
        summary: 'One version of a pipeline: its definition and code',
        params: PipelineVersionParams,
        response: { 200: PipelineVersionSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => pipelines.version(request.params.name, request.params.version),
  );

  app.post(
    '/api/v1/pipelines/:name/runs',
    {
      schema: {
        tags,
        summary: 'Start a run of the pipeline (its latest version unless one is named)',
        params: PipelineParams,
        body: StartRunBody,
        response: { 202: PipelineRunSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      reply.code(202);
      return runs.start(contextOf(request), { pipeline: request.params.name, ...request.body });
    },
  );

  app.post(
    '/api/v1/pipelines/:name/trigger',
    {
      schema: {
        tags,
        summary: 'Webhook: start a run of the latest version, recorded as started by a webhook',
        params: PipelineParams,
        body: TriggerRunBody,
        response: { 202: PipelineRunSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      reply.code(202);
      return runs.start(contextOf(request), {
        pipeline: request.params.name,
        ...request.body,
        trigger: { kind: 'webhook', remote: request.ip },
      });
    },
  );

  app.get(
    '/api/v1/pipeline-schedules',
    {
      schema: {
        tags,
        summary:
          'Cron schedules and dataset triggers (of one pipeline or all), with their next and last firing',
        querystring: SchedulesQuery,
        response: { 200: PipelineSchedulesSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => pipelines.schedules(request.query.pipeline),
  );

  app.get(
    '/api/v1/pipeline-runs',
    {
      schema: {
        tags,
        summary: 'Pipeline runs, newest first',
        querystring: ListPipelineRunsQuery,
        response: { 200: PipelineRunPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => runs.list(request.query),
  );

  app.get(
    '/api/v1/pipeline-runs/:id',
    {
      schema: {
        tags,
        summary: 'A pipeline run with every step: status, attempts, outputs, cache hits, errors',
        params: PipelineRunParams,
        response: { 200: PipelineRunSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => runs.get(request.params.id),
  );

  app.post(
    '/api/v1/pipeline-runs/:id/cancel',
    {
      schema: {
        tags,
        summary: 'Cancel a run: running steps are stopped, the rest marked cancelled',
        params: PipelineRunParams,
        response: { 200: PipelineRunSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => runs.cancel(contextOf(request), request.params.id),
  );

  app.post(
    '/api/v1/pipeline-runs/:id/retry',
    {
      schema: {
        tags,
        summary: 'Run a finished run again, reusing the steps that succeeded (all, or those before `from`)',
        params: PipelineRunParams,
        body: RetryRunBody,
        response: { 202: PipelineRunSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      reply.code(202);
      return runs.retry(contextOf(request), request.params.id, request.body);
    },
  );

  app.get(
    '/api/v1/pipeline-runs/:id/logs',
    {
      schema: {
        tags,
        summary: "A run's step logs, in chunks (one step's after a sequence number, to follow it)",
        params: PipelineRunParams,
        querystring: LogsQuery,
        response: { 200: LogChunks, ...ERROR_RESPONSES },
      },
    },
    async (request) => runs.logs(request.params.id, request.query),
  );
}
