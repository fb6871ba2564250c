/**
 * The pipeline engine through the HTTP API on every metadata backend: values flowing between fn,
 * command and gate steps, logs, caching, retries with backoff, timeouts that kill a process tree,
 * cancellation, foreach fan-out/fan-in, `when`, and what a closed gate does downstream.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${{ … }}` is pipeline reference syntax.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { applyFile, pipelineDir, startRun, stepLog, stepOf, waitForRun } from './pipeline-files.js';

const STEPS_TS = `
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function double(inputs: { x: number }) {
  console.log('doubling', inputs.x);
  return { y: inputs.x * 2 };
}

export function report(inputs: { values: number[] }, context: { outputDir: string }) {
  writeFileSync(join(context.outputDir, 'report'), inputs.values.join(','));
  return { total: inputs.values.reduce((a, b) => a + b, 0) };
}

/** Fails until it has been called \`times\` times, counting in a file. */
export function flaky(inputs: { counter: string; times: number }) {
  appendFileSync(inputs.counter, 'x');
  const calls = readFileSync(inputs.counter, 'utf8').length;
  if (calls < inputs.times) throw new Error('not yet: call ' + calls);
  return { calls };
}
`;

const MAIN_YAML = `name: flow
params:
  x: { type: number, default: 21 }
  threshold: { type: number, default: 40 }
  grid: { type: list, default: [1, 2, 3] }
steps:
  - name: double
    kind: fn
    module: ./steps.ts
    export: double
    inputs: { x: "\${{ params.x }}" }
    outputs: { y: number }
  - name: shell
    kind: command
    argv: [sh, ./emit.sh, "\${{ steps.double.outputs.y }}"]
    outputs: { z: number, notes: file }
  - name: fan
    kind: fn
    module: ./steps.ts
    export: double
    foreach: { items: "\${{ params.grid }}", concurrency: 2 }
    inputs: { x: "\${{ item }}" }
    outputs: { y: number }
  - name: sum
    kind: fn
    module: ./steps.ts
    export: report
    inputs: { values: "\${{ steps.fan.outputs.y }}" }
    outputs: { total: number, report: file }
  - name: gate
    kind: gate
    inputs: { condition: "steps.shell.outputs.z >= params.threshold" }
  - name: after-gate
    kind: fn
    module: ./steps.ts
    export: double
    inputs: { x: "\${{ steps.sum.outputs.total }}" }
    outputs: { y: number }
    after: [gate]
  - name: never
    kind: fn
    module: ./steps.ts
    export: double
    when: params.x > 1000
    inputs: { x: 1 }
    outputs: { y: number }
`;

const EMIT_SH = `echo "got $1"
echo "stderr line" >&2
echo "{\\"z\\": $(($1 + 1))}" > "$SLIPWAY_OUTPUT_DIR/outputs.json"
echo "notes for $1" > "$SLIPWAY_OUTPUT_DIR/notes"
`;

describe.each(BACKENDS)('pipeline engine on %s', (backend) => {
  let server: TestServer;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer(backend);
    dir = await pipelineDir({ 'pipeline.yaml': MAIN_YAML, 'steps.ts': STEPS_TS, 'emit.sh': EMIT_SH });
    const applied = await applyFile(server, join(dir, 'pipeline.yaml'));
    expect(applied.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  it('runs fn, command, foreach and gate steps with values flowing between them', async () => {
    const started = await startRun(server, 'flow');
    const run = await waitForRun(server, started.id);
    expect(run.status, JSON.stringify(run)).toBe('succeeded');
    expect(stepOf(run, 'double').outputs).toEqual({ y: 42 });
    expect(stepOf(run, 'shell').outputs?.z).toBe(43);
    expect(stepOf(run, 'fan').outputs).toEqual({ y: [2, 4, 6] });
    expect([0, 1, 2].map((item) => stepOf(run, 'fan', item).status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
    expect(stepOf(run, 'sum').outputs?.total).toBe(12);
    expect(stepOf(run, 'gate').outputs).toEqual({ passed: true });
    expect(stepOf(run, 'after-gate').outputs).toEqual({ y: 24 });
    expect(stepOf(run, 'never')).toMatchObject({
      status: 'skipped',
      reason: 'when: params.x > 1000 was false',
    });

    // File outputs are artifacts of the run's tracking run; numeric outputs its metrics.
    const notes = stepOf(run, 'shell').outputs?.notes as string;
    expect(notes).toBe(`runs/${run.run}/artifacts/steps/shell/notes/notes`);
    const artifact = await server.fetch(`/api/v1/${notes}`);
    expect(await artifact.text()).toBe('notes for 42\n');
    const metrics = await (await server.fetch(`/api/v1/runs/${run.run}`)).json();
    expect(JSON.stringify(metrics)).toContain('sum.total');

    const text = await stepLog(server, run.id, 'shell');
    expect(text).toContain('got 42');
    expect(text).toContain('stderr line');
    expect(await stepLog(server, run.id, 'double')).toBe('doubling 21\n');
  }, 60_000);

  it('reuses cached outputs when nothing changed, and not with useCache false or new params', async () => {
    const first = await waitForRun(
      server,
      (await startRun(server, 'flow', { params: { x: 5, threshold: 0 } })).id,
    );
    expect(first.status).toBe('succeeded');
    const second = await waitForRun(
      server,
      (await startRun(server, 'flow', { params: { x: 5, threshold: 0 } })).id,
    );
    expect(second.status).toBe('succeeded');
    expect(stepOf(second, 'double')).toMatchObject({
      status: 'cached',
      cachedFrom: first.id,
      outputs: { y: 10 },
    });
    expect(stepOf(second, 'shell').status).toBe('cached');
    // The gate is evaluated every time; it reads values, it does no work.
    expect(stepOf(second, 'gate').status).toBe('succeeded');
    const fresh = await waitForRun(
      server,
      (await startRun(server, 'flow', { params: { x: 5, threshold: 0 }, useCache: false })).id,
    );
    expect(stepOf(fresh, 'double').status).toBe('succeeded');
    const other = await waitForRun(
      server,
      (await startRun(server, 'flow', { params: { x: 6, threshold: 0 } })).id,
    );
    expect(stepOf(other, 'double').status).toBe('succeeded');
    // fan's items did not change with x: they are reused.
    expect(stepOf(other, 'fan', 0).status).toBe('cached');
  }, 60_000);

  it('fails a closed gate with the values it compared, and skips what depends on it', async () => {
    const run = await waitForRun(
      server,
      (await startRun(server, 'flow', { params: { threshold: 1000 } })).id,
    );
    expect(run.status).toBe('failed');
    expect(stepOf(run, 'gate').error).toEqual({
      code: 'GATE_CLOSED',
      message:
        'steps.shell.outputs.z >= params.threshold was false (steps.shell.outputs.z = 43, params.threshold = 1000)',
    });
    expect(stepOf(run, 'after-gate')).toMatchObject({
      status: 'skipped',
      reason: "upstream step 'gate' failed",
    });
    expect(run.error?.message).toContain("step 'gate' failed");
  }, 60_000);

  it('refuses bad params naming them', async () => {
    const response = await server.fetch('/api/v1/pipelines/flow/runs', {
      method: 'POST',
      body: JSON.stringify({ params: { x: 'many', nope: 1 } }),
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toContain("params.nope: pipeline 'flow' has no such param");
    expect(error.message).toContain("params.x: expected a number, got 'many'");
  });

  it('retries a failing step with backoff until it succeeds, and fails when retries run out', async () => {
    const counterDir = await pipelineDir({});
    const flakyDir = await pipelineDir({
      'steps.ts': STEPS_TS,
      'pipeline.yaml': `name: flaky
params:
  counter: { type: string }
  times: { type: integer }
steps:
  - name: flaky
    kind: fn
    module: ./steps.ts
    export: flaky
    retries: { count: 2, backoffMs: 50, factor: 2 }
    cache: false
    inputs: { counter: "\${{ params.counter }}", times: "\${{ params.times }}" }
    outputs: { calls: integer }
`,
    });
    expect((await applyFile(server, join(flakyDir, 'pipeline.yaml'))).status).toBe(201);
    const ok = await waitForRun(
      server,
      (await startRun(server, 'flaky', { params: { counter: join(counterDir, 'a'), times: 3 } })).id,
    );
    expect(ok.status).toBe('succeeded');
    expect(stepOf(ok, 'flaky')).toMatchObject({ status: 'succeeded', attempt: 3, outputs: { calls: 3 } });
    const text = await stepLog(server, ok.id, 'flaky');
    expect(text).toContain('STEP_FAILED: not yet: call 1');
    expect(text).toContain('--- attempt 3 ---');

    const exhausted = await waitForRun(
      server,
      (await startRun(server, 'flaky', { params: { counter: join(counterDir, 'b'), times: 10 } })).id,
    );
    expect(exhausted.status).toBe('failed');
    expect(stepOf(exhausted, 'flaky')).toMatchObject({
      status: 'failed',
      attempt: 3,
      error: { code: 'STEP_FAILED', message: 'not yet: call 3' },
    });
    expect((await readFile(join(counterDir, 'b'), 'utf8')).length).toBe(3);
  }, 60_000);

  it('times out a command step and kills every process it started; cancels a run', async () => {
    const slowDir = await pipelineDir({
      'pipeline.yaml': `name: slow
params:
  pidfile: { type: string }
  timeout: { type: string, default: 1h }
steps:
  - name: sleeper
    kind: command
    timeout: 700ms
    cache: false
    argv: [sh, -c, "sleep 300 & echo $! > \${{ params.pidfile }}; wait"]
  - name: later
    kind: command
    argv: [sh, -c, "echo later"]
    after: [sleeper]
`,
    });
    expect((await applyFile(server, join(slowDir, 'pipeline.yaml'))).status).toBe(201);
    const pidfile = join(slowDir, 'sleep.pid');
    const run = await waitForRun(server, (await startRun(server, 'slow', { params: { pidfile } })).id);
    expect(run.status).toBe('failed');
    expect(stepOf(run, 'sleeper').error).toEqual({ code: 'STEP_TIMEOUT', message: 'timed out after 700 ms' });
    expect(stepOf(run, 'later').status).toBe('skipped');
    const pid = Number((await readFile(pidfile, 'utf8')).trim());
    expect(await exitsSoon(pid)).toBe(true);

    const started = await startRun(server, 'slow', { params: { pidfile: join(slowDir, 'cancel.pid') } });
    await waitForRun(server, started.id, (current) =>
      (current.steps ?? []).some((step) => step.step === 'sleeper' && step.status === 'running'),
    );
    const cancelled = await server.fetch(`/api/v1/pipeline-runs/${started.id}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    const final = await waitForRun(server, started.id);
    expect(final.status).toBe('cancelled');
    expect(stepOf(final, 'sleeper').status).toBe('cancelled');
    expect(stepOf(final, 'later').status).toBe('cancelled');
  }, 60_000);
});

/** A killed process may linger a moment as a zombie until it is reaped; it must be gone within 5 s. */
async function exitsSoon(pid: number): Promise<boolean> {
  for (let waited = 0; waited < 5_000; waited += 50) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
