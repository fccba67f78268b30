#!/usr/bin/env python3
"""png_colors.py FILE.png [#rrggbb...]: how many pixels of a PNG are not white, and how
many are each given colour (exactly). Prints "nonwhite N" then "#rrggbb N" per colour.
Reads 8-bit RGB/RGBA, non-interlaced PNGs (what Chromium's --screenshot writes), with
the standard library alone (no PIL on the test machines)."""
import struct
import sys
import zlib


def pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit("not a PNG")
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, inter = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    if depth != 8 or ctype not in (2, 6) or inter:
        sys.exit("unsupported PNG (depth %d, colour type %d)" % (depth, ctype))
    bpp = 3 if ctype == 2 else 4
    raw, stride, prev, out = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out.append(bytes(line))
        prev = line
    return w, h, bpp, out


def main():
    w, h, bpp, rows = pixels(sys.argv[1])
    want = {bytes.fromhex(c.lstrip("#")): 0 for c in sys.argv[2:]}
    nonwhite = 0
    for r in rows:
        for x in range(0, w * bpp, bpp):
            px = r[x:x + 3]
            if px != b"\xff\xff\xff":
                nonwhite += 1
            if px in want:
                want[px] += 1
    print("nonwhite", nonwhite)
    for c, n in want.items():
        print("#" + c.hex(), n)


main()
