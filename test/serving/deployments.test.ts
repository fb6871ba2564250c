/**
 * Deployments through the SDK (and so the HTTP API): routes by weight with the remainder rule,
 * compare-and-set revisions, rollback, routes that follow an alias as it moves, audit and lineage,
 * and bad input refused with nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, InvalidError, NotFoundError, type Slipway } from '../../src/client/index.js';
import { tabularModel } from '../registry/fixtures.js';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const RACES = 12;

describe.each(BACKENDS)('deployments on %s', (backend) => {
  let t: TestServer;
  let sw: Slipway;

  beforeAll(async () => {
    t = await startTestServer(backend);
    sw = t.sw;
    for (let i = 1; i <= 4; i++) await sw.models.register('churn', { file: Buffer.from(tabularModel(2, i)) });
    await sw.models.alias.set('churn', 'champion', 1);
    await sw.models.alias.set('churn', 'challenger', 2);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a 90/10 canary: the route without a weight takes the rest, aliases resolve to versions', async () => {
    const created = await sw.deployments.create('Canary', {
      routes: [{ model: 'churn@champion' }, { model: 'churn@challenger', weight: 10 }],
      batching: { maxBatch: 32, maxDelayMs: 2 },
      routingKey: 'header:X-User-Id',
      description: 'churn canary',
    });
    expect(created).toMatchObject({
      name: 'canary',
      revision: 1,
      description: 'churn canary',
      routingKey: 'header:x-user-id',
      batching: { maxBatch: 32, maxDelayMs: 2 },
      shadow: null,
      createdBy: 'admin',
    });
    expect(created.routes.map((r) => [r.reference, r.model, r.version, r.weight])).toEqual([
      ['churn@champion', 'churn', 1, 90],
      ['churn@challenger', 'churn', 2, 10],
    ]);
    expect(await sw.deployments.get('canary')).toEqual(created);
    expect((await sw.deployments.list()).map((d) => d.name)).toContain('canary');
    const lineage = await sw.lineage.get({ node: 'deployment:canary', direction: 'upstream' });
    expect(lineage.edges.map((e) => `${e.source} ${e.relation} ${e.target}`).sort()).toEqual(
      expect.arrayContaining([
        'model:churn@1 serves deployment:canary',
        'model:churn@2 serves deployment:canary',
      ]),
    );
  });

  it('pins a bare model name or @latest to the version it names now, and takes a shadow', async () => {
    const created = await sw.deployments.create('pinned', {
      routes: [{ model: 'churn' }],
      shadow: { model: 'churn@3', fraction: 0.25 },
    });
    expect(created.routes).toEqual([
      expect.objectContaining({ reference: 'churn@4', version: 4, weight: 100 }),
    ]);
    expect(created.shadow).toMatchObject({ reference: 'churn@3', version: 3, fraction: 0.25 });
    expect(created.batching).toEqual({ maxBatch: 1, maxDelayMs: 0 });
  });

  it('refuses bad input with the field named, and writes nothing', async () => {
    const before = (await sw.deployments.list()).length;
    const cases: [Parameters<Slipway['deployments']['create']>[1], RegExp][] = [
      [
        {
          routes: [
            { model: 'churn@1', weight: 80 },
            { model: 'churn@2', weight: 10 },
          ],
        },
        /sum to 100, got 90/,
      ],
      [
        {
          routes: [{ model: 'churn@1', weight: 80 }, { model: 'churn@2', weight: 30 }, { model: 'churn@3' }],
        },
        /leaving nothing/,
      ],
      [{ routes: [{ model: 'churn@1' }, { model: 'churn@2' }] }, /routes\[1\]\.weight is required/],
      [
        {
          routes: [
            { model: 'churn@1', weight: 50 },
            { model: 'churn@1', weight: 50 },
          ],
        },
        /routes\[1\]\.model: churn@1 is routed to twice/,
      ],
      [{ routes: [{ model: 'churn@1', weight: 100.5 }] }, /routes\[0\]\.weight must be a whole percentage/],
      [{ routes: [] }, /at least one model/],
      [{ routes: [{ model: 'churn@1' }], routingKey: 'cookie:x' }, /routingKey must be 'header:/],
      [
        { routes: [{ model: 'churn@1' }], batching: { maxBatch: 0 } },
        /batching\.maxBatch must be a whole number from 1/,
      ],
      [
        { routes: [{ model: 'churn@1' }], batching: { maxDelayMs: 5000 } },
        /batching\.maxDelayMs must be from 0 to 1000/,
      ],
      [
        { routes: [{ model: 'churn@1' }], shadow: { model: 'churn@2', fraction: 0 } },
        /shadow\.fraction must be in \(0, 1\]/,
      ],
      [{ routes: [{ model: 'churn@x!' }] }, /routes\[0\]\.model/],
    ];
    for (const [input, message] of cases) {
      const error = await sw.deployments.create('bad', input).catch((e: unknown) => e);
      expect(error, String(message)).toBeInstanceOf(InvalidError);
      expect((error as InvalidError).message).toMatch(message);
    }
    const missing = await sw.deployments
      .create('bad', { routes: [{ model: 'nope@1' }] })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).code).toBe('MODEL_NOT_FOUND');
    const noVersion = await sw.deployments
      .create('bad', { routes: [{ model: 'churn@99' }] })
      .catch((e: unknown) => e);
    expect((noVersion as NotFoundError).code).toBe('MODEL_VERSION_NOT_FOUND');
    const noAlias = await sw.deployments
      .create('bad', { routes: [{ model: 'churn@nobody' }] })
      .catch((e: unknown) => e);
    expect((noAlias as NotFoundError).code).toBe('ALIAS_NOT_FOUND');
    const exists = await sw.deployments
      .create('canary', { routes: [{ model: 'churn@1' }] })
      .catch((e: unknown) => e);
    expect((exists as ConflictError).code).toBe('DEPLOYMENT_EXISTS');
    const unknown = await sw.deployments.get('nothing-here').catch((e: unknown) => e);
    expect((unknown as NotFoundError).code).toBe('DEPLOYMENT_NOT_FOUND');
    const nothing = await sw.deployments.update('canary', {}).catch((e: unknown) => e);
    expect((nothing as InvalidError).message).toMatch(/nothing to change/);
    expect((await sw.deployments.list()).length).toBe(before);
    expect((await sw.deployments.get('canary')).revision).toBe(1);
  });

  it('changes make revisions; a stale expectedRevision is a 409 naming the current revision', async () => {
    await sw.deployments.create('cas', { routes: [{ model: 'churn@1' }] });
    const blueGreen = await sw.deployments.update('cas', {
      routes: [
        { model: 'churn@1', weight: 0 },
        { model: 'churn@2', weight: 100 },
      ],
      expectedRevision: 1,
    });
    expect(blueGreen.revision).toBe(2);
    expect(blueGreen.routes.map((r) => [r.version, r.weight])).toEqual([
      [1, 0],
      [2, 100],
    ]);
    const stale = await sw.deployments
      .update('cas', { batching: { maxBatch: 8 }, expectedRevision: 1 })
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConflictError);
    expect((stale as ConflictError).code).toBe('DEPLOYMENT_REVISION_CONFLICT');
    expect((stale as ConflictError).details).toMatchObject({ expectedRevision: 1, currentRevision: 2 });
    const batched = await sw.deployments.update('cas', { batching: { maxBatch: 8 } });
    expect(batched).toMatchObject({ revision: 3, batching: { maxBatch: 8, maxDelayMs: 0 } });
    expect(batched.routes).toEqual(blueGreen.routes);
  });

  it('lets exactly one of many racing updates with the same expectedRevision win', async () => {
    const start = await sw.deployments.create('race', { routes: [{ model: 'churn@1' }] });
    const outcomes = await Promise.allSettled(
      Array.from({ length: RACES }, (_, i) =>
        sw.deployments.update('race', {
          description: `writer ${i}`,
          expectedRevision: start.revision,
        }),
      ),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const lost of outcomes.filter((o) => o.status === 'rejected'))
      expect((lost as PromiseRejectedResult).reason.code).toBe('DEPLOYMENT_REVISION_CONFLICT');
    const now = await sw.deployments.get('race');
    expect(now.revision).toBe(2);
    expect(now.description).toBe(
      (won[0] as PromiseFulfilledResult<{ description: string }>).value.description,
    );
  });

  it('rolls back to the versions an earlier revision served, and lists revisions with their causes', async () => {
    await sw.deployments.create('rb', { routes: [{ model: 'churn@1' }] });
    await sw.deployments.update('rb', {
      routes: [
        { model: 'churn@1', weight: 90 },
        { model: 'churn@2', weight: 10 },
      ],
    });
    await sw.deployments.update('rb', { routes: [{ model: 'churn@2' }] });
    const back = await sw.deployments.rollback('rb');
    expect(back.revision).toBe(4);
    expect(back.routes.map((r) => [r.version, r.weight])).toEqual([
      [1, 90],
      [2, 10],
    ]);
    const first = await sw.deployments.rollback('rb', { toRevision: 1, expectedRevision: 4 });
    expect(first.routes.map((r) => [r.version, r.weight])).toEqual([[1, 100]]);
    const page = await sw.deployments.revisions('rb', { limit: 3 });
    expect(page.items.map((r) => [r.revision, r.cause])).toEqual([
      [5, { kind: 'rollback', toRevision: 1 }],
      [4, { kind: 'rollback', toRevision: 2 }],
      [3, { kind: 'update', changed: ['routes'] }],
    ]);
    const rest = await sw.deployments.revisions('rb', { limit: 3, pageToken: page.nextPageToken! });
    expect(rest.items.map((r) => r.revision)).toEqual([2, 1]);
    expect(rest.items[1]).toMatchObject({ cause: { kind: 'create' }, actor: 'admin' });
    expect(await sw.deployments.revision('rb', 2)).toEqual(rest.items[0]);
    const bad = await sw.deployments.rollback('rb', { toRevision: 5 }).catch((e: unknown) => e);
    expect((bad as InvalidError).message).toMatch(
      /toRevision must be an earlier revision of 'rb' \(1 to 4\), got 5/,
    );
    await sw.deployments.create('fresh', { routes: [{ model: 'churn@1' }] });
    const none = await sw.deployments.rollback('fresh').catch((e: unknown) => e);
    expect((none as InvalidError).message).toMatch(/only revision 1/);
  });

  it('deletes a deployment (admin, compare-and-set), after which its name is free again', async () => {
    await sw.deployments.create('doomed', { routes: [{ model: 'churn@1' }] });
    await sw.deployments.update('doomed', { description: 'soon gone' });
    const stale = await sw.deployments.delete('doomed', { expectedRevision: 1 }).catch((e: unknown) => e);
    expect((stale as ConflictError).code).toBe('DEPLOYMENT_REVISION_CONFLICT');
    const editor = await t.connect((await sw.tokens.create({ name: 'deploy-editor', role: 'editor' })).token);
    const denied = await editor.deployments.delete('doomed').catch((e: unknown) => e);
    expect((denied as { code?: string }).code).toBe('PERMISSION_DENIED');
    const deleted = await sw.deployments.delete('doomed', { expectedRevision: 2 });
    expect(deleted).toMatchObject({ name: 'doomed', revision: 2, description: 'soon gone' });
    expect(((await sw.deployments.get('doomed').catch((e: unknown) => e)) as NotFoundError).code).toBe(
      'DEPLOYMENT_NOT_FOUND',
    );
    expect((await sw.deployments.list()).map((d) => d.name)).not.toContain('doomed');
    const events = await sw.audit.list({ resource: 'deployment:doomed', action: 'deployment.delete' });
    expect(events.items).toHaveLength(1);
    const again = await sw.deployments.create('doomed', { routes: [{ model: 'churn@2' }] });
    expect(again.revision).toBe(1);
    expect((await sw.deployments.revisions('doomed')).items.map((r) => r.revision)).toEqual([1]);
  });

  it('follows an alias: moving it makes a revision serving the new version; deleting it is refused', async () => {
    await sw.models.alias.set('churn', 'follow', 1);
    await sw.deployments.create('follower', {
      routes: [{ model: 'churn@follow', weight: 80 }, { model: 'churn@3' }],
    });
    await sw.models.alias.set('churn', 'follow', 2, { expectedVersion: 1 });
    const moved = await sw.deployments.get('follower');
    expect(moved.revision).toBe(2);
    expect(moved.routes.map((r) => [r.reference, r.version])).toEqual([
      ['churn@follow', 2],
      ['churn@3', 3],
    ]);
    const [latest] = (await sw.deployments.revisions('follower', { limit: 1 })).items;
    expect(latest!.cause).toEqual({ kind: 'alias', alias: 'churn@follow', fromVersion: 1, toVersion: 2 });
    await sw.models.alias.rollback('churn', 'follow');
    expect((await sw.deployments.get('follower')).routes[0]).toMatchObject({ version: 1 });
    const refused = await sw.models.alias.delete('churn', 'follow').catch((e: unknown) => e);
    expect((refused as ConflictError).code).toBe('ALIAS_IN_USE');
    expect((refused as ConflictError).message).toMatch(/follower/);
    expect((await sw.models.alias.get('churn', 'follow')).version).toBe(1);
    const events = await sw.audit.list({ resource: 'deployment:follower' });
    expect(events.items.map((e) => e.action)).toEqual(
      expect.arrayContaining(['deployment.create', 'deployment.follow-alias']),
    );
  });
});
