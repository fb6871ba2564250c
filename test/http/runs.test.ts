/** Runs through the SDK on every backend: creation, status, immutable params, tags, metrics, compare. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, InvalidError, NotFoundError } from '../../src/client/index.js';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe.each(BACKENDS)('runs on %s', (backend) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(backend);
    await t.sw.experiments.create({ name: 'runs' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a run with params (stored as strings), tags, git commit and a generated name', async () => {
    const run = await t.sw.runs.create({
      experiment: 'runs',
      params: { lr: 0.1, model: 'gbdt', early_stop: true },
      tags: { team: 'ads' },
      gitCommit: 'ABCDEF1234567',
    });
    expect(run).toMatchObject({
      status: 'running',
      params: { lr: '0.1', model: 'gbdt', early_stop: 'true' },
      tags: { team: 'ads' },
      gitCommit: 'abcdef1234567',
      createdBy: 'admin',
      metrics: {},
    });
    expect(run.name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
    expect(run.endTime).toBeUndefined();
    expect(await t.sw.runs.get(run.id)).toEqual(run);
  });

  it('ends a run with an end time, and setting it running again clears it', async () => {
    const run = await t.sw.runs.create({ experiment: 'runs', name: 'lifecycle' });
    const finished = await t.sw.runs.update(run.id, { status: 'finished' });
    expect(finished.status).toBe('finished');
    expect(Date.parse(finished.endTime!)).toBeGreaterThanOrEqual(Date.parse(run.startTime));
    const reopened = await t.sw.runs.update(run.id, { status: 'running', name: 'renamed' });
    expect(reopened).toMatchObject({ status: 'running', name: 'renamed' });
    expect(reopened.endTime).toBeUndefined();
    const early = await t.sw.runs
      .update(run.id, { endTime: '2000-01-01T00:00:00.000Z', status: 'killed' })
      .catch((e: unknown) => e);
    expect((early as InvalidError).message).toContain('endTime');
  });

  it('keeps params immutable: same value is fine, a different one is a 409 naming both values, nothing applied', async () => {
    const run = await t.sw.runs.create({ experiment: 'runs', params: { lr: '0.1' } });
    await expect(t.sw.runs.logParams(run.id, { lr: '0.1', depth: 6 })).resolves.toMatchObject({
      params: { lr: '0.1', depth: '6' },
    });
    const error = await t.sw.runs.logParams(run.id, { lr: '0.2', seed: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).code).toBe('PARAM_IMMUTABLE');
    expect((error as ConflictError).message).toContain("'lr'");
    expect((error as ConflictError).message).toContain("'0.1'");
    expect((error as ConflictError).message).toContain("'0.2'");
    expect((await t.sw.runs.get(run.id)).params).toEqual({ lr: '0.1', depth: '6' });
  });

  it('sets, overwrites and removes tags', async () => {
    const run = await t.sw.runs.create({ experiment: 'runs', tags: { a: '1', b: '2' } });
    const updated = await t.sw.runs.setTags(run.id, { a: 'one', b: null, c: '3' });
    expect(updated.tags).toEqual({ a: 'one', c: '3' });
  });

  it('rejects bad keys, over-long values and unknown parents with errors naming the field', async () => {
    const run = await t.sw.runs.create({ experiment: 'runs' });
    const badKey = await t.sw.runs.logParams(run.id, { bad$key: 1 }).catch((e: unknown) => e);
    expect((badKey as InvalidError).message).toContain('param key');
    const longValue = await t.sw.runs.logParams(run.id, { long: 'x'.repeat(6001) }).catch((e: unknown) => e);
    expect((longValue as InvalidError).message).toContain('at most 6000');
    const traversal = await t.sw.runs.setTags(run.id, { '../x': 'v' }).catch((e: unknown) => e);
    expect((traversal as InvalidError).message).toContain('tag key');
    const parent = await t.sw.runs
      .create({ experiment: 'runs', parentRunId: '01HZZZZZZZZZZZZZZZZZZZZZZZ' })
      .catch((e: unknown) => e);
    expect((parent as NotFoundError).code).toBe('RUN_NOT_FOUND');
    const commit = await t.sw.runs
      .create({ experiment: 'runs', gitCommit: 'not-a-sha' })
      .catch((e: unknown) => e);
    expect((commit as InvalidError).message).toContain('gitCommit');
    await expect(t.sw.runs.get('missing')).rejects.toBeInstanceOf(NotFoundError);
    await expect(t.sw.runs.create({ experiment: 'no-such-experiment' })).rejects.toMatchObject({
      code: 'EXPERIMENT_NOT_FOUND',
    });
  });

  it('nests child runs under a parent of the same experiment and lists by parent', async () => {
    const parent = await t.sw.runs.create({ experiment: 'runs', name: 'sweep' });
    const children = await Promise.all(
      [1, 2, 3].map((i) =>
        t.sw.runs.create({ experiment: 'runs', name: `trial-${i}`, parentRunId: parent.id }),
      ),
    );
    const listed = await t.sw.runs.list({ experiment: 'runs', parentRunId: parent.id });
    expect(listed.items.map((r) => r.id).sort()).toEqual(children.map((r) => r.id).sort());
    await t.sw.experiments.create({ name: 'other-experiment' });
    const foreign = await t.sw.runs
      .create({ experiment: 'other-experiment', parentRunId: parent.id })
      .catch((e: unknown) => e);
    expect((foreign as InvalidError).message).toContain('another experiment');
  });

  it('logs metric batches with NaN and ±Infinity, keeps full history by step and the latest per key', async () => {
    const run = await t.sw.runs.create({ experiment: 'runs' });
    await t.sw.runs.logMetrics(run.id, [
      { key: 'loss', value: 1.0, step: 0, timestamp: 1000 },
      { key: 'loss', value: Number.NaN, step: 2, timestamp: 1002 },
      { key: 'loss', value: 0.5, step: 1, timestamp: 1001 },
      { key: 'train/acc', value: Number.POSITIVE_INFINITY, step: 5, timestamp: 1000 },
      { key: 'train/acc', value: Number.NEGATIVE_INFINITY, step: 5, timestamp: 999 },
    ]);
    const history = await t.sw.runs.metricHistory(run.id, 'loss');
    expect(history.items.map((p) => p.step)).toEqual([0, 1, 2]);
    expect(history.items[2]!.value).toBeNaN();
    const fetched = await t.sw.runs.get(run.id);
    expect(fetched.metrics.loss!.value).toBeNaN();
    expect(fetched.metrics.loss!.step).toBe(2);
    // Same step: the later timestamp wins.
    expect(fetched.metrics['train/acc']).toEqual({
      value: Number.POSITIVE_INFINITY,
      step: 5,
      timestamp: 1000,
    });
    const slashed = await t.sw.runs.metricHistory(run.id, 'train/acc');
    expect(slashed.items.map((p) => p.value).sort()).toEqual(
      [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY].sort(),
    );

    // A later batch with an older step does not replace the latest value.
    await t.sw.runs.logMetrics(run.id, [{ key: 'loss', value: 9, step: 1, timestamp: 5000 }]);
    expect((await t.sw.runs.get(run.id)).metrics.loss!.step).toBe(2);
    await expect(t.sw.runs.metricHistory(run.id, 'nope')).rejects.toMatchObject({ code: 'METRIC_NOT_FOUND' });
  });

  it('sends NaN and Infinity as strings on the wire', async () => {
    const run = await t.sw.runs.create({ experiment: 'runs' });
    const response = await t.fetch(`/api/v1/runs/${run.id}/metrics`, {
      method: 'POST',
      body: JSON.stringify({
        metrics: [
          { key: 'x', value: 'NaN' },
          { key: 'y', value: '-Infinity', step: 3 },
        ],
      }),
    });
    expect(response.status).toBe(200);
    const wire = (await (await t.fetch(`/api/v1/runs/${run.id}`)).json()) as {
      metrics: Record<string, { value: unknown }>;
    };
    expect(wire.metrics.x!.value).toBe('NaN');
    expect(wire.metrics.y!.value).toBe('-Infinity');
  });

  it('rejects a batch with one bad point whole, naming the point and field', async () => {
    const run = await t.sw.runs.create({ experiment: 'runs' });
    // The SDK sends series (columns per key): the error names the column entry.
    const error = await t.sw.runs
      .logMetrics(run.id, [
        { key: 'ok', value: 1, step: 0 },
        { key: 'ok', value: 2, step: 1.5 },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidError);
    expect((error as InvalidError).message).toContain('series[0].steps[1]');
    expect((await t.sw.runs.get(run.id)).metrics).toEqual({});
    const tooMany = Array.from({ length: 10_001 }, (_, step) => ({ key: 'k', value: step, step }));
    await expect(t.sw.runs.logMetrics(run.id, tooMany)).rejects.toBeInstanceOf(InvalidError);
  });

  it('accepts points and series in one batch over HTTP, with the same meaning', async () => {
    const run = await t.sw.runs.create({ experiment: 'runs' });
    const response = await t.fetch(`/api/v1/runs/${run.id}/metrics`, {
      method: 'POST',
      body: JSON.stringify({
        metrics: [{ key: 'loss', value: 0.9, step: 0, timestamp: 10 }],
        series: [
          { key: 'loss', values: [0.5, 'NaN'], steps: [1, 2], timestamps: [11, 12] },
          { key: 'acc', values: [0.1, 0.2] },
        ],
      }),
    });
    expect(await response.json()).toEqual({ accepted: 5 });
    const history = await t.sw.runs.metricHistory(run.id, 'loss');
    expect(history.items.map((p) => [p.step, p.timestamp])).toEqual([
      [0, 10],
      [1, 11],
      [2, 12],
    ]);
    expect(history.items[2]!.value).toBeNaN();
    // Series without steps default every step to 0, like points without one.
    expect((await t.sw.runs.metricHistory(run.id, 'acc')).items.map((p) => p.step)).toEqual([0, 0]);

    const mismatched = await t.fetch(`/api/v1/runs/${run.id}/metrics`, {
      method: 'POST',
      body: JSON.stringify({ series: [{ key: 'x', values: [1, 2], steps: [0] }] }),
    });
    expect(mismatched.status).toBe(400);
    expect(((await mismatched.json()) as { error: { message: string } }).error.message).toContain(
      'body.series[0].steps: must have one entry per value (2), got 1',
    );
    const empty = await t.fetch(`/api/v1/runs/${run.id}/metrics`, { method: 'POST', body: '{}' });
    expect(((await empty.json()) as { error: { message: string } }).error.message).toContain(
      'give metrics (points) or series',
    );
    const badKey = await t.sw.runs
      .logMetricSeries(run.id, [
        { key: 'a', values: [1] },
        { key: '../b', values: [1] },
      ])
      .catch((e: unknown) => e);
    expect((badKey as InvalidError).message).toContain('series[1].key: metric key');
    expect((await t.sw.runs.get(run.id)).metrics.a).toBeUndefined();
  });

  it('pages through a long metric history', async () => {
    const run = await t.sw.runs.create({ experiment: 'runs' });
    await t.sw.runs.logMetrics(
      run.id,
      Array.from({ length: 2500 }, (_, step) => ({ key: 'curve', value: step / 10, step })),
    );
    const steps: number[] = [];
    let pageToken: string | undefined;
    do {
      const page = await t.sw.runs.metricHistory(run.id, 'curve', {
        limit: 1000,
        ...(pageToken === undefined ? {} : { pageToken }),
      });
      steps.push(...page.items.map((p) => p.step));
      pageToken = page.nextPageToken;
    } while (pageToken !== undefined);
    expect(steps).toEqual(Array.from({ length: 2500 }, (_, step) => step));
    // A hand-made token with the right query but a cursor of the wrong type is refused, not run.
    for (const cursor of ['abc', -5, 2.5]) {
      const crafted = Buffer.from(
        JSON.stringify({ c: cursor, q: JSON.stringify(['history', run.id, 'curve']) }),
      ).toString('base64url');
      const error = await t.sw.runs
        .metricHistory(run.id, 'curve', { pageToken: crafted })
        .catch((e: unknown) => e);
      expect((error as InvalidError).code, String(cursor)).toBe('INVALID_PAGE_TOKEN');
    }
  });

  it('compares runs side by side, flagging what differs', async () => {
    const a = await t.sw.runs.create({ experiment: 'runs', name: 'a', params: { lr: 0.1, depth: 4 } });
    const b = await t.sw.runs.create({
      experiment: 'runs',
      name: 'b',
      params: { lr: 0.2, depth: 4, extra: 'x' },
    });
    await t.sw.runs.logMetrics(a.id, [
      { key: 'auc', value: 0.8 },
      { key: 'nan', value: Number.NaN },
    ]);
    await t.sw.runs.logMetrics(b.id, [
      { key: 'auc', value: 0.9 },
      { key: 'nan', value: Number.NaN },
    ]);
    const comparison = await t.sw.runs.compare([a.id, b.id]);
    expect(comparison.runs.map((r) => r.name)).toEqual(['a', 'b']);
    expect(comparison.params).toEqual([
      { key: 'depth', values: ['4', '4'], differs: false },
      { key: 'extra', values: [null, 'x'], differs: true },
      { key: 'lr', values: ['0.1', '0.2'], differs: true },
    ]);
    expect(comparison.metrics[0]).toEqual({ key: 'auc', values: [0.8, 0.9], differs: true });
    expect(comparison.metrics[1]!.differs).toBe(false);
    await expect(t.sw.runs.compare([a.id, 'missing'])).rejects.toBeInstanceOf(NotFoundError);
  });
});
