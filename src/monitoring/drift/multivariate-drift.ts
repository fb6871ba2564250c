/**
 * The multivariate drift test of a report: MMD (RBF kernel, permutation p-value) over the numeric
 * columns compared, each standardised by the reference's mean and standard deviation so that no
 * column dominates the distances by its units.
 */
import { InvalidError } from '../../core/errors.js';
import { mmdRbf } from '../stats/mmd.js';
import type { CompareOptions, MultivariateDrift, NumericColumn } from './report-types.js';

/** MMD's p-value threshold. */
export const MMD_THRESHOLD = 0.05;

export interface MultivariateInput {
  readonly column: string;
  readonly reference: NumericColumn;
  readonly current: NumericColumn;
}

/**
 * MMD over `columns` (numeric on both sides, at least one). Rows with a missing value (NaN) in any of
 * them are dropped on each side; the reference's mean and sample standard deviation of each column
 * (over those rows) standardise both sides, a constant column (std 0) only being centred. Throws
 * InvalidError naming `tests` when no column or no complete row is left.
 */
export function multivariateDrift(
  columns: readonly MultivariateInput[],
  options: CompareOptions['mmd'] = {},
): MultivariateDrift {
  const names = columns.map((c) => c.column);
  if (columns.length === 0) {
    throw new InvalidError('tests: mmd needs at least one numeric column present in both tables', {
      field: 'tests',
      value: 'mmd',
    });
  }
  const reference = completeRows(columns.map((c) => c.reference.values));
  const current = completeRows(columns.map((c) => c.current.values));
  for (const [side, rows] of [
    ['reference', reference],
    ['current', current],
  ] as const) {
    if (rows.length === 0) {
      throw new InvalidError(
        `tests: mmd needs rows of the ${side} table with no missing value in ${names.join(', ')}; there are none`,
        { field: 'tests', value: 'mmd', side },
      );
    }
  }
  standardise(reference, current, columns.length);
  const result = mmdRbf(reference, current, {
    ...(options.permutations === undefined ? {} : { permutations: options.permutations }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.maxRows === undefined ? {} : { maxRows: options.maxRows }),
  });
  return {
    test: 'mmd',
    statistic: result.statistic,
    pvalue: result.pvalue,
    threshold: MMD_THRESHOLD,
    drifted: result.pvalue < MMD_THRESHOLD,
    columns: names,
    referenceRows: reference.length,
    currentRows: current.length,
  };
}

/** Rows (one Float64Array of features each) where no column is NaN. */
function completeRows(columns: readonly Float64Array[]): Float64Array[] {
  const rows: Float64Array[] = [];
  const count = columns[0]?.length ?? 0;
  next: for (let i = 0; i < count; i++) {
    const row = new Float64Array(columns.length);
    for (let c = 0; c < columns.length; c++) {
      const v = columns[c]![i]!;
      if (Number.isNaN(v)) continue next;
      row[c] = v;
    }
    rows.push(row);
  }
  return rows;
}

/** Centres and scales both sides in place by the reference's mean and sample std per column. */
function standardise(reference: Float64Array[], current: Float64Array[], d: number): void {
  const n = reference.length;
  for (let c = 0; c < d; c++) {
    let mean = 0;
    for (const row of reference) mean += row[c]!;
    mean /= n;
    let ss = 0;
    for (const row of reference) ss += (row[c]! - mean) ** 2;
    const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
    const scale = std > 0 && Number.isFinite(std) ? std : 1;
    for (const rows of [reference, current]) {
      for (const row of rows) row[c] = (row[c]! - mean) / scale;
    }
  }
}
