/**
 * Leaf-wise (best-first) growth of one tree on binned data, LightGBM style: repeatedly split the leaf
 * with the largest gain until max leaves, max depth or no split clears the minimum gain. Rows of a leaf
 * are a contiguous segment of `rowIndex`, partitioned stably in place; histograms come from a pool of
 * maxLeaves + 1 buffers allocated once per training run.
 */
import type { BinnedData } from './binning.js';
import { buildHistogram, SLOT_WIDTH, subtractHistogram } from './histogram.js';
import { emptySplit, findBestSplit, type SplitCandidate, type SplitParams } from './split-finder.js';
import type { RegressionTree } from './tree.js';

export interface GrowParams extends SplitParams {
  readonly maxLeaves: number;
  /** 0 = unlimited. */
  readonly maxDepth: number;
  readonly learningRate: number;
}

interface OpenLeaf {
  node: number;
  start: number;
  end: number;
  depth: number;
  gradient: number;
  hessian: number;
  histogram: Float64Array;
  split: SplitCandidate;
}

/** Buffers reused across trees of one training run. */
export class GrowWorkspace {
  readonly rowIndex: Uint32Array;
  /** Per used feature: its first histogram slot (scratch for buildHistogram). */
  readonly slotBases: Int32Array;
  /** Leaves of the last grown tree: node id and rowIndex segment [start, end). */
  leafCount = 0;
  readonly leafNodes: Int32Array;
  readonly leafStarts: Int32Array;
  readonly leafEnds: Int32Array;
  private readonly scratch: Uint32Array;
  private readonly freeHistograms: Float64Array[] = [];

  constructor(
    readonly data: BinnedData,
    maxLeaves: number,
  ) {
    this.rowIndex = new Uint32Array(data.rows);
    this.scratch = new Uint32Array(data.rows);
    this.slotBases = new Int32Array(data.features);
    this.leafNodes = new Int32Array(maxLeaves);
    this.leafStarts = new Int32Array(maxLeaves);
    this.leafEnds = new Int32Array(maxLeaves);
    for (let i = 0; i <= maxLeaves; i++)
      this.freeHistograms.push(new Float64Array(data.histogramSlots * SLOT_WIDTH));
  }

  takeHistogram(): Float64Array {
    const histogram = this.freeHistograms.pop();
    if (histogram === undefined) throw new Error('histogram pool exhausted');
    return histogram;
  }

  releaseHistogram(histogram: Float64Array): void {
    this.freeHistograms.push(histogram);
  }

  /** Stable partition of rowIndex[start, end) by the split; returns the first right position. */
  partition(start: number, end: number, split: SplitCandidate): number {
    const { rowIndex, scratch, data } = this;
    const feature = split.feature;
    const width = data.features;
    const missingBin = data.valueBins[split.feature]!;
    const threshold = split.thresholdBin;
    let leftEnd = start;
    let rightCount = 0;
    for (let j = start; j < end; j++) {
      const r = rowIndex[j]!;
      const bin = data.bins[r * width + feature]!;
      if (bin === missingBin ? split.missingLeft : bin <= threshold) rowIndex[leftEnd++] = r;
      else scratch[rightCount++] = r;
    }
    rowIndex.set(scratch.subarray(0, rightCount), leftEnd);
    return leftEnd;
  }
}

/** Grows one tree on rowIndex[0, sampleCount) of the workspace. */
export function growTree(
  workspace: GrowWorkspace,
  sampleCount: number,
  features: Int32Array,
  gradients: Float64Array,
  hessians: Float64Array,
  params: GrowParams,
): RegressionTree {
  const { data, rowIndex } = workspace;
  const feature: number[] = [-1];
  const thresholdBin: number[] = [0];
  const missingLeft: number[] = [0];
  const left: number[] = [-1];
  const right: number[] = [-1];
  const value: number[] = [0];
  const open: OpenLeaf[] = [];
  const leafValue = (g: number, h: number) => Math.fround((-g / (h + params.lambda)) * params.learningRate);
  const canDeepen = (depth: number) => params.maxDepth <= 0 || depth < params.maxDepth;

  workspace.leafCount = 0;
  const closeLeaf = (leaf: OpenLeaf) => {
    const i = workspace.leafCount++;
    workspace.leafNodes[i] = leaf.node;
    workspace.leafStarts[i] = leaf.start;
    workspace.leafEnds[i] = leaf.end;
    workspace.releaseHistogram(leaf.histogram);
  };
  const openLeaf = (
    node: number,
    start: number,
    end: number,
    depth: number,
    g: number,
    h: number,
    hist: Float64Array,
  ) => {
    const leaf: OpenLeaf = {
      node,
      start,
      end,
      depth,
      gradient: g,
      hessian: h,
      histogram: hist,
      split: emptySplit(),
    };
    value[node] = leafValue(g, h);
    if (canDeepen(depth) && end - start >= 2 * params.minSamplesLeaf) {
      findBestSplit(hist, data, features, g, h, end - start, params, leaf.split);
    }
    if (leaf.split.feature < 0) closeLeaf(leaf);
    else open.push(leaf);
  };

  let rootG = 0;
  let rootH = 0;
  for (let j = 0; j < sampleCount; j++) {
    rootG += gradients[rowIndex[j]!]!;
    rootH += hessians[rowIndex[j]!]!;
  }
  const rootHistogram = workspace.takeHistogram();
  buildHistogram(
    rootHistogram,
    data,
    features,
    rowIndex,
    0,
    sampleCount,
    gradients,
    hessians,
    workspace.slotBases,
  );
  openLeaf(0, 0, sampleCount, 0, rootG, rootH, rootHistogram);

  let leaves = 1;
  while (leaves < params.maxLeaves && open.length > 0) {
    let best = 0;
    for (let i = 1; i < open.length; i++) if (open[i]!.split.gain > open[best]!.split.gain) best = i;
    const leaf = open[best]!;
    open.splice(best, 1);
    const split = leaf.split;
    const middle = workspace.partition(leaf.start, leaf.end, split);
    const leftNode = feature.length;
    const rightNode = leftNode + 1;
    feature[leaf.node] = split.feature;
    thresholdBin[leaf.node] = split.thresholdBin;
    missingLeft[leaf.node] = split.missingLeft ? 1 : 0;
    left[leaf.node] = leftNode;
    right[leaf.node] = rightNode;
    for (let k = 0; k < 2; k++) {
      feature.push(-1);
      thresholdBin.push(0);
      missingLeft.push(0);
      left.push(-1);
      right.push(-1);
      value.push(0);
    }
    const leftSmaller = middle - leaf.start <= leaf.end - middle;
    const smallHistogram = workspace.takeHistogram();
    if (leftSmaller)
      buildHistogram(
        smallHistogram,
        data,
        features,
        rowIndex,
        leaf.start,
        middle,
        gradients,
        hessians,
        workspace.slotBases,
      );
    else
      buildHistogram(
        smallHistogram,
        data,
        features,
        rowIndex,
        middle,
        leaf.end,
        gradients,
        hessians,
        workspace.slotBases,
      );
    subtractHistogram(leaf.histogram, smallHistogram, data, features);
    const leftHistogram = leftSmaller ? smallHistogram : leaf.histogram;
    const rightHistogram = leftSmaller ? leaf.histogram : smallHistogram;
    const depth = leaf.depth + 1;
    const lg = split.leftGradient;
    const lh = split.leftHessian;
    openLeaf(leftNode, leaf.start, middle, depth, lg, lh, leftHistogram);
    openLeaf(rightNode, middle, leaf.end, depth, leaf.gradient - lg, leaf.hessian - lh, rightHistogram);
    leaves++;
  }
  for (const leaf of open) closeLeaf(leaf);
  return {
    feature: Int32Array.from(feature),
    thresholdBin: Int32Array.from(thresholdBin),
    missingLeft: Uint8Array.from(missingLeft),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
  };
}
