#!/usr/bin/python3
"""Makes the goldens of xr-augment's transform with an independent reference:
scipy.ndimage.affine_transform(order=1, mode='nearest') and a NumPy transcription
of Keras' apply_affine_transform (keras-preprocessing, centre (n-1)/2).

Run with Debian's /usr/bin/python3 (numpy, scipy, PIL):
    /usr/bin/python3 tests/golden/augment/make_golden.py tests/golden/augment

Writes:
  transform.json  cases for tests/unit/augment/test_keras_transform.cpp: an 8-bit
                  input, the Keras parameters (or none), the 2x2 matrix and offset in
                  (row, col) coordinates, output to input, the brightness factor, and
                  the expected output as floats: clip(scipy(input) * brightness, 0, 255)
                  before any rounding (3 decimals).
  cli_input/A/img.png, cli_expected/A/img.png
                  the CLI golden (tests/cli/xr-augment.bats): with every random range
                  pinned (no rotation/shift/shear, zoom 1.25 on both axes, brightness
                  1.2) the one output image must equal round(clip(scipy * 1.2)) to
                  within one grey level.
"""
import json
import os
import sys

import numpy as np
import scipy
from PIL import Image
from scipy import ndimage


def keras_matrix(p, h, w):
    """keras_preprocessing.image.apply_affine_transform's matrix, (row, col) order."""
    theta = np.deg2rad(p["rotation_deg"])
    rotation = np.array([[np.cos(theta), -np.sin(theta), 0], [np.sin(theta), np.cos(theta), 0], [0, 0, 1]])
    shift = np.array([[1, 0, p["shift_rows"]], [0, 1, p["shift_cols"]], [0, 0, 1]])
    shear = np.deg2rad(p["shear_deg"])
    shear_m = np.array([[1, -np.sin(shear), 0], [0, np.cos(shear), 0], [0, 0, 1]])
    zoom = np.array([[p["zoom_rows"], 0, 0], [0, p["zoom_cols"], 0], [0, 0, 1]])
    m = rotation @ shift @ shear_m @ zoom
    o_r, o_c = h / 2 - 0.5, w / 2 - 0.5
    offset = np.array([[1, 0, o_r], [0, 1, o_c], [0, 0, 1]])
    reset = np.array([[1, 0, -o_r], [0, 1, -o_c], [0, 0, 1]])
    return offset @ m @ reset


def test_image(h, w, rng):
    """Structure at every scale, so a sub-pixel misalignment shows: a smooth field,
    a sharp-edged bright rectangle, a gradient, and noise."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    smooth = 60 * np.sin(xx / 3.1) * np.cos(yy / 4.7)
    img = 110 + smooth + 0.8 * xx - 0.5 * yy + rng.normal(0, 12, (h, w))
    img[h // 4 : h // 2, w // 3 : (2 * w) // 3] += 90
    img[0, :] = 250  # distinct edges, so edge replication is checked
    img[:, -1] = 5
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def reference(img, matrix, offset, brightness):
    out = ndimage.affine_transform(img.astype(np.float64), matrix, offset=offset, order=1, mode="nearest")
    return np.clip(out * brightness, 0, 255)


def make_cases():
    rng = np.random.default_rng(20240601)
    cases = []

    def add(name, h, w, params=None, matrix=None, offset=None, brightness=1.0):
        img = test_image(h, w, rng)
        if params is not None:
            m3 = keras_matrix(params, h, w)
            matrix, offset = m3[:2, :2], m3[:2, 2]
            brightness = params["brightness"]
        expected = reference(img, np.asarray(matrix), np.asarray(offset), brightness)
        cases.append({
            "name": name, "width": w, "height": h, "params": params,
            "matrix": np.asarray(matrix).tolist(), "offset": np.asarray(offset).tolist(),
            "brightness": brightness,
            "input": img.ravel().tolist(),
            "expected": [round(float(v), 3) for v in expected.ravel()],
        })

    # The paper's ranges, near their ends.
    add("paper_32", 32, 32, {"rotation_deg": 4.3, "shift_rows": -1.4, "shift_cols": 1.1, "shear_deg": 2.5,
                             "zoom_rows": 0.87, "zoom_cols": 1.12, "brightness": 1.0})
    add("paper_64_bright", 64, 64, {"rotation_deg": -4.9, "shift_rows": 3.0, "shift_cols": -2.7,
                                    "shear_deg": -2.8, "zoom_rows": 1.14, "zoom_cols": 0.86, "brightness": 1.37})
    add("paper_64_dark", 64, 64, {"rotation_deg": 1.7, "shift_rows": 0.4, "shift_cols": 2.2, "shear_deg": 0.9,
                                  "zoom_rows": 0.95, "zoom_cols": 1.01, "brightness": 0.62})
    # Large parameters: much of the output comes from the replicated border.
    add("strong_64", 64, 64, {"rotation_deg": 33.0, "shift_rows": 9.0, "shift_cols": -12.5, "shear_deg": 20.0,
                              "zoom_rows": 1.6, "zoom_cols": 0.7, "brightness": 1.0})
    # Not square: a swapped row/column convention fails here.
    add("nonsquare_48x64", 48, 64, {"rotation_deg": -3.2, "shift_rows": 2.1, "shift_cols": -1.3,
                                    "shear_deg": 1.9, "zoom_rows": 0.9, "zoom_cols": 1.1, "brightness": 1.0})
    # A general matrix, not from Keras, and the identity.
    add("general_32", 32, 32, matrix=[[0.8, 0.35], [-0.25, 1.3]], offset=[3.7, -6.2])
    add("identity_32", 32, 32, matrix=[[1.0, 0.0], [0.0, 1.0]], offset=[0.0, 0.0])
    # Odd sizes: the resampler's 4-pixel vector loop plus its scalar tail.
    add("odd_29x37", 29, 37, {"rotation_deg": 3.9, "shift_rows": -1.2, "shift_cols": 1.7, "shear_deg": -2.2,
                              "zoom_rows": 1.08, "zoom_cols": 0.89, "brightness": 1.21})
    return cases


def write_cli_golden(out_dir):
    rng = np.random.default_rng(7)
    img = test_image(32, 32, rng)
    zoom, brightness = 1.25, 1.2
    params = {"rotation_deg": 0.0, "shift_rows": 0.0, "shift_cols": 0.0, "shear_deg": 0.0,
              "zoom_rows": zoom, "zoom_cols": zoom, "brightness": brightness}
    m3 = keras_matrix(params, 32, 32)
    expected = np.floor(reference(img, m3[:2, :2], m3[:2, 2], brightness) + 0.5).astype(np.uint8)
    for sub, pixels in (("cli_input", img), ("cli_expected", expected)):
        os.makedirs(os.path.join(out_dir, sub, "A"), exist_ok=True)
        Image.fromarray(pixels, mode="L").save(os.path.join(out_dir, sub, "A", "img.png"))


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out_dir, exist_ok=True)
    doc = {
        "generator": "tests/golden/augment/make_golden.py",
        "reference": "scipy.ndimage.affine_transform order=1 mode=nearest, scipy " + scipy.__version__,
        "cases": make_cases(),
    }
    with open(os.path.join(out_dir, "transform.json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    write_cli_golden(out_dir)


if __name__ == "__main__":
    main()
