"""SciPy/numpy baseline of `npm run bench -- drift` (bench/drift.ts runs it on the benchmark's data).

Reads `features` reference columns of `ref_rows` float64 values followed by `features` current
columns of `cur_rows` values (little-endian, column after column) from a file written by the
benchmark, and computes per column the statistics Slipway's drift report computes, the way a Python
user would with SciPy and numpy:

- normalised Wasserstein: scipy.stats.wasserstein_distance(ref, cur) / ref.std() (ddof 0);
- PSI on the reference's 1/bins .. (bins-1)/bins quantiles (numpy 'linear'), equal edges merged,
  values placed with np.searchsorted(inner, x, side='right'), proportions floored at 1e-4;
- the report's histograms: np.histogram of each side over `hist_bins` equal-width bins spanning
  both samples;
- ks_2samp (two-sided, method 'auto'), the default test when the reference has at most 1,000 rows.

Each measurement is the median of `reps` timed repetitions after one warm-up. Prints one JSON line:
the timings in seconds and the values, so the benchmark can check both sides agree.

usage: drift_scipy.py <data file> <features> <ref_rows> <cur_rows> <hist_bins> <psi_bins> <reps>
"""

import json
import sys
import time

import numpy as np
import scipy
from scipy.stats import ks_2samp, wasserstein_distance

PSI_EPSILON = 1e-4


def normalised_wasserstein(ref, cur):
    std = ref.std()
    w = wasserstein_distance(ref, cur)
    if std == 0:
        return 0.0 if w == 0 else float("inf")
    return w / std


def psi(ref, cur, bins):
    inner = np.unique(np.quantile(ref, np.arange(1, bins) / bins))
    r = np.bincount(np.searchsorted(inner, ref, side="right"), minlength=inner.size + 1) / ref.size
    c = np.bincount(np.searchsorted(inner, cur, side="right"), minlength=inner.size + 1) / cur.size
    r = np.maximum(r, PSI_EPSILON)
    c = np.maximum(c, PSI_EPSILON)
    return float(np.sum((c - r) * np.log(c / r)))


def histograms(ref, cur, bins):
    lo = min(ref.min(), cur.min())
    hi = max(ref.max(), cur.max())
    return (
        np.histogram(ref, bins=bins, range=(lo, hi))[0],
        np.histogram(cur, bins=bins, range=(lo, hi))[0],
    )


def ks(ref, cur):
    return ks_2samp(ref, cur)


def median_seconds(run, reps):
    run()  # warm-up
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), times


def main():
    path = sys.argv[1]
    features, ref_rows, cur_rows, hist_bins, psi_bins, reps = map(int, sys.argv[2:8])
    data = np.fromfile(path, dtype="<f8")
    ref = data[: features * ref_rows].reshape(features, ref_rows)
    cur = data[features * ref_rows :].reshape(features, cur_rows)
    columns = range(features)

    def report():
        for f in columns:
            normalised_wasserstein(ref[f], cur[f])
            psi(ref[f], cur[f], psi_bins)
            histograms(ref[f], cur[f], hist_bins)

    def report_ks():
        for f in columns:
            ks(ref[f], cur[f])
            histograms(ref[f], cur[f], hist_bins)

    timings = {
        "report": median_seconds(report, reps),
        "reportKs": median_seconds(report_ks, reps),
        "wasserstein": median_seconds(lambda: [normalised_wasserstein(ref[f], cur[f]) for f in columns], reps),
        "psi": median_seconds(lambda: [psi(ref[f], cur[f], psi_bins) for f in columns], reps),
        "histogram": median_seconds(lambda: [histograms(ref[f], cur[f], hist_bins) for f in columns], reps),
        "ks": median_seconds(lambda: [ks(ref[f], cur[f]) for f in columns], reps),
    }
    values = {
        "wasserstein": [normalised_wasserstein(ref[f], cur[f]) for f in columns],
        "psi": [psi(ref[f], cur[f], psi_bins) for f in columns],
        "histogram": [[h.tolist() for h in histograms(ref[f], cur[f], hist_bins)] for f in columns],
        "ks": [[float(r.statistic), float(r.pvalue)] for r in (ks(ref[f], cur[f]) for f in columns)],
    }
    print(
        json.dumps(
            {
                "versions": {
                    "python": sys.version.split()[0],
                    "numpy": np.__version__,
                    "scipy": scipy.__version__,
                },
                "seconds": {k: v[0] for k, v in timings.items()},
                "runs": {k: v[1] for k, v in timings.items()},
                "values": values,
            }
        )
    )


if __name__ == "__main__":
    main()
