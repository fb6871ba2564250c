/**
 * Seeded synthetic data for the linear-model tests: tables with numeric and categorical features
 * drawn around known logistic / linear models, with optional missing values and unseen categories.
 */
import { seededRandom } from '../../../src/training/random.js';
import type { Feature, Table } from '../../../src/training/table.js';

export { seededRandom };

export function normal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export interface TableSpec {
  readonly rows: number;
  /** Per numeric feature: values are offset + scale·N(0, 1), rounded to float32. */
  readonly numeric: readonly { readonly offset: number; readonly scale: number }[];
  /** Per categorical feature: the categories drawn uniformly. */
  readonly categorical: readonly (readonly string[])[];
  /** Fraction of values made missing (NaN / null). */
  readonly missing?: number;
  /** Fraction of categorical values replaced by a category never seen in training. */
  readonly unseen?: number;
}

export function makeTable(spec: TableSpec, random: () => number): Table {
  const missing = spec.missing ?? 0;
  const unseen = spec.unseen ?? 0;
  const features: Feature[] = [];
  spec.numeric.forEach(({ offset, scale }, index) => {
    const values = new Float64Array(spec.rows);
    for (let row = 0; row < spec.rows; row++) {
      values[row] = random() < missing ? Number.NaN : Math.fround(offset + scale * normal(random));
    }
    features.push({ kind: 'numeric', name: `x${index}`, values });
  });
  spec.categorical.forEach((categories, index) => {
    const values: (string | null)[] = [];
    for (let row = 0; row < spec.rows; row++) {
      const draw = random();
      if (draw < missing) values.push(null);
      else if (draw < missing + unseen) values.push(`unseen-${Math.floor(random() * 3)}`);
      else values.push(categories[Math.floor(random() * categories.length)]!);
    }
    features.push({ kind: 'categorical', name: `c${index}`, values });
  });
  return { rows: spec.rows, features };
}

/** A known linear score: intercept + Σ numeric coefficient·x + categorical effect (missing → 0). */
export interface LinearTruth {
  readonly intercept: number;
  readonly numeric: readonly number[];
  readonly categorical: readonly Readonly<Record<string, number>>[];
}

export function linearScores(table: Table, truth: LinearTruth): Float64Array {
  const scores = new Float64Array(table.rows).fill(truth.intercept);
  let numericIndex = 0;
  let categoricalIndex = 0;
  for (const feature of table.features) {
    if (feature.kind === 'numeric') {
      const coefficient = truth.numeric[numericIndex++]!;
      for (let row = 0; row < table.rows; row++) {
        const value = feature.values[row]!;
        if (!Number.isNaN(value)) scores[row]! += coefficient * value;
      }
    } else {
      const effects = truth.categorical[categoricalIndex++]!;
      for (let row = 0; row < table.rows; row++) scores[row]! += effects[feature.values[row] ?? ''] ?? 0;
    }
  }
  return scores;
}
