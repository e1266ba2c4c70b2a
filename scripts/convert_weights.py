#!/usr/bin/python3
"""Converts Inception-v3 checkpoints to the toolkit's safetensors layout.

    scripts/convert_weights.py IN.pth OUT.safetensors [--variant auto|torchvision|fid]
                               [--keep-aux] [--dtype f32|f16|bf16]

Inputs: torchvision's inception_v3_google-*.pth (ImageNet classifier) and
pytorch-fid's pt_inception-2015-12-05-*.pth (the FID network, 1008 classes). Either
may be a bare state dict, a {"state_dict": ...} wrapper, a pickled nn.Module, or carry
a "module." prefix (DataParallel).

Output: tensor names as torchvision's state dict (Conv2d_1a_3x3.conv.weight,
Mixed_5b.branch1x1.bn.running_mean, ..., fc.weight), checked name by name and shape by
shape against torchvision's model; metadata {"format": "xr-inception-v3",
"variant": "torchvision"|"fid", "num_classes", "aux_logits", "source",
"source_sha256", "converter"}. The auxiliary head (AuxLogits.*) is dropped unless
--keep-aux: the toolkit's InceptionV3 has none by default. Missing
bn.num_batches_tracked buffers (old checkpoints) are written as 0.

Needs torch and torchvision (Debian: python3-torch, python3-torchvision); the
safetensors package is not needed (the format is written by hand). Exit status:
0 ok, 64 usage, 65 bad checkpoint, 66 missing input, 73 cannot write output.
"""
import argparse
import hashlib
import json
import os
import struct
import sys
import tempfile

PROG = "convert_weights.py"


def die(code, path, what):
    sys.stderr.write(f"{PROG}: error: {path + ': ' if path else ''}{what}\n")
    sys.exit(code)


DTYPE_NAMES = None  # filled once torch is imported


def safetensors_bytes(tensors, metadata):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        dtype = DTYPE_NAMES[t.dtype]
        if dtype == "BF16":
            import torch
            raw = t.view(torch.int16).numpy().tobytes()
        else:
            raw = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape),
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
    with open(src, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    meta = {"format": "xr-inception-v3", "variant": variant, "num_classes": str(num_classes),
            "aux_logits": "true" if keep_aux else "false", "source": os.path.basename(src),
            "source_sha256": sha, "converter": "scripts/convert_weights.py"}
    return out, meta


def main(argv=None):
    global DTYPE_NAMES
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    ap.add_argument("input", help="torchvision or pytorch-fid Inception-v3 .pth")
    ap.add_argument("output", help="safetensors file to write")
    ap.add_argument("--variant", choices=["auto", "torchvision", "fid"], default="auto",
                    help="architecture of the checkpoint (default: auto, from fc: 1008 classes = fid)")
    ap.add_argument("--keep-aux", action="store_true", help="keep the AuxLogits.* head")
    ap.add_argument("--dtype", choices=["f32", "f16", "bf16"], default="f32",
                    help="floating-point type of the weights (default: f32)")
    try:
        args = ap.parse_args(argv)
    except SystemExit as e:
        sys.exit(0 if e.code == 0 else 64)
    if not os.path.isfile(args.input):
        die(66, args.input, "no such checkpoint")
    try:
        import torch
    except ImportError:
        die(69, "", "needs torch and torchvision (Debian: python3-torch python3-torchvision)")
    DTYPE_NAMES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
                   torch.float64: "F64", torch.int64: "I64", torch.int32: "I32",
                   torch.uint8: "U8", torch.bool: "BOOL"}
    tensors, meta = convert(args.input, args.variant, args.keep_aux, args.dtype)
    head, blobs = safetensors_bytes(tensors, meta)
    write_atomic(args.output, head, blobs)
    print(args.output)


if __name__ == "__main__":
    main()
