/**
 * Helper threads for histograms, partitions, gradients and split searches. They are started before binning, so their
 * start-up (tens of milliseconds from dist/, several hundred under tsx) overlaps it, and get their
 * data by message once it exists. Training never waits for a helper to start: see
 * helper-protocol.ts.
 */
import type { Worker } from 'node:worker_threads';
import { startSiblingWorker } from '../../core/sibling-worker.js';
import {
  CONTROL,
  CONTROL_SLOTS,
  type HelperData,
  SPLIT_IO_SLOTS,
  signal,
  waitForChange,
} from './helper-protocol.js';

export interface HelperThread {
  readonly worker: Worker;
  readonly control: Int32Array;
  readonly splitIO: Float64Array;
}

/** Starts up to `count` helpers; fewer when a thread cannot be started here. */
export function startHelperThreads(count: number): HelperThread[] {
  const helpers: HelperThread[] = [];
  for (let i = 0; i < count; i++) {
    try {
      helpers.push(startHelper());
    } catch {
      break; // e.g. the TypeScript sources loaded as CommonJS: the trainer's thread does all the work
    }
  }
  return helpers;
}

export function initHelperThread(helper: HelperThread, data: Omit<HelperData, 'control' | 'splitIO'>): void {
  const { control, splitIO } = helper;
  helper.worker.postMessage({ ...data, control, splitIO } satisfies HelperData);
}

export function isReady(helper: HelperThread): boolean {
  return Atomics.load(helper.control, CONTROL.ready) === 1;
}

/** Starts a task: `fill` writes its fields into the control array. */
export function sendTask(helper: HelperThread, fill: (control: Int32Array) => void): void {
  const { control } = helper;
  fill(control);
  signal(control, CONTROL.command, Atomics.load(control, CONTROL.command) + 1, CONTROL.helperSleeps);
}

/** Waits for the task sent last. */
export function awaitTask(helper: HelperThread): void {
  const { control } = helper;
  waitForChange(control, CONTROL.done, Atomics.load(control, CONTROL.command) - 1, CONTROL.trainerSleeps);
  if (Atomics.load(control, CONTROL.failed) === 1) throw new Error('a GBDT helper thread failed');
}

export function stopHelperThreads(helpers: readonly HelperThread[]): void {
  for (const { worker, control } of helpers) {
    Atomics.store(control, CONTROL.stop, 1);
    Atomics.add(control, CONTROL.command, 1);
    Atomics.notify(control, CONTROL.command);
    void worker.terminate();
  }
}

function startHelper(): HelperThread {
  const worker = startSiblingWorker(import.meta.url, 'helper-worker', undefined);
  worker.unref();
  // A helper that fails to start is never marked ready, so it is simply not used.
  worker.on('error', () => {});
  return {
    worker,
    control: new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * 4)),
    splitIO: new Float64Array(new SharedArrayBuffer(SPLIT_IO_SLOTS * 8)),
  };
}
