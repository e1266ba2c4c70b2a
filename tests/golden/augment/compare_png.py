#!/usr/bin/env python3
"""Compares two 8-bit grayscale PNGs pixel by pixel with the standard library only
(zlib), so the CLI test needs neither PIL nor the toolkit's own reader.

  compare_png.py A.png B.png [--tolerance T]

Exit 0 when the sizes agree and every |a - b| <= T (default 1); otherwise prints the
sizes or the largest difference and where, and exits 1.
"""
import argparse
import struct
import sys
import zlib


def read_gray8(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    w, h, depth, color, _, _, interlace = header
    if depth != 8 or color != 0 or interlace != 0:
        sys.exit(f"{path}: not an 8-bit gray non-interlaced PNG (depth {depth}, colour type {color})")
    raw = zlib.decompress(idat)
    rows, prev = [], bytearray(w)
    for y in range(h):
        kind = raw[y * (w + 1)]
        line = bytearray(raw[y * (w + 1) + 1 : (y + 1) * (w + 1)])
        for x in range(w):
            a = line[x - 1] if x > 0 else 0
            b = prev[x]
            c = prev[x - 1] if x > 0 else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[x] = (line[x] + pred) & 255
        rows.append(line)
        prev = line
    return w, h, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--tolerance", type=int, default=1)
    args = ap.parse_args()
    wa, ha, ra = read_gray8(args.a)
    wb, hb, rb = read_gray8(args.b)
    if (wa, ha) != (wb, hb):
        print(f"sizes differ: {wa}x{ha} vs {wb}x{hb}")
        return 1
    worst, where = 0, None
    for y in range(ha):
        for x in range(wa):
            d = abs(ra[y][x] - rb[y][x])
            if d > worst:
                worst, where = d, (x, y)
    if worst > args.tolerance:
        print(f"largest difference {worst} at x={where[0]} y={where[1]} (tolerance {args.tolerance})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
