"""netwire - what the net test scripts share beside netlab's Lab and Cases.

Wire, a packet socket on the TAP's Linux side for frames crafted with
scapy, and WireSuite, the frame of a script whose cases write such frames;
reading keel's counters (delta, moved, wait_counters) and whether it is
still alive (responsive, died); the image's CONFIG_ integers (keel_config);
the seed of a script's random.Random (SEED, seeded); a TCP segment's
payload (seg_data) and a crafted peer's connection to keel's echo port held
behind a zero window (zero_window_echo).

scapy is imported only when a Wire is made, so that the scripts that never
make one do not need it; scapy is only seen by /usr/bin/python3, and
netlab, which build.py imports for `run`, must stay free of it.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Protocol

from netlab import Lab

if TYPE_CHECKING:
    from scapy.layers.l2 import Ether
    from scapy.packet import Packet

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
TCP_ACK = 0x10

SEED = int(os.environ.get("KEEL_SEED", "0")) or \
    int.from_bytes(os.urandom(4), "big")


def seeded(text: str) -> str:
    return f"{text} (seed {SEED}; replay with KEEL_SEED={SEED})"


def as_is(text: str) -> str:
    return text


def keel_config(keel: str) -> dict[str, int]:
    """The CONFIG_ integers of the image keel was built from (its generated
    keel_config.h sits beside it); empty when it cannot be found."""
    out: dict[str, int] = {}
    hdr = Path(keel).resolve().parent / "include" / "keel_config.h"
    try:
        text = hdr.read_text()
    except OSError:
        return out
    for m in re.finditer(r"#define (CONFIG_\w+)\s+(0x[0-9a-fA-F]+|\d+)",
                         text):
        out[m.group(1)] = int(m.group(2), 0)
    return out


# --------------------------------------------------------------------------
# keel's counters, and whether it is still there
# --------------------------------------------------------------------------

def delta(before: dict[str, int], after: dict[str, int], name: str) -> int:
    if name not in after:
        raise AssertionError(f"keel has no counter {name}")
    return after[name] - before.get(name, 0)


def moved(before: dict[str, int], after: dict[str, int]) -> str:
    """The counters that moved, for failure messages."""
    text = [f"{k} +{after[k] - before.get(k, 0)}" for k in sorted(after)
            if after[k] != before.get(k, 0)]
    return ", ".join(text) or "no counter moved"


def wait_counters(lab: Lab, before: dict[str, int], want: dict[str, int],
                  timeout: float = 3.0, wrap: Callable[[str], str] = as_is
                  ) -> dict[str, int]:
    """Wait until every counter in `want` grew by at least its value; the
    counters then. If they do not within `timeout` seconds, the failure
    says so through `wrap` (seeded, say)."""
    deadline = time.monotonic() + timeout
    while True:
        after = lab.stats()
        missing = [n for n in want if n not in after]
        if missing:
            raise AssertionError(f"keel has no counter "
                                 f"{', '.join(missing)}")
        short = {n: after[n] - before.get(n, 0) for n in want
                 if after[n] - before.get(n, 0) < want[n]}
        if not short:
            return after
        if time.monotonic() > deadline:
            need = ", ".join(f"{n} +{got} (expected +{want[n]})"
                             for n, got in short.items())
            raise AssertionError(wrap(
                f"{need}; counters that moved: {moved(before, after)}"))
        time.sleep(0.05)


def responsive(lab: Lab) -> bool:
    """keel runs and answers a counter dump (so it also got through every
    frame queued before it)."""
    if not lab.alive():
        return False
    try:
        lab.stats()
    except RuntimeError:
        return False
    return True


def died(lab: Lab, start: int) -> str:
    """Stop a keel that is not responsive; what to say about it: its exit
    code and the end of what it printed from lab.log[start:]."""
    lab.stop()
    log = lab.log[start:].decode(errors="replace")
    return (f"keel died or hung (exit {lab.proc.returncode}); "
            f"its last output: {log[-800:]!r}")


# --------------------------------------------------------------------------
# frames on the TAP
# --------------------------------------------------------------------------

class Wire:
    """A packet socket on the TAP's Linux side: frames written to it go to
    keel as they are; frames keel sends can be read back."""

    def __init__(self, ifname: str) -> None:
        from scapy.layers.l2 import Ether
        self.ether = Ether
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                                  socket.htons(ETH_P_ALL))
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self.sock.bind((ifname, ETH_P_ALL))
        self.sock.setblocking(False)

    def close(self) -> None:
        self.sock.close()

    def send(self, frame: bytes | Packet) -> None:
        self.sock.send(bytes(frame))

    def drain(self) -> None:
        """Forget every frame captured so far."""
        for _ in range(100000):
            try:
                self.sock.recv(65536)
            except BlockingIOError:
                return

    def read(self, seconds: float,
             until: Callable[[Ether], bool] | None = None) -> list[Ether]:
        """Frames keel sent (not Linux's own) during the next `seconds`,
        stopping early after one for which `until` is true."""
        out: list[Ether] = []
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return out
            if not select.select([self.sock], [], [], left)[0]:
                continue
            for _ in range(1000):
                try:
                    data, addr = self.sock.recvfrom(65536)
                except BlockingIOError:
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                pkt = self.ether(data)
                out.append(pkt)
                if until and until(pkt):
                    return out


class WireSuite:
    """The cases of a script that writes frames onto the TAP: a Wire, and
    keel's and Linux's MACs. A subclass sets wrap = staticmethod(seeded)
    to have its failures name the seed."""

    wrap: Callable[[str], str] = staticmethod(as_is)

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.wire = Wire(lab.ifname)
        self.linux_mac = lab.linux_mac()
        self.keel_mac = lab.keel_mac()

    def guarded(self, fn: Callable[[], None]) -> Callable[[], None]:
        """Run a case on a live keel (a fresh one if the last case killed
        it), with the frames captured before it forgotten; fail it if keel
        died or hung during it."""
        def run() -> None:
            if not self.lab.alive():
                self.lab.start()
                self.keel_mac = self.lab.keel_mac()
            start = len(self.lab.log)
            self.wire.drain()
            try:
                fn()
            finally:
                if not responsive(self.lab):
                    raise AssertionError(self.wrap(died(self.lab, start)))
        return run

    def wait_counters(self, before: dict[str, int], want: dict[str, int],
                      timeout: float = 3.0) -> dict[str, int]:
        """Wait until every counter in `want` grew by at least its value."""
        return wait_counters(self.lab, before, want, timeout, self.wrap)


# --------------------------------------------------------------------------
def seg_data(pkt: Ether) -> bytes:
    """A TCP segment's payload, without the Ethernet padding scapy keeps."""
    from scapy.layers.inet import IP, TCP
    ip, tcp = pkt[IP], pkt[TCP]
    n = ip.len - ip.ihl * 4 - tcp.dataofs * 4
    return bytes(tcp.payload)[:max(n, 0)]


class TcpPeer(Protocol):
    """What zero_window_echo needs of a crafted TCP peer (test_tcp_attack's
    Peer): seq and ack kept by the peer as it sends and takes."""

    def handshake(self, window: int = 65535) -> Ether: ...

    def push(self, data: bytes, window: int = 65535,
             **kw: object) -> None: ...

    def send(self, flags: int, data: bytes = b"", **kw: object) -> None: ...

    def read(self, seconds: float,
             until: Callable[[Ether], bool] | None = None) -> list[Ether]: ...

    def take(self, p: Ether, window: int = 65535) -> bytes: ...

    def close(self) -> None: ...


@contextlib.contextmanager
def zero_window_echo(p: TcpPeer, msg: bytes) -> Iterator[None]:
    """A connection from p (made for keel's echo port) whose window stays
    closed: the handshake and msg pushed, both advertising window 0. The
    with block watches what keel sends into the closed window; when it
    ends without an exception the window opens (an ACK with 65535) and
    keel must send msg back within 2 s. The connection is reset either
    way."""
    p.handshake(window=0)
    try:
        p.push(msg, window=0)
        yield
        p.send(TCP_ACK, window=65535)
        got = b""
        deadline = time.monotonic() + 2
        while got != msg and time.monotonic() < deadline:
            for q in p.read(deadline - time.monotonic(),
                            lambda q: bool(seg_data(q))):
                got += p.take(q)
        if got != msg:
            raise AssertionError(f"after the window opened keel sent "
                                 f"{got!r}")
    finally:
        p.close()
