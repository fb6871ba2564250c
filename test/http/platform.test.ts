/** Cross-cutting HTTP behaviour: error shapes for bad requests, OpenAPI, health, readiness, Prometheus. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

describe.each(BACKENDS)('HTTP platform on %s', (backend) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(backend, { env: { SLIPWAY_MAX_BODY_BYTES: '64KiB' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const expectError = async (response: Response, status: number, code: string, fragment?: string) => {
    expect(response.status).toBe(status);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe(code);
    expect(typeof body.error.message).toBe('string');
    if (fragment !== undefined) expect(body.error.message).toContain(fragment);
    return body;
  };

  it('answers malformed JSON, wrong types, unknown fields and oversized bodies with 4xx naming the problem', async () => {
    await expectError(
      await t.fetch('/api/v1/experiments', { method: 'POST', body: '{"name":' }),
      400,
      'INVALID_JSON',
    );
    await expectError(
      await t.fetch('/api/v1/experiments', { method: 'POST', body: '{"name": 42}' }),
      400,
      'INVALID_ARGUMENT',
      'body.name',
    );
    const unknown = await expectError(
      await t.fetch('/api/v1/experiments', { method: 'POST', body: '{"name": "x", "colour": "red"}' }),
      400,
      'INVALID_ARGUMENT',
      'colour',
    );
    expect(unknown.error.details.issues).toBeInstanceOf(Array);
    await expectError(
      await t.fetch('/api/v1/experiments', {
        method: 'POST',
        body: JSON.stringify({ name: 'x', description: 'y'.repeat(70_000) }),
      }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    await expectError(
      await t.fetch('/api/v1/experiments', {
        method: 'POST',
        body: 'name=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    await expectError(await t.fetch('/api/v1/experiments?limit=5000'), 400, 'INVALID_ARGUMENT', 'limit');
    await expectError(await t.fetch('/api/v1/experiments?limit=abc'), 400, 'INVALID_ARGUMENT', 'limit');
    await expectError(await t.fetch('/api/v1/experiments?surprise=1'), 400, 'INVALID_ARGUMENT', 'surprise');
  });

  it('answers unknown routes with a JSON 404', async () => {
    await expectError(await t.fetch('/api/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND', '/api/v1/nothing-here');
  });

  it('publishes an OpenAPI 3.1 document covering every API route, with schemas from zod', async () => {
    const doc = (await (await t.fetch('/api/v1/openapi.json', { token: null })).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const [path, method] of [
      ['/api/v1/experiments', 'post'],
      ['/api/v1/experiments/{idOrName}', 'patch'],
      ['/api/v1/runs', 'post'],
      ['/api/v1/runs/{id}/metrics', 'post'],
      ['/api/v1/runs/search', 'post'],
      ['/api/v1/runs/compare', 'get'],
      ['/api/v1/tokens', 'post'],
      ['/api/v1/audit', 'get'],
    ] as const) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
    expect(doc.paths['/api/v1/runs']!.post!.requestBody).toBeDefined();
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Run', 'Experiment', 'Error']),
    );
    const docs = await t.fetch('/docs/', { token: null });
    expect(await docs.text()).toContain('swagger');
  });

  it('reports health and readiness of the database and the artifact store', async () => {
    expect(await (await t.fetch('/healthz', { token: null })).json()).toEqual({ status: 'ok' });
    expect(await (await t.fetch('/readyz', { token: null })).json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', artifacts: 'ok' },
    });
  });

  it('exports Prometheus request counts and latency histograms by route pattern and status', async () => {
    await t.fetch('/api/v1/runs/NOPE');
    const text = await (await t.fetch('/metrics', { token: null })).text();
    expect(text).toContain('slipway_http_requests_total{method="GET",route="/api/v1/runs/:id",status="404"}');
    expect(text).toMatch(
      /slipway_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/api\/v1\/runs\/:id",status="404"\} \d+/,
    );
    expect(text).toContain('slipway_process_cpu_seconds_total');
  });
});
