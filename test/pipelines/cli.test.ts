/** `slipway pipelines …` against a real server: apply, show, run --watch, runs, status, logs, retry. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ApplyResult, PipelineRunInfo } from '../../src/pipelines/index.js';
import { cliSuite } from '../support/cli-suite.js';

const STEPS_TS = `
export function double(inputs: { x: number }) {
  console.log('doubling', inputs.x);
  console.log('second line');
  return { y: inputs.x * 2 };
}
`;

const PIPELINE_YAML = `name: cli-demo
description: the CLI test pipeline
params:
  x: { type: number, default: 21 }
  threshold: { type: number, default: 40 }
  grid: { type: list, default: [1, 2] }
steps:
  - name: double
    kind: fn
    module: ./steps.ts
    export: double
    inputs: { x: "\${{ params.x }}" }
    outputs: { y: number }
  - name: fan
    kind: fn
    module: ./steps.ts
    export: double
    foreach: { items: "\${{ params.grid }}" }
    inputs: { x: "\${{ item }}" }
    outputs: { y: number }
  - name: gate
    kind: gate
    inputs: { condition: "steps.double.outputs.y >= params.threshold" }
  - name: after-gate
    kind: fn
    module: ./steps.ts
    export: double
    inputs: { x: "\${{ steps.double.outputs.y }}" }
    outputs: { y: number }
    after: [gate]
`;

describe('slipway pipelines', () => {
  const suite = cliSuite({
    workPrefix: 'slipway-pipelines-cli-',
    prepare: async ({ work }) => {
      await mkdir(join(work, 'flow'));
      await writeFile(join(work, 'flow', 'pipeline.yaml'), PIPELINE_YAML);
      await writeFile(join(work, 'flow', 'steps.ts'), STEPS_TS);
    },
  });

  it('applies a file, and says when nothing changed', { timeout: 60_000 }, async () => {
    const first = await suite.run('pipelines', 'apply', 'flow/pipeline.yaml');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^applied cli-demo version 1\n {2}4 steps/);
    expect(first.stdout).toMatch(/fn double: bundle \d+/);
    const again = await suite.run('--json', 'pipelines', 'apply', 'flow/pipeline.yaml');
    expect(again.code).toBe(0);
    const result = again.json<ApplyResult>();
    expect(result.created).toBe(false);
    expect(result.version.version).toBe(1);
    const human = await suite.run('pipelines', 'apply', 'flow/pipeline.yaml');
    expect(human.stdout).toMatch(/^cli-demo version 1 unchanged/);
  });

  it('lists and shows pipelines with their DAG', async () => {
    const list = await suite.run('pipelines');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/cli-demo\s+1\s+the CLI test pipeline/);
    const show = await suite.run('pipelines', 'show', 'cli-demo');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('x: number = 21');
    expect(show.stdout).toContain('source       pipeline.yaml');
    expect(show.stdout).toContain('pipeline cli-demo: 4 steps in');
    expect(show.stdout).toContain('gate -> after-gate (after)');
    const missing = await suite.run('pipelines', 'show', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: .*\[PIPELINE_NOT_FOUND\]/);
  });

  it('runs with --watch until success, then reads status, runs and logs', { timeout: 60_000 }, async () => {
    const watched = await suite.run('pipelines', 'run', 'cli-demo', '--param', 'x=30', '--watch');
    expect(watched.stderr).toBe('');
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/^started run (\S+) of cli-demo version 1/);
    expect(watched.stdout).toContain('[####################] 4/4 steps');
    expect(watched.stdout).toMatch(/run \S+ succeeded in /);
    const id = /^started run (\S+)/.exec(watched.stdout)![1]!;

    const status = await suite.run('pipelines', 'status', id);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/double\s+succeeded\s+1\s+\S+\s+y=60/);
    expect(status.stdout).toMatch(/fan#1\s+succeeded/);

    const runs = await suite.run(
      '-q',
      'pipelines',
      'runs',
      '--pipeline',
      'cli-demo',
      '--status',
      'succeeded',
    );
    expect(runs.stdout.trim().split('\n')).toContain(id);

    const logs = await suite.run('pipelines', 'logs', id);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('[double] doubling 30\n[double] second line\n');
    expect(logs.stdout).toContain('[fan#1] doubling 2\n');
    const step = await suite.run('pipelines', 'logs', id, '--step', 'fan', '--item', '0', '--follow');
    expect(step.stdout).toBe('doubling 1\nsecond line\n');
    const unknown = await suite.run('pipelines', 'logs', id, '--step', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('[STEP_NOT_FOUND]');
  });

  it('exits 1 when a watched run fails, and retries it', { timeout: 60_000 }, async () => {
    const failed = await suite.run('pipelines', 'run', 'cli-demo', '-p', 'threshold=1000', '--watch');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/gate\s+failed\s+attempt \d+\s+.*GATE_CLOSED/);
    expect(failed.stdout).toMatch(/after-gate\s+skipped/);
    expect(failed.stderr).toMatch(/^error: pipeline run \S+ failed/);
    const id = /^started run (\S+)/.exec(failed.stdout)![1]!;

    const retried = await suite.run('--json', 'pipelines', 'retry', id, '--from', 'gate');
    expect(retried.code).toBe(0);
    const run = retried.json<PipelineRunInfo>();
    expect(run.trigger).toEqual({ kind: 'retry', of: id, from: 'gate' });

    const started = await suite.run('pipelines', 'run', 'cli-demo', '--no-cache');
    expect(started.code).toBe(0);
    expect(started.stdout.trim()).toMatch(/^\S+$/);
  });

  it('rejects bad flags with exit code 2', async () => {
    const executor = await suite.run('pipelines', 'run', 'cli-demo', '--executor', 'cloud');
    expect(executor.code).toBe(2);
    expect(executor.stderr).toContain('--executor must be one of local, queue');
    const status = await suite.run('pipelines', 'runs', '--status', 'done');
    expect(status.code).toBe(2);
    const param = await suite.run('pipelines', 'run', 'cli-demo', '--param', 'novalue');
    expect(param.code).toBe(2);
  });
});
