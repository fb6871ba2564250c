/**
 * Trains a histogram-based gradient-boosted tree ensemble (deterministic for a seed, and the same for
 * any thread count): bin the training rows, then per iteration compute gradients, grow one leaf-wise
 * tree per output on a row subsample and a feature subsample, and add it to the scores; optionally
 * stop early on a held-out validation split, keeping the best iteration. On large data, helper
 * threads share the gradients, partitions and histograms (see helper-threads.ts, threads.ts); they
 * are stopped before trainGbdt returns or throws.
 */

import { type Random, sampleSorted, seededRandom } from '../random.js';
import { assertTable, type Table, type Target, takeRows, takeTarget } from '../table.js';
import { binTable, fitBinning } from './binning.js';
import type { GbdtModel } from './gbdt-model.js';
import { type GbdtOptions, type ResolvedGbdtOptions, resolveGbdtOptions } from './gbdt-options.js';
import { GradientPass } from './gradient-pass.js';
import { type HelperThread, startHelperThreads, stopHelperThreads } from './helper-threads.js';
import { HistogramBuilder } from './histogram-builder.js';
import { KernelMemory } from './kernel-memory.js';
import { initialScores, type LossKind, type LossTargets, meanLoss } from './losses.js';
import { RowOrder } from './row-order.js';
import { resolveThreads } from './threads.js';
import type { RegressionTree } from './tree.js';
import { addTreeScores } from './tree.js';
import { GrowWorkspace, growTree } from './tree-grower.js';

export function trainGbdt(table: Table, target: Target, options: GbdtOptions = {}): GbdtModel {
  assertTable(table);
  const opts = resolveGbdtOptions(options);
  const targetRows = target.kind === 'classification' ? target.labels.length : target.values.length;
  if (targetRows !== table.rows)
    throw new RangeError(`target has ${targetRows} rows, the table ${table.rows}`);
  if (table.features.length === 0) throw new RangeError('the table has no features');
  const classes = target.kind === 'classification' ? target.classes : [];
  if (target.kind === 'classification' && classes.length < 2) {
    throw new RangeError(`classification needs at least 2 classes, got ${classes.length}`);
  }
  const kind: LossKind =
    target.kind === 'regression' ? 'regression' : classes.length === 2 ? 'binary' : 'multiclass';
  const random = seededRandom(opts.seed);

  const threads = resolveThreads(opts.threads, table.rows, table.features.length);
  const helpers = startHelperThreads(threads - 1);
  try {
    return boost(table, target, kind, classes, opts, random, helpers);
  } finally {
    stopHelperThreads(helpers);
  }
}

function boost(
  table: Table,
  target: Target,
  kind: LossKind,
  classes: readonly string[],
  opts: ResolvedGbdtOptions,
  random: Random,
  helpers: readonly HelperThread[],
): GbdtModel {
  const outputs = kind === 'multiclass' ? classes.length : 1;
  const { trainRows, validationRows } = splitRows(table.rows, opts.earlyStopping, random);
  const trainTable = subsetTable(table, trainRows);
  const trainTargets = subsetTargets(target, trainRows);
  const binning = fitBinning(trainTable, opts.maxBins - 1);
  const data = binTable(trainTable, binning);
  const validation =
    validationRows === null
      ? null
      : {
          data: binTable(subsetTable(table, validationRows), binning),
          targets: subsetTargets(target, validationRows),
        };

  const n = data.rows;
  const baseScores = initialScores(kind, trainTargets, classes.length, null);
  const shared = helpers.length > 0;
  const gradientPass = new GradientPass(kind, trainTargets, outputs, n, opts.maxLeaves, shared);
  gradientPass.helper = helpers[0];
  const { scores, gradients, hessians } = gradientPass;
  for (let r = 0; r < n; r++) scores.set(baseScores, r * outputs);
  const validationScores = validation === null ? null : new Float64Array(validation.data.rows * outputs);
  if (validationScores !== null)
    for (let r = 0; r < validationScores.length / outputs; r++) validationScores.set(baseScores, r * outputs);

  const order = new RowOrder(data, KernelMemory.forTraining(data, opts.maxLeaves, shared));
  order.helper = helpers[0];
  const histograms = new HistogramBuilder(order, opts.maxLeaves, helpers, gradientPass.memory, opts);
  const workspace = new GrowWorkspace(histograms, opts.maxLeaves);
  const sample = new Uint32Array(n);
  const featureCount = binning.length;
  const featurePick = new Uint32Array(featureCount);
  const usedFeatures = Math.max(1, Math.round(featureCount * opts.featureFraction));
  const sampleCount = Math.max(1, Math.round(n * opts.subsample));

  const trees: RegressionTree[][] = [];
  const trainLoss: number[] = [];
  const validationLoss: number[] = [];
  let best = { loss: Number.POSITIVE_INFINITY, iterations: 0 };
  let stoppedEarly = false;
  for (let iteration = 0; iteration < opts.iterations; iteration++) {
    // The loss of the scores so far comes free with the gradients: it is the previous iteration's.
    for (let k = 0; k < outputs; k++) {
      const loss = gradientPass.run(k);
      if (k === 0 && iteration > 0) trainLoss.push(loss);
    }
    const sampled = sampleCount === n ? fillRange(sample, n) : sampleSorted(n, sampleCount, random, sample);
    const iterationTrees: RegressionTree[] = [];
    for (let k = 0; k < outputs; k++) {
      const features =
        usedFeatures === featureCount
          ? Int32Array.from({ length: featureCount }, (_, f) => f)
          : Int32Array.from(
              featurePick.subarray(0, sampleSorted(featureCount, usedFeatures, random, featurePick)),
            );
      workspace.order.load(sample, sampled, gradients[k]!, hessians[k]!);
      const tree = growTree(workspace, sampled, features, opts);
      // Gradients of this iteration are already computed, so scores can change right away.
      if (sampled === n) addLeafScores(workspace, tree, gradientPass, k);
      else addTreeScores(tree, data, scores, outputs, k);
      if (validation !== null) addTreeScores(tree, validation.data, validationScores!, outputs, k);
      iterationTrees.push(tree);
    }
    trees.push(iterationTrees);
    if (validation !== null && opts.earlyStopping !== false) {
      const loss = meanLoss(kind, validation.targets, validationScores!, outputs);
      validationLoss.push(loss);
      if (loss < best.loss) best = { loss, iterations: iteration + 1 };
      else if (iteration + 1 - best.iterations >= opts.earlyStopping.patience) {
        stoppedEarly = true;
        break;
      }
    }
  }
  trainLoss.push(meanLoss(kind, trainTargets, scores, outputs));
  const kept = validation === null ? trees.length : best.iterations;
  return {
    kind,
    binning,
    classes,
    baseScores,
    trees: trees.slice(0, kept),
    history: { trainLoss, validationLoss, iterations: kept, stoppedEarly },
  };
}

/** Adds a tree's leaf values using the grower's row segments (valid when every row was in the sample). */
function addLeafScores(workspace: GrowWorkspace, tree: RegressionTree, pass: GradientPass, k: number) {
  const { leafNodes, leafStarts, leafEnds, leafCount } = workspace;
  const { memory } = pass;
  memory.leafStarts.set(leafStarts.subarray(0, leafCount));
  memory.leafEnds.set(leafEnds.subarray(0, leafCount));
  for (let i = 0; i < leafCount; i++) memory.leafValues[i] = tree.value[leafNodes[i]!]!;
  pass.addLeaves(k, workspace.order.rowIndex, leafCount);
}

function fillRange(out: Uint32Array, n: number): number {
  for (let i = 0; i < n; i++) out[i] = i;
  return n;
}

function splitRows(
  rows: number,
  earlyStopping: false | { readonly validationFraction: number },
  random: () => number,
): { trainRows: Uint32Array | null; validationRows: Uint32Array | null } {
  if (earlyStopping === false) return { trainRows: null, validationRows: null };
  const validationCount = Math.max(1, Math.round(rows * earlyStopping.validationFraction));
  if (validationCount >= rows) throw new RangeError(`too few rows (${rows}) for a validation split`);
  const isValidation = new Uint8Array(rows);
  const picked = new Uint32Array(validationCount);
  sampleSorted(rows, validationCount, random, picked);
  for (const r of picked) isValidation[r] = 1;
  const trainRows = new Uint32Array(rows - validationCount);
  let t = 0;
  for (let r = 0; r < rows; r++) if (isValidation[r] === 0) trainRows[t++] = r;
  return { trainRows, validationRows: picked };
}

function subsetTable(table: Table, rows: Uint32Array | null): Table {
  return rows === null ? table : takeRows(table, rows);
}

function subsetTargets(target: Target, rows: Uint32Array | null): LossTargets {
  const picked = rows === null ? target : takeTarget(target, rows);
  return picked.kind === 'classification'
    ? { labels: picked.labels, values: null }
    : { labels: null, values: picked.values };
}
