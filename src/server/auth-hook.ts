/**
 * Authentication and authorisation for every route in one hook: a bearer token resolves to an actor,
 * whose role must reach the route's (viewer for reads, editor for writes, or the route's own).
 */
import type { FastifyInstance } from 'fastify';
import type { TokenService } from '../auth/index.js';
import { authorise } from '../auth/index.js';
import type { Role } from '../core/context.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function installAuth(app: FastifyInstance, tokens: TokenService): void {
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    // Unmatched URLs fall through to the 404 handler; public routes and the API docs need no token.
    const url = request.routeOptions.url;
    if (url === undefined || config.public === true || url === '/docs' || url.startsWith('/docs/')) return;
    const header = request.headers.authorization;
    const secret = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    request.actor = await tokens.authenticate(secret);
    const required: Role = config.role ?? (READ_METHODS.has(request.method) ? 'viewer' : 'editor');
    authorise(request.actor, required, `${request.method} ${request.routeOptions.url}`);
  });
}
