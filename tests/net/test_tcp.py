"""net/tcp - keel's TCP against Linux's own TCP in a namespace.

keel runs the tcp-echo image: echo on port 7, a sink on port 9 that checks
the counting pattern it receives and answers "ok <bytes>", and a source on
port 19 that sends as many pattern bytes as asked for (apps/tcp_echo).
Linux is always the client:

  echo_1mib, echo_100mib   random bytes both ways at once, sha256 equal
  sink_100mib              Linux -> keel only, checked by keel byte by byte
  source_100mib            keel -> Linux only, sha256 equal to the pattern
  sequential               many short connections in a row; every slot is
                           freed again (tcp.conn_passive == tcp.conn_freed)
  concurrent               as many connections as the table holds, all
                           echoing at once; the next SYN finds no slot and
                           is dropped, so Linux's connect waits ("queued")
                           and completes once a slot frees
  greet                    keel restarted with greet=10.0.0.1:PORT
                           connects to a Linux listener with the blocking
                           kernel_tcp_* calls, says "tcp-echo ready" and
                           logs the line it gets back; then echoes
  greet_refused            the same to a closed port: keel logs the
                           refusal (NET_SO_ERROR through the blocking
                           connect) and serves all the same

Throughput of the 100 MiB cases is printed as a note.

    /usr/bin/python3 tests/net/test_tcp.py --keel build/tcp-echo-tap/keel
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import select
import socket
import struct
import sys
import threading
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netlab import Cases, Lab, note  # noqa: E402
from netwire import SEED  # noqa: E402

IMAGE = "tcp-echo-tap"
ECHO, SINK, SOURCE = 7, 9, 19
MIB = 1 << 20
IO_TIMEOUT = 30.0
LISTENERS = 3


def keel_config(keel: str) -> dict[str, int]:
    out: dict[str, int] = {}
    hdr = Path(keel).resolve().parent / "include" / "keel_config.h"
    for m in re.finditer(r"#define (CONFIG_\w+)\s+(0x[0-9a-fA-F]+|\d+)",
                         hdr.read_text()):
        out[m.group(1)] = int(m.group(2), 0)
    return out


def pattern(offset: int, n: int) -> bytes:
    """Bytes [offset, offset + n) of the counting pattern (apps/tcp_echo)."""
    first, skip = divmod(offset, 8)
    count = (skip + n + 7) // 8
    raw = struct.pack(f">{count}Q", *range(first, first + count))
    return raw[skip:skip + n]


def pattern_sha256(n: int) -> str:
    h = hashlib.sha256()
    for off in range(0, n, MIB):
        h.update(pattern(off, min(MIB, n - off)))
    return h.hexdigest()


def recv_all(s: socket.socket, sink: Callable[[bytes], None]) -> int:
    total = 0
    while True:
        b = s.recv(1 << 20)
        if not b:
            return total
        sink(b)
        total += len(b)


class TcpSuite:
    def __init__(self, lab: Lab, config: dict[str, int]) -> None:
        self.lab = lab
        self.rng = random.Random(SEED)
        self.sockets = config.get("CONFIG_TCP_SOCKETS", 16)

    def connect(self, port: int, timeout: float = IO_TIMEOUT
                ) -> socket.socket:
        s = socket.create_connection((self.lab.keel_ip, port),
                                     timeout=timeout)
        s.settimeout(IO_TIMEOUT)
        return s

    def guarded(self, fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            if not self.lab.alive():
                self.lab.start()
            fn()
            if not self.lab.alive():
                raise AssertionError("keel died: " +
                                     self.lab.log.decode()[-800:])
        return run

    def echo(self, size: int) -> float:
        data = self.rng.randbytes(size)
        got = hashlib.sha256()
        count = [0]
        with self.connect(ECHO) as s:
            def reader() -> None:
                def take(b: bytes) -> None:
                    got.update(b)
                    count[0] += len(b)
                recv_all(s, take)
            t = threading.Thread(target=reader)
            t0 = time.monotonic()
            t.start()
            for off in range(0, size, MIB):
                s.sendall(data[off:off + MIB])
            s.shutdown(socket.SHUT_WR)
            t.join(IO_TIMEOUT * 4)
            dt = time.monotonic() - t0
        want = hashlib.sha256(data).hexdigest()
        if count[0] != size or got.hexdigest() != want:
            raise AssertionError(f"echo of {size} bytes: got {count[0]} "
                                 f"bytes, sha256 {'equal' if got.hexdigest() == want else 'differs'} (seed {SEED})")
        return dt

    # -- cases -----------------------------------------------------------

    def echo_1mib(self) -> None:
        self.echo(MIB)

    def echo_100mib(self) -> None:
        dt = self.echo(100 * MIB)
        note(f"tcp echo 100 MiB each way at once: {dt:.2f} s, "
             f"{100 * MIB / dt / 1e6:.0f} MB/s per direction")

    def sink_100mib(self) -> None:
        size = 100 * MIB
        with self.connect(SINK) as s:
            t0 = time.monotonic()
            for off in range(0, size, MIB):
                s.sendall(pattern(off, MIB))
            s.shutdown(socket.SHUT_WR)
            reply = b""
            while not reply.endswith(b"\n"):
                b = s.recv(100)
                if not b:
                    break
                reply += b
            dt = time.monotonic() - t0
        if reply != f"ok {size}\n".encode():
            raise AssertionError(f"sink answered {reply!r}")
        note(f"tcp Linux -> keel 100 MiB: {dt:.2f} s, "
             f"{size / dt / 1e6:.0f} MB/s")

    def source_100mib(self) -> None:
        size = 100 * MIB
        got = hashlib.sha256()
        with self.connect(SOURCE) as s:
            t0 = time.monotonic()
            s.sendall(struct.pack(">Q", size))
            n = recv_all(s, got.update)
            dt = time.monotonic() - t0
        if n != size or got.hexdigest() != pattern_sha256(size):
            raise AssertionError(f"source sent {n} bytes, sha256 "
                                 f"{'equal' if n == size else 'n/a'}")
        note(f"tcp keel -> Linux 100 MiB: {dt:.2f} s, "
             f"{size / dt / 1e6:.0f} MB/s")

    def sequential(self) -> None:
        count = int(os.environ.get("KEEL_TCP_SEQUENTIAL", "10000"))
        before = self.lab.stats()
        t0 = time.monotonic()
        for i in range(count):
            with self.connect(ECHO, timeout=5) as s:
                msg = i.to_bytes(4, "big") * 8
                s.sendall(msg)
                got = b""
                while len(got) < len(msg):
                    b = s.recv(100)
                    if not b:
                        break
                    got += b
                if got != msg:
                    raise AssertionError(f"connection {i}: echo {got!r}")
        dt = time.monotonic() - t0
        deadline = time.monotonic() + 5
        while True:
            after = self.lab.stats()
            opened = after["tcp.conn_passive"] - before["tcp.conn_passive"]
            freed = after["tcp.conn_freed"] - before["tcp.conn_freed"]
            if freed == opened == count or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        if opened != count or freed != count:
            raise AssertionError(f"{count} connections: keel opened "
                                 f"{opened}, freed {freed}")
        note(f"tcp {count} sequential connections in {dt:.1f} s, "
             f"every slot freed")

    def concurrent(self) -> None:
        room = self.sockets - LISTENERS
        socks = [self.connect(ECHO, timeout=5) for _ in range(room)]
        try:
            for i, s in enumerate(socks):
                s.sendall(bytes([i]) * 1000)
            for i, s in enumerate(socks):
                got = b""
                while len(got) < 1000:
                    got += s.recv(1000 - len(got))
                if got != bytes([i]) * 1000:
                    raise AssertionError(f"connection {i} echoed wrongly")
            # One more: keel has no slot, drops the SYN; Linux retries.
            extra = socket.socket()
            extra.setblocking(False)
            extra.connect_ex((self.lab.keel_ip, ECHO))
            _, w, _ = select.select([], [extra], [], 1.5)
            if w and extra.getsockopt(socket.SOL_SOCKET,
                                      socket.SO_ERROR) == 0:
                raise AssertionError(f"connection {room + 1} was accepted "
                                     f"with a full table")
            socks.pop().close()
            _, w, _ = select.select([], [extra], [], 8)
            err = extra.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if not w or err != 0:
                raise AssertionError(f"queued connection did not complete "
                                     f"after a slot freed (error {err})")
            extra.setblocking(True)
            extra.settimeout(5)
            extra.sendall(b"late")
            if extra.recv(4) != b"late":
                raise AssertionError("queued connection does not echo")
            socks.append(extra)
        finally:
            for s in socks:
                s.close()


GREET_PORT = 5055


class GreetSuite:
    """tcp-echo's greet= (the blocking calls of kernel/tcp.h)."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab

    def restart(self, port: int) -> None:
        self.lab.stop()
        self.lab.start([f"greet={self.lab.linux_ip}:{port}"])

    def echo_works(self) -> None:
        with socket.create_connection((self.lab.keel_ip, ECHO),
                                      timeout=IO_TIMEOUT) as s:
            s.sendall(b"after greet")
            got = b""
            while len(got) < 11:
                got += s.recv(64)
            if got != b"after greet":
                raise AssertionError(f"echo after greet: {got!r}")

    def greet(self) -> None:
        with socket.socket() as ls:
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            ls.bind((self.lab.linux_ip, GREET_PORT))
            ls.listen(1)
            ls.settimeout(IO_TIMEOUT)
            self.restart(GREET_PORT)
            c, _ = ls.accept()
            with c:
                c.settimeout(IO_TIMEOUT)
                line = b""
                while not line.endswith(b"\n"):
                    b = c.recv(64)
                    if not b:
                        break
                    line += b
                if line != b"tcp-echo ready\n":
                    raise AssertionError(f"greeting {line!r}")
                c.sendall(b"hello keel\n")
                self.lab.wait_log(rb"tcp-echo: greeted 10\.0\.0\.1:"
                                  + str(GREET_PORT).encode()
                                  + rb": hello keel", 10)
        self.echo_works()

    def greet_refused(self) -> None:
        self.restart(GREET_PORT + 1)
        self.lab.wait_log(rb"tcp-echo: greet 10\.0\.0\.1:\d+: "
                          rb"connection refused", 10)
        self.echo_works()
        self.lab.stop()
        self.lab.start()


def main() -> int:
    cases = Cases("tcp")
    with Lab(cases.args.keel) as lab:
        s = TcpSuite(lab, keel_config(cases.args.keel))
        for name, fn in (("echo_1mib", s.echo_1mib),
                         ("echo_100mib", s.echo_100mib),
                         ("sink_100mib", s.sink_100mib),
                         ("source_100mib", s.source_100mib),
                         ("sequential", s.sequential),
                         ("concurrent", s.concurrent)):
            cases.run(name, s.guarded(fn))
        g = GreetSuite(lab)
        cases.run("greet", s.guarded(g.greet))
        cases.run("greet_refused", s.guarded(g.greet_refused))
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
