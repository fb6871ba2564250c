/**
 * Public face of the gradient-boosted decision tree trainer: train, predict, export to ONNX.
 */
export type { CategoricalBinning, FeatureBinning, NumericBinning } from './binning.js';
export type { GbdtModel, TrainingHistory } from './gbdt-model.js';
export { GBDT_ONNX_OUTPUTS, gbdtToOnnx } from './gbdt-onnx.js';
export type { GbdtOptions } from './gbdt-options.js';
export { predictLabels, predictProbabilities, predictRawScores, predictValues } from './gbdt-predict.js';
export { trainGbdt } from './gbdt-trainer.js';
export type { RegressionTree } from './tree.js';
