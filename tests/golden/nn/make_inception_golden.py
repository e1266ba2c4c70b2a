#!/usr/bin/python3
"""Golden outputs of torchvision's Inception-v3, pytorch-fid's FID variant and Keras'
InceptionV3 (rebuilt below from keras/applications/inception_v3.py) for
tests/unit/nn/test_inception_v3.cpp; the statistics of torchvision's own initialisation
(inception_init_torchvision.json); and the tiny TorchScript stand-in for NVIDIA's
inception-2015-12-05.pt used by test_torchscript_inception.cpp.

No weights are committed: every parameter and buffer is a deterministic function of
(tensor name, element index) that the C++ test computes too (see det_values), and so
is every input. Only the expected outputs are stored.

Run with Debian's python3 (torch 1.13, torchvision 0.14):
    /usr/bin/python3 tests/golden/nn/make_inception_golden.py [OUT_DIR]
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from torchvision.models import inception as tvi

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from det_values import det_uniform, det_values_np  # noqa: E402


def det_values(name, shape):
    """The value of every weight and buffer, by the rule in det_values.py."""
    if name.endswith("num_batches_tracked"):
        return torch.zeros(shape, dtype=torch.int64)
    return torch.from_numpy(det_values_np(name, shape))


def det_input(name, shape, lo=-1.0, hi=1.0):
    u = det_uniform(name, int(np.prod(shape)))
    return torch.from_numpy((lo + (hi - lo) * u).astype(np.float32).reshape(shape))


def det_pixels(name, shape):
    u = det_uniform(name, int(np.prod(shape)))
    return torch.from_numpy(np.floor(u * 256.0).astype(np.uint8).reshape(shape))


def fill(model):
    state = model.state_dict()
    for k, v in state.items():
        state[k] = det_values(k, list(v.shape))
    model.load_state_dict(state)
    return model.eval()


# pytorch-fid's blocks (pytorch_fid/inception.py, v0.3.0), rebuilt from torchvision's.
class FIDInceptionA(tvi.InceptionA):
    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch5x5 = self.branch5x5_2(self.branch5x5_1(x))
        branch3x3dbl = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        branch_pool = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        branch_pool = self.branch_pool(branch_pool)
        return torch.cat([branch1x1, branch5x5, branch3x3dbl, branch_pool], 1)


class FIDInceptionC(tvi.InceptionC):
    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        branch7x7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        b = self.branch7x7dbl_1(x)
        b = self.branch7x7dbl_3(self.branch7x7dbl_2(b))
        b = self.branch7x7dbl_5(self.branch7x7dbl_4(b))
        branch_pool = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        branch_pool = self.branch_pool(branch_pool)
        return torch.cat([branch1x1, branch7x7, b, branch_pool], 1)


class FIDInceptionE_1(tvi.InceptionE):
    pool = "avg"

    def forward(self, x):
        branch1x1 = self.branch1x1(x)
        b3 = self.branch3x3_1(x)
        b3 = torch.cat([self.branch3x3_2a(b3), self.branch3x3_2b(b3)], 1)
        bd = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        bd = torch.cat([self.branch3x3dbl_3a(bd), self.branch3x3dbl_3b(bd)], 1)
        if self.pool == "avg":
            branch_pool = F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)
        else:
            branch_pool = F.max_pool2d(x, kernel_size=3, stride=1, padding=1)
        branch_pool = self.branch_pool(branch_pool)
        return torch.cat([branch1x1, b3, bd, branch_pool], 1)


class FIDInceptionE_2(FIDInceptionE_1):
    pool = "max"


def keras_inception_v3():
    """Keras' InceptionV3(include_top=False) in torchvision's modules: every 3x3 average
    pool is Keras' AveragePooling2D(padding='same'), which divides by the number of real
    (not padded) inputs, Mixed_7c's included; BatchNorm has no scale (scale=False: gamma
    is 1, set by the caller). The wiring is Keras' and torchvision's alike."""
    m = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False)
    m.Mixed_5b = FIDInceptionA(192, pool_features=32)
    m.Mixed_5c = FIDInceptionA(256, pool_features=64)
    m.Mixed_5d = FIDInceptionA(288, pool_features=64)
    m.Mixed_6b = FIDInceptionC(768, channels_7x7=128)
    m.Mixed_6c = FIDInceptionC(768, channels_7x7=160)
    m.Mixed_6d = FIDInceptionC(768, channels_7x7=160)
    m.Mixed_6e = FIDInceptionC(768, channels_7x7=192)
    m.Mixed_7b = FIDInceptionE_1(1280)
    m.Mixed_7c = FIDInceptionE_1(2048)
    return m


def mixed_7c_map(model, x):
    """The Mixed_7c output before pooling (Keras' include_top=False, pooling=None)."""
    out = {}
    h = model.Mixed_7c.register_forward_hook(lambda m, i, o: out.setdefault("map", o))
    with torch.no_grad():
        model(x)
    h.remove()
    return out["map"].contiguous()


def init_statistics(seed):
    """torchvision's inception_v3(init_weights=True) from torch.manual_seed(seed): per
    tensor its sum, sum of squares and first four values (float64), enough to show that
    an implementation draws the very same numbers."""
    torch.manual_seed(seed)
    m = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=True)
    stats = {}
    for k, v in m.state_dict().items():
        if not v.is_floating_point():
            continue
        d = v.detach().double().flatten()
        stats[k] = [d.sum().item(), (d * d).sum().item(), d[:4].tolist()]
    return stats


def fid_inception_v3():
    """As pytorch_fid.inception.fid_inception_v3, without downloading weights."""
    m = torchvision.models.inception_v3(weights=None, aux_logits=False, num_classes=1008,
                                        init_weights=False)
    m.Mixed_5b = FIDInceptionA(192, pool_features=32)
    m.Mixed_5c = FIDInceptionA(256, pool_features=64)
    m.Mixed_5d = FIDInceptionA(288, pool_features=64)
    m.Mixed_6b = FIDInceptionC(768, channels_7x7=128)
    m.Mixed_6c = FIDInceptionC(768, channels_7x7=160)
    m.Mixed_6d = FIDInceptionC(768, channels_7x7=160)
    m.Mixed_6e = FIDInceptionC(768, channels_7x7=192)
    m.Mixed_7b = FIDInceptionE_1(1280)
    m.Mixed_7c = FIDInceptionE_2(2048)
    return m


def pool_and_logits(model, x):
    """Pool features (the avgpool output) and logits, hooked as pytorch-fid reads them."""
    feats = {}
    h = model.avgpool.register_forward_hook(lambda m, i, o: feats.setdefault("pool", o.flatten(1)))
    with torch.no_grad():
        logits = model(x)
    h.remove()
    return feats["pool"].contiguous(), logits.contiguous()


DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.int32: "I32",
          torch.uint8: "U8", torch.bool: "BOOL", torch.float16: "F16", torch.int16: "I16",
          torch.int8: "I8"}


def write_safetensors(path, tensors, metadata=None):
    """The safetensors format by hand (the `safetensors` package is not installed)."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = dict(metadata)
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        raw = t.numpy().tobytes() if t.dtype != torch.bfloat16 else \
            t.view(torch.int16).numpy().tobytes()
        dtype = "BF16" if t.dtype == torch.bfloat16 else DTYPES[t.dtype]
        header[name] = {"dtype": dtype, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * ((8 - len(head) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


class TinyDetector(torch.nn.Module):
    """Same call signature as NVIDIA's inception-2015-12-05.pt: uint8-range images
    [N,3,H,W], resized inside, return_features=True gives [N,2048], else [N,1008].
    Its 'weights' are computed from indices, so the scripted file stays tiny."""

    def forward(self, img: torch.Tensor, return_features: bool = False,
                use_fp16: bool = False, no_output_bias: bool = False) -> torch.Tensor:
        x = img.to(torch.float32)
        x = F.interpolate(x, size=(8, 8), mode="bilinear", align_corners=False)
        x = x / 127.5 - 1.0
        x = x.flatten(1)  # [N, 192]
        idx = torch.arange(192 * 2048, dtype=torch.float32).reshape(192, 2048)
        w = torch.cos(idx * 0.37) / 14.0
        f = torch.relu(x @ w)
        if return_features:
            return f
        idx2 = torch.arange(2048 * 1008, dtype=torch.float32).reshape(2048, 1008)
        return f @ (torch.sin(idx2 * 0.11) / 45.0)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    torch.set_num_threads(max(1, torch.get_num_threads()))
    meta = {"torch": torch.__version__, "torchvision": torchvision.__version__,
            "script": "tests/golden/nn/make_inception_golden.py"}

    # torchvision Inception-v3 (the ImageNet classifier) on two 96x96 and one 75x75 input.
    tv = fill(torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False))
    out = {}
    x96 = det_input("input_96", [2, 3, 96, 96])
    out["tv96.features"], out["tv96.logits"] = pool_and_logits(tv, x96)
    x75 = det_input("input_75", [1, 3, 75, 75])
    out["tv75.features"], out["tv75.logits"] = pool_and_logits(tv, x75)

    # The FID network on uint8 gray 128x128 images put through pytorch-fid's input
    # path: [0,1], bilinear resize to 299 (align_corners=False), 2x - 1.
    fid = fill(fid_inception_v3())
    px = det_pixels("pixels_128", [1, 1, 128, 128])
    x = px.to(torch.float32).repeat(1, 3, 1, 1) / 255.0
    x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
    x = 2.0 * x - 1.0
    out["fid299.features"], out["fid299.logits"] = pool_and_logits(fid, x)
    # The FID blocks at a small size too (many pools at the border).
    out["fid96.features"], out["fid96.logits"] = pool_and_logits(fid, x96)

    # Keras' InceptionV3 at 128x128, where the last blocks' maps are 2x2 and every
    # pooled position is a border one, and at 96x96.
    keras = fill(keras_inception_v3())
    with torch.no_grad():
        for mod in keras.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.weight.fill_(1.0)
    x128 = det_input("input_128", [2, 3, 128, 128])
    out["keras128.map"] = mixed_7c_map(keras, x128)
    out["keras96.features"], out["keras96.logits"] = pool_and_logits(keras, x96)
    write_safetensors(os.path.join(out_dir, "inception_golden.safetensors"), out, meta)

    with open(os.path.join(out_dir, "inception_init_torchvision.json"), "w") as f:
        json.dump({"seed": 0, "torch": torch.__version__, "torchvision": torchvision.__version__,
                   "tensors": init_statistics(0)}, f, separators=(",", ":"))
        f.write("\n")

    # Names and shapes of the state dicts, in torchvision's order.
    aux = torchvision.models.inception_v3(weights=None, aux_logits=True, init_weights=False)
    names = {"torchvision_aux": [[k, list(v.shape)] for k, v in aux.state_dict().items()],
             "fid": [[k, list(v.shape)] for k, v in fid.state_dict().items()]}
    with open(os.path.join(out_dir, "inception_state_names.json"), "w") as f:
        json.dump(names, f, separators=(",", ":"))
        f.write("\n")

    # TorchScript stand-in and what it returns for fixed uint8 images.
    det = torch.jit.script(TinyDetector())
    det.save(os.path.join(out_dir, "tiny_detector.pt"))
    imgs = det_pixels("detector_images", [2, 3, 40, 52])
    with torch.no_grad():
        feats = det(imgs, return_features=True)
    write_safetensors(os.path.join(out_dir, "tiny_detector_golden.safetensors"),
                      {"features": feats, "images": imgs}, meta)


if __name__ == "__main__":
    main()
