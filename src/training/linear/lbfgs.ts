/**
 * Limited-memory BFGS minimiser (pure, deterministic) with a strong-Wolfe line search
 * (Nocedal & Wright, algorithms 3.5/3.6, cubic interpolation safeguarded by bisection).
 * Every accepted step satisfies the Armijo condition, so the objective decreases monotonically.
 */

/** Writes the gradient at `x` into `gradient` and returns the objective's value there. */
export type Objective = (x: Float64Array, gradient: Float64Array) => number;

export interface LbfgsOptions {
  /** Stop when the Euclidean norm of the gradient is at most this. */
  readonly gradientTolerance?: number;
  readonly maxIterations?: number;
  /** Number of correction pairs kept. */
  readonly memory?: number;
}

export type LbfgsStatus = 'converged' | 'max-iterations' | 'line-search-failed';

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly gradientNorm: number;
  readonly iterations: number;
  readonly status: LbfgsStatus;
  /** Objective value at the start and after each iteration (non-increasing). */
  readonly history: readonly number[];
}

const ARMIJO = 1e-4;
const CURVATURE = 0.9;
const MAX_LINE_SEARCH_STEPS = 40;

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

interface Probe {
  alpha: number;
  value: number;
  slope: number;
}

/** Minimiser of the cubic through two probes, or the midpoint when it is unsafe. */
function interpolate(lo: Probe, hi: Probe): number {
  const d1 = lo.slope + hi.slope - (3 * (lo.value - hi.value)) / (lo.alpha - hi.alpha);
  const radicand = d1 * d1 - lo.slope * hi.slope;
  const mid = (lo.alpha + hi.alpha) / 2;
  if (!(radicand >= 0)) return mid;
  const d2 = Math.sign(hi.alpha - lo.alpha) * Math.sqrt(radicand);
  const alpha = hi.alpha - ((hi.alpha - lo.alpha) * (hi.slope + d2 - d1)) / (hi.slope - lo.slope + 2 * d2);
  const low = Math.min(lo.alpha, hi.alpha);
  const span = Math.abs(hi.alpha - lo.alpha);
  if (!Number.isFinite(alpha) || alpha < low + 0.1 * span || alpha > low + 0.9 * span) return mid;
  return alpha;
}

export function minimizeLbfgs(
  objective: Objective,
  start: Float64Array,
  options: LbfgsOptions = {},
): LbfgsResult {
  const tolerance = options.gradientTolerance ?? 1e-6;
  const maxIterations = options.maxIterations ?? 500;
  const memory = options.memory ?? 10;
  const n = start.length;
  const x = Float64Array.from(start);
  const gradient = new Float64Array(n);
  const direction = new Float64Array(n);
  const trialX = new Float64Array(n);
  const trialGradient = new Float64Array(n);
  const s = Array.from({ length: memory }, () => new Float64Array(n));
  const y = Array.from({ length: memory }, () => new Float64Array(n));
  const rho = new Float64Array(memory);
  const alphas = new Float64Array(memory);
  let stored = 0;
  let newest = -1;

  let value = objective(x, gradient);
  const history = [value];
  let gradientNorm = Math.sqrt(dot(gradient, gradient));
  let iterations = 0;
  let status: LbfgsStatus = 'max-iterations';

  // Evaluates the objective along the current direction; the point lands in trialX/trialGradient.
  let lastAlpha = Number.NaN;
  let lastValue = Number.NaN;
  const probe = (alpha: number): Probe => {
    for (let i = 0; i < n; i++) trialX[i] = x[i]! + alpha * direction[i]!;
    lastValue = objective(trialX, trialGradient);
    lastAlpha = alpha;
    return { alpha, value: lastValue, slope: dot(trialGradient, direction) };
  };

  const lineSearch = (initial: number, origin: Probe): number => {
    const sufficient = (p: Probe) => p.value <= origin.value + ARMIJO * p.alpha * origin.slope;
    const curved = (p: Probe) => Math.abs(p.slope) <= -CURVATURE * origin.slope;
    const zoom = (lowStart: Probe, highStart: Probe): number => {
      let lo = lowStart;
      let hi = highStart;
      for (let step = 0; step < MAX_LINE_SEARCH_STEPS; step++) {
        const p = probe(interpolate(lo, hi));
        if (!sufficient(p) || p.value >= lo.value) hi = p;
        else {
          if (curved(p)) return p.alpha;
          if (p.slope * (hi.alpha - lo.alpha) >= 0) hi = lo;
          lo = p;
        }
      }
      return lo.alpha; // the best point with sufficient decrease found (0 if none)
    };
    let previous = origin;
    let alpha = initial;
    for (let step = 0; step < MAX_LINE_SEARCH_STEPS; step++) {
      const p = probe(alpha);
      if (!Number.isFinite(p.value) || !sufficient(p) || (step > 0 && p.value >= previous.value)) {
        if (!Number.isFinite(p.value)) {
          alpha /= 4;
          continue;
        }
        return zoom(previous, p);
      }
      if (curved(p)) return p.alpha;
      if (p.slope >= 0) return zoom(p, previous);
      previous = p;
      alpha *= 2;
    }
    return previous.alpha;
  };

  while (iterations < maxIterations) {
    if (gradientNorm <= tolerance) {
      status = 'converged';
      break;
    }
    // Two-loop recursion: direction = -H·gradient.
    for (let i = 0; i < n; i++) direction[i] = -gradient[i]!;
    for (let k = 0; k < stored; k++) {
      const slot = (newest - k + memory) % memory;
      alphas[slot] = rho[slot]! * dot(s[slot]!, direction);
      for (let i = 0; i < n; i++) direction[i]! -= alphas[slot]! * y[slot]![i]!;
    }
    if (stored > 0) {
      const yNewest = y[newest]!;
      const scale = dot(s[newest]!, yNewest) / dot(yNewest, yNewest);
      for (let i = 0; i < n; i++) direction[i]! *= scale;
    }
    for (let k = stored - 1; k >= 0; k--) {
      const slot = (newest - k + memory) % memory;
      const beta = rho[slot]! * dot(y[slot]!, direction);
      for (let i = 0; i < n; i++) direction[i]! += (alphas[slot]! - beta) * s[slot]![i]!;
    }
    let slope = dot(gradient, direction);
    if (!(slope < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      for (let i = 0; i < n; i++) direction[i] = -gradient[i]!;
      stored = 0;
      slope = -gradientNorm * gradientNorm;
    }
    const initial = stored === 0 ? Math.min(1, 1 / gradientNorm) : 1;
    const alpha = lineSearch(initial, { alpha: 0, value, slope });
    if (alpha === 0) {
      status = 'line-search-failed';
      break;
    }
    if (alpha !== lastAlpha) probe(alpha);
    const slot = (newest + 1) % memory;
    const sSlot = s[slot]!;
    const ySlot = y[slot]!;
    for (let i = 0; i < n; i++) {
      sSlot[i] = trialX[i]! - x[i]!;
      ySlot[i] = trialGradient[i]! - gradient[i]!;
    }
    const curvature = dot(sSlot, ySlot);
    if (curvature > 1e-12 * Math.sqrt(dot(sSlot, sSlot) * dot(ySlot, ySlot))) {
      rho[slot] = 1 / curvature;
      newest = slot;
      stored = Math.min(stored + 1, memory);
    } else if (stored === memory) {
      stored--; // the rejected pair overwrote the oldest one
    }
    x.set(trialX);
    gradient.set(trialGradient);
    value = lastValue;
    gradientNorm = Math.sqrt(dot(gradient, gradient));
    iterations++;
    history.push(value);
  }
  return { x, value, gradientNorm, iterations, status, history };
}
