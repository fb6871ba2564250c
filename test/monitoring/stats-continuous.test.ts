/**
 * The continuous drift statistics against SciPy/numpy reference values committed in
 * reference/continuous.json (regenerate with reference/generate_continuous.py), plus properties.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  histogram,
  jensenShannon,
  type KsMethod,
  ks2samp,
  normalisedWasserstein,
  psi,
  wasserstein1,
} from '../../src/monitoring/stats/index.js';

interface GenSpec {
  readonly n: number;
  readonly mul: number;
  readonly mod: number;
  readonly scale: number;
  readonly offset: number;
}
interface KsRef {
  readonly statistic: number;
  readonly pvalue: number | null;
  readonly method: 'exact' | 'asymp';
}
interface PsiRef {
  readonly bins: number;
  readonly epsilon: number;
  readonly psi: number;
  readonly edges: readonly (number | null)[];
  readonly referenceProportions: readonly number[];
  readonly currentProportions: readonly number[];
}
interface Case {
  readonly name: string;
  readonly a?: number[];
  readonly b?: number[];
  readonly genA?: GenSpec;
  readonly genB?: GenSpec;
  readonly ks: Readonly<Record<KsMethod, KsRef>>;
  readonly wasserstein: number;
  readonly normalisedWasserstein: number | null;
  readonly psi: readonly PsiRef[];
  readonly histogram: {
    readonly bins: number;
    readonly edges: readonly number[];
    readonly reference: readonly number[];
    readonly current: readonly number[];
    readonly js: number;
  };
}
interface Reference {
  readonly cases: readonly Case[];
  readonly jensenShannon: readonly {
    readonly name: string;
    readonly p: number[];
    readonly q: number[];
    readonly base2: number;
    readonly baseE: number;
  }[];
}

const reference = JSON.parse(
  readFileSync(new URL('./reference/continuous.json', import.meta.url), 'utf8'),
) as Reference;

/** The generator's closed form, evaluated in the same float64 operations as the Python side. */
function generate(spec: GenSpec): Float64Array {
  const out = new Float64Array(spec.n);
  for (let i = 0; i < spec.n; i++) out[i] = ((i * spec.mul) % spec.mod) * spec.scale + spec.offset;
  return out;
}

function samples(c: Case): [Float64Array, Float64Array] {
  const a = c.genA ? generate(c.genA) : Float64Array.from(c.a!);
  const b = c.genB ? generate(c.genB) : Float64Array.from(c.b!);
  return [a, b];
}

const STAT_ABS = 1e-9;
const P_REL = 1e-6;

/** p-values: 1e-6 relative, or absolute below 1e-300; JSON null stands for NaN. */
function expectPvalue(actual: number, expected: number | null): void {
  if (expected === null) {
    expect(actual).toBeNaN();
    return;
  }
  if (expected < 1e-300) expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-300);
  else expect(Math.abs(actual - expected) / expected).toBeLessThanOrEqual(P_REL);
}

const edge = (e: number | null, i: number): number =>
  e ?? (i === 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY);

describe('continuous statistics match SciPy', () => {
  describe.each(reference.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const [a, b] = samples(c);

    it.each(['auto', 'exact', 'asymp'] as const)('ks2samp method=%s', (method) => {
      const ref = c.ks[method];
      const got = ks2samp(a, b, { method });
      expect(Math.abs(got.statistic - ref.statistic)).toBeLessThanOrEqual(STAT_ABS);
      expectPvalue(got.pvalue, ref.pvalue);
      expect(got.method).toBe(ref.method);
    });

    it('wasserstein1 and normalisedWasserstein', () => {
      expect(Math.abs(wasserstein1(a, b) - c.wasserstein)).toBeLessThanOrEqual(
        STAT_ABS * Math.max(1, c.wasserstein),
      );
      const nw = normalisedWasserstein(a, b);
      if (c.normalisedWasserstein === null) expect(nw).toBe(Number.POSITIVE_INFINITY);
      else expect(Math.abs(nw - c.normalisedWasserstein)).toBeLessThanOrEqual(STAT_ABS * Math.max(1, nw));
    });

    it('psi with its bins and proportions', () => {
      for (const ref of c.psi) {
        const got = psi(a, b, { bins: ref.bins, epsilon: ref.epsilon });
        expect(got.edges).toEqual(ref.edges.map(edge));
        expect(got.referenceProportions.length).toBe(ref.referenceProportions.length);
        for (let i = 0; i < ref.referenceProportions.length; i++) {
          expect(got.referenceProportions[i]).toBeCloseTo(ref.referenceProportions[i]!, 12);
          expect(got.currentProportions[i]).toBeCloseTo(ref.currentProportions[i]!, 12);
        }
        expect(Math.abs(got.psi - ref.psi)).toBeLessThanOrEqual(STAT_ABS);
      }
    });

    it('histogram and Jensen-Shannon on it', () => {
      const ref = c.histogram;
      const got = histogram(a, b, ref.bins);
      expect(got.edges).toEqual(ref.edges);
      expect(got.reference).toEqual(ref.reference);
      expect(got.current).toEqual(ref.current);
      expect(Math.abs(jensenShannon(got.reference, got.current) - ref.js)).toBeLessThanOrEqual(STAT_ABS);
    });
  });

  it.each(reference.jensenShannon.map((c) => [c.name, c] as const))('jensenShannon %s', (_name, c) => {
    expect(Math.abs(jensenShannon(c.p, c.q) - c.base2)).toBeLessThanOrEqual(STAT_ABS);
    expect(Math.abs(jensenShannon(c.p, c.q, { base: Math.E }) - c.baseE)).toBeLessThanOrEqual(STAT_ABS);
  });
});

const sample = fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 60 });
const smallInts = fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 40 });
const anySample = fc.oneof(sample, smallInts);

describe('continuous statistics: properties', () => {
  it('KS statistic is in [0, 1], symmetric, and 0 for identical samples', () => {
    fc.assert(
      fc.property(anySample, anySample, (a, b) => {
        const ab = ks2samp(a, b);
        const ba = ks2samp(b, a);
        expect(ab.statistic).toBeGreaterThanOrEqual(0);
        expect(ab.statistic).toBeLessThanOrEqual(1);
        expect(ab.pvalue).toBeGreaterThanOrEqual(0);
        expect(ab.pvalue).toBeLessThanOrEqual(1);
        expect(ba.statistic).toBe(ab.statistic);
        expect(ba.pvalue).toBeCloseTo(ab.pvalue, 12);
        const same = ks2samp(a, [...a].reverse());
        expect(same.statistic).toBe(0);
        expect(same.pvalue).toBe(1);
      }),
    );
  });

  it('W1 is symmetric, 0 for identical samples, and |c| for a translation by c', () => {
    const ints = fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(ints, ints, fc.integer({ min: -500, max: 500 }), (a, b, c) => {
        expect(wasserstein1(a, b)).toBeCloseTo(wasserstein1(b, a), 9);
        expect(wasserstein1(a, a)).toBe(0);
        // Integer data keeps the translated sample exact, so the identity holds to rounding.
        expect(
          wasserstein1(
            a,
            a.map((x) => x + c),
          ),
        ).toBeCloseTo(Math.abs(c), 9);
      }),
    );
  });

  it('PSI is 0 for identical samples', () => {
    fc.assert(
      fc.property(anySample, fc.integer({ min: 1, max: 20 }), (a, bins) => {
        expect(psi(a, a, { bins }).psi).toBe(0);
      }),
    );
  });

  it('Jensen-Shannon distance is in [0, 1] and 0 for identical inputs', () => {
    const counts = fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(counts, counts, (p0, q0) => {
        const n = Math.min(p0.length, q0.length);
        const p = p0.slice(0, n);
        const q = q0.slice(0, n);
        p[0] = (p[0] ?? 0) + 1;
        q[0] = (q[0] ?? 0) + 1;
        const d = jensenShannon(p, q);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(1);
        expect(jensenShannon(p, p)).toBe(0);
      }),
    );
  });

  it('rejects NaN, empty input and mismatched lengths', () => {
    expect(() => ks2samp([], [1])).toThrow(/a must not be empty/);
    expect(() => ks2samp([1, Number.NaN], [1])).toThrow(/a\[1\] is NaN/);
    expect(() => wasserstein1([1, Number.POSITIVE_INFINITY], [1])).toThrow(/finite/);
    expect(() => jensenShannon([1, 2], [1])).toThrow(/same length/);
    expect(() => jensenShannon([0, 0], [1, 1])).toThrow(/positive sum/);
    expect(() => jensenShannon([-1, 2], [1, 1])).toThrow(/negative/);
  });

  it('does not mutate its inputs', () => {
    const a = new Float64Array([3, 1, 2]);
    ks2samp(a, [0, 5]);
    wasserstein1(a, [0]);
    psi(a, [1]);
    expect(Array.from(a)).toEqual([3, 1, 2]);
  });
});
