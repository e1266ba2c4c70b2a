#!/usr/bin/python3
"""Re-does every image of an xr-augment output with the independent reference and
checks it, so augment.csv is shown to reproduce each image:

  check_csv.py IN_DIR OUT_DIR

For each row: the Keras matrix rebuilt from the drawn parameters (NumPy transcription
of keras-preprocessing's apply_affine_transform) must equal the matrix columns; the
output must equal round(clip(scipy.ndimage.affine_transform(source, matrix, offset,
order=1, mode='nearest') * brightness, 0, 255)) to within one grey level. Needs
Debian's /usr/bin/python3 (numpy, scipy, PIL). Exit 1 with a message on a mismatch.
"""
import csv
import os
import sys

import numpy as np
from PIL import Image
from scipy import ndimage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_golden import keras_matrix  # noqa: E402


def main():
    in_dir, out_dir = sys.argv[1], sys.argv[2]
    with open(os.path.join(out_dir, "augment.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit("augment.csv has no rows")
    worst = 0.0
    for row in rows:
        src = np.asarray(Image.open(os.path.join(in_dir, row["source"])).convert("L"), dtype=np.float64)
        h, w = src.shape
        params = {k: float(row[k]) for k in ("rotation_deg", "shift_rows", "shift_cols", "shear_deg",
                                              "zoom_rows", "zoom_cols", "brightness")}
        m3 = keras_matrix(params, h, w)
        matrix = np.array([[float(row["matrix_00"]), float(row["matrix_01"])],
                           [float(row["matrix_10"]), float(row["matrix_11"])]])
        offset = np.array([float(row["offset_0"]), float(row["offset_1"])])
        if not (np.allclose(m3[:2, :2], matrix, atol=1e-9) and np.allclose(m3[:2, 2], offset, atol=1e-9)):
            sys.exit(f"{row['path']}: matrix differs from the Keras composition of its parameters")
        ref = ndimage.affine_transform(src, matrix, offset=offset, order=1, mode="nearest")
        ref = np.clip(ref * params["brightness"], 0, 255)
        out = np.asarray(Image.open(os.path.join(out_dir, row["path"])), dtype=np.float64)
        err = float(np.max(np.abs(out - ref)))
        worst = max(worst, err)
        if err > 1.0:
            sys.exit(f"{row['path']}: differs from scipy by {err:.3f} grey levels")
    print(f"{len(rows)} images match scipy, largest difference {worst:.3f}")


if __name__ == "__main__":
    main()
