/**
 * An ad hoc drift comparison of two loaded tables: the request both the REST route and the CLI's
 * local mode take, the report they both answer (the drift report plus what was compared), and the
 * column bookkeeping between the readers and compareTables. Pure: the tables are already read.
 */
import { InvalidError } from '../core/errors.js';
import { compareTables } from './drift/dataset-drift.js';
import type {
  ColumnOverride,
  CompareOptions,
  Correction,
  DatasetDriftReport,
  RequestedTestName,
} from './drift/report-types.js';
import type { IgnoredColumn, LoadedTable } from './tables/parquet-table.js';

/** Options of a comparison (everything but where the two tables come from). */
export interface DriftCompareOptions {
  readonly columns?: readonly string[];
  readonly tests?: readonly RequestedTestName[];
  readonly overrides?: Readonly<Record<string, ColumnOverride>>;
  readonly driftShare?: number;
  readonly bins?: number;
  readonly correction?: Correction;
}

export interface DriftCompareRequest extends DriftCompareOptions {
  /** `dataset@v` (or `dataset@latest`, or a bare name for the latest version). */
  readonly reference: string;
  readonly current: string;
}

/** The answer of `POST /api/v1/drift/compare` and of `slipway drift compare --json`. */
export interface DriftComparison extends DatasetDriftReport {
  /** What was compared: the resolved `dataset@v`, or the file path in the CLI's local mode. */
  readonly reference: string;
  readonly current: string;
  /** Rows of each table. */
  readonly rows: { readonly reference: number; readonly current: number };
  /** Columns left out before testing because of their type (dates, timestamps, lists …). */
  readonly ignored: readonly IgnoredColumn[];
}

export interface NamedTable {
  readonly name: string;
  readonly loaded: LoadedTable;
}

const NOT_A_COLUMN = 'not a column of this table';

/**
 * Compares two tables read with `{ columns: options.columns }`. A requested column in neither table
 * is refused (InvalidError naming `columns`); one left out by a reader for its type is listed in
 * `ignored`; one in only one table is `skipped` by compareTables.
 */
export function compareLoaded(
  reference: NamedTable,
  current: NamedTable,
  options: DriftCompareOptions,
): DriftComparison {
  const ref = reference.loaded;
  const cur = current.loaded;
  const ignored = mergeIgnored(ref.ignored, cur.ignored);
  let columns: string[] | undefined;
  if (options.columns !== undefined) {
    const absent = (t: LoadedTable, c: string) =>
      t.ignored.some((i) => i.column === c && i.reason === NOT_A_COLUMN);
    const unknown = options.columns.filter((c) => absent(ref, c) && absent(cur, c));
    if (unknown.length > 0) {
      throw new InvalidError(
        `columns: unknown column ${unknown.join(', ')} (in neither ${reference.name} nor ${current.name})`,
        { field: 'columns', value: unknown },
      );
    }
    const readable = (c: string) =>
      Object.hasOwn(ref.table.columns, c) || Object.hasOwn(cur.table.columns, c);
    columns = [...new Set(options.columns)].filter(readable);
    if (columns.length === 0) {
      throw new InvalidError(
        `columns: none of the requested columns can be compared (${ignored.map((i) => `${i.column}: ${i.reason}`).join('; ')})`,
        { field: 'columns', value: options.columns },
      );
    }
  }
  const compare: CompareOptions = {
    ...(columns === undefined ? {} : { columns }),
    ...(options.tests === undefined ? {} : { tests: options.tests }),
    ...(options.overrides === undefined ? {} : { overrides: options.overrides }),
    ...(options.driftShare === undefined ? {} : { driftShare: options.driftShare }),
    ...(options.bins === undefined ? {} : { bins: options.bins }),
    ...(options.correction === undefined ? {} : { correction: options.correction }),
  };
  const report = compareTables(ref.table, cur.table, compare);
  return {
    reference: reference.name,
    current: current.name,
    rows: { reference: ref.rows, current: cur.rows },
    ...report,
    ignored,
  };
}

/** Both sides' ignored columns, once each; "not a column" entries are compareTables' business. */
function mergeIgnored(
  reference: readonly IgnoredColumn[],
  current: readonly IgnoredColumn[],
): IgnoredColumn[] {
  const out: IgnoredColumn[] = [];
  const typed = (list: readonly IgnoredColumn[]) => list.filter((i) => i.reason !== NOT_A_COLUMN);
  const ref = typed(reference);
  const cur = typed(current);
  for (const r of ref) {
    const same = cur.some((c) => c.column === r.column && c.reason === r.reason);
    out.push(same ? r : { column: r.column, reason: `${r.reason} in the reference table` });
  }
  for (const c of cur) {
    if (!ref.some((r) => r.column === c.column && r.reason === c.reason)) {
      out.push({ column: c.column, reason: `${c.reason} in the current table` });
    }
  }
  return out;
}
