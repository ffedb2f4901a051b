#!/usr/bin/env python3
"""make_dns_seeds.py - write the seed inputs of the fuzz_dns harness.

Run by hand from anywhere, after changing the harness's input format or to
add a seed:

    python3 tests/fuzz/make_dns_seeds.py           # tests/fuzz/corpus/dns/
    python3 tests/fuzz/make_dns_seeds.py --out DIR # somewhere else

Files are rewritten only when their bytes change. Standard library only.

The format is fuzz_dns.c's: a sequence of records

    ctl:u8  len:u16 (big endian)  payload[len]

where ctl bit 0 writes the outstanding query's ID into the payload, bit 1
its question from byte 12 on, bit 2 sends from port 5353, bit 3 from the
second server, bits 4-5 step the clock (0, 100 ms, 1 s, 10 s), bit 6
starts another lookup and bit 7 cancels one. The harness's first lookup is
for fuzz.example, so every answer here asks that (18 bytes of question,
which bit 1 overwrites in place).
"""

from __future__ import annotations

import argparse
import struct
from pathlib import Path

OUT = Path(__file__).resolve().parent / "corpus" / "dns"

MATCH = 0x03          # our ID and our question
FROM_5353 = 0x04
FROM_S2 = 0x08
STEP_100MS = 0x10
STEP_1S = 0x20
STEP_10S = 0x30
START = 0x40
CANCEL = 0x80

QR_RD_RA = 0x8180
TC = 0x0200
NXDOMAIN = 3
SERVFAIL = 2


def labels(dotted: str) -> bytes:
    out = b""
    for label in dotted.split(".") if dotted else []:
        out += bytes([len(label)]) + label.encode()
    return out


def name(dotted: str) -> bytes:
    return labels(dotted) + b"\0"


def ptr(off: int) -> bytes:
    return struct.pack(">H", 0xc000 | off)


def hdr(flags: int, qd: int = 1, an: int = 0, ns: int = 0,
        ar: int = 0) -> bytes:
    return struct.pack(">HHHHHH", 0, flags, qd, an, ns, ar)


QUESTION = name("fuzz.example") + struct.pack(">HH", 1, 1)


def rr(owner: bytes, rtype: int, ttl: int, rdata: bytes) -> bytes:
    return owner + struct.pack(">HHIH", rtype, 1, ttl, len(rdata)) + rdata


def a(owner: bytes, ttl: int, addr: str) -> bytes:
    return rr(owner, 1, ttl, bytes(int(x) for x in addr.split(".")))


def soa(owner: bytes, ttl: int, minimum: int) -> bytes:
    rdata = name("ns.example") + name("hostmaster.example") + \
        struct.pack(">IIIII", 1, 3600, 600, 86400, minimum)
    return rr(owner, 6, ttl, rdata)


def record(ctl: int, payload: bytes) -> bytes:
    return struct.pack(">BH", ctl, len(payload)) + payload


def answer(flags: int, an: list[bytes], ns: list[bytes] = (),
           ar: list[bytes] = ()) -> bytes:
    return hdr(flags, 1, len(an), len(ns), len(ar)) + QUESTION + \
        b"".join(an) + b"".join(ns) + b"".join(ar)


Q = ptr(12)   # the question's name


def seeds() -> dict[str, bytes]:
    s: dict[str, bytes] = {}
    s["a"] = record(MATCH, answer(QR_RD_RA, [a(Q, 300, "10.1.2.3")]))
    s["a_multi"] = record(MATCH, answer(
        QR_RD_RA, [a(Q, 60 + i, f"10.0.1.{i}") for i in range(6)]))
    # 30 is where the answer section starts: the CNAME's RDATA at 42.
    s["cname_chain"] = record(MATCH, answer(QR_RD_RA, [
        rr(Q, 5, 100, labels("b") + ptr(17)),
        rr(ptr(42), 5, 50, labels("c") + ptr(17)),
        a(name("c.example"), 300, "10.1.2.4"),
    ]))
    s["cname_out_of_answer"] = (
        record(MATCH, answer(QR_RD_RA, [rr(Q, 5, 30, name("other.test"))]))
        + record(MATCH, hdr(QR_RD_RA, 1, 1) + name("other.test") +
                 struct.pack(">HH", 1, 1) + a(ptr(12), 60, "10.9.9.9")))
    s["cname_loop"] = record(MATCH, answer(QR_RD_RA, [
        rr(Q, 5, 30, name("b.example")),
        rr(name("b.example"), 5, 30, Q),
    ]))
    s["nxdomain_soa"] = record(MATCH, answer(
        QR_RD_RA | NXDOMAIN, [], [soa(name("example"), 600, 60)]))
    s["nodata_soa"] = record(MATCH, answer(
        QR_RD_RA, [], [soa(name("example"), 600, 60)]))
    s["referral"] = record(MATCH, answer(
        0x8100, [], [rr(name("example"), 2, 3600, name("ns.example"))]))
    s["servfail_then_answer"] = (
        record(MATCH, answer(QR_RD_RA | SERVFAIL, []))
        + record(MATCH | FROM_S2, answer(QR_RD_RA, [a(Q, 60, "10.1.2.3")])))
    s["truncated"] = record(MATCH, answer(QR_RD_RA | TC, []) +
                            a(Q, 60, "10.1.2.3")[:5])
    s["spoofs_then_answer"] = (
        record(0x02, answer(QR_RD_RA, [a(Q, 300, "6.6.6.6")]))
        + record(MATCH | FROM_5353, answer(QR_RD_RA, [a(Q, 300, "6.6.6.6")]))
        + record(MATCH | FROM_S2, answer(QR_RD_RA, [a(Q, 300, "6.6.6.6")]))
        + record(MATCH, answer(QR_RD_RA, [a(Q, 300, "10.1.2.3")])))
    s["timeouts"] = b"".join(record(STEP_10S, b"") for _ in range(8))
    s["start_cancel_cache"] = (
        record(MATCH, answer(QR_RD_RA, [a(Q, 300, "10.1.2.3")]))
        + record(START, b"")
        + record(CANCEL | START | STEP_1S, b"x")
        + record(START | STEP_100MS, b"xy"))
    s["pointer_games"] = record(MATCH, answer(QR_RD_RA, [
        rr(ptr(30), 1, 60, b"\1\2\3\4"),        # a pointer at itself
        rr(ptr(13), 1, 60, b"\1\2\3\4"),        # into a label
    ]))
    # dnsmasq 2.90's answer for a.example (tests/unit/net/test_dns_wire.c).
    s["dnsmasq_a"] = record(0x00, bytes.fromhex(
        "1234858000010001000000000161076578616d706c650000010001c00c0001"
        "00010000012c00040a010203"))
    return s


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for stem, data in sorted(seeds().items()):
        path = args.out / stem
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
