/**
 * Turns a suite into SQL: every expectation contributes aggregates to one pass over the version
 * (counts of offending rows, nulls, min/max, means, distinct counts) and, when it checks rows, the
 * condition that selects its offending rows, used afterwards to fetch examples of failures only.
 * Schema checks are decided here; the others are in row-checks.ts and summary-checks.ts.
 */
import type { ColumnSchema, DatasetVersion } from '../entities.js';
import { type Check, fixed, type MeasuredShift } from './check.js';
import { betweenCheck, inSetCheck, notNullCheck, regexCheck, uniqueCheck } from './row-checks.js';
import type { Expectation } from './suite.js';
import { distributionCheck, meanCheck, rowCountCheck } from './summary-checks.js';

/** The aggregate counting every row. */
export const ROW_COUNT = 'count(*) AS n_rows';

export function compileChecks(
  expectations: readonly Expectation[],
  version: DatasetVersion,
  shifts: ReadonlyMap<number, MeasuredShift>,
): Check[] {
  const columns = new Map(version.columns.map((column) => [column.name, column]));
  return expectations.map((expectation, index) => compileCheck(index, expectation, columns, shifts));
}

function compileCheck(
  index: number,
  expectation: Expectation,
  columns: ReadonlyMap<string, ColumnSchema>,
  shifts: ReadonlyMap<number, MeasuredShift>,
): Check {
  if (expectation.type === 'row_count_between') return rowCountCheck(index, expectation);
  const column = columns.get(expectation.column);
  if (column === undefined) {
    const known = [...columns.keys()].join(', ');
    return fixed(index, expectation, {
      success: false,
      observed: { exists: false },
      message: `column '${expectation.column}' does not exist (columns: ${known})`,
    });
  }
  switch (expectation.type) {
    case 'column_exists':
      return fixed(index, expectation, { success: true, observed: { exists: true } });
    case 'column_type':
      return fixed(index, expectation, {
        success: column.type === expectation.logicalType,
        observed: { logicalType: column.type, physicalType: column.physicalType },
        ...(column.type === expectation.logicalType
          ? {}
          : { message: `column '${column.name}' is ${column.type}, expected ${expectation.logicalType}` }),
      });
    case 'not_null':
      return notNullCheck(index, expectation, column);
    case 'values_between':
      return betweenCheck(index, expectation, column);
    case 'values_in_set':
      return inSetCheck(index, expectation, column);
    case 'unique':
      return uniqueCheck(index, expectation, column);
    case 'values_match_regex':
      return regexCheck(index, expectation, column);
    case 'mean_between':
      return meanCheck(index, expectation, column);
    case 'distribution_close_to':
      return distributionCheck(index, expectation, shifts.get(index));
  }
}
