#!/usr/bin/env python3
"""make_https_seeds.py - write the seed inputs of the fuzz_https harness.

Run by hand from anywhere, after changing the harness's script format or
to add a seed:

    python3 tests/fuzz/make_https_seeds.py           # tests/fuzz/corpus/https/
    python3 tests/fuzz/make_https_seeds.py --out DIR # somewhere else

The format is fuzz_https.c's: operation bytes (low 3 bits the kind, high
bits the connection), some with an argument: 0 connect, 1 n + n bytes sent,
2 send room / 64, 3 clock step / 50 ms, 4 peer close, 5 reset, 6 handshake
done, 7 a turn. Files are rewritten only when their bytes change.
"""

from __future__ import annotations

import argparse
from pathlib import Path

OUT = Path(__file__).resolve().parent / "corpus" / "https"


def conn(i: int, kind: int) -> int:
    return i << 3 | kind


def send(i: int, data: bytes) -> bytes:
    out = b""
    for k in range(0, len(data), 255):
        piece = data[k:k + 255]
        out += bytes([conn(i, 1), len(piece)]) + piece
    return out


GET = b"GET / HTTP/1.1\r\nHost: k\r\nAccept-Encoding: gzip\r\n\r\n"
PUT = (b"PUT /kv/a HTTP/1.1\r\nHost: k\r\nTransfer-Encoding: chunked\r\n"
       b"Expect: 100-continue\r\n\r\n3\r\n[1,\r\n2\r\n2]\r\n0\r\n\r\n")
SEEDS: dict[str, bytes] = {
    "get": bytes([0, 6]) + send(0, GET) + bytes([7, 4]),
    "pipelined_small_room": bytes([0, 6, 2, 1]) + send(
        0, GET + b"HEAD /x.bin HTTP/1.1\r\nHost: k\r\n\r\n"
        + b"GET /metrics HTTP/1.1\r\nHost: k\r\n\r\n") + bytes([2, 255, 7]),
    "kv_chunked": bytes([0, 6]) + send(0, PUT) + send(
        0, b"GET /kv/a HTTP/1.1\r\nHost: k\r\nConnection: close\r\n\r\n"),
    "busy": bytes([0, 0, 0, 0, 0]) + bytes(conn(i, 6) for i in range(5))
    + send(4, GET) + send(3, b"GET / HTTP/1.1\r\n") + bytes([3, 40, 7]),
    "abandoned": bytes([0, 6]) + send(0, PUT[:90]) + bytes([5, 7, 0, 6])
    + send(0, PUT),
}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, blob in sorted(SEEDS.items()):
        path = args.out / name
        if not path.exists() or path.read_bytes() != blob:
            path.write_bytes(blob)
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
