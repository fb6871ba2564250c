/** Builds the RequestContext that services record in the audit log (and use for Idempotency-Key). */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { RequestContext } from '../core/context.js';
import { InvalidError, UnauthorizedError } from '../core/errors.js';

export function contextOf(request: FastifyRequest): RequestContext {
  if (request.actor === undefined) throw new UnauthorizedError();
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || request.method !== 'POST')
    return { actor: request.actor, requestId: request.id };
  if (key.length < 1 || key.length > 255) {
    throw new InvalidError(`Idempotency-Key must be 1 to 255 characters, got ${key.length}`, {
      field: 'Idempotency-Key',
    });
  }
  const fingerprint = createHash('sha256').update(fingerprintText(request)).digest('hex');
  return {
    actor: request.actor,
    requestId: request.id,
    idempotency: { key, scope: `${request.method} ${request.routeOptions.url}`, fingerprint },
  };
}

function fingerprintText(request: FastifyRequest): string {
  try {
    return JSON.stringify([request.url, request.body ?? null]);
  } catch (error) {
    // JSON.parse takes nesting that JSON.stringify (recursive) cannot: a client error, not a crash.
    if (error instanceof RangeError) {
      throw new InvalidError('request body is nested too deeply', { field: 'body' });
    }
    throw error;
  }
}

/** Accepts a caller's x-request-id if it is sane, else makes one. */
export function requestIdFrom(header: string | string[] | undefined, make: () => string): string {
  return typeof header === 'string' && /^[\w.:\-/]{1,128}$/.test(header) ? header : make();
}
