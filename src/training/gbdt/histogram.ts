/**
 * Gradient/hessian/count histograms of one leaf, laid out as three interleaved float64 slots per bin
 * over all features (see BinnedData.histogramOffsets). A sibling's histogram is parent minus the
 * smaller child, so only the smaller child is ever built from rows. Rows are visited once each and
 * all their (row-major) bins updated together, so a row's gradient and hessian are read once.
 */
import type { BinnedData } from './binning.js';

export const SLOT_WIDTH = 3;

export function buildHistogram(
  out: Float64Array,
  data: BinnedData,
  features: Int32Array,
  rowIndex: Uint32Array,
  start: number,
  end: number,
  gradients: Float64Array,
  hessians: Float64Array,
  slotBases: Int32Array,
): void {
  const bins = data.bins;
  const width = data.features;
  const used = features.length;
  for (let i = 0; i < used; i++) {
    const f = features[i]!;
    const base = data.histogramOffsets[f]! * SLOT_WIDTH;
    slotBases[i] = base;
    out.fill(0, base, base + (data.valueBins[f]! + 1) * SLOT_WIDTH);
  }
  if (used === width) {
    // every feature: read the row's bins sequentially
    for (let j = start; j < end; j++) {
      const r = rowIndex[j]!;
      const g = gradients[r]!;
      const h = hessians[r]!;
      const rowBase = r * width;
      for (let f = 0; f < width; f++) {
        const slot = slotBases[f]! + bins[rowBase + f]! * SLOT_WIDTH;
        out[slot]! += g;
        out[slot + 1]! += h;
        out[slot + 2]! += 1;
      }
    }
    return;
  }
  for (let j = start; j < end; j++) {
    const r = rowIndex[j]!;
    const g = gradients[r]!;
    const h = hessians[r]!;
    const rowBase = r * width;
    for (let i = 0; i < used; i++) {
      const slot = slotBases[i]! + bins[rowBase + features[i]!]! * SLOT_WIDTH;
      out[slot]! += g;
      out[slot + 1]! += h;
      out[slot + 2]! += 1;
    }
  }
}

/** parent := parent - child over the given features (parent becomes the larger sibling). */
export function subtractHistogram(
  parent: Float64Array,
  child: Float64Array,
  data: BinnedData,
  features: Int32Array,
): void {
  for (let i = 0; i < features.length; i++) {
    const f = features[i]!;
    const begin = data.histogramOffsets[f]! * SLOT_WIDTH;
    const end = begin + (data.valueBins[f]! + 1) * SLOT_WIDTH;
    for (let s = begin; s < end; s++) parent[s]! -= child[s]!;
  }
}
