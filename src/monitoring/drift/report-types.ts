/** The input tables, options and report shapes of an ad hoc drift comparison ({@link compareTables}). */

/** A numeric column: NaN marks a missing value. */
export interface NumericColumn {
  readonly kind: 'numeric';
  readonly values: Float64Array;
}

/** A categorical column: null marks a missing value. */
export interface CategoricalColumn {
  readonly kind: 'categorical';
  readonly values: readonly (string | null)[];
}

export type DriftColumn = NumericColumn | CategoricalColumn;
export type ColumnKind = DriftColumn['kind'];

export interface DriftTable {
  readonly columns: Readonly<Record<string, DriftColumn>>;
}

/** Tests run on one column at a time. */
export const COLUMN_DRIFT_TESTS = ['ks', 'chi2', 'psi', 'js', 'wasserstein', 'ztest'] as const;
export type DriftTestName = (typeof COLUMN_DRIFT_TESTS)[number];

/** Tests run on the numeric columns together (whole input), never on one column. */
export const MULTIVARIATE_DRIFT_TESTS = ['mmd'] as const;
export type MultivariateTestName = (typeof MULTIVARIATE_DRIFT_TESTS)[number];

/** Every test name `tests` accepts. */
export const DRIFT_TESTS = [...COLUMN_DRIFT_TESTS, ...MULTIVARIATE_DRIFT_TESTS] as const;
export type RequestedTestName = (typeof DRIFT_TESTS)[number];

export type Correction = 'none' | 'bonferroni' | 'bh';

/** One column's test, replacing the default (or the `tests` list) for that column. */
export interface ColumnOverride {
  readonly test: DriftTestName;
  /** Defaults to the test's default threshold ({@link DEFAULT_THRESHOLDS}). */
  readonly threshold?: number;
}

export interface CompareOptions {
  /** Columns to compare; default every column both tables have. */
  readonly columns?: readonly string[];
  /**
   * Compute exactly these tests wherever they apply; default one test per column chosen by its data.
   * `mmd` adds the multivariate test over the numeric columns; alone, no per-column test runs.
   */
  readonly tests?: readonly RequestedTestName[];
  readonly overrides?: Readonly<Record<string, ColumnOverride>>;
  /** Dataset drift when the share of drifted columns is at least this (default 0.5), in (0, 1]. */
  readonly driftShare?: number;
  /** Equal-width bins of numeric histograms (default 10). */
  readonly bins?: number;
  /** Multiple-testing correction of the p-value tests across all columns (default 'none'). */
  readonly correction?: Correction;
  /** MMD's permutations, seed and rows kept per side (defaults as mmdRbf's: 200, 0, 1000). */
  readonly mmd?: { readonly permutations?: number; readonly seed?: number; readonly maxRows?: number };
}

/** One test on one column. */
export interface TestOutcome {
  readonly test: DriftTestName;
  /** KS D, chi-squared χ², z, or the distance itself for distance tests. */
  readonly statistic: number;
  /** Raw p-value of ks, chi2 and ztest. */
  readonly pvalue?: number;
  /** The p-value after the requested correction (present only when a correction is applied). */
  readonly adjustedPvalue?: number;
  /** psi, js, or the normalised Wasserstein distance. */
  readonly distance?: number;
  readonly threshold: number;
  readonly drifted: boolean;
  /**
   * How strongly the test points at drift, comparable across tests: distance / threshold, or
   * ln(p) / ln(threshold) for p-value tests (using the adjusted p when corrected). Above 1 means drift.
   */
  readonly strength: number;
}

export interface DriftHistogram {
  /** Numeric columns: the bins + 1 equal-width edges shared by both sides. */
  readonly edges?: readonly number[];
  /** Categorical columns: category labels; the last is {@link OTHER_BUCKET} when more than 20 exist. */
  readonly categories?: readonly string[];
  readonly reference: readonly number[];
  readonly current: readonly number[];
}

export interface ColumnDriftResult extends Omit<TestOutcome, 'test'> {
  readonly column: string;
  readonly kind: ColumnKind;
  /** The headline test: the first drifted one in the order computed, else the first. */
  readonly test: DriftTestName;
  /** Every test computed on this column; the column drifted when any of them did. */
  readonly tests: readonly TestOutcome[];
  /** Rows of the column, missing values included. */
  readonly referenceRows: number;
  readonly currentRows: number;
  readonly nullShare: { readonly reference: number; readonly current: number };
  readonly histogram: DriftHistogram;
}

export interface SkippedColumn {
  readonly column: string;
  readonly reason: string;
}

/** The multivariate MMD test over the numeric columns compared (when `tests` includes `mmd`). */
export interface MultivariateDrift {
  readonly test: MultivariateTestName;
  /** The biased squared MMD of the standardised rows. */
  readonly statistic: number;
  /** Permutation p-value; not part of the per-column multiple-testing correction. */
  readonly pvalue: number;
  readonly threshold: number;
  /** pValue < threshold; also makes `datasetDrift` true. */
  readonly drifted: boolean;
  /** The numeric columns used, in the order compared. */
  readonly columns: readonly string[];
  /** Rows used from each side: rows with a missing value in any of `columns` are dropped (before MMD's own subsampling). */
  readonly referenceRows: number;
  readonly currentRows: number;
}

export interface DatasetDriftReport {
  /** Drifted columns first, then by decreasing strength, then by name. */
  readonly columns: readonly ColumnDriftResult[];
  readonly driftedColumns: number;
  readonly totalColumns: number;
  /** driftedColumns / totalColumns (0 when no column was compared). */
  readonly share: number;
  readonly driftShare: number;
  /** share ≥ driftShare (with at least one column compared), or the multivariate test drifted. */
  readonly datasetDrift: boolean;
  readonly correction: Correction;
  readonly skipped: readonly SkippedColumn[];
  readonly multivariate?: MultivariateDrift;
}

/** Label of the bucket that gathers categories beyond the 20 most frequent in the reference. */
export const OTHER_BUCKET = '(other)';
