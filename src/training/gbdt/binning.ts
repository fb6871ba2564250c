/**
 * Feature quantisation for histogram-based trees.
 *
 * Numeric features: up to MAX_VALUE_BINS bins whose upper edges are float32 values taken between
 * training quantiles. A value is compared as float32 (Math.fround) so the exported ONNX graph, which
 * sees float32 inputs, makes exactly the same `x <= edge` decisions. Bin b holds the values x with
 * edges[b-1] < x <= edges[b]; NaN goes to the missing bin (index `valueBins`).
 *
 * Categorical features: the (at most MAX_VALUE_BINS most frequent) training categories get ordinal
 * codes in lexicographic order; null, the empty string, unseen and dropped categories all go to the
 * missing bin. Trees split categorical codes on ordinal thresholds (code <= t), which is simple and
 * exportable; it is weaker than LightGBM's many-vs-many categorical splits.
 */
import type { Feature, Table } from '../table.js';

/** 255 bins in all: 254 value bins plus the missing bin, so a bin fits a Uint8Array. */
export const MAX_VALUE_BINS = 254;

export interface NumericBinning {
  readonly kind: 'numeric';
  readonly name: string;
  /** Strictly increasing float32 upper edges; `valueBins - 1` of them. */
  readonly edges: Float32Array;
  readonly valueBins: number;
}

export interface CategoricalBinning {
  readonly kind: 'categorical';
  readonly name: string;
  /** Code i is categories[i]. */
  readonly categories: readonly string[];
  readonly valueBins: number;
}

export type FeatureBinning = NumericBinning | CategoricalBinning;

/**
 * Binned rows, row-major: the bin of row r for feature f is bins[r * features + f], so building a
 * histogram reads each row's bins from one cache line.
 */
export interface BinnedData {
  readonly rows: number;
  readonly features: number;
  readonly bins: Uint8Array;
  /** Per feature: number of value bins; the missing bin is that index. */
  readonly valueBins: Int32Array;
  /** Per feature: first histogram slot; the feature uses valueBins + 1 slots. */
  readonly histogramOffsets: Int32Array;
  readonly histogramSlots: number;
}

export function fitBinning(table: Table, maxValueBins = MAX_VALUE_BINS): FeatureBinning[] {
  const limit = Math.max(2, Math.min(MAX_VALUE_BINS, maxValueBins));
  return table.features.map((feature) =>
    feature.kind === 'numeric'
      ? fitNumeric(feature.name, feature.values, limit)
      : fitCategorical(feature.name, feature.values, limit),
  );
}

/** A float32 edge e with a <= e < b, so `a <= e` and `b > e` (a, b float32, a < b). */
function edgeBetween(a: number, b: number): number {
  const middle = Math.fround(a + (b - a) / 2);
  return middle < b ? middle : a;
}

function fitNumeric(name: string, values: Float64Array, limit: number): NumericBinning {
  const present = new Float64Array(values.length);
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) present[count++] = Math.fround(v);
  }
  const sorted = present.subarray(0, count).sort();
  const distinct: number[] = [];
  for (let i = 0; i < count; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
  const edges: number[] = [];
  if (distinct.length <= limit) {
    for (let i = 1; i < distinct.length; i++) edges.push(edgeBetween(distinct[i - 1]!, distinct[i]!));
  } else {
    let d = 0;
    for (let q = 1; q < limit; q++) {
      const cut = sorted[Math.floor((q * count) / limit)]!;
      while (distinct[d]! < cut) d++;
      if (d + 1 >= distinct.length) break;
      const edge = edgeBetween(distinct[d]!, distinct[d + 1]!);
      if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
    }
  }
  return { kind: 'numeric', name, edges: Float32Array.from(edges), valueBins: edges.length + 1 };
}

function fitCategorical(name: string, values: readonly (string | null)[], limit: number): CategoricalBinning {
  const counts = new Map<string, number>();
  for (const value of values)
    if (value !== null && value !== '') counts.set(value, (counts.get(value) ?? 0) + 1);
  const byFrequency = [...counts.entries()].sort(
    (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0),
  );
  const categories = byFrequency
    .slice(0, limit)
    .map(([category]) => category)
    .sort();
  return { kind: 'categorical', name, categories, valueBins: Math.max(1, categories.length) };
}

/** The bin of a float32-rounded numeric value: the first edge >= x. */
export function numericBin(edges: Float32Array, value: number): number {
  if (Number.isNaN(value)) return edges.length + 1;
  const x = Math.fround(value);
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (edges[middle]! < x) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Bins a table with a fitted binning; features are matched by name. */
export function binTable(table: Table, binning: readonly FeatureBinning[]): BinnedData {
  const rows = table.rows;
  const byName = new Map<string, Feature>(table.features.map((feature) => [feature.name, feature]));
  const bins = new Uint8Array(rows * binning.length);
  const valueBins = new Int32Array(binning.length);
  const histogramOffsets = new Int32Array(binning.length);
  let slots = 0;
  binning.forEach((spec, f) => {
    const feature = byName.get(spec.name);
    if (feature === undefined || feature.kind !== spec.kind) {
      throw new TypeError(`table has no ${spec.kind} feature '${spec.name}'`);
    }
    valueBins[f] = spec.valueBins;
    histogramOffsets[f] = slots;
    slots += spec.valueBins + 1;
    const width = binning.length;
    if (spec.kind === 'numeric' && feature.kind === 'numeric') {
      const missing = spec.valueBins;
      for (let r = 0; r < rows; r++) {
        const v = feature.values[r]!;
        bins[r * width + f] = Number.isNaN(v) ? missing : numericBin(spec.edges, v);
      }
    } else if (spec.kind === 'categorical' && feature.kind === 'categorical') {
      const codes = new Map(spec.categories.map((category, code) => [category, code]));
      for (let r = 0; r < rows; r++) {
        const v = feature.values[r];
        bins[r * width + f] = (v === null || v === undefined ? undefined : codes.get(v)) ?? spec.valueBins;
      }
    }
  });
  return { rows, features: binning.length, bins, valueBins, histogramOffsets, histogramSlots: slots };
}
