#!/usr/bin/env python3
"""Writes the JPEG fixtures of tests/unit/core/test_jpeg_io.cpp and their decoded
pixels as PNG (Debian's python3-pil 9.4 with python3-numpy; PIL decodes with the same
libjpeg-turbo as the toolkit, so the test checks the toolkit's use of it: colour
conversion, channel order, rows; the test also decodes with stb_image, an
independent decoder, and checks the two agree within a few gray levels).

  cd tests/golden/core/jpeg && /usr/bin/python3 make_jpeg_golden.py
"""
import numpy as np
from PIL import Image


def pattern(w, h):
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    # Smooth ramps plus a bright disc: something an IDCT gets slightly wrong if the
    # rows or the up-sampling are mishandled.
    v = 40 + 150 * x / (w - 1) + 40 * np.sin(y / 3.0)
    v[(x - w / 3) ** 2 + (y - h / 2) ** 2 < (min(w, h) / 4) ** 2] = 245
    return np.clip(v, 0, 255).astype(np.uint8)


def save(name, img, **kw):
    img.save(name + ".jpg", "JPEG", **kw)
    decoded = Image.open(name + ".jpg")
    decoded.load()
    decoded.save(name + "_pil.png")


gray = pattern(37, 23)  # odd sides: partial MCUs on both edges
save("gray_baseline", Image.fromarray(gray, "L"), quality=90)
save("gray_progressive", Image.fromarray(gray, "L"), quality=75, progressive=True)
rgb = np.stack([gray, gray[:, ::-1], np.full_like(gray, 30)], axis=2)  # distinct channels
save("rgb_420", Image.fromarray(rgb, "RGB"), quality=85, subsampling=2)
cmyk = Image.fromarray(np.stack([gray] * 4, axis=2), "CMYK")
cmyk.save("cmyk.jpg", "JPEG", quality=80)
