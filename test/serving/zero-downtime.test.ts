/**
 * Zero-downtime switches: under a continuous load of concurrent V2 requests, a deployment goes
 * through a canary, a blue-green switch, an alias move it follows, a rollback and a swap to a new
 * version. No request may fail, and every answer must come from a version that a revision active
 * at some moment of that request allowed — and must be that version's actual output.
 */
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Slipway } from '../../src/client/index.js';
import { seededRandom } from '../../src/training/random.js';
import { BACKENDS } from '../support/backends.js';
import { mlpModel } from '../support/onnx-models.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const WIDTH = 6;
const VERSIONS = [1, 2, 3, 4] as const;
const LOOPS = 16;
/** Each loop cycles through this many fixed inputs, so every answer can be checked exactly. */
const INPUTS_PER_LOOP = 4;
/** Least time, and least number of answers started after it applied, each state serves. */
const STATE_MS = 200;
const STATE_ANSWERS = 100;
/** Generous: how long a state may take to show all its versions (the alias move waits for a poll). */
const EVENTUALLY_MS = 10_000;

interface Answer {
  readonly start: number;
  readonly end: number;
  readonly version: number;
  readonly loop: number;
  readonly input: number;
  readonly probabilities: readonly number[];
}

interface Failure {
  readonly start: number;
  readonly end: number;
  readonly status: number | null;
  readonly error: string;
}

/** A deployment state: which versions it may answer from, and when it could have been in force. */
interface State {
  readonly label: string;
  readonly allowed: ReadonlySet<number>;
  /** When the change that made it began (it may apply any time after). */
  readonly from: number;
  /** When it was certainly in force: its change call returned, or an answer showed it. */
  applied: number;
}

function inputRow(loop: number, input: number): number[] {
  const random = seededRandom(1000 + loop * INPUTS_PER_LOOP + input);
  return Array.from({ length: WIDTH }, () => random() * 2 - 1);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(BACKENDS)('zero-downtime switches on %s', (backend) => {
  let t: TestServer;
  let sw: Slipway;
  /** expected[version][loop * INPUTS_PER_LOOP + input]: that version's probabilities for the input. */
  const expected = new Map<number, number[][]>();

  beforeAll(async () => {
    t = await startTestServer(backend);
    sw = t.sw;
    for (const version of VERSIONS) {
      const bytes = mlpModel({ inputs: WIDTH, hidden: [8], outputs: 3, seed: version });
      const registered = await sw.models.register('mlp', { file: Buffer.from(bytes) });
      expect(registered.version).toBe(version);
      const session = await ort.InferenceSession.create(bytes);
      const rows: number[][] = [];
      for (let loop = 0; loop < LOOPS; loop++) {
        for (let input = 0; input < INPUTS_PER_LOOP; input++) {
          const result = await session.run({
            input: new ort.Tensor('float32', Float32Array.from(inputRow(loop, input)), [1, WIDTH]),
          });
          rows.push(Array.from(result.probabilities!.data as Float32Array));
        }
      }
      await session.release();
      expected.set(version, rows);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Starts LOOPS request loops against `name`; stop() ends them and waits for the last requests. */
  function load(name: string) {
    const answers: Answer[] = [];
    const failures: Failure[] = [];
    let stopping = false;
    const loop = async (index: number) => {
      for (let n = 0; !stopping; n++) {
        const input = n % INPUTS_PER_LOOP;
        const start = performance.now();
        let status: number | null = null;
        try {
          const response = await t.fetch(`/v2/models/${name}/infer`, {
            method: 'POST',
            body: JSON.stringify({
              inputs: [{ name: 'input', shape: [1, WIDTH], datatype: 'FP32', data: inputRow(index, input) }],
            }),
          });
          status = response.status;
          const text = await response.text();
          const end = performance.now();
          if (status !== 200) {
            failures.push({ start, end, status, error: text });
            continue;
          }
          const body = JSON.parse(text) as {
            model_version: string;
            outputs: { name: string; data: number[] }[];
          };
          const header = response.headers.get('x-slipway-model-version');
          if (header !== `mlp@${body.model_version}`) {
            failures.push({ start, end, status, error: `header ${header} but body ${body.model_version}` });
            continue;
          }
          const probabilities = body.outputs.find((output) => output.name === 'probabilities')?.data;
          answers.push({
            start,
            end,
            version: Number(body.model_version),
            loop: index,
            input,
            probabilities: probabilities ?? [],
          });
        } catch (error) {
          failures.push({ start, end: performance.now(), status, error: String(error) });
        }
      }
    };
    const loops = Array.from({ length: LOOPS }, (_, i) => loop(i));
    return {
      answers,
      failures,
      async stop() {
        stopping = true;
        await Promise.all(loops);
      },
    };
  }

  async function runScenario(name: string, batching: { maxBatch: number; maxDelayMs: number } | undefined) {
    await sw.models.alias.set('mlp', 'champion', 1);
    await sw.deployments.create(name, {
      routes: [{ model: 'mlp@champion' }],
      ...(batching === undefined ? {} : { batching }),
    });
    const states: State[] = [
      { label: 'created: 100% champion (1)', allowed: new Set([1]), from: 0, applied: 0 },
    ];
    const traffic = load(name);
    let driverError: unknown;

    /** Waits until the newest state has served a while, with every version it allows seen since it applied. */
    const serve = async () => {
      const state = states.at(-1)!;
      const startedAt = performance.now();
      const deadline = startedAt + EVENTUALLY_MS;
      for (;;) {
        const since = traffic.answers.filter((answer) => answer.start >= state.applied);
        const seen = new Set(since.map((answer) => answer.version));
        const complete = [...state.allowed].every((version) => seen.has(version));
        if (complete && since.length >= STATE_ANSWERS && performance.now() - startedAt >= STATE_MS) return;
        if (performance.now() > deadline || traffic.failures.length > 0) return;
        await sleep(10);
      }
    };
    /** Makes a change under load; the new state is certainly in force once the call has returned. */
    const change = async (
      label: string,
      allowed: number[],
      call: () => Promise<{ routes: readonly { version: number; weight: number }[] }>,
    ) => {
      const from = performance.now();
      const result = await call();
      const applied = performance.now();
      expect(
        new Set(result.routes.filter((route) => route.weight > 0).map((route) => route.version)),
        label,
      ).toEqual(new Set(allowed));
      states.push({ label, allowed: new Set(allowed), from, applied });
      await serve();
    };

    try {
      await serve();
      await change('canary: 90% champion (1), 10% mlp@2', [1, 2], () =>
        sw.deployments.update(name, {
          routes: [
            { model: 'mlp@champion', weight: 90 },
            { model: 'mlp@2', weight: 10 },
          ],
        }),
      );
      await change('blue-green: 0% champion, 100% mlp@2', [2], () =>
        sw.deployments.update(name, {
          routes: [
            { model: 'mlp@champion', weight: 0 },
            { model: 'mlp@2', weight: 100 },
          ],
        }),
      );
      await change('back to 100% champion (1)', [1], () =>
        sw.deployments.update(name, { routes: [{ model: 'mlp@champion' }] }),
      );

      // The alias move commits in the registry; this server picks the revision up on its poll, so
      // the new state is known to be in force only once an answer shows version 3.
      const moveFrom = performance.now();
      await sw.models.alias.set('mlp', 'champion', 3, { expectedVersion: 1 });
      const moved: State = {
        label: 'alias champion moved 1 -> 3',
        allowed: new Set([3]),
        from: moveFrom,
        applied: Number.POSITIVE_INFINITY,
      };
      states.push(moved);
      const deadline = performance.now() + EVENTUALLY_MS;
      while (performance.now() < deadline && traffic.failures.length === 0) {
        const first = traffic.answers.filter((a) => a.start >= moveFrom && a.version === 3);
        if (first.length > 0) {
          moved.applied = Math.min(...first.map((answer) => answer.end));
          break;
        }
        await sleep(10);
      }
      if (moved.applied === Number.POSITIVE_INFINITY)
        throw new Error('no answer from version 3 after the alias move');
      await serve();

      // Rolls back to the revision before the alias move: what it served, version 1.
      await change('rollback: 100% mlp@1', [1], () => sw.deployments.rollback(name));
      await change('swap: 100% mlp@4', [4], () =>
        sw.deployments.update(name, { routes: [{ model: 'mlp@4' }] }),
      );
    } catch (error) {
      driverError = error;
    } finally {
      await traffic.stop();
    }

    const { answers, failures } = traffic;
    expect(failures.slice(0, 5), `${failures.length} failed requests`).toEqual([]);
    if (driverError !== undefined) throw driverError;

    // A state is in force from when its change began until the next state was certainly applied.
    const windows = states.map((state, i) => ({
      ...state,
      until: i + 1 < states.length ? states[i + 1]!.applied : Number.POSITIVE_INFINITY,
    }));
    const invalid = answers
      .filter((answer) => {
        const possible = windows.filter((w) => w.from <= answer.end && answer.start <= w.until);
        return !possible.some((w) => w.allowed.has(answer.version));
      })
      .map((answer) => ({
        version: answer.version,
        start: answer.start.toFixed(1),
        end: answer.end.toFixed(1),
        states: windows.filter((w) => w.from <= answer.end && answer.start <= w.until).map((w) => w.label),
      }));
    expect(invalid.slice(0, 10), `${invalid.length} answers from versions not allowed`).toEqual([]);

    // The version an answer names is the version that computed it.
    const mislabelled = answers.filter((answer) => {
      const want = expected.get(answer.version)?.[answer.loop * INPUTS_PER_LOOP + answer.input];
      return (
        want === undefined ||
        want.length !== answer.probabilities.length ||
        want.some((p, i) => Math.abs(p - answer.probabilities[i]!) > 1e-5)
      );
    });
    expect(mislabelled.length, 'answers whose outputs are not those of the version they name').toBe(0);

    // Every state served traffic with every version it allows, between being applied and the next change.
    states.forEach((state, i) => {
      const next = states[i + 1]?.from ?? Number.POSITIVE_INFINITY;
      const seen = new Set(
        answers.filter((a) => a.start >= state.applied && a.end <= next).map((a) => a.version),
      );
      expect(seen, state.label).toEqual(state.allowed);
    });
    return answers.length;
  }

  it('switches weights, follows an alias, rolls back and swaps versions without failing a request', async () => {
    const served = await runScenario('live', undefined);
    expect(served).toBeGreaterThan(STATE_ANSWERS * 7);
  }, 30_000);

  it('does the same with dynamic batching on', async () => {
    const served = await runScenario('live-batched', { maxBatch: 8, maxDelayMs: 1 });
    expect(served).toBeGreaterThan(STATE_ANSWERS * 7);
  }, 30_000);
});
