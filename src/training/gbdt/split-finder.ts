/**
 * Best split of one leaf from its histogram: for every feature, every ordinal threshold t (left =
 * bins <= t) and both directions for the missing bin, the gain
 *   G_L^2 / (H_L + lambda) + G_R^2 / (H_R + lambda) - G^2 / (H + lambda).
 * The threshold t = valueBins - 1 with missing to the right separates missing from present values.
 *
 * Histograms hold no row counts (see histogram.ts), so as in LightGBM a side's row count for the
 * minSamplesLeaf check is estimated as round(H_side * rows / H): exact for squared error (every
 * hessian is 1), approximate for log loss. The children's actual row counts come from partitioning.
 */
import type { BinnedData } from './binning.js';
import { SLOT_WIDTH } from './histogram.js';

export interface SplitParams {
  readonly lambda: number;
  readonly minSamplesLeaf: number;
  readonly minHessianLeaf: number;
  readonly minGainToSplit: number;
}

/** Mutable result record, reused to avoid allocation per leaf. */
export interface SplitCandidate {
  gain: number;
  feature: number;
  thresholdBin: number;
  missingLeft: boolean;
  leftGradient: number;
  leftHessian: number;
}

export function emptySplit(): SplitCandidate {
  return {
    gain: 0,
    feature: -1,
    thresholdBin: 0,
    missingLeft: false,
    leftGradient: 0,
    leftHessian: 0,
  };
}

export function findBestSplit(
  histogram: Float64Array,
  data: BinnedData,
  features: Int32Array,
  totalGradient: number,
  totalHessian: number,
  totalCount: number,
  params: SplitParams,
  out: SplitCandidate,
): void {
  const { lambda, minSamplesLeaf, minHessianLeaf } = params;
  const parentScore = (totalGradient * totalGradient) / (totalHessian + lambda);
  const rowsPerHessian = totalCount / totalHessian;
  let bestGain = Math.max(params.minGainToSplit, 1e-12);
  out.feature = -1;
  out.gain = 0;
  for (let i = 0; i < features.length; i++) {
    const f = features[i]!;
    const valueBins = data.valueBins[f]!;
    const base = data.histogramOffsets[f]! * SLOT_WIDTH;
    const missingSlot = base + valueBins * SLOT_WIDTH;
    const missingG = histogram[missingSlot]!;
    const missingH = histogram[missingSlot + 1]!;
    // A parent-minus-child histogram can leave rounding residue in an empty missing bin.
    const hasMissing = Math.round(missingH * rowsPerHessian) > 0;
    let cumG = 0;
    let cumH = 0;
    for (let t = 0; t < valueBins; t++) {
      const slot = base + t * SLOT_WIDTH;
      cumG += histogram[slot]!;
      cumH += histogram[slot + 1]!;
      for (let direction = 0; direction < 2; direction++) {
        const missingLeft = direction === 1;
        if (missingLeft && (!hasMissing || t === valueBins - 1)) continue;
        const leftG = missingLeft ? cumG + missingG : cumG;
        const leftH = missingLeft ? cumH + missingH : cumH;
        const leftC = Math.round(leftH * rowsPerHessian);
        const rightC = totalCount - leftC;
        if (leftC < minSamplesLeaf || rightC < minSamplesLeaf) continue;
        const rightH = totalHessian - leftH;
        if (leftH < minHessianLeaf || rightH < minHessianLeaf) continue;
        const rightG = totalGradient - leftG;
        const gain = (leftG * leftG) / (leftH + lambda) + (rightG * rightG) / (rightH + lambda) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          out.gain = gain;
          out.feature = f;
          out.thresholdBin = t;
          out.missingLeft = missingLeft;
          out.leftGradient = leftG;
          out.leftHessian = leftH;
        }
      }
    }
  }
}
