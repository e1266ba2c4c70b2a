#!/usr/bin/python3
"""Baseline for xr-crop's speed (issue 2, "Speed"): PIL decode-crop-resize-encode of
the images of a raw dataset class to 128x128, on ONE core (PIL runs these on the
calling thread).

  /usr/bin/python3 tests/bench/crop_baseline.py RAW_CLASS_DIR [--mode image|full] [--repeat N]

RAW_CLASS_DIR holds images/ and masks/ (e.g. the real sample's "Viral Pneumonia").
--mode image (the issue's baseline): decode the image, crop to its lung box (the
  boxes are computed beforehand and not timed), resize with BOX to 128x128, keep
  the first channel, encode PNG in memory.
--mode full (the same work as xr-crop): also decode the mask, resize it to the
  image size (bilinear), threshold it at 128 and take its bounding box, and write
  the PNG to a file.
Prints one line: "<mode>: N images in S s: R images/s (one core); CPU C s: K images
per CPU second" (wall and CPU time of the loop: on a shared machine the CPU time is
the steadier figure). Uses Debian's python3 with PIL and numpy.
"""
import argparse
import io
import os
import sys
import tempfile
import time

import numpy as np
from PIL import Image


def first_channel(img):
    return img if img.mode == "L" else img.getchannel(0)


def lung_box(mask_path, size):
    mask = first_channel(Image.open(mask_path))
    if mask.size != size:
        mask = mask.resize(size, Image.BILINEAR)
    ys, xs = np.nonzero(np.asarray(mask) >= 128)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("class_dir")
    p.add_argument("--mode", choices=["image", "full"], default="image")
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--size", type=int, default=128)
    a = p.parse_args()
    names = sorted(n for n in os.listdir(os.path.join(a.class_dir, "images")) if n.endswith(".png"))
    images = [os.path.join(a.class_dir, "images", n) for n in names]
    masks = [os.path.join(a.class_dir, "masks", n) for n in names]
    boxes = [lung_box(m, Image.open(i).size) for i, m in zip(images, masks)] if a.mode == "image" else None
    out_dir = tempfile.mkdtemp(prefix="crop-baseline-")
    # Read every file once so that both modes start from a warm page cache.
    for path in images + masks:
        with open(path, "rb") as f:
            f.read()

    start, start_cpu = time.perf_counter(), time.process_time()
    n = 0
    for _ in range(a.repeat):
        for k, path in enumerate(images):
            img = Image.open(path)
            img.load()
            box = boxes[k] if boxes else lung_box(masks[k], img.size)
            out = first_channel(img.crop(box)).resize((a.size, a.size), Image.BOX)
            if a.mode == "image":
                out.save(io.BytesIO(), format="PNG")
            else:
                out.save(os.path.join(out_dir, names[k]), format="PNG")
            n += 1
    elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    for name in os.listdir(out_dir):
        os.remove(os.path.join(out_dir, name))
    os.rmdir(out_dir)
    print(f"{a.mode}: {n} images in {elapsed:.2f} s: {n / elapsed:.0f} images/s (one core); "
          f"CPU {cpu:.2f} s: {n / cpu:.0f} images per CPU second")


if __name__ == "__main__":
    sys.exit(main())
