/** The L-BFGS minimiser on classic test functions: convergence, monotone decrease, determinism. */
import { describe, expect, it } from 'vitest';
import { minimizeLbfgs, type Objective } from '../../../src/training/linear/index.js';

/** Extended Rosenbrock: minimum 0 at (1, …, 1). */
const rosenbrock: Objective = (x, gradient) => {
  gradient.fill(0);
  let value = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    value += 100 * a * a + b * b;
    gradient[i]! += -400 * x[i]! * a - 2 * b;
    gradient[i + 1]! += 200 * a;
  }
  return value;
};

function isNonIncreasing(history: readonly number[]): boolean {
  return history.every((value, index) => index === 0 || value <= history[index - 1]!);
}

describe('minimizeLbfgs', () => {
  it('finds the minimum of the Rosenbrock function in 2 and 10 dimensions', () => {
    for (const dimension of [2, 10]) {
      const start = Float64Array.from({ length: dimension }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
      const result = minimizeLbfgs(rosenbrock, start, { gradientTolerance: 1e-8, maxIterations: 2000 });
      expect(result.status).toBe('converged');
      expect(result.gradientNorm).toBeLessThanOrEqual(1e-8);
      for (const value of result.x) expect(value).toBeCloseTo(1, 6);
      expect(isNonIncreasing(result.history)).toBe(true);
      expect(result.history).toHaveLength(result.iterations + 1);
    }
  });

  it('solves an ill-conditioned quadratic to its exact minimiser', () => {
    const scales = Float64Array.from({ length: 20 }, (_, i) => 10 ** (i / 8));
    const centre = Float64Array.from({ length: 20 }, (_, i) => i - 10);
    const quadratic: Objective = (x, gradient) => {
      let value = 0;
      for (let i = 0; i < x.length; i++) {
        const d = x[i]! - centre[i]!;
        value += 0.5 * scales[i]! * d * d;
        gradient[i] = scales[i]! * d;
      }
      return value;
    };
    const result = minimizeLbfgs(quadratic, new Float64Array(20), {
      gradientTolerance: 1e-9,
      maxIterations: 2000,
    });
    expect(result.status).toBe('converged');
    for (let i = 0; i < 20; i++) expect(result.x[i]).toBeCloseTo(centre[i]!, 8);
    expect(isNonIncreasing(result.history)).toBe(true);
  });

  it('stops at maxIterations and is deterministic', () => {
    const start = Float64Array.from([-1.2, 1]);
    const first = minimizeLbfgs(rosenbrock, start, { maxIterations: 5 });
    const second = minimizeLbfgs(rosenbrock, start, { maxIterations: 5 });
    expect(first.status).toBe('max-iterations');
    expect(first.iterations).toBe(5);
    expect(Array.from(first.x)).toEqual(Array.from(second.x));
    expect(start[0]).toBe(-1.2); // the start vector is not modified
  });

  it('returns at once when the start is already stationary', () => {
    const result = minimizeLbfgs(rosenbrock, Float64Array.from([1, 1, 1]));
    expect(result.status).toBe('converged');
    expect(result.iterations).toBe(0);
  });
});
