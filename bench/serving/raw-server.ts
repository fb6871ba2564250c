/**
 * The limit for Slipway's inference endpoint, run as its own process (one event loop, like the Slipway
 * server child): node:http, the same V2 JSON body parsed, one float32 tensor built from `data`,
 * session.run called directly (no batcher, no concurrency bound, no auth, no logging) and a V2-shaped
 * JSON answer. Started by raw-server-process.ts; prints `listening on <url>` on stderr.
 *
 *   node --import tsx bench/serving/raw-server.ts <model.onnx> slipway|default
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as ort from 'onnxruntime-node';

interface V2Input {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

const [modelPath, sessionKind = 'slipway'] = process.argv.slice(2);
if (modelPath === undefined || (sessionKind !== 'slipway' && sessionKind !== 'default')) {
  console.error('usage: raw-server.ts <model.onnx> slipway|default');
  process.exit(2);
}

// 'slipway': the options of src/serving/runtime/loaded-model.ts with the runtime's defaults.
const session = await ort.InferenceSession.create(
  modelPath,
  sessionKind === 'slipway'
    ? {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      }
    : {},
);
let answered = 0;

const server = createServer((request, response) => {
  if (request.method !== 'POST') return reply(response, 404, { error: 'not found' });
  readBody(request)
    .then(async (text) => {
      const { inputs } = JSON.parse(text) as { inputs: readonly V2Input[] };
      const feeds: Record<string, ort.Tensor> = {};
      for (const input of inputs)
        feeds[input.name] = new ort.Tensor('float32', Float32Array.from(input.data), input.shape);
      const outputs = await session.run(feeds);
      reply(response, 200, {
        model_name: 'raw',
        model_version: '1',
        id: String(++answered),
        outputs: Object.entries(outputs).map(([name, tensor]) => ({
          name,
          shape: tensor.dims,
          datatype: tensor.type === 'int64' ? 'INT64' : 'FP32',
          data: Array.from(tensor.data as ArrayLike<number | bigint>, Number),
        })),
      });
    })
    .catch((error: unknown) => reply(response, 400, { error: String(error) }));
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  console.error(`listening on http://127.0.0.1:${address.port}`);
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void session.release().then(() => process.exit(0));
});

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
