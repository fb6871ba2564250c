import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  UnprocessableError,
} from '../../src/client/index.js';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe.each(BACKENDS)('experiments on %s', (backend) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(backend);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates an experiment, normalising the name to lower case, and gets it by id or name', async () => {
    const created = await t.sw.experiments.create({
      name: 'Churn-Model',
      description: 'first',
      tags: { team: 'ads' },
    });
    expect(created).toMatchObject({
      name: 'churn-model',
      description: 'first',
      tags: { team: 'ads' },
      lifecycle: 'active',
    });
    expect(await t.sw.experiments.get(created.id)).toEqual(created);
    expect(await t.sw.experiments.get('churn-model')).toEqual(created);
    expect(await t.sw.experiments.get('CHURN-MODEL')).toEqual(created);
  });

  it('rejects duplicate, empty, slashed and over-long names with errors naming the problem', async () => {
    await t.sw.experiments.create({ name: 'dup' });
    const duplicate = await t.sw.experiments.create({ name: 'DUP' }).catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(ConflictError);
    expect((duplicate as ConflictError).code).toBe('EXPERIMENT_EXISTS');
    for (const [name, fragment] of [
      ['', 'must not be empty'],
      ['a/b', "must not contain '/'"],
      ['x'.repeat(129), 'at most 128'],
      ['-leading', 'start with a letter or digit'],
    ] as const) {
      const error = await t.sw.experiments.create({ name }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidError);
      expect((error as InvalidError).message).toContain('experiment name');
      expect((error as InvalidError).message).toContain(fragment);
    }
  });

  it('renames, updates description and merges tags (null removes one)', async () => {
    const experiment = await t.sw.experiments.create({ name: 'to-rename', tags: { a: '1', b: '2' } });
    const updated = await t.sw.experiments.update(experiment.id, {
      name: 'renamed',
      description: 'new',
      tags: { a: null, c: '3' },
    });
    expect(updated).toMatchObject({
      id: experiment.id,
      name: 'renamed',
      description: 'new',
      tags: { b: '2', c: '3' },
    });
    await expect(t.sw.experiments.get('to-rename')).rejects.toBeInstanceOf(NotFoundError);
    const clash = await t.sw.experiments.update('renamed', { name: 'dup' }).catch((e: unknown) => e);
    expect((clash as ConflictError).code).toBe('EXPERIMENT_EXISTS');
  });

  it('soft-deletes (admin only), hides from lists, refuses new runs, keeps the name reserved, and restores', async () => {
    const experiment = await t.sw.experiments.create({ name: 'short-lived' });
    const editorToken = (await t.sw.tokens.create({ name: 'exp-editor', role: 'editor' })).token;
    const editor = await t.connect(editorToken);
    await expect(editor.experiments.delete('short-lived')).rejects.toBeInstanceOf(ForbiddenError);

    const deleted = await t.sw.experiments.delete('short-lived');
    expect(deleted.lifecycle).toBe('deleted');
    expect(deleted.deletedAt).toBeDefined();
    const active = await t.sw.experiments.list({ limit: 1000 });
    expect(active.items.map((e) => e.id)).not.toContain(experiment.id);
    const onlyDeleted = await t.sw.experiments.list({ lifecycle: 'deleted' });
    expect(onlyDeleted.items.map((e) => e.id)).toContain(experiment.id);

    const runError = await t.sw.runs.create({ experiment: 'short-lived' }).catch((e: unknown) => e);
    expect(runError).toBeInstanceOf(UnprocessableError);
    expect((runError as UnprocessableError).code).toBe('EXPERIMENT_DELETED');
    const reuse = await t.sw.experiments.create({ name: 'short-lived' }).catch((e: unknown) => e);
    expect((reuse as ConflictError).message).toContain('deleted');

    const restored = await t.sw.experiments.restore(experiment.id);
    expect(restored.lifecycle).toBe('active');
    expect(restored.deletedAt).toBeUndefined();
    await expect(t.sw.runs.create({ experiment: 'short-lived' })).resolves.toMatchObject({
      experimentId: experiment.id,
    });
  });

  it('pages through experiments newest first with nextPageToken', async () => {
    for (let i = 0; i < 5; i++) await t.sw.experiments.create({ name: `page-${i}` });
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await t.sw.experiments.list({
        limit: 2,
        nameContains: 'page-',
        ...(pageToken === undefined ? {} : { pageToken }),
      });
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((e) => e.name));
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    expect(seen).toEqual(['page-4', 'page-3', 'page-2', 'page-1', 'page-0']);
    const bad = await t.sw.experiments.list({ pageToken: 'garbage' }).catch((e: unknown) => e);
    expect((bad as InvalidError).code).toBe('INVALID_PAGE_TOKEN');
  });

  it('treats % and _ in nameContains literally', async () => {
    await t.sw.experiments.create({ name: 'a_b-literal' });
    await t.sw.experiments.create({ name: 'axb-literal' });
    const page = await t.sw.experiments.list({ nameContains: 'a_b' });
    expect(page.items.map((e) => e.name)).toEqual(['a_b-literal']);
  });
});
