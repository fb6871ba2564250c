/**
 * Row splits for the search: a (stratified) holdout and (stratified) k-fold cross-validation, all
 * deterministic for a seed.
 */
import { type Random, seededRandom } from '../random.js';
import type { Target } from '../table.js';

export interface Fold {
  /** Row indices into the searched table, ascending. */
  readonly train: Uint32Array;
  readonly validation: Uint32Array;
}

export interface HoldoutSplit {
  readonly train: Uint32Array;
  readonly holdout: Uint32Array;
}

export function targetRows(target: Target): number {
  return target.kind === 'classification' ? target.labels.length : target.values.length;
}

function shuffle(indices: number[], random: Random): number[] {
  for (let i = indices.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [indices[i], indices[j]] = [indices[j]!, indices[i]!];
  }
  return indices;
}

/** Rows grouped by class (classification) or one group of all rows (regression), each shuffled. */
function shuffledGroups(target: Target, random: Random): number[][] {
  if (target.kind === 'regression') {
    return [
      shuffle(
        Array.from({ length: target.values.length }, (_, i) => i),
        random,
      ),
    ];
  }
  const groups: number[][] = target.classes.map(() => []);
  target.labels.forEach((label, row) => {
    groups[label]!.push(row);
  });
  return groups.map((group) => shuffle(group, random));
}

function ascending(indices: number[]): Uint32Array {
  return Uint32Array.from(indices).sort();
}

/** Rows held out per class: round(fraction × class rows), so the class proportions are kept. */
export function holdoutCount(classRows: number, fraction: number): number {
  return Math.round(classRows * fraction);
}

export function holdoutSplit(target: Target, fraction: number, seed: number): HoldoutSplit {
  const train: number[] = [];
  const holdout: number[] = [];
  for (const group of shuffledGroups(target, seededRandom(seed))) {
    const held = holdoutCount(group.length, fraction);
    holdout.push(...group.slice(0, held));
    train.push(...group.slice(held));
  }
  return { train: ascending(train), holdout: ascending(holdout) };
}

/**
 * k folds over `rows` (indices into the target). Classification: each class's rows are dealt round
 * robin, continuing where the previous class stopped, so every fold holds each class's share to
 * within one row and fold sizes differ by at most one. Regression: shuffled rows dealt round robin.
 */
export function kFolds(target: Target, k: number, seed: number): Fold[] {
  const assignment: number[][] = Array.from({ length: k }, () => []);
  let next = 0;
  for (const group of shuffledGroups(target, seededRandom(seed))) {
    for (const row of group) {
      assignment[next]!.push(row);
      next = (next + 1) % k;
    }
  }
  return assignment.map((validation, fold) => ({
    train: ascending(assignment.flatMap((rows, other) => (other === fold ? [] : rows))),
    validation: ascending(validation),
  }));
}
