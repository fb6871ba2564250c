/**
 * One column of a drift comparison: drop and count missing values, derive the categories and the
 * shared histogram once, and run any of the drift tests on them. Decisions across columns (multiple
 * testing, dataset verdict) are made in dataset-drift.ts.
 */
import { InvalidError } from '../../core/errors.js';
import { chi2TwoSample } from '../stats/chi-squared.js';
import { histogramSorted, jensenShannon } from '../stats/jensen-shannon.js';
import { ks2sampSorted } from '../stats/ks.js';
import { twoProportionZTest } from '../stats/proportions.js';
import { psiSorted } from '../stats/psi.js';
import { sortFloat64 } from '../stats/radix-sort.js';
import { normalisedWassersteinSorted } from '../stats/wasserstein.js';
import { type ColumnShape, MAX_DISCRETE_VALUES } from './default-tests.js';
import {
  type ColumnKind,
  type DriftColumn,
  type DriftHistogram,
  type DriftTestName,
  OTHER_BUCKET,
} from './report-types.js';

/** Categories shown in a categorical histogram before the rest are gathered into {@link OTHER_BUCKET}. */
export const MAX_HISTOGRAM_CATEGORIES = 20;

/** PSI's floor on a proportion before the logarithm, the same as stats/psi.ts. */
const PSI_EPSILON = 1e-4;

/** Counts per category, in one fixed category order shared by both sides. */
interface CategoryCounts {
  readonly labels: readonly string[];
  readonly reference: readonly number[];
  readonly current: readonly number[];
}

/** A column ready for testing: missing values removed, counts and bins derived once. */
export interface PreparedColumn {
  readonly column: string;
  readonly kind: ColumnKind;
  readonly shape: ColumnShape;
  readonly referenceRows: number;
  readonly currentRows: number;
  readonly nullShare: { readonly reference: number; readonly current: number };
  /** Numeric columns: the non-missing values, sorted ascending. */
  readonly numeric?: { readonly reference: Float64Array; readonly current: Float64Array };
  /** Discrete columns: counts per category (numeric values labelled by String(value)). */
  readonly categories?: CategoryCounts;
  readonly histogram: DriftHistogram;
}

/** The raw result of one test, before thresholds and corrections. */
export interface RawOutcome {
  readonly test: DriftTestName;
  readonly statistic: number;
  readonly pvalue?: number;
  readonly distance?: number;
}

/** A prepared column, or why it cannot be compared. */
export type Preparation =
  | { readonly ok: true; readonly column: PreparedColumn }
  | { readonly ok: false; readonly reason: string };

export function prepareColumn(
  column: string,
  reference: DriftColumn,
  current: DriftColumn,
  bins: number,
): Preparation {
  if (reference.kind !== current.kind) {
    return {
      ok: false,
      reason: `kind differs: ${reference.kind} in the reference, ${current.kind} in the current table`,
    };
  }
  if (reference.kind === 'numeric' && current.kind === 'numeric') {
    const ref = sortFloat64(presentNumbers(reference.values, `reference.columns.${column}`));
    const cur = sortFloat64(presentNumbers(current.values, `current.columns.${column}`));
    const empty = emptyReason(ref.length, cur.length);
    if (empty) return { ok: false, reason: empty };
    // Each side is sorted once here; the histogram and every test below read the sorted arrays.
    const discrete = distinctAtMost(ref, MAX_DISCRETE_VALUES);
    const categories = discrete ? numericCategories(ref, cur) : undefined;
    const h = histogramSorted(ref, cur, bins);
    return {
      ok: true,
      column: {
        column,
        kind: 'numeric',
        shape: {
          kind: 'numeric',
          discrete,
          referenceCount: ref.length,
          ...(categories ? { categoryCount: categories.labels.length } : {}),
        },
        referenceRows: reference.values.length,
        currentRows: current.values.length,
        nullShare: nullShare(reference.values.length, ref.length, current.values.length, cur.length),
        numeric: { reference: ref, current: cur },
        ...(categories ? { categories } : {}),
        histogram: { edges: h.edges, reference: h.reference, current: h.current },
      },
    };
  }
  if (reference.kind === 'categorical' && current.kind === 'categorical') {
    const counts = categoricalCounts(reference.values, current.values);
    const refN = sum(counts.reference);
    const curN = sum(counts.current);
    const empty = emptyReason(refN, curN);
    if (empty) return { ok: false, reason: empty };
    return {
      ok: true,
      column: {
        column,
        kind: 'categorical',
        shape: {
          kind: 'categorical',
          discrete: true,
          referenceCount: refN,
          categoryCount: counts.labels.length,
        },
        referenceRows: reference.values.length,
        currentRows: current.values.length,
        nullShare: nullShare(reference.values.length, refN, current.values.length, curN),
        categories: counts,
        histogram: topCategories(counts),
      },
    };
  }
  return { ok: false, reason: 'unknown column kind' };
}

/** Runs `test` on a prepared column; the caller has checked that the test applies. */
export function runTest(col: PreparedColumn, test: DriftTestName): RawOutcome {
  const num = col.numeric;
  switch (test) {
    case 'ks': {
      const r = ks2sampSorted(num!.reference, num!.current);
      return { test, statistic: r.statistic, pvalue: r.pvalue };
    }
    case 'wasserstein': {
      const d = normalisedWassersteinSorted(num!.reference, num!.current);
      return { test, statistic: d, distance: d };
    }
    case 'psi': {
      const d = num ? psiSorted(num.reference, num.current).psi : categoricalPsi(col.categories!);
      return { test, statistic: d, distance: d };
    }
    case 'js': {
      const [ref, cur] = discreteCounts(col);
      const d = jensenShannon(ref, cur);
      return { test, statistic: d, distance: d };
    }
    case 'chi2': {
      const [ref, cur] = discreteCounts(col);
      const r = chi2TwoSample(ref, cur);
      return { test, statistic: r.statistic, pvalue: r.pvalue };
    }
    case 'ztest': {
      // "Success" is the first category in label order; the two-sided test does not depend on which.
      const c = col.categories!;
      const r = twoProportionZTest(c.reference[0]!, sum(c.reference), c.current[0]!, sum(c.current));
      return { test, statistic: r.statistic, pvalue: r.pvalue };
    }
  }
}

/** Category counts for discrete columns, the shared histogram's counts for continuous ones. */
function discreteCounts(col: PreparedColumn): [readonly number[], readonly number[]] {
  if (col.categories) return [col.categories.reference, col.categories.current];
  return [col.histogram.reference, col.histogram.current];
}

/** PSI over categories, with the same proportion floor and sum as the numeric PSI. */
function categoricalPsi(c: CategoryCounts): number {
  const rn = sum(c.reference);
  const cn = sum(c.current);
  let total = 0;
  for (let k = 0; k < c.labels.length; k++) {
    const r = Math.max(c.reference[k]! / rn, PSI_EPSILON);
    const q = Math.max(c.current[k]! / cn, PSI_EPSILON);
    total += (q - r) * Math.log(q / r);
  }
  return total;
}

/**
 * The non-NaN values of a numeric column: the column itself when nothing is missing (callers only
 * read it), else a copy without the NaNs; ±Infinity is rejected, naming the field.
 */
function presentNumbers(values: Float64Array, field: string): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    if (!Number.isFinite(v)) {
      throw new InvalidError(`${field}[${i}] is ${v}; numeric values must be finite (NaN = missing)`, {
        field,
        index: i,
      });
    }
    n++;
  }
  if (n === values.length) return values;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) out[j++] = values[i]!;
  return out;
}

function emptyReason(refN: number, curN: number): string | undefined {
  if (refN === 0) return 'no non-missing values in the reference';
  if (curN === 0) return 'no non-missing values in the current table';
  return undefined;
}

function nullShare(refRows: number, refPresent: number, curRows: number, curPresent: number) {
  return { reference: (refRows - refPresent) / refRows, current: (curRows - curPresent) / curRows };
}

/** Whether the ascending `sorted` has at most `limit` distinct values. */
function distinctAtMost(sorted: Float64Array, limit: number): boolean {
  let distinct = 1;
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] !== sorted[i - 1] && ++distinct > limit) return false;
  }
  return true;
}

/** Counts of each distinct value over both sorted samples, in ascending value order. */
function numericCategories(ref: Float64Array, cur: Float64Array): CategoryCounts {
  const index = new Map<number, number>();
  const values: number[] = [];
  for (const x of [ref, cur]) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]! === 0 ? 0 : x[i]!; // -0 and +0 are one category
      if (!index.has(v)) {
        index.set(v, values.length);
        values.push(v);
      }
    }
  }
  values.sort((a, b) => a - b);
  for (let k = 0; k < values.length; k++) index.set(values[k]!, k);
  const count = (x: Float64Array): number[] => {
    const out = new Array<number>(values.length).fill(0);
    for (let i = 0; i < x.length; i++) out[index.get(x[i]! === 0 ? 0 : x[i]!)!]!++;
    return out;
  };
  return { labels: values.map(String), reference: count(ref), current: count(cur) };
}

/** Counts per non-null category over both sides, categories in first-seen order. */
function categoricalCounts(ref: readonly (string | null)[], cur: readonly (string | null)[]): CategoryCounts {
  const index = new Map<string, number>();
  const labels: string[] = [];
  const counts: [number[], number[]] = [[], []];
  [ref, cur].forEach((values, side) => {
    for (const v of values) {
      if (v === null || v === undefined) continue;
      let k = index.get(v);
      if (k === undefined) {
        k = labels.length;
        index.set(v, k);
        labels.push(v);
        counts[0].push(0);
        counts[1].push(0);
      }
      counts[side]![k]!++;
    }
  });
  return { labels, reference: counts[0], current: counts[1] };
}

/**
 * The report's categorical histogram: categories by decreasing reference count (then current count,
 * then label), the top {@link MAX_HISTOGRAM_CATEGORIES} kept and the rest summed into OTHER_BUCKET.
 */
function topCategories(c: CategoryCounts): DriftHistogram {
  const order = c.labels.map((_, k) => k);
  order.sort(
    (a, b) =>
      c.reference[b]! - c.reference[a]! ||
      c.current[b]! - c.current[a]! ||
      (c.labels[a]! < c.labels[b]! ? -1 : c.labels[a]! > c.labels[b]! ? 1 : 0),
  );
  const kept = order.slice(0, MAX_HISTOGRAM_CATEGORIES);
  const categories = kept.map((k) => c.labels[k]!);
  const reference = kept.map((k) => c.reference[k]!);
  const current = kept.map((k) => c.current[k]!);
  if (order.length > MAX_HISTOGRAM_CATEGORIES) {
    const rest = order.slice(MAX_HISTOGRAM_CATEGORIES);
    categories.push(OTHER_BUCKET);
    reference.push(sum(rest.map((k) => c.reference[k]!)));
    current.push(sum(rest.map((k) => c.current[k]!)));
  }
  return { categories, reference, current };
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
