/**
 * L2-regularised logistic regression (binary sigmoid, multinomial softmax for 3+ classes) fitted
 * with L-BFGS. Objective: mean log-loss over the rows + (l2 / 2)·‖w‖², intercepts unpenalised.
 * Parameters are laid out per output as [w_0 … w_{width-1}, b] (stride width + 1).
 */
import type { Table, Target } from '../table.js';
import { assertTable } from '../table.js';
import { minimizeLbfgs, type Objective } from './lbfgs.js';
import { encodeTable, fitLinearEncoding } from './linear-encoding.js';
import type { LogisticModel } from './linear-model.js';

export interface LogisticOptions {
  /** L2 penalty on the weights (not the intercepts), per the mean loss. Default 1e-4. */
  readonly l2?: number;
  readonly gradientTolerance?: number;
  readonly maxIterations?: number;
}

function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * The training objective on an encoded matrix x [rows × width]; `outputs` is 1 (binary, labels 0/1)
 * or the number of classes (softmax).
 */
export function logisticObjective(
  x: Float64Array,
  width: number,
  labels: Int32Array,
  outputs: number,
  l2: number,
): Objective {
  const rows = labels.length;
  const stride = width + 1;
  const logits = new Float64Array(outputs);
  return (params, gradient) => {
    gradient.fill(0);
    let loss = 0;
    for (let row = 0; row < rows; row++) {
      const base = row * width;
      const label = labels[row]!;
      for (let k = 0; k < outputs; k++) {
        const offset = k * stride;
        let z = params[offset + width]!;
        for (let j = 0; j < width; j++) z += params[offset + j]! * x[base + j]!;
        logits[k] = z;
      }
      if (outputs === 1) {
        const z = logits[0]!;
        loss += softplus(z) - label * z;
        logits[0] = 1 / (1 + Math.exp(-z)) - label; // residual p - y
      } else {
        let max = Number.NEGATIVE_INFINITY;
        for (let k = 0; k < outputs; k++) max = Math.max(max, logits[k]!);
        let sum = 0;
        for (let k = 0; k < outputs; k++) sum += Math.exp(logits[k]! - max);
        const logSumExp = max + Math.log(sum);
        loss += logSumExp - logits[label]!;
        for (let k = 0; k < outputs; k++)
          logits[k] = Math.exp(logits[k]! - logSumExp) - (k === label ? 1 : 0);
      }
      for (let k = 0; k < outputs; k++) {
        const residual = logits[k]!;
        const offset = k * stride;
        for (let j = 0; j < width; j++) gradient[offset + j]! += residual * x[base + j]!;
        gradient[offset + width]! += residual;
      }
    }
    let penalty = 0;
    for (let k = 0; k < outputs; k++) {
      for (let j = 0; j < width; j++) {
        const index = k * stride + j;
        gradient[index] = gradient[index]! / rows + l2 * params[index]!;
        penalty += params[index]! * params[index]!;
      }
      const intercept = k * stride + width;
      gradient[intercept] = gradient[intercept]! / rows;
    }
    return loss / rows + 0.5 * l2 * penalty;
  };
}

export function trainLogisticRegression(
  table: Table,
  target: Target,
  options: LogisticOptions = {},
): LogisticModel {
  assertTable(table);
  if (target.kind !== 'classification')
    throw new TypeError('logistic regression needs a classification target');
  if (target.labels.length !== table.rows) {
    throw new RangeError(`target has ${target.labels.length} labels, the table ${table.rows} rows`);
  }
  if (target.classes.length < 2) throw new RangeError('logistic regression needs at least two classes');
  if (table.rows === 0) throw new RangeError('logistic regression needs at least one row');
  const l2 = options.l2 ?? 1e-4;
  if (!(l2 >= 0)) throw new RangeError(`l2 must be >= 0, got ${l2}`);
  const encoding = fitLinearEncoding(table);
  const { width } = encoding;
  const x = encodeTable(encoding, table);
  const outputs = target.classes.length === 2 ? 1 : target.classes.length;
  const objective = logisticObjective(x, width, target.labels, outputs, l2);
  const result = minimizeLbfgs(objective, new Float64Array(outputs * (width + 1)), {
    gradientTolerance: options.gradientTolerance ?? 1e-6,
    maxIterations: options.maxIterations ?? 1000,
  });
  const weights = new Float64Array(outputs * width);
  const intercepts = new Float64Array(outputs);
  for (let k = 0; k < outputs; k++) {
    weights.set(result.x.subarray(k * (width + 1), k * (width + 1) + width), k * width);
    intercepts[k] = result.x[k * (width + 1) + width]!;
  }
  return {
    kind: 'logistic',
    encoding,
    classes: [...target.classes],
    outputs,
    weights,
    intercepts,
    l2,
    report: {
      solver: 'lbfgs',
      iterations: result.iterations,
      status: result.status,
      gradientNorm: result.gradientNorm,
      objective: result.value,
    },
  };
}
