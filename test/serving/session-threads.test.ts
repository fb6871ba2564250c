/**
 * Model sessions on their own threads (SessionThreads): answers are the same as a session run in
 * place, for every element type and for runs spread over several threads; a run the model rejects
 * fails alone with the runtime's message; a file that cannot load fails open() with it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOnnxSignature } from '../../src/registry/index.js';
import { SessionThreads } from '../../src/serving/runtime/session-threads.js';
import { warmUpFeeds } from '../../src/serving/runtime/warm-up.js';
import { failingModel, identityModel, mlpModel } from '../support/onnx-models.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slipway-session-threads-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function open(name: string, bytes: Uint8Array, threads = 1): Promise<SessionThreads> {
  const file = join(dir, `${name}.onnx`);
  await writeFile(file, bytes);
  return SessionThreads.open(
    `${name}@1`,
    file,
    { threads, intraOpThreads: 1 },
    warmUpFeeds(readOnnxSignature(bytes)),
  );
}

const plain = (tensors: Record<string, ort.Tensor>) =>
  Object.fromEntries(
    Object.entries(tensors).map(([name, t]) => [
      name,
      { type: t.type, dims: [...t.dims], data: [...t.data] },
    ]),
  );

describe('SessionThreads', () => {
  it('answers like a session run in place, over several threads and many runs at once', async () => {
    const bytes = mlpModel({ inputs: 4, hidden: [8], outputs: 3, seed: 7 });
    const threads = await open('mlp', bytes, 2);
    const inPlace = await ort.InferenceSession.create(bytes);
    try {
      const feeds = Array.from({ length: 40 }, (_, i) => ({
        input: new ort.Tensor('float32', Float32Array.from([i, -i, i / 2, 1]), [1, 4]),
      }));
      const answers = await Promise.all(feeds.map((f) => threads.run(f)));
      const expected = await Promise.all(feeds.map((f) => inPlace.run(f)));
      expect(answers.map(plain)).toEqual(expected.map(plain));
      expect(answers[0]!.probabilities).toBeInstanceOf(ort.Tensor);
    } finally {
      await threads.close();
      await inPlace.release();
    }
  });

  it.each([
    ['int64', BigInt64Array.from([1n, -(2n ** 62n)])],
    ['string', ['a', 'ünïcode']],
    ['float16', Uint16Array.from([0x3c00, 0x7e00])],
    ['bool', Uint8Array.from([1, 0])],
  ] as const)('carries %s tensors both ways unchanged', async (type, data) => {
    const threads = await open(`identity-${type}`, identityModel(type, ['N']));
    try {
      const outputs = await threads.run({ x: new ort.Tensor(type as 'int64', data as BigInt64Array, [2]) });
      expect(outputs.y!.type).toBe(type);
      expect([...outputs.y!.data]).toEqual([...data]);
    } finally {
      await threads.close();
    }
  });

  it('fails a run the model rejects with the runtime message, and keeps answering others', async () => {
    const threads = await open('failing', failingModel());
    try {
      const bad = threads.run({ index: new ort.Tensor('int64', BigInt64Array.from([7n]), [1]) });
      const good = threads.run({ index: new ort.Tensor('int64', BigInt64Array.from([1n]), [1]) });
      await expect(bad).rejects.toThrow(/out of data bounds/);
      expect([...(await good).value!.data]).toEqual([20]);
    } finally {
      await threads.close();
    }
  });

  it('rejects open() with the runtime message when the file is not a model, and refuses runs once closed', async () => {
    const file = join(dir, 'corrupt.onnx');
    await writeFile(file, 'not a model');
    const signature = readOnnxSignature(identityModel('float32', ['N']));
    await expect(
      SessionThreads.open('corrupt@1', file, { threads: 2, intraOpThreads: 1 }, warmUpFeeds(signature)),
    ).rejects.toThrow(/protobuf|parse|model/i);
    const threads = await open('closing', identityModel('float32', ['N']));
    await threads.close();
    await expect(threads.run({ x: new ort.Tensor('float32', Float32Array.from([1]), [1]) })).rejects.toThrow(
      /closing@1 is closed/,
    );
  });
});
