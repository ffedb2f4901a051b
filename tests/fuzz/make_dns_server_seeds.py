#!/usr/bin/env python3
"""make_dns_server_seeds.py - write the seed inputs of fuzz_dns_server.

    python3 tests/fuzz/make_dns_server_seeds.py           # corpus/dns_server/
    python3 tests/fuzz/make_dns_server_seeds.py --out DIR

Each seed is fuzz_dns_server.c's format: one control byte (bit 0 TCP,
bits 1-2 the EDNS payload size we advertise), then a query for a name of
tests/unit/apps/dns_server/test.zone - every kind of answer (exact, CNAME
chain and loop, wildcard, empty non-terminal, referral, NXDOMAIN, NODATA,
REFUSED, ANY, TC) - plus EDNS, BADVERS, other opcodes, a pointer in the
question and an additional record owned by a pointer. Files are rewritten
only when their bytes change. Standard library only.
"""

from __future__ import annotations

import argparse
import struct
from pathlib import Path

OUT = Path(__file__).resolve().parent / "corpus" / "dns_server"


def name(dotted: str) -> bytes:
    out = b""
    for label in dotted.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(qname: str, qtype: int, flags: int = 0x0100, edns: int = -1,
          version: int = 0, extra: bytes = b"", arcount: int = 0) -> bytes:
    ar = arcount + (1 if edns >= 0 else 0)
    q = struct.pack(">6H", 0x1234, flags, 1, 0, 0, ar)
    q += name(qname) + struct.pack(">HH", qtype, 1) + extra
    if edns >= 0:
        q += b"\0" + struct.pack(">HHIH", 41, edns, version << 16, 0)
    return q


def seeds() -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for qname, qtype in (("a.test", 1), ("A.Test", 1), ("c1.test", 1),
                         ("loop1.test", 1), ("x.w.test", 1),
                         ("foo.w.test", 16), ("e.w.test", 1),
                         ("q.cw.test", 1), ("www.sub.test", 1),
                         ("nothing.test", 1), ("a.test", 28),
                         ("example.org", 1), ("a.test", 255),
                         ("big.test", 16), ("test", 2), ("test", 15),
                         ("srv.test", 33), ("test", 6),
                         ("dangling.test", 1)):
        base = f"{qname.replace('*', 'star')}-{qtype}"
        out[f"udp-{base}"] = b"\x00" + query(qname, qtype)
        out[f"edns-{base}"] = b"\x02" + query(qname, qtype, edns=4096)
        out[f"tcp-{base}"] = b"\x01" + query(qname, qtype)
    out["badvers"] = b"\x02" + query("a.test", 1, edns=1232, version=1)
    out["notify"] = b"\x00" + query("test", 6, flags=4 << 11)
    out["qr"] = b"\x00" + query("a.test", 1, flags=0x8000)
    ptr = query("a.test", 1)
    out["pointer-in-question"] = b"\x00" + ptr[:12] + b"\xc0\x0c" + ptr[-4:]
    rr = b"\xc0\x0c" + struct.pack(">HHIH", 16, 1, 0, 2) + b"\x01x"
    out["additional-pointer"] = b"\x00" + query("a.test", 1, extra=rr,
                                                arcount=1)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for fname, data in sorted(seeds().items()):
        path = args.out / fname
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
