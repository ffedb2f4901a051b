"""net/tcp_impaired - keel's TCP against Linux over an impaired link.

keel runs the tcp-echo image behind its impair= layer (drivers/impair):
5 % loss, 1 % duplication and 10 ms +- 5 ms delay (which reorders), each
way, from a fixed seed so that a failure replays. Linux is the client:

  source   keel -> Linux, KEEL_TCP_IMPAIRED_MIB (100) MiB, sha256 equal
  sink     Linux -> keel, the same, keel checks every byte
  echo     both ways at once, a tenth of that

Each case prints its throughput and keel's recovery counters. The cases
are skipped when this keel has no impair= key.

    /usr/bin/python3 tests/net/test_tcp_impaired.py --keel build/tcp-echo-tap/keel
"""

from __future__ import annotations

import hashlib
import os
import socket
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netlab import Cases, Lab, Skip, note  # noqa: E402
from test_tcp import (MIB, SINK, SOURCE, TcpSuite, keel_config,  # noqa: E402
                      pattern, pattern_sha256, recv_all)

IMAGE = "tcp-echo-tap"
SIZE = int(os.environ.get("KEEL_TCP_IMPAIRED_MIB", "100")) * MIB
SEED = int(os.environ.get("KEEL_SEED", "1"))
SPEC = f"impair=loss:5,dup:1,delay:10,jitter:5,seed:{SEED}"
TIMEOUT = 600.0


def counters(lab: Lab, before: dict[str, int]) -> str:
    after = lab.stats()
    keys = ("tcp.tx_retrans", "tcp.tx_fast_retrans", "tcp.rto",
            "tcp.rx_ooo", "tcp.rx_dup_ack")
    return ", ".join(f"{k} {after.get(k, 0) - before.get(k, 0)}"
                     for k in keys)


class Impaired:
    def __init__(self, keel: str) -> None:
        self.keel = keel
        self.config = keel_config(keel)

    def lab(self) -> Lab:
        lab = Lab(self.keel, extra_args=[SPEC])
        try:
            lab.__enter__()
        except RuntimeError as e:
            if "impair" in str(e):
                raise Skip(f"this keel has no impair= key: "
                           f"{str(e).splitlines()[0]}") from None
            raise
        return lab

    def source(self) -> None:
        lab = self.lab()
        try:
            before = lab.stats()
            s = TcpSuite(lab, self.config)
            got = hashlib.sha256()
            with s.connect(SOURCE, timeout=10) as c:
                c.settimeout(TIMEOUT)
                t0 = time.monotonic()
                c.sendall(struct.pack(">Q", SIZE))
                n = recv_all(c, got.update)
                dt = time.monotonic() - t0
            if n != SIZE or got.hexdigest() != pattern_sha256(SIZE):
                raise AssertionError(f"source sent {n} of {SIZE} bytes or "
                                     f"sha256 differs ({SPEC})")
            note(f"tcp impaired keel -> Linux {SIZE // MIB} MiB: "
                 f"{dt:.1f} s, {SIZE / dt / 1e6:.2f} MB/s; "
                 f"{counters(lab, before)}")
        finally:
            lab.__exit__(None, None, None)

    def sink(self) -> None:
        lab = self.lab()
        try:
            before = lab.stats()
            s = TcpSuite(lab, self.config)
            with s.connect(SINK, timeout=10) as c:
                c.settimeout(TIMEOUT)
                t0 = time.monotonic()
                for off in range(0, SIZE, MIB):
                    c.sendall(pattern(off, min(MIB, SIZE - off)))
                c.shutdown(socket.SHUT_WR)
                reply = c.recv(100)
                dt = time.monotonic() - t0
            if reply != f"ok {SIZE}\n".encode():
                raise AssertionError(f"sink answered {reply!r} ({SPEC})")
            note(f"tcp impaired Linux -> keel {SIZE // MIB} MiB: "
                 f"{dt:.1f} s, {SIZE / dt / 1e6:.2f} MB/s; "
                 f"{counters(lab, before)}")
        finally:
            lab.__exit__(None, None, None)

    def echo(self) -> None:
        lab = self.lab()
        try:
            s = TcpSuite(lab, self.config)
            t0 = time.monotonic()
            s.echo(max(SIZE // 10, MIB))
            note(f"tcp impaired echo {max(SIZE // 10, MIB) // MIB} MiB "
                 f"both ways: {time.monotonic() - t0:.1f} s")
        finally:
            lab.__exit__(None, None, None)


def main() -> int:
    cases = Cases("tcp_impaired")
    t = Impaired(cases.args.keel)
    for name, fn in (("source", t.source), ("sink", t.sink),
                     ("echo", t.echo)):
        cases.run(name, fn)
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
