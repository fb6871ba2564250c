/**
 * Raw bytes in and out of routes (artifacts, dataset pushes, model files): request bodies handed to
 * services as streams, never buffered whole, and downloads sent so that a client never receives a
 * complete but wrong file.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { ZodApp } from './zod-app.js';

/** Small files are verified before the first byte is sent, so corruption is a clean error. */
const VERIFY_BEFORE_SEND_BYTES = 8 * 1024 * 1024;

/**
 * Registers `routes` in their own encapsulated scope whose bodies, of any content type, are left
 * unread for the handler to stream; the JSON parsers of the rest of the app are untouched.
 */
export function rawBodyRoutes(app: ZodApp, routes: (scope: ZodApp) => void): void {
  app.register(async (scope) => {
    const raw = scope as unknown as ZodApp;
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', (_request, _payload, done) => done(null));
    routes(raw);
  });
}

/**
 * Hands `work` the request body as a stream that an early stop (too large, wrong digest) does not
 * destroy; when `work` fails, the rest of the body is drained so the client, still sending, reads
 * the error rather than a connection reset.
 */
export async function withRequestBody<T>(
  request: IncomingMessage,
  work: (body: AsyncIterable<Uint8Array>) => Promise<T>,
): Promise<T> {
  try {
    return await work(request.iterator({ destroyOnReturn: false }));
  } catch (error) {
    if (!request.complete && !request.destroyed) request.resume();
    throw error;
  }
}

/**
 * The body to send for a verified blob stream of `size` bytes: small ones are read (and so verified)
 * whole first; larger ones stream, and a mismatch cuts the connection before the last byte.
 */
export async function verifiedPayload(stream: Readable, size: number): Promise<Readable | Buffer> {
  if (size > VERIFY_BEFORE_SEND_BYTES) return stream;
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
