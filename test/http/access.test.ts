/** Tokens, roles on every route, the audit log, Idempotency-Key and request ids. */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConflictError,
  ForbiddenError,
  type InvalidError,
  Slipway,
  UnauthorizedError,
} from '../../src/client/index.js';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe.each(BACKENDS)('access control and audit on %s', (backend) => {
  let t: TestServer;
  let viewer: Slipway;
  let editor: Slipway;
  beforeAll(async () => {
    t = await startTestServer(backend);
    viewer = await t.connect((await t.sw.tokens.create({ name: 'viewer', role: 'viewer' })).token);
    editor = await t.connect((await t.sw.tokens.create({ name: 'editor', role: 'editor' })).token);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('bootstraps an admin token file readable only by its owner, storing only a hash', async () => {
    const file = join(t.home, 'admin.token');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(t.adminToken);
    const tokens = await t.sw.tokens.list();
    expect(tokens.map((token) => token.name)).toContain('admin');
    expect(JSON.stringify(tokens)).not.toContain(t.adminToken);
  });

  it('answers 401 without or with an unknown token, on every API route', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/experiments'],
      ['POST', '/api/v1/experiments'],
      ['POST', '/api/v1/runs/search'],
      ['GET', '/api/v1/audit'],
      ['GET', '/api/v1/tokens'],
      ['PUT', '/api/v1/runs/x/artifacts/a.txt'],
    ] as const) {
      for (const token of [null, 'swt_not-a-real-token']) {
        const response = await t.fetch(path, { method, token, body: method === 'GET' ? undefined : '{}' });
        expect(response.status, `${method} ${path}`).toBe(401);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
      }
    }
    await expect(Slipway.connect({ url: t.url, token: 'swt_wrong', env: {} })).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
  });

  it('lets a viewer read but not write, an editor write but not delete or manage tokens', async () => {
    await t.sw.experiments.create({ name: 'roles' });
    await expect(viewer.experiments.list()).resolves.toBeDefined();
    await expect(viewer.runs.search({})).resolves.toBeDefined();
    await expect(viewer.audit.list()).resolves.toBeDefined();
    const denied = await viewer.experiments.create({ name: 'nope' }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(ForbiddenError);
    expect((denied as ForbiddenError).message).toContain('editor role');
    await expect(viewer.runs.create({ experiment: 'roles' })).rejects.toBeInstanceOf(ForbiddenError);

    await expect(editor.runs.create({ experiment: 'roles' })).resolves.toBeDefined();
    await expect(editor.experiments.delete('roles')).rejects.toBeInstanceOf(ForbiddenError);
    await expect(editor.tokens.list()).rejects.toBeInstanceOf(ForbiddenError);
    await expect(editor.tokens.create({ name: 'sneaky', role: 'admin' })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect(await editor.whoami()).toMatchObject({ name: 'editor', role: 'editor' });
  });

  it('keeps health, readiness, metrics and the OpenAPI document public', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/api/v1/openapi.json', '/docs/']) {
      expect((await t.fetch(path, { token: null })).status, path).toBe(200);
    }
  });

  it('revokes tokens immediately, frees the name, and refuses to revoke the last admin token', async () => {
    const created = await t.sw.tokens.create({ name: 'temp', role: 'editor' });
    const temp = await t.connect(created.token);
    await t.sw.tokens.revoke('temp');
    await expect(temp.whoami()).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(t.sw.tokens.create({ name: 'temp', role: 'viewer' })).resolves.toMatchObject({
      name: 'temp',
    });
    const duplicate = await t.sw.tokens.create({ name: 'temp', role: 'viewer' }).catch((e: unknown) => e);
    expect((duplicate as ConflictError).code).toBe('TOKEN_EXISTS');
    const last = await t.sw.tokens.revoke('admin').catch((e: unknown) => e);
    expect((last as ConflictError).code).toBe('LAST_ADMIN_TOKEN');
    const all = await t.sw.tokens.list({ includeRevoked: true });
    expect(
      all.filter((token) => token.name === 'temp').map((token) => token.revokedAt !== undefined),
    ).toEqual([false, true]);
  });

  it('rejects expired tokens and bad expiry times', async () => {
    await expect(
      t.sw.tokens.create({ name: 'past', role: 'viewer', expiresAt: '2001-01-01T00:00:00Z' }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    // Not an ISO time (Date.parse would read it as the year 99999).
    const loose = await t.sw.tokens
      .create({ name: 'loose', role: 'viewer', expiresAt: '99999' })
      .catch((e: unknown) => e);
    expect((loose as InvalidError).message).toContain('expiresAt must be an ISO 8601 time');
    const soon = await t.sw.tokens.create({
      name: 'soon',
      role: 'viewer',
      expiresAt: new Date(Date.now() + 1500).toISOString(),
    });
    const client = await t.connect(soon.token);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    const error = await client.whoami().catch((e: unknown) => e);
    expect((error as UnauthorizedError).message).toContain('expired');
  });

  it('records every mutation with actor, action, before/after and the request id, filterable', async () => {
    const experiment = await editor.experiments.create({ name: 'audited' });
    await editor.experiments.update('audited', { description: 'changed' });
    const run = await editor.runs.create({ experiment: 'audited', params: { a: 1 } });
    await editor.runs.logMetrics(run.id, [{ key: 'm', value: 1 }]);
    await editor.runs.update(run.id, { status: 'finished' });

    const byResource = await t.sw.audit.list({ resource: `experiment:${experiment.id}` });
    expect(byResource.items.map((e) => e.action)).toEqual(['experiment.update', 'experiment.create']);
    const update = byResource.items[0]!;
    expect(update).toMatchObject({ actor: 'editor', resourceType: 'experiment', resourceId: experiment.id });
    expect((update.before as { description: string }).description).toBe('');
    expect((update.after as { description: string }).description).toBe('changed');

    const runEvents = await t.sw.audit.list({ resource: `run:${run.id}` });
    expect(runEvents.items.map((e) => e.action)).toEqual(['run.update', 'run.log_metrics', 'run.create']);
    const byAction = await t.sw.audit.list({ action: 'run', actor: 'editor' });
    expect(byAction.items.every((e) => e.action.startsWith('run.'))).toBe(true);
    expect(
      (await t.sw.audit.list({ action: 'run.create', actor: 'editor' })).items.every(
        (e) => e.action === 'run.create',
      ),
    ).toBe(true);
    expect((await t.sw.audit.list({ since: '1m', actor: 'editor' })).items.length).toBeGreaterThanOrEqual(5);
    expect((await t.sw.audit.list({ until: '2000-01-01T00:00:00Z' })).items).toEqual([]);
    await expect(t.sw.audit.list({ since: 'yesterday' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });

    const response = await t.fetch('/api/v1/experiments', {
      method: 'POST',
      headers: { 'x-request-id': 'trace-abc-123' },
      body: JSON.stringify({ name: 'traced' }),
    });
    expect(response.headers.get('x-request-id')).toBe('trace-abc-123');
    const created = (await response.json()) as { id: string };
    const traced = await t.sw.audit.list({ resource: `experiment:${created.id}` });
    expect(traced.items[0]!.requestId).toBe('trace-abc-123');
  });

  it('does not audit failed mutations or reads', async () => {
    const before = (await t.sw.audit.list({ limit: 1 })).items[0]!.id;
    await t.sw.experiments.create({ name: 'bad/name' }).catch(() => undefined);
    await t.sw.experiments.list();
    await t.sw.runs.search({});
    expect((await t.sw.audit.list({ limit: 1 })).items[0]!.id).toBe(before);
  });

  it('replays a creating POST with the same Idempotency-Key instead of creating twice', async () => {
    const first = await t.sw.runs.create(
      { experiment: 'audited', name: 'once' },
      { idempotencyKey: 'key-1' },
    );
    const again = await t.sw.runs.create(
      { experiment: 'audited', name: 'once' },
      { idempotencyKey: 'key-1' },
    );
    expect(again.id).toBe(first.id);
    const listed = await t.sw.runs.list({ experiment: 'audited' });
    expect(listed.items.filter((r) => r.name === 'once')).toHaveLength(1);
    const reused = await t.sw.runs
      .create({ experiment: 'audited', name: 'different' }, { idempotencyKey: 'key-1' })
      .catch((e: unknown) => e);
    expect((reused as ConflictError).code).toBe('IDEMPOTENCY_KEY_REUSED');
    // Keys belong to their token: another caller's key-1 is a different key.
    const other = await editor.runs.create(
      { experiment: 'audited', name: 'once' },
      { idempotencyKey: 'key-1' },
    );
    expect(other.id).not.toBe(first.id);
    const experiment = await t.sw.experiments.create({ name: 'idem' }, { idempotencyKey: 'exp-1' });
    await expect(t.sw.experiments.create({ name: 'idem' }, { idempotencyKey: 'exp-1' })).resolves.toEqual(
      experiment,
    );
  });
});
