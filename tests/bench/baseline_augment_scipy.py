#!/usr/bin/python3
"""The issue's speed baseline for xr-augment: Keras-style augmentation with
scipy.ndimage.affine_transform on in-memory 128x128 images, one core.

Per image, as keras-preprocessing's ImageDataGenerator does: draw the parameters
(np.random.uniform, Keras' order), compose the matrix of apply_affine_transform
about the centre, one scipy.ndimage.affine_transform (order=1, mode='nearest') of the
float32 image, then the brightness factor, clipped, back to 8 bits. Keras' own
brightness goes through PIL (array_to_img, ImageEnhance), which is slower; a NumPy
multiply is used here so the baseline is not handicapped.

    taskset -c 0 /usr/bin/python3 tests/bench/baseline_augment_scipy.py [--seconds 5]

Prints images/s by CPU time (process_time, comparable with Google Benchmark's CPU
column) and by wall time, for the full step and for affine_transform alone.
"""
import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from scipy import ndimage  # noqa: E402

SIZE = 128


def keras_matrix(theta_deg, tx, ty, shear_deg, zx, zy, h, w):
    theta = np.deg2rad(theta_deg)
    rotation = np.array([[np.cos(theta), -np.sin(theta), 0], [np.sin(theta), np.cos(theta), 0], [0, 0, 1]])
    shift = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
    shear = np.deg2rad(shear_deg)
    shear_m = np.array([[1, -np.sin(shear), 0], [0, np.cos(shear), 0], [0, 0, 1]])
    zoom = np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
    m = rotation @ shift @ shear_m @ zoom
    o_x, o_y = h / 2 - 0.5, w / 2 - 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    return offset @ m @ reset


def augment(x, rng):
    h, w = x.shape
    theta = rng.uniform(-5, 5)
    tx = rng.uniform(-0.05, 0.05) * h
    ty = rng.uniform(-0.05, 0.05) * w
    shear = rng.uniform(-2.866, 2.866)
    zx, zy = rng.uniform(0.85, 1.15, 2)
    brightness = rng.uniform(0.6, 1.4)
    m = keras_matrix(theta, tx, ty, shear, zx, zy, h, w)
    out = ndimage.affine_transform(x, m[:2, :2], m[:2, 2], order=1, mode="nearest")
    return np.clip(out * brightness, 0, 255).astype(np.uint8)


def rate(fn, images, seconds):
    n, cpu0, wall0 = 0, time.process_time(), time.perf_counter()
    while time.perf_counter() - wall0 < seconds:
        for x in images:
            fn(x)
        n += len(images)
    return n / (time.process_time() - cpu0), n / (time.perf_counter() - wall0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
    rng = np.random.RandomState(0)
    images = [rng.randint(0, 256, (SIZE, SIZE)).astype(np.float32) for _ in range(64)]
    fixed = keras_matrix(4.5, 5.1, -3.8, 2.5, 0.88, 1.12, SIZE, SIZE)

    full_cpu, full_wall = rate(lambda x: augment(x, rng), images, args.seconds)
    only_cpu, only_wall = rate(
        lambda x: ndimage.affine_transform(x, fixed[:2, :2], fixed[:2, 2], order=1, mode="nearest"),
        images, args.seconds)
    print(f"scipy keras-style augment {SIZE}x{SIZE}: {full_cpu:.0f} images/s (CPU time), {full_wall:.0f} (wall)")
    print(f"scipy affine_transform only {SIZE}x{SIZE}: {only_cpu:.0f} images/s (CPU time), {only_wall:.0f} (wall)")


if __name__ == "__main__":
    main()
