#!/usr/bin/python3
"""Interoperability check of the C++ safetensors reader/writer with an independent
Python one (struct + json + numpy; the `safetensors` package is not installed).

    safetensors_interop.py write PATH   writes the reference file
    safetensors_interop.py check PATH   reads PATH and exits 0 if it holds exactly
                                        the reference tensors and metadata
The reference contents are repeated in tests/unit/nn/test_safetensors.cpp.
"""
import json
import struct
import sys

import numpy as np


def reference():
    bf16 = np.array([0x3F80, 0xBF00, 0x4049], dtype=np.uint16)  # 1.0, -0.5, 3.140625
    return {
        "a_f32": ("F32", np.arange(6, dtype=np.float32).reshape(2, 3) * np.float32(0.5)),
        "b_i64": ("I64", np.array([-3, 1 << 40], dtype=np.int64)),
        "c_u8": ("U8", np.array([0, 255, 7], dtype=np.uint8)),
        "d_bool": ("BOOL", np.array([True, False, True], dtype=np.bool_)),
        "e_f16": ("F16", np.array([1.5, -2.0], dtype=np.float16)),
        "f_f64": ("F64", np.array(np.pi, dtype=np.float64)),  # a scalar: shape []
        "g_i32": ("I32", np.array([[-1], [2]], dtype=np.int32)),
        "h_bf16": ("BF16", bf16),
        "i_empty": ("F32", np.zeros((0, 4), dtype=np.float32)),
    }


METADATA = {"format": "interop-test", "note": "written by python"}


def write(path):
    header, blobs, offset = {"__metadata__": METADATA}, [], 0
    for name, (dtype, arr) in sorted(reference().items()):
        raw = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        f.write(b"".join(blobs))


NP = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "BF16": "<u2", "I64": "<i8", "I32": "<i4",
      "U8": "u1", "BOOL": "?"}


def check(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    meta = header.pop("__metadata__", {})
    problems = []
    if meta != {"format": "interop-test", "note": "written by c++"}:
        problems.append(f"metadata {meta}")
    ref = reference()
    if sorted(header) != sorted(ref):
        problems.append(f"names {sorted(header)}")
    for name, (dtype, arr) in ref.items():
        e = header.get(name)
        if e is None:
            continue
        b, end = e["data_offsets"]
        got = np.frombuffer(body[b:end], dtype=NP[e["dtype"]]).reshape(e["shape"])
        if e["dtype"] != dtype or list(got.shape) != list(arr.shape) or not np.array_equal(got, arr):
            problems.append(f"{name}: {e} {got!r}")
    if n % 8:
        problems.append(f"header length {n} is not a multiple of 8")
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "write":
        write(path)
    else:
        sys.exit(check(path))
