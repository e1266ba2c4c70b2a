#!/usr/bin/python3
"""Golden data for the metrics unit tests (tests/unit/metrics/), computed with
independent implementations: KID with numpy following the reference formula of
NVIDIA's StyleGAN2-ADA metric code, FID with scipy.linalg.sqrtm as pytorch-fid does,
SSIM with skimage.metrics.structural_similarity, RMSE and SRE with numpy.

  /usr/bin/python3 tests/golden/metrics/make_goldens.py tests/golden/metrics

Writes features.json (fixed feature sets and their KID/FID) and images.json (image
pairs and their SSIM/RMSE/SRE). Deterministic: numpy's seeded generator.
"""
import json
import os
import sys

import numpy as np
import scipy.linalg
from skimage.metrics import structural_similarity


def floats(a):
    return [float(v) for v in np.asarray(a, dtype=np.float64).ravel()]


# --- KID: the reference formula (NVIDIA metrics/kernel_inception_distance.py) ---------
def kernel(a, b):
    d = a.shape[1]
    return (a @ b.T / d + 1) ** 3


def mmd2_subset(x, y):
    """One subset's term exactly as NVIDIA's loop body, divided by m as its last line."""
    m = x.shape[0]
    a = kernel(x, x) + kernel(y, y)
    b = kernel(x, y)
    t = (a.sum() - np.diag(a).sum()) / (m - 1) - b.sum() * 2 / m
    return t / m


def mmd2_expected(x, y):
    """Expectation of the subset estimate over random subsets (any subset size): the
    mean kernel over distinct pairs within each set minus twice the cross mean."""
    kxx, kyy, kxy = kernel(x, x), kernel(y, y), kernel(x, y)
    nx, ny = x.shape[0], y.shape[0]
    return ((kxx.sum() - np.trace(kxx)) / (nx * (nx - 1)) + (kyy.sum() - np.trace(kyy)) / (ny * (ny - 1))
            - 2 * kxy.mean())


# --- FID: pytorch-fid's calculate_frechet_distance ------------------------------------
def fid(x, y):
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    covmean, _ = scipy.linalg.sqrtm(s1.dot(s2), disp=False)
    if not np.isfinite(covmean).all():
        raise SystemExit("sqrtm failed")
    covmean = covmean.real
    diff = mu1 - mu2
    return float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def fid_symmetric(x, y):
    """The same distance with the square root of the symmetric S1^1/2 S2 S1^1/2, each
    root by scipy's sqrtm: the reference for singular covariances (n <= D), where the
    sqrtm of the non-symmetric product is unreliable."""
    mu1, mu2 = x.mean(0), y.mean(0)
    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    r1 = scipy.linalg.sqrtm(s1).real
    inner = r1 @ s2 @ r1
    root = scipy.linalg.sqrtm((inner + inner.T) / 2).real
    diff = mu1 - mu2
    return float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(root))


def make_features(rng):
    d = 64
    mix = rng.normal(size=(d, d)) / np.sqrt(d)  # correlated features, as a network's
    real = np.maximum(rng.normal(size=(50, d)) @ mix + 0.3, 0).astype(np.float32)
    fake = np.maximum(rng.normal(size=(40, d)) @ (mix * 1.2) + 0.35, 0).astype(np.float32)
    r, f = real.astype(np.float64), fake.astype(np.float64)

    m = 20
    subsets = []
    for _ in range(3):
        fi = rng.choice(f.shape[0], m, replace=False)
        ri = rng.choice(r.shape[0], m, replace=False)
        subsets.append({"fake": [int(i) for i in fi], "real": [int(i) for i in ri],
                        "mmd2": float(mmd2_subset(f[fi], r[ri]))})
    values = np.array([s["mmd2"] for s in subsets])

    small_real, small_fake = r[:30], f[:20]
    return {
        "dim": d,
        "real": floats(real), "n_real": real.shape[0],
        "fake": floats(fake), "n_fake": fake.shape[0],
        "kid_subsets": subsets,
        "kid_subsets_mean": float(values.mean()),
        "kid_subsets_std": float(values.std()),  # ddof 0, as torch-fidelity and clean-fid
        "kid_full_40": float(mmd2_subset(f, r[:40])),  # real[:40] vs fake: one subset = all
        "kid_expected": float(mmd2_expected(f, r)),
        # Non-singular: the first 32 features (50 and 40 images > 32 dimensions).
        "fid_32": fid(r[:, :32], f[:, :32]),
        "fid_32_symmetric": fid_symmetric(r[:, :32], f[:, :32]),
        # Singular: 64 features from 50/40 and from 30/20 images.
        "fid_singular": fid_symmetric(r, f),
        "fid_singular_sqrtm_of_product": fid(r, f),
        "fid_singular_30_20": fid_symmetric(small_real, small_fake),
    }


def ssim(x, y):
    return float(structural_similarity(x, y, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                       data_range=255))


def make_pairs(rng):
    pairs = []
    for (w, h) in [(32, 32), (48, 40), (11, 11), (17, 23)]:
        yy, xx = np.mgrid[0:h, 0:w]
        base = 120 + 80 * np.sin(xx / 5.0) * np.cos(yy / 7.0) + rng.normal(0, 10, size=(h, w))
        x = np.clip(np.round(base), 0, 255).astype(np.uint8)
        y = np.clip(np.round(base * 0.9 + 15 + rng.normal(0, 12, size=(h, w))), 0, 255).astype(np.uint8)
        xf, yf = x.astype(np.float64), y.astype(np.float64)
        mse = ((xf - yf) ** 2).mean()
        pairs.append({
            "width": w, "height": h,
            "x": [int(v) for v in x.ravel()], "y": [int(v) for v in y.ravel()],
            "ssim": ssim(x, y),
            "rmse": float(np.sqrt(mse)),
            "sre_db": float(10 * np.log10(xf.mean() ** 2 / mse)),
        })
    return pairs


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    rng = np.random.default_rng(20240607)
    with open(os.path.join(out, "features.json"), "w") as f:
        json.dump(make_features(rng), f, indent=0)
        f.write("\n")
    with open(os.path.join(out, "images.json"), "w") as f:
        json.dump({"pairs": make_pairs(rng)}, f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
