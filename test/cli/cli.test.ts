/** The `slipway` CLI against a real server: every command group, output modes and exit codes. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent, Experiment, Run, RunComparison, TokenInfo } from '../../src/client/index.js';
import { cli } from '../support/cli.js';
import { cliSuite } from '../support/cli-suite.js';

describe('slipway CLI', () => {
  const suite = cliSuite({ workPrefix: 'slipway-cli-' });
  const { run } = suite;

  it('manages experiments in human, --json and --quiet modes', async () => {
    const created = await run('experiments', 'create', 'cli-demo', '-d', 'from the CLI', '--tag', 'team=ads');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain("created experiment 'cli-demo'");
    const listed = await run('experiments');
    expect(listed.stdout).toMatch(/NAME\s+ID\s+LIFECYCLE/);
    expect(listed.stdout).toContain('cli-demo');
    const shown = await run('--json', 'experiments', 'show', 'cli-demo');
    expect(shown.json<Experiment>()).toMatchObject({
      name: 'cli-demo',
      description: 'from the CLI',
      tags: { team: 'ads' },
    });
    const quiet = await run('-q', 'experiments', 'list');
    expect(quiet.stdout.trim()).toBe(shown.json<Experiment>().id);
    expect(
      (await run('experiments', 'update', 'cli-demo', '--untag', 'team', '--tag', 'stage=dev')).code,
    ).toBe(0);
    expect((await run('--json', 'experiments', 'show', 'cli-demo')).json<Experiment>().tags).toEqual({
      stage: 'dev',
    });
  });

  it('creates, logs to, ends, lists, shows, searches and compares runs', async () => {
    const first = (
      await run('-q', 'runs', 'create', '-e', 'cli-demo', '-n', 'first', '--param', 'lr=0.1')
    ).stdout.trim();
    const second = (
      await run('-q', 'runs', 'create', '-e', 'cli-demo', '-n', 'second', '--param', 'lr=0.3')
    ).stdout.trim();
    expect(
      (
        await run(
          'runs',
          'log',
          first,
          '--metric',
          'acc=0.9',
          '--metric',
          'loss=NaN',
          '--step',
          '2',
          '--tag',
          'best=yes',
        )
      ).code,
    ).toBe(0);
    expect((await run('runs', 'log', second, '--metric', 'acc=0.7')).code).toBe(0);
    expect((await run('runs', 'end', first)).stdout).toContain('is finished');

    const list = await run('runs', 'list', '--experiment', 'cli-demo');
    expect(list.stdout).toMatch(/ID\s+NAME\s+STATUS/);
    expect(list.stdout).toContain('acc=0.9');
    const show = await run('runs', 'show', first);
    expect(show.stdout).toContain('Run first');
    expect(show.stdout).toMatch(/lr\s+0\.1/);
    expect(show.stdout).toMatch(/loss\s+NaN\s+2/);

    const search = await run(
      '--json',
      'runs',
      'search',
      '-e',
      'cli-demo',
      '--filter',
      'metrics.acc > 0.8',
      '--order-by',
      'metrics.acc desc',
    );
    expect(search.json<{ items: Run[] }>().items.map((r) => r.name)).toEqual(['first']);
    expect(search.json<{ items: Run[] }>().items[0]!.metrics.loss!.value).toBe('NaN');
    const compare = await run('runs', 'compare', first, second);
    expect(compare.stdout).toMatch(/\*\s+params\.lr\s+0\.1\s+0\.3/);
    const compareJson = await run('--json', 'runs', 'compare', `${first},${second}`);
    expect(compareJson.json<RunComparison>().runs.map((r) => r.id)).toEqual([first, second]);
  });

  it('prints a metric history with a sparkline', async () => {
    const id = (await run('-q', 'runs', 'create', '-e', 'cli-demo', '-n', 'curve')).stdout.trim();
    await suite.server.sw.runs.logMetrics(
      id,
      Array.from({ length: 50 }, (_, step) => ({ key: 'train/loss', value: 1 / (step + 1), step })),
    );
    const history = await run('runs', 'metrics', id, 'train/loss');
    expect(history.code).toBe(0);
    expect(history.stdout).toContain('train/loss: 50 points');
    expect(history.stdout).toMatch(/[▁▂▃▄▅▆▇█]{10,}/);
    expect(
      (await run('--json', 'runs', 'metrics', id, 'train/loss', '--limit', '10')).json<{ items: unknown[] }>()
        .items,
    ).toHaveLength(10);
  });

  it('puts, lists and gets artifacts, verifying what lands on disk', async () => {
    const id = (await run('-q', 'runs', 'create', '-e', 'cli-demo')).stdout.trim();
    const source = join(suite.work, 'weights.bin');
    await writeFile(source, Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251)));
    const put = await run('artifacts', 'put', id, 'weights.bin', 'model/weights.bin');
    expect(put.stdout).toContain('uploaded model/weights.bin');
    expect((await run('artifacts', 'list', id)).stdout).toContain('model/weights.bin');
    const got = await run('artifacts', 'get', id, 'model/weights.bin', '-o', 'copy.bin');
    expect(got.stdout).toContain('sha256 verified');
    expect(await readFile(join(suite.work, 'copy.bin'))).toEqual(await readFile(source));
    const missing = await run('artifacts', 'get', id, 'nope.bin');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ARTIFACT_NOT_FOUND');
  });

  it('creates, lists and revokes tokens, and reads the audit log', async () => {
    const created = await run('token', 'create', '--name', 'ci', '--role', 'editor');
    const secret = created.stdout.split('\n')[0]!;
    expect(secret).toMatch(/^swt_/);
    const whoami = await cli(
      ['whoami'],
      { SLIPWAY_URL: suite.server.url, SLIPWAY_TOKEN: secret },
      suite.work,
    );
    expect(whoami.stdout).toContain('ci (editor)');
    expect(
      (await run('--json', 'token', 'list')).json<{ items: TokenInfo[] }>().items.map((tk) => tk.name),
    ).toContain('ci');
    expect((await run('token', 'revoke', 'ci')).stdout).toContain("revoked token 'ci'");
    const audit = await run('--json', 'audit', '--action', 'token', '--limit', '5');
    expect(
      audit
        .json<{ items: AuditEvent[] }>()
        .items.map((e) => e.action)
        .slice(0, 2),
    ).toEqual(['token.revoke', 'token.create']);
    expect((await run('audit', '--resource', 'token')).stdout).toMatch(/TIME\s+ACTOR\s+ACTION/);
  });

  it('exits 1 with a one-line error for failed operations and 2 for usage errors', async () => {
    const notFound = await run('runs', 'show', 'missing');
    expect(notFound.code).toBe(1);
    expect(notFound.stderr.split('\n')[0]).toBe("error: run 'missing' does not exist [RUN_NOT_FOUND]");
    const badFilter = await run('runs', 'search', '--filter', 'metrics.x >');
    expect(badFilter.code).toBe(1);
    expect(badFilter.stderr).toContain('INVALID_FILTER');
    expect((await run('runs', 'list')).code).toBe(2);
    expect((await run('runs', 'log', 'x')).code).toBe(2);
    expect((await run('token', 'create', '--name', 'x', '--role', 'superuser')).code).toBe(2);
    expect((await run('nonsense')).code).toBe(2);
    expect((await run('runs', 'list', '-e', 'cli-demo', '--limit', 'ten')).code).toBe(2);
    const unreachable = await cli(
      ['experiments'],
      { SLIPWAY_URL: 'http://127.0.0.1:1', SLIPWAY_TOKEN: 'x' },
      suite.work,
    );
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot reach Slipway at http://127.0.0.1:1');
    const badConfig = await cli(['experiments'], { SLIPWAY_URL: 'ftp://x' }, suite.work);
    expect(badConfig.code).toBe(2);
    expect(badConfig.stderr).toContain('SLIPWAY_URL');
    const help = await run('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('experiments');
  });

  it('finds the admin token in SLIPWAY_HOME when the server is local', async () => {
    const local = await cli(
      ['whoami'],
      { SLIPWAY_URL: suite.server.url, SLIPWAY_HOME: suite.server.home },
      suite.work,
    );
    expect(local.stdout).toContain('admin (admin)');
    const noToken = await cli(
      ['whoami'],
      { SLIPWAY_URL: suite.server.url, SLIPWAY_HOME: suite.work },
      suite.work,
    );
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('UNAUTHENTICATED');
  });
});
