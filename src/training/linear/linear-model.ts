/**
 * The fitted linear models (plain readonly data): what the trainers return, predict consumes and
 * the ONNX exporter folds into a graph. Weights apply to the encoded (standardised / one-hot) row.
 */

import type { LbfgsStatus } from './lbfgs.js';
import type { LinearEncoding } from './linear-encoding.js';

export interface SolverReport {
  readonly solver: 'lbfgs' | 'cholesky';
  readonly iterations: number;
  readonly status: LbfgsStatus;
  /** Euclidean norm of the objective's gradient at the returned solution. */
  readonly gradientNorm: number;
  /** Objective value (mean loss + L2 penalty) at the solution. */
  readonly objective: number;
}

export interface LogisticModel {
  readonly kind: 'logistic';
  readonly encoding: LinearEncoding;
  readonly classes: readonly string[];
  /**
   * Rows of `weights`: 1 for two classes (the logit of classes[1]), otherwise one per class
   * (softmax over the logits).
   */
  readonly outputs: number;
  /** outputs × encoding.width, row-major by output. */
  readonly weights: Float64Array;
  readonly intercepts: Float64Array;
  readonly l2: number;
  readonly report: SolverReport;
}

export interface RidgeModel {
  readonly kind: 'ridge';
  readonly encoding: LinearEncoding;
  /** One weight per encoded column. */
  readonly weights: Float64Array;
  readonly intercept: number;
  readonly l2: number;
  readonly report: SolverReport;
}

export type LinearModel = LogisticModel | RidgeModel;
