"""Scores binary predictions for the python-scoring pipeline, with the standard library only.

Reads the labels and scores from SLIPWAY_INPUT_LABELS and SLIPWAY_INPUT_SCORES (JSON lists),
writes $SLIPWAY_OUTPUT_DIR/summary.json (the `summary` file output, stored with the run) and
$SLIPWAY_OUTPUT_DIR/outputs.json (the numeric outputs the gate reads). Anything printed is the
step's log; a non-zero exit fails the step.
"""

import json
import os
import sys


def read_list(name):
    text = os.environ.get(f"SLIPWAY_INPUT_{name.upper()}")
    if text is None:
        sys.exit(f"input '{name}' is missing")
    values = json.loads(text)
    if not isinstance(values, list) or not all(isinstance(v, (int, float)) for v in values):
        sys.exit(f"input '{name}' must be a list of numbers, got {text[:80]}")
    return values


def roc_auc(labels, scores):
    """Probability that a random positive scores above a random negative (ties count half)."""
    ranked = sorted(zip(scores, labels))
    rank_sum = 0.0
    i = 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mean_rank = (i + j + 1) / 2  # 1-based ranks i+1 .. j
        rank_sum += mean_rank * sum(1 for _, label in ranked[i:j] if label == 1)
        i = j
    positives = sum(labels)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        sys.exit("ROC AUC needs both classes among the labels")
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def main():
    labels = read_list("labels")
    scores = read_list("scores")
    if len(labels) != len(scores) or not labels:
        sys.exit(f"{len(labels)} labels but {len(scores)} scores: give one score per label")
    if any(label not in (0, 1) for label in labels):
        sys.exit("labels must be 0 or 1")

    predicted = [1 if score >= 0.5 else 0 for score in scores]
    metrics = {
        "rows": len(labels),
        "auc": roc_auc(labels, scores),
        "accuracy": sum(p == y for p, y in zip(predicted, labels)) / len(labels),
        "brier": sum((s - y) ** 2 for s, y in zip(scores, labels)) / len(labels),
    }
    confusion = {
        "true_positive": sum(p == 1 and y == 1 for p, y in zip(predicted, labels)),
        "false_positive": sum(p == 1 and y == 0 for p, y in zip(predicted, labels)),
        "true_negative": sum(p == 0 and y == 0 for p, y in zip(predicted, labels)),
        "false_negative": sum(p == 0 and y == 1 for p, y in zip(predicted, labels)),
    }
    print(", ".join(f"{key} {value:.4g}" for key, value in metrics.items()))

    out = os.environ["SLIPWAY_OUTPUT_DIR"]
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump({"metrics": metrics, "threshold": 0.5, "confusion": confusion}, f, indent=2)
    with open(os.path.join(out, "outputs.json"), "w") as f:
        json.dump({**metrics, "summary": "summary.json"}, f)


if __name__ == "__main__":
    main()
