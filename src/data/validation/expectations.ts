/**
 * Turns a suite into SQL: every expectation contributes aggregates to one pass over the version
 * (counts of offending rows, nulls, min/max, means, distinct counts) and, when it checks rows, the
 * condition that selects its offending rows, used afterwards to fetch examples of failures only.
 * Nulls offend only not_null: the other row-level checks look at non-null values.
 */
import { doubleLiteral, isNumericType, quoteIdent, quoteString } from '../diff-sql.js';
import type { ColumnSchema, DatasetVersion } from '../entities.js';
import { toJsonValue } from '../json-values.js';
import type { JsonValue } from './report.js';
import type { Expectation, ExpectationOf } from './suite.js';

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

function fixed(index: number, expectation: Expectation, outcome: Outcome): Check {
  return { index, expectation, aggregates: [], evaluate: () => outcome };
}

function rowCountCheck(index: number, expectation: ExpectationOf<'row_count_between'>): Check {
  return {
    index,
    expectation,
    aggregates: [],
    evaluate(row) {
      const rowCount = Number(row.n_rows ?? 0);
      const success = inRange(rowCount, expectation.min, expectation.max);
      return {
        success,
        observed: { rowCount },
        ...(success ? {} : { message: `${rowCount} rows, expected ${rangeText(expectation)}` }),
      };
    },
  };
}

function notNullCheck(index: number, expectation: ExpectationOf<'not_null'>, column: ColumnSchema): Check {
  const ident = quoteIdent(column.name);
  return {
    index,
    expectation,
    aggregates: [`count(*) FILTER (WHERE ${ident} IS NULL) AS e${index}_nulls`],
    offending: `${ident} IS NULL`,
    evaluate(row) {
      const rows = Number(row.n_rows ?? 0);
      const nullCount = Number(row[`e${index}_nulls`] ?? 0);
      const nullFraction = rows === 0 ? 0 : nullCount / rows;
      const success = nullFraction <= expectation.maxNullFraction;
      return {
        success,
        observed: { nullCount, nullFraction },
        offendingCount: nullCount,
        ...(success
          ? {}
          : {
              message: `${nullCount} of ${rows} rows are null (fraction ${round(nullFraction)}, at most ${expectation.maxNullFraction} allowed)`,
            }),
      };
    },
  };
}

function betweenCheck(
  index: number,
  expectation: ExpectationOf<'values_between'>,
  column: ColumnSchema,
): Check {
  const ident = quoteIdent(column.name);
  const bounds = [expectation.min, expectation.max].filter((bound) => bound !== undefined);
  let literal: ((bound: number | string) => string) | undefined;
  let value = ident;
  if (isNumericType(column.type) && bounds.every((bound) => typeof bound === 'number')) {
    literal = (bound) => doubleLiteral(bound as number);
  } else if (column.type === 'timestamp' && bounds.every((bound) => typeof bound === 'string')) {
    const bad = bounds.find((bound) => Number.isNaN(Date.parse(bound as string)));
    if (bad !== undefined) {
      return mismatch(index, expectation, `bound '${String(bad)}' is not an ISO 8601 time`);
    }
    value = `epoch(${ident})`;
    literal = (bound) => doubleLiteral(Date.parse(bound as string) / 1000);
  } else if (column.type === 'string' && bounds.every((bound) => typeof bound === 'string')) {
    literal = (bound) => quoteString(bound as string);
  }
  if (literal === undefined) {
    return mismatch(
      index,
      expectation,
      `column '${column.name}' is ${column.type}: values_between takes numbers for integer and float columns and strings for timestamp (ISO 8601) and string columns`,
    );
  }
  const outside = [
    ...(expectation.min === undefined ? [] : [`${value} < ${literal(expectation.min)}`]),
    ...(expectation.max === undefined ? [] : [`${value} > ${literal(expectation.max)}`]),
  ].join(' OR ');
  return {
    index,
    expectation,
    aggregates: [
      `count(*) FILTER (WHERE ${outside}) AS e${index}_bad`,
      `min(${ident}) AS e${index}_min`,
      `max(${ident}) AS e${index}_max`,
    ],
    offending: `(${outside})`,
    evaluate(row) {
      const bad = Number(row[`e${index}_bad`] ?? 0);
      const success = bad === 0;
      return {
        success,
        observed: { min: toJsonValue(row[`e${index}_min`]), max: toJsonValue(row[`e${index}_max`]) },
        offendingCount: bad,
        ...(success ? {} : { message: `${bad} values outside ${rangeText(expectation)}` }),
      };
    },
  };
}

function inSetCheck(index: number, expectation: ExpectationOf<'values_in_set'>, column: ColumnSchema): Check {
  const ident = quoteIdent(column.name);
  let member: string;
  if (isNumericType(column.type)) {
    const numbers = expectation.values.filter((value): value is number => typeof value === 'number');
    member =
      numbers.length === 0
        ? 'false'
        : `CAST(${ident} AS DOUBLE) IN (${numbers.map(doubleLiteral).join(', ')})`;
  } else {
    const texts = [...new Set(expectation.values.map(String))];
    member = `CAST(${ident} AS VARCHAR) IN (${texts.map(quoteString).join(', ')})`;
  }
  const outside = `${ident} IS NOT NULL AND NOT (${member})`;
  return {
    index,
    expectation,
    aggregates: [`count(*) FILTER (WHERE ${outside}) AS e${index}_bad`],
    offending: `(${outside})`,
    evaluate(row) {
      const bad = Number(row[`e${index}_bad`] ?? 0);
      const rows = Number(row.n_rows ?? 0);
      return {
        success: bad === 0,
        observed: { unexpectedCount: bad, unexpectedFraction: rows === 0 ? 0 : bad / rows },
        offendingCount: bad,
        ...(bad === 0 ? {} : { message: `${bad} values are not in the allowed set` }),
      };
    },
  };
}

function uniqueCheck(index: number, expectation: ExpectationOf<'unique'>, column: ColumnSchema): Check {
  const ident = quoteIdent(column.name);
  return {
    index,
    expectation,
    aggregates: [`count(${ident}) AS e${index}_n`, `count(DISTINCT ${ident}) AS e${index}_distinct`],
    // Rows whose value appears more than once; `{source}` is replaced by the version's table.
    offending: `${ident} IN (SELECT ${ident} FROM {source} WHERE ${ident} IS NOT NULL GROUP BY ALL HAVING count(*) > 1)`,
    countsOffendingLater: true,
    evaluate(row) {
      const nonNull = Number(row[`e${index}_n`] ?? 0);
      const distinct = Number(row[`e${index}_distinct`] ?? 0);
      const success = nonNull === distinct;
      return {
        success,
        observed: { nonNull, distinct, duplicates: nonNull - distinct },
        ...(success ? { offendingCount: 0 } : {}),
        ...(success
          ? {}
          : {
              message: `${nonNull - distinct} values repeat an earlier one (${distinct} distinct of ${nonNull})`,
            }),
      };
    },
  };
}

function regexCheck(
  index: number,
  expectation: ExpectationOf<'values_match_regex'>,
  column: ColumnSchema,
): Check {
  const ident = quoteIdent(column.name);
  const outside = `${ident} IS NOT NULL AND NOT regexp_full_match(CAST(${ident} AS VARCHAR), ${quoteString(expectation.pattern)})`;
  return {
    index,
    expectation,
    aggregates: [`count(${ident}) AS e${index}_n`, `count(*) FILTER (WHERE ${outside}) AS e${index}_bad`],
    offending: `(${outside})`,
    evaluate(row) {
      const nonNull = Number(row[`e${index}_n`] ?? 0);
      const bad = Number(row[`e${index}_bad`] ?? 0);
      return {
        success: bad === 0,
        observed: { nonMatching: bad, matchFraction: nonNull === 0 ? 1 : (nonNull - bad) / nonNull },
        offendingCount: bad,
        ...(bad === 0 ? {} : { message: `${bad} values do not match /${expectation.pattern}/` }),
      };
    },
  };
}

function meanCheck(index: number, expectation: ExpectationOf<'mean_between'>, column: ColumnSchema): Check {
  if (!isNumericType(column.type)) {
    return mismatch(
      index,
      expectation,
      `column '${column.name}' is ${column.type}; mean_between needs an integer or float column`,
    );
  }
  const x = `CAST(${quoteIdent(column.name)} AS DOUBLE)`;
  return {
    index,
    expectation,
    aggregates: [`avg(${x}) FILTER (WHERE isfinite(${x})) AS e${index}_mean`],
    evaluate(row) {
      const raw = row[`e${index}_mean`];
      if (raw === null || raw === undefined) {
        return {
          success: false,
          observed: { mean: null },
          message: `column '${column.name}' has no finite values`,
        };
      }
      const mean = Number(raw);
      const success = inRange(mean, expectation.min, expectation.max);
      return {
        success,
        observed: { mean },
        ...(success ? {} : { message: `mean ${round(mean)} is outside ${rangeText(expectation)}` }),
      };
    },
  };
}

function distributionCheck(
  index: number,
  expectation: ExpectationOf<'distribution_close_to'>,
  shift: MeasuredShift | undefined,
): Check {
  if (shift === undefined) throw new Error(`no measured shift for expectation ${index}`);
  if (shift.problem !== undefined) {
    return fixed(index, expectation, {
      success: false,
      observed: { reference: shift.reference },
      message: shift.problem,
    });
  }
  const success = shift.psi < expectation.maxPsi;
  return fixed(index, expectation, {
    success,
    observed: { psi: shift.psi, bins: shift.bins, reference: shift.reference },
    ...(success
      ? {}
      : { message: `PSI ${round(shift.psi)} against ${shift.reference} is not below ${expectation.maxPsi}` }),
  });
}

function mismatch(index: number, expectation: Expectation, message: string): Check {
  return fixed(index, expectation, { success: false, observed: {}, message });
}

function inRange(value: number, min: number | undefined, max: number | undefined): boolean {
  return (min === undefined || value >= min) && (max === undefined || value <= max);
}

function rangeText(bounds: { min?: number | string; max?: number | string }): string {
  if (bounds.min !== undefined && bounds.max !== undefined) return `[${bounds.min}, ${bounds.max}]`;
  return bounds.min !== undefined ? `>= ${bounds.min}` : `<= ${bounds.max}`;
}

function round(value: number): number {
  return Number(value.toPrecision(4));
}
