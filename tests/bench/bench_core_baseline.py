#!/usr/bin/python3
"""Baseline for bench_core_io.cpp: the same work with PIL 9.4 and Python's csv module.

    /usr/bin/python3 tests/bench/bench_core_baseline.py

The first 64 (by name) PNGs of the real sample's "Viral Pneumonia" class, in memory:
decode to 8-bit gray (first channel), resize 299x299 -> 128x128 with Image.BOX (area
averaging at this ratio, up to PIL's weighting of partly covered pixels), encode
128x128 as PNG (compress_level 6, as the toolkit), and csv.reader over the same
10,000-row text. Prints items per CPU second (time.process_time), best of 3 rounds.
"""
import csv
import io
import os
import time

from PIL import Image

shared = os.environ.get("XR_SHARED_DIR", "/work/shared")
folder = os.path.join(shared, "data", "covid-radiography-sample", "Viral Pneumonia", "images")
names = sorted(os.path.join(folder, n) for n in os.listdir(folder))[:64]
files = [open(n, "rb").read() for n in names]


def decode(b):
    im = Image.open(io.BytesIO(b))
    im.load()
    return im if im.mode == "L" else im.getchannel(0)


def rate(fn, items, n_rounds=3, min_time=1.0):
    best = 0.0
    for _ in range(n_rounds):
        done, t0 = 0, time.process_time()
        while time.process_time() - t0 < min_time:
            fn()
            done += items
        best = max(best, done / (time.process_time() - t0))
    return best


grays = [decode(b) for b in files]
smalls = [g.resize((128, 128), Image.BOX) for g in grays]
text = "path,split,class,source\n" + "".join(
    "train/x/img%d.png,train,%s,x/img%d.png\n" % (i, '"Viral, Pneumonia"' if i % 4 == 0 else "COVID", i)
    for i in range(10000))


def encode_all():
    for s in smalls:
        s.save(io.BytesIO(), format="PNG", compress_level=6)


print("decode_png_to_gray8  %10.0f images/s" % rate(lambda: [decode(b) for b in files], len(files)))
print("resize_299_to_128    %10.0f images/s" % rate(lambda: [g.resize((128, 128), Image.BOX) for g in grays], len(grays)))
print("encode_png_128       %10.0f images/s" % rate(encode_all, len(smalls)))
print("parse_csv_10k_rows   %10.0f rows/s" % rate(lambda: list(csv.reader(io.StringIO(text))), 10000))
