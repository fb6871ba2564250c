/**
 * The AutoML contract: what a search is asked to do (options, search space), what it reports while
 * it runs (trial plans and outcomes, through hooks) and what it returns (leaderboard, refit best
 * model as ONNX, holdout evaluation, feature metadata). Pure data; no I/O.
 */

/** The value lists behind the unions below: the API schemas and the CLI's checks use them too. */
export const TASKS = ['classification', 'regression'] as const;
export const METRIC_NAMES = ['roc_auc', 'accuracy', 'log_loss', 'f1', 'rmse', 'mae', 'r2'] as const;
export const STRATEGIES = ['grid', 'random', 'halving'] as const;
export const FAMILIES = ['gbdt', 'logistic', 'ridge'] as const;

export type Task = (typeof TASKS)[number];
export type MetricName = (typeof METRIC_NAMES)[number];
export type Strategy = (typeof STRATEGIES)[number];
export type Family = (typeof FAMILIES)[number];

export type ParamValue = number | string | boolean;

/** One hyperparameter's domain: a list of values, or an integer / float range (log-uniform with `log`). */
export type ParamDomain =
  | { readonly type: 'choice'; readonly values: readonly ParamValue[] }
  | { readonly type: 'int'; readonly min: number; readonly max: number; readonly log?: boolean }
  | { readonly type: 'float'; readonly min: number; readonly max: number; readonly log?: boolean };

/** Model family to its hyperparameter domains. Families left out are not searched. */
export type SearchSpace = Readonly<Partial<Record<Family, Readonly<Record<string, ParamDomain>>>>>;

/** What a caller may ask for; every field but the task has a documented default. */
export interface AutomlInput {
  readonly task: Task;
  readonly metric?: MetricName;
  readonly strategy?: Strategy;
  readonly maxTrials?: number;
  readonly timeBudgetMs?: number;
  /** k of the (stratified, for classification) k-fold cross-validation. */
  readonly folds?: number;
  /** Share of rows held out (stratified for classification) and scored once, on the refit best model. */
  readonly holdoutFraction?: number;
  readonly seed?: number;
  /** Replaces the default space for the families it names; families it omits are dropped. */
  readonly searchSpace?: SearchSpace;
  /** Trials run at once on worker threads (default: the machine's cores). */
  readonly parallelism?: number;
}

export type AutomlOptions = Required<AutomlInput>;

export type ParamValues = Readonly<Record<string, ParamValue>>;

export interface TrialPlan {
  /** 0-based, in the order trials are planned; stable for a given seed and options. */
  readonly id: number;
  readonly family: Family;
  readonly params: ParamValues;
  /** Successive halving: the rung (0 = the cheapest) and the share of the full budget it trains with. */
  readonly rung?: number;
  readonly budgetFraction?: number;
}

export interface MetricSummary {
  readonly mean: number;
  readonly std: number;
}

export interface TrialOutcome extends TrialPlan {
  readonly status: 'succeeded' | 'failed';
  /** Cross-validated mean of the chosen metric (succeeded trials only). */
  readonly score?: number;
  /** Every metric that applies to the task, as mean and std over the folds. */
  readonly metrics: Readonly<Record<string, MetricSummary>>;
  readonly error?: string;
  readonly durationMs: number;
}

export interface AutomlProgress {
  readonly trialsDone: number;
  readonly trialsFailed: number;
  readonly trialsPlanned: number;
  readonly elapsedMs: number;
  readonly timeBudgetMs: number;
  readonly best?: { readonly trial: number; readonly family: Family; readonly score: number };
}

export interface AutomlHooks {
  /** Awaited before the trial starts (e.g. to create its child run). */
  onTrialStart?(plan: TrialPlan): Promise<void> | void;
  /** Awaited after it ends, succeeded or failed. */
  onTrialEnd?(outcome: TrialOutcome, progress: AutomlProgress): Promise<void> | void;
  /**
   * Outcomes of trials finished before an interruption (same options and seed): the search reuses
   * them instead of running those trials again.
   */
  readonly finished?: ReadonlyMap<number, TrialOutcome>;
  /** Aborting stops planning new trials, stops running ones, and rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** How the exported model's inputs are fed: one [N, 1] input per feature, named as the feature. */
export interface FeatureSpec {
  readonly name: string;
  readonly type: 'numeric' | 'categorical';
  /** Categorical features: the categories the model knows (others are treated as unseen). */
  readonly categories?: readonly string[];
}

export interface HoldoutEvaluation {
  readonly rows: number;
  readonly metrics: Readonly<Record<string, number>>;
  /** Classifiers: counts[actual][predicted], in the order of `classes`. */
  readonly confusionMatrix?: {
    readonly classes: readonly string[];
    readonly counts: readonly (readonly number[])[];
  };
  /** Regressors: summary of prediction - actual. */
  readonly residuals?: {
    readonly mean: number;
    readonly std: number;
    readonly meanAbsolute: number;
    readonly min: number;
    readonly p5: number;
    readonly p50: number;
    readonly p95: number;
    readonly max: number;
  };
}

export interface AutomlResult {
  readonly options: AutomlOptions;
  /** Every trial in id order, reused ones included. */
  readonly trials: readonly TrialOutcome[];
  /** Succeeded trials, best first (for halving, ranked by the highest rung each reached, then score). */
  readonly leaderboard: readonly TrialOutcome[];
  readonly best: TrialOutcome;
  /** Rows the best configuration was refit on (all rows but the holdout) and rows held out. */
  readonly trainRows: number;
  readonly holdout: HoldoutEvaluation;
  /** The refit best model as a self-contained ONNX graph (see the trainers' exporters). */
  readonly onnx: Uint8Array;
  readonly features: readonly FeatureSpec[];
  /** Classifiers: the label classes, in the order of the `probabilities` output's columns. */
  readonly classes?: readonly string[];
  readonly stoppedBy: 'trials' | 'time' | 'exhausted';
}
