#!/usr/bin/python3
"""Test-time input of tests/unit/nn/test_convert_weights.cpp: an .h5 file in the layout
Keras' save_weights_to_hdf5_group writes for InceptionV3 (include_top=False, or with
the top), holding the deterministic weights of det_values.py, so that the C++ test
knows every value without a committed weights file. About 90 MB: made in a temp
folder only. Needs h5py and numpy (no torch, no Keras).

    make_fake_keras_h5.py OUT.h5 [--tf-keras] [--top] [--model-save] [--break WHAT]

The Keras names come from keras/applications/inception_v3.py: the k-th conv2d_bn call
creates conv2d_k and batch_normalization_k (Keras 2.0-2.2; --tf-keras: conv2d,
conv2d_1, ..., as tf.keras names them). Their order is taken from torchvision's state
dict (inception_state_names.json, written by make_inception_golden.py from torchvision
itself), independently of the converter's own table. layer_names lists the layers in a
shuffled order, with weightless layers between them, as Keras' topological order is
not the creation order: the converter must not rely on it. --break makes the file
wrong for the error tests: 'shape' (one kernel transposed), 'gamma' (a BatchNorm with
a scale other than 1), 'missing' (the last conv layer dropped).
"""
import argparse
import json
import os
import random
import sys

import h5py
import numpy as np

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from det_values import det_values_np  # noqa: E402


def conv_names():
    """torchvision's BasicConv2d names (Conv2d_1a_3x3, Mixed_5b.branch1x1, ...) in order."""
    with open(os.path.join(HERE, "inception_state_names.json")) as f:
        names = json.load(f)["torchvision_aux"]
    out = []
    for name, shape in names:
        if name.endswith(".conv.weight") and not name.startswith("AuxLogits."):
            out.append((name[: -len(".conv.weight")], shape))
    return out


def write_layer(f, layer, weights):
    g = f.create_group(layer)
    g.attrs["weight_names"] = [f"{layer}/{w}:0".encode("utf8") for w in weights]
    for w, value in weights.items():
        g.create_dataset(f"{layer}/{w}:0", data=value)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--tf-keras", action="store_true")
    ap.add_argument("--top", action="store_true")
    ap.add_argument("--model-save", action="store_true")
    ap.add_argument("--break", dest="breakage", choices=["shape", "gamma", "missing"])
    args = ap.parse_args()

    convs = conv_names()
    assert len(convs) == 94, len(convs)
    with h5py.File(args.out, "w") as h5:
        f = h5.create_group("model_weights") if args.model_save else h5
        layer_names = ["input_1"]
        for k, (tv, oihw) in enumerate(convs):
            idx = k if args.tf_keras else k + 1
            conv = "conv2d" if idx == 0 else f"conv2d_{idx}"
            bn = "batch_normalization" if idx == 0 else f"batch_normalization_{idx}"
            if args.breakage == "missing" and k == len(convs) - 1:
                continue
            kernel = det_values_np(tv + ".conv.weight", oihw).transpose(2, 3, 1, 0)  # OIHW -> HWIO
            if args.breakage == "shape" and k == 9:  # Mixed_5b.branch3x3dbl_2: 64 -> 96
                kernel = kernel.transpose(0, 1, 3, 2)
            write_layer(f, conv, {"kernel": kernel})
            c = oihw[0]
            weights = {"beta": det_values_np(tv + ".bn.bias", [c]),
                       "moving_mean": det_values_np(tv + ".bn.running_mean", [c]),
                       "moving_variance": det_values_np(tv + ".bn.running_var", [c])}
            if args.breakage == "gamma" and k == 20:
                weights = {"gamma": np.full([c], 1.5, np.float32), **weights}
            write_layer(f, bn, weights)
            act = "activation" if idx == 0 else f"activation_{idx}"
            f.create_group(act).attrs["weight_names"] = []
            layer_names += [conv, bn, act]
        for i in range(11):
            f.create_group(f"mixed{i}").attrs["weight_names"] = []
            layer_names.append(f"mixed{i}")
        if args.top:
            write_layer(f, "predictions", {"kernel": det_values_np("fc.weight", [1000, 2048]).T.copy(),
                                           "bias": det_values_np("fc.bias", [1000])})
            layer_names.append("predictions")
        first, rest = layer_names[:1], layer_names[1:]
        random.Random(7).shuffle(rest)
        f.attrs["layer_names"] = [n.encode("utf8") for n in first + rest]
        f.attrs["backend"] = b"tensorflow"
        f.attrs["keras_version"] = b"2.0.8"
        f.create_group("input_1").attrs["weight_names"] = []


if __name__ == "__main__":
    main()
