/**
 * The rows a tree is grown on, kept in leaf order: every leaf is a contiguous run of positions j,
 * where rowIndex[j] is the row and gradients[j], hessians[j] its gradient and hessian. Each tree
 * starts from the sample in ascending row order, and splits partition runs stably, so within a leaf
 * rows stay ascending and histogram building walks the row-major bins forwards while reading
 * gradients sequentially.
 *
 * Partitioning reads the split feature from a feature-major copy of the bins (one feature's column
 * stays in cache) and moves only the row index, gradient and hessian of each row. A large run is
 * partitioned in two halves, the second on a helper thread, then merged: the result is the same as
 * partitioning it whole.
 */
import type { BinnedData } from './binning.js';
import { CONTROL, type SharedRowOrder, TASK } from './helper-protocol.js';
import { awaitTask, type HelperThread, isReady, sendTask } from './helper-threads.js';
import type { SplitCandidate } from './split-finder.js';

/** Below this many rows a hand-off costs more than the helper saves. */
const PARALLEL_MIN_ROWS = 4096;

type Split = Pick<SplitCandidate, 'thresholdBin' | 'missingLeft'>;

export class RowOrder implements SharedRowOrder {
  /** Row-major bins (data.bins, copied to shared memory when `shared`). */
  readonly bins: Uint8Array;
  /** columns[f * rows + r] = bin of row r for feature f. */
  readonly columns: Uint8Array;
  readonly rowIndex: Uint32Array;
  readonly gradients: Float64Array;
  readonly hessians: Float64Array;
  readonly scratchRows: Uint32Array;
  readonly scratchGradients: Float64Array;
  readonly scratchHessians: Float64Array;
  /** Set when a helper thread may take half of large partitions. */
  helper: HelperThread | undefined;
  private readonly goesLeft = new Uint8Array(256);

  /** `shared`: all arrays on SharedArrayBuffers, for helper threads. */
  constructor(
    readonly data: BinnedData,
    shared: boolean,
  ) {
    const { rows, features } = data;
    const memory = (bytes: number) => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
    this.bins = shared ? new Uint8Array(memory(data.bins.length)) : data.bins;
    if (shared) this.bins.set(data.bins);
    this.columns = new Uint8Array(memory(rows * features));
    for (let r = 0; r < rows; r++)
      for (let f = 0; f < features; f++) this.columns[f * rows + r] = data.bins[r * features + f]!;
    this.rowIndex = new Uint32Array(memory(rows * 4));
    this.gradients = new Float64Array(memory(rows * 8));
    this.hessians = new Float64Array(memory(rows * 8));
    this.scratchRows = new Uint32Array(memory(rows * 4));
    this.scratchGradients = new Float64Array(memory(rows * 8));
    this.scratchHessians = new Float64Array(memory(rows * 8));
  }

  /** The arrays alone, to post to a helper thread. */
  memory(): SharedRowOrder {
    const { bins, columns, rowIndex, gradients, hessians, scratchRows, scratchGradients, scratchHessians } =
      this;
    return { bins, columns, rowIndex, gradients, hessians, scratchRows, scratchGradients, scratchHessians };
  }

  /** Puts sample[0, count) (ascending rows) in positions [0, count) with these gradients. */
  load(sample: Uint32Array, count: number, gradients: Float64Array, hessians: Float64Array): void {
    const { rowIndex } = this;
    rowIndex.set(sample.subarray(0, count));
    if (count === this.data.rows) {
      // Every row, in row order: position j is row j.
      this.gradients.set(gradients);
      this.hessians.set(hessians);
      return;
    }
    for (let j = 0; j < count; j++) {
      const r = rowIndex[j]!;
      this.gradients[j] = gradients[r]!;
      this.hessians[j] = hessians[r]!;
    }
  }

  /** Stable partition of positions [start, end) by the split; returns the first right position. */
  partition(start: number, end: number, split: SplitCandidate): number {
    const { helper, data, goesLeft } = this;
    if (helper === undefined || end - start < PARALLEL_MIN_ROWS || !isReady(helper)) {
      const left = partitionRun(this, data, split.feature, split, goesLeft, start, end);
      return this.merge(start, end, end, left, 0);
    }
    const middle = (start + end) >>> 1;
    sendTask(helper, (control) => {
      control[CONTROL.task] = TASK.partition;
      control[CONTROL.start] = middle;
      control[CONTROL.end] = end;
      control[CONTROL.feature] = split.feature;
      control[CONTROL.thresholdBin] = split.thresholdBin;
      control[CONTROL.missingLeft] = split.missingLeft ? 1 : 0;
    });
    const firstLeft = partitionRun(this, data, split.feature, split, goesLeft, start, middle);
    awaitTask(helper);
    return this.merge(start, middle, end, firstLeft, helper.control[CONTROL.result]!);
  }

  /**
   * Joins two partitioned halves [start, middle) and [middle, end) (see partitionRun) into lefts then
   * rights, each in position order.
   */
  private merge(start: number, middle: number, end: number, firstLeft: number, secondLeft: number): number {
    const { rowIndex, gradients, hessians, scratchRows, scratchGradients, scratchHessians } = this;
    let to = start + firstLeft;
    if (secondLeft > 0 && to !== middle) {
      rowIndex.copyWithin(to, middle, middle + secondLeft);
      gradients.copyWithin(to, middle, middle + secondLeft);
      hessians.copyWithin(to, middle, middle + secondLeft);
    }
    to += secondLeft;
    const firstLeftEnd = to;
    for (const [from, count] of [
      [start, middle - start - firstLeft],
      [middle, end - middle - secondLeft],
    ] as const) {
      rowIndex.set(scratchRows.subarray(from, from + count), to);
      gradients.set(scratchGradients.subarray(from, from + count), to);
      hessians.set(scratchHessians.subarray(from, from + count), to);
      to += count;
    }
    return firstLeftEnd;
  }
}

/**
 * Partitions positions [start, end): rows going left move, in order, to the front of the range; rows
 * going right go, in order, to the scratch arrays from `start`. Returns how many went left.
 */
export function partitionRun(
  order: SharedRowOrder,
  data: BinnedData,
  feature: number,
  split: Split,
  goesLeft: Uint8Array,
  start: number,
  end: number,
): number {
  const { rowIndex, gradients, hessians, scratchRows, scratchGradients, scratchHessians } = order;
  const column = order.columns.subarray(feature * data.rows, (feature + 1) * data.rows);
  const missingBin = data.valueBins[feature]!;
  for (let bin = 0; bin < missingBin; bin++) goesLeft[bin] = bin <= split.thresholdBin ? 1 : 0;
  goesLeft[missingBin] = split.missingLeft ? 1 : 0;
  let left = start;
  let right = start;
  for (let j = start; j < end; j++) {
    const r = rowIndex[j]!;
    if (goesLeft[column[r]!] === 1) {
      rowIndex[left] = r;
      gradients[left] = gradients[j]!;
      hessians[left] = hessians[j]!;
      left++;
    } else {
      scratchRows[right] = r;
      scratchGradients[right] = gradients[j]!;
      scratchHessians[right] = hessians[j]!;
      right++;
    }
  }
  return left - start;
}
