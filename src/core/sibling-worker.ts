/**
 * Starts a worker thread from a module beside the caller. The code runs both compiled (dist/*.js) and
 * from sources (tsx, vitest), so the entry is the sibling file with the caller's own extension. From
 * sources, a bootstrap registers tsx in the worker before importing the .ts file: Node 20 does not
 * apply `--import tsx` from a Worker's execArgv to the worker's entry ("Unknown file extension .ts"),
 * but a registration inside it works.
 */
import { once } from 'node:events';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** `callerUrl` is the caller's import.meta.url; `name` the sibling module without extension. */
export function startSiblingWorker(callerUrl: string, name: string, workerData: unknown): Worker {
  const extension = extname(fileURLToPath(callerUrl));
  const entry = new URL(`./${name}${extension}`, callerUrl);
  if (extension !== '.ts') return new Worker(entry, { workerData });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const bootstrap = `import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * Starts a sibling worker that announces itself: its first message is `{ kind: 'ready' }`, or
 * `{ kind: 'failed', error }` when it cannot start (the promise then rejects with that message, as it
 * does when the thread dies first).
 */
export function startReadyWorker(callerUrl: string, name: string, workerData: unknown): Promise<Worker> {
  const worker = startSiblingWorker(callerUrl, name, workerData);
  return new Promise((resolve, reject) => {
    // Only our own listeners go: removeAllListeners() on a Worker breaks its message delivery.
    const settle = (error: Error | undefined) => {
      worker.off('message', first);
      worker.off('error', settle);
      worker.off('exit', exited);
      if (error === undefined) return resolve(worker);
      void worker.terminate();
      reject(error);
    };
    const first = (message: { kind: string; error?: string }) =>
      settle(
        message.kind === 'ready' ? undefined : new Error(message.error ?? `${name} said ${message.kind}`),
      );
    const exited = (code: number) => settle(new Error(`${name} exited with code ${code}`));
    worker.on('message', first);
    worker.on('error', settle);
    worker.on('exit', exited);
  });
}

/** Asks a worker to finish (`{ kind: 'close' }`) and waits for it to exit; terminates it after `graceMs`. */
export async function stopWorker(worker: Worker, graceMs = 5_000): Promise<void> {
  const exited = once(worker, 'exit').catch(() => {});
  worker.postMessage({ kind: 'close' });
  const timer = setTimeout(() => void worker.terminate(), graceMs);
  await exited;
  clearTimeout(timer);
}
