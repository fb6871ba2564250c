/** Binary logistic regression by mini-batch gradient descent on standardised inputs (pure, no I/O). */
import { seededRandom } from '../training/random.js';
import type { Dataset } from './churn-data.js';

export interface LogisticModel {
  readonly weights: Float64Array;
  readonly bias: number;
  /** Standardisation learned on the training rows, applied before the weights. */
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

export interface EpochStats {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly validLoss: number;
  readonly validAccuracy: number;
}

export interface TrainOptions {
  readonly learningRate: number;
  readonly l2: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly onEpoch?: (stats: EpochStats) => void | Promise<void>;
}

export async function trainLogistic(
  train: Dataset,
  valid: Dataset,
  options: TrainOptions,
): Promise<LogisticModel> {
  const width = train.x.length / train.rows;
  const { mean, std } = standardisation(train, width);
  const weights = new Float64Array(width);
  let bias = 0;
  const random = seededRandom(options.seed);
  const order = Array.from({ length: train.rows }, (_, i) => i);
  const gradient = new Float64Array(width);
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let start = 0; start < order.length; start += options.batchSize) {
      const batch = order.slice(start, start + options.batchSize);
      gradient.fill(0);
      let biasGradient = 0;
      for (const row of batch) {
        const error = sigmoid(score(train.x, row, width, weights, bias, mean, std)) - train.y[row]!;
        for (let f = 0; f < width; f++)
          gradient[f] = gradient[f]! + error * ((train.x[row * width + f]! - mean[f]!) / std[f]!);
        biasGradient += error;
      }
      for (let f = 0; f < width; f++) {
        weights[f] =
          weights[f]! - options.learningRate * (gradient[f]! / batch.length + options.l2 * weights[f]!);
      }
      bias -= (options.learningRate * biasGradient) / batch.length;
    }
    const model = { weights, bias, mean, std };
    await options.onEpoch?.({
      epoch,
      trainLoss: logLoss(model, train),
      validLoss: logLoss(model, valid),
      validAccuracy: accuracy(model, valid),
    });
  }
  return { weights, bias, mean, std };
}

export function predictProbability(model: LogisticModel, x: Float64Array, row: number): number {
  return sigmoid(score(x, row, model.weights.length, model.weights, model.bias, model.mean, model.std));
}

export function logLoss(model: LogisticModel, data: Dataset): number {
  let total = 0;
  for (let row = 0; row < data.rows; row++) {
    const p = Math.min(Math.max(predictProbability(model, data.x, row), 1e-12), 1 - 1e-12);
    total -= data.y[row] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return total / data.rows;
}

export function accuracy(model: LogisticModel, data: Dataset): number {
  let correct = 0;
  for (let row = 0; row < data.rows; row++) {
    if ((predictProbability(model, data.x, row) >= 0.5 ? 1 : 0) === data.y[row]) correct++;
  }
  return correct / data.rows;
}

function score(
  x: Float64Array,
  row: number,
  width: number,
  weights: Float64Array,
  bias: number,
  mean: Float64Array,
  std: Float64Array,
): number {
  let z = bias;
  for (let f = 0; f < width; f++) z += weights[f]! * ((x[row * width + f]! - mean[f]!) / std[f]!);
  return z;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

function standardisation(data: Dataset, width: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(width);
  const std = new Float64Array(width);
  for (let row = 0; row < data.rows; row++)
    for (let f = 0; f < width; f++) mean[f] = mean[f]! + data.x[row * width + f]!;
  for (let f = 0; f < width; f++) mean[f] = mean[f]! / data.rows;
  for (let row = 0; row < data.rows; row++) {
    for (let f = 0; f < width; f++) std[f] = std[f]! + (data.x[row * width + f]! - mean[f]!) ** 2;
  }
  for (let f = 0; f < width; f++) std[f] = Math.sqrt(std[f]! / data.rows) || 1;
  return { mean, std };
}
