#!/usr/bin/python3
"""Deterministic weights and inputs shared by the golden scripts and the C++ tests
(tests/unit/nn/det_weights.hpp): every value is a function of (tensor name, element
index), so no weights need be committed. numpy only, so that scripts run without torch.
Keep in step with det_weights.hpp."""
import numpy as np

MASK = (1 << 64) - 1


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


def det_uniform(name, n):
    """n values in [0, 1): splitmix64 of (fnv1a64(name) + (i + 1) * golden gamma), top 24 bits."""
    with np.errstate(over="ignore"):
        i = np.arange(1, n + 1, dtype=np.uint64)
        z = np.uint64(fnv1a64(name)) + i * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(40)).astype(np.float64) / float(1 << 24)


def det_values_np(name, shape):
    """float32 value of a weight or float buffer, by the rule in det_weights.hpp."""
    n = int(np.prod(shape)) if len(shape) else 1
    u = det_uniform(name, n)
    if name.endswith("running_var") or (name.endswith(".weight") and len(shape) == 1):
        v = 0.8 + 0.4 * u  # batch-norm scale and variance near 1
    elif name.endswith(".weight"):
        fan_in = int(np.prod(shape[1:]))
        bound = np.sqrt(6.0 / fan_in)  # He-uniform keeps activations O(1) through ReLUs
        v = (2.0 * u - 1.0) * bound
    else:  # biases, running_mean
        v = (2.0 * u - 1.0) * 0.1
    return v.astype(np.float32).reshape(shape)
