"""net/udp - keel's UDP echo application against plain Linux sockets.

Every datagram sent to port 7 must come back byte for byte, from port 7, to
the port it came from: random sizes that fit one frame, sizes that need
fragmenting both ways up to the reassembly limit, datagrams from several
sockets at once. A port nobody listens on answers with ICMP port
unreachable, which a connected Linux socket reports as ECONNREFUSED.

Random sizes and contents come from random.Random(seed); the seed is printed
in every failure and can be fixed with KEEL_SEED=<n> to replay a run.

    /usr/bin/python3 tests/net/test_udp.py --keel build/echo-tap/keel
"""

from __future__ import annotations

import collections
import random
import select
import socket
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netlab import Cases, Lab  # noqa: E402
from netwire import (SEED, delta, died, keel_config, moved,  # noqa: E402
                     responsive, seeded)

ECHO_PORT = 7
IP_HDR = 20
UDP_HDR = 8
MTU = 1500
ONE_FRAME = MTU - IP_HDR - UDP_HDR      # 1472
REPLY_TIMEOUT = 2.0


def udp_csum_errors() -> int:
    """Linux's count of UDP datagrams it dropped for a bad checksum (in the
    namespace this process is in)."""
    lines = Path("/proc/self/net/snmp").read_text().splitlines()
    heads = [ln.split() for ln in lines if ln.startswith("Udp:")]
    if len(heads) < 2 or "InCsumErrors" not in heads[0]:
        return 0
    return int(heads[1][heads[0].index("InCsumErrors")])


class UdpSuite:
    def __init__(self, lab: Lab, config: dict[str, int]) -> None:
        self.lab = lab
        self.rng = random.Random(SEED)
        self.keel = (lab.keel_ip, ECHO_PORT)
        reasm_max = config.get("CONFIG_IPV4_REASM_MAX", 9216)
        self.max_data = reasm_max - UDP_HDR
        self.before: dict[str, int] = {}
        self.csum_errors = 0

    def guarded(self, fn: Callable[[], None]) -> Callable[[], None]:
        """Run a case on a live keel and fail it if keel dies during it."""
        def run() -> None:
            if not self.lab.alive():
                self.lab.start()
            start = len(self.lab.log)
            self.before = self.lab.stats()
            self.csum_errors = udp_csum_errors()
            try:
                fn()
            finally:
                if not responsive(self.lab):
                    raise AssertionError(seeded(died(self.lab, start)))
        return run

    def sock(self) -> socket.socket:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        s.bind((self.lab.linux_ip, 0))
        s.settimeout(REPLY_TIMEOUT)
        return s

    def echo(self, s: socket.socket, data: bytes, what: str) -> None:
        """Send one datagram and require its exact echo from port 7."""
        s.sendto(data, self.keel)
        try:
            reply, peer = s.recvfrom(65535)
        except socket.timeout:
            after = self.lab.stats()
            bad = udp_csum_errors() - self.csum_errors
            raise AssertionError(seeded(
                f"{what}: no echo of {len(data)} bytes in {REPLY_TIMEOUT} s;"
                f" during this case Linux dropped {bad} UDP datagrams for "
                f"bad checksums and keel counted: "
                f"{moved(self.before, after)}")) from None
        if peer != self.keel:
            raise AssertionError(seeded(f"{what}: echo came from {peer}, "
                                        f"not {self.keel}"))
        if reply != data:
            first = next((i for i, (a, b) in enumerate(zip(reply, data))
                          if a != b), min(len(reply), len(data)))
            raise AssertionError(seeded(
                f"{what}: echo differs: sent {len(data)} bytes, got "
                f"{len(reply)}, first difference at byte {first}"))

    # -- cases -------------------------------------------------------------

    def random_sizes(self) -> None:
        """Datagrams of random sizes that each fit one frame."""
        with self.sock() as s:
            sizes = [0, 1, ONE_FRAME] + [self.rng.randint(0, ONE_FRAME)
                                         for _ in range(400)]
            for i, n in enumerate(sizes):
                self.echo(s, self.rng.randbytes(n), f"datagram #{i}")

    def fragmented(self) -> None:
        """Datagrams that Linux fragments and keel must reassemble, then
        fragment again in its echo."""
        step = (MTU - IP_HDR) & ~7
        sizes = [ONE_FRAME + 1, step, step + 1, ONE_FRAME + step,
                 ONE_FRAME + step + 1, 4000, 6000, 8000]
        sizes += [self.rng.randint(ONE_FRAME + 1, 8000) for _ in range(12)]
        with self.sock() as s:
            for i, n in enumerate(sizes):
                self.echo(s, self.rng.randbytes(n), f"large datagram #{i}")

    def largest(self) -> None:
        """UDP data + header == reasm_max: the largest datagram keel
        reassembles, and its echo is as large."""
        with self.sock() as s:
            self.echo(s, self.rng.randbytes(self.max_data),
                      f"{self.max_data}-byte datagram (the limit)")

    def too_big(self) -> None:
        """One byte more: dropped in reassembly (ipv4.frag_too_big), no
        echo, and keel still echoes the next one."""
        n = self.max_data + 1
        with self.sock() as s:
            s.settimeout(1.5)
            before = self.lab.stats()
            s.sendto(self.rng.randbytes(n), self.keel)
            try:
                reply = s.recv(65535)
                raise AssertionError(f"a {n}-byte datagram is over the "
                                     f"limit but came back "
                                     f"({len(reply)} bytes)")
            except socket.timeout:
                pass
            after = self.lab.stats()
            if delta(before, after, "ipv4.frag_too_big") < 1:
                raise AssertionError(f"ipv4.frag_too_big did not move: "
                                     f"{moved(before, after)}")
            s.settimeout(REPLY_TIMEOUT)
            self.echo(s, b"still there?", "datagram after an oversized one")

    def closed_port(self) -> None:
        """ICMP port unreachable for a port nobody listens on."""
        ports = [9, 1, 65535, self.rng.randint(1024, 65534)]
        before = self.lab.stats()
        for port in ports:
            if port == ECHO_PORT:
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.bind((self.lab.linux_ip, 0))
                s.connect((self.lab.keel_ip, port))
                s.settimeout(REPLY_TIMEOUT)
                s.send(b"anyone there?")
                try:
                    got = s.recv(100)
                except ConnectionRefusedError:
                    continue
                except socket.timeout:
                    after = self.lab.stats()
                    raise AssertionError(seeded(
                        f"port {port}: no port unreachable in "
                        f"{REPLY_TIMEOUT} s; keel: "
                        f"{moved(before, after)}")) from None
                raise AssertionError(f"port {port} answered {got!r}")
            time.sleep(0.02)   # stay well under the ICMP rate limit
        after = self.lab.stats()
        for name in ("udp.rx_no_socket", "icmp.tx_unreach"):
            if delta(before, after, name) < len(ports):
                raise AssertionError(f"{name} +{delta(before, after, name)},"
                                     f" expected >= {len(ports)}")

    def burst(self) -> None:
        """Several sockets send at once without waiting; each gets exactly
        its own datagrams back."""
        nsock, per = 8, 16
        socks = [self.sock() for _ in range(nsock)]
        try:
            sent: list[collections.Counter[bytes]] = []
            for s in socks:
                sent.append(collections.Counter())
            before = self.lab.stats()
            for i in range(per):
                for k, s in enumerate(socks):
                    data = bytes([k, i]) + self.rng.randbytes(
                        self.rng.randint(0, 200))
                    sent[k][data] += 1
                    s.sendto(data, self.keel)
            got = self._collect(socks, nsock * per)
            after = self.lab.stats()
            for k in range(nsock):
                if got[k] != sent[k]:
                    lost = sum((sent[k] - got[k]).values())
                    extra = sum((got[k] - sent[k]).values())
                    raise AssertionError(seeded(
                        f"socket {k}: {lost} of {per} datagrams not echoed, "
                        f"{extra} foreign or duplicate; keel: "
                        f"{moved(before, after)}"))
        finally:
            for s in socks:
                s.close()

    def _collect(self, socks: list[socket.socket], total: int
                 ) -> list[collections.Counter[bytes]]:
        got = [collections.Counter() for _ in socks]
        n = 0
        deadline = time.monotonic() + 5
        while n < total and time.monotonic() < deadline:
            ready, _, _ = select.select(socks, [], [], 0.5)
            for s in ready:
                data, peer = s.recvfrom(65535)
                if peer == self.keel:
                    got[socks.index(s)][data] += 1
                    n += 1
        return got

    def large_concurrent(self) -> None:
        """Several fragmented datagrams in flight at once."""
        socks = [self.sock() for _ in range(4)]
        try:
            sent = []
            for s in socks:
                data = self.rng.randbytes(self.rng.randint(3000, 8000))
                sent.append(collections.Counter([data]))
                s.sendto(data, self.keel)
            got = self._collect(socks, len(socks))
            for k, (a, b) in enumerate(zip(sent, got)):
                if a != b:
                    raise AssertionError(seeded(
                        f"socket {k}: its {len(next(iter(a)))}-byte datagram"
                        f" was not echoed exactly"))
        finally:
            for s in socks:
                s.close()

    def zero_checksum(self) -> None:
        """RFC 768: checksum 0 means the sender computed none; the datagram
        must be accepted (RFC 1122 §4.1.3.4 only allows dropping a nonzero
        wrong one)."""
        from scapy.layers.inet import IP, UDP
        from scapy.layers.l2 import Ether
        with self.sock() as s:
            port = s.getsockname()[1]
            data = self.rng.randbytes(100)
            frame = bytes(Ether(dst=self.lab.keel_mac(),
                                src=self.lab.linux_mac()) /
                          IP(src=self.lab.linux_ip, dst=self.lab.keel_ip) /
                          UDP(sport=port, dport=ECHO_PORT, chksum=0) / data)
            raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            try:
                raw.bind((self.lab.ifname, 0))
                raw.send(frame)
            finally:
                raw.close()
            try:
                reply, peer = s.recvfrom(65535)
            except socket.timeout:
                raise AssertionError(seeded("a datagram with checksum 0 "
                                            "was not echoed")) from None
            if reply != data or peer != self.keel:
                raise AssertionError(seeded(f"bad echo from {peer}"))


def main() -> int:
    cases = Cases("udp")
    with Lab(cases.args.keel) as lab:
        s = UdpSuite(lab, keel_config(cases.args.keel))
        for name, fn in (("random_sizes", s.random_sizes),
                         ("fragmented", s.fragmented),
                         ("largest", s.largest),
                         ("too_big", s.too_big),
                         ("closed_port", s.closed_port),
                         ("burst", s.burst),
                         ("large_concurrent", s.large_concurrent),
                         ("zero_checksum", s.zero_checksum)):
            cases.run(name, s.guarded(fn))
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
