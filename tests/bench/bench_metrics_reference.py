#!/usr/bin/python3
"""Baseline for bench_metrics_fid_kid: the reference implementations timed on the same
kind of data and sizes, in the same run, on the same machine.

  KID: NVIDIA StyleGAN2-ADA's metrics/kernel_inception_distance.py loop (numpy,
       float64 here as our code), 100 subsets of 1000, 1000 and 5000 images a set.
  FID: pytorch-fid's calculate_frechet_distance (scipy.linalg.sqrtm), 1000 and 5000
       images, D = 2048.

  /usr/bin/python3 tests/bench/bench_metrics_reference.py [--threads N]
Prints one line a case: name, seconds (best of --repeat).
"""
import argparse
import os
import sys
import time


def features(rng, n, scale=1.0):
    import numpy as np
    mix = rng.standard_normal((64, 2048)) / 8.0
    x = rng.standard_normal((n, 64)) @ mix + rng.standard_normal((n, 2048)) * 0.1 + 0.2
    return np.maximum(x, 0) * scale


def kid_nvidia(real, gen, num_subsets=100, max_subset_size=1000, seed=0):
    import numpy as np
    rs = np.random.RandomState(seed)
    n = real.shape[1]
    m = min(min(real.shape[0], gen.shape[0]), max_subset_size)
    t = 0
    for _ in range(num_subsets):
        x = gen[rs.choice(gen.shape[0], m, replace=False)]
        y = real[rs.choice(real.shape[0], m, replace=False)]
        a = (x @ x.T / n + 1) ** 3 + (y @ y.T / n + 1) ** 3
        b = (x @ y.T / n + 1) ** 3
        t += (a.sum() - np.diag(a).sum()) / (m - 1) - b.sum() * 2 / m
    return t / num_subsets / m


def fid_pytorch_fid(x, y):
    import numpy as np
    import scipy.linalg
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    covmean, _ = scipy.linalg.sqrtm(s1.dot(s2), disp=False)
    diff = mu1 - mu2
    return diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean.real)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args()
    if a.threads:
        for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[v] = str(a.threads)
    import numpy as np
    rng = np.random.default_rng(0)
    for n in (1000, 5000):
        real, fake = features(rng, n), features(rng, n, 1.05)
        for name, fn in (("kid", kid_nvidia), ("fid", fid_pytorch_fid)):
            best = float("inf")
            for _ in range(a.repeat):
                t0 = time.perf_counter()
                fn(real, fake)
                best = min(best, time.perf_counter() - t0)
            print(f"reference_{name}/{n}\t{best:.3f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
