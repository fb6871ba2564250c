/** /api/v1/models/{name}/versions: register (JSON or raw ONNX), list, get, download, approvals, cards. */
import { z } from 'zod';
import { InvalidError } from '../../core/errors.js';
import type { Platform } from '../../platform.js';
import { renderCardMarkdown } from '../../registry/index.js';
import {
  CardBody,
  CardQuery,
  DecisionBody,
  ListVersionsQuery,
  ModelCardSchema,
  ModelParams,
  ModelVersionPage,
  ModelVersionSchema,
  RegisterFromSourceBody,
  RegisterUploadQuery,
  VersionParams,
} from '../../registry/schema.js';
import { verifiedPayload, withRequestBody } from '../raw-bytes.js';
import { contextOf } from '../request-context.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';
import { hasUploadMetadata, isJson, uploadInput } from './model-upload-query.js';

const tags = ['models'];

export function modelVersionRoutes(app: ZodApp, platform: Platform): void {
  const { versions, approvals, cards } = platform.registry;

  // Registering accepts JSON (a run artifact as source) or the ONNX file itself as the raw body:
  // its own scope, so the raw body is left unread for the service to stream into a spool file.
  app.register(async (scope) => {
    const raw = scope as unknown as ZodApp;
    raw.addContentTypeParser('application/octet-stream', (_request, _payload, done) => done(null));
    raw.post(
      '/api/v1/models/:name/versions',
      {
        schema: {
          tags,
          summary:
            'Register a new version: JSON {source: "runs/<id>/artifacts/<path>", …}, or the ONNX file as an application/octet-stream body with the metadata as query parameters',
          params: ModelParams,
          querystring: RegisterUploadQuery,
          body: RegisterFromSourceBody.nullish(),
          response: { 201: ModelVersionSchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const ctx = contextOf(request);
        const name = request.params.name;
        if (isJson(request.headers['content-type'])) {
          if (request.body === null || request.body === undefined) {
            throw new InvalidError(
              'body must be a JSON object such as {"source": "runs/<id>/artifacts/<path>"}',
              {
                field: 'body',
              },
            );
          }
          if (hasUploadMetadata(request.query)) {
            throw new InvalidError('with a JSON body the metadata goes in the body, not the query string', {
              field: 'query',
            });
          }
          return reply.code(201).send(await versions.registerFromSource(ctx, name, request.body));
        }
        const version = await withRequestBody(request.raw, (body) =>
          versions.register(ctx, name, body, uploadInput(request.query)),
        );
        return reply.code(201).send(version);
      },
    );
  });

  app.get(
    '/api/v1/models/:name/versions',
    {
      schema: {
        tags,
        summary: "List a model's versions, newest first",
        params: ModelParams,
        querystring: ListVersionsQuery,
        response: { 200: ModelVersionPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => versions.list(request.params.name, request.query),
  );

  app.get(
    '/api/v1/models/:name/versions/:ref',
    {
      schema: {
        tags,
        summary: 'Get a version by number, alias or latest (the response states the resolved version)',
        params: VersionParams,
        response: { 200: ModelVersionSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => versions.get(request.params.name, request.params.ref),
  );

  app.get(
    '/api/v1/models/:name/versions/:ref/artifact',
    {
      exposeHeadRoute: false,
      schema: {
        tags,
        summary: "Download a version's model file (verified against its sha256)",
        params: VersionParams,
      },
    },
    async (request, reply) => {
      const { version, stream } = await versions.openArtifact(`${request.params.name}@${request.params.ref}`);
      reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename="${version.model}-${version.version}.onnx"`)
        .header('etag', `"sha256:${version.digest}"`)
        .header('x-content-sha256', version.digest)
        .header('x-model-version', String(version.version))
        .header('content-length', String(version.size));
      return reply.send(await verifiedPayload(stream, version.size));
    },
  );

  for (const [verb, decision] of [
    ['approve', 'Approve'],
    ['reject', 'Reject'],
  ] as const) {
    app.post(
      `/api/v1/models/:name/versions/:ref/${verb}`,
      {
        config: { role: 'approver' },
        schema: {
          tags,
          summary: `${decision} a version, with a comment (approver or admin)`,
          params: VersionParams,
          body: DecisionBody.optional(),
          response: { 200: ModelVersionSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const ref = `${request.params.name}@${request.params.ref}`;
        const comment = request.body?.comment;
        return verb === 'approve'
          ? approvals.approve(contextOf(request), ref, comment)
          : approvals.reject(contextOf(request), ref, comment);
      },
    );
  }

  app.get(
    '/api/v1/models/:name/versions/:ref/card',
    {
      schema: {
        tags,
        summary: "A version's model card: JSON, or markdown with Accept: text/markdown or ?format=markdown",
        params: VersionParams,
        querystring: CardQuery,
        response: {
          200: z.union([ModelCardSchema, z.string().describe('The card as markdown (text/markdown)')]),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request, reply) => {
      const card = await cards.get(`${request.params.name}@${request.params.ref}`);
      const accept = request.headers.accept ?? '';
      const markdown =
        request.query.format === 'markdown' ||
        (request.query.format === undefined && accept.includes('text/markdown'));
      if (!markdown) return card;
      return reply.type('text/markdown; charset=utf-8').send(renderCardMarkdown(card));
    },
  );

  app.put(
    '/api/v1/models/:name/versions/:ref/card',
    {
      schema: {
        tags,
        summary: 'Replace the hand-written part of a model card',
        params: VersionParams,
        body: CardBody,
        response: { 200: ModelCardSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      cards.update(contextOf(request), `${request.params.name}@${request.params.ref}`, request.body),
  );
}
