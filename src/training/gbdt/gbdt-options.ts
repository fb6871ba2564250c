/**
 * Hyperparameters of the GBDT trainer with their defaults (close to LightGBM's / scikit-learn's
 * HistGradientBoosting defaults).
 */

export interface GbdtOptions {
  readonly iterations?: number;
  readonly learningRate?: number;
  readonly maxLeaves?: number;
  /** 0 = unlimited (leaf-wise growth bounded by maxLeaves only). */
  readonly maxDepth?: number;
  /**
   * Minimum rows in each child of a split. As in LightGBM, split search estimates a candidate child's
   * rows from its share of the leaf's hessian (exact for regression, where every hessian is 1; close
   * for classification), so a child can occasionally end up a few rows short.
   */
  readonly minSamplesLeaf?: number;
  readonly minHessianLeaf?: number;
  /** L2 regularisation on leaf values. */
  readonly lambda?: number;
  readonly minGainToSplit?: number;
  /** Fraction of rows sampled (without replacement) per iteration. */
  readonly subsample?: number;
  /** Fraction of features sampled per tree. */
  readonly featureFraction?: number;
  readonly maxBins?: number;
  readonly seed?: number;
  /**
   * Threads sharing histogram building, partitioning and gradients; 0 (the default) = automatic: up
   * to 4 on large data (rows x features >= 1,000,000) in the main thread, otherwise 1. Set 1 when the
   * caller already runs trainings in parallel. The model is the same for any thread count.
   */
  readonly threads?: number;
  /** Hold out a validation split and stop after `patience` iterations without improvement. */
  readonly earlyStopping?: { readonly validationFraction?: number; readonly patience?: number } | false;
}

export type ResolvedGbdtOptions = Required<Omit<GbdtOptions, 'earlyStopping'>> & {
  readonly earlyStopping: { readonly validationFraction: number; readonly patience: number } | false;
};

export function resolveGbdtOptions(options: GbdtOptions = {}): ResolvedGbdtOptions {
  const resolved: ResolvedGbdtOptions = {
    iterations: options.iterations ?? 100,
    learningRate: options.learningRate ?? 0.1,
    maxLeaves: options.maxLeaves ?? 31,
    maxDepth: options.maxDepth ?? 0,
    minSamplesLeaf: options.minSamplesLeaf ?? 20,
    minHessianLeaf: options.minHessianLeaf ?? 1e-3,
    lambda: options.lambda ?? 0,
    minGainToSplit: options.minGainToSplit ?? 0,
    subsample: options.subsample ?? 1,
    featureFraction: options.featureFraction ?? 1,
    maxBins: options.maxBins ?? 255,
    seed: options.seed ?? 0,
    threads: options.threads ?? 0,
    earlyStopping:
      options.earlyStopping === undefined || options.earlyStopping === false
        ? false
        : {
            validationFraction: options.earlyStopping.validationFraction ?? 0.1,
            patience: options.earlyStopping.patience ?? 10,
          },
  };
  const check = (ok: boolean, field: string, value: unknown) => {
    if (!ok) throw new RangeError(`GBDT option '${field}' is out of range: ${String(value)}`);
  };
  check(Number.isInteger(resolved.iterations) && resolved.iterations >= 1, 'iterations', resolved.iterations);
  check(resolved.learningRate > 0, 'learningRate', resolved.learningRate);
  check(Number.isInteger(resolved.maxLeaves) && resolved.maxLeaves >= 2, 'maxLeaves', resolved.maxLeaves);
  check(resolved.minSamplesLeaf >= 1, 'minSamplesLeaf', resolved.minSamplesLeaf);
  check(resolved.lambda >= 0, 'lambda', resolved.lambda);
  check(resolved.subsample > 0 && resolved.subsample <= 1, 'subsample', resolved.subsample);
  check(
    resolved.featureFraction > 0 && resolved.featureFraction <= 1,
    'featureFraction',
    resolved.featureFraction,
  );
  check(Number.isInteger(resolved.threads) && resolved.threads >= 0, 'threads', resolved.threads);
  check(resolved.maxBins >= 3 && resolved.maxBins <= 255, 'maxBins', resolved.maxBins);
  if (resolved.earlyStopping !== false) {
    const { validationFraction, patience } = resolved.earlyStopping;
    check(
      validationFraction > 0 && validationFraction < 1,
      'earlyStopping.validationFraction',
      validationFraction,
    );
    check(Number.isInteger(patience) && patience >= 1, 'earlyStopping.patience', patience);
  }
  return resolved;
}
