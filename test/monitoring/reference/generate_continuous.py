#!/usr/bin/env python3
"""Reference values for the continuous drift statistics (KS, Wasserstein-1, PSI, Jensen-Shannon).

Run once with SciPy installed and commit the output; the TypeScript tests read the JSON and need
no Python:

    python3 test/monitoring/reference/generate_continuous.py > test/monitoring/reference/continuous.json

Random samples come from a seeded numpy Generator and are rounded to 6 significant digits *before*
any statistic is computed, so the stored numbers are exactly the inputs SciPy saw. Large samples
are not stored: they use a closed-form generator `gen` (value_i = ((i*mul) % mod) * scale + offset,
evaluated in float64 by both sides) so that sizes beyond the JSON budget are still covered.
"""

import json
import sys
import warnings

import numpy as np
import scipy
from scipy.spatial.distance import jensenshannon
from scipy.stats import ks_2samp, wasserstein_distance

rng = np.random.default_rng(20260307)


def r6(x):
    return [float(f"{v:.6g}") for v in np.asarray(x, dtype=float)]


def gen(spec):
    n, mul, mod, scale, offset = spec["n"], spec["mul"], spec["mod"], spec["scale"], spec["offset"]
    return np.array([float((i * mul) % mod) * scale + offset for i in range(n)])


def ks_all(a, b):
    out = {}
    for method in ("auto", "exact", "asymp"):
        n1, n2 = len(a), len(b)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = ks_2samp(a, b, alternative="two-sided", method=method)
        fell_back = any("Switching to" in str(w.message) for w in caught)
        used = method
        if method == "auto":
            used = "exact" if max(n1, n2) <= 10000 else "asymp"
        if fell_back:
            used = "asymp"
        pvalue = float(res.pvalue)
        # JSON has no NaN: null stands for it (e.g. asymp with n1 = n2 = 1, where round(en) = 0).
        out[method] = {"statistic": float(res.statistic), "pvalue": None if np.isnan(pvalue) else pvalue, "method": used}
    return out


def psi_ref(reference, current, bins, eps):
    """The documented PSI definition, computed with numpy."""
    ref = np.sort(np.asarray(reference, dtype=float))
    cur = np.asarray(current, dtype=float)
    qs = np.quantile(ref, np.arange(1, bins) / bins, method="linear")
    inner = []
    last = -np.inf
    for e in qs:
        if e != last:
            inner.append(float(e))
            last = e
    inner = np.array(inner)
    nb = len(inner) + 1
    rp = np.bincount(np.searchsorted(inner, ref, side="right"), minlength=nb) / len(ref)
    cp = np.bincount(np.searchsorted(inner, cur, side="right"), minlength=nb) / len(cur)
    r = np.maximum(rp, eps)
    c = np.maximum(cp, eps)
    value = float(np.sum((c - r) * np.log(c / r)))
    edges = [None] + [float(e) for e in inner] + [None]  # None stands for -/+Infinity in JSON
    return {"psi": value, "edges": edges, "referenceProportions": rp.tolist(), "currentProportions": cp.tolist()}


def hist_ref(reference, current, bins):
    both = np.concatenate([reference, current])
    lo, hi = float(both.min()), float(both.max())
    rc, edges = np.histogram(reference, bins=bins, range=(lo, hi))
    cc, _ = np.histogram(current, bins=bins, range=(lo, hi))
    js = float(jensenshannon(rc, cc, base=2))
    return {"bins": bins, "edges": edges.tolist(), "reference": rc.tolist(), "current": cc.tolist(), "js": js}


def sample_case(name, a, b, psi_bins=(10,), hist_bins=10):
    """`a` and `b` are sample values (stored in the JSON) or `gen` specs (dicts, regenerated)."""
    case = {"name": name}
    if isinstance(a, dict):
        case["genA"], a = a, gen(a)
    else:
        a = np.asarray(a, dtype=float)
        case["a"] = a.tolist()
    if isinstance(b, dict):
        case["genB"], b = b, gen(b)
    else:
        b = np.asarray(b, dtype=float)
        case["b"] = b.tolist()
    case["ks"] = ks_all(a, b)
    w = float(wasserstein_distance(a, b))
    std = float(np.std(a))
    case["wasserstein"] = w
    case["normalisedWasserstein"] = (0.0 if w == 0 else None) if std == 0 else w / std
    case["psi"] = [dict(psi_ref(a, b, k, 1e-4), bins=k, epsilon=1e-4) for k in psi_bins]
    case["histogram"] = hist_ref(a, b, hist_bins)
    return case


def normal(n, loc=0.0, scale=1.0):
    return r6(rng.normal(loc, scale, n))


def main():
    cases = []
    add = cases.append
    # Tiny samples.
    add(sample_case("n1 vs n1", [0.5], [1.5], psi_bins=(10, 2)))
    add(sample_case("n1 vs n5", [0.0], normal(5)))
    add(sample_case("n2 vs n3", normal(2), normal(3, 0.5)))
    add(sample_case("n3 identical", [1.0, 2.0, 3.0], [1.0, 2.0, 3.0]))
    add(sample_case("n5 vs n4 disjoint", normal(5), normal(4, 10.0)))
    add(sample_case("n4 vs n4 interleaved", [1.0, 3.0, 5.0, 7.0], [2.0, 4.0, 6.0, 8.0]))
    # Ties (integer-valued data).
    add(sample_case("ties 10 vs 12", rng.integers(0, 4, 10), rng.integers(0, 4, 12), psi_bins=(10, 4)))
    add(sample_case("ties poisson 50 vs 70", rng.poisson(3, 50), rng.poisson(4, 70)))
    add(sample_case("ties all equal", [2.0] * 8, [2.0] * 5))
    add(sample_case("ties constant vs other", [2.0] * 8, [2.0, 3.0, 3.0]))
    # Identical and disjoint.
    same = normal(20)
    add(sample_case("identical 20", same, list(same)))
    add(sample_case("disjoint 30 vs 40", normal(30), normal(40, 100.0)))
    add(sample_case("disjoint 200 vs 200", normal(200), normal(200, 50.0)))
    # Signed zeros.
    add(sample_case("signed zeros", [-0.0, 0.0, 1.0, -0.0], [0.0, -0.0, -1.0]))
    # Unequal sizes.
    add(sample_case("7 vs 1000", normal(7, 0.3), normal(1000)))
    add(sample_case("600 vs 7", normal(600), normal(7, -0.5)))
    # Shifted normals, scales, heavy tails.
    add(sample_case("shift 0.3 100 vs 100", normal(100), normal(100, 0.3)))
    add(sample_case("shift 0.5 200 vs 150", normal(200), normal(150, 0.5)))
    add(sample_case("scale 300 vs 300", normal(300), normal(300, 0.0, 1.5)))
    add(sample_case("cauchy 250 vs normal 400", r6(rng.standard_cauchy(250)), normal(400)))
    add(sample_case("student t2 300 vs 280", r6(rng.standard_t(2, 300)), r6(rng.standard_t(2, 280) + 0.2)))
    add(sample_case("lognormal 400 vs 350", r6(rng.lognormal(0, 1, 400)), r6(rng.lognormal(0.1, 1.2, 350))))
    # Asymptotic-method regions of the Kolmogorov distribution (small effective n).
    add(sample_case("asymp region 30 vs 30", normal(30), normal(30, 0.4)))
    add(sample_case("asymp region 50 vs 60", normal(50), normal(60, 0.2)))
    add(sample_case("asymp region 100 vs 80", normal(100), normal(80, 0.05)))
    add(sample_case("asymp region 120 vs 400", normal(120), normal(400, 1.2)))
    add(sample_case("asymp region 300 vs 310", normal(300), normal(310, 0.02)))
    # Larger stored samples.
    add(sample_case("1000 vs 1000 shift 0.05", normal(1000), normal(1000, 0.05), psi_bins=(10, 20)))
    add(sample_case("1200 vs 600 shift 1", normal(1200), normal(600, 1.0)))
    add(sample_case("997 vs 1000 coprime", normal(997), normal(1000, 0.1)))
    add(sample_case("300 vs 300 tiny p", normal(300), normal(300, 3.0)))
    # Integer data near the auto exact/asymp switch (cheap to store).
    ints = {"n": 10000, "mul": 7, "mod": 10, "scale": 1.0, "offset": 0.0}
    add(sample_case("ints 10000 vs 50", ints, rng.integers(0, 10, 50)))
    add(sample_case("ints 10001 vs 50", dict(ints, n=10001), rng.integers(1, 11, 50)))
    # Large generated samples (not stored). The 1000 vs 1000 and 5000 vs 5000 asymptotic p-values fall in
    # the Pelz-Good region of the Kolmogorov distribution, the 5000 vs 4000 one in the Durbin-matrix region.
    big = [
        ("gen 5000 vs 5000", {"n": 5000, "mul": 7919, "mod": 5003, "scale": 0.001, "offset": 0.0},
         {"n": 5000, "mul": 104729, "mod": 4999, "scale": 0.001, "offset": 0.1}),
        ("gen 5000 vs 4000 unshifted", {"n": 5000, "mul": 7919, "mod": 5003, "scale": 0.001, "offset": 0.0},
         {"n": 4000, "mul": 7907, "mod": 4001, "scale": 0.00125, "offset": 0.0}),
        ("gen 20000 vs 15000", {"n": 20000, "mul": 7919, "mod": 20011, "scale": 0.0001, "offset": 0.0},
         {"n": 15000, "mul": 6007, "mod": 15013, "scale": 0.000133, "offset": 0.05}),
        ("gen lcm overflow 46349 vs 46351",
         {"n": 46349, "mul": 7919, "mod": 46351, "scale": 1.0, "offset": 0.0},
         {"n": 46351, "mul": 6007, "mod": 46349, "scale": 1.0, "offset": 150.0}),
    ]
    for name, sa, sb in big:
        add(sample_case(name, sa, sb))

    js = []
    for name, p, q in [
        ("counts with zeros", [10, 0, 5, 3, 0], [0, 4, 5, 3, 8]),
        ("identical", [1, 2, 3], [1, 2, 3]),
        ("proportional", [1, 2, 3], [2, 4, 6]),
        ("disjoint", [1, 0, 0], [0, 0, 1]),
        ("single bin", [5], [7]),
        ("probabilities", [0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]),
        ("near identical", [1000000, 1000001, 999999], [1000001, 1000000, 999999]),
        ("many zeros", [0, 0, 0, 1, 0, 0, 0, 2], [0, 1, 0, 1, 0, 0, 3, 0]),
        ("random counts", rng.integers(0, 50, 20).tolist(), rng.integers(0, 50, 20).tolist()),
    ]:
        js.append({"name": name, "p": p, "q": q, "base2": float(jensenshannon(p, q, base=2)),
                   "baseE": float(jensenshannon(p, q))})

    out = {
        "generatedBy": "test/monitoring/reference/generate_continuous.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "cases": cases,
        "jensenShannon": js,
    }
    json.dump(out, sys.stdout, separators=(",", ":"), allow_nan=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
