/**
 * The dynamic batcher in front of real onnxruntime sessions built from tiny ONNX graphs. Behaviour
 * only (batch sizes, per-request results, errors); timing belongs to the benchmarks.
 */
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../src/core/errors.js';
import { type BatcherOptions, DynamicBatcher, type RunFn } from '../../src/serving/runtime/batcher.js';
import {
  InferenceFailedError,
  InferenceTimeoutError,
  QueueFullError,
} from '../../src/serving/runtime/serving-errors.js';

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;

function io(name: string, elemType: number, dims: readonly (number | string)[]) {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

function encode(
  nodes: ReturnType<typeof onnx.NodeProto.create>[],
  inputs: ReturnType<typeof io>[],
  outputs: ReturnType<typeof io>[],
  initializer: ReturnType<typeof onnx.TensorProto.create>[] = [],
): Uint8Array {
  const graph = onnx.GraphProto.create({
    name: 'g',
    node: nodes,
    input: inputs,
    output: outputs,
    initializer,
  });
  const model = onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], graph });
  return onnx.ModelProto.encode(model).finish();
}

const node = (opType: string, input: string[], output: string[], attribute: object[] = []) =>
  onnx.NodeProto.create({ opType, input, output, name: output[0], attribute });

/** X float32 [N,4] -> Relu(X W + B) [N,3]. */
function mlpModel(): Uint8Array {
  const w = Array.from({ length: 12 }, (_, i) => ((i % 5) - 2) / 3);
  return encode(
    [node('MatMul', ['X', 'W'], ['H']), node('Add', ['H', 'B'], ['Z']), node('Relu', ['Z'], ['Y'])],
    [io('X', DT.FLOAT, ['N', 4])],
    [io('Y', DT.FLOAT, ['N', 3])],
    [
      onnx.TensorProto.create({ name: 'W', dataType: DT.FLOAT, dims: [4, 3], floatData: w }),
      onnx.TensorProto.create({ name: 'B', dataType: DT.FLOAT, dims: [3], floatData: [0.1, -0.2, 0.3] }),
    ],
  );
}

/** S string [N,2] -> Identity; I int64 [N,1] -> I + I. */
function stringInt64Model(): Uint8Array {
  return encode(
    [node('Identity', ['S'], ['S_out']), node('Add', ['I', 'I'], ['I_out'])],
    [io('S', DT.STRING, ['N', 2]), io('I', DT.INT64, ['N', 1])],
    [io('S_out', DT.STRING, ['N', 2]), io('I_out', DT.INT64, ['N', 1])],
  );
}

/** X float32 [N,4] -> Total = sum of everything (a scalar: no batch axis) and Same = X. */
function scalarOutputModel(): Uint8Array {
  const keepdims = onnx.AttributeProto.create({
    name: 'keepdims',
    type: onnx.AttributeProto.AttributeType.INT,
    i: 0,
  });
  return encode(
    [node('ReduceSum', ['X'], ['Total'], [keepdims]), node('Identity', ['X'], ['Same'])],
    [io('X', DT.FLOAT, ['N', 4])],
    [io('Total', DT.FLOAT, []), io('Same', DT.FLOAT, ['N', 4])],
  );
}

const ALL_TYPES = {
  float64: { elem: DT.DOUBLE, make: (n: number) => Float64Array.from({ length: n }, (_, i) => i + 0.5) },
  float16: { elem: DT.FLOAT16, make: (n: number) => Uint16Array.from({ length: n }, (_, i) => 0x3c00 + i) },
  int8: { elem: DT.INT8, make: (n: number) => Int8Array.from({ length: n }, (_, i) => i - 3) },
  int16: { elem: DT.INT16, make: (n: number) => Int16Array.from({ length: n }, (_, i) => i * -7) },
  int32: { elem: DT.INT32, make: (n: number) => Int32Array.from({ length: n }, (_, i) => i * 1000) },
  uint8: { elem: DT.UINT8, make: (n: number) => Uint8Array.from({ length: n }, (_, i) => i) },
  uint16: { elem: DT.UINT16, make: (n: number) => Uint16Array.from({ length: n }, (_, i) => i * 3) },
  uint32: { elem: DT.UINT32, make: (n: number) => Uint32Array.from({ length: n }, (_, i) => i * 5) },
  uint64: {
    elem: DT.UINT64,
    make: (n: number) => BigUint64Array.from({ length: n }, (_, i) => BigInt(i) << 40n),
  },
  bool: { elem: DT.BOOL, make: (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 2) },
} as const;
type AllType = keyof typeof ALL_TYPES;
const AnyTensor = ort.Tensor as unknown as new (
  type: ort.Tensor.Type,
  data: ort.Tensor.DataType,
  dims: readonly number[],
) => ort.Tensor;
const ALL_TYPE_NAMES = Object.keys(ALL_TYPES) as AllType[];

/** One Identity per element type: x_<type> [N,2] -> y_<type>. */
function allTypesModel(): Uint8Array {
  return encode(
    ALL_TYPE_NAMES.map((t) => node('Identity', [`x_${t}`], [`y_${t}`])),
    ALL_TYPE_NAMES.map((t) => io(`x_${t}`, ALL_TYPES[t].elem, ['N', 2])),
    ALL_TYPE_NAMES.map((t) => io(`y_${t}`, ALL_TYPES[t].elem, ['N', 2])),
  );
}

type Feeds = Record<string, ort.Tensor>;

/** A RunFn over a real session that records the first-axis size of every batch it receives. */
function recording(session: ort.InferenceSession, inputName: string) {
  const batches: number[] = [];
  const run: RunFn = async (feeds) => {
    batches.push(feeds[inputName]!.dims[0]!);
    return (await session.run(feeds)) as Record<string, ort.Tensor>;
  };
  return { run, batches };
}

/** A gate the RunFn awaits, so tests hold runs in flight and the queue full. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** A RunFn on `session` that waits for `hold` to open, recording each run's rows in `seen`. */
function heldRun(session: ort.InferenceSession, hold: { opened: Promise<void> }, seen: number[] = []): RunFn {
  return async (feeds) => {
    seen.push(feeds.X!.dims[0]!);
    await hold.opened;
    return (await session.run(feeds)) as Feeds;
  };
}

const baseOptions: BatcherOptions = {
  maxBatch: 8,
  maxDelayMs: 5,
  maxQueueRows: 1000,
  timeoutMs: 30_000,
  maxConcurrentRuns: 1,
  label: 'test@1',
};

function mlpFeeds(rows: number, seed: number): Feeds {
  const data = Float32Array.from({ length: rows * 4 }, (_, i) => Math.sin(seed * 31 + i) * 3);
  return { X: new ort.Tensor('float32', data, [rows, 4]) };
}

function plain(tensor: ort.Tensor): { dims: readonly number[]; type: string; data: unknown[] } {
  return { dims: [...tensor.dims], type: tensor.type, data: Array.from(tensor.data as ArrayLike<unknown>) };
}

function sameOutputs(actual: Feeds, expected: Feeds): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const name of Object.keys(expected)) expect(plain(actual[name]!)).toEqual(plain(expected[name]!));
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('DynamicBatcher', () => {
  let mlp: ort.InferenceSession;
  let strings: ort.InferenceSession;
  let scalar: ort.InferenceSession;
  let allTypes: ort.InferenceSession;

  beforeAll(async () => {
    mlp = await ort.InferenceSession.create(mlpModel());
    strings = await ort.InferenceSession.create(stringInt64Model());
    scalar = await ort.InferenceSession.create(scalarOutputModel());
    allTypes = await ort.InferenceSession.create(allTypesModel());
  });
  afterAll(async () => {
    for (const session of [mlp, strings, scalar, allTypes]) await session.release();
  });

  it('batches concurrent requests up to maxBatch rows and gives each request its own rows back', async () => {
    const { run, batches } = recording(mlp, 'X');
    const batcher = new DynamicBatcher(run, baseOptions);
    const requests = Array.from({ length: 20 }, (_, i) => mlpFeeds(1 + (i % 3), i));
    const results = await Promise.all(requests.map((feeds) => batcher.submit(feeds, feeds.X!.dims[0]!)));

    expect(Math.max(...batches)).toBeGreaterThan(1);
    expect(Math.max(...batches)).toBeLessThanOrEqual(8);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(requests.reduce((a, f) => a + f.X!.dims[0]!, 0));
    for (const [i, result] of results.entries()) {
      sameOutputs(result.outputs, (await mlp.run(requests[i]!)) as Feeds);
      expect(result.batchRows).toBeGreaterThanOrEqual(requests[i]!.X!.dims[0]!);
    }
    expect(batcher.queuedRows).toBe(0);
    expect(batcher.inFlight).toBe(0);
  });

  it('with maxDelayMs 0 still batches the requests that arrive in the same event-loop turn', async () => {
    const { run, batches } = recording(mlp, 'X');
    const batcher = new DynamicBatcher(run, { ...baseOptions, maxDelayMs: 0 });
    const requests = Array.from({ length: 5 }, (_, i) => mlpFeeds(1, i));
    const results = await Promise.all(requests.map((feeds) => batcher.submit(feeds, 1)));
    expect(batches).toEqual([5]);
    expect(results.map((r) => r.batchRows)).toEqual([5, 5, 5, 5, 5]);
  });

  it('runs a request larger than maxBatch alone, never split', async () => {
    const { run, batches } = recording(mlp, 'X');
    const batcher = new DynamicBatcher(run, baseOptions);
    const big = mlpFeeds(11, 99);
    const small = [mlpFeeds(1, 1), mlpFeeds(2, 2)];
    const [bigResult, ...smallResults] = await Promise.all([
      batcher.submit(big, 11),
      ...small.map((feeds) => batcher.submit(feeds, feeds.X!.dims[0]!)),
    ]);
    expect(batches).toContain(11);
    expect(bigResult!.batchRows).toBe(11);
    sameOutputs(bigResult!.outputs, (await mlp.run(big)) as Feeds);
    for (const [i, result] of smallResults.entries()) {
      sameOutputs(result.outputs, (await mlp.run(small[i]!)) as Feeds);
    }
  });

  it('runs a request whose rows are unknown (-1) alone', async () => {
    const { run, batches } = recording(mlp, 'X');
    const batcher = new DynamicBatcher(run, baseOptions);
    const feeds = [mlpFeeds(2, 5), mlpFeeds(1, 6), mlpFeeds(1, 7)];
    const results = await Promise.all([
      batcher.submit(feeds[0]!, 2),
      batcher.submit(feeds[1]!, -1),
      batcher.submit(feeds[2]!, 1),
    ]);
    expect(batches).toEqual([2, 1, 1]);
    expect(results.map((r) => r.batchRows)).toEqual([2, 1, 1]);
  });

  it('batches string and int64 inputs correctly', async () => {
    const { run, batches } = recording(strings, 'S');
    const batcher = new DynamicBatcher(run, baseOptions);
    const requests = Array.from({ length: 6 }, (_, i): Feeds => {
      const rows = 1 + (i % 2);
      const text = Array.from({ length: rows * 2 }, (_, j) => `r${i}-${j}-é`);
      const ints = BigInt64Array.from({ length: rows }, (_, j) => BigInt(i * 10 + j) * 1_000_000_007n);
      return { S: new ort.Tensor('string', text, [rows, 2]), I: new ort.Tensor('int64', ints, [rows, 1]) };
    });
    const results = await Promise.all(requests.map((feeds) => batcher.submit(feeds, feeds.S!.dims[0]!)));
    expect(Math.max(...batches)).toBeGreaterThan(1);
    for (const [i, result] of results.entries()) {
      sameOutputs(result.outputs, (await strings.run(requests[i]!)) as Feeds);
    }
  });

  it('concatenates and splits every element type', async () => {
    const { run, batches } = recording(allTypes, 'x_uint8');
    const batcher = new DynamicBatcher(run, baseOptions);
    const requests = [1, 3, 2].map((rows): Feeds => {
      const feeds: Feeds = {};
      for (const t of ALL_TYPE_NAMES) {
        const make = ALL_TYPES[t].make as (n: number) => ort.Tensor.DataType;
        feeds[`x_${t}`] = new AnyTensor(t, make(rows * 2), [rows, 2]);
      }
      return feeds;
    });
    const results = await Promise.all(requests.map((feeds, i) => batcher.submit(feeds, [1, 3, 2][i]!)));
    expect(batches).toEqual([6]);
    for (const [i, result] of results.entries()) {
      sameOutputs(result.outputs, (await allTypes.run(requests[i]!)) as Feeds);
    }
  });

  it('starts a new batch for a request of other input types', async () => {
    const { run, batches } = recording(strings, 'S');
    const batcher = new DynamicBatcher(run, baseOptions);
    const one = (text: string): Feeds => ({
      S: new ort.Tensor('string', [text, text], [1, 2]),
      I: new ort.Tensor('int64', BigInt64Array.of(1n), [1, 1]),
    });
    const other: Feeds = {
      S: new ort.Tensor('string', ['a', 'b'], [1, 2]),
      I: new ort.Tensor('int32', Int32Array.of(1), [1, 1]),
    };
    const results = await Promise.allSettled([
      batcher.submit(one('a'), 1),
      batcher.submit(one('b'), 1),
      batcher.submit(other, 1),
      batcher.submit(one('c'), 1),
    ]);
    expect(batches).toEqual([2, 1, 1]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  });

  it('falls back to one-by-one for a model with an output that has no batch axis, and remembers it', async () => {
    const { run, batches } = recording(scalar, 'X');
    const batcher = new DynamicBatcher(run, baseOptions);
    const requests = [mlpFeeds(1, 1), mlpFeeds(2, 2), mlpFeeds(1, 3)];
    const results = await Promise.all(requests.map((feeds) => batcher.submit(feeds, feeds.X!.dims[0]!)));
    expect(batches).toEqual([4, 1, 2, 1]);
    for (const [i, result] of results.entries()) {
      sameOutputs(result.outputs, (await scalar.run(requests[i]!)) as Feeds);
      expect(result.outputs.Total!.dims).toEqual([]);
    }
    batches.length = 0;
    await Promise.all(requests.map((feeds) => batcher.submit(feeds, feeds.X!.dims[0]!)));
    expect(batches).toEqual([1, 2, 1]);
  });

  it('reruns a failed batch one by one so only the bad request fails', async () => {
    const sentinel = -12345;
    const { run: real, batches } = recording(mlp, 'X');
    const run: RunFn = async (feeds) => {
      const result = await real(feeds);
      if ((feeds.X!.data as Float32Array).includes(sentinel)) throw new Error('input out of range');
      return result;
    };
    const batcher = new DynamicBatcher(run, baseOptions);
    const requests = [mlpFeeds(1, 1), mlpFeeds(2, 2), mlpFeeds(1, 3), mlpFeeds(1, 4)];
    (requests[2]!.X!.data as Float32Array)[1] = sentinel;
    const settled = await Promise.allSettled(requests.map((f) => batcher.submit(f, f.X!.dims[0]!)));

    expect(batches).toEqual([5, 1, 2, 1, 1]);
    for (const [i, outcome] of settled.entries()) {
      if (i === 2) {
        expect(outcome.status).toBe('rejected');
        const error = (outcome as PromiseRejectedResult).reason;
        expect(error).toBeInstanceOf(InferenceFailedError);
        expect(error).toMatchObject({ status: 500, code: 'INFERENCE_FAILED' });
        expect(error.message).toBe('model version test@1 failed: input out of range');
      } else {
        expect(outcome.status).toBe('fulfilled');
        const { outputs } = (outcome as PromiseFulfilledResult<{ outputs: Feeds }>).value;
        sameOutputs(outputs, (await mlp.run(requests[i]!)) as Feeds);
      }
    }
  });

  it('rejects with QueueFullError beyond maxQueueRows, and with maxBatch 1 calls run directly', async () => {
    const hold = gate();
    const seen: number[] = [];
    const run = heldRun(mlp, hold, seen);
    const batcher = new DynamicBatcher(run, {
      ...baseOptions,
      maxBatch: 1,
      maxConcurrentRuns: 2,
      maxQueueRows: 3,
    });
    const running = [batcher.submit(mlpFeeds(1, 1), 1), batcher.submit(mlpFeeds(1, 2), 1)];
    expect(seen).toEqual([1, 1]); // started synchronously, no timer
    expect(batcher.inFlight).toBe(2);
    const queued = [batcher.submit(mlpFeeds(1, 3), 1), batcher.submit(mlpFeeds(2, 4), 2)];
    expect(batcher.queuedRows).toBe(3);

    const error = await batcher.submit(mlpFeeds(1, 5), 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueFullError);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ status: 503, retryAfterSeconds: 1 });
    expect((error as Error).message).toBe(
      'the queue of model version test@1 is full (3 rows queued, limit 3); retry later',
    );

    hold.open();
    const results = await Promise.all([...running, ...queued]);
    expect(results.map((r) => r.batchRows)).toEqual([1, 1, 1, 2]);
    expect(seen).toEqual([1, 1, 1, 2]);
  });

  it('applies the queue bound while batches wait for a free run', async () => {
    const hold = gate();
    const run = heldRun(mlp, hold);
    const batcher = new DynamicBatcher(run, { ...baseOptions, maxBatch: 4, maxQueueRows: 6 });
    const accepted = [4, 4, 2].map((rows, i) => batcher.submit(mlpFeeds(rows, i), rows));
    expect(batcher.inFlight).toBe(1);
    expect(batcher.queuedRows).toBe(6);
    await expect(batcher.submit(mlpFeeds(1, 9), 1)).rejects.toBeInstanceOf(QueueFullError);
    hold.open();
    expect((await Promise.all(accepted)).map((r) => r.batchRows)).toEqual([4, 4, 2]);
  });

  it('times out a queued request, taking it out of the queue, and discards a late running result', async () => {
    const hold = gate();
    const seen: number[] = [];
    const run = heldRun(mlp, hold, seen);
    const batcher = new DynamicBatcher(run, { ...baseOptions, maxBatch: 1, timeoutMs: 30 });
    const runningOne = batcher.submit(mlpFeeds(1, 1), 1);
    const queuedOne = batcher.submit(mlpFeeds(3, 2), 3);
    expect(batcher.queuedRows).toBe(3);

    const [first, second] = await Promise.allSettled([runningOne, queuedOne]);
    for (const outcome of [first, second]) {
      const reason = (outcome as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(InferenceTimeoutError);
      expect(reason).toMatchObject({ status: 504, code: 'INFERENCE_TIMEOUT' });
    }
    expect(batcher.queuedRows).toBe(0);
    hold.open();
    await batcher.drain();
    expect(seen).toEqual([1]); // the timed-out queued request never ran
  });

  it('times out a request waiting in a forming batch', async () => {
    const hold = gate();
    const seen: number[] = [];
    const run = heldRun(mlp, hold, seen);
    const batcher = new DynamicBatcher(run, { ...baseOptions, maxBatch: 4, timeoutMs: 30 });
    const first = batcher.submit(mlpFeeds(4, 1), 4); // full: runs at once and holds the only slot
    const waiting = batcher.submit(mlpFeeds(2, 2), 2);
    // Both expire; `first` (submitted first) usually does so first, so both are awaited together:
    // awaiting one at a time would leave the other's rejection unhandled for a moment.
    const outcomes = await Promise.allSettled([waiting, first]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    for (const outcome of outcomes)
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(InferenceTimeoutError);
    expect(batcher.queuedRows).toBe(0);
    hold.open();
    await batcher.drain();
    expect(seen).toEqual([4]);
  });

  it('drain waits for queued and running work, then new submits are rejected', async () => {
    const hold = gate();
    const run = heldRun(mlp, hold);
    const batcher = new DynamicBatcher(run, { ...baseOptions, maxBatch: 2, maxDelayMs: 60_000 });
    const pending = [1, 2, 1].map((rows, i) => batcher.submit(mlpFeeds(rows, i), rows));
    let drained = false;
    const draining = batcher.drain().then(() => {
      drained = true;
    });
    const late = await batcher.submit(mlpFeeds(1, 9), 1).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(UnavailableError);
    expect((late as Error).message).toBe('model version test@1 is being unloaded');

    await tick();
    expect(drained).toBe(false);
    hold.open();
    await draining;
    expect(drained).toBe(true);
    const results = await Promise.all(pending);
    expect(results.map((r) => r.outputs.Y!.dims[0])).toEqual([1, 2, 1]);
    expect(batcher.inFlight).toBe(0);
    expect(batcher.queuedRows).toBe(0);
  });

  it('validates its options', () => {
    const run: RunFn = async () => ({});
    expect(() => new DynamicBatcher(run, { ...baseOptions, maxBatch: 0 })).toThrow(/maxBatch/);
    expect(() => new DynamicBatcher(run, { ...baseOptions, timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});
