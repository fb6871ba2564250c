/** Aliases (compare-and-set, history, rollback, races), approvals by role, and the approval policy. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, InvalidError, type Slipway } from '../../src/client/index.js';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { tabularModel } from './fixtures.js';

const RACES = 20;

describe.each(BACKENDS)('model aliases and approvals on %s', (backend) => {
  let t: TestServer;
  let editor: Slipway;
  let approver: Slipway;

  /** Registers `count` versions of `name`. */
  const versions = async (name: string, count: number) => {
    for (let i = 1; i <= count; i++)
      await t.sw.models.register(name, { file: Buffer.from(tabularModel(2, i)) });
  };

  beforeAll(async () => {
    t = await startTestServer(backend);
    editor = await t.connect((await t.sw.tokens.create({ name: 'alias-editor', role: 'editor' })).token);
    approver = await t.connect(
      (await t.sw.tokens.create({ name: 'alias-approver', role: 'approver' })).token,
    );
    await versions('churn', 4);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sets, gets and lists aliases; versions say which aliases point at them', async () => {
    const set = await editor.models.alias.set('churn', 'Champion', 2, { expectedVersion: null });
    expect(set).toMatchObject({ model: 'churn', alias: 'champion', version: 2, updatedBy: 'alias-editor' });
    await editor.models.alias.set('churn', 'challenger', 3);
    expect(await t.sw.models.alias.get('churn', 'champion')).toEqual(set);
    expect((await t.sw.models.alias.list('churn')).map((a) => [a.alias, a.version])).toEqual([
      ['challenger', 3],
      ['champion', 2],
    ]);
    const resolved = await t.sw.models.version('churn@champion');
    expect(resolved).toMatchObject({ version: 2, aliases: ['champion'] });
    expect((await t.sw.models.get('churn')).aliases).toEqual({ challenger: 3, champion: 2 });
    const listed = await t.sw.models.versions('churn');
    expect(listed.items.map((v) => [v.version, v.aliases])).toEqual([
      [4, []],
      [3, ['challenger']],
      [2, ['champion']],
      [1, []],
    ]);
  });

  it('compare-and-set: a stale expectedVersion is a 409 with the current version in details', async () => {
    await t.sw.models.alias.set('churn', 'cas', 1, { expectedVersion: null });
    const moved = await t.sw.models.alias.set('churn', 'cas', 2, { expectedVersion: 1 });
    expect(moved.version).toBe(2);
    const stale = await t.sw.models.alias
      .set('churn', 'cas', 3, { expectedVersion: 1 })
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ConflictError);
    expect(stale).toMatchObject({
      code: 'ALIAS_CONFLICT',
      details: { model: 'churn', alias: 'cas', expectedVersion: 1, currentVersion: 2 },
    });
    expect((stale as ConflictError).message).toContain('points at version 2');
    const exists = await t.sw.models.alias
      .set('churn', 'cas', 3, { expectedVersion: null })
      .catch((e: unknown) => e);
    expect(exists).toMatchObject({
      code: 'ALIAS_CONFLICT',
      details: { expectedVersion: null, currentVersion: 2 },
    });
    const missing = await t.sw.models.alias
      .set('churn', 'nobody', 3, { expectedVersion: 1 })
      .catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'ALIAS_CONFLICT', details: { currentVersion: null } });
    // Over HTTP the same 409 shape.
    const response = await t.fetch('/api/v1/models/churn/aliases/cas', {
      method: 'PUT',
      body: JSON.stringify({ version: 4, expectedVersion: 3 }),
    });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: { details: unknown } }).error.details).toMatchObject({
      currentVersion: 2,
    });
    expect((await t.sw.models.alias.get('churn', 'cas')).version).toBe(2);
  });

  it('keeps every move as history, and rollback moves back to the previous version', async () => {
    await t.sw.models.alias.set('churn', 'prod', 1);
    await editor.models.alias.set('churn', 'prod', 3, { expectedVersion: 1 });
    await t.sw.models.alias.set('churn', 'prod', 4);
    const rolled = await editor.models.alias.rollback('churn', 'prod');
    expect(rolled.version).toBe(3);
    const history = await t.sw.models.alias.history('churn', 'prod');
    expect(history.items.map((m) => [m.from ?? null, m.to ?? null, m.reason, m.actor])).toEqual([
      [4, 3, 'rollback', 'alias-editor'],
      [3, 4, 'set', 'admin'],
      [1, 3, 'set', 'alias-editor'],
      [null, 1, 'set', 'admin'],
    ]);
    expect(history.items.every((m) => m.at !== '' && m.requestId !== '')).toBe(true);
    const page = await t.sw.models.alias.history('churn', 'prod', { limit: 3 });
    expect(page.items).toHaveLength(3);
    const rest = await t.sw.models.alias.history('churn', 'prod', {
      limit: 3,
      pageToken: page.nextPageToken!,
    });
    expect(rest.items.map((m) => m.to)).toEqual([1]);

    // Rollback is compare-and-set too.
    const stale = await t.sw.models.alias
      .rollback('churn', 'prod', { expectedVersion: 4 })
      .catch((e: unknown) => e);
    expect(stale).toMatchObject({ code: 'ALIAS_CONFLICT', details: { currentVersion: 3 } });

    // Rollbacks stack: the next one undoes the move before (1 -> 3), not the rollback itself.
    await t.sw.models.alias.set('churn', 'stack', 1);
    await t.sw.models.alias.set('churn', 'stack', 2);
    await t.sw.models.alias.set('churn', 'stack', 3);
    expect((await t.sw.models.alias.rollback('churn', 'stack')).version).toBe(2);
    expect((await t.sw.models.alias.rollback('churn', 'stack')).version).toBe(1);
    await expect(t.sw.models.alias.rollback('churn', 'stack')).rejects.toMatchObject({
      code: 'NO_PREVIOUS_VERSION',
    });
    await t.sw.models.alias.set('churn', 'stack', 4);
    expect((await t.sw.models.alias.rollback('churn', 'stack')).version).toBe(1);

    // An alias created by its only move has nothing to roll back to.
    await t.sw.models.alias.set('churn', 'fresh', 2, { expectedVersion: null });
    const none = await t.sw.models.alias.rollback('churn', 'fresh').catch((e: unknown) => e);
    expect(none).toMatchObject({ code: 'NO_PREVIOUS_VERSION', status: 409 });

    // A deleted alias keeps its history, and rollback brings it back.
    const deleted = await t.sw.models.alias.delete('churn', 'prod', { expectedVersion: 3 });
    expect(deleted.version).toBe(3);
    await expect(t.sw.models.alias.get('churn', 'prod')).rejects.toMatchObject({ code: 'ALIAS_NOT_FOUND' });
    await expect(t.sw.models.version('churn@prod')).rejects.toMatchObject({ code: 'ALIAS_NOT_FOUND' });
    expect((await t.sw.models.alias.rollback('churn', 'prod')).version).toBe(3);
    const staleDelete = await t.sw.models.alias
      .delete('churn', 'prod', { expectedVersion: 1 })
      .catch((e: unknown) => e);
    expect(staleDelete).toMatchObject({ code: 'ALIAS_CONFLICT', details: { currentVersion: 3 } });
    await expect(t.sw.models.alias.rollback('churn', 'never-set')).rejects.toMatchObject({
      code: 'ALIAS_NOT_FOUND',
    });

    const audit = await t.sw.audit.list({ resource: 'model_alias:churn@prod' });
    expect(audit.items.map((e) => [e.action, e.before, e.after]).reverse()).toEqual([
      ['model.alias.set', { alias: 'prod', version: null }, { alias: 'prod', version: 1 }],
      ['model.alias.set', { alias: 'prod', version: 1 }, { alias: 'prod', version: 3 }],
      ['model.alias.set', { alias: 'prod', version: 3 }, { alias: 'prod', version: 4 }],
      ['model.alias.rollback', { alias: 'prod', version: 4 }, { alias: 'prod', version: 3 }],
      ['model.alias.delete', { alias: 'prod', version: 3 }, { alias: 'prod', version: null }],
      ['model.alias.rollback', { alias: 'prod', version: null }, { alias: 'prod', version: 3 }],
    ]);
  });

  it('two clients racing with the same expectedVersion: exactly one wins, the other gets 409', async () => {
    const other = await t.connect((await t.sw.tokens.create({ name: 'racer', role: 'editor' })).token);
    for (let round = 0; round < RACES; round++) {
      const alias = `race-${round}`;
      // Half the rounds race to create (expectedVersion null), half to move from an existing version.
      const expected = round % 2 === 0 ? null : 1;
      if (expected !== null) await t.sw.models.alias.set('churn', alias, 1);
      const results = await Promise.allSettled([
        editor.models.alias.set('churn', alias, 2, { expectedVersion: expected }),
        other.models.alias.set('churn', alias, 3, { expectedVersion: expected }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won, `round ${round}`).toHaveLength(1);
      expect(lost, `round ${round}`).toHaveLength(1);
      const winner = (won[0] as PromiseFulfilledResult<{ version: number }>).value.version;
      expect(lost[0]!.reason).toMatchObject({ code: 'ALIAS_CONFLICT', details: { currentVersion: winner } });
      expect((await t.sw.models.alias.get('churn', alias)).version).toBe(winner);
      const history = await t.sw.models.alias.history('churn', alias);
      expect(
        history.items.filter((m) => m.reason === 'set' && m.from === (expected ?? undefined)),
      ).toHaveLength(1);
    }
  });

  it('refuses bad alias names and versions that do not exist, changing nothing', async () => {
    for (const bad of ['Has Space', '1st', '42', 'under_score', 'a'.repeat(65), '-dash']) {
      const error = await t.sw.models.alias.set('churn', bad, 1).catch((e: unknown) => e);
      expect(error, bad).toBeInstanceOf(InvalidError);
      expect((error as InvalidError).message, bad).toContain('alias');
    }
    await expect(t.sw.models.alias.set('churn', 'latest', 1)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(t.sw.models.alias.set('churn', 'ghost', 99)).rejects.toMatchObject({
      code: 'MODEL_VERSION_NOT_FOUND',
      status: 404,
    });
    await expect(t.sw.models.alias.set('no-model', 'ghost', 1)).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
    });
    await expect(t.sw.models.alias.get('churn', 'ghost')).rejects.toMatchObject({ code: 'ALIAS_NOT_FOUND' });
    const bodyErrors = await t.fetch('/api/v1/models/churn/aliases/ghost', {
      method: 'PUT',
      body: JSON.stringify({ version: 'two' }),
    });
    expect(bodyErrors.status).toBe(400);
    for (const body of [{ version: 2 ** 31 }, { version: 1, expectedVersion: 2 ** 40 }, { version: 0 }]) {
      const huge = await t.fetch('/api/v1/models/churn/aliases/ghost', {
        method: 'PUT',
        body: JSON.stringify(body),
      });
      expect(huge.status, JSON.stringify(body)).toBe(400);
    }
    // A hand-made page token for the right query but with an out-of-range cursor.
    const query = JSON.stringify(['model-versions', (await t.sw.models.get('churn')).id]);
    const crafted = Buffer.from(JSON.stringify({ c: 2 ** 40, q: query })).toString('base64url');
    expect((await t.fetch(`/api/v1/models/churn/versions?pageToken=${crafted}`)).status).toBe(400);
    expect((await t.fetch('/api/v1/models/churn/versions/99999999999')).status).toBe(400);
    expect((await t.sw.models.alias.history('churn', 'ghost')).items).toEqual([]);
    const viewer = await t.connect(
      (await t.sw.tokens.create({ name: 'alias-viewer', role: 'viewer' })).token,
    );
    await expect(viewer.models.alias.set('churn', 'ghost', 1)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('approvals need the approver role; the decision, comment, who and when are kept and audited', async () => {
    const refused = await editor.models.approve('churn@1', 'looks fine').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ForbiddenError);
    expect((refused as ForbiddenError).message).toContain('approver');
    expect((await t.sw.models.version('churn@1')).approval).toEqual({ status: 'pending' });

    const approved = await approver.models.approve('churn@1', 'passed review #12');
    expect(approved.approval).toMatchObject({
      status: 'approved',
      comment: 'passed review #12',
      by: 'alias-approver',
    });
    expect(approved.approval.at).toMatch(/Z$/);
    const rejected = await t.sw.models.reject('churn@challenger', 'drift on segment b');
    expect(rejected).toMatchObject({ version: 3, approval: { status: 'rejected', by: 'admin' } });
    const audit = await t.sw.audit.list({ resource: 'model_version:churn@1' });
    expect(audit.items[0]).toMatchObject({
      action: 'model.version.approve',
      actor: 'alias-approver',
      before: { status: 'pending' },
      after: { status: 'approved', comment: 'passed review #12' },
    });
    await expect(approver.models.approve('churn@77')).rejects.toMatchObject({
      code: 'MODEL_VERSION_NOT_FOUND',
    });
  });

  it('policy: a protected alias may only move to approved versions (admin sets the policy)', async () => {
    await versions('guarded', 3);
    await expect(
      editor.models.setPolicy('guarded', { requireApprovalFor: ['champion'] }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const model = await t.sw.models.setPolicy('guarded', { requireApprovalFor: ['Champion', 'champion'] });
    expect(model.policy).toEqual({ requireApprovalFor: ['champion'] });
    expect((await t.sw.models.get('guarded')).policy).toEqual({ requireApprovalFor: ['champion'] });
    await expect(
      t.sw.models.setPolicy('guarded', { requireApprovalFor: ['Not Valid'] }),
    ).rejects.toBeInstanceOf(InvalidError);

    const blocked = await editor.models.alias.set('guarded', 'champion', 1).catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(ConflictError);
    expect(blocked).toMatchObject({
      code: 'APPROVAL_REQUIRED',
      details: { alias: 'champion', version: 1, status: 'pending' },
    });
    expect((blocked as ConflictError).message).toContain("alias 'champion'");
    expect((blocked as ConflictError).message).toContain('version 1 is pending');
    await expect(t.sw.models.alias.get('guarded', 'champion')).rejects.toMatchObject({
      code: 'ALIAS_NOT_FOUND',
    });
    // Unprotected aliases are not affected.
    expect((await editor.models.alias.set('guarded', 'challenger', 1)).version).toBe(1);

    await approver.models.approve('guarded@1');
    await approver.models.approve('guarded@2');
    await approver.models.reject('guarded@3', 'bias on segment a');
    expect((await editor.models.alias.set('guarded', 'champion', 1)).version).toBe(1);
    expect((await editor.models.alias.set('guarded', 'champion', 2, { expectedVersion: 1 })).version).toBe(2);
    await expect(editor.models.alias.set('guarded', 'champion', 3)).rejects.toMatchObject({
      code: 'APPROVAL_REQUIRED',
      details: { status: 'rejected' },
    });
    // Rollback to a version rejected since is refused too.
    await approver.models.reject('guarded@1', 'found a leak');
    await expect(editor.models.alias.rollback('guarded', 'champion')).rejects.toMatchObject({
      code: 'APPROVAL_REQUIRED',
      details: { version: 1 },
    });
    expect((await t.sw.models.alias.get('guarded', 'champion')).version).toBe(2);
  });

  it('a deleted model refuses alias moves until restored', async () => {
    await versions('retired', 1);
    await t.sw.models.delete('retired');
    await expect(t.sw.models.alias.set('retired', 'champion', 1)).rejects.toMatchObject({
      code: 'MODEL_DELETED',
    });
    await t.sw.models.restore('retired');
    expect((await t.sw.models.alias.set('retired', 'champion', 1)).version).toBe(1);
  });
});
