/**
 * The rows a tree is grown on, kept in leaf order: every leaf is a contiguous run of positions j,
 * where rowIndex[j] is the row; pairs[2r] and pairs[2r + 1] are row r's gradient and hessian (next to
 * each other, so the histogram kernel reads both with one load). Each tree starts from the
 * sample in ascending row order, and splits partition runs stably, so within a leaf rows stay
 * ascending and histogram building walks the row-major bins and the gradients forwards.
 *
 * Partitioning reads the split feature from a feature-major copy of the bins (one feature's column
 * stays in cache) and moves only row indices: gathering gradients by row in the histogram kernel
 * costs it little, while moving them with the rows made partitioning several times dearer. A large
 * run is partitioned in two halves, the second on a helper thread, then merged: the result is the
 * same as partitioning it whole.
 */
import type { BinnedData } from './binning.js';
import { CONTROL, type SharedRowOrder, TASK } from './helper-protocol.js';
import { awaitTask, type HelperThread, isReady, sendTask } from './helper-threads.js';
import type { KernelMemory } from './kernel-memory.js';
import type { SplitCandidate } from './split-finder.js';

/** Below this many rows a hand-off costs more than the helper saves. */
const PARALLEL_MIN_ROWS = 4096;

type Split = Pick<SplitCandidate, 'thresholdBin' | 'missingLeft'>;

export class RowOrder implements SharedRowOrder {
  /** Row-major bins (a copy of data.bins in the kernel memory). */
  readonly bins: Uint8Array;
  /** columns[f * rows + r] = bin of row r for feature f. */
  readonly columns: Uint8Array;
  readonly rowIndex: Uint32Array;
  /** Gradient and hessian by row (not position); only sampled rows' are current. */
  readonly pairs: Float64Array;
  readonly scratchRows: Uint32Array;
  /** Set when a helper thread may take half of large partitions. */
  helper: HelperThread | undefined;
  private readonly goesLeft = new Uint8Array(256);

  /** The arrays are allocated in `kernel` (see KernelMemory.forTraining), which HistogramBuilder shares. */
  constructor(
    readonly data: BinnedData,
    readonly kernel: KernelMemory,
  ) {
    const { rows, features } = data;
    this.bins = kernel.uint8(rows * features);
    this.bins.set(data.bins);
    this.columns = kernel.uint8(rows * features);
    for (let r = 0; r < rows; r++)
      for (let f = 0; f < features; f++) this.columns[f * rows + r] = data.bins[r * features + f]!;
    this.rowIndex = kernel.uint32(rows);
    this.scratchRows = kernel.uint32(rows);
    this.pairs = kernel.float64(rows * 2);
  }

  /** The arrays alone, to post to a helper thread. */
  memory(): SharedRowOrder {
    const { bins, columns, rowIndex, pairs, scratchRows } = this;
    return { bins, columns, rowIndex, pairs, scratchRows };
  }

  /** Puts sample[0, count) (ascending rows) in positions [0, count) with these gradients (by row). */
  load(sample: Uint32Array, count: number, gradients: Float64Array, hessians: Float64Array): void {
    const { rowIndex, pairs } = this;
    rowIndex.set(sample.subarray(0, count));
    for (let j = 0; j < count; j++) {
      const r = rowIndex[j]!;
      pairs[2 * r] = gradients[r]!;
      pairs[2 * r + 1] = hessians[r]!;
    }
  }

  /** Stable partition of positions [start, end) by the split; returns the first right position. */
  partition(start: number, end: number, split: SplitCandidate): number {
    const { helper, data, goesLeft } = this;
    if (helper === undefined || end - start < PARALLEL_MIN_ROWS || !isReady(helper)) {
      const left = partitionRun(this, data, split.feature, split, goesLeft, start, end);
      return this.merge(start, end, left, 0);
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
    return this.merge(start, middle, firstLeft, helper.control[CONTROL.result]!);
  }

  /**
   * Joins the partitioned first half [start, middle) (see partitionRun) and the second half
   * [middle, end), already lefts then rights in place (see partitionHalf), into lefts then rights,
   * each in position order; the second half's rights are already where they belong.
   */
  private merge(start: number, middle: number, firstLeft: number, secondLeft: number): number {
    const { rowIndex, scratchRows } = this;
    const to = start + firstLeft;
    if (secondLeft > 0 && to !== middle) rowIndex.copyWithin(to, middle, middle + secondLeft);
    rowIndex.set(scratchRows.subarray(start, middle - firstLeft), to + secondLeft);
    return to + secondLeft;
  }
}

/**
 * A helper's half of a partition: partitionRun, then its rights copied back after its lefts, which is
 * where they end up after the merge (so the trainer's thread does not copy them). Returns the lefts.
 */
export function partitionHalf(
  order: SharedRowOrder,
  data: BinnedData,
  feature: number,
  split: Split,
  goesLeft: Uint8Array,
  start: number,
  end: number,
): number {
  const left = partitionRun(order, data, feature, split, goesLeft, start, end);
  order.rowIndex.set(order.scratchRows.subarray(start, end - left), start + left);
  return left;
}

/**
 * Partitions positions [start, end): rows going left move, in order, to the front of the range; rows
 * going right go, in order, to scratchRows from `start`. Returns how many went left.
 */
function partitionRun(
  order: SharedRowOrder,
  data: BinnedData,
  feature: number,
  split: Split,
  goesLeft: Uint8Array,
  start: number,
  end: number,
): number {
  const { rowIndex, scratchRows } = order;
  const column = order.columns.subarray(feature * data.rows, (feature + 1) * data.rows);
  const missingBin = data.valueBins[feature]!;
  for (let bin = 0; bin < missingBin; bin++) goesLeft[bin] = bin <= split.thresholdBin ? 1 : 0;
  goesLeft[missingBin] = split.missingLeft ? 1 : 0;
  let left = start;
  let right = start;
  // Branch-free: each row is written to both sides and only one cursor moves. Sides are close to
  // random per row, so a branch would mispredict about half the time (measured 20-25 % slower).
  for (let j = start; j < end; j++) {
    const r = rowIndex[j]!;
    const isLeft = goesLeft[column[r]!]!;
    rowIndex[left] = r;
    scratchRows[right] = r;
    left += isLeft;
    right += 1 - isLeft;
  }
  return left - start;
}
