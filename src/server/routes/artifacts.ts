/**
 * /api/v1/runs/{id}/artifacts: raw bytes in and out, streamed (never buffered whole), verified on
 * the way out. Lives in its own encapsulated plugin because it replaces the JSON body parsers.
 */
import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { DIGEST_PATTERN } from '../../artifacts/index.js';
import { InvalidError } from '../../core/errors.js';
import type { Platform } from '../../platform.js';
import type { ArtifactInfo } from '../../tracking/index.js';
import { ArtifactInfoSchema, ArtifactList, ArtifactListQuery } from '../../tracking/schema.js';
import { contextOf } from '../request-context.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';

const ArtifactParams = z.object({
  id: z.string().describe('Run id'),
  '*': z.string().describe('Artifact path, e.g. model/model.onnx'),
});
const tags = ['artifacts'];
/** Small artifacts are verified before the first byte is sent, so corruption is a clean error. */
const VERIFY_BEFORE_SEND_BYTES = 8 * 1024 * 1024;

export function artifactRoutes(app: ZodApp, { tracking }: Platform): void {
  const artifacts = tracking.artifacts;

  app.register(async (scope) => {
    const raw = scope as unknown as ZodApp;
    raw.removeAllContentTypeParsers();
    // Leave the body unread: the handler streams it straight into the blob store.
    raw.addContentTypeParser('*', (_request, _payload, done) => done(null));

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
        // The body is read without being destroyed on an early stop (too large, wrong digest), so the
        // rest can be discarded and the client, still sending, reads the error rather than a reset.
        const body: AsyncIterable<Uint8Array> = request.raw.iterator({ destroyOnReturn: false });
        let info: ArtifactInfo;
        try {
          info = await artifacts.put(
            contextOf(request),
            request.params.id,
            request.params['*'],
            body,
            declared === undefined ? {} : { expectedDigest: declared },
          );
        } catch (error) {
          if (!request.raw.complete && !request.raw.destroyed) request.raw.resume();
          throw error;
        }
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
      if (info.size <= VERIFY_BEFORE_SEND_BYTES) return reply.send(await collect(stream));
      // Larger ones are verified as they stream: on a mismatch the connection is cut before the
      // last byte, so a client never receives a complete, wrong file.
      return reply.send(stream);
    },
  );
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
