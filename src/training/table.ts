/**
 * The in-memory table every trainer takes: one typed column per feature (pure data, no I/O), so
 * trainers stay independent of where rows come from (a dataset version read through DuckDB, a test).
 * Missing values are NaN in numeric columns and null in categorical ones.
 */

export interface NumericFeature {
  readonly kind: 'numeric';
  readonly name: string;
  /** One value per row; NaN marks a missing value. */
  readonly values: Float64Array;
}

export interface CategoricalFeature {
  readonly kind: 'categorical';
  readonly name: string;
  /** One value per row; null marks a missing value. */
  readonly values: readonly (string | null)[];
}

export type Feature = NumericFeature | CategoricalFeature;

export interface Table {
  readonly rows: number;
  readonly features: readonly Feature[];
}

/** Classification targets are class indices into `classes`; regression targets are numbers. */
export type Target =
  | { readonly kind: 'classification'; readonly classes: readonly string[]; readonly labels: Int32Array }
  | { readonly kind: 'regression'; readonly values: Float64Array };

/** A row as the exported model and the predict API see it: feature name to raw value. */
export type RawRow = Readonly<Record<string, number | string | null>>;

/** Checks that every column has `rows` values; trainers call it once at their entry. */
export function assertTable(table: Table): void {
  for (const feature of table.features) {
    if (feature.values.length !== table.rows) {
      throw new RangeError(
        `feature '${feature.name}' has ${feature.values.length} values, the table ${table.rows} rows`,
      );
    }
  }
}

/** The rows `indices` picks (in that order), as a new table. */
export function takeRows(table: Table, indices: Uint32Array): Table {
  const features = table.features.map((feature): Feature => {
    if (feature.kind === 'numeric') {
      return {
        kind: 'numeric',
        name: feature.name,
        values: Float64Array.from(indices, (i) => feature.values[i]!),
      };
    }
    return {
      kind: 'categorical',
      name: feature.name,
      values: Array.from(indices, (i) => feature.values[i] ?? null),
    };
  });
  return { rows: indices.length, features };
}

/** The targets of the rows `indices` picks, in that order. */
export function takeTarget(target: Target, indices: Uint32Array): Target {
  if (target.kind === 'regression') {
    return { kind: 'regression', values: Float64Array.from(indices, (i) => target.values[i]!) };
  }
  return {
    kind: 'classification',
    classes: target.classes,
    labels: Int32Array.from(indices, (i) => target.labels[i]!),
  };
}
