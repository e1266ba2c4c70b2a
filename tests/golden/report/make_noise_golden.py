#!/usr/bin/env python3
"""Writes noise_golden.json for tests/unit/report/test_noise.cpp: Student's t quantiles
from scipy.stats.t.ppf, and Welch's t-test (scipy.stats.ttest_ind, equal_var=False) of
per-run test accuracies, the independent references for lib/report/noise.cpp.

    /usr/bin/python3 tests/golden/report/make_noise_golden.py  (needs make deps-dev)
"""
import json
import os

import numpy as np
from scipy import stats

quantiles = [{"p": p, "df": df, "q": float(stats.t.ppf(p, df))}
             for p in (0.975, 0.95, 0.995, 0.6, 0.025)
             for df in (1, 2, 2.5, 3, 7.3, 30, 1000)]

# Per-run accuracies of two pipelines (a minus b), as cls-eval's runs would give them;
# the report sees only each one's run count, mean and sample standard deviation.
pairs = [
    ([0.62, 0.58, 0.66, 0.60, 0.64], [0.50, 0.55, 0.47, 0.52]),   # clearly apart
    ([0.40, 0.45], [0.35, 0.44]),                                 # two runs each: wide
    ([0.71, 0.69, 0.74], [0.70, 0.66, 0.72, 0.69, 0.73]),         # unequal counts, close
]
welch = []
for a, b in pairs:
    res = stats.ttest_ind(a, b, equal_var=False)
    welch.append({"runs_a": len(a), "mean_a": float(np.mean(a)), "std_a": float(np.std(a, ddof=1)),
                  "runs_b": len(b), "mean_b": float(np.mean(b)), "std_b": float(np.std(b, ddof=1)),
                  "statistic": float(res.statistic), "pvalue": float(res.pvalue)})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "noise_golden.json")
with open(out, "w") as f:
    json.dump({"t_quantiles": quantiles, "welch": welch}, f, indent=1)
    f.write("\n")
