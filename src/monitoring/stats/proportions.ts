/** Two-proportion Z-test: binary-feature drift and champion/challenger rate comparisons. */
import { InvalidError } from '../../core/errors.js';
import { normalSf } from './special.js';

export interface ZTestResult {
  readonly statistic: number;
  readonly pvalue: number;
}

function checkCount(name: string, successes: number, n: number): void {
  if (!Number.isFinite(n) || n <= 0) {
    throw new InvalidError(`${name}: sample size must be a positive number, got ${n}`, { field: name });
  }
  if (!Number.isFinite(successes) || successes < 0 || successes > n) {
    throw new InvalidError(`${name}: successes must be between 0 and ${n}, got ${successes}`, {
      field: name,
    });
  }
}

/**
 * Two-sided two-proportion Z-test with the pooled standard error, as statsmodels'
 * `proportions_ztest([s1, s2], [n1, n2])` (value 0, `prop_var=False`):
 *
 *   p̂ = (s1 + s2)/(n1 + n2),  z = (s1/n1 − s2/n2) / √(p̂(1 − p̂)(1/n1 + 1/n2)),  p = 2·(1 − Φ(|z|)).
 *
 * One deliberate difference: when p̂ is 0 or 1 (no successes or no failures anywhere) the standard
 * error is zero and statsmodels returns NaN; here the two samples are identical, so the result is
 * statistic 0, p-value 1.
 */
export function twoProportionZTest(
  successes1: number,
  n1: number,
  successes2: number,
  n2: number,
): ZTestResult {
  checkCount('sample1', successes1, n1);
  checkCount('sample2', successes2, n2);
  const diff = successes1 / n1 - successes2 / n2;
  const pooled = (successes1 + successes2) / (n1 + n2);
  const variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2);
  if (variance === 0) return { statistic: 0, pvalue: 1 };
  const statistic = diff / Math.sqrt(variance);
  return { statistic, pvalue: normalSf(Math.abs(statistic)) * 2 };
}
