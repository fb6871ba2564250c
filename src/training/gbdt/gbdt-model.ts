/**
 * The trained GBDT model: binning, constant base scores, and `treesPerIteration` trees per boosting
 * iteration (one per class for multiclass, otherwise one). Raw score of output k for a row is
 * baseScores[k] + sum over iterations of trees[i][k](row).
 */
import type { FeatureBinning } from './binning.js';
import type { LossKind } from './losses.js';
import type { RegressionTree } from './tree.js';

export interface GbdtModel {
  readonly kind: LossKind;
  readonly binning: readonly FeatureBinning[];
  /** Class names for classifiers (index = class index); empty for regression. */
  readonly classes: readonly string[];
  readonly baseScores: Float64Array;
  readonly trees: readonly (readonly RegressionTree[])[];
  readonly history: TrainingHistory;
}

export interface TrainingHistory {
  /** Mean training loss after each iteration (all training rows, not just the subsample). */
  readonly trainLoss: readonly number[];
  /** Mean validation loss after each iteration; empty without early stopping. */
  readonly validationLoss: readonly number[];
  /** Number of iterations kept (the best validation iteration with early stopping). */
  readonly iterations: number;
  readonly stoppedEarly: boolean;
}

export function scoresPerRow(model: Pick<GbdtModel, 'kind' | 'classes'>): number {
  return model.kind === 'multiclass' ? model.classes.length : 1;
}
