/** HTTP transport of the SDK: a keep-alive undici pool, bearer auth, and wire errors -> SlipwayError. */
import type { Readable } from 'node:stream';
import { type Dispatcher, Pool } from 'undici';
import { errorFromWire, SlipwayError, UnavailableError } from '../core/errors.js';

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface RequestOptions {
  readonly query?: Query;
  readonly body?: unknown;
  readonly idempotencyKey?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RawRequest {
  readonly query?: Query;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer | Readable;
}

export class HttpClient {
  private readonly pool: Pool;
  private readonly origin: string;
  private readonly basePath: string;

  constructor(
    readonly url: string,
    private readonly token: string | undefined,
    options: { connections?: number; timeoutMs?: number } = {},
  ) {
    const parsed = new URL(url);
    this.origin = parsed.origin;
    this.basePath = parsed.pathname.replace(/\/+$/, '');
    this.pool = new Pool(this.origin, {
      connections: options.connections ?? 8,
      headersTimeout: options.timeoutMs ?? 300_000,
      bodyTimeout: options.timeoutMs ?? 300_000,
    });
  }

  /** A JSON request; resolves to the parsed body, or rejects with the server's error as a SlipwayError. */
  async request<T>(method: Dispatcher.HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { ...options.headers, accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
    const response = await this.send(method, path, {
      headers,
      ...(options.query === undefined ? {} : { query: options.query }),
      // A string body: undici encodes it straight into the socket, without an intermediate Buffer.
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.body.text();
    if (response.statusCode >= 400) throw parseError(response.statusCode, text, response.headers);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** A request whose response body the caller reads (artifact downloads); errors are still thrown. */
  async raw(
    method: Dispatcher.HttpMethod,
    path: string,
    request: RawRequest = {},
  ): Promise<Dispatcher.ResponseData> {
    const response = await this.send(method, path, request);
    if (response.statusCode >= 400) throw parseError(response.statusCode, await response.body.text());
    return response;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private async send(
    method: Dispatcher.HttpMethod,
    path: string,
    request: RawRequest,
  ): Promise<Dispatcher.ResponseData> {
    const headers: Record<string, string> = { ...request.headers };
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    try {
      return await this.pool.request({
        method,
        path: this.basePath + path + queryString(request.query),
        headers,
        ...(request.body === undefined ? {} : { body: request.body }),
      });
    } catch (error) {
      if (error instanceof SlipwayError) throw error;
      const reason =
        error instanceof Error ? ((error as { code?: string }).code ?? error.message) : String(error);
      throw new UnavailableError(`cannot reach Slipway at ${this.url} (${reason}); is the server running?`, {
        url: this.url,
      });
    }
  }
}

function queryString(query: Query | undefined): string {
  if (query === undefined) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * Our error shape, or the Open Inference Protocol's `{ "error": "<message>" }` (the /v2 endpoints),
 * whose code comes in the x-slipway-error-code header.
 */
function parseError(
  status: number,
  text: string,
  headers: Dispatcher.ResponseData['headers'] = {},
): SlipwayError {
  try {
    const body = JSON.parse(text) as {
      error?: { code?: string; message?: string; details?: Record<string, unknown> } | string;
    };
    const code = headers['x-slipway-error-code'];
    if (typeof body.error === 'string' && typeof code === 'string')
      return errorFromWire(status, code, body.error, {});
    if (typeof body.error === 'string')
      return errorFromWire(status, status >= 500 ? 'INTERNAL' : 'HTTP_ERROR', body.error);
    if (body.error?.code !== undefined) {
      return errorFromWire(
        status,
        body.error.code,
        body.error.message ?? `HTTP ${status}`,
        body.error.details ?? {},
      );
    }
  } catch {
    // not our error shape: fall through
  }
  return errorFromWire(
    status,
    status >= 500 ? 'INTERNAL' : 'HTTP_ERROR',
    `HTTP ${status}: ${text.slice(0, 500)}`,
  );
}

/** Path segment encoding that keeps '/' (for artifact paths and metric keys under wildcard routes). */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
