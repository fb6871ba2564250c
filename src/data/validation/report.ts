/** Validation reports: what a suite found in one dataset version, as stored and served. */
import { toIso } from '../../core/clock.js';
import type { ValidationReportRow } from '../../store/tables.js';
import type { JsonValue } from '../json-values.js';
import type { ExpectationType, Suite } from './suite.js';

export type { JsonValue };

export const MAX_EXAMPLES = 10;

export interface OffendingRow {
  /** 0-based position of the row in the version (the same numbering as the rows preview's offset). */
  readonly row: number;
  readonly values: Readonly<Record<string, JsonValue>>;
}

export interface ExpectationResult {
  readonly index: number;
  readonly type: ExpectationType;
  readonly column?: string;
  readonly success: boolean;
  /** What was measured, e.g. { nullFraction }, { min, max }, { rowCount }, { psi }. */
  readonly observed: Readonly<Record<string, JsonValue>>;
  /** Row-level expectations: how many rows break it (nulls are only not_null's business). */
  readonly offendingCount?: number;
  /** Failures: why, in words. */
  readonly message?: string;
  /** Failures of row-level expectations: up to 10 offending rows, in row order. */
  readonly examples?: readonly OffendingRow[];
}

export interface ValidationCounts {
  readonly expectations: number;
  readonly passed: number;
  readonly failed: number;
}

export interface ValidationReport {
  readonly id: string;
  readonly dataset: string;
  readonly version: number;
  /** The suite as run (defaults filled in). */
  readonly suite: Suite;
  readonly success: boolean;
  readonly counts: ValidationCounts;
  readonly rowCount: number;
  readonly results: readonly ExpectationResult[];
  readonly createdBy: string;
  readonly createdAt: string;
}

/** The part of a report kept in the `report` column; the rest has columns of its own. */
export type StoredReport = Omit<ValidationReport, 'id' | 'suite' | 'success' | 'createdBy' | 'createdAt'>;

export function toValidationReport(row: ValidationReportRow): ValidationReport {
  const stored = JSON.parse(row.report) as StoredReport;
  return {
    id: row.id,
    dataset: stored.dataset,
    version: stored.version,
    suite: JSON.parse(row.suite) as Suite,
    success: Number(row.success) === 1,
    counts: stored.counts,
    rowCount: stored.rowCount,
    results: stored.results,
    createdBy: row.created_by,
    createdAt: toIso(Number(row.created_at)),
  };
}
