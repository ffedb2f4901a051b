#!/usr/bin/env python3
"""make_http_seeds.py - write the seed inputs of the fuzz_http harness.

Run by hand from anywhere, after changing the harness's input format or to
add a seed:

    python3 tests/fuzz/make_http_seeds.py           # tests/fuzz/corpus/http/
    python3 tests/fuzz/make_http_seeds.py --out DIR # somewhere else

The format is fuzz_http.c's: one control byte (bits 0-1 the limits, bits
2-7 the chunk piece size less one), then what a client sends. Files are
rewritten only when their bytes change. Standard library only.
"""

from __future__ import annotations

import argparse
from pathlib import Path

OUT = Path(__file__).resolve().parent / "corpus" / "http"

SEEDS: dict[str, tuple[int, bytes]] = {
    "get": (0, b"GET /index.html?x=1 HTTP/1.1\r\nHost: keel\r\n"
               b"Accept-Encoding: gzip, br;q=0.5\r\n"
               b"If-None-Match: W/\"a\", \"0123456789abcdef\"\r\n\r\n"),
    "pipelined": (0, b"GET / HTTP/1.1\r\nHost: k\r\n\r\n"
                     b"HEAD /style.css HTTP/1.1\r\nHost: k\r\n\r\n"
                     b"\r\nGET /healthz HTTP/1.0\r\nConnection: keep-alive"
                     b"\r\n\r\n"),
    "put_length": (0, b"PUT /kv/a HTTP/1.1\r\nHost: k\r\nContent-Length: 7"
                      b"\r\n\r\n{\"a\":1}GET / HTTP/1.1\r\nHost: k\r\n\r\n"),
    "put_chunked": (4 << 2, b"PUT /kv/a HTTP/1.1\r\nHost: k\r\n"
                            b"Transfer-Encoding: chunked\r\n"
                            b"Expect: 100-continue\r\n\r\n"
                            b"3;ext=1\r\n{\"a\r\nA\r\n\":[1,2,3]}\r\n"
                            b"0\r\nX-Trailer: t\r\n\r\n"
                            b"GET / HTTP/1.1\r\nHost: k\r\n\r\n"),
    "small_limits": (1, b"GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "
                        b"HTTP/1.1\r\nHost: k\r\n\r\n"),
    "absolute": (2, b"OPTIONS * HTTP/1.1\r\nHost: k\r\n\r\n"
                    b"GET https://keel:443/x HTTP/1.1\r\nHost: keel\r\n\r\n"),
    "smuggle": (0, b"POST / HTTP/1.1\r\nHost: k\r\nContent-Length: 4\r\n"
                   b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    "fold": (0, b"GET / HTTP/1.1\r\nHost: k\r\nX: a\r\n b\r\n\r\n"),
}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, (ctl, data) in sorted(SEEDS.items()):
        path = args.out / name
        blob = bytes([ctl]) + data
        if not path.exists() or path.read_bytes() != blob:
            path.write_bytes(blob)
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
