/**
 * A worker thread owning one ONNX Runtime session of a served model version. onnxruntime-node runs a
 * session synchronously on the thread that calls it, so sessions live here and the server's event
 * loop only posts tensors: HTTP, JSON and the inference log keep their core while models run on
 * another. Started by SessionThreads with SessionThreadData.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import {
  errorMessage,
  type FromSessionThread,
  fromWire,
  type RunAnswer,
  type RunRequest,
  type SessionThreadData,
  type ToSessionThread,
  toWire,
} from './session-wire.js';

const port = parentPort!;
const { file, intraOpThreads, warmUp } = workerData as SessionThreadData;
const post = (message: FromSessionThread) => port.postMessage(message);

try {
  const session = await ort.InferenceSession.create(file, {
    intraOpNumThreads: intraOpThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  try {
    await session.run(fromWire(warmUp));
  } catch (error) {
    await session.release();
    throw error;
  }
  port.on('message', (message: ToSessionThread) => {
    if (message.kind === 'close') {
      port.removeAllListeners('message');
      void session.release().finally(() => port.close());
      return;
    }
    void answer(session, message.runs);
  });
  post({ kind: 'ready' });
} catch (error) {
  post({ kind: 'failed', error: errorMessage(error) });
  port.close();
}

/** Runs a group one after another (the session runs one at a time anyway) and answers it at once. */
async function answer(session: ort.InferenceSession, runs: readonly RunRequest[]): Promise<void> {
  const answers: RunAnswer[] = [];
  for (const { id, feeds } of runs) {
    try {
      answers.push({ id, outputs: toWire(await session.run(fromWire(feeds))) });
    } catch (error) {
      answers.push({ id, error: errorMessage(error) });
    }
  }
  post({ kind: 'answers', answers });
}
