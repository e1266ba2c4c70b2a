#!/usr/bin/python3
"""Golden metrics for lib/classify/scores (tests/unit/classify/test_scores.cpp):
fixed predictions scored by scikit-learn. Run with Debian's /usr/bin/python3
(python3-sklearn):  /usr/bin/python3 tests/golden/classify/make_goldens.py

Writes metrics.json: a list of cases, each with y_true, y_pred, num_classes and
sklearn's accuracy, matthews_corrcoef, precision/recall/F1 per class and as
macro and weighted averages (zero_division=0), the paper's F1 (2PR/(P+R) of
sklearn's macro precision P and recall R: macro.f1_of_macro_pr; macro.f1 is
sklearn's own macro F1, the mean of the per-class F1), the confusion matrix (rows true),
and specificity TN/(TN+FP) per class computed from that matrix (sklearn has no
specificity function).
"""
import json
import os

import numpy as np
from sklearn.metrics import (accuracy_score, confusion_matrix, matthews_corrcoef,
                             precision_recall_fscore_support)


def case(name, y_true, y_pred, k):
    labels = list(range(k))
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    out = {"name": name, "num_classes": k, "y_true": [int(v) for v in y_true],
           "y_pred": [int(v) for v in y_pred],
           "accuracy": accuracy_score(y_true, y_pred),
           "mcc": matthews_corrcoef(y_true, y_pred),
           "confusion": cm.tolist(),
           "precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(),
           "support": [int(v) for v in s]}
    for avg in ("macro", "weighted"):
        ap, ar, af, _ = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=avg,
                                                        zero_division=0)
        out[avg] = {"precision": ap, "recall": ar, "f1": af}
    mp, mr = out["macro"]["precision"], out["macro"]["recall"]
    out["macro"]["f1_of_macro_pr"] = 2 * mp * mr / (mp + mr) if mp + mr > 0 else 0.0
    n = cm.sum()
    spec = []
    for c in labels:
        tp = cm[c, c]
        fp = cm[:, c].sum() - tp
        fn = cm[c, :].sum() - tp
        tn = n - tp - fp - fn
        spec.append(float(tn / (tn + fp)) if tn + fp > 0 else 0.0)
    out["specificity"] = spec
    out["macro"]["specificity"] = float(np.mean(spec))
    out["weighted"]["specificity"] = float(np.average(spec, weights=s))
    return out


def noisy(rng, y, k, p_right):
    wrong = (y + rng.integers(1, k, size=len(y))) % k
    return np.where(rng.random(len(y)) < p_right, y, wrong)


def main():
    rng = np.random.default_rng(20240527)
    cases = []
    # The paper's test-set imbalance, scaled down (1121/3202/991/132 -> /20).
    y = np.repeat(np.arange(4), [56, 160, 50, 7])
    cases.append(case("imbalanced4", y, noisy(rng, y, 4, 0.8), 4))
    y3 = np.repeat(np.arange(3), [30, 30, 30])
    cases.append(case("balanced3", y3, noisy(rng, y3, 3, 0.6), 3))
    # Class 2 never predicted and class 1 never true: the zero-division rules.
    cases.append(case("zero_division", [0, 0, 0, 2, 2, 0, 2], [0, 1, 0, 0, 1, 0, 0], 3))
    cases.append(case("perfect", [0, 1, 2, 1], [0, 1, 2, 1], 3))
    cases.append(case("one_class_predicted", [0, 1, 2, 1, 0], [1, 1, 1, 1, 1], 3))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics.json")
    with open(path, "w") as f:
        # One case a line: small and diff-friendly.
        f.write("[\n" + ",\n".join(json.dumps(c) for c in cases) + "\n]\n")


if __name__ == "__main__":
    main()
