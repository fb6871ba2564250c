/**
 * A worker thread that runs `fn` steps, one at a time: imports the step's bundle (once per thread),
 * calls the export with the inputs and a context, and answers its outputs as plain JSON. Console
 * output goes to the step's log on the same channel as the answer, so no line arrives after it.
 */
import { format } from 'node:util';
import { parentPort } from 'node:worker_threads';

interface RunMessage {
  readonly kind: 'run';
  readonly id: number;
  readonly bundle: string;
  readonly module: string;
  readonly export: string;
  readonly inputs: unknown;
  readonly context: Record<string, unknown>;
}

const port = parentPort!;
const modules = new Map<string, Promise<Record<string, unknown>>>();
let current: number | undefined;

function send(text: string): void {
  if (current !== undefined) port.postMessage({ kind: 'log', id: current, text });
}

for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
  console[method] = (...args: unknown[]) => send(`${format(...args)}\n`);
}
for (const stream of [process.stdout, process.stderr]) {
  stream.write = ((chunk: unknown) => {
    send(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
    return true;
  }) as typeof stream.write;
}

async function run(message: RunMessage): Promise<void> {
  current = message.id;
  try {
    let loading = modules.get(message.bundle);
    if (loading === undefined) {
      loading = import(message.bundle) as Promise<Record<string, unknown>>;
      modules.set(message.bundle, loading);
    }
    const fn = (await loading)[message.export];
    if (typeof fn !== 'function') {
      throw new Error(`export '${message.export}' of ${message.module} is not a function`);
    }
    const context = {
      ...message.context,
      log: (text: unknown) => send(String(text).endsWith('\n') ? String(text) : `${String(text)}\n`),
    };
    const result: unknown = await fn(message.inputs, context);
    // JSON, not structured clone: outputs are stored as JSON, so a Date or Map must not pass here only.
    const outputs: unknown = result === undefined ? {} : JSON.parse(JSON.stringify(result));
    port.postMessage({ kind: 'done', id: message.id, outputs });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error ? error.stack : undefined;
    port.postMessage({ kind: 'error', id: message.id, message: text, ...(stack ? { stack } : {}) });
  } finally {
    current = undefined;
  }
}

port.on('message', (message: RunMessage | { kind: 'close' }) => {
  if (message.kind === 'close') port.close();
  else void run(message);
});
port.postMessage({ kind: 'ready' });
