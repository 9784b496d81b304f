#!/usr/bin/python3
"""Parse the messages tests/test_hl7.c built with Debian's python3-hl7 and
check them field by field; answer each with python3-hl7's own ACK.

usage: hl7_check.py DIR N   (reads DIR/m0.hl7 .. m{N-1}.hl7, writes .ack)

The expectations follow test_hl7.c's inputs: m0 a full PCD-01 set, m1 a
partial set with hostile text across the Oslo DST change, m2 the start of
an RR alarm (2024 codes), m3 its acknowledgement (legacy codes)."""
import datetime
import re
import sys

import hl7

TS = re.compile(r"^\d{14}[+-]\d{4}$")
errors = []


def check(cond, what):
    if not cond:
        errors.append(what)


def instant(msg, path, name):
    text = str(msg[path])
    check(TS.match(text), f"{name}: {path} '{text}' is not YYYYMMDDHHMMSS+ZZZZ")
    t = hl7.parse_datetime(text)
    check(t is not None and t.utcoffset() is not None, f"{name}: {path} has no offset")
    return t


def common(msg, name, ctl, kind, profile):
    check(str(msg.segment("MSH")[9]) == kind, f"{name}: MSH-9 {msg.segment('MSH')[9]}")
    check(str(msg["MSH.F10"]) == ctl, f"{name}: MSH-10 {msg['MSH.F10']}")
    check(str(msg["MSH.F12"]) == "2.6", f"{name}: MSH-12")
    check(str(msg["MSH.F18"]) == "UNICODE UTF-8", f"{name}: MSH-18")
    check(str(msg["MSH.F21.R1.C1"]) == profile, f"{name}: MSH-21 {msg['MSH.F21']}")
    check(str(msg["MSH.F3.R1.C3"]) == "EUI-64", f"{name}: MSH-3")
    instant(msg, "MSH.F7", name)
    for k, obx in enumerate(msg.segments("OBX")):
        check(str(obx[1]) == str(k + 1), f"{name}: OBX set id {obx[1]} at {k + 1}")
        # every row in its place: status in OBX-11, the time in OBX-14
        if f(obx, 2):
            check(f(obx, 11) in ("R", "F"), f"{name}: OBX {k + 1}: OBX-11 '{f(obx, 11)}'")
            check(TS.match(f(obx, 14)), f"{name}: OBX {k + 1}: OBX-14 '{f(obx, 14)}'")
        else:
            check(f(obx, 11) == "X", f"{name}: device row OBX-11 '{f(obx, 11)}'")
    check(str(msg["PV1.F2"]) == "I", f"{name}: PV1-2")


def obx_by_code(msg, code):
    return [o for o in msg.segments("OBX") if str(o[3][0][0]) == code]


def f(seg, k):
    """Field k of a segment as text, '' when the segment is shorter."""
    return str(seg[k]) if len(seg) > k else ""


def main():
    d, n = sys.argv[1], int(sys.argv[2])
    msgs = []
    for i in range(n):
        with open(f"{d}/m{i}.hl7", "rb") as fh:
            raw = fh.read()
        check(b"\n" not in raw, f"m{i}: LF in a message")
        msgs.append(hl7.parse(raw.decode("utf-8")))
    m0, m1, m2, m3 = msgs
    pcd01 = "IHE_PCD_001"
    common(m0, "m0", "WW1", "ORU^R01^ORU_R01", pcd01)
    common(m1, "m1", "WW2", "ORU^R01^ORU_R01", pcd01)
    common(m2, "m2", "WW3", "ORU^R40^ORU_R40", "IHE_PCD_ACM_001")
    common(m3, "m3", "WW4", "ORU^R40^ORU_R40", "IHE_PCD_ACM_001")

    # m0: values, units, limits, flags, status, who
    rr = obx_by_code(m0, "151562")
    hr = obx_by_code(m0, "149514")
    check(len(rr) == 1 and str(rr[0][5]) == "18", "m0: RR row")
    check(str(rr[0][6][0][1]) == "MDC_DIM_RESP_PER_MIN", "m0: RR unit")
    check(str(rr[0][7]) == "8-25" and str(rr[0][8]) == "N" and str(rr[0][11]) == "R",
          "m0: RR limits/flag/status")
    check(len(hr) == 1 and str(hr[0][5]) == "131" and str(hr[0][8]) == "H", "m0: HR row")
    spo2 = obx_by_code(m0, "150456")
    check(len(spo2) == 1 and f(spo2[0], 11) == "F" and f(spo2[0], 16) == "KN",
          f"m0: manual SpO2 as entered by KN: {spo2}")
    acvpu = obx_by_code(m0, "acvpu")
    check(len(acvpu) == 1 and m0.unescape(f(acvpu[0], 16)) == "\u00c5S",
          f"m0: ACVPU by ÅS: {acvpu}")
    news = obx_by_code(m0, "1104051000000101")
    check(len(news) == 1 and str(news[0][2]) == "NM" and str(news[0][5]) == "7",
          "m0: NEWS2 total")
    dev = obx_by_code(m0, "69965")
    check(len(dev) == 1 and str(dev[0][4]) == "1.0.0.0" and str(dev[0][11]) == "X",
          "m0: device row")
    check(str(dev[0][18][0][3]) == "EUI-64", "m0: device id type")

    # m1: escaping undone by the parser, UTF-8 intact, partial NEWS2, DST
    pid3 = str(m1.segment("PID")[3][0][0])
    check(pid3 == "P\\T\\1\\F\\x\\S\\\\R\\\\E\\" and m1.unescape(pid3) == "P&1|x^~\\",
          f"m1: PID-3 {pid3} does not unescape to the reference")
    check(str(m1["PV1.F3.R1.C3"]) == "\u00e6\u00f8\u00e5", "m1: PV1-3 bed æøå")
    news = obx_by_code(m1, "1104051000000101")
    check(len(news) == 1 and str(news[0][2]) == "SN" and str(news[0][5]) == ">=^7",
          f"m1: partial NEWS2 {news[0][5] if news else None}")
    nte = m1.segments("NTE")
    check(len(nte) == 1 and "missing sbp" in str(nte[0][3]), "m1: NTE names what is missing")
    t0 = instant(m1, "OBR.F7", "m1")
    t1 = instant(m1, "OBR.F8", "m1")
    check(t1 - t0 == datetime.timedelta(hours=1),
          f"m1: the two Oslo 02:30s are {t1 - t0} apart, not an hour")
    utc = datetime.timezone.utc
    check(t0 == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=utc), f"m1: OBR-7 {t0}")

    # m2: PCD-04 start
    check(str(m2["OBR.F3.R1.C1"]) == "A17-1" and str(m2["OBR.F29"]) == "", "m2: OBR-3/29")
    check(str(m2["OBR.F4.R1.C2"]) == "MDC_EVT_ALARM", "m2: OBR-4")
    rows = {str(o[4]): o for o in m2.segments("OBX")}
    check(str(rows["1.1.1.1.1"][3][0][1]) == "MDC_EVT_HI", "m2: event row")
    check(str(rows["1.1.1.1.2"][5]) == "26" and str(rows["1.1.1.1.2"][7]) == "8-25",
          "m2: source row")
    want = {"3": ("68481", "start"), "4": ("68482", "active"), "5": ("68483", "enabled"),
            "6": ("68484", "PM"), "7": ("68485", "SP")}
    for k, (code, val) in want.items():
        o = rows.get("1.1.1.1." + k)
        check(o is not None and str(o[3][0][0]) == code and str(o[5]) == val,
              f"m2: row .{k}")

    # m3: acknowledged, linked to the start, legacy codes, who
    check(str(m3["OBR.F3.R1.C1"]) == "A18-2", "m3: OBR-3")
    check(str(m3["OBR.F29.R1.C2.S1"]) == "A18-1", f"m3: OBR-29 {m3['OBR.F29']}")
    rows = {str(o[4]): o for o in m3.segments("OBX")}
    o = rows["1.0.0.0.5"]
    check(str(o[3][0][0]) == "68167" and str(o[5]) == "alert-acknowledged"
          and str(o[16]) == "KN", "m3: inactivation row with who")
    check(str(rows["1.0.0.0.7"][5]) == "ST", "m3: technical")

    for i, m in enumerate(msgs):
        with open(f"{d}/m{i}.ack", "w", encoding="utf-8") as fh:
            fh.write(str(m.create_ack("AA")))
    for e in errors:
        print("# hl7_check:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
