/**
 * Special functions behind the discrete tests' p-values: log-gamma, the regularised incomplete gamma
 * functions P(a, x) and Q(a, x), the complementary error function, and the chi-squared and standard
 * normal survival functions built on them. Pure and allocation-free.
 *
 * Accuracy (checked against SciPy and mpmath in test/monitoring/stats-discrete.test.ts): erf/erfc ~1e-15
 * relative; the normal tail ~1e-13 (rounding of z/√2 grows as z², as in SciPy); P and Q ~1e-13 for a up
 * to 1000 in the far tails (SciPy itself is off by up to ~4e-13 there; these agree better with mpmath).
 * Below ~1e-308 results are subnormal and lose relative precision, as SciPy's do (SciPy often returns
 * 0 there); callers compare such values absolutely.
 */

// W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969),
// coefficients as in SPECFUN's CALERF (written as the shortest literals denoting the same doubles).
const ERF_A = [
  3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315,
];
const ERF_B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
const ERF_C = [
  0.5641884969886701, 8.883149794388375, 66.11919063714163, 298.6351381974001, 881.952221241769,
  1712.0476126340707, 2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8,
];
const ERF_D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597,
  4362.619090143247, 3439.3676741437216, 1230.3393548037493,
];
const ERF_P = [
  0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.01608378514874228, 0.0006587491615298378,
  0.016315387137302097,
];
const ERF_Q = [
  2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918,
];
const SQRPI_INV = 0.5641895835477563; // 1/sqrt(pi)
/** Beyond this erfc(x) is below the smallest subnormal double. */
const ERFC_UNDERFLOW = 27.3;

/** exp(-y*y) without the rounding error of forming y*y first (Cody's splitting). */
function expMinusSquare(y: number): number {
  const ysq = Math.trunc(y * 16) / 16;
  const del = (y - ysq) * (y + ysq);
  return Math.exp(-ysq * ysq) * Math.exp(-del);
}

/** erf(x) for |x| ≤ 0.46875, directly (so that tiny arguments keep full relative precision). */
function erfSmall(x: number): number {
  const ysq = Math.abs(x) > 1.11e-16 ? x * x : 0;
  let num = ERF_A[4]! * ysq;
  let den = ysq;
  for (let i = 0; i < 3; i++) {
    num = (num + ERF_A[i]!) * ysq;
    den = (den + ERF_B[i]!) * ysq;
  }
  return (x * (num + ERF_A[3]!)) / (den + ERF_B[3]!);
}

/** Complementary error function erfc(x) = 1 - erf(x), accurate in relative terms for large x. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const y = Math.abs(x);
  let result: number;
  if (y <= 0.46875) return 1 - erfSmall(x);
  if (y <= 4) {
    let num = ERF_C[8]! * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + ERF_C[i]!) * y;
      den = (den + ERF_D[i]!) * y;
    }
    result = ((num + ERF_C[7]!) / (den + ERF_D[7]!)) * expMinusSquare(y);
  } else if (y >= ERFC_UNDERFLOW) {
    result = 0;
  } else {
    const ysq = 1 / (y * y);
    let num = ERF_P[5]! * ysq;
    let den = ysq;
    for (let i = 0; i < 4; i++) {
      num = (num + ERF_P[i]!) * ysq;
      den = (den + ERF_Q[i]!) * ysq;
    }
    const r = (ysq * (num + ERF_P[4]!)) / (den + ERF_Q[4]!);
    // Multiply the small factors last so that subnormal results keep as many bits as possible.
    result = ((SQRPI_INV - r) / y) * expMinusSquare(y);
  }
  return x < 0 ? 2 - result : result;
}

/** Error function erf(x). */
export function erf(x: number): number {
  if (Math.abs(x) <= 0.46875) return erfSmall(x);
  return x < 0 ? erfc(-x) - 1 : 1 - erfc(x);
}

/**
 * Standard normal survival function 1 - Φ(z) = erfc(z/√2)/2, as SciPy's `norm.sf` (which evaluates
 * `ndtr(-z)` the same way).
 */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const t = z * Math.SQRT1_2;
  if (Math.abs(t) < Math.SQRT1_2) return 0.5 - 0.5 * erf(t);
  return 0.5 * erfc(t);
}

// Numerical Recipes (3rd ed.) gammln: Lanczos, g = 671/128, 14 terms; ~1e-15 absolute for x > 0.
const LANCZOS = [
  57.15623566586292, -59.59796035547549, 14.136097974741746, -0.4919138160976202, 0.00003399464998481189,
  0.00004652362892704858, -0.00009837447530487956, 0.0001580887032249125, -0.00021026444172410488,
  0.00021743961811521265, -0.0001643181065367639, 0.00008441822398385275, -0.000026190838401581408,
  0.0000036899182659531625,
];
const LN_SQRT_2PI = 0.9189385332046728;

/** Stirling's correction S(a) = lnΓ(a) − [(a − ½)ln a − a + ½ln 2π], for a ≥ 10 (error < 1e-17). */
function stirlingCorrection(a: number): number {
  const r = 1 / a;
  const r2 = r * r;
  return (
    r *
    (1 / 12 +
      r2 *
        (-1 / 360 +
          r2 * (1 / 1260 + r2 * (-1 / 1680 + r2 * (1 / 1188 + r2 * (-691 / 360360 + r2 * (1 / 156)))))))
  );
}

/** Natural log of the gamma function for a > 0. */
export function logGamma(a: number): number {
  if (!(a > 0)) return a === 0 ? Number.POSITIVE_INFINITY : Number.NaN;
  if (a >= 10) return (a - 0.5) * Math.log(a) - a + LN_SQRT_2PI + stirlingCorrection(a);
  if (a === 1 || a === 2) return 0;
  let y = a;
  const tmp0 = a + 5.2421875;
  const tmp = (a + 0.5) * Math.log(tmp0) - tmp0;
  let ser = 0.9999999999999971;
  for (let j = 0; j < 14; j++) {
    y += 1;
    ser += LANCZOS[j]! / y;
  }
  return tmp + Math.log((2.5066282746310007 * ser) / a);
}

/** log(1 + t) − t, accurate near t = 0 where the subtraction would cancel. */
export function log1pmx(t: number): number {
  if (Math.abs(t) >= 0.5) return Math.log1p(t) - t;
  // −t²/2 + t³/3 − t⁴/4 …
  let term = t;
  let sum = 0;
  for (let k = 2; k < 200; k++) {
    term *= -t;
    const add = term / k;
    sum += add;
    if (Math.abs(add) <= Math.abs(sum) * 1e-17) break;
  }
  return sum;
}

/**
 * x^a e^(−x) / Γ(a), the common prefactor of P and Q. For large a it is formed from log1pmx and
 * Stirling's correction so that a·ln x − x − lnΓ(a) never cancels catastrophically (as SciPy's
 * igam_fac does with a Lanczos sum).
 */
function igamPrefactor(a: number, x: number): number {
  if (a < 10) return Math.exp(a * Math.log(x) - x - logGamma(a));
  // Near x = a, a·ln(x/a) + (a − x) cancels: use log1pmx there; elsewhere the direct form is exact enough
  // (log1pmx would lose 1 + t for x ≪ a).
  const t = (x - a) / a;
  const main = Math.abs(t) < 0.4 ? a * log1pmx(t) : a * Math.log(x / a) + (a - x);
  const logFac = main - stirlingCorrection(a);
  return Math.exp(logFac) * Math.sqrt(a / (2 * Math.PI));
}

const MACHEP = 1.1102230246251565e-16;
const BIG = 4503599627370496.0;
const BIGINV = 2.220446049250313e-16;
const MAX_ITER = 100_000;

/** Series for P(a, x) (converges fast when x < a + 1). */
function igamSeries(a: number, x: number): number {
  const fac = igamPrefactor(a, x);
  if (fac === 0) return 0;
  let r = a;
  let c = 1;
  let ans = 1;
  for (let i = 0; i < MAX_ITER; i++) {
    r += 1;
    c *= x / r;
    ans += c;
    if (c <= ans * MACHEP) break;
  }
  return (ans * fac) / a;
}

/** Continued fraction for Q(a, x) (Cephes igamc, converges when x ≥ a + 1). */
function igamcContinuedFraction(a: number, x: number): number {
  const fac = igamPrefactor(a, x);
  if (fac === 0) return 0;
  let y = 1 - a;
  let z = x + y + 1;
  let c = 0;
  let pkm2 = 1;
  let qkm2 = x;
  let pkm1 = x + 1;
  let qkm1 = z * x;
  let ans = pkm1 / qkm1;
  for (let i = 0; i < MAX_ITER; i++) {
    c += 1;
    y += 1;
    z += 2;
    const yc = y * c;
    const pk = pkm1 * z - pkm2 * yc;
    const qk = qkm1 * z - qkm2 * yc;
    let t = 1;
    if (qk !== 0) {
      const r = pk / qk;
      t = Math.abs((ans - r) / r);
      ans = r;
    }
    pkm2 = pkm1;
    pkm1 = pk;
    qkm2 = qkm1;
    qkm1 = qk;
    if (Math.abs(pk) > BIG) {
      pkm2 *= BIGINV;
      pkm1 *= BIGINV;
      qkm2 *= BIGINV;
      qkm1 *= BIGINV;
    }
    if (t <= MACHEP) break;
  }
  return ans * fac;
}

/** Regularised lower incomplete gamma P(a, x) = γ(a, x)/Γ(a), as `scipy.special.gammainc`. */
export function gammainc(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0 || x < 0) return Number.NaN;
  if (x === 0) return 0;
  if (x === Number.POSITIVE_INFINITY) return 1;
  if (x > 1 && x > a) return 1 - igamcContinuedFraction(a, x);
  return igamSeries(a, x);
}

/** Regularised upper incomplete gamma Q(a, x) = Γ(a, x)/Γ(a), as `scipy.special.gammaincc`. */
export function gammaincc(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || a <= 0 || x < 0) return Number.NaN;
  if (x === 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  if (x < 1 || x < a) return 1 - igamSeries(a, x);
  return igamcContinuedFraction(a, x);
}

/** Chi-squared survival function, as `scipy.stats.chi2.sf(x, dof)` (= Q(dof/2, x/2)). */
export function chi2Sf(x: number, dof: number): number {
  if (Number.isNaN(x) || !(dof > 0)) return Number.NaN;
  if (x <= 0) return 1;
  return gammaincc(dof / 2, x / 2);
}
