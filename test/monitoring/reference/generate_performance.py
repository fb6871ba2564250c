#!/usr/bin/env python3
"""Reference values for test/monitoring/performance.test.ts (accuracy, precision/recall/F1, ROC AUC,
log loss, RMSE, MAE, R²). Run once with scikit-learn >= 1.2 (Debian: apt-get install python3-sklearn),
commit performance.json; CI needs no Python.

    /usr/bin/python3 test/monitoring/reference/generate_performance.py > test/monitoring/reference/performance.json
    npx biome format --write test/monitoring/reference/performance.json   # house JSON layout

Deterministic: fixed seeds, inputs rounded to 6 significant digits before any computation so that the
TypeScript side reads exactly the same numbers.
"""

import json
import sys
import warnings

import numpy as np
import sklearn
from sklearn import metrics

warnings.simplefilter("ignore")


def r6(a):
    """Round to 6 significant digits (via decimal text, so JSON round-trips exactly)."""
    return np.vectorize(lambda v: float(f"{v:.6g}"))(np.asarray(a, dtype=float))


def softmax_rows(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def classification_case(name, labels, predictions, probabilities):
    labels = np.asarray(labels, dtype=int)
    predictions = np.asarray(predictions, dtype=int)
    probabilities = r6(probabilities)
    k = probabilities.shape[1]
    case = {
        "name": name,
        "classes": k,
        "labels": labels.tolist(),
        "predictions": predictions.tolist(),
        "probabilities": probabilities.ravel().tolist(),
        "accuracy": float(metrics.accuracy_score(labels, predictions)),
    }
    if k == 2:
        # pos_label=1: the second class, as Slipway's binary metrics.
        average = dict(average="binary", pos_label=1, zero_division=0)
    else:
        # labels=None: macro over the classes present in labels or predictions.
        average = dict(average="macro", zero_division=0)
    case["precision"] = float(metrics.precision_score(labels, predictions, **average))
    case["recall"] = float(metrics.recall_score(labels, predictions, **average))
    case["f1"] = float(metrics.f1_score(labels, predictions, **average))
    present = np.unique(labels)
    if len(present) < 2:
        case["rocAuc"] = None
    elif k == 2:
        case["rocAuc"] = float(metrics.roc_auc_score(labels, probabilities[:, 1]))
    elif len(present) == k and np.allclose(probabilities.sum(axis=1), 1):
        case["rocAuc"] = float(
            metrics.roc_auc_score(labels, probabilities, multi_class="ovr", average="macro", labels=list(range(k)))
        )
    else:
        # sklearn refuses (a class never labelled, or rows not summing to 1); one-vs-rest by hand:
        # Slipway averages the binary AUCs of the classes present.
        case["rocAuc"] = float(
            np.mean([metrics.roc_auc_score(labels == c, probabilities[:, c]) for c in present])
        )
    case["logLoss"] = float(metrics.log_loss(labels, probabilities, labels=list(range(k))))
    return case


def classification_cases():
    rng = np.random.default_rng(11)
    cases = []
    # Binary: a noisy score, the label drawn from it.
    for n, seed in [(40, 1), (200, 2), (400, 3)]:
        r = np.random.default_rng(seed)
        p1 = r6(r.uniform(0, 1, n))
        y = (r.uniform(0, 1, n) < p1).astype(int)
        cases.append(classification_case(f"binary n={n}", y, (p1 >= 0.5).astype(int), np.c_[1 - p1, p1]))
    # Binary with heavy ties: scores on a 0.1 grid.
    p1 = np.round(rng.uniform(0, 1, 300), 1)
    y = (rng.uniform(0, 1, 300) < p1).astype(int)
    cases.append(classification_case("binary, tied scores", y, (p1 > 0.5).astype(int), np.c_[1 - p1, p1]))
    # Binary, imbalanced, a threshold that predicts no positive at all (precision 0 by zero_division).
    p1 = r6(rng.uniform(0, 0.4, 120))
    y = (rng.uniform(0, 1, 120) < 0.1).astype(int)
    cases.append(classification_case("binary, no positive predicted", y, np.zeros(120, dtype=int), np.c_[1 - p1, p1]))
    # Binary with certain answers (0 and 1): log loss clips them.
    y = np.array([0, 1, 1, 0, 1, 0, 0, 1])
    p1 = np.array([0.0, 1.0, 0.0, 1.0, 0.7, 0.2, 0.5, 1.0])
    cases.append(classification_case("binary, certain answers", y, (p1 >= 0.5).astype(int), np.c_[1 - p1, p1]))
    # Binary, every answer right.
    y = np.array([0, 0, 1, 1, 1])
    p1 = np.array([0.1, 0.2, 0.8, 0.9, 0.95])
    cases.append(classification_case("binary, perfect", y, y, np.c_[1 - p1, p1]))
    # Binary, one class only in the labels: AUC undefined.
    y = np.zeros(10, dtype=int)
    p1 = r6(rng.uniform(0, 1, 10))
    cases.append(classification_case("binary, labels of one class", y, (p1 >= 0.5).astype(int), np.c_[1 - p1, p1]))
    # Multiclass: softmax of noisy logits, prediction = argmax.
    for k, n, seed in [(3, 60, 4), (3, 500, 5), (4, 300, 6), (5, 300, 7)]:
        r = np.random.default_rng(seed)
        y = r.integers(0, k, n)
        logits = r.normal(0, 1, (n, k))
        logits[np.arange(n), y] += 1.2
        probabilities = r6(softmax_rows(logits))
        cases.append(classification_case(f"{k} classes n={n}", y, probabilities.argmax(axis=1), probabilities))
    # Multiclass with tied probabilities on a coarse grid.
    r = np.random.default_rng(8)
    n, k = 200, 3
    y = r.integers(0, k, n)
    raw = np.round(r.uniform(0, 1, (n, k)), 1) + 0.1
    probabilities = r6(raw / raw.sum(axis=1, keepdims=True))
    cases.append(classification_case("3 classes, tied", y, r.integers(0, k, n), probabilities))
    # Multiclass where class 3 never occurs (neither labelled nor predicted): macro over those present.
    r = np.random.default_rng(9)
    n, k = 150, 4
    y = r.integers(0, 3, n)
    logits = r.normal(0, 1, (n, k))
    logits[:, 3] -= 5
    logits[np.arange(n), y] += 1
    probabilities = r6(softmax_rows(logits))
    cases.append(classification_case("4 classes, one never seen", y, probabilities[:, :3].argmax(axis=1), probabilities))
    # Rows that do not sum to 1: log loss normalises them.
    y = np.array([0, 1, 2, 1, 0, 2])
    probabilities = np.array(
        [[0.5, 0.3, 0.1], [0.2, 0.6, 0.4], [0.1, 0.1, 0.1], [0.3, 0.3, 0.3], [0.9, 0.05, 0.2], [0.0, 0.2, 0.9]]
    )
    cases.append(classification_case("3 classes, rows not summing to 1", y, probabilities.argmax(axis=1), probabilities))
    return cases


def regression_case(name, labels, predictions):
    labels = r6(labels)
    predictions = r6(predictions)
    n = len(labels)
    return {
        "name": name,
        "labels": labels.tolist(),
        "predictions": predictions.tolist(),
        "rmse": float(np.sqrt(metrics.mean_squared_error(labels, predictions))),
        "mae": float(metrics.mean_absolute_error(labels, predictions)),
        "r2": float(metrics.r2_score(labels, predictions)) if n >= 2 else None,
    }


def regression_cases():
    cases = []
    for n, seed in [(5, 1), (100, 2), (500, 3)]:
        r = np.random.default_rng(seed)
        y = r.normal(50, 10, n)
        cases.append(regression_case(f"noisy n={n}", y, y + r.normal(0, 4, n)))
    r = np.random.default_rng(4)
    y = r.normal(0, 1, 50)
    cases.append(regression_case("worse than the mean", y, -y))
    cases.append(regression_case("constant labels, perfect", np.full(6, 3.5), np.full(6, 3.5)))
    cases.append(regression_case("constant labels, off", np.full(6, 3.5), np.array([3.5, 3, 4, 3.5, 3.5, 2])))
    cases.append(regression_case("one row", np.array([2.0]), np.array([1.5])))
    cases.append(regression_case("large values", r.normal(1e6, 1e3, 30), r.normal(1e6, 1e3, 30)))
    return cases


json.dump(
    {
        "generator": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}",
        "classification": classification_cases(),
        "regression": regression_cases(),
    },
    sys.stdout,
    indent=1,
)
sys.stdout.write("\n")
