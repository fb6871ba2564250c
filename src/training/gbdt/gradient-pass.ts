/**
 * Gradients and hessians of every training row for one output, with the second half of the rows on
 * a helper thread when one is ready. The loss is always summed as first half plus second half, so it
 * is the same number for any thread count. Also adds a tree's leaf values to the scores, the leaves
 * shared between the threads (each row is in one leaf, so the result is the same).
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
  constructor(
    kind: LossKind,
    targets: LossTargets,
    outputs: number,
    rows: number,
    maxLeaves: number,
    shared: boolean,
  ) {
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
      leafStarts: new Int32Array(memory(maxLeaves * 4)),
      leafEnds: new Int32Array(memory(maxLeaves * 4)),
      leafValues: new Float64Array(memory(maxLeaves * 8)),
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

  /**
   * Adds leaves [0, count) of memory.leafStarts/leafEnds/leafValues, which cover every row, to output
   * k's scores; `rowIndex` maps the leaves' positions to rows (see RowOrder).
   */
  addLeaves(k: number, rowIndex: Uint32Array, count: number): void {
    const { helper, memory } = this;
    const rows = this.scores.length / memory.outputs;
    if (helper === undefined || rows < PARALLEL_MIN_ROWS || !isReady(helper)) {
      addLeafValues(memory, rowIndex, k, 0, count);
      return;
    }
    // Leaves are in no position order; split them where about half the rows are on each side.
    let half = 0;
    let covered = 0;
    while (half < count - 1 && 2 * covered < rows) {
      covered += memory.leafEnds[half]! - memory.leafStarts[half]!;
      half++;
    }
    sendTask(helper, (control) => {
      control[CONTROL.task] = TASK.scores;
      control[CONTROL.start] = half;
      control[CONTROL.end] = count;
      control[CONTROL.output] = k;
    });
    addLeafValues(memory, rowIndex, k, 0, half);
    awaitTask(helper);
  }

  private compute(k: number, from: number, to: number): number {
    const { kind, outputs } = this.memory;
    const { scores, gradients, hessians } = this;
    return computeGradients(kind, this.memory, scores, outputs, k, gradients[k]!, hessians[k]!, from, to);
  }
}

/** Adds leaves [from, to) of memory's leaf table to output k's scores. */
export function addLeafValues(
  memory: GradientMemory,
  rowIndex: Uint32Array,
  k: number,
  from: number,
  to: number,
): void {
  const { scores, outputs, leafStarts, leafEnds, leafValues } = memory;
  for (let i = from; i < to; i++) {
    const value = leafValues[i]!;
    for (let j = leafStarts[i]!; j < leafEnds[i]!; j++) scores[rowIndex[j]! * outputs + k]! += value;
  }
}
