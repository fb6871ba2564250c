/** /api/v1/tokens, /api/v1/whoami and /api/v1/audit */
import { z } from 'zod';
import {
  AuditPage,
  AuditQuery,
  CreatedTokenSchema,
  CreateTokenBody,
  ListTokensQuery,
  TokenInfoSchema,
  TokenList,
  WhoamiSchema,
} from '../../auth/schema.js';
import type { Platform } from '../../platform.js';
import { contextOf } from '../request-context.js';
import { ERROR_RESPONSES, type ZodApp } from '../zod-app.js';

export function accessRoutes(app: ZodApp, { tokens, audit }: Platform): void {
  app.post(
    '/api/v1/tokens',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['tokens'],
        summary: 'Create a token (admin); the secret is in this response only',
        body: CreateTokenBody,
        response: { 201: CreatedTokenSchema, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => reply.code(201).send(await tokens.create(contextOf(request), request.body)),
  );

  app.get(
    '/api/v1/tokens',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['tokens'],
        summary: 'List tokens (admin)',
        querystring: ListTokensQuery,
        response: { 200: TokenList, ...ERROR_RESPONSES },
      },
    },
    async (request) => ({
      items: await tokens.list({ includeRevoked: request.query.includeRevoked === 'true' }),
    }),
  );

  app.delete(
    '/api/v1/tokens/:idOrName',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['tokens'],
        summary: 'Revoke a token (admin)',
        params: z.object({ idOrName: z.string() }),
        response: { 200: TokenInfoSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => tokens.revoke(contextOf(request), request.params.idOrName),
  );

  app.get(
    '/api/v1/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Audit events, newest first',
        querystring: AuditQuery,
        response: { 200: AuditPage, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { resource, ...rest } = request.query;
      const [resourceType, resourceId] = resource === undefined ? [] : splitResource(resource);
      return audit.list({
        ...rest,
        ...(resourceType === undefined ? {} : { resourceType }),
        ...(resourceId === undefined ? {} : { resourceId }),
      });
    },
  );
}

function splitResource(resource: string): [string, string | undefined] {
  const colon = resource.indexOf(':');
  return colon < 0 ? [resource, undefined] : [resource.slice(0, colon), resource.slice(colon + 1)];
}

/** GET /api/v1/whoami: on every node, inference-only ones included (clients check their token with it). */
export function whoamiRoute(app: ZodApp): void {
  app.get(
    '/api/v1/whoami',
    {
      schema: {
        tags: ['tokens'],
        summary: "The calling token's name and role",
        response: { 200: WhoamiSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => request.actor!,
  );
}
