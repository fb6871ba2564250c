/**
 * Gradients and hessians of every training row for one output, with the second half of the rows on
 * a helper thread when one is ready. The loss is always summed as first half plus second half, so it
 * is the same number for any thread count.
 */

import { CONTROL, type GradientMemory, TASK } from './helper-protocol.js';
import { awaitTask, type HelperThread, isReady, sendTask } from './helper-threads.js';
import { computeGradients, type LossKind, type LossTargets } from './losses.js';

/** Below this many rows a hand-off costs more than the helper saves. */
const PARALLEL_MIN_ROWS = 16_384;

export class GradientPass {
  readonly memory: GradientMemory;
  /** Row-major raw scores, `outputs` per row (shared with the helper). */
  readonly scores: Float64Array;
  readonly gradients: readonly Float64Array[];
  readonly hessians: readonly Float64Array[];
  /** Set when a helper thread may take half of the rows. */
  helper: HelperThread | undefined;

  /** `shared`: everything on SharedArrayBuffers, for a helper thread. */
  constructor(kind: LossKind, targets: LossTargets, outputs: number, rows: number, shared: boolean) {
    const memory = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
    const copy = <T extends Int32Array | Float64Array>(
      array: T | null,
      make: (buffer: ArrayBufferLike) => T,
    ) => {
      if (array === null || !shared) return array;
      const out = make(memory(array.byteLength));
      out.set(array);
      return out;
    };
    this.scores = new Float64Array(memory(rows * outputs * 8));
    this.gradients = Array.from({ length: outputs }, () => new Float64Array(memory(rows * 8)));
    this.hessians = Array.from({ length: outputs }, () => new Float64Array(memory(rows * 8)));
    this.memory = {
      kind,
      labels: copy(targets.labels, (buffer) => new Int32Array(buffer)),
      values: copy(targets.values, (buffer) => new Float64Array(buffer)),
      scores: this.scores,
      outputs,
      gradients: this.gradients,
      hessians: this.hessians,
      loss: new Float64Array(memory(8)),
    };
  }

  /** Computes output k's gradients; returns the mean loss of the current scores. */
  run(k: number): number {
    const { helper } = this;
    const rows = this.scores.length / this.memory.outputs;
    const middle = rows >>> 1;
    if (helper === undefined || rows < PARALLEL_MIN_ROWS || !isReady(helper)) {
      const first = this.compute(k, 0, middle);
      return rows > 0 ? (first + this.compute(k, middle, rows)) / rows : 0;
    }
    sendTask(helper, (control) => {
      control[CONTROL.task] = TASK.gradients;
      control[CONTROL.start] = middle;
      control[CONTROL.end] = rows;
      control[CONTROL.output] = k;
    });
    const first = this.compute(k, 0, middle);
    awaitTask(helper);
    return (first + this.memory.loss[0]!) / rows;
  }

  private compute(k: number, from: number, to: number): number {
    const { kind, outputs } = this.memory;
    const { scores, gradients, hessians } = this;
    return computeGradients(kind, this.memory, scores, outputs, k, gradients[k]!, hessians[k]!, from, to);
  }
}
