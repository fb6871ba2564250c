/**
 * Pearson chi-squared tests for categorical drift: independence on a contingency table (as SciPy's
 * `chi2_contingency`) and goodness of fit (as SciPy's `chisquare`).
 */
import { InvalidError } from '../../core/errors.js';
import { chi2Sf } from './special.js';

export interface Chi2ContingencyResult {
  readonly statistic: number;
  readonly pvalue: number;
  readonly dof: number;
  /** Expected frequencies under independence, row-major, same shape as the table. */
  readonly expected: readonly (readonly number[])[];
}

export interface Chi2ContingencyOptions {
  /** Yates' continuity correction, applied only when dof = 1 (SciPy's rule). Default true. */
  readonly correction?: boolean;
}

export interface ChiSquareResult {
  readonly statistic: number;
  readonly pvalue: number;
  readonly dof: number;
}

/** SciPy's tolerance on |Σobs − Σexp| / min(Σobs, Σexp): the square root of double epsilon. */
const SUM_RTOL = Math.sqrt(Number.EPSILON);

/**
 * Chi-squared test of independence, `scipy.stats.chi2_contingency(table, correction)`:
 * expected[i][j] = rowSum[i]·colSum[j] / total, dof = (r − 1)(c − 1), statistic Σ(O − E)²/E, p-value
 * the chi-squared survival function. With dof = 1 and correction on, each |O − E| is reduced by
 * min(0.5, |O − E|) first. dof = 0 (a single row or column) gives statistic 0 and p-value 1.
 * Throws when a row or column sums to zero, where SciPy raises on a zero expected frequency.
 */
export function chi2Contingency(
  table: readonly (readonly number[])[],
  options: Chi2ContingencyOptions = {},
): Chi2ContingencyResult {
  const correction = options.correction ?? true;
  const rows = table.length;
  const cols = rows > 0 ? table[0]!.length : 0;
  if (rows === 0 || cols === 0) throw new InvalidError('contingency table is empty', { field: 'table' });
  const rowSums = new Float64Array(rows);
  const colSums = new Float64Array(cols);
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const row = table[i]!;
    if (row.length !== cols) {
      throw new InvalidError(`contingency table row ${i} has ${row.length} cells, expected ${cols}`, {
        field: 'table',
        row: i,
      });
    }
    for (let j = 0; j < cols; j++) {
      const v = row[j]!;
      if (!(v >= 0) || !Number.isFinite(v)) {
        throw new InvalidError(`contingency table cell [${i}][${j}] must be a finite count >= 0, got ${v}`, {
          field: 'table',
          row: i,
          column: j,
        });
      }
      rowSums[i]! += v;
      colSums[j]! += v;
      total += v;
    }
  }
  for (let i = 0; i < rows; i++) {
    if (rowSums[i] === 0) {
      throw new InvalidError(`contingency table row ${i} is empty: its expected frequencies would be zero`, {
        field: 'table',
        row: i,
      });
    }
  }
  for (let j = 0; j < cols; j++) {
    if (colSums[j] === 0) {
      throw new InvalidError(
        `contingency table column ${j} is empty: its expected frequencies would be zero`,
        { field: 'table', column: j },
      );
    }
  }
  const dof = (rows - 1) * (cols - 1);
  const expected: number[][] = [];
  for (let i = 0; i < rows; i++) {
    const e = new Array<number>(cols);
    for (let j = 0; j < cols; j++) e[j] = (rowSums[i]! * colSums[j]!) / total;
    expected.push(e);
  }
  if (dof === 0) return { statistic: 0, pvalue: 1, dof, expected };
  const yates = correction && dof === 1;
  let statistic = 0;
  for (let i = 0; i < rows; i++) {
    const row = table[i]!;
    const e = expected[i]!;
    for (let j = 0; j < cols; j++) {
      const ej = e[j]!;
      let o = row[j]!;
      if (yates) {
        const diff = ej - o;
        o += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      const d = o - ej;
      statistic += (d * d) / ej;
    }
  }
  return { statistic, pvalue: chi2Sf(statistic, dof), dof, expected };
}

/**
 * Chi-squared test that two samples share one categorical distribution: builds the 2×k table
 * [referenceCounts; currentCounts] and runs {@link chi2Contingency} on it. Categories empty in both
 * samples are dropped first (they carry no information and would make SciPy raise); with fewer than
 * two categories left the test is degenerate and the result is statistic 0, p-value 1, dof 0.
 */
export function chi2TwoSample(
  referenceCounts: ArrayLike<number>,
  currentCounts: ArrayLike<number>,
  options: Chi2ContingencyOptions = {},
): Chi2ContingencyResult {
  if (referenceCounts.length !== currentCounts.length) {
    throw new InvalidError(
      `reference has ${referenceCounts.length} categories but current has ${currentCounts.length}`,
      { field: 'currentCounts' },
    );
  }
  const ref: number[] = [];
  const cur: number[] = [];
  for (let k = 0; k < referenceCounts.length; k++) {
    const r = referenceCounts[k]!;
    const c = currentCounts[k]!;
    if (r === 0 && c === 0) continue;
    ref.push(r);
    cur.push(c);
  }
  if (ref.length < 2) {
    return { statistic: 0, pvalue: 1, dof: 0, expected: [ref.slice(), cur.slice()] };
  }
  return chi2Contingency([ref, cur], options);
}

/**
 * Goodness-of-fit test, `scipy.stats.chisquare(f_obs, f_exp)`: statistic Σ(O − E)²/E with k − 1
 * degrees of freedom. Without `expected` every category expects the mean count. As SciPy does, the two
 * totals must agree to a relative tolerance of √ε ≈ 1.5e-8 (rescale expected proportions first).
 */
export function chiSquareGoodnessOfFit(
  observed: ArrayLike<number>,
  expected?: ArrayLike<number>,
): ChiSquareResult {
  const k = observed.length;
  if (k === 0) throw new InvalidError('observed frequencies are empty', { field: 'observed' });
  let obsSum = 0;
  for (let i = 0; i < k; i++) obsSum += observed[i]!;
  let statistic = 0;
  if (expected === undefined) {
    const e = obsSum / k;
    for (let i = 0; i < k; i++) {
      const d = observed[i]! - e;
      statistic += (d * d) / e;
    }
  } else {
    if (expected.length !== k) {
      throw new InvalidError(`observed has ${k} categories but expected has ${expected.length}`, {
        field: 'expected',
      });
    }
    let expSum = 0;
    for (let i = 0; i < k; i++) expSum += expected[i]!;
    const relativeDiff = Math.abs(obsSum - expSum) / Math.min(obsSum, expSum);
    if (!(relativeDiff <= SUM_RTOL)) {
      throw new InvalidError(
        `observed frequencies sum to ${obsSum} but expected sum to ${expSum} ` +
          `(relative difference ${relativeDiff} > ${SUM_RTOL}); the sums must agree`,
        { field: 'expected', observedSum: obsSum, expectedSum: expSum },
      );
    }
    for (let i = 0; i < k; i++) {
      const e = expected[i]!;
      const d = observed[i]! - e;
      statistic += (d * d) / e;
    }
  }
  const dof = k - 1;
  return { statistic, pvalue: dof > 0 ? chi2Sf(statistic, dof) : Number.NaN, dof };
}
