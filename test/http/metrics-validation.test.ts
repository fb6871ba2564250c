/**
 * The metric logging path over HTTP on every backend: bad points answered with 400 naming the point
 * and field, whole batches refused, NaN and ±Infinity kept, batches that arrive together (one
 * SQLite transaction) still accepted or refused each on its own, one audit event per batch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidError, NotFoundError } from '../../src/client/index.js';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details: Record<string, unknown>;
  };
}

describe.each(BACKENDS)('metric logging on %s', (backend) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(backend);
    await t.sw.experiments.create({ name: 'metrics' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const newRun = () => t.sw.runs.create({ experiment: 'metrics' });
  const post = async (runId: string, body: unknown) => {
    const response = await t.fetch(`/api/v1/runs/${runId}/metrics`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as ErrorBody };
  };
  const good = (step: number) => ({ key: 'loss', value: 1 / (step + 1), step, timestamp: 1_000 + step });

  it('answers a bad point with 400 naming the point and the field, and stores nothing of the batch', async () => {
    const run = await newRun();
    const cases: readonly [unknown, string][] = [
      [{ key: 'loss', value: 'abc' }, 'body.metrics[3].value: invalid input'],
      [{ key: 'loss', value: null }, 'body.metrics[3].value: invalid input'],
      [
        { key: 'loss', value: 1, step: 1.5 },
        'body.metrics[3].step: invalid input: expected int, received number',
      ],
      [{ value: 1 }, 'body.metrics[3].key: invalid input: expected string, received undefined'],
      [{ key: 'loss', value: 1, unit: 'ms' }, 'body.metrics[3]: unrecognized key: "unit"'],
      [
        { key: 'loss', value: 1, timestamp: '5' },
        'body.metrics[3].timestamp: invalid input: expected number, received string',
      ],
      [
        { key: 'loss', value: 1, timestamp: -5 },
        'metrics[3].timestamp must be epoch milliseconds (a non-negative integer), got -5',
      ],
      [
        { key: 'bad key!', value: 1 },
        "metrics[3].key: metric key may contain only letters, digits, spaces and _ - . / :, got 'bad key!'",
      ],
      ['loss', 'body.metrics[3]: invalid input: expected object, received string'],
    ];
    for (const [bad, message] of cases) {
      const answer = await post(run.id, { metrics: [good(0), good(1), good(2), bad, good(4)] });
      expect(answer.status, message).toBe(400);
      expect(answer.body.error.code).toBe('INVALID_ARGUMENT');
      expect(answer.body.error.message).toBe(message);
    }
    const several = await post(run.id, {
      metrics: [good(0), { key: 'x', value: 'nan' }, { key: 'x', value: 1, step: null }],
    });
    expect(several.body.error.message).toBe('body.metrics[1].value: invalid input (and 1 more problem)');
    expect(several.body.error.details.issues).toEqual([
      { path: 'body.metrics[1].value', message: 'Invalid input' },
      { path: 'body.metrics[2].step', message: 'Invalid input: expected number, received null' },
    ]);
    expect((await post(run.id, { metrics: [good(0)], extra: 1 })).body.error.message).toBe(
      'body: unrecognized key: "extra"',
    );
    expect((await post(run.id, [good(0)])).body.error.message).toBe(
      'body: invalid input: expected object, received array',
    );
    expect((await t.sw.runs.get(run.id)).metrics).toEqual({});
    await expect(t.sw.runs.metricHistory(run.id, 'loss')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses more than 10,000 points in a batch and takes exactly 10,000', async () => {
    const run = await newRun();
    const points = (n: number) => Array.from({ length: n }, (_, step) => ({ key: 'k', value: step, step }));
    const error = await t.sw.runs.logMetrics(run.id, points(10_001)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidError);
    expect((error as InvalidError).message).toBe('a batch holds at most 10000 metric points, got 10001');
    await expect(t.sw.runs.logMetrics(run.id, points(10_000))).resolves.toEqual({ accepted: 10_000 });
    const history = await t.sw.runs.metricHistory(run.id, 'k', { limit: 25_000 });
    expect(history.items).toHaveLength(10_000);
    expect((await t.sw.runs.get(run.id)).metrics.k).toMatchObject({ value: 9_999, step: 9_999 });
  });

  it('keeps NaN and ±Infinity through the SDK, the wire and the latest values', async () => {
    const run = await t.sw.startRun({ experiment: 'metrics', gitCommit: false });
    run.logMetric('nan', Number.NaN, 0, 10);
    run.logMetric('inf', Number.POSITIVE_INFINITY, 0, 10);
    run.logMetric('ninf', Number.NEGATIVE_INFINITY, 0, 10);
    run.logMetrics({ finite: 0.25, nan: 1 }, 1, 11);
    run.logMetrics({ nan: Number.NaN }, 2, 12);
    const ended = await run.end();
    expect(ended.status).toBe('finished');
    const fetched = await t.sw.runs.get(run.id);
    expect(fetched.metrics.nan!.value).toBeNaN();
    expect(fetched.metrics.nan!.step).toBe(2);
    expect(fetched.metrics.inf!.value).toBe(Number.POSITIVE_INFINITY);
    expect(fetched.metrics.ninf!.value).toBe(Number.NEGATIVE_INFINITY);
    expect(fetched.metrics.finite!.value).toBe(0.25);
    expect((await t.sw.runs.metricHistory(run.id, 'nan')).items.map((p) => p.value)).toEqual([
      Number.NaN,
      1,
      Number.NaN,
    ]);
    const wire = await post(run.id, {
      metrics: [
        { key: 'w', value: 'Infinity', step: 0 },
        { key: 'w', value: '-Infinity', step: 1 },
        { key: 'w', value: 'NaN', step: 2 },
        { key: 'w', value: 3, step: 3 },
      ],
    });
    expect(wire.status).toBe(200);
    expect((await t.sw.runs.metricHistory(run.id, 'w')).items.map((p) => p.value)).toEqual([
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.NaN,
      3,
    ]);
  });

  it('accepts or refuses batches that arrive together each on its own, with one audit event per batch', async () => {
    const runs = await Promise.all([newRun(), newRun(), newRun()]);
    const batches = runs.flatMap((run, r) =>
      Array.from({ length: 4 }, (_, b) => ({
        runId: run.id,
        metrics: Array.from({ length: 500 }, (_, i) => ({
          key: `m${i % 5}`,
          value: r * 1_000 + b * 500 + i,
          step: b * 100 + Math.floor(i / 5),
          timestamp: 1_000,
        })),
      })),
    );
    // Open the connections first, so that the batches below reach the server together.
    await Promise.all(batches.map(async () => (await t.fetch('/api/v1/whoami')).text()));
    const answers = await Promise.all([
      ...batches.map(({ runId, metrics }) => post(runId, { metrics })),
      post('no-such-run', { metrics: [good(0)] }),
      post(runs[0]!.id, { metrics: [good(0), { key: 'loss', value: 1, timestamp: -1 }] }),
    ]);
    expect(answers.slice(0, batches.length).map((answer) => answer.status)).toEqual(batches.map(() => 200));
    expect(answers.at(-2)!.status).toBe(404);
    expect(answers.at(-2)!.body.error.code).toBe('RUN_NOT_FOUND');
    expect(answers.at(-1)!.status).toBe(400);
    for (const [r, run] of runs.entries()) {
      const fetched = await t.sw.runs.get(run.id);
      expect(Object.keys(fetched.metrics).sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
      // Highest step wins: the last point of each key in the last batch.
      expect(fetched.metrics.m4).toEqual({ value: r * 1_000 + 3 * 500 + 499, step: 399, timestamp: 1_000 });
      expect((await t.sw.runs.metricHistory(run.id, 'm0', { limit: 1_000 })).items).toHaveLength(400);
      const audit = await t.sw.audit.list({ resource: `run:${run.id}`, action: 'run.log_metrics' });
      expect(audit.items.map((event) => event.after)).toEqual(
        Array.from({ length: 4 }, () => ({ points: 500, keys: ['m0', 'm1', 'm2', 'm3', 'm4'], moreKeys: 0 })),
      );
    }
  });
});
