#!/usr/bin/env python3
"""make_tls_seeds.py - write the seed inputs of the fuzz_tls harness.

Run by hand from anywhere (needs openssl and curl):

    python3 tests/fuzz/make_tls_seeds.py           # tests/fuzz/corpus/tls/
    python3 tests/fuzz/make_tls_seeds.py --out DIR # somewhere else

Each seed is the first flight of a real client (its ClientHello), taken by
listening on a loopback port and closing once the client has gone quiet:
openssl s_client with each TLS 1.3 suite and key-exchange group, with and
without SNI, a TLS 1.2 offer, and curl. A second variant of each splits
the flight into 7-byte pieces with fuzz_tls.c's 0xff markers, so the
seeds also cover records that arrive in parts. The bytes hold fresh
randomness, so a rerun rewrites every file. Standard library only.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
from pathlib import Path

OUT = Path(__file__).resolve().parent / "corpus" / "tls"

CLIENTS: dict[str, list[str]] = {
    "aes128_x25519": ["-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256",
                      "-groups", "X25519"],
    "aes256_p256": ["-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384",
                    "-groups", "P-256"],
    "chacha_both": ["-tls1_3", "-ciphersuites",
                    "TLS_CHACHA20_POLY1305_SHA256", "-groups",
                    "X25519:P-256", "-servername", "keel.example"],
    "hrr_p384_first": ["-tls1_3", "-groups", "P-384:P-256"],
    "tls12_only": ["-tls1_2"],
}


def capture(argv: list[str]) -> bytes:
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        proc = subprocess.Popen([*argv[:1], *(a.replace("PORT", str(port))
                                              for a in argv[1:])],
                                stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        conn, _ = srv.accept()
        conn.settimeout(1.0)
        data = b""
        try:
            while True:
                d = conn.recv(65536)
                if not d:
                    break
                data += d
        except socket.timeout:
            pass
        conn.close()
        proc.kill()
        proc.wait()
        return data


def split(data: bytes, n: int) -> bytes:
    out = b""
    for i in range(0, len(data), n):
        piece = data[i:i + n]
        out += bytes([0xff, len(piece)]) + piece
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    flights = {name: capture(["openssl", "s_client", "-connect",
                              "127.0.0.1:PORT", *opts])
               for name, opts in CLIENTS.items()}
    flights["curl"] = capture(["curl", "-sk", "https://127.0.0.1:PORT/"])
    for name, data in sorted(flights.items()):
        if not data:
            raise SystemExit(f"{name}: the client sent nothing")
        (args.out / name).write_bytes(data)
        (args.out / f"{name}_split").write_bytes(split(data, 7))
        print(f"wrote {args.out / name} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
