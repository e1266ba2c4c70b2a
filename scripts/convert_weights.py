#!/usr/bin/python3
"""Converts Inception-v3 checkpoints to the toolkit's safetensors layout.

    scripts/convert_weights.py IN.pth|IN.h5 OUT.safetensors [--variant auto|torchvision|fid]
                               [--keep-aux] [--dtype f32|f16|bf16]

Inputs: torchvision's inception_v3_google-*.pth (ImageNet classifier) and
pytorch-fid's pt_inception-2015-12-05-*.pth (the FID network, 1008 classes). Either
may be a bare state dict, a {"state_dict": ...} wrapper, a pickled nn.Module, or carry
a "module." prefix (DataParallel).

Keras' ImageNet weights, inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5
(or the file with the top, or a whole model saved by model.save()), are recognised
by the HDF5 signature and written as variant "keras", for inc3-train --arch keras:
see keras_to_tensors() for the layer mapping. Needs h5py and numpy only.

Output: tensor names as torchvision's state dict (Conv2d_1a_3x3.conv.weight,
Mixed_5b.branch1x1.bn.running_mean, ..., fc.weight), checked name by name and shape by
shape against torchvision's model; metadata {"format": "xr-inception-v3",
"variant": "torchvision"|"fid", "num_classes", "aux_logits", "source",
"source_sha256", "converter"}. The auxiliary head (AuxLogits.*) is dropped unless
--keep-aux: the toolkit's InceptionV3 has none by default. Missing
bn.num_batches_tracked buffers (old checkpoints) are written as 0.

A .pth needs torch and torchvision (Debian: python3-torch, python3-torchvision), an .h5
h5py (python3-h5py); the safetensors package is not needed (the format is written by
hand). Exit status: 0 ok, 64 usage, 65 bad checkpoint, 66 missing input, 69 a needed
Python module is missing, 73 cannot write output.
"""
import argparse
import hashlib
import json
import os
import re
import struct
import sys
import tempfile

PROG = "convert_weights.py"


def die(code, path, what):
    sys.stderr.write(f"{PROG}: error: {path + ': ' if path else ''}{what}\n")
    sys.exit(code)


NUMPY_DTYPES = {"float32": "F32", "float16": "F16", "float64": "F64", "int64": "I64",
                "int32": "I32", "uint8": "U8", "bool": "BOOL"}


class Bf16:
    """bfloat16 values as their raw 16-bit patterns (numpy has no bfloat16)."""

    def __init__(self, bits, shape):
        self.bits, self.shape = bits, tuple(shape)


def to_bf16(a):
    """float32 numpy array -> Bf16, rounding to nearest even as torch does."""
    import numpy as np
    u = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)
    rounded = (u + np.uint32(0x7FFF) + ((u >> np.uint32(16)) & np.uint32(1))) >> np.uint32(16)
    rounded = np.where(np.isnan(a), np.uint32(0x7FC0), rounded)  # a NaN stays a quiet NaN
    return Bf16(rounded.astype(np.uint16), a.shape)


def safetensors_bytes(tensors, metadata):
    """tensors: name -> numpy array or Bf16."""
    import numpy as np
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        t = tensors[name]
        if isinstance(t, Bf16):
            dtype, shape, raw = "BF16", list(t.shape), np.ascontiguousarray(t.bits).tobytes()
        else:
            t = np.asarray(t)  # (np.ascontiguousarray would make a 0-d array 1-d)
            if not t.flags.c_contiguous:
                t = t.copy(order="C")
            dtype, shape, raw = NUMPY_DTYPES[t.dtype.name], list(t.shape), t.tobytes()
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * ((8 - len(head) % 8) % 8)  # data 8-byte aligned, like the reference writer
    return struct.pack("<Q", len(head)) + head, blobs


def write_atomic(path, head, blobs):
    folder = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".tmp-", dir=folder)
    except OSError as e:
        die(73, path, f"cannot create ({e.strerror})")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; an output file is not private
        with os.fdopen(fd, "wb") as f:
            f.write(head)
            for b in blobs:
                f.write(b)
        os.replace(tmp, path)
    except OSError as e:
        os.unlink(tmp)
        die(73, path, f"cannot write ({e.strerror})")


def load_state_dict(path):
    import torch
    try:
        obj = torch.load(path, map_location="cpu")
    except Exception as e:  # pickle, zip and torch errors all mean "not a checkpoint"
        die(65, path, f"not a PyTorch checkpoint ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})")
    if isinstance(obj, torch.nn.Module):
        obj = obj.state_dict()
    if isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        die(65, path, "not a state dict of tensors")
    out = {}
    for k, v in obj.items():
        out[k[len("module."):] if k.startswith("module.") else k] = v
    return out


def reference_shapes(variant, keep_aux):
    """Names and shapes of torchvision's inception_v3 state dict for this variant."""
    import torchvision
    num_classes = 1008 if variant == "fid" else 1000
    model = torchvision.models.inception_v3(weights=None, aux_logits=keep_aux,
                                            num_classes=num_classes, init_weights=False)
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}, num_classes


def convert(src, variant="auto", keep_aux=False, dtype="f32"):
    """Returns (tensors, metadata) or exits with a one-line error."""
    import torch
    state = load_state_dict(src)
    fc = state.get("fc.weight")
    if fc is None:
        die(65, src, "fc.weight: missing - not an Inception-v3 checkpoint")
    detected = "fid" if fc.shape[0] == 1008 else "torchvision"
    if variant == "auto":
        variant = detected
    has_aux = any(k.startswith("AuxLogits.") for k in state)
    if keep_aux and not has_aux:
        die(65, src, "AuxLogits.*: --keep-aux given but the checkpoint has no auxiliary head")
    ref, num_classes = reference_shapes(variant, keep_aux)
    target = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16}[dtype]
    out = {}
    for name, shape in ref.items():
        t = state.get(name)
        if t is None:
            if name.endswith("num_batches_tracked"):
                out[name] = torch.zeros((), dtype=torch.int64)
                continue
            die(65, src, f"{name}: missing from the checkpoint")
        if tuple(t.shape) != shape:
            die(65, src, f"{name}: shape [{','.join(map(str, t.shape))}] in the checkpoint, "
                         f"[{','.join(map(str, shape))}] expected")
        if name.endswith("num_batches_tracked"):
            out[name] = t.to(torch.int64).reshape(())
        elif not t.is_floating_point():
            die(65, src, f"{name}: dtype {t.dtype} is not floating point")
        else:
            out[name] = t.to(target)
    for name in sorted(state):
        if name not in ref and not (name.startswith("AuxLogits.") and not keep_aux):
            die(65, src, f"{name}: not a tensor of Inception-v3 ({variant})")
    meta = {"format": "xr-inception-v3", "variant": variant, "num_classes": str(num_classes),
            "aux_logits": "true" if keep_aux else "false", "source": os.path.basename(src),
            "source_sha256": sha256_of(src), "converter": "scripts/convert_weights.py"}
    return {name: torch_to_numpy(t) for name, t in out.items()}, meta


def torch_to_numpy(t):
    import torch
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:
        return Bf16(t.view(torch.int16).numpy().view("uint16"), t.shape)
    return t.numpy()


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --- Keras' InceptionV3 (.h5) ---------------------------------------------------------
#
# keras/applications/inception_v3.py builds the network from conv2d_bn(x, filters,
# rows, cols) calls; Keras names each Conv2D and BatchNormalization by a per-class
# counter at creation: conv2d_1 .. conv2d_94 and batch_normalization_1 .. _94 in Keras
# 2.0-2.2 (the v0.5 release of the weights files), conv2d, conv2d_1 .. conv2d_93 in
# tf.keras. The k-th conv2d_bn call is the k-th BasicConv2d in torchvision's
# registration order (the blocks create their branches in the same order), listed
# here with the call's (rows, cols, filters). The .h5 layout is Keras' own
# save_weights_to_hdf5_group: a group per layer, its attribute weight_names, one
# dataset per weight ("conv2d_1/kernel:0", HWIO kernels; BatchNormalization with
# scale=False holds beta, moving_mean, moving_variance). A file whose layers do not
# match these shapes one by one is refused.


def keras_conv_table():
    """[(torchvision BasicConv2d name, rows, cols, in_channels, filters)] in creation order."""
    convs = []

    def add(name, rows, cols, cin, cout):
        convs.append((name, rows, cols, cin, cout))

    add("Conv2d_1a_3x3", 3, 3, 3, 32)
    add("Conv2d_2a_3x3", 3, 3, 32, 32)
    add("Conv2d_2b_3x3", 3, 3, 32, 64)
    add("Conv2d_3b_1x1", 1, 1, 64, 80)
    add("Conv2d_4a_3x3", 3, 3, 80, 192)
    for block, cin, pool in (("Mixed_5b", 192, 32), ("Mixed_5c", 256, 64), ("Mixed_5d", 288, 64)):
        add(f"{block}.branch1x1", 1, 1, cin, 64)
        add(f"{block}.branch5x5_1", 1, 1, cin, 48)
        add(f"{block}.branch5x5_2", 5, 5, 48, 64)
        add(f"{block}.branch3x3dbl_1", 1, 1, cin, 64)
        add(f"{block}.branch3x3dbl_2", 3, 3, 64, 96)
        add(f"{block}.branch3x3dbl_3", 3, 3, 96, 96)
        add(f"{block}.branch_pool", 1, 1, cin, pool)
    add("Mixed_6a.branch3x3", 3, 3, 288, 384)
    add("Mixed_6a.branch3x3dbl_1", 1, 1, 288, 64)
    add("Mixed_6a.branch3x3dbl_2", 3, 3, 64, 96)
    add("Mixed_6a.branch3x3dbl_3", 3, 3, 96, 96)
    for block, c7 in (("Mixed_6b", 128), ("Mixed_6c", 160), ("Mixed_6d", 160), ("Mixed_6e", 192)):
        add(f"{block}.branch1x1", 1, 1, 768, 192)
        add(f"{block}.branch7x7_1", 1, 1, 768, c7)
        add(f"{block}.branch7x7_2", 1, 7, c7, c7)
        add(f"{block}.branch7x7_3", 7, 1, c7, 192)
        add(f"{block}.branch7x7dbl_1", 1, 1, 768, c7)
        add(f"{block}.branch7x7dbl_2", 7, 1, c7, c7)
        add(f"{block}.branch7x7dbl_3", 1, 7, c7, c7)
        add(f"{block}.branch7x7dbl_4", 7, 1, c7, c7)
        add(f"{block}.branch7x7dbl_5", 1, 7, c7, 192)
        add(f"{block}.branch_pool", 1, 1, 768, 192)
    add("Mixed_7a.branch3x3_1", 1, 1, 768, 192)
    add("Mixed_7a.branch3x3_2", 3, 3, 192, 320)
    add("Mixed_7a.branch7x7x3_1", 1, 1, 768, 192)
    add("Mixed_7a.branch7x7x3_2", 1, 7, 192, 192)
    add("Mixed_7a.branch7x7x3_3", 7, 1, 192, 192)
    add("Mixed_7a.branch7x7x3_4", 3, 3, 192, 192)
    for block, cin in (("Mixed_7b", 1280), ("Mixed_7c", 2048)):
        add(f"{block}.branch1x1", 1, 1, cin, 320)
        add(f"{block}.branch3x3_1", 1, 1, cin, 384)
        add(f"{block}.branch3x3_2a", 1, 3, 384, 384)
        add(f"{block}.branch3x3_2b", 3, 1, 384, 384)
        add(f"{block}.branch3x3dbl_1", 1, 1, cin, 448)
        add(f"{block}.branch3x3dbl_2", 3, 3, 448, 384)
        add(f"{block}.branch3x3dbl_3a", 1, 3, 384, 384)
        add(f"{block}.branch3x3dbl_3b", 3, 1, 384, 384)
        add(f"{block}.branch_pool", 1, 1, cin, 192)
    return convs


def keras_layers(group, kind):
    """{creation index: layer group} of the layers named kind, kind_1, kind_2, ..."""
    pattern = re.compile("^" + kind + r"(?:_(\d+))?$")
    out = {}
    for name in group:
        m = pattern.match(name)
        if m:
            out[int(m.group(1)) if m.group(1) else 0] = group[name]
    return [out[k] for k in sorted(out)]


def keras_weights(src, layer):
    """{'kernel': array, 'beta': array, ...} of one layer group, by its weight_names."""
    import numpy as np
    names = layer.attrs.get("weight_names")
    if names is None:
        die(65, src, f"{layer.name.lstrip('/')}: no weight_names attribute - not a Keras weights file")
    out = {}
    for n in names:
        n = n.decode("utf8") if isinstance(n, bytes) else str(n)
        short = n.split("/")[-1].split(":")[0]
        try:
            out[short] = np.asarray(layer[n], dtype=np.float32)
        except KeyError:
            die(65, src, f"{n}: listed in weight_names but missing")
    return out


def keras_to_tensors(src, f):
    """The Keras layers of an open h5py File as torchvision-named float32 arrays."""
    import numpy as np
    group = f["model_weights"] if "model_weights" in f else f  # model.save() nests the weights
    convs, bns = keras_layers(group, "conv2d"), keras_layers(group, "batch_normalization")
    table = keras_conv_table()
    if len(convs) != len(table) or len(bns) != len(table):
        die(65, src, f"{len(convs)} Conv2D and {len(bns)} BatchNormalization layers, Keras' InceptionV3 "
                     f"has {len(table)} of each - not InceptionV3 weights")
    out = {}
    for (name, rows, cols, cin, cout), conv, bn in zip(table, convs, bns):
        layer = conv.name.lstrip("/")
        w = keras_weights(src, conv)
        if "kernel" not in w or "bias" in w:
            die(65, src, f"{layer}: expected one kernel and no bias (Conv2D(use_bias=False))")
        if w["kernel"].shape != (rows, cols, cin, cout):
            die(65, src, f"{layer}: kernel shape {list(w['kernel'].shape)}, [{rows}, {cols}, {cin}, {cout}] "
                         f"expected for {name}")
        out[f"{name}.conv.weight"] = np.ascontiguousarray(w["kernel"].transpose(3, 2, 0, 1))
        b = keras_weights(src, bn)
        bn_layer = bn.name.lstrip("/")
        for key in ("beta", "moving_mean", "moving_variance"):
            if key not in b or b[key].shape != (cout,):
                die(65, src, f"{bn_layer}: {key} of shape [{cout}] expected for {name}")
        if "gamma" in b and not np.all(b["gamma"] == 1):
            die(65, src, f"{bn_layer}: has a gamma other than 1; Keras' InceptionV3 has BatchNormalization "
                         f"without scale")
        out[f"{name}.bn.weight"] = np.ones(cout, dtype=np.float32)
        out[f"{name}.bn.bias"] = b["beta"]
        out[f"{name}.bn.running_mean"] = b["moving_mean"]
        out[f"{name}.bn.running_var"] = b["moving_variance"]
        out[f"{name}.bn.num_batches_tracked"] = np.zeros((), dtype=np.int64)
    num_classes = 0
    if "predictions" in group:  # the file with the top: GlobalAveragePooling2D -> Dense
        p = keras_weights(src, group["predictions"])
        if "kernel" not in p or "bias" not in p or p["kernel"].ndim != 2 or p["kernel"].shape[0] != 2048:
            die(65, src, "predictions: a Dense kernel [2048, classes] and bias expected")
        out["fc.weight"] = np.ascontiguousarray(p["kernel"].T)
        out["fc.bias"] = p["bias"]
        num_classes = p["kernel"].shape[1]
    return out, num_classes


def convert_keras(src, dtype="f32"):
    """Returns (tensors, metadata) of a Keras .h5, or exits with a one-line error."""
    try:
        import h5py
        import numpy as np
    except ImportError:
        die(69, "", "an .h5 file needs h5py and numpy (Debian: python3-h5py)")
    try:
        with h5py.File(src, "r") as f:
            tensors, num_classes = keras_to_tensors(src, f)
            group = f["model_weights"] if "model_weights" in f else f
            attrs = {k: (v.decode("utf8") if isinstance(v, bytes) else str(v))
                     for source in (f.attrs, group.attrs) for k, v in source.items()
                     if k in ("keras_version", "backend")}
    except OSError as e:
        die(65, src, f"not a readable HDF5 file ({e})")
    for name, a in list(tensors.items()):
        if a.dtype != np.float32:
            continue
        if dtype == "f16":
            tensors[name] = a.astype(np.float16)
        elif dtype == "bf16":
            tensors[name] = to_bf16(a)
    meta = {"format": "xr-inception-v3", "variant": "keras", "num_classes": str(num_classes),
            "aux_logits": "false", "source": os.path.basename(src), "source_sha256": sha256_of(src),
            "converter": "scripts/convert_weights.py"}
    meta.update({f"source_{k}": v for k, v in attrs.items()})
    return tensors, meta


HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def is_hdf5(path):
    with open(path, "rb") as f:
        return f.read(8) == HDF5_SIGNATURE


def main(argv=None):
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    ap.add_argument("input", help="torchvision or pytorch-fid Inception-v3 .pth, or Keras' InceptionV3 .h5")
    ap.add_argument("output", help="safetensors file to write")
    ap.add_argument("--variant", choices=["auto", "torchvision", "fid"], default="auto",
                    help="architecture of a .pth checkpoint (default: auto, from fc: 1008 classes = fid); "
                         "an .h5 is always keras")
    ap.add_argument("--keep-aux", action="store_true", help="keep the AuxLogits.* head")
    ap.add_argument("--dtype", choices=["f32", "f16", "bf16"], default="f32",
                    help="floating-point type of the weights (default: f32)")
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        sys.exit(0 if e.code == 0 else 64)
    if not os.path.isfile(args.input):
        die(66, args.input, "no such checkpoint")
    if is_hdf5(args.input):
        if args.variant not in ("auto",) or args.keep_aux:
            die(64, args.input, "--variant and --keep-aux are for .pth checkpoints; an .h5 is Keras' InceptionV3")
        tensors, meta = convert_keras(args.input, args.dtype)
    else:
        try:
            import torch  # noqa: F401
            import torchvision  # noqa: F401
        except ImportError:
            die(69, "", "a .pth checkpoint needs torch and torchvision (Debian: python3-torch python3-torchvision)")
        tensors, meta = convert(args.input, args.variant, args.keep_aux, args.dtype)
    head, blobs = safetensors_bytes(tensors, meta)
    write_atomic(args.output, head, blobs)
    print(args.output)


if __name__ == "__main__":
    main()
