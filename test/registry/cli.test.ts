/** `slipway models …` against a real server: register, versions, show, alias, approve, policy, card, pull. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AliasMove, ModelCard, ModelVersion, Page } from '../../src/client/index.js';
import { cliSuite } from '../support/cli-suite.js';
import { tabularModel } from './fixtures.js';

describe('slipway models CLI', () => {
  const suite = cliSuite({
    workPrefix: 'slipway-models-cli-',
    prepare: async ({ work }) => {
      await writeFile(join(work, 'v1.onnx'), tabularModel(3, 1));
      await writeFile(join(work, 'v2.onnx'), tabularModel(3, 2));
    },
  });
  const { run } = suite;

  it('registers files and run artifacts, lists versions and shows models and versions', async () => {
    const first = await run(
      'models',
      'register',
      'churn',
      'v1.onnx',
      '--metric',
      'auc=0.91',
      '--metric',
      'f1=0.5',
      '--feature',
      'age,plan,tenure',
      '-d',
      'baseline',
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('registered churn@1');
    const sdkRun = await suite.server.sw.startRun({ experiment: 'cli-models', gitCommit: false });
    await sdkRun.logArtifact(Buffer.from(tabularModel(3, 2)), 'model/model.onnx');
    await sdkRun.end('finished');
    const second = await run(
      '--json',
      'models',
      'register',
      'churn',
      '--source',
      `runs/${sdkRun.id}/artifacts/model/model.onnx`,
    );
    expect(second.code, second.stderr).toBe(0);
    expect(second.json<ModelVersion>()).toMatchObject({ version: 2, run: sdkRun.id });

    const versions = await run('models', 'versions', 'churn');
    expect(versions.stdout).toMatch(/VERSION\s+APPROVAL\s+ALIASES/);
    expect(versions.stdout).toContain('auc=0.91');
    const shown = await run('models', 'show', 'churn@1');
    expect(shown.stdout).toContain('Model version churn@1');
    expect(shown.stdout).toContain('x: float32 [batch, 3]');
    expect(shown.stdout).toContain('age, plan, tenure');
    expect((await run('models')).stdout).toContain('churn');
    expect((await run('-q', 'models', 'list')).stdout.trim()).toBe('churn');

    const usage = await run('models', 'register', 'churn');
    expect(usage.code).toBe(2);
    const badMetric = await run('models', 'register', 'churn', 'v1.onnx', '--metric', 'auc=high');
    expect(badMetric.code).toBe(2);
    await writeFile(join(suite.work, 'bad.onnx'), 'definitely,not\nonnx,1\n');
    const bad = await run('models', 'register', 'churn', 'bad.onnx');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('[INVALID_MODEL]');
  });

  it('moves aliases with compare-and-set, shows history and rolls back', async () => {
    expect((await run('models', 'alias', 'set', 'churn', 'champion', '1', '--expected', 'none')).code).toBe(
      0,
    );
    const moved = await run('models', 'alias', 'set', 'churn', 'champion', '2', '--expected', '1');
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stdout).toContain('churn@champion now points at version 2');
    const stale = await run('models', 'alias', 'set', 'churn', 'champion', '1', '--expected', '1');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('[ALIAS_CONFLICT]');
    expect(stale.stderr).toContain('"currentVersion":2');
    expect((await run('models', 'alias', 'get', 'churn', 'champion')).stdout).toContain(
      'points at version 2',
    );
    const history = await run('--json', 'models', 'alias', 'history', 'churn', 'champion');
    expect(history.json<Page<AliasMove>>().items.map((m) => [m.from ?? null, m.to])).toEqual([
      [1, 2],
      [null, 1],
    ]);
    const rolled = await run('models', 'alias', 'rollback', 'churn', 'champion');
    expect(rolled.stdout).toContain('rolled back to version 1');
    expect((await run('models', 'alias', 'list', 'churn')).stdout).toMatch(/champion\s+1/);
    expect((await run('models', 'alias', 'set', 'churn', 'Bad Name', '1')).code).toBe(1);
    const deleted = await run('models', 'alias', 'delete', 'churn', 'champion', '--expected', '1');
    expect(deleted.stdout).toContain('deleted churn@champion');
  });

  it('approves and rejects (approver role), and enforces the policy', async () => {
    const editorToken = (await suite.server.sw.tokens.create({ name: 'cli-editor', role: 'editor' })).token;
    const refused = await run('--token', editorToken, 'models', 'approve', 'churn@1', '--comment', 'ok');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('approver');
    const approved = await run('models', 'approve', 'churn@1', '--comment', 'reviewed');
    expect(approved.stdout).toContain('churn@1 is approved');
    expect((await run('models', 'reject', 'churn@2', '-m', 'leaky feature')).stdout).toContain(
      'churn@2 is rejected',
    );
    const policy = await run('models', 'policy', 'churn', '--require-approval-for', 'champion');
    expect(policy.stdout).toContain('approval required for champion');
    const blocked = await run('models', 'alias', 'set', 'churn', 'champion', '2');
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('[APPROVAL_REQUIRED]');
    expect((await run('models', 'alias', 'set', 'churn', 'champion', '1')).code).toBe(0);
    expect((await run('models', 'show', 'churn')).stdout).toContain('champion -> 1');
  });

  it('prints and edits model cards', async () => {
    const printed = await run('models', 'card', 'churn@1');
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toContain('# Model card: churn@1');
    expect(printed.stdout).toContain('## Intended use\n\n_Not documented yet._');
    await writeFile(
      join(suite.work, 'card.json'),
      JSON.stringify({
        intendedUse: 'retention outreach',
        evaluation: [{ slice: 'all', metrics: { auc: 0.9 } }],
      }),
    );
    const fromFile = await run('models', 'card', 'churn@champion', '--set-file', 'card.json');
    expect(fromFile.stdout).toContain('## Intended use\n\nretention outreach');
    expect(fromFile.stdout).toContain('| all |  | 0.9 |');
    const flags = await run('models', 'card', 'churn@1', '--limitations', 'not for new accounts');
    expect(flags.stdout).toContain('retention outreach');
    expect(flags.stdout).toContain('## Limitations\n\nnot for new accounts');
    const json = await run('--json', 'models', 'card', 'churn@1');
    expect(json.json<ModelCard>()).toMatchObject({
      intendedUse: 'retention outreach',
      limitations: 'not for new accounts',
    });
    await writeFile(join(suite.work, 'broken.json'), '{nope');
    expect((await run('models', 'card', 'churn@1', '--set-file', 'broken.json')).code).toBe(2);
  });

  it('pulls a version by alias, verified, to the named file or a default name', async () => {
    const pulled = await run('models', 'pull', 'churn@champion', '-o', 'model.onnx');
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toContain('churn@1');
    expect(
      Buffer.compare(
        await readFile(join(suite.work, 'model.onnx')),
        await readFile(join(suite.work, 'v1.onnx')),
      ),
    ).toBe(0);
    const byDefault = await run('models', 'pull', 'churn@2');
    expect(byDefault.code, byDefault.stderr).toBe(0);
    expect(
      Buffer.compare(
        await readFile(join(suite.work, 'churn-2.onnx')),
        await readFile(join(suite.work, 'v2.onnx')),
      ),
    ).toBe(0);
    const missing = await run('models', 'pull', 'churn@7', '-o', 'seven.onnx');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('[MODEL_VERSION_NOT_FOUND]');
  });

  it('creates, deletes and restores models', async () => {
    expect((await run('models', 'create', 'temp-model', '-d', 'scratch')).stdout).toContain(
      "created model 'temp-model'",
    );
    expect((await run('models', 'delete', 'temp-model')).stdout).toContain('deleted model');
    expect((await run('models', '--deleted')).stdout).toContain('temp-model');
    expect((await run('models', 'restore', 'temp-model')).stdout).toContain('restored');
  });
});
