/** `slipway deploy …`, `slipway deployments …` and `slipway predict …` against a real server. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Deployment, PredictResponse } from '../../src/client/index.js';
import { cliSuite } from '../support/cli-suite.js';
import { mlpModel } from '../support/onnx-models.js';

describe('slipway deploy / deployments / predict CLI', () => {
  const suite = cliSuite({
    workPrefix: 'slipway-serving-cli-',
    prepare: async ({ work }) => {
      await writeFile(join(work, 'mlp.onnx'), mlpModel({ inputs: 3, hidden: [4], outputs: 2, seed: 1 }));
    },
  });
  const { run } = suite;

  it('deploys, canaries, shows, rolls back and lists revisions', async () => {
    for (let i = 0; i < 2; i++) expect((await run('models', 'register', 'mlp', 'mlp.onnx')).code).toBe(0);
    expect((await run('models', 'alias', 'set', 'mlp', 'champion', '1')).code).toBe(0);
    const created = await run(
      'deploy',
      'mlp',
      '-m',
      'mlp@champion',
      '--max-batch',
      '16',
      '--max-delay-ms',
      '2',
    );
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('Deployment mlp (revision 1)');
    expect(created.stdout).toMatch(/100%\s+mlp@champion -> mlp@1/);
    expect(created.stdout).toContain('up to 16 rows, waits up to 2 ms');
    const canary = await run(
      '--json',
      'deploy',
      'mlp',
      '-m',
      'mlp@champion',
      '-m',
      'mlp@2:10',
      '--expected-revision',
      '1',
    );
    expect(canary.code, canary.stderr).toBe(0);
    const deployment = JSON.parse(canary.stdout) as Deployment;
    expect(deployment.routes.map((r) => [r.version, r.weight])).toEqual([
      [1, 90],
      [2, 10],
    ]);
    const stale = await run('deploy', 'mlp', '-m', 'mlp@2', '--expected-revision', '1');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/DEPLOYMENT_REVISION_CONFLICT/);
    const bad = await run('deploy', 'mlp', '-m', 'mlp@1:50', '-m', 'mlp@2:40');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/weights must sum to 100, got 90/);
    const usage = await run('deploy', 'fresh');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/at least one --model/);

    const back = await run('deploy', 'rollback', 'mlp');
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain('Deployment mlp (revision 3)');
    const revisions = await run('deployments', 'revisions', 'mlp');
    expect(revisions.stdout).toMatch(/3\s+.*rollback to 1\s+100% mlp@1/);
    expect(revisions.stdout).toMatch(/2\s+.*changed routes\s+90% mlp@1, 10% mlp@2/);
    const list = await run('deployments');
    expect(list.stdout).toMatch(/mlp\s+3\s+100% mlp@1/);
  });

  it('predicts from JSON rows and a JSON Lines file, and shows live figures per route', async () => {
    await writeFile(join(suite.work, 'rows.jsonl'), '{"input": [0.1, 0.2, 0.3]}\n\n{"input": [1, 2, 3]}\n');
    const human = await run('predict', 'mlp', '{"input": [0.5, 0.5, 0.5]}', '--file', 'rows.jsonl');
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/served by mlp@1 \(request /);
    expect(human.stdout.trim().split('\n')).toHaveLength(5);
    const json = await run('predict', 'mlp', '--json', '{"input": [0.5, 0.5, 0.5]}');
    expect(json.code, json.stderr).toBe(0);
    const answer = JSON.parse(json.stdout) as PredictResponse;
    expect(answer.modelVersion).toBe('mlp@1');
    expect(answer.predictions).toHaveLength(1);
    const typo = await run('predict', 'mlp', '{"inptu": [1, 2, 3]}');
    expect(typo.code).toBe(1);
    expect(typo.stderr).toMatch(/inptu/);
    const noRows = await run('predict', 'mlp');
    expect(noRows.code).toBe(2);
    const status = await run('deployments', 'status', 'mlp', '--window', '60');
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('Deployment mlp, revision 3; the last 60 s on this server');
    expect(status.stdout).toMatch(/mlp@champion\s+mlp@1\s+100%\s+[\d.]+\s+3\s+0.00%\s+1\s+[\d.]+ ms/);
  });
});
