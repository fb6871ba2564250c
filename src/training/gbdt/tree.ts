/**
 * A trained regression tree as flat node arrays. Node 0 is the root; a node with feature -1 is a
 * leaf whose `value` (already scaled by the learning rate, rounded to float32 so the ONNX export
 * carries the same number) is added to the raw score.
 */
import type { BinnedData } from './binning.js';

export interface RegressionTree {
  readonly feature: Int32Array;
  /** Left when bin <= thresholdBin (ordinal on bins, hence on values or category codes). */
  readonly thresholdBin: Int32Array;
  /** Where the missing bin goes: 1 = left. */
  readonly missingLeft: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
}

/** Index of the leaf a binned row falls into. */
export function leafOf(tree: RegressionTree, data: BinnedData, row: number): number {
  const { feature, thresholdBin, missingLeft, left, right } = tree;
  const base = row * data.features;
  let node = 0;
  for (;;) {
    const f = feature[node]!;
    if (f < 0) return node;
    const bin = data.bins[base + f]!;
    const goLeft = bin === data.valueBins[f]! ? missingLeft[node] === 1 : bin <= thresholdBin[node]!;
    node = goLeft ? left[node]! : right[node]!;
  }
}

/** scores[r * stride + offset]! += tree(row r) for every row. */
export function addTreeScores(
  tree: RegressionTree,
  data: BinnedData,
  scores: Float64Array,
  stride: number,
  offset: number,
): void {
  for (let r = 0; r < data.rows; r++) scores[r * stride + offset]! += tree.value[leafOf(tree, data, r)]!;
}
