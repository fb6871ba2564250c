/**
 * Search strategies: which configurations to try, in rounds. Grid and random plan one round;
 * successive halving plans a round per rung from the previous rung's outcomes. Plans depend only on
 * the options (and, for halving, on the previous outcomes, themselves deterministic), so the ids are
 * stable and an interrupted search can be resumed from its finished trials.
 */
import { type Random, seededRandom } from '../random.js';
import { isBetter } from './metrics.js';
import type {
  AutomlOptions,
  Family,
  ParamDomain,
  ParamValue,
  ParamValues,
  TrialOutcome,
  TrialPlan,
} from './types.js';

/** Grid: points per numeric range (min, middle, max; the middle is geometric for log ranges). */
export const GRID_POINTS = 3;
/** Successive halving: each rung keeps the best 1/ETA of its trials and gives them ETA× the budget. */
export const HALVING_ETA = 3;
/** Random: draws tried per trial before a family's space is taken as exhausted (choice-only spaces). */
const MAX_DRAWS = 100;

export interface Planner {
  /** The trials of the next round given the outcomes of the previous one; [] when the search is over. */
  next(previous: readonly TrialOutcome[]): TrialPlan[];
  /** The space held fewer distinct configurations than maxTrials (grid and random). */
  readonly exhausted: boolean;
}

interface Candidate {
  readonly family: Family;
  readonly params: ParamValues;
}

function families(options: AutomlOptions): Family[] {
  return (Object.keys(options.searchSpace) as Family[]).filter((family) => options.searchSpace[family]);
}

function domains(options: AutomlOptions, family: Family): [string, ParamDomain][] {
  return Object.entries(options.searchSpace[family] ?? {});
}

export function sampleDomain(domain: ParamDomain, random: Random): ParamValue {
  const u = random();
  if (domain.type === 'choice') return domain.values[Math.floor(u * domain.values.length)]!;
  if (domain.type === 'float') {
    if (!domain.log) return domain.min + u * (domain.max - domain.min);
    return Math.exp(Math.log(domain.min) + u * (Math.log(domain.max) - Math.log(domain.min)));
  }
  // Integers: uniform over [min, max + 1) (in log space for log ranges), floored.
  const value = domain.log
    ? Math.exp(Math.log(domain.min) + u * (Math.log(domain.max + 1) - Math.log(domain.min)))
    : domain.min + u * (domain.max - domain.min + 1);
  return Math.min(domain.max, Math.floor(value));
}

export function gridPoints(domain: ParamDomain): ParamValue[] {
  if (domain.type === 'choice') return [...domain.values];
  const points = Array.from({ length: GRID_POINTS }, (_, i) => {
    const t = i / (GRID_POINTS - 1);
    if (t === 0 || t === 1) return t === 0 ? domain.min : domain.max; // exact ends, no rounding
    return domain.log
      ? Math.exp(Math.log(domain.min) + t * (Math.log(domain.max) - Math.log(domain.min)))
      : domain.min + t * (domain.max - domain.min);
  });
  return [...new Set(domain.type === 'int' ? points.map(Math.round) : points)];
}

/** Families take turns; a family that has no configuration left gives its turn to the next. */
function interleave(perFamily: Candidate[][], limit: number): Candidate[] {
  const out: Candidate[] = [];
  const cursors = perFamily.map(() => 0);
  while (out.length < limit && perFamily.some((list, f) => cursors[f]! < list.length)) {
    perFamily.forEach((list, f) => {
      if (out.length < limit && cursors[f]! < list.length) out.push(list[cursors[f]!++]!);
    });
  }
  return out;
}

/**
 * Grid: the cartesian product per family. A product larger than the family's share of maxTrials is
 * thinned to evenly spaced configurations in lexicographic order (the last parameter varies fastest).
 */
function gridCandidates(options: AutomlOptions): { candidates: Candidate[]; exhausted: boolean } {
  const axes = families(options).map((family) => {
    const params = domains(options, family);
    return { family, names: params.map(([name]) => name), points: params.map(([, d]) => gridPoints(d)) };
  });
  const totals = axes.map(({ points }) => points.reduce((product, values) => product * values.length, 1));
  // Each family's share: deal the maxTrials slots round robin among families with configurations left.
  const shares = totals.map(() => 0);
  for (let dealt = 0, progress = true; dealt < options.maxTrials && progress; ) {
    progress = false;
    totals.forEach((total, f) => {
      if (dealt < options.maxTrials && shares[f]! < total) {
        shares[f]!++;
        dealt++;
        progress = true;
      }
    });
  }
  const perFamily = axes.map(({ family, names, points }, f) => {
    const total = totals[f]!;
    const share = shares[f]!;
    return Array.from({ length: share }, (_, j): Candidate => {
      let index = Math.floor((j * total) / share);
      const params: Record<string, ParamValue> = {};
      for (let p = names.length - 1; p >= 0; p--) {
        const values = points[p]!;
        params[names[p]!] = values[index % values.length]!;
        index = Math.floor(index / values.length);
      }
      return { family, params: Object.fromEntries(names.map((name) => [name, params[name]!])) };
    });
  });
  const exhausted = totals.reduce((sum, total) => sum + total, 0) <= options.maxTrials;
  return { candidates: interleave(perFamily, options.maxTrials), exhausted };
}

/** Random: families alternate; each trial draws every parameter from its domain, skipping repeats. */
function randomCandidates(
  options: AutomlOptions,
  count: number,
): { candidates: Candidate[]; exhausted: boolean } {
  const random = seededRandom(options.seed);
  const names = families(options);
  const seen = new Set<string>();
  const open = new Set(names);
  const candidates: Candidate[] = [];
  for (let turn = 0; candidates.length < count && open.size > 0; turn++) {
    const family = names[turn % names.length]!;
    if (!open.has(family)) continue;
    let drawn: Candidate | undefined;
    for (let draw = 0; draw < MAX_DRAWS && drawn === undefined; draw++) {
      const params = Object.fromEntries(
        domains(options, family).map(([name, d]) => [name, sampleDomain(d, random)]),
      );
      const key = JSON.stringify([family, params]);
      if (!seen.has(key)) {
        seen.add(key);
        drawn = { family, params };
      }
    }
    if (drawn === undefined) open.delete(family);
    else candidates.push(drawn);
  }
  return { candidates, exhausted: candidates.length < count };
}

function oneRound(candidates: readonly Candidate[], exhausted: boolean): Planner {
  let planned = false;
  return {
    exhausted,
    next() {
      if (planned) return [];
      planned = true;
      return candidates.map((candidate, id) => ({ id, ...candidate }));
    },
  };
}

/** Rungs after the first: the largest R with ETA^R <= the first rung's size; budgets ETA^(r - R). */
export function halvingRungs(configurations: number): number {
  let rungs = 0;
  while (HALVING_ETA ** (rungs + 1) <= configurations) rungs++;
  return rungs;
}

/**
 * Successive halving: maxTrials random configurations at budget ETA^-R, then the best
 * floor(n / ETA) (at least one) of each rung again with ETA× the budget, up to the full budget.
 */
function halving(options: AutomlOptions): Planner {
  const { candidates } = randomCandidates(options, options.maxTrials);
  const lastRung = halvingRungs(candidates.length);
  let nextId = 0;
  let rung = -1;
  const plan = (list: readonly Candidate[]): TrialPlan[] => {
    rung++;
    const budgetFraction = HALVING_ETA ** (rung - lastRung);
    return list.map(({ family, params }) => ({ id: nextId++, family, params, rung, budgetFraction }));
  };
  return {
    exhausted: false,
    next(previous) {
      if (rung < 0) return plan(candidates);
      if (rung >= lastRung) return [];
      const ranked = previous
        .filter((outcome) => outcome.status === 'succeeded')
        .sort((a, b) => compareOutcomes(options, a, b));
      const keep = Math.max(1, Math.floor(previous.length / HALVING_ETA));
      return ranked.length === 0 ? [] : plan(ranked.slice(0, keep));
    },
  };
}

/** Orders succeeded outcomes best first: higher rung, then better score, then lower id. */
export function compareOutcomes(options: AutomlOptions, a: TrialOutcome, b: TrialOutcome): number {
  const rungs = (b.rung ?? 0) - (a.rung ?? 0);
  if (rungs !== 0) return rungs;
  const scoreA = a.score ?? Number.NaN;
  const scoreB = b.score ?? Number.NaN;
  if (isBetter(options.metric, scoreA, scoreB)) return -1;
  if (isBetter(options.metric, scoreB, scoreA)) return 1;
  return a.id - b.id;
}

export function createPlanner(options: AutomlOptions): Planner {
  switch (options.strategy) {
    case 'grid': {
      const { candidates, exhausted } = gridCandidates(options);
      return oneRound(candidates, exhausted);
    }
    case 'random': {
      const { candidates, exhausted } = randomCandidates(options, options.maxTrials);
      return oneRound(candidates, exhausted);
    }
    case 'halving':
      return halving(options);
  }
}
