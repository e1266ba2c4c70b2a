#!/usr/bin/python3
"""Golden data for tests/unit/core/test_image.cpp: xr::resize against references.

Run with Debian's /usr/bin/python3 (PIL 9.4, numpy) from this folder:
    /usr/bin/python3 make_resize_golden.py
Writes input_*.png (8-bit gray sources), one expected PNG per case, and
resize_cases.csv (input, expected, width, height, reference):
  - pil_box: PIL Image.resize(..., Image.BOX) when shrinking by integer ratios, where
    BOX is exact area averaging;
  - numpy_area: exact area averaging (each output pixel the coverage-weighted mean of
    the input pixels under it) for fractional ratios, computed with numpy in float64.
    PIL's BOX differs there: it gives each input pixel whose centre falls inside the
    output pixel a weight of 1 and the others 0, which is not area averaging;
  - pil_bilinear: PIL Image.resize(..., Image.BILINEAR) when enlarging.
PIL rounds to 8 bits between its horizontal and vertical passes and the toolkit
accumulates in float32, so the test allows 1 grey level.
"""
import numpy as np
from PIL import Image

rng = np.random.RandomState(20241127)


def source(w, h):
    # A smooth gradient with a bright disc and noise: edges, flat areas and texture.
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    img = 40 + 150 * x / (w - 1) + 30 * np.sin(y / 3.0)
    img[(x - w * 0.6) ** 2 + (y - h * 0.4) ** 2 < (min(w, h) * 0.25) ** 2] = 250
    img += rng.normal(0, 12, size=(h, w))
    return Image.fromarray(np.clip(np.round(img), 0, 255).astype(np.uint8), mode="L")


def area_weights(n_in, n_out):
    scale = n_in / n_out
    w = np.zeros((n_out, n_in))
    for o in range(n_out):
        lo, hi = o * scale, (o + 1) * scale
        for i in range(int(np.floor(lo)), min(n_in, int(np.ceil(hi)))):
            w[o, i] = (min(hi, i + 1) - max(lo, i)) / scale
    return w


def area_resize(img, w, h):
    a = np.asarray(img, dtype=np.float64)
    out = area_weights(a.shape[0], h) @ a @ area_weights(a.shape[1], w).T
    return Image.fromarray(np.floor(out + 0.5).astype(np.uint8), mode="L")


cases = {
    "input_a.png": (source(61, 47), [("numpy_area", 16, 12), ("numpy_area", 30, 23), ("numpy_area", 7, 5),
                                      ("numpy_area", 61, 20), ("pil_bilinear", 100, 80),
                                      ("pil_bilinear", 122, 94), ("pil_bilinear", 61, 90)]),
    "input_b.png": (source(13, 9), [("numpy_area", 4, 3), ("pil_bilinear", 40, 31), ("pil_bilinear", 14, 10)]),
    "input_c.png": (source(60, 48), [("pil_box", 20, 16), ("pil_box", 15, 12), ("pil_box", 60, 24),
                                      ("pil_box", 30, 48)]),
}
lines = []
for name, (img, resizes) in cases.items():
    img.save(name)
    for kind, w, h in resizes:
        if kind == "pil_box":
            out = img.resize((w, h), Image.BOX)
        elif kind == "pil_bilinear":
            out = img.resize((w, h), Image.BILINEAR)
        else:
            out = area_resize(img, w, h)
        out_name = "%s_%s_%dx%d.png" % (name[:-4], kind, w, h)
        out.save(out_name)
        lines.append("%s,%s,%d,%d,%s\n" % (name, out_name, w, h, kind))
with open("resize_cases.csv", "w") as fh:
    fh.write("input,expected,width,height,reference\n")
    fh.writelines(lines)
