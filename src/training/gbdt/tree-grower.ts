/**
 * Leaf-wise (best-first) growth of one tree on binned data, LightGBM style: repeatedly split the leaf
 * with the largest gain until max leaves, max depth or no split clears the minimum gain. Rows of a leaf
 * are a contiguous run of the row order (see RowOrder), partitioned stably in place; histograms come
 * from the builder's pool of maxLeaves + 1 buffers allocated once per training run.
 */
import type { BinnedData } from './binning.js';
import type { HistogramBuilder } from './histogram-builder.js';
import type { RowOrder } from './row-order.js';
import { emptySplit, type SplitCandidate, type SplitParams } from './split-finder.js';
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
  /** Offset of the leaf's histogram in the builder's pool. */
  histogram: number;
  split: SplitCandidate;
}

/** Buffers reused across trees of one training run. */
export class GrowWorkspace {
  readonly data: BinnedData;
  readonly order: RowOrder;
  /** Leaves of the last grown tree: node id and segment [start, end) of order.rowIndex. */
  leafCount = 0;
  readonly leafNodes: Int32Array;
  readonly leafStarts: Int32Array;
  readonly leafEnds: Int32Array;

  constructor(
    readonly histograms: HistogramBuilder,
    maxLeaves: number,
  ) {
    this.data = histograms.data;
    this.order = histograms.order;
    this.leafNodes = new Int32Array(maxLeaves);
    this.leafStarts = new Int32Array(maxLeaves);
    this.leafEnds = new Int32Array(maxLeaves);
  }
}

/** Grows one tree on positions [0, sampleCount) of the workspace's row order (see RowOrder.load). */
export function growTree(
  workspace: GrowWorkspace,
  sampleCount: number,
  features: Int32Array,
  params: GrowParams,
): RegressionTree {
  const { order, histograms } = workspace;
  const { pairs } = order;
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
  const recordLeaf = (node: number, start: number, end: number) => {
    const i = workspace.leafCount++;
    workspace.leafNodes[i] = node;
    workspace.leafStarts[i] = start;
    workspace.leafEnds[i] = end;
  };
  const closeLeaf = (leaf: OpenLeaf) => {
    recordLeaf(leaf.node, leaf.start, leaf.end);
    histograms.release(leaf.histogram);
  };
  const makeLeaf = (
    node: number,
    start: number,
    end: number,
    depth: number,
    g: number,
    h: number,
    hist: number,
  ): OpenLeaf => {
    value[node] = leafValue(g, h);
    return { node, start, end, depth, gradient: g, hessian: h, histogram: hist, split: emptySplit() };
  };
  const splittable = (leaf: OpenLeaf) =>
    canDeepen(leaf.depth) && leaf.end - leaf.start >= 2 * params.minSamplesLeaf;
  /** Finds the leaves' best splits; leaves without one are closed, the others wait in `open`. */
  const openLeaves = (...leaves: OpenLeaf[]) => {
    histograms.findSplits(leaves.filter(splittable), features);
    for (const leaf of leaves) {
      if (leaf.split.feature < 0) closeLeaf(leaf);
      else open.push(leaf);
    }
  };

  let rootG = 0;
  let rootH = 0;
  for (let j = 0; j < sampleCount; j++) {
    const r = order.rowIndex[j]!;
    rootG += pairs[2 * r]!;
    rootH += pairs[2 * r + 1]!;
  }
  const rootHistogram = histograms.take();
  histograms.build(rootHistogram, features, 0, sampleCount);
  openLeaves(makeLeaf(0, 0, sampleCount, 0, rootG, rootH, rootHistogram));

  let leaves = 1;
  while (leaves < params.maxLeaves && open.length > 0) {
    let best = 0;
    for (let i = 1; i < open.length; i++) if (open[i]!.split.gain > open[best]!.split.gain) best = i;
    const leaf = open[best]!;
    open.splice(best, 1);
    const split = leaf.split;
    const middle = order.partition(leaf.start, leaf.end, split);
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
    const depth = leaf.depth + 1;
    const lg = split.leftGradient;
    const lh = split.leftHessian;
    leaves++;
    if (leaves === params.maxLeaves) {
      // The last split: its children are never split, so they need no histograms.
      value[leftNode] = leafValue(lg, lh);
      value[rightNode] = leafValue(leaf.gradient - lg, leaf.hessian - lh);
      recordLeaf(leftNode, leaf.start, middle);
      recordLeaf(rightNode, middle, leaf.end);
      histograms.release(leaf.histogram);
      break;
    }
    const leftSmaller = middle - leaf.start <= leaf.end - middle;
    const smallHistogram = histograms.take();
    // The leaf's histogram becomes the larger child's: itself minus the smaller child's.
    if (leftSmaller) histograms.build(smallHistogram, features, leaf.start, middle, leaf.histogram);
    else histograms.build(smallHistogram, features, middle, leaf.end, leaf.histogram);
    const leftHistogram = leftSmaller ? smallHistogram : leaf.histogram;
    const rightHistogram = leftSmaller ? leaf.histogram : smallHistogram;
    openLeaves(
      makeLeaf(leftNode, leaf.start, middle, depth, lg, lh, leftHistogram),
      makeLeaf(rightNode, middle, leaf.end, depth, leaf.gradient - lg, leaf.hessian - lh, rightHistogram),
    );
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
