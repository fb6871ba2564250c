/** The single place that turns errors into HTTP responses: `{ "error": { code, message, details } }`. */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { SlipwayError } from '../core/errors.js';
import { newId } from '../core/ids.js';

interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details: Readonly<Record<string, unknown>>;
  };
}

// Fastify's own errors for bad requests, mapped to our codes.
const FASTIFY_CODES: Readonly<Record<string, { status: number; code: string }>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'INVALID_JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'INVALID_JSON' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'INVALID_ARGUMENT' },
  FST_ERR_CTP_INVALID_TYPE: { status: 400, code: 'INVALID_ARGUMENT' },
  FST_ERR_BAD_URL: { status: 400, code: 'INVALID_ARGUMENT' },
  FST_ERR_MAX_PARAM_LENGTH: { status: 400, code: 'INVALID_ARGUMENT' },
};

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toResponse(error);
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    if (error instanceof SlipwayError && status === 503) reply.header('retry-after', '1');
    return reply.code(status).send(inProtocol(request, reply, body));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(
      inProtocol(request, reply, {
        error: {
          code: 'ROUTE_NOT_FOUND',
          message: `no endpoint ${request.method} ${request.url.split('?')[0]}`,
          details: {},
        },
      }),
    ),
  );
}

/**
 * The Open Inference Protocol's endpoints (under /v2) answer errors as `{ "error": "<message>" }`,
 * which its clients parse; our code travels in the x-slipway-error-code header there.
 */
function inProtocol(
  request: FastifyRequest,
  reply: FastifyReply,
  body: ErrorBody,
): ErrorBody | { error: string } {
  if (!request.url.startsWith('/v2')) return body;
  reply.header('x-slipway-error-code', body.error.code);
  return { error: body.error.message };
}

/**
 * Errors Fastify raises before a request reaches any route (a URL that does not decode, a path
 * parameter over the router's limit), which bypass the error handler and its hooks: same shape,
 * same x-request-id.
 */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const { status, body } = toResponse(error);
  void reply.header('x-request-id', request.id).code(status).send(body);
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (a request line and headers over its
 * 16 KiB limit, broken HTTP): answered on the raw socket, still in our shape, then closed.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message]: [number, string, string] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'HEADERS_TOO_LARGE', 'the request line and headers are larger than the server accepts']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'REQUEST_TIMEOUT', 'the request did not arrive completely in time']
        : [400, 'INVALID_ARGUMENT', `malformed HTTP request (${error.code ?? error.message})`];
  const body = JSON.stringify({ error: { code, message, details: {} } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${newId()}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

export function toResponse(error: FastifyError | Error): { status: number; body: ErrorBody } {
  if (error instanceof SlipwayError) return { status: error.status, body: { error: error.toJSON() } };
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = error.validation.map((issue) => ({
      path: `${error.validationContext ?? 'body'}${formatPath(issue.instancePath)}`,
      message: issue.message ?? 'is invalid',
    }));
    const first = issues[0];
    const message =
      first === undefined ? 'request is invalid' : `${first.path}: ${lowerFirst(first.message)}`;
    const more =
      issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    return {
      status: 400,
      body: { error: { code: 'INVALID_ARGUMENT', message: message + more, details: { issues } } },
    };
  }
  const code = (error as FastifyError).code;
  const known = code === undefined ? undefined : FASTIFY_CODES[code];
  if (known !== undefined)
    return {
      status: known.status,
      body: { error: { code: known.code, message: error.message, details: {} } },
    };
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return { status, body: { error: { code: 'INVALID_ARGUMENT', message: error.message, details: {} } } };
  }
  return {
    status: 500,
    body: { error: { code: 'INTERNAL', message: `internal error: ${error.message}`, details: {} } },
  };
}

/** `/metrics/3/value` -> `.metrics[3].value` */
function formatPath(instancePath: string): string {
  return instancePath
    .split('/')
    .filter((part) => part !== '')
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('');
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
