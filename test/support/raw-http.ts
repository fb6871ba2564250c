/**
 * Raw HTTP for tests that must control every byte and header (fuzzing, malformed bodies, missing
 * content types), which fetch() and the SDK would "fix". Also the check that an answer is one of
 * ours: `{ "error": { code, message, details } }` with a catalogued code and its status.
 */
import type { Readable } from 'node:stream';
import { Pool } from 'undici';
import { ERROR_CATALOGUE } from '../../src/core/errors.js';

export interface RawRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Already encoded: sent exactly as given. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer | Readable;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

export class RawHttp {
  private readonly pool: Pool;

  constructor(readonly url: string) {
    this.pool = new Pool(url, { connections: 4 });
  }

  async send(request: RawRequest): Promise<RawResponse> {
    const response = await this.pool.request({
      method: request.method,
      path: request.path,
      headers: { ...request.headers },
      ...(request.body === undefined ? {} : { body: request.body }),
    });
    return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * Returns why `response` is not a well-formed Slipway answer (undefined when it is): never a 5xx,
 * always an x-request-id, errors in the documented shape with a catalogued code whose status matches.
 */
export function problemWith(response: RawResponse): string | undefined {
  if (response.status >= 500) return `server error ${response.status}: ${response.text.slice(0, 500)}`;
  if (typeof response.headers['x-request-id'] !== 'string')
    return `no x-request-id header on ${response.status}: ${response.text.slice(0, 300)}`;
  if (response.status < 400) return undefined;
  const error = parseError(response.text);
  if (error === undefined) return `error body is not { error: { code, message, details } }: ${response.text}`;
  const entry = ERROR_CATALOGUE[error.code];
  if (entry === undefined) return `error code ${error.code} is not in the catalogue: ${response.text}`;
  if (entry.status !== response.status)
    return `error code ${error.code} is catalogued as ${entry.status} but came with ${response.status}`;
  return undefined;
}

export function parseError(text: string): WireError | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const error = (body as { error?: unknown } | null)?.error as Partial<WireError> | undefined;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, details } = error;
  if (typeof code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(code)) return undefined;
  if (typeof message !== 'string' || message.trim() === '') return undefined;
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return undefined;
  return { code, message, details };
}
