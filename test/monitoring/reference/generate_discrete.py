#!/usr/bin/env python3
"""Reference values for test/monitoring/stats-discrete.test.ts (chi-squared, Z-test, MMD, corrections,
special functions). Run once with SciPy >= 1.11 and numpy, commit discrete.json; CI needs no Python.

    python3 test/monitoring/reference/generate_discrete.py > test/monitoring/reference/discrete.json
    npx biome format --write test/monitoring/reference/discrete.json   # house JSON layout

Deterministic: fixed seeds, inputs rounded to 6 significant digits before any computation so that the
TypeScript side reads exactly the same numbers.
"""

import json
import sys

import numpy as np
import scipy
from scipy import special, stats


def r6(a):
    """Round to 6 significant digits (via decimal text, so JSON round-trips exactly)."""
    return np.vectorize(lambda v: float(f"{v:.6g}"))(np.asarray(a, dtype=float))


def flt(v):
    return float(v)


def contingency_cases():
    rng = np.random.default_rng(7)
    tables = [
        # 2x2, Yates applies
        [[10, 20], [30, 40]],
        [[12, 5], [3, 9]],
        [[1, 0], [0, 1]],
        [[50, 51], [50, 50]],  # |O - E| < 0.5: correction clamps to zero difference
        [[5, 6], [6, 5]],
        [[10, 10], [10, 10]],
        [[0, 7], [3, 2]],
        # 2xk
        [[10, 20, 30], [15, 25, 5]],
        [[1, 2, 0, 3], [0, 1, 4, 1]],
        [[100, 200, 300, 400, 500], [110, 190, 310, 390, 520]],
        # rxk
        [[3, 1, 4, 1], [5, 9, 2, 6], [5, 3, 5, 8]],
        rng.integers(0, 30, size=(5, 5)).tolist(),
        rng.integers(1, 5, size=(4, 6)).tolist(),
        rng.integers(1000, 100000, size=(3, 7)).tolist(),
        # dof 0: a single row
        [[3, 4, 5]],
        # fractional counts (weights) are allowed
        [[2.5, 3.25], [7.75, 1.5]],
    ]
    # Large counts: statistics in the hundreds to tens of thousands, p-values around 1e-300 and below.
    for f in [1, 10, 100, 150, 165, 170, 172, 175, 180, 190, 200, 1000]:
        tables.append([[60 * f, 40 * f], [40 * f, 60 * f]])
    for f in [10, 40, 45, 50, 60, 100]:
        tables.append([[50 * f, 30 * f, 20 * f], [30 * f, 40 * f, 30 * f], [20 * f, 30 * f, 50 * f]])
    out = []
    for t in tables:
        for correction in (True, False):
            res = stats.chi2_contingency(np.asarray(t, dtype=float), correction=correction)
            out.append(
                {
                    "table": t,
                    "correction": correction,
                    "statistic": flt(res.statistic),
                    "pvalue": flt(res.pvalue),
                    "dof": int(res.dof),
                    "expected": np.asarray(res.expected_freq).tolist(),
                }
            )
    return out


def contingency_raises():
    bad = [[[0, 0], [3, 4]], [[1, 0, 2], [3, 0, 4]]]
    for t in bad:
        try:
            stats.chi2_contingency(t)
        except ValueError:
            continue
        raise SystemExit(f"expected SciPy to raise on {t}")
    return bad


def two_sample_cases():
    pairs = [
        ([10, 0, 20, 30], [12, 0, 18, 40]),
        ([5, 5], [5, 5]),
        ([100, 0, 0, 50], [0, 0, 100, 50]),
        ([1000, 2000, 3000], [1100, 1900, 3000]),
    ]
    out = []
    for ref, cur in pairs:
        keep = [i for i in range(len(ref)) if ref[i] + cur[i] > 0]
        table = np.array([[ref[i] for i in keep], [cur[i] for i in keep]], dtype=float)
        res = stats.chi2_contingency(table)
        out.append(
            {
                "reference": ref,
                "current": cur,
                "statistic": flt(res.statistic),
                "pvalue": flt(res.pvalue),
                "dof": int(res.dof),
            }
        )
    return out


def gof_cases():
    cases = [
        ([16, 18, 16, 14, 12, 12], None),
        ([16, 18, 16, 14, 12, 12], [16, 16, 16, 16, 16, 8]),
        ([8, 20, 20, 16, 12, 12], [8, 20, 20, 16, 12, 12]),
        ([1, 2, 3], [2, 2, 2]),
        ([1000, 2000, 7000], [3333.3333333333335, 3333.3333333333335, 3333.333333333333]),
        ([50000, 30000, 20000], [33000, 33000, 34000]),
        ([0, 5, 10, 20, 40], [15, 15, 15, 15, 15]),
        ([900, 100], [500, 500]),
    ]
    out = []
    for obs, exp in cases:
        res = stats.chisquare(obs, exp) if exp is not None else stats.chisquare(obs)
        out.append(
            {
                "observed": obs,
                "expected": exp,
                "statistic": flt(res.statistic),
                "pvalue": flt(res.pvalue),
            }
        )
    return out


def gof_raises():
    bad = [([10, 20, 30], [10, 20, 31])]
    for obs, exp in bad:
        try:
            stats.chisquare(obs, exp)
        except ValueError:
            continue
        raise SystemExit(f"expected SciPy to raise on {obs} vs {exp}")
    return [{"observed": o, "expected": e} for o, e in bad]


def ztest_cases():
    """statsmodels.stats.proportion.proportions_ztest(count, nobs) with value=0, two-sided,
    prop_var=False, re-implemented here with numpy (statsmodels is not installed):
    z = (p1 - p2) / sqrt(p(1-p)(1/n1 + 1/n2)) with pooled p, pvalue = 2 * norm.sf(|z|)."""
    cases = [
        (30, 100, 30, 100),
        (20, 100, 40, 200),
        (45, 100, 55, 100),
        (5, 50, 0, 50),
        (1, 10000, 50, 10000),
        (480, 1000, 520, 1000),
        (5000, 10000, 3000, 10000),
        (5000, 10000, 2950, 10000),
        (6000, 10000, 3900, 10000),
        (600, 1000, 100, 1000),
        (1000, 1000, 0, 1000),
        (10, 10, 0, 10),
        (3, 7, 4, 9),
        (123456, 1000000, 124000, 1000000),
    ]
    out = []
    for s1, n1, s2, n2 in cases:
        count = np.array([s1, s2], dtype=float)
        nobs = np.array([n1, n2], dtype=float)
        prop = count / nobs
        diff = prop[0] - prop[1]
        p_pooled = np.sum(count) * 1.0 / np.sum(nobs)
        nobs_fact = np.sum(1.0 / nobs)
        var_ = p_pooled * (1 - p_pooled) * nobs_fact
        z = diff / np.sqrt(var_)
        p = stats.norm.sf(np.abs(z)) * 2
        out.append({"s1": s1, "n1": n1, "s2": s2, "n2": n2, "statistic": flt(z), "pvalue": flt(p)})
    return out


def correction_cases():
    rng = np.random.default_rng(11)
    vectors = [
        [0.01, 0.04, 0.03, 0.005, 0.2],
        [0.05, 0.05, 0.05, 0.01, 0.01, 0.9],
        [0.5],
        [0.0, 1.0, 0.3, 0.3, 0.0],
        [0.9, 0.8, 0.7, 0.6],
        r6(rng.uniform(0, 0.1, size=40)).tolist(),
        r6(np.concatenate([rng.uniform(0, 1, size=30), rng.uniform(0, 1e-6, size=10)])).tolist(),
    ]
    out = []
    for v in vectors:
        a = np.asarray(v, dtype=float)
        out.append(
            {
                "pvalues": v,
                "bonferroni": np.minimum(1.0, a * len(a)).tolist(),
                "bh": stats.false_discovery_control(a, method="bh").tolist(),
            }
        )
    return out


def special_cases():
    gamma = []
    factors = [1e-3, 0.01, 0.1, 0.5, 0.9, 0.99, 1.0, 1.01, 1.1, 1.5, 2, 3, 5, 10, 20, 50]
    absolute = [1e-10, 1e-5, 0.1, 1, 10, 100, 300, 700, 1400]
    for a in [0.5, 1, 2.5, 10, 100, 1000]:
        xs = sorted(set([a * f for f in factors] + absolute))
        for x in xs:
            gamma.append(
                {"a": a, "x": x, "q": flt(special.gammaincc(a, x)), "p": flt(special.gammainc(a, x))}
            )
    chi2 = []
    for dof in [1, 2, 3, 4, 9, 24, 99, 500]:
        for x in [0.001, 0.1, 1, 3.84, 10, 50, 100, 500, 1000, 1300, 1380, 1400, 1500, 2000]:
            chi2.append({"x": x, "dof": dof, "sf": flt(stats.chi2.sf(x, dof))})
    erfc = []
    for x in np.concatenate([np.arange(-5, 38.0001, 0.25), [0.1, 0.3, 0.46875, 0.47, 3.99, 4.0, 4.01, 26.5, 27, 27.2]]):
        x = flt(x)
        erfc.append({"x": x, "erfc": flt(special.erfc(x))})
    erf = []
    for x in [1e-300, 1e-10, 1e-5, 0.1, -0.3, 0.4, 0.46875, 0.5, 1, -2, 3, 5, 7]:
        erf.append({"x": x, "erf": flt(special.erf(x))})
    normal = []
    for z in np.concatenate([np.arange(-10, 40.0001, 0.5), [0.1, 1.96, 2.5758, 37.5, 38.4]]):
        z = flt(z)
        normal.append({"z": z, "sf": flt(stats.norm.sf(z))})
    lgamma = []
    for a in [1e-5, 0.1, 0.5, 1, 1.5, 2, 2.5, 3, 7.3, 9.99, 10, 10.5, 50, 100, 1000, 1e5, 1e8]:
        lgamma.append({"a": a, "lgamma": flt(special.gammaln(a))})
    return {"gamma": gamma, "chi2": chi2, "erfc": erfc, "erf": erf, "normal": normal, "lgamma": lgamma}


def mmd_reference(x, y):
    z = np.concatenate([x, y])
    n = len(x)
    d2 = ((z[:, None, :] - z[None, :, :]) ** 2).sum(-1)
    iu = np.triu_indices(len(z), 1)
    sigma = float(np.median(np.sqrt(d2[iu])))
    if sigma == 0:
        sigma = 1.0
    k = np.exp(-d2 / (2 * sigma * sigma))
    stat = k[:n, :n].mean() + k[n:, n:].mean() - 2 * k[:n, n:].mean()
    return flt(stat), sigma


def mmd_cases():
    rng = np.random.default_rng(3)
    specs = [
        ("1d-null", rng.normal(size=(20, 1)), rng.normal(size=(20, 1))),
        ("3d-shift", rng.normal(size=(50, 3)), rng.normal(loc=0.8, size=(60, 3))),
        ("5d-null", rng.normal(size=(200, 5)), rng.normal(size=(150, 5))),
        ("5d-scale", rng.normal(size=(120, 5)), rng.normal(scale=2.0, size=(80, 5)) * 10),
        ("2d-integers", rng.integers(0, 3, size=(30, 2)).astype(float), rng.integers(0, 4, size=(31, 2)).astype(float)),
        ("tiny", rng.normal(size=(1, 2)), rng.normal(size=(2, 2))),
    ]
    out = []
    for name, x, y in specs:
        x, y = r6(x), r6(y)
        stat, sigma = mmd_reference(x, y)
        out.append({"name": name, "reference": x.tolist(), "current": y.tolist(), "statistic": stat, "bandwidth": sigma})
    return out


def main():
    doc = {
        "generator": "test/monitoring/reference/generate_discrete.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "contingency": contingency_cases(),
        "contingencyRaises": contingency_raises(),
        "twoSample": two_sample_cases(),
        "goodnessOfFit": gof_cases(),
        "goodnessOfFitRaises": gof_raises(),
        "ztest": ztest_cases(),
        "corrections": correction_cases(),
        "special": special_cases(),
        "mmd": mmd_cases(),
    }
    json.dump(doc, sys.stdout, separators=(",", ":"), allow_nan=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
