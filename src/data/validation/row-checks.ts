/**
 * Expectations that check each row (not_null, values_between, values_in_set, unique,
 * values_match_regex): each counts its offending rows in the aggregate pass and gives the SQL
 * condition that selects them, used afterwards to fetch examples of failures only. Nulls offend only
 * not_null: the other checks look at non-null values.
 */
import { doubleLiteral, isNumericType, quoteIdent, quoteString } from '../diff-sql.js';
import type { ColumnSchema } from '../entities.js';
import { toJsonValue } from '../json-values.js';
import { type Check, mismatch, rangeText, round } from './check.js';
import type { ExpectationOf } from './suite.js';

export function notNullCheck(
  index: number,
  expectation: ExpectationOf<'not_null'>,
  column: ColumnSchema,
): Check {
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

export function betweenCheck(
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

export function inSetCheck(
  index: number,
  expectation: ExpectationOf<'values_in_set'>,
  column: ColumnSchema,
): Check {
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

export function uniqueCheck(
  index: number,
  expectation: ExpectationOf<'unique'>,
  column: ColumnSchema,
): Check {
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

export function regexCheck(
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
