/**
 * The feature encoding of the linear models, learned on the training rows (pure, deterministic).
 * Layout of an encoded row: every numeric feature first (in table order), standardised with the
 * training mean/std after imputing a missing value with the training mean (so it encodes to 0);
 * then one one-hot block per categorical feature (in table order) over the categories seen in
 * training, sorted. A missing (null or empty string) or unseen category encodes to all zeros.
 * The empty string is treated as missing because the ONNX graph receives missing strings as ''.
 */
import type { Table } from '../table.js';

export interface NumericEncoding {
  readonly kind: 'numeric';
  readonly name: string;
  readonly mean: number;
  /** Training standard deviation; 1 when the column is constant, so it encodes to 0. */
  readonly std: number;
}

export interface CategoricalEncoding {
  readonly kind: 'categorical';
  readonly name: string;
  /** Categories seen in training, sorted; position = one-hot column within the block. */
  readonly categories: readonly string[];
}

export interface LinearEncoding {
  /** Numeric features in table order. */
  readonly numeric: readonly NumericEncoding[];
  /** Categorical features in table order. */
  readonly categorical: readonly CategoricalEncoding[];
  /** Columns of an encoded row. */
  readonly width: number;
}

export function isMissingCategory(value: string | null): value is null | '' {
  return value === null || value === '';
}

function fitNumeric(name: string, values: Float64Array): NumericEncoding {
  let count = 0;
  let sum = 0;
  for (const value of values) {
    if (!Number.isNaN(value)) {
      count++;
      sum += value;
    }
  }
  const mean = count > 0 ? sum / count : 0;
  let squares = 0;
  for (const value of values) {
    if (!Number.isNaN(value)) squares += (value - mean) * (value - mean);
  }
  const std = count > 0 ? Math.sqrt(squares / count) : 0;
  return { kind: 'numeric', name, mean, std: std > 1e-12 ? std : 1 };
}

function fitCategorical(name: string, values: readonly (string | null)[]): CategoricalEncoding {
  const seen = new Set<string>();
  for (const value of values) if (!isMissingCategory(value)) seen.add(value);
  // Code-unit order, not locale order, so the encoding is identical on every machine.
  const categories = [...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { kind: 'categorical', name, categories };
}

export function fitLinearEncoding(table: Table): LinearEncoding {
  const numeric: NumericEncoding[] = [];
  const categorical: CategoricalEncoding[] = [];
  for (const feature of table.features) {
    if (feature.kind === 'numeric') numeric.push(fitNumeric(feature.name, feature.values));
    else categorical.push(fitCategorical(feature.name, feature.values));
  }
  const width = numeric.length + categorical.reduce((sum, block) => sum + block.categories.length, 0);
  return { numeric, categorical, width };
}

/** Encodes a table into a dense row-major matrix [rows × width]; features are found by name. */
export function encodeTable(encoding: LinearEncoding, table: Table): Float64Array {
  const { width } = encoding;
  const out = new Float64Array(table.rows * width);
  const byName = new Map(table.features.map((feature) => [feature.name, feature]));
  encoding.numeric.forEach((spec, column) => {
    const feature = byName.get(spec.name);
    if (feature?.kind !== 'numeric')
      throw new TypeError(`numeric feature '${spec.name}' is missing from the table`);
    const { values } = feature;
    for (let row = 0; row < table.rows; row++) {
      const value = values[row]!;
      out[row * width + column] = Number.isNaN(value) ? 0 : (value - spec.mean) / spec.std;
    }
  });
  let offset = encoding.numeric.length;
  for (const spec of encoding.categorical) {
    const feature = byName.get(spec.name);
    if (feature?.kind !== 'categorical') {
      throw new TypeError(`categorical feature '${spec.name}' is missing from the table`);
    }
    const index = new Map(spec.categories.map((category, position) => [category, position]));
    const { values } = feature;
    for (let row = 0; row < table.rows; row++) {
      const value = values[row]!;
      const position = isMissingCategory(value) ? undefined : index.get(value);
      if (position !== undefined) out[row * width + offset + position] = 1;
    }
    offset += spec.categories.length;
  }
  return out;
}
