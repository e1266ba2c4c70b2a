#!/usr/bin/env python3
"""Compares two 8-bit gray PNGs pixel by pixel, with the standard library only (so
the CLI test needs neither PIL nor the toolkit's reader).

  compare_png.py A.png B.png [--tolerance 1]

Prints "max difference D over N pixels" and exits 0 when D <= tolerance, 1 when
larger or the sizes differ, 2 on a file it cannot read (only non-interlaced 8-bit
gray PNGs are supported: what xr-crop writes).
"""
import argparse
import struct
import sys
import zlib


def read_gray8(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    w, h, depth, color, _, _, interlace = header
    if depth != 8 or color != 0 or interlace != 0:
        raise ValueError(f"{path}: not a non-interlaced 8-bit gray PNG")
    raw = zlib.decompress(idat)
    rows, prev = [], bytearray(w)
    for y in range(h):
        f = raw[y * (w + 1)]
        line = bytearray(raw[y * (w + 1) + 1 : (y + 1) * (w + 1)])
        for x in range(w):
            a = line[x - 1] if x else 0
            b = prev[x]
            c = prev[x - 1] if x else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[x] = (line[x] + pred) & 255
        rows.append(line)
        prev = line
    return w, h, rows


def main():
    p = argparse.ArgumentParser()
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--tolerance", type=int, default=1)
    args = p.parse_args()
    try:
        wa, ha, ra = read_gray8(args.a)
        wb, hb, rb = read_gray8(args.b)
    except (OSError, ValueError, zlib.error, TypeError, struct.error) as e:
        print(f"compare_png: {e}", file=sys.stderr)
        return 2
    if (wa, ha) != (wb, hb):
        print(f"sizes differ: {wa}x{ha} vs {wb}x{hb}")
        return 1
    d = max(abs(x - y) for la, lb in zip(ra, rb) for x, y in zip(la, lb))
    print(f"max difference {d} over {wa * ha} pixels")
    return 0 if d <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
