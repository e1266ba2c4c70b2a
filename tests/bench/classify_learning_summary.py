#!/usr/bin/python3
"""Summary of tests/bench/classify_learning.sh: one Markdown table of every
(implementation, architecture, mode, size) with the seeds run, the mean, sample
standard deviation and standard error of the best validation accuracy and of the
test accuracy of the kept epoch, and the wall time per run; then, for each mode and
size, the toolkit's torchvision network against PyTorch's: the difference of the
means, Welch's t-test (scipy), and whether the toolkit's mean lies within one
standard deviation of PyTorch's seeds.

    classify_learning_summary.py RESULTS_DIR > summary.md
"""
import glob
import json
import math
import os
import sys
from collections import defaultdict


def stats(values):
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else float("nan")
    return n, mean, sd, sd / math.sqrt(n) if n > 1 else float("nan")


def fmt(v, digits=3):
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.{digits}f}"


def main():
    runs = [json.load(open(p)) for p in sorted(glob.glob(os.path.join(sys.argv[1], "*.json")))]
    groups = defaultdict(list)
    for r in runs:
        groups[(r["mode"], r["size"], r["impl"], r["arch"])].append(r)
    if not runs:
        print("no results")
        return
    lr = sorted({r["lr"] for r in runs})
    epochs = sorted({r["epochs"] for r in runs})
    print(f"Learning rate {', '.join(map(str, lr))}; {', '.join(map(str, epochs))} epochs; one run per seed, "
          f"best validation epoch kept; chance is 1/3.\n")
    print("| mode | size | implementation | seeds | best val acc mean | sd | se | test acc mean | sd | se | "
          "runs at chance (val < 0.40) | wall s / run |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for key in sorted(groups):
        mode, size, impl, arch = key
        g = groups[key]
        _, vm, vs, ve = stats([r["best_val_accuracy"] for r in g])
        n, tm, ts, te = stats([r["test_accuracy"] for r in g])
        chance = sum(r["best_val_accuracy"] < 0.40 for r in g)
        wall = sum(r["wall_secs"] for r in g) / n
        seeds = ",".join(str(r["seed"]) for r in sorted(g, key=lambda r: r["seed"]))
        print(f"| {mode} | {size} | {impl} ({arch}) | {n} ({seeds}) | {fmt(vm)} | {fmt(vs)} | {fmt(ve)} | "
              f"{fmt(tm)} | {fmt(ts)} | {fmt(te)} | {chance}/{n} | {fmt(wall, 0)} |")

    try:
        from scipy import stats as sst
    except ImportError:
        sst = None
    print("\nThe toolkit's torchvision network against PyTorch's, same seeds and folders:\n")
    print("| mode | size | metric | toolkit - pytorch | Welch t p-value | toolkit mean within PyTorch's sd |")
    print("|---|---|---|---|---|---|")
    for mode, size in sorted({(k[0], k[1]) for k in groups}):
        a = groups.get((mode, size, "toolkit", "torchvision"), [])
        b = groups.get((mode, size, "pytorch", "torchvision"), [])
        if len(a) < 2 or len(b) < 2:
            continue
        for metric in ("best_val_accuracy", "test_accuracy"):
            x, y = [r[metric] for r in a], [r[metric] for r in b]
            _, mx, _, _ = stats(x)
            _, my, sy, _ = stats(y)
            p = sst.ttest_ind(x, y, equal_var=False).pvalue if sst else float("nan")
            print(f"| {mode} | {size} | {metric} | {mx - my:+.3f} | {fmt(p)} | "
                  f"{'yes' if abs(mx - my) <= sy else 'no'} |")


if __name__ == "__main__":
    main()
