/**
 * Ridge regression on the linear encoding. Objective: (1 / 2n)·‖y − Xw − b‖² + (l2 / 2)·‖w‖²,
 * intercept unpenalised. Solved in closed form (centred normal equations, Cholesky) by default,
 * or with L-BFGS on the same objective (used to cross-check the two).
 */
import type { Table, Target } from '../table.js';
import { assertTable } from '../table.js';
import { minimizeLbfgs, type Objective } from './lbfgs.js';
import { encodeTable, fitLinearEncoding } from './linear-encoding.js';
import type { RidgeModel, SolverReport } from './linear-model.js';

export interface RidgeOptions {
  /** L2 penalty on the weights; must be > 0 for the closed form (one-hot blocks are collinear). */
  readonly l2?: number;
  readonly solver?: 'cholesky' | 'lbfgs';
  readonly gradientTolerance?: number;
  readonly maxIterations?: number;
}

/** The ridge objective over parameters [w_0 … w_{width-1}, b]. */
export function ridgeObjective(x: Float64Array, width: number, y: Float64Array, l2: number): Objective {
  const rows = y.length;
  return (params, gradient) => {
    gradient.fill(0);
    let squares = 0;
    for (let row = 0; row < rows; row++) {
      const base = row * width;
      let prediction = params[width]!;
      for (let j = 0; j < width; j++) prediction += params[j]! * x[base + j]!;
      const residual = prediction - y[row]!;
      squares += residual * residual;
      for (let j = 0; j < width; j++) gradient[j]! += residual * x[base + j]!;
      gradient[width]! += residual;
    }
    let penalty = 0;
    for (let j = 0; j < width; j++) {
      gradient[j] = gradient[j]! / rows + l2 * params[j]!;
      penalty += params[j]! * params[j]!;
    }
    gradient[width] = gradient[width]! / rows;
    return squares / (2 * rows) + 0.5 * l2 * penalty;
  };
}

/** Solves a·x = b in place for a symmetric positive-definite a [n × n]; returns x. */
export function solveCholesky(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(sum > 0)) throw new RangeError('normal equations are not positive definite; use l2 > 0');
        l[i * n + i] = Math.sqrt(sum);
      } else l[i * n + j] = sum / l[j * n + j]!;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let sum = x[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * x[k]!;
    x[i] = sum / l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = x[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * x[k]!;
    x[i] = sum / l[i * n + i]!;
  }
  return x;
}

function closedForm(x: Float64Array, width: number, y: Float64Array, l2: number): Float64Array {
  const rows = y.length;
  const columnMean = new Float64Array(width);
  let yMean = 0;
  for (let row = 0; row < rows; row++) {
    yMean += y[row]!;
    for (let j = 0; j < width; j++) columnMean[j]! += x[row * width + j]!;
  }
  yMean /= rows;
  for (let j = 0; j < width; j++) columnMean[j] = columnMean[j]! / rows;
  const gram = new Float64Array(width * width);
  const rhs = new Float64Array(width);
  const centred = new Float64Array(width);
  for (let row = 0; row < rows; row++) {
    for (let j = 0; j < width; j++) centred[j] = x[row * width + j]! - columnMean[j]!;
    const yc = y[row]! - yMean;
    for (let i = 0; i < width; i++) {
      const ci = centred[i]!;
      rhs[i]! += ci * yc;
      for (let j = 0; j <= i; j++) gram[i * width + j]! += ci * centred[j]!;
    }
  }
  for (let i = 0; i < width; i++) {
    rhs[i] = rhs[i]! / rows;
    for (let j = 0; j <= i; j++) {
      const value = gram[i * width + j]! / rows + (i === j ? l2 : 0);
      gram[i * width + j] = value;
      gram[j * width + i] = value;
    }
  }
  const weights = width > 0 ? solveCholesky(gram, rhs, width) : new Float64Array(0);
  const params = new Float64Array(width + 1);
  params.set(weights);
  let intercept = yMean;
  for (let j = 0; j < width; j++) intercept -= weights[j]! * columnMean[j]!;
  params[width] = intercept;
  return params;
}

export function trainRidgeRegression(table: Table, target: Target, options: RidgeOptions = {}): RidgeModel {
  assertTable(table);
  if (target.kind !== 'regression') throw new TypeError('ridge regression needs a regression target');
  if (target.values.length !== table.rows) {
    throw new RangeError(`target has ${target.values.length} values, the table ${table.rows} rows`);
  }
  if (table.rows === 0) throw new RangeError('ridge regression needs at least one row');
  if (target.values.some((value) => !Number.isFinite(value))) {
    throw new RangeError('ridge regression needs finite target values');
  }
  const l2 = options.l2 ?? 1e-4;
  if (!(l2 >= 0)) throw new RangeError(`l2 must be >= 0, got ${l2}`);
  const encoding = fitLinearEncoding(table);
  const { width } = encoding;
  const x = encodeTable(encoding, table);
  const objective = ridgeObjective(x, width, target.values, l2);
  let params: Float64Array;
  let report: Omit<SolverReport, 'gradientNorm' | 'objective'>;
  if ((options.solver ?? 'cholesky') === 'cholesky') {
    params = closedForm(x, width, target.values, l2);
    report = { solver: 'cholesky', iterations: 0, status: 'converged' };
  } else {
    const result = minimizeLbfgs(objective, new Float64Array(width + 1), {
      gradientTolerance: options.gradientTolerance ?? 1e-8,
      maxIterations: options.maxIterations ?? 2000,
    });
    params = result.x;
    report = { solver: 'lbfgs', iterations: result.iterations, status: result.status };
  }
  const gradient = new Float64Array(width + 1);
  const value = objective(params, gradient);
  let squares = 0;
  for (const component of gradient) squares += component * component;
  const gradientNorm = Math.sqrt(squares);
  return {
    kind: 'ridge',
    encoding,
    weights: params.slice(0, width),
    intercept: params[width]!,
    l2,
    report: { ...report, gradientNorm, objective: value },
  };
}
