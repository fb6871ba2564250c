/** Public face of the linear-model trainers: encoding, L-BFGS, logistic and ridge regression, ONNX. */
export type { LbfgsOptions, LbfgsResult, LbfgsStatus, Objective } from './lbfgs.js';
export { minimizeLbfgs } from './lbfgs.js';
export type { CategoricalEncoding, LinearEncoding, NumericEncoding } from './linear-encoding.js';
export { encodeTable, fitLinearEncoding } from './linear-encoding.js';
export type { LinearModel, LogisticModel, RidgeModel, SolverReport } from './linear-model.js';
export { LINEAR_ONNX_OUTPUTS, linearModelToOnnx } from './linear-onnx.js';
export { predictLabelIndices, predictLabels, predictProbabilities, predictValues } from './linear-predict.js';
export type { LogisticOptions } from './logistic-regression.js';
export { logisticObjective, trainLogisticRegression } from './logistic-regression.js';
export type { RidgeOptions } from './ridge-regression.js';
export { ridgeObjective, solveCholesky, trainRidgeRegression } from './ridge-regression.js';
