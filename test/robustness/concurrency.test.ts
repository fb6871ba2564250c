/**
 * Concurrent writers through the SDK, on every metadata backend, each with its own connection: no
 * metric point is lost; racing params, experiment names and idempotent creates conflict exactly as
 * documented (one winner, the rest a 409 with the right code, or the winner's result); racing tag
 * writes end as some serial order of them would; ActiveRuns logging in parallel lose nothing; racing
 * dataset pushes number their versions without gaps, one version per content; racing alias moves
 * and rollbacks with expectedVersion have exactly one winner per round.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  type DatasetVersion,
  type MetricInput,
  type Slipway,
} from '../../src/client/index.js';
import { tabularModel } from '../registry/fixtures.js';
import { BACKENDS } from '../support/backends.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CLIENTS = 8;
const SEED = 20_260_131;

describe.each(BACKENDS)('concurrent writers on %s', (backend) => {
  let t: TestServer;
  let clients: Slipway[];
  let experiment: string;

  beforeAll(async () => {
    t = await startTestServer(backend);
    clients = await Promise.all(Array.from({ length: CLIENTS }, () => t.connect(t.adminToken)));
    experiment = (await t.sw.experiments.create({ name: 'concurrency' })).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const newRun = async () => (await t.sw.runs.create({ experiment })).id;

  it('keeps every metric point that several clients log to one run at once', async () => {
    const runId = await newRun();
    const batches = 6;
    const size = 700;
    // Client c, batch b: steps (b * CLIENTS + c) * size + i, so every point has its own step.
    await Promise.all(
      clients.map(async (client, c) => {
        for (let b = 0; b < batches; b++) {
          const points: MetricInput[] = [];
          for (let i = 0; i < size; i++) {
            const step = (b * CLIENTS + c) * size + i;
            points.push(
              { key: 'loss', value: step / 7, step },
              { key: `client-${c % 2}`, value: -step, step },
            );
          }
          await client.runs.logMetrics(runId, points);
        }
      }),
    );
    const loss = await t.sw.runs.metricHistoryAll(runId, 'loss');
    expect(loss).toHaveLength(CLIENTS * batches * size);
    expect(new Set(loss.map((point) => point.step)).size).toBe(loss.length);
    for (const key of ['client-0', 'client-1']) {
      expect(await t.sw.runs.metricHistoryAll(runId, key)).toHaveLength((CLIENTS / 2) * batches * size);
    }
    const run = await t.sw.runs.get(runId);
    const highest = CLIENTS * batches * size - 1;
    expect(run.metrics.loss).toMatchObject({ step: highest, value: highest / 7 });
    expect(run.metrics['client-1']).toMatchObject({ step: highest, value: -highest });
    expect(run.metrics['client-0']?.step).toBe(highest - size);
  });

  it('lets exactly one of several different values of one param win; the rest get PARAM_IMMUTABLE', async () => {
    const runId = await newRun();
    for (let round = 0; round < 10; round++) {
      const key = `param-${round}`;
      const results = await Promise.allSettled(
        clients.map((client, c) => client.runs.logParams(runId, { [key]: `value-${c}` })),
      );
      const winners = results.flatMap((result, c) => (result.status === 'fulfilled' ? [c] : []));
      expect(winners).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') {
          expect(result.reason).toBeInstanceOf(ConflictError);
          expect((result.reason as ConflictError).code).toBe('PARAM_IMMUTABLE');
        }
      }
      expect((await t.sw.runs.get(runId)).params[key]).toBe(`value-${winners[0]}`);
    }
  });

  it('accepts the same params from every client at once, whatever order their keys come in', async () => {
    const runId = await newRun();
    for (let round = 0; round < 5; round++) {
      const keys = Array.from({ length: 12 }, (_, i) => `r${round}-k${i}`);
      const results = await Promise.allSettled(
        clients.map((client, c) => {
          // Each client sends the keys in another order: writers must not deadlock on them.
          const ordered = c % 2 === 0 ? keys : [...keys].reverse();
          return client.runs.logParams(runId, Object.fromEntries(ordered.map((key) => [key, `v-${key}`])));
        }),
      );
      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
      const { params } = await t.sw.runs.get(runId);
      for (const key of keys) expect(params[key]).toBe(`v-${key}`);
    }
  });

  it('creates an experiment once when several clients race for its name; the rest get EXPERIMENT_EXISTS', async () => {
    for (let round = 0; round < 10; round++) {
      const name = `raced-${round}`;
      const results = await Promise.allSettled(clients.map((client) => client.experiments.create({ name })));
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') {
          expect(result.reason).toBeInstanceOf(ConflictError);
          expect((result.reason as ConflictError).code).toBe('EXPERIMENT_EXISTS');
        }
      }
      const listed = await t.sw.experiments.list({ nameContains: name, limit: 1000 });
      expect(listed.items.filter((e) => e.name === name)).toHaveLength(1);
    }
  });

  it('merges the tags several clients add to one experiment at once, losing none', async () => {
    const { id } = await t.sw.experiments.create({ name: 'merged-tags', tags: { base: '0' } });
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        clients.map((client, c) => client.experiments.update(id, { tags: { [`r${round}-c${c}`]: `${c}` } })),
      );
    }
    const { tags } = await t.sw.experiments.get(id);
    expect(Object.keys(tags)).toHaveLength(1 + 5 * CLIENTS);
  });

  it('creates a token once when several admins race for its name; the rest get TOKEN_EXISTS', async () => {
    for (let round = 0; round < 5; round++) {
      const name = `raced-token-${round}`;
      const results = await Promise.allSettled(
        clients.map((client) => client.tokens.create({ name, role: 'viewer' })),
      );
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') expect((result.reason as ConflictError).code).toBe('TOKEN_EXISTS');
      }
    }
  });

  it('creates one run for racing creates with one Idempotency-Key, and answers all with it', async () => {
    for (let round = 0; round < 5; round++) {
      const key = `create-run-${backend}-${round}`;
      const name = `idempotent-${round}`;
      const results = await Promise.all(
        clients.map((client) => client.runs.create({ experiment, name }, { idempotencyKey: key })),
      );
      const ids = new Set(results.map((run) => run.id));
      expect(ids.size).toBe(1);
      const runs = await t.sw.runs.search({ experiments: [experiment], filter: `name = '${name}'` });
      expect(runs.items.map((run) => run.id)).toEqual([...ids]);
    }
  });

  it('refuses racing creates that reuse one Idempotency-Key for different bodies, creating one run', async () => {
    for (let round = 0; round < 5; round++) {
      const key = `reused-${backend}-${round}`;
      const results = await Promise.allSettled(
        clients.map((client, c) =>
          client.runs.create({ experiment, name: `reuse-${round}-${c}` }, { idempotencyKey: key }),
        ),
      );
      const created = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      expect(created).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') {
          expect(result.reason).toBeInstanceOf(ConflictError);
          expect((result.reason as ConflictError).code).toBe('IDEMPOTENCY_KEY_REUSED');
        }
      }
      const runs = await t.sw.runs.search({
        experiments: [experiment],
        filter: `name like 'reuse-${round}-%'`,
      });
      expect(runs.items.map((run) => run.id)).toEqual([created[0]!.id]);
      // The same key with the winner's body still replays the winner.
      const replay = await t.sw.runs.create({ experiment, name: created[0]!.name }, { idempotencyKey: key });
      expect(replay.id).toBe(created[0]!.id);
    }
  });

  it('ends racing tag writes on one run in the state of some serial order of them', async () => {
    type Change = Readonly<Record<string, string | null>>;
    const pool = ['a', 'b', 'c', 'd', 'e'];
    // Each writer sets or removes some of the same few tags, in its own key order.
    const change = fc
      .uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: pool.length })
      .chain((keys) => fc.tuple(...keys.map((key) => fc.tuple(fc.constant(key), fc.boolean()))));
    const rounds = fc.sample(fc.array(change, { minLength: 5, maxLength: 5 }), { numRuns: 12, seed: SEED });
    for (const [round, writers] of rounds.entries()) {
      const runId = await newRun();
      await t.sw.runs.setTags(runId, { a: 'initial', c: 'initial' });
      const changes: Change[] = writers.map((entries, w) =>
        Object.fromEntries(entries.map(([key, remove]) => [key, remove ? null : `r${round}-w${w}`])),
      );
      const results = await Promise.allSettled(
        changes.map((tags, w) => clients[w]!.runs.setTags(runId, tags)),
      );
      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
      const final = (await t.sw.runs.get(runId)).tags;
      const serial = permutations(changes.map((_, w) => w)).map((order) =>
        order.reduce<Record<string, string>>(
          (tags, w) => {
            for (const [key, value] of Object.entries(changes[w]!)) {
              if (value === null) delete tags[key];
              else tags[key] = value;
            }
            return tags;
          },
          { a: 'initial', c: 'initial' },
        ),
      );
      expect(serial, `final ${JSON.stringify(final)} after ${JSON.stringify(changes)}`).toContainEqual(final);
    }
  });

  it('keeps every point of several ActiveRuns logging in parallel once each has ended', async () => {
    const steps = 12_000;
    const active = await Promise.all(
      clients.slice(0, 4).map((client, c) =>
        client.startRun({
          experiment: 'concurrency',
          name: `active-${c}`,
          batchSize: 1_000,
          maxInFlight: 3,
          gitCommit: false,
        }),
      ),
    );
    await Promise.all(
      active.map(async (run, c) => {
        for (let step = 0; step < steps; step++) {
          run.logMetrics({ loss: 1 / (step + 1), [`own-${c}`]: step * c }, step);
          // Let batches leave while the loop runs, as a training loop's awaits would.
          if (step % 1_000 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
        await run.end();
      }),
    );
    for (const [c, run] of active.entries()) {
      const ended = await t.sw.runs.get(run.id);
      expect(ended.status).toBe('finished');
      expect(await t.sw.runs.metricHistoryAll(run.id, 'loss')).toHaveLength(steps);
      const own = await t.sw.runs.metricHistoryAll(run.id, `own-${c}`);
      expect(own.map((point) => point.step)).toEqual(Array.from({ length: steps }, (_, step) => step));
      expect(ended.metrics.loss).toMatchObject({ step: steps - 1, value: 1 / steps });
    }
  });

  it('numbers racing pushes of one dataset without gaps: one version per content, the same content once', async () => {
    for (let round = 0; round < 4; round++) {
      // Rounds 0 and 1 race for a new name; 2 and 3 push to the dataset round 1 created.
      const name = round < 2 ? `raced-data-${round}` : 'raced-data-1';
      const before = round < 2 ? 0 : (await t.sw.datasets.get(name)).latestVersion!;
      const shared = `id,value\n${round},shared\n`;
      // Half the clients push the same new bytes, the other half bytes of their own.
      const bodies = clients.map((_, c) => (c % 2 === 0 ? shared : `id,value\n${round},client-${c}\n`));
      const responses = await Promise.all(
        clients.map(async (_, c) => {
          const response = await t.fetch(`/api/v1/datasets/${name}/versions?format=csv`, {
            method: 'PUT',
            headers: { 'content-type': 'text/csv' },
            body: bodies[c]!,
          });
          return { status: response.status, version: (await response.json()) as DatasetVersion };
        }),
      );
      expect(responses.map((r) => r.status).every((status) => status === 200 || status === 201)).toBe(true);
      const sharedAnswers = responses.filter((_, c) => c % 2 === 0);
      expect(new Set(sharedAnswers.map((r) => r.version.id)).size).toBe(1);
      expect(sharedAnswers.filter((r) => r.status === 201)).toHaveLength(1);
      const distinct = new Set(bodies).size;
      expect(responses.filter((r) => r.status === 201)).toHaveLength(distinct);
      const versions = (await t.sw.datasets.versions(name, { limit: 1000 })).items;
      expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual(
        Array.from({ length: before + distinct }, (_, i) => i + 1),
      );
      // Each body is exactly the version its push answered with.
      for (const [c, response] of responses.entries()) {
        const served = await t.sw.datasets.bytes(`${name}@${response.version.version}`);
        expect(served.toString()).toBe(bodies[c]);
      }
    }
    const created = await t.sw.audit.list({ action: 'dataset.create', limit: 1000 });
    for (const name of ['raced-data-0', 'raced-data-1']) {
      expect(created.items.filter((event) => (event.after as { name?: string }).name === name)).toHaveLength(
        1,
      );
    }
  });

  it('lets exactly one of several racing alias moves with one expectedVersion win, each round', async () => {
    const model = 'raced-model';
    for (let v = 1; v <= CLIENTS; v++)
      await t.sw.models.register(model, { file: Buffer.from(tabularModel(2, v)) });
    // Round 0 creates the alias (expectedVersion null); later rounds move it from the last winner,
    // each client to another version than the current one (moving it onto itself changes nothing,
    // so in any serial order both that move and the next one would succeed).
    let current: number | null = null;
    for (let round = 0; round < 10; round++) {
      const expected: number | null = current;
      const targets = Array.from({ length: CLIENTS }, (_, v) => v + 1).filter((v) => v !== expected);
      const results = await Promise.allSettled(
        clients.map((client, c) =>
          client.models.alias.set(model, 'champion', targets[(round + c) % targets.length]!, {
            expectedVersion: expected,
          }),
        ),
      );
      const won = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      expect(won, `round ${round}`).toHaveLength(1);
      const winner: number = won[0]!.version;
      for (const result of results) {
        if (result.status === 'rejected') {
          expect(result.reason).toBeInstanceOf(ConflictError);
          expect(result.reason).toMatchObject({
            code: 'ALIAS_CONFLICT',
            details: { currentVersion: winner },
          });
        }
      }
      expect((await t.sw.models.alias.get(model, 'champion')).version).toBe(winner);
      current = winner;
    }
    // Racing rollbacks that all expect the current version: one undoes the latest move.
    const history = (await t.sw.models.alias.history(model, 'champion', { limit: 100 })).items;
    expect(history).toHaveLength(10);
    expect(history.every((move) => move.reason === 'set')).toBe(true);
    const rollbacks = await Promise.allSettled(
      clients.map((client) => client.models.alias.rollback(model, 'champion', { expectedVersion: current! })),
    );
    expect(rollbacks.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of rollbacks) {
      if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'ALIAS_CONFLICT' });
    }
    expect((await t.sw.models.alias.get(model, 'champion')).version).toBe(history[0]!.from);
    const after = (await t.sw.models.alias.history(model, 'champion', { limit: 100 })).items;
    expect(after).toHaveLength(11);
    expect(after[0]).toMatchObject({ reason: 'rollback', from: current, to: history[0]!.from });
  });

  // Last: it may revoke the token every other test uses.
  it('never revokes the last admin token, even when every admin token is revoked at once', async () => {
    const extra = await Promise.all(
      [1, 2, 3].map((i) => t.sw.tokens.create({ name: `extra-admin-${i}`, role: 'admin' })),
    );
    const admins = (await t.sw.tokens.list()).filter((token) => token.role === 'admin');
    expect(admins).toHaveLength(4);
    const results = await Promise.allSettled(admins.map((token, i) => clients[i]!.tokens.revoke(token.id)));
    const refused = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(refused).toHaveLength(1);
    expect((refused[0] as ConflictError).code).toBe('LAST_ADMIN_TOKEN');
    const survivor = admins[results.findIndex((result) => result.status === 'rejected')]!;
    const secret =
      survivor.name === 'admin' ? t.adminToken : extra.find((token) => token.id === survivor.id)!.token;
    const live = await (await t.connect(secret)).tokens.list();
    expect(live.filter((token) => token.role === 'admin').map((token) => token.id)).toEqual([survivor.id]);
  });
});

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}
