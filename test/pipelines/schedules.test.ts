/**
 * Runs that start on their own: cron schedules (a bad expression or time zone refused at apply with
 * its location), one run per tick even with two servers over one database, dataset triggers handing
 * the new version to a param, and the webhook — each run recording why it started.
 */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${{ … }}` is pipeline reference syntax.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadServerConfig } from '../../src/core/config.js';
import type { PipelineRunInfo } from '../../src/pipelines/index.js';
import { startServer } from '../../src/server/start.js';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { applyFile, fetcherOf, pipelineDir, waitForRun } from './pipeline-files.js';

const servers: TestServer[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function runsOf(server: TestServer, pipeline: string): Promise<PipelineRunInfo[]> {
  const response = await server.fetch(`/api/v1/pipeline-runs?pipeline=${pipeline}&limit=1000`);
  return ((await response.json()) as { items: PipelineRunInfo[] }).items;
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(BACKENDS)('pipeline schedules and triggers on %s', (backend) => {
  it('refuses a bad cron expression, time zone or schedule param at apply, naming where', async () => {
    const server = await startTestServer(backend);
    servers.push(server);
    const dir = await pipelineDir({
      'pipeline.yaml': `name: nightly
params:
  size: { type: integer, default: 1 }
steps:
  - name: only
    kind: command
    argv: [true]
schedules:
  - cron: "61 * * * *"
  - cron: "0 3 * * *"
    timezone: Mars/Olympus
  - cron: "0 3 * * *"
    params: { size: big, nope: 1 }
`,
    });
    const applied = await applyFile(server, join(dir, 'pipeline.yaml')).catch((error: Error) => error);
    expect(applied).toBeInstanceOf(Error);
    const message = (applied as Error).message;
    expect(message).toContain('pipeline.yaml:9:5: schedules[0].cron');
    expect(message).toContain('Invalid value for minute: 61');
    expect(message).toContain("pipeline.yaml:11:5: schedules[1].timezone: unknown time zone 'Mars/Olympus'");
    expect(message).toContain('schedules[2].params.size: must be an integer, got string "big"');
    expect(message).toContain("schedules[2].params.nope: the pipeline has no param 'nope'");
  });

  it('fires each tick exactly once with two servers on one database, with the schedule params', async () => {
    const first = await startTestServer(backend);
    servers.push(first);
    const second = await startServer(
      loadServerConfig({
        SLIPWAY_HOME: join(first.home, 'second'),
        SLIPWAY_PORT: '0',
        SLIPWAY_DATABASE_URL: first.databaseEnv,
        SLIPWAY_LOG_LEVEL: 'silent',
      }),
    );
    closers.push(() => second.close());
    const spec = {
      name: 'ticker',
      params: { label: { type: 'string', default: 'default' } },
      steps: [{ name: 'noop', kind: 'command', argv: ['true'], cache: false }],
      schedules: [{ cron: '* * * * * *', timezone: 'Europe/Paris', params: { label: 'scheduled' } }],
    };
    const applied = await first.fetch('/api/v1/pipelines', {
      method: 'POST',
      body: JSON.stringify({ spec }),
    });
    expect(applied.status).toBe(201);

    const runs = await until(
      () => runsOf(first, 'ticker'),
      (items) => items.length >= 4,
    );
    // Stop both schedulers before counting, so no tick is half-fired while we look.
    await first.fetch('/api/v1/pipelines', {
      method: 'POST',
      body: JSON.stringify({ spec: { ...spec, schedules: undefined } }),
    });
    const all = await runsOf(first, 'ticker');
    const ticks = all.map((run) => (run.trigger as { at: string }).at);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(runs[0]!.trigger).toMatchObject({ kind: 'schedule', schedule: '* * * * * * (Europe/Paris)' });
    expect(runs[0]!.params).toEqual({ label: 'scheduled' });
    expect(runs[0]!.createdBy).toBe('scheduler');

    const listed = await (await first.fetch('/api/v1/pipeline-schedules?pipeline=ticker')).json();
    expect(listed).toEqual({ schedules: [], triggers: [] });
  }, 60_000);

  it('starts a run for each new version of a matching dataset, and on a webhook', async () => {
    const server = await startTestServer(backend);
    servers.push(server);
    const spec = {
      name: 'on-data',
      params: { data: { type: 'string', default: 'none' }, note: { type: 'string', default: '' } },
      steps: [
        {
          name: 'echo',
          kind: 'command',
          argv: ['sh', '-c', 'echo "$0"', '${{ params.data }}'],
          cache: false,
        },
      ],
      triggers: [{ dataset: 'sales-*', param: 'data', params: { note: 'from a trigger' } }],
    };
    expect(
      (await server.fetch('/api/v1/pipelines', { method: 'POST', body: JSON.stringify({ spec }) })).status,
    ).toBe(201);
    const listed = (await (await server.fetch('/api/v1/pipeline-schedules')).json()) as { triggers: unknown };
    expect(listed.triggers).toEqual([
      { pipeline: 'on-data', dataset: 'sales-*', param: 'data', params: { note: 'from a trigger' } },
    ]);

    for (const name of ['sales-eu', 'costs', 'sales-us']) {
      const pushed = await server.fetch(`/api/v1/datasets/${name}/versions?format=csv`, {
        method: 'PUT',
        headers: { 'content-type': 'text/csv' },
        body: 'a,b\n1,2\n',
      });
      expect(pushed.status, await pushed.clone().text()).toBe(201);
    }
    const triggered = await until(
      () => runsOf(server, 'on-data'),
      (items) => items.length >= 2,
    );
    expect(
      triggered.map((run) => run.trigger).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    ).toEqual([
      { kind: 'dataset', dataset: 'sales-eu@1' },
      { kind: 'dataset', dataset: 'sales-us@1' },
    ]);
    expect(triggered.map((run) => run.params.data).sort()).toEqual(['sales-eu@1', 'sales-us@1']);
    expect(triggered[0]!.params.note).toBe('from a trigger');

    const hook = await server.fetch('/api/v1/pipelines/on-data/trigger', {
      method: 'POST',
      body: JSON.stringify({ params: { data: 'by-hand' } }),
    });
    expect(hook.status).toBe(202);
    const run = await waitForRun(
      fetcherOf({ url: server.url, adminToken: server.adminToken }),
      ((await hook.json()) as { id: string }).id,
    );
    expect(run.status).toBe('succeeded');
    expect(run.trigger).toMatchObject({ kind: 'webhook' });
    expect((await runsOf(server, 'on-data')).length).toBe(3);
  }, 60_000);
});
