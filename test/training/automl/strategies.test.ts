/**
 * Strategies: deterministic plans with unique ids, grid discretisation and exhaustion, family
 * balance in random search, and successive halving promoting the best configurations.
 */
import { describe, expect, it } from 'vitest';
import { resolveAutomlOptions } from '../../../src/training/automl/options.js';
import { createPlanner, gridPoints, halvingRungs } from '../../../src/training/automl/strategies.js';
import type { AutomlInput, TrialOutcome, TrialPlan } from '../../../src/training/automl/types.js';

function options(input: Partial<AutomlInput>) {
  return resolveAutomlOptions({ task: 'classification', parallelism: 1, ...input }, { rows: 1000 });
}

function firstRound(input: Partial<AutomlInput>): TrialPlan[] {
  return createPlanner(options(input)).next([]);
}

describe('grid', () => {
  it('discretises ranges into min, middle and max (geometric middle for log ranges)', () => {
    const [low, middle, high] = gridPoints({ type: 'float', min: 0.01, max: 1, log: true }) as number[];
    expect([low, high]).toEqual([0.01, 1]);
    expect(middle).toBeCloseTo(0.1, 12);
    expect(gridPoints({ type: 'int', min: 1, max: 2 })).toEqual([1, 2]);
    expect(gridPoints({ type: 'choice', values: ['a', 'b'] })).toEqual(['a', 'b']);
  });

  it('plans the whole product when it fits and reports the space exhausted', () => {
    const planner = createPlanner(
      options({
        strategy: 'grid',
        searchSpace: {
          gbdt: {
            maxLeaves: { type: 'choice', values: [4, 8] },
            learningRate: { type: 'float', min: 0.1, max: 0.3 },
          },
          logistic: { l2: { type: 'choice', values: [0.01, 1] } },
        },
      }),
    );
    const plans = planner.next([]);
    expect(plans).toHaveLength(8);
    expect(planner.exhausted).toBe(true);
    expect(plans.slice(0, 4).map((plan) => plan.family)).toEqual(['gbdt', 'logistic', 'gbdt', 'logistic']);
    const keys = plans.map((plan) => JSON.stringify([plan.family, plan.params]));
    expect(new Set(keys).size).toBe(8);
    expect(planner.next([])).toEqual([]);
  });

  it('caps a large product at maxTrials, deterministically', () => {
    const plans = firstRound({ strategy: 'grid', maxTrials: 12 });
    expect(plans.map((plan) => plan.id)).toEqual([...Array(12).keys()]);
    expect(firstRound({ strategy: 'grid', maxTrials: 12 })).toEqual(plans);
    // logistic's single l2 axis has 3 points, gbdt takes the other 9 slots
    expect(plans.filter((plan) => plan.family === 'logistic')).toHaveLength(3);
  });
});

describe('random', () => {
  it('is deterministic for a seed, alternates families and draws within the domains', () => {
    const plans = firstRound({ maxTrials: 20, seed: 5 });
    expect(firstRound({ maxTrials: 20, seed: 5 })).toEqual(plans);
    expect(firstRound({ maxTrials: 20, seed: 6 })).not.toEqual(plans);
    expect(plans.filter((plan) => plan.family === 'gbdt')).toHaveLength(10);
    for (const plan of plans.filter((p) => p.family === 'gbdt')) {
      expect(plan.params.learningRate).toBeGreaterThanOrEqual(0.02);
      expect(plan.params.learningRate).toBeLessThanOrEqual(0.3);
      expect(Number.isInteger(plan.params.iterations)).toBe(true);
    }
  });

  it('stops when a choice-only space has no new configuration', () => {
    const planner = createPlanner(
      options({ maxTrials: 10, searchSpace: { logistic: { l2: { type: 'choice', values: [0.1, 1] } } } }),
    );
    expect(planner.next([])).toHaveLength(2);
    expect(planner.exhausted).toBe(true);
  });
});

describe('successive halving', () => {
  const succeeded = (plan: TrialPlan, score: number): TrialOutcome => ({
    ...plan,
    status: 'succeeded',
    score,
    metrics: {},
    durationMs: 1,
  });

  it('keeps the best third per rung with three times the budget, up to the full budget', () => {
    const planner = createPlanner(options({ strategy: 'halving', maxTrials: 30, metric: 'log_loss' }));
    expect(halvingRungs(30)).toBe(3);
    const rounds: TrialPlan[][] = [planner.next([])];
    // log loss: lower is better; score each trial by its learning rate (or l2), so the best is known
    const score = (plan: TrialPlan) => Number(plan.params.learningRate ?? plan.params.l2);
    for (
      let round = rounds[0]!;
      round.length > 0;
      round = planner.next(round.map((p) => succeeded(p, score(p))))
    ) {
      if (round !== rounds[0]) rounds.push(round);
    }
    expect(rounds.map((round) => round.length)).toEqual([30, 10, 3, 1]);
    expect(rounds.map((round) => round[0]!.budgetFraction)).toEqual([1 / 27, 1 / 9, 1 / 3, 1]);
    expect(rounds.map((round) => round[0]!.rung)).toEqual([0, 1, 2, 3]);
    const ids = rounds.flat().map((plan) => plan.id);
    expect(ids).toEqual([...Array(44).keys()]);
    const best = [...rounds[0]!].sort((a, b) => score(a) - score(b));
    expect(rounds[1]!.map((plan) => plan.params)).toEqual(best.slice(0, 10).map((plan) => plan.params));
    expect(rounds[3]![0]!.params).toEqual(best[0]!.params);
  });

  it('promotes only succeeded trials and ends when a rung has none', () => {
    const planner = createPlanner(options({ strategy: 'halving', maxTrials: 9 }));
    const first = planner.next([]);
    const failed = first.map(
      (plan): TrialOutcome => ({ ...plan, status: 'failed', metrics: {}, durationMs: 1 }),
    );
    expect(planner.next(failed)).toEqual([]);
  });
});
