/**
 * Expectations on the version as a whole (row_count_between, mean_between, distribution_close_to):
 * no offending rows, only a figure compared with its bounds. The distribution's shift is measured
 * before the aggregate pass and arrives here ready.
 */
import { isNumericType, quoteIdent } from '../diff-sql.js';
import type { ColumnSchema } from '../entities.js';
import { scaledAggregate } from '../sql.js';
import { type Check, fixed, inRange, type MeasuredShift, mismatch, rangeText, round } from './check.js';
import type { ExpectationOf } from './suite.js';

export function rowCountCheck(index: number, expectation: ExpectationOf<'row_count_between'>): Check {
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

/** 2^-600 keeps every finite double's share of a sum far from overflow and (for huge values) exact. */
const OVERFLOW_SCALE = 2 ** -600;

export function meanCheck(
  index: number,
  expectation: ExpectationOf<'mean_between'>,
  column: ColumnSchema,
): Check {
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
    // The plain mean, and beside it in the same pass one over values scaled down by an exact power of
    // two: a sum of values near 1e300 overflows a double, the scaled one never does.
    aggregates: [
      `avg(${x}) FILTER (WHERE isfinite(${x})) AS e${index}_mean`,
      `${scaledAggregate('avg', x, OVERFLOW_SCALE, `isfinite(${x})`)} AS e${index}_mean_scaled`,
    ],
    evaluate(row) {
      const plain = row[`e${index}_mean`];
      const raw =
        plain === null || plain === undefined || Number.isFinite(Number(plain))
          ? plain
          : row[`e${index}_mean_scaled`];
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

export function distributionCheck(
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
