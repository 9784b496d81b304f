#!/usr/bin/env python3
"""An independent decoder of a clean TI vital-signs capture (TLV 6 frames),
written from TI's documented layout, printing the JSON lines `wardwatch probe
--json` prints. bench_probe times it next to probe and checks both agree.
Usage: probe_ref.py CAPTURE > LINES"""
import math
import struct
import sys

MAGIC = b"\x02\x01\x04\x03\x06\x05\x08\x07"


def conf01(c, half):
    if c == math.inf:
        return 1.0
    if not (c > 0) or math.isnan(c):
        return 0.0
    return struct.unpack("<f", struct.pack("<f", c / (c + half)))[0]


def f2(v):
    return "%.2f" % v


def main():
    data = open(sys.argv[1], "rb").read()
    out = []
    pos = data.find(MAGIC)
    last_fn = None
    t = 0.0
    while 0 <= pos and pos + 40 <= len(data):
        total, _plat, fn = struct.unpack_from("<III", data, pos + 12)
        ntlv = struct.unpack_from("<I", data, pos + 32)[0]
        if last_fn is not None:
            d = (fn - last_fn) & 0xFFFFFFFF
            t = t + (d * 0.05 if 1 <= d <= 3600 / 0.05 else 0.05)
        last_fn = fn
        off = pos + 40
        for _ in range(ntlv):
            typ, ln = struct.unpack_from("<II", data, off)
            if typ == 6:
                p = off + 8
                maxval = struct.unpack_from("<f", data, p + 4)[0]
                f = struct.unpack_from("<28f", data, p + 16)
                hr, rr, cb, ch, eb, mo = f[3], f[7], f[10], f[12], f[15], f[17]
                pres = eb >= 1000 and maxval >= 0
                line = '{"t":%.3f' % t
                if pres and 0 < rr <= 100:
                    line += ',"rr":' + f2(rr)
                if pres and 0 < hr <= 300:
                    line += ',"hr":' + f2(hr)
                qb, qh = conf01(cb, 1.0), conf01(ch, 0.25)
                line += ',"quality":' + f2(min(qb, qh))
                line += ',"presence":' + ("true" if pres else "false")
                if not math.isnan(mo):
                    line += ',"motion":' + ("true" if mo != 0 else "false")
                out.append(line + "}\n")
            off += 8 + ln
        pos = data.find(MAGIC, pos + total)
    sys.stdout.write("".join(out))


main()
