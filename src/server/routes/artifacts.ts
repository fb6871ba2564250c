/**
 * /api/v1/runs/{id}/artifacts: raw bytes in and out, streamed (never buffered whole), verified on
 * the way out. The upload lives in its own encapsulated scope because it replaces the JSON body parsers.
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { DIGEST_PATTERN } from '../../artifacts/index.js';
import { InvalidError } from '../../core/errors.js';
import type { Platform } from '../../platform.js';
import type { ArtifactInfo } from '../../tracking/index.js';
import { ArtifactInfoSchema, ArtifactList, ArtifactListQuery } from '../../tracking/schema.js';
import { rawBodyRoutes, verifiedPayload, withRequestBody } from '../raw-bytes.js';
import { contextOf } from '../request-context.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';

const ArtifactParams = z.object({
  id: z.string().describe('Run id'),
  '*': z.string().describe('Artifact path, e.g. model/model.onnx'),
});
const tags = ['artifacts'];

export function artifactRoutes(app: ZodApp, { tracking }: Platform): void {
  const artifacts = tracking.artifacts;

  rawBodyRoutes(app, (raw) => {
    raw.put(
      '/api/v1/runs/:id/artifacts/*',
      {
        schema: {
          tags,
          summary: 'Upload an artifact (raw body; optional x-content-sha256 header is verified)',
          params: ArtifactParams,
          response: { 201: ArtifactInfoSchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const declared = request.headers['x-content-sha256'];
        if (declared !== undefined && (typeof declared !== 'string' || !DIGEST_PATTERN.test(declared))) {
          throw new InvalidError('x-content-sha256 must be 64 lower-case hex characters', {
            field: 'x-content-sha256',
          });
        }
        const info = await withRequestBody(request.raw, (body) =>
          artifacts.put(
            contextOf(request),
            request.params.id,
            request.params['*'],
            body,
            declared === undefined ? {} : { expectedDigest: declared },
          ),
        );
        return reply.code(201).send(info);
      },
    );
  });

  app.get(
    '/api/v1/runs/:id/artifacts',
    {
      schema: {
        tags,
        summary: "List a run's artifacts (optionally under a path prefix)",
        params: z.object({ id: z.string() }),
        querystring: ArtifactListQuery,
        response: { 200: ArtifactList, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({ items: await artifacts.list(request.params.id, request.query.prefix) }),
  );

  const etagOf = (info: ArtifactInfo) => `"sha256:${info.digest}"`;
  const describeArtifact = (reply: FastifyReply, info: ArtifactInfo) =>
    reply
      .header('etag', etagOf(info))
      .header('x-content-sha256', info.digest)
      .header('content-type', 'application/octet-stream');

  // HEAD is its own route: Fastify's automatic one would answer `content-length: 0` or read the blob.
  app.head(
    '/api/v1/runs/:id/artifacts/*',
    {
      schema: {
        tags,
        summary: "An artifact's size, digest and ETag, without its bytes",
        params: ArtifactParams,
      },
    },
    async (request, reply) => {
      const info = await artifacts.stat(request.params.id, request.params['*']);
      describeArtifact(reply, info);
      if (request.headers['if-none-match'] === etagOf(info)) return reply.code(304).send();
      return reply.header('content-length', String(info.size)).send();
    },
  );

  app.get(
    '/api/v1/runs/:id/artifacts/*',
    {
      exposeHeadRoute: false,
      schema: {
        tags,
        summary: 'Download an artifact (bytes verified against their sha256)',
        params: ArtifactParams,
      },
    },
    async (request, reply) => {
      const info = await artifacts.stat(request.params.id, request.params['*']);
      describeArtifact(reply, info);
      if (request.headers['if-none-match'] === etagOf(info)) return reply.code(304).send();
      const stream = await artifacts.read(request.params.id, info);
      reply.header('content-length', String(info.size));
      return reply.send(await verifiedPayload(stream, info.size));
    },
  );
}
