/**
 * Which drift test runs on a column by default (Evidently's defaults), which tests may run on which
 * columns, and the default thresholds with their valid ranges.
 */
import { InvalidError } from '../../core/errors.js';
import type { ColumnKind, DriftTestName } from './report-types.js';

/** Reference sizes up to this use the p-value tests; larger ones use distances (Evidently's rule). */
export const SMALL_REFERENCE_ROWS = 1000;

/** A numeric column with at most this many distinct reference values is tested as categorical. */
export const MAX_DISCRETE_VALUES = 5;

/**
 * Default thresholds. p-value tests (ks, chi2, ztest) report drift when p < threshold; distance tests
 * when distance ≥ threshold. PSI: 0.2 is "significant" drift; 0.1 ≤ PSI < 0.2 is conventionally
 * "moderate" (pass `threshold: 0.1` in an override to flag that too). The Wasserstein threshold
 * applies to W1 divided by the reference's standard deviation; Jensen–Shannon is the base-2 distance.
 */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftTestName, number>> = {
  ks: 0.05,
  chi2: 0.05,
  ztest: 0.05,
  psi: 0.2,
  js: 0.1,
  wasserstein: 0.1,
};

export const PVALUE_TESTS: ReadonlySet<DriftTestName> = new Set(['ks', 'chi2', 'ztest']);

/** What decides a column's tests: its kind and the shape of its non-missing data. */
export interface ColumnShape {
  readonly kind: ColumnKind;
  /** Categorical, or numeric with at most {@link MAX_DISCRETE_VALUES} distinct reference values. */
  readonly discrete: boolean;
  /** Non-missing reference values. */
  readonly referenceCount: number;
  /** Distinct non-missing values over both sides; only known for discrete columns. */
  readonly categoryCount?: number;
}

/**
 * Evidently's default: continuous numeric → KS (small reference) or normalised Wasserstein;
 * discrete → chi-squared, or the z-test when exactly two categories occur, (small reference) or
 * Jensen–Shannon. "Small" counts the reference's non-missing values.
 */
export function defaultTest(shape: ColumnShape): DriftTestName {
  const small = shape.referenceCount <= SMALL_REFERENCE_ROWS;
  if (!shape.discrete) return small ? 'ks' : 'wasserstein';
  if (!small) return 'js';
  return shape.categoryCount === 2 ? 'ztest' : 'chi2';
}

/**
 * Why `test` cannot run on a column of this shape, or undefined when it can. ks and wasserstein need
 * numbers; the z-test needs exactly two categories (over both sides); psi, js and chi2 run on any
 * column (numeric ones over categories when discrete, else over the shared histogram or PSI's
 * reference-quantile bins).
 */
export function inapplicableReason(test: DriftTestName, shape: ColumnShape): string | undefined {
  if ((test === 'ks' || test === 'wasserstein') && shape.kind !== 'numeric') {
    return `${test} needs a numeric column`;
  }
  if (test === 'ztest' && shape.categoryCount !== 2) {
    return 'ztest needs a discrete column with exactly two categories';
  }
  return undefined;
}

/** Throws InvalidError naming `field` unless `threshold` is valid for `test`. */
export function checkThreshold(test: DriftTestName, threshold: number, field: string): void {
  let ok: boolean;
  let range: string;
  if (PVALUE_TESTS.has(test)) {
    ok = threshold > 0 && threshold < 1;
    range = 'in (0, 1)';
  } else if (test === 'js') {
    ok = threshold > 0 && threshold <= 1;
    range = 'in (0, 1]';
  } else {
    ok = threshold > 0 && Number.isFinite(threshold);
    range = 'a finite number > 0';
  }
  if (typeof threshold !== 'number' || !ok) {
    throw new InvalidError(`${field}: a ${test} threshold must be ${range}, got ${threshold}`, {
      field,
      value: threshold,
    });
  }
}
