#!/usr/bin/python3
"""Test-time input of tests/unit/nn/test_convert_weights.cpp: a randomly initialised
Inception-v3 checkpoint shaped like torchvision's inception_v3_google-*.pth (with the
AuxLogits head) or pytorch-fid's pt_inception-2015-12-05-*.pth (FID blocks, 1008
classes, saved without bn.num_batches_tracked as old checkpoints are), plus the pool
features and logits Python computes with it. About 100 MB: made in a temp folder only.

    make_fake_checkpoint.py torchvision|fid OUT_DIR
writes OUT_DIR/model.pth and OUT_DIR/expected.safetensors.
"""
import os
import sys

import torch
import torchvision

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_inception_golden as g  # noqa: E402


def main():
    variant, out_dir = sys.argv[1], sys.argv[2]
    torch.manual_seed(1234)
    if variant == "fid":
        model = g.fid_inception_v3()
    else:
        model = torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=False)
    state = model.state_dict()
    with torch.no_grad():
        for k, v in state.items():
            if not v.is_floating_point():
                continue
            if k.endswith("running_var") or (k.endswith(".weight") and v.dim() == 1):
                v.uniform_(0.8, 1.2)
            elif k.endswith(".weight"):
                bound = (6.0 / (v.numel() // v.shape[0])) ** 0.5
                v.uniform_(-bound, bound)
            else:
                v.uniform_(-0.1, 0.1)
    model.eval()
    if variant == "fid":
        state = {k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}
    torch.save(state, os.path.join(out_dir, "model.pth"))
    x = g.det_input("input_96", [2, 3, 96, 96])
    feats, logits = g.pool_and_logits(model, x)
    g.write_safetensors(os.path.join(out_dir, "expected.safetensors"),
                        {"features": feats, "logits": logits})


if __name__ == "__main__":
    main()
