/**
 * What an expectation compiles to: a Check contributing aggregates to the suite's one pass over the
 * version and deciding its outcome from that pass's row. Also the shared pieces of outcomes: checks
 * decided without a query, and the wording of ranges and numbers in messages.
 */
import type { JsonValue } from './report.js';
import type { Expectation } from './suite.js';

export type Row = Readonly<Record<string, unknown>>;

export interface Outcome {
  readonly success: boolean;
  readonly observed: Readonly<Record<string, JsonValue>>;
  readonly offendingCount?: number;
  readonly message?: string;
}

export interface Check {
  readonly index: number;
  readonly expectation: Expectation;
  /** Select items of the one aggregate pass (aliases prefixed `e<index>_`). */
  readonly aggregates: readonly string[];
  /** Decides the outcome from the aggregate pass's row (which also holds `n_rows`). */
  evaluate(row: Row): Outcome;
  /** SQL condition selecting the offending rows (row-level expectations). */
  readonly offending?: string;
  /** unique: the offending count is counted with the examples, only when the check failed. */
  readonly countsOffendingLater?: boolean;
}

/** The measured shift of a distribution expectation (computed before the aggregate pass). */
export interface MeasuredShift {
  readonly psi: number;
  readonly bins: number;
  /** The reference resolved, e.g. 'orders@3'. */
  readonly reference: string;
  /** Set when the shift could not be measured (the reference lacks the column). */
  readonly problem?: string;
}

export function fixed(index: number, expectation: Expectation, outcome: Outcome): Check {
  return { index, expectation, aggregates: [], evaluate: () => outcome };
}

export function mismatch(index: number, expectation: Expectation, message: string): Check {
  return fixed(index, expectation, { success: false, observed: {}, message });
}

export function inRange(value: number, min: number | undefined, max: number | undefined): boolean {
  return (min === undefined || value >= min) && (max === undefined || value <= max);
}

export function rangeText(bounds: { min?: number | string; max?: number | string }): string {
  if (bounds.min !== undefined && bounds.max !== undefined) return `[${bounds.min}, ${bounds.max}]`;
  return bounds.min !== undefined ? `>= ${bounds.min}` : `<= ${bounds.max}`;
}

export function round(value: number): number {
  return Number(value.toPrecision(4));
}
