/**
 * Durability: a server killed with SIGKILL in the middle of a run, started again, resumes the run
 * from its stored state. Finished steps are not run again, the interrupted one runs again without
 * counting as a failure, and the run ends as it would have.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${{ … }}` is pipeline reference syntax.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../support/backends.js';
import { childServerPerTest } from '../support/child-server.js';
import { fetcherOf, pipelineDir, startRun, stepOf, waitForRun } from './pipeline-files.js';

const servers = childServerPerTest();

describe.each(BACKENDS)('pipeline runs after a SIGKILL on %s', (backend) => {
  it('resume where they stopped and finish with the same result', async () => {
    const server = await servers.start(backend, { env: { SLIPWAY_PIPELINE_LEASE_MS: '1000' } });
    const api = fetcherOf(server);
    const dir = await pipelineDir({});
    const trail = join(dir, 'trail');
    const spec = {
      name: 'durable',
      params: { trail: { type: 'string' } },
      steps: [
        {
          name: 'first',
          kind: 'command',
          argv: ['sh', '-c', 'echo first >> "$SLIPWAY_INPUT_TRAIL"'],
          inputs: { trail: '${{ params.trail }}' },
        },
        {
          name: 'slow',
          kind: 'command',
          argv: ['sh', '-c', 'sleep 2; echo \'{"value": 7}\' > "$SLIPWAY_OUTPUT_DIR/outputs.json"'],
          outputs: { value: 'integer' },
          after: ['first'],
        },
        {
          name: 'last',
          kind: 'command',
          argv: ['sh', '-c', 'echo "last $0" >> "$SLIPWAY_INPUT_TRAIL"', '${{ steps.slow.outputs.value }}'],
          inputs: { trail: '${{ params.trail }}' },
        },
      ],
    };
    const applied = await api.fetch('/api/v1/pipelines', { method: 'POST', body: JSON.stringify({ spec }) });
    expect(applied.status).toBe(201);
    const started = await startRun(api, 'durable', { params: { trail } });
    await waitForRun(api, started.id, (run) =>
      (run.steps ?? []).some((step) => step.step === 'slow' && step.status === 'running'),
    );

    await server.kill('SIGKILL');
    await server.restart();

    const run = await waitForRun(api, started.id);
    expect(run.status).toBe('succeeded');
    expect(stepOf(run, 'first')).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(stepOf(run, 'slow')).toMatchObject({ status: 'succeeded', attempt: 2, outputs: { value: 7 } });
    expect(stepOf(run, 'slow').error).toBeUndefined();
    expect(await readFile(trail, 'utf8')).toBe('first\nlast 7\n');
  }, 120_000);
});
