/**
 * Builds histograms from the row-ordered data into a pool of maxLeaves + 1 histograms, on this thread
 * alone or split by feature ranges across helper threads sharing that memory. Each feature range is
 * always built by one kernel in row order, so the model is bit-identical for any thread count.
 */
import type { BinnedData } from './binning.js';
import { CONTROL, type GradientMemory, readSplit, SPLIT_IO, TASK } from './helper-protocol.js';
import { awaitTask, type HelperThread, initHelperThread, isReady, sendTask } from './helper-threads.js';
import {
  compileHistogramKernels,
  type HistogramKernel,
  rangeSlots,
  SLOT_WIDTH,
  type SubsetHistogramKernel,
  subtractHistogram,
  subtractSlots,
} from './histogram.js';
import type { RowOrder } from './row-order.js';
import { findBestSplit, type SplitCandidate, type SplitParams } from './split-finder.js';

/** Below this many rows a hand-off costs more than the helper saves. */
const PARALLEL_MIN_ROWS = 512;

/** A leaf to find the best split of: its histogram, totals and rows. */
export interface SplitJob {
  readonly histogram: number;
  readonly gradient: number;
  readonly hessian: number;
  readonly start: number;
  readonly end: number;
  readonly split: SplitCandidate;
}

function pickSplitParams({
  lambda,
  minSamplesLeaf,
  minHessianLeaf,
  minGainToSplit,
}: SplitParams): SplitParams {
  return { lambda, minSamplesLeaf, minHessianLeaf, minGainToSplit };
}

interface FeatureRange {
  readonly kernel: HistogramKernel;
  /** The range's slots [from, to) within a histogram. */
  readonly slots: [number, number];
  /** Absent for the range this thread builds. */
  readonly helper: HelperThread | undefined;
}

export class HistogramBuilder {
  readonly data: BinnedData;
  /** Doubles per histogram in the pool. */
  readonly histogramSize: number;
  private readonly pool: Float64Array;
  private readonly free: number[] = [];
  private readonly ranges: FeatureRange[] = [];
  private readonly subsetKernel: SubsetHistogramKernel;
  /** Scratch for the subset kernel (see SubsetHistogramKernel). */
  private readonly featureList: Int32Array;

  /**
   * The pool is allocated in the row order's kernel memory. With helpers, that memory and `gradients`
   * must be shared (they are posted to the helpers); each helper builds one range of features.
   */
  constructor(
    readonly order: RowOrder,
    maxLeaves: number,
    helpers: readonly HelperThread[],
    gradients: GradientMemory,
    private readonly splitParams: SplitParams,
  ) {
    const data = order.data;
    this.data = data;
    this.histogramSize = data.histogramSlots * SLOT_WIDTH;
    this.pool = order.kernel.float64((maxLeaves + 1) * this.histogramSize);
    for (let i = maxLeaves; i >= 0; i--) this.free.push(i * this.histogramSize);
    this.featureList = order.kernel.int32(2 * data.features);
    const count = Math.min(helpers.length + 1, data.features);
    let subsetKernel: SubsetHistogramKernel | undefined;
    for (let t = 0; t < count; t++) {
      const first = Math.round((t * data.features) / count);
      const last = Math.round(((t + 1) * data.features) / count);
      const kernels = compileHistogramKernels(data, first, last, order.kernel.wasm);
      if (t === 0) subsetKernel = kernels.subset;
      const helper = t === 0 ? undefined : helpers[t - 1]!;
      if (helper !== undefined)
        initHelperThread(helper, {
          data,
          order: order.memory(),
          gradients,
          splitParams: pickSplitParams(splitParams),
          histograms: this.pool,
          kernelMemory: order.kernel.wasm,
          firstFeature: first,
          lastFeature: last,
        });
      this.ranges.push({ kernel: kernels.range, slots: rangeSlots(data, first, last), helper });
    }
    this.subsetKernel = subsetKernel!;
  }

  /** Takes a histogram from the pool; returns its offset (see view). */
  take(): number {
    const base = this.free.pop();
    if (base === undefined) throw new Error('histogram pool exhausted');
    return base;
  }

  release(base: number): void {
    this.free.push(base);
  }

  view(base: number): Float64Array {
    return this.pool.subarray(base, base + this.histogramSize);
  }

  /**
   * Builds the histogram at `base` from positions [start, end) of the row order; with `parent`, then
   * subtracts it from the histogram at `parent` (each thread its own features, right after building).
   */
  build(base: number, features: Int32Array, start: number, end: number, parent = -1): void {
    const { data, order } = this;
    const { bins, rowIndex, pairs } = order;
    if (features.length < data.features) {
      const out = this.view(base);
      this.subsetKernel(out, bins, rowIndex, start, end, pairs, features, this.featureList);
      if (parent >= 0) subtractHistogram(this.view(parent), out, data, features);
      return;
    }
    const handOff = end - start >= PARALLEL_MIN_ROWS;
    const helping: HelperThread[] = [];
    for (const { helper } of this.ranges) {
      if (!handOff || helper === undefined || !isReady(helper)) continue;
      sendTask(helper, (control) => {
        control[CONTROL.task] = TASK.histogram;
        control[CONTROL.base] = base;
        control[CONTROL.start] = start;
        control[CONTROL.end] = end;
        control[CONTROL.parent] = parent;
      });
      helping.push(helper);
    }
    for (const { kernel, slots, helper } of this.ranges) {
      if (helper !== undefined && helping.includes(helper)) continue;
      kernel(this.pool, base, bins, rowIndex, start, end, pairs);
      if (parent >= 0) subtractSlots(this.pool, parent, base, slots[0], slots[1]);
    }
    for (const helper of helping) awaitTask(helper);
  }

  /**
   * Finds the best split of each job's leaf (both children of a split come together): with a ready
   * helper, the second on the helper while this thread does the first. Each search runs whole on one
   * thread, so the result does not depend on where it ran.
   */
  findSplits(jobs: readonly SplitJob[], features: Int32Array): void {
    const helper = this.ranges[1]?.helper;
    const [first, second] = jobs;
    if (
      second !== undefined &&
      helper !== undefined &&
      isReady(helper) &&
      features.length === this.data.features
    ) {
      helper.splitIO[SPLIT_IO.gradient] = second.gradient;
      helper.splitIO[SPLIT_IO.hessian] = second.hessian;
      sendTask(helper, (control) => {
        control[CONTROL.task] = TASK.split;
        control[CONTROL.base] = second.histogram;
        control[CONTROL.start] = second.start;
        control[CONTROL.end] = second.end;
      });
      this.findSplit(first!, features);
      awaitTask(helper);
      readSplit(helper.splitIO, second.split);
      return;
    }
    for (const job of jobs) this.findSplit(job, features);
  }

  private findSplit(job: SplitJob, features: Int32Array): void {
    const { histogram, gradient, hessian, start, end, split } = job;
    findBestSplit(
      this.view(histogram),
      this.data,
      features,
      gradient,
      hessian,
      end - start,
      this.splitParams,
      split,
    );
  }

  /** How many helpers have started (and take work). */
  readyHelpers(): number {
    return this.ranges.filter(({ helper }) => helper !== undefined && isReady(helper)).length;
  }
}
