#!/usr/bin/python3
"""Makes the golden data of xr-crop's CLI test (tests/cli/xr-crop.bats), with code
independent of the toolkit: numpy and PIL (Debian's /usr/bin/python3).

  /usr/bin/python3 tests/golden/crop/make_golden.py   (rewrites raw/ and expected/ here)

raw/        a tiny raw dataset: class "Lung A" with masks smaller than their images
            (same aspect ratio), one gray and one RGB image (R differs from G and B:
            the first channel is the one kept); class "B" with a palette image and no
            mask (cropped with --no-mask: the whole image).
expected/   what `xr-crop raw out --size 32 --no-mask` must give:
            expected/<class>/<name>.png and boxes.csv (source,x0,y0,x1,y1).

The reference, step by step as xr-crop(1) states it:
  - mask: first channel, resized to the image size with PIL's bilinear filter in
    float mode ('F', so no rounding before the threshold), lung where the value
    rounds to >= 128 (value >= 127.5); box = the half-open bounding box (numpy);
  - crop, then resize to 32x32 by exact area averaging, computed by repeating each
    pixel 32 times and averaging blocks (numpy), rounded half up. Not PIL's BOX
    filter: BOX gives each source pixel whose centre falls in the output pixel a
    weight of 1, which is not area averaging when the ratio is not an integer
    (it differs by tens of grey levels at sharp edges).
xr-crop must match the boxes exactly and the pixels within one grey level.
"""
import csv
import os

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SIZE = 32


def chest(w, h, seed):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = 60 + 90 * np.exp(-(((x - w / 2) / (0.35 * w)) ** 2)) + 40 * np.sin(y / 5.0)
    img += rng.normal(0, 12, size=(h, w))
    img[h // 5 : h // 5 + 9, w // 6 : w // 6 + 13] = 250  # a sharp-edged marker
    return np.clip(np.round(img), 0, 255).astype(np.uint8)


def ellipse_mask(w, h, lungs):
    y, x = np.mgrid[0:h, 0:w]
    m = np.zeros((h, w), np.uint8)
    for cx, cy, rx, ry in lungs:
        m[((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1.0] = 255
    return m


def lung_box(mask, width, height):
    f = Image.fromarray(mask.astype(np.float32), "F").resize((width, height), Image.BILINEAR)
    ys, xs = np.nonzero(np.asarray(f) >= 127.5)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def area_resize(a, width, height):
    h, w = a.shape
    b = a.astype(np.float64).repeat(width, axis=1).reshape(h, width, w).mean(axis=2)
    b = b.repeat(height, axis=0).reshape(height, h, width).mean(axis=1)
    return np.floor(b + 0.5).astype(np.uint8)


def save(path, array_or_image):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    img = array_or_image if isinstance(array_or_image, Image.Image) else Image.fromarray(array_or_image)
    img.save(path, optimize=True)


def main():
    raw, expected = os.path.join(HERE, "raw"), os.path.join(HERE, "expected")
    rows = []

    # Lung A/chest1: 90x75 gray, mask 60x50 (aspect 1.2 both).
    img1 = chest(90, 75, 1)
    mask1 = ellipse_mask(60, 50, [(19, 25, 11, 17), (41, 24, 10, 18)])
    save(f"{raw}/Lung A/images/chest1.png", img1)
    save(f"{raw}/Lung A/masks/chest1.png", Image.fromarray(np.stack([mask1] * 3, axis=2), "RGB"))

    # Lung A/chest2: 80x80 RGB whose G and B differ from R; gray mask 64x64.
    r = chest(80, 80, 2)
    rgb = np.stack([r, 255 - r, np.full_like(r, 7)], axis=2)
    mask2 = ellipse_mask(64, 64, [(22, 30, 13, 20), (44, 31, 12, 21)])
    save(f"{raw}/Lung A/images/chest2.png", Image.fromarray(rgb, "RGB"))
    save(f"{raw}/Lung A/masks/chest2.png", mask2)

    for name, first, mask in (("chest1.png", img1, mask1), ("chest2.png", r, mask2)):
        h, w = first.shape
        box = lung_box(mask, w, h)
        crop = first[box[1] : box[3], box[0] : box[2]]
        save(f"{expected}/Lung A/{name}", area_resize(crop, SIZE, SIZE))
        rows.append([f"Lung A/images/{name}", *box])

    # B/whole1: 40x36 palette image (colour palette, R = index), no mask.
    idx = chest(40, 36, 3)
    pal = Image.frombytes("P", (40, 36), idx.tobytes())
    pal.putpalette([v for i in range(256) for v in (i, (i * 7) % 256, 255 - i)])
    save(f"{raw}/B/images/whole1.png", pal)
    save(f"{expected}/B/whole1.png", area_resize(idx, SIZE, SIZE))
    rows.append(["B/images/whole1.png", 0, 0, 40, 36])

    with open(os.path.join(expected, "boxes.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["source", "x0", "y0", "x1", "y1"])
        w.writerows(sorted(rows))


if __name__ == "__main__":
    main()
