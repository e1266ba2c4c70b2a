#!/usr/bin/python3
"""Writes the xr-report test fixture: three small experiment folders (sizes 8, 4 and
2 training images per class, 2 validation images per class) with hand-chosen test
predictions per pipeline, the cls-eval metrics.json files computed from them with
scikit-learn (schema xr-cls-eval/2 for small and micro; tiny keeps the older
xr-cls-eval/1 layout, which the report still reads), gan-quality.json and
classical-quality.json,
gan-run/metrics.jsonl, and expected.json (the numbers the unit tests check: metrics
from sklearn, with "f1" the paper's 2PR/(P+R) of sklearn's macro precision and
recall and "f1_sklearn" sklearn's macro F1; the changes between sizes; McNemar
p-values from scipy).

Run from this folder with Debian's python3: /usr/bin/python3 make_fixture.py
"""
import csv
import json
import os
import shutil

import numpy as np
from PIL import Image
from scipy.stats import binomtest, chi2
from sklearn.metrics import (accuracy_score, confusion_matrix, matthews_corrcoef,
                             precision_recall_fscore_support)

CLASSES = ["COVID", "Normal", "Viral Pneumonia"]
ROOT = "fixture"
# 12 test images, 4 per class.
TEST = [(f"{c}/{c.split()[0].lower()}-{i}.png", k) for k, c in enumerate(CLASSES) for i in range(4)]
Y_TRUE = [k for _, k in TEST]

# Predictions per experiment and pipeline (indices into CLASSES), chosen by hand.
PRED = {
    "small": {
        "none":      [0, 0, 1, 0, 1, 1, 1, 2, 2, 2, 1, 2],
        "classical": [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2],
        "gan":       [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2],
    },
    "micro": {
        "none":      [0, 1, 1, 0, 1, 1, 0, 2, 2, 1, 1, 2],
        "classical": [0, 0, 1, 0, 1, 1, 1, 2, 2, 2, 1, 2],
    },
    "tiny": {
        "none":      [1, 1, 1, 0, 1, 1, 0, 2, 1, 1, 1, 2],
        "gan":       [0, 1, 1, 0, 1, 1, 0, 2, 2, 1, 1, 2],
    },
}
TRAIN_PER_CLASS = {"small": 8, "micro": 4, "tiny": 2}
VAL_PER_CLASS = 2
SCHEMA = {"small": 2, "micro": 2, "tiny": 1}
METRICS = ("accuracy", "precision", "recall", "f1", "specificity", "mcc", "f1_sklearn")
# Made-up run statistics and bootstrap intervals (the report passes them through).
RUNS = {"small": 5, "micro": 5, "tiny": 3}


def metrics(y_pred):
    y_true = np.array(Y_TRUE)
    y_pred = np.array(y_pred)
    labels = list(range(len(CLASSES)))
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    spec = []
    for k in labels:
        tn = cm.sum() - cm[k, :].sum() - cm[:, k].sum() + cm[k, k]
        fp = cm[:, k].sum() - cm[k, k]
        spec.append(tn / (tn + fp) if tn + fp else 0.0)
    mp, mr = float(p.mean()), float(r.mean())
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "precision": mp, "recall": mr, "f1": 2 * mp * mr / (mp + mr) if mp + mr else 0.0,
        "f1_sklearn": float(f.mean()),
        "specificity": float(np.mean(spec)), "mcc": float(matthews_corrcoef(y_true, y_pred)),
        "confusion": cm.tolist(),
        "per_class": {c: {"precision": float(p[k]), "recall": float(r[k]), "f1": float(f[k]),
                          "specificity": float(spec[k]), "support": int(s[k])} for k, c in enumerate(CLASSES)},
    }


def eval_json(exp, pipe, m, with_bootstrap):
    v2 = SCHEMA[exp] == 2
    macro = {"precision": m["precision"], "recall": m["recall"], "specificity": m["specificity"],
             "support": len(TEST)}
    if v2:
        macro.update({"f1_sklearn": m["f1_sklearn"], "f1_of_macro_pr": m["f1"]})
    else:
        macro["f1"] = m["f1_sklearn"]
    res = {
        "n": len(TEST), "accuracy": m["accuracy"], "mcc": m["mcc"], "macro": macro,
        "per_class": m["per_class"], "classes": CLASSES, "confusion": m["confusion"],
        "weights": "none", "fine_tuned": True, "kept_run": 2,
        "model": f"{exp}/cls/{pipe}/model.safetensors", "test": f"{exp}/split/test",
    }
    if with_bootstrap:
        res["bootstrap"] = {"resamples": 1000, "level": 0.95, "method": "percentile", "seed": "1",
                            "accuracy": [round(m["accuracy"] - 0.2, 4), min(1.0, round(m["accuracy"] + 0.1, 4))],
                            "mcc": [round(m["mcc"] - 0.3, 4), min(1.0, round(m["mcc"] + 0.1, 4))]}
        f1s = {"macro_f1_sklearn": "f1_sklearn", "f1_of_macro_pr": "f1"} if v2 else {"macro_f1": "f1_sklearn"}
        for key, metric in f1s.items():
            res["bootstrap"][key] = [round(m[metric] - 0.25, 4), min(1.0, round(m[metric] + 0.1, 4))]
    names = {"accuracy": "accuracy", "macro_precision": "precision", "macro_recall": "recall",
             "macro_specificity": "specificity", "mcc": "mcc"}
    names.update({"macro_f1_sklearn": "f1_sklearn", "f1_of_macro_pr": "f1"} if v2 else {"macro_f1": "f1_sklearn"})
    res["runs"] = {"count": RUNS[exp], "std": "sample standard deviation (n - 1)",
                   "mean_std": {k: {"mean": round(m[v] - 0.05, 4), "std": 0.02} for k, v in names.items()}}
    return {"schema": f"xr-cls-eval/{SCHEMA[exp]}", "tool": "cls-eval", "version": "0.1.0",
            "options": {"all-runs": True, "bootstrap": 1000, "seed": "1"}, "results": res}


def write_png(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    a = np.full((16, 16), value, np.uint8)
    a[4:12, 4:12] = 255 - value
    Image.fromarray(a, "L").save(path)


def main():
    shutil.rmtree(ROOT, ignore_errors=True)
    expected = {"metrics": {}, "mcnemar": {}, "size_change": []}
    for exp, pipes in PRED.items():
        d = os.path.join(ROOT, exp)
        os.makedirs(os.path.join(d, "split"))
        with open(os.path.join(d, "split", "split.csv"), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["path", "split", "class", "source"])
            rows = []
            for k, c in enumerate(CLASSES):
                for i in range(TRAIN_PER_CLASS[exp]):
                    rows.append([f"train/{c}/t{i}.png", "train", c, f"{c}/t{i}.png"])
                for i in range(VAL_PER_CLASS):
                    rows.append([f"val/{c}/v{i}.png", "val", c, f"{c}/v{i}.png"])
            for p, k in TEST:
                rows.append([f"test/{p}", "test", CLASSES[k], p])
            w.writerows(sorted(rows))
        expected["metrics"][exp] = {}
        for pipe, y_pred in pipes.items():
            m = metrics(y_pred)
            expected["metrics"][exp][pipe] = {k: m[k] for k in METRICS}
            e = os.path.join(d, "eval", pipe)
            os.makedirs(e)
            with open(os.path.join(e, "metrics.json"), "w") as f:
                json.dump(eval_json(exp, pipe, m, with_bootstrap=(exp != "tiny")), f, indent=2)
            with open(os.path.join(e, "predictions.csv"), "w", newline="") as f:
                w = csv.writer(f, lineterminator="\n")
                w.writerow(["path", "true_class", "predicted_class"] + ["prob_" + c for c in CLASSES])
                for (p, k), q in sorted(zip(TEST, y_pred)):
                    w.writerow([p, CLASSES[k], CLASSES[q]] + ["1" if j == q else "0" for j in range(3)])
        # McNemar between every pair, as cls-eval's library defines it.
        names = [p for p in ("none", "classical", "gan") if p in pipes]
        expected["mcnemar"][exp] = []
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                a = np.array(pipes[names[i]]) == np.array(Y_TRUE)
                b = np.array(pipes[names[j]]) == np.array(Y_TRUE)
                only_a, only_b = int((a & ~b).sum()), int((~a & b).sum())
                if only_a + only_b < 25:
                    pv = 1.0 if only_a + only_b == 0 else binomtest(min(only_a, only_b), only_a + only_b, 0.5).pvalue
                else:
                    pv = chi2.sf((abs(only_a - only_b) - 1) ** 2 / (only_a + only_b), 1)
                expected["mcnemar"][exp].append({"a": names[i], "b": names[j], "only_a_correct": only_a,
                                                 "only_b_correct": only_b, "p_value": float(min(1.0, pv))})
    # The change between sizes: consecutive sizes, largest first; change = smaller - larger.
    order = ["small", "micro", "tiny"]
    for big, small in zip(order, order[1:]):
        for pipe in ("none", "classical", "gan"):
            if pipe in PRED[big] and pipe in PRED[small]:
                for k in METRICS:
                    expected["size_change"].append({"larger": big, "smaller": small, "pipeline": pipe, "metric": k,
                                               "change": expected["metrics"][small][pipe][k] -
                                               expected["metrics"][big][pipe][k]})
    # small: a complete experiment with a GAN and sample images.
    d = os.path.join(ROOT, "small")
    for k, c in enumerate(CLASSES):
        for i in range(3):
            write_png(os.path.join(d, "split", "train", c, f"t{i}.png"), 40 * k + 10 * i)
            write_png(os.path.join(d, "classical", c, f"aug-{i}.png"), 40 * k + 10 * i + 5)
            write_png(os.path.join(d, "gan", c, f"seed{i:04d}.png"), 40 * k + 10 * i + 120)
    gq = {"schema": "xr-fid-kid/1", "tool": "fid-kid", "version": "0.1.0", "options": {"features": "random"},
          "results": {"class_order": CLASSES,
                      "classes": {c: {"fid": 10.5 + k, "kid_mean": 0.01 * (k + 1), "kid_std": 0.001,
                                      "floor": {"halves": {"fid": 2.5 + k, "kid_mean": 0.002 * (k + 1),
                                                           "kid_std": 0.0005},
                                                "val": {"fid": 3.5 + k, "kid_mean": 0.003 * (k + 1),
                                                        "kid_std": 0.0005}}}
                                  for k, c in enumerate(CLASSES)},
                      # The floors' mean is the mean of the classes' (fid-kid's rule): KID 0.004 is
                      # 5 times below the samples' 0.02, not "far" (xr-report's threshold is 10).
                      "mean": {"fid": 11.5, "kid_mean": 0.02, "kid_std": 0.001,
                               "floor": {"halves": {"fid": 3.5, "kid_mean": 0.004, "kid_std": 0.0005},
                                         "val": {"fid": 4.5, "kid_mean": 0.006, "kid_std": 0.0005}}},
                      "warnings": ["class 'COVID': 3 images, not more than 2048 feature dimensions"],
                      "features": {"id": "random:he-normal:seed=1", "comparable_with_published": False,
                                   "description": "Inception-v3 with random weights: NOT comparable"}}}
    with open(os.path.join(d, "gan-quality.json"), "w") as f:
        json.dump(gq, f, indent=2)
    # The classical images on the same features, without floors (the pipeline's --no-floor):
    # mean KID 0.015, so the GAN's 0.02 is 1.3 times it, below xr-report's warning at 2.
    cq = {"schema": "xr-fid-kid/1", "tool": "fid-kid", "version": "0.1.0",
          "options": {"features": "random", "no-floor": True},
          "results": {"class_order": CLASSES,
                      "classes": {c: {"fid": 7.5 + k, "kid_mean": 0.005 * (k + 2), "kid_std": 0.001}
                                  for k, c in enumerate(CLASSES)},
                      "mean": {"fid": 8.5, "kid_mean": 0.015, "kid_std": 0.001},
                      "warnings": [],
                      "features": gq["results"]["features"]}}
    with open(os.path.join(d, "classical-quality.json"), "w") as f:
        json.dump(cq, f, indent=2)
    os.makedirs(os.path.join(d, "gan-run"))
    with open(os.path.join(d, "gan-run", "metrics.jsonl"), "w") as f:
        for s, (kimg, kid, fid) in enumerate([(4, 0.09, 80.0), (8, 0.03, 40.0), (12, 0.05, 45.0)]):
            f.write(json.dumps({"snapshot": f"network-snapshot-{kimg * 1000:09d}.safetensors", "kimg": kimg,
                                "nimg": kimg * 1000, "kid": {"mean": kid}, "fid": {"mean": fid},
                                "kid_floor": {"mean": 0.004}, "fid_floor": {"mean": 3.5},
                                "select_on": "train"}) + "\n")
    with open(os.path.join(d, "gan-run", "options.json"), "w") as f:
        json.dump({"tool": "gan-train", "options": {"kimg": 12, "gamma": 1.024, "batch": 32}}, f, indent=2)
    os.makedirs(os.path.join(d, "cls", "none"))
    with open(os.path.join(d, "cls", "none", "options.json"), "w") as f:
        json.dump({"runs": 5, "epochs": 11, "batch": 32, "weights": "none", "seed": "1"}, f, indent=2)
    with open("expected.json", "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
