/**
 * compareTables: the drift report of two in-memory tables (pure, no I/O). Validates the options,
 * runs each column's tests, applies the multiple-testing correction across columns, and gives the
 * dataset verdict.
 */
import { InvalidError } from '../../core/errors.js';
import { benjaminiHochberg, bonferroni } from '../stats/corrections.js';
import { type PreparedColumn, prepareColumn, type RawOutcome, runTest } from './column-drift.js';
import {
  checkThreshold,
  DEFAULT_THRESHOLDS,
  defaultTest,
  inapplicableReason,
  PVALUE_TESTS,
} from './default-tests.js';
import { type MultivariateInput, multivariateDrift } from './multivariate-drift.js';
import {
  type ColumnDriftResult,
  type CompareOptions,
  type Correction,
  type DatasetDriftReport,
  DRIFT_TESTS,
  type DriftTable,
  type DriftTestName,
  MULTIVARIATE_DRIFT_TESTS,
  type RequestedTestName,
  type SkippedColumn,
  type TestOutcome,
} from './report-types.js';

const CORRECTIONS: readonly Correction[] = ['none', 'bonferroni', 'bh'];
const MAX_BINS = 10_000;

interface Planned {
  readonly column: PreparedColumn;
  readonly tests: readonly { readonly test: DriftTestName; readonly threshold: number }[];
}

/**
 * Compares `current` with `reference` column by column and decides dataset drift.
 *
 * Per column: missing values (NaN, null) are dropped and their share reported; a column missing from
 * one table, of a different kind on each side, or with no non-missing values on a side is listed in
 * `skipped` with the reason. The tests are, in order of precedence: the column's override, else every
 * test in `options.tests` that applies to it (a column where none applies is skipped), else the
 * default ({@link defaultTest}). A column drifts when any of its tests does. With a correction, the
 * p-values of every p-value test in the report are adjusted together and compared with each test's
 * threshold. When `tests` includes `mmd`, the multivariate MMD test runs over every numeric column
 * compared (see multivariate-drift.ts) and its drift alone also makes `datasetDrift` true; `mmd` is
 * not a per-column test, so an override naming it is refused. Throws InvalidError naming the option
 * at fault.
 */
export function compareTables(
  reference: DriftTable,
  current: DriftTable,
  options: CompareOptions = {},
): DatasetDriftReport {
  checkTable(reference, 'reference');
  checkTable(current, 'current');
  const driftShare = options.driftShare ?? 0.5;
  if (typeof driftShare !== 'number' || !(driftShare > 0 && driftShare <= 1)) {
    throw new InvalidError(`driftShare must be in (0, 1], got ${driftShare}`, {
      field: 'driftShare',
      value: driftShare,
    });
  }
  const bins = options.bins ?? 10;
  if (!Number.isInteger(bins) || bins < 1 || bins > MAX_BINS) {
    throw new InvalidError(`bins must be an integer from 1 to ${MAX_BINS}, got ${bins}`, {
      field: 'bins',
      value: bins,
    });
  }
  const correction = options.correction ?? 'none';
  if (!CORRECTIONS.includes(correction)) {
    throw new InvalidError(`correction must be one of ${CORRECTIONS.join(', ')}, got ${correction}`, {
      field: 'correction',
      value: correction,
    });
  }
  const requested = checkTests(options.tests);
  const withMmd = requested?.includes('mmd') ?? false;
  const tests = requested?.filter((t): t is DriftTestName => t !== 'mmd');
  const names = columnNames(reference, current, options.columns);
  const overrides = options.overrides ?? {};
  for (const [name, override] of Object.entries(overrides)) {
    if (!names.includes(name)) {
      throw new InvalidError(`overrides.${name}: no such column among those compared`, {
        field: `overrides.${name}`,
      });
    }
    if (override && (MULTIVARIATE_DRIFT_TESTS as readonly string[]).includes(override.test)) {
      throw new InvalidError(
        `overrides.${name}.test: ${override.test} is a multivariate test over all numeric columns together, not a per-column test; request it in tests`,
        { field: `overrides.${name}.test`, value: override.test },
      );
    }
    if (!override || !(DRIFT_TESTS as readonly string[]).includes(override.test)) {
      throw new InvalidError(`overrides.${name}.test must be one of ${DRIFT_TESTS.join(', ')}`, {
        field: `overrides.${name}.test`,
        value: override?.test,
      });
    }
    if (override.threshold !== undefined) {
      checkThreshold(override.test, override.threshold, `overrides.${name}.threshold`);
    }
  }

  const skipped: SkippedColumn[] = [];
  const planned: Planned[] = [];
  const multivariate: MultivariateInput[] = [];
  for (const name of names) {
    const ref = reference.columns[name];
    const cur = current.columns[name];
    if (!ref || !cur) {
      skipped.push({ column: name, reason: `only in the ${ref ? 'reference' : 'current'} table` });
      continue;
    }
    const prep = prepareColumn(name, ref, cur, bins);
    if (!prep.ok) {
      skipped.push({ column: name, reason: prep.reason });
      continue;
    }
    const col = prep.column;
    if (withMmd && ref.kind === 'numeric' && cur.kind === 'numeric') {
      multivariate.push({ column: name, reference: ref, current: cur });
    }
    const override = overrides[name];
    if (override) {
      const why = inapplicableReason(override.test, col.shape);
      if (why) {
        throw new InvalidError(`overrides.${name}.test: ${why}`, {
          field: `overrides.${name}.test`,
          value: override.test,
        });
      }
      const threshold = override.threshold ?? DEFAULT_THRESHOLDS[override.test];
      planned.push({ column: col, tests: [{ test: override.test, threshold }] });
      continue;
    }
    // `tests: ['mmd']` alone: numeric columns go to MMD only, the others are skipped below.
    if (tests?.length === 0 && col.kind === 'numeric') continue;
    const chosen = tests
      ? tests.filter((t) => inapplicableReason(t, col.shape) === undefined)
      : [defaultTest(col.shape)];
    if (chosen.length === 0) {
      skipped.push({
        column: name,
        reason:
          tests?.length === 0
            ? `mmd uses numeric columns only; this is a ${col.kind} column`
            : `none of the requested tests applies to this ${col.kind} column`,
      });
      continue;
    }
    planned.push({
      column: col,
      tests: chosen.map((test) => ({ test, threshold: DEFAULT_THRESHOLDS[test] })),
    });
  }

  const raw = planned.map((p) => p.tests.map((t) => runTest(p.column, t.test)));
  const adjusted = adjustPvalues(raw, correction);
  const columns = planned.map((p, i) =>
    columnResult(
      p.column,
      p.tests.map((t, j) => decide(raw[i]![j]!, t.threshold, adjusted[i]![j])),
    ),
  );
  columns.sort(
    (a, b) =>
      Number(b.drifted) - Number(a.drifted) ||
      b.strength - a.strength ||
      (a.column < b.column ? -1 : a.column > b.column ? 1 : 0),
  );
  const driftedColumns = columns.filter((c) => c.drifted).length;
  const share = columns.length === 0 ? 0 : driftedColumns / columns.length;
  const mmd = withMmd ? multivariateDrift(multivariate, options.mmd) : undefined;
  return {
    columns,
    driftedColumns,
    totalColumns: columns.length,
    share,
    driftShare,
    datasetDrift: (columns.length > 0 && share >= driftShare) || mmd?.drifted === true,
    correction,
    skipped,
    ...(mmd === undefined ? {} : { multivariate: mmd }),
  };
}

function checkTable(table: DriftTable, field: string): void {
  if (!table || typeof table !== 'object' || !table.columns || typeof table.columns !== 'object') {
    throw new InvalidError(`${field} must be a table with a columns object`, { field });
  }
  for (const [name, col] of Object.entries(table.columns)) {
    const at = `${field}.columns.${name}`;
    const ok =
      (col?.kind === 'numeric' && col.values instanceof Float64Array) ||
      (col?.kind === 'categorical' && Array.isArray(col.values));
    if (!ok) {
      throw new InvalidError(`${at} must be numeric (Float64Array) or categorical ((string | null)[])`, {
        field: at,
      });
    }
  }
}

function checkTests(
  tests: readonly RequestedTestName[] | undefined,
): readonly RequestedTestName[] | undefined {
  if (tests === undefined) return undefined;
  if (!Array.isArray(tests) || tests.length === 0) {
    throw new InvalidError('tests must be a non-empty list of test names', { field: 'tests' });
  }
  for (const t of tests) {
    if (!(DRIFT_TESTS as readonly string[]).includes(t)) {
      throw new InvalidError(`tests: unknown test ${String(t)}; expected one of ${DRIFT_TESTS.join(', ')}`, {
        field: 'tests',
        value: t,
      });
    }
  }
  return [...new Set(tests)];
}

/** The requested columns (each must exist in at least one table), else those both tables have. */
function columnNames(reference: DriftTable, current: DriftTable, requested?: readonly string[]): string[] {
  if (requested === undefined) {
    const names = Object.keys(reference.columns);
    for (const name of Object.keys(current.columns)) if (!names.includes(name)) names.push(name);
    return names;
  }
  if (!Array.isArray(requested) || requested.length === 0) {
    throw new InvalidError('columns must be a non-empty list of column names', { field: 'columns' });
  }
  for (const name of requested) {
    if (!Object.hasOwn(reference.columns, name) && !Object.hasOwn(current.columns, name)) {
      throw new InvalidError(`columns: unknown column ${name} (in neither table)`, {
        field: 'columns',
        value: name,
      });
    }
  }
  return [...new Set(requested)];
}

/** Adjusted p-values aligned with `raw` (undefined for distance tests or without a correction). */
function adjustPvalues(
  raw: readonly (readonly RawOutcome[])[],
  correction: Correction,
): (number | undefined)[][] {
  const out = raw.map((tests) => tests.map((): number | undefined => undefined));
  if (correction === 'none') return out;
  const at: [number, number][] = [];
  const ps: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    for (let j = 0; j < raw[i]!.length; j++) {
      const p = raw[i]![j]!.pvalue;
      if (p === undefined) continue;
      at.push([i, j]);
      ps.push(p);
    }
  }
  const adj = correction === 'bonferroni' ? bonferroni(ps) : benjaminiHochberg(ps);
  at.forEach(([i, j], k) => {
    out[i]![j] = adj[k]!;
  });
  return out;
}

function decide(r: RawOutcome, threshold: number, adjusted: number | undefined): TestOutcome {
  if (PVALUE_TESTS.has(r.test)) {
    const p = adjusted ?? r.pvalue!;
    return {
      ...r,
      ...(adjusted !== undefined ? { adjustedPvalue: adjusted } : {}),
      threshold,
      drifted: p < threshold,
      strength: p === 0 ? Number.POSITIVE_INFINITY : Math.log(p) / Math.log(threshold),
    };
  }
  const d = r.distance!;
  return { ...r, threshold, drifted: d >= threshold, strength: d / threshold };
}

function columnResult(col: PreparedColumn, tests: readonly TestOutcome[]): ColumnDriftResult {
  const headline = tests.find((t) => t.drifted) ?? tests[0]!;
  return {
    column: col.column,
    kind: col.kind,
    ...headline,
    drifted: tests.some((t) => t.drifted),
    strength: Math.max(...tests.map((t) => t.strength)),
    tests,
    referenceRows: col.referenceRows,
    currentRows: col.currentRows,
    nullShare: col.nullShare,
    histogram: col.histogram,
  };
}
