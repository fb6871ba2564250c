/**
 * Data quality of a live window against its reference, column by column: the share of missing
 * values, numbers outside the range the reference spans, and categories the reference never had.
 * A column has an issue when a rate rises past its limit; the reference's own rates are shown beside
 * the window's, so a column that was always half empty is not flagged for being half empty.
 */
import type { DriftColumn, DriftTable } from '../drift/index.js';

/** A rise of the missing share by this much (absolute) is an issue. */
export const NULL_RATE_RISE = 0.05;
/** This share of values outside the reference's range, or of unseen categories, is an issue. */
export const OUT_OF_RANGE_SHARE = 0.01;
export const UNSEEN_SHARE = 0.01;
const SHOWN_UNSEEN = 5;

export interface ColumnQuality {
  readonly column: string;
  readonly kind: DriftColumn['kind'];
  readonly reference: {
    readonly nullRate: number;
    readonly min?: number;
    readonly max?: number;
    readonly categories?: number;
  };
  readonly current: {
    readonly nullRate: number;
    /** Numeric: the share of present values below the reference's minimum or above its maximum. */
    readonly outOfRange?: number;
    /** Categorical: the share of present values the reference never had, and the commonest of them. */
    readonly unseen?: number;
    readonly unseenValues?: readonly { readonly value: string; readonly count: number }[];
  };
  /** What is wrong, in words; empty when nothing is. */
  readonly issues: readonly string[];
}

export interface DataQuality {
  readonly columns: readonly ColumnQuality[];
  /** Columns with at least one issue. */
  readonly columnsWithIssues: number;
}

export function dataQuality(reference: DriftTable, current: DriftTable): DataQuality {
  const columns: ColumnQuality[] = [];
  for (const [name, ref] of Object.entries(reference.columns)) {
    const cur = current.columns[name];
    if (cur === undefined || cur.kind !== ref.kind) continue;
    columns.push(
      ref.kind === 'numeric'
        ? numericQuality(name, ref.values, (cur as typeof ref).values)
        : categoricalQuality(name, ref.values, (cur as typeof ref).values),
    );
  }
  return { columns, columnsWithIssues: columns.filter((c) => c.issues.length > 0).length };
}

function numericQuality(name: string, ref: Float64Array, cur: Float64Array): ColumnQuality {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let refMissing = 0;
  for (const value of ref) {
    if (Number.isNaN(value)) refMissing++;
    else {
      if (value < min) min = value;
      if (value > max) max = value;
    }
  }
  let curMissing = 0;
  let outside = 0;
  for (const value of cur) {
    if (Number.isNaN(value)) curMissing++;
    else if (value < min || value > max) outside++;
  }
  const referenceNullRate = rate(refMissing, ref.length);
  const nullRate = rate(curMissing, cur.length);
  const present = cur.length - curMissing;
  const outOfRange = rate(outside, present);
  const issues = nullIssues(nullRate, referenceNullRate);
  if (present > 0 && outOfRange >= OUT_OF_RANGE_SHARE && min <= max) {
    issues.push(`${percent(outOfRange)} of values outside the reference's range [${min}, ${max}]`);
  }
  return {
    column: name,
    kind: 'numeric',
    reference: { nullRate: referenceNullRate, ...(min <= max ? { min, max } : {}) },
    current: { nullRate, outOfRange },
    issues,
  };
}

function categoricalQuality(
  name: string,
  ref: readonly (string | null)[],
  cur: readonly (string | null)[],
): ColumnQuality {
  const known = new Set<string>();
  let refMissing = 0;
  for (const value of ref) {
    if (value === null) refMissing++;
    else known.add(value);
  }
  let curMissing = 0;
  const unseen = new Map<string, number>();
  let unseenCount = 0;
  for (const value of cur) {
    if (value === null) curMissing++;
    else if (!known.has(value)) {
      unseenCount++;
      unseen.set(value, (unseen.get(value) ?? 0) + 1);
    }
  }
  const referenceNullRate = rate(refMissing, ref.length);
  const nullRate = rate(curMissing, cur.length);
  const unseenShare = rate(unseenCount, cur.length - curMissing);
  const unseenValues = [...unseen]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, SHOWN_UNSEEN)
    .map(([value, count]) => ({ value, count }));
  const issues = nullIssues(nullRate, referenceNullRate);
  if (unseenShare >= UNSEEN_SHARE) {
    issues.push(
      `${percent(unseenShare)} of values are categories the reference never had (${unseenValues.map((u) => `'${u.value}'`).join(', ')})`,
    );
  }
  return {
    column: name,
    kind: 'categorical',
    reference: { nullRate: referenceNullRate, categories: known.size },
    current: { nullRate, unseen: unseenShare, unseenValues },
    issues,
  };
}

function nullIssues(nullRate: number, referenceNullRate: number): string[] {
  return nullRate - referenceNullRate >= NULL_RATE_RISE
    ? [`missing in ${percent(nullRate)} of rows (reference ${percent(referenceNullRate)})`]
    : [];
}

function rate(count: number, total: number): number {
  return total === 0 ? 0 : count / total;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
