"""net/hostile - malformed and malicious frames, crafted with scapy and
written straight onto the TAP's Linux side.

Each case sends frames that keel must drop, and checks that the one counter
naming that drop grew by the number of frames sent (stats.h: every frame is
delivered or dropped for exactly one named reason), that nothing was
answered when nothing should be, that keel is still running and that Linux's
ping still gets answers. A few cases check the opposite: frames that look
odd but are legal (TTL 0, well-formed IP options, duplicate fragments) must
still be answered.

Random frames come from random.Random(seed); the seed is printed in every
failure and can be fixed with KEEL_SEED=<n> to replay a run.

    /usr/bin/python3 tests/net/test_hostile.py --keel build/echo-tap/keel
"""

from __future__ import annotations

import itertools
import random
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Iterable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netlab import Cases, Lab, Skip, note, sh  # noqa: E402
from netwire import (SEED, WireSuite, keel_config, moved,  # noqa: E402
                     seeded)

from scapy.layers.inet import ICMP, IP, UDP  # noqa: E402
from scapy.layers.l2 import ARP, Ether  # noqa: E402
from scapy.packet import Packet, Raw  # noqa: E402

MTU = 1500
FAKE_MAC = "02:00:00:00:be:ef"
ECHO_PORT = 7
# Counters Linux's own traffic on keel0 moves too (router solicitations and
# MLD reports to 33:33:... MACs), so a case can only ask for "at least".
NOISY = frozenset({"eth.rx_frames", "eth.rx_not_for_us"})


def tx_dropped(ifname: str) -> int:
    """Frames Linux dropped on their way out of `ifname` into the TAP
    (its queue full), from /proc/self/net/dev of this namespace."""
    for line in Path("/proc/self/net/dev").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name.strip() == ifname:
            return int(rest.split()[11])
    return 0


def ping_ok(dst: str, count: int = 2, size: int = 56,
            interval: float = 0.1) -> None:
    """Linux's ping must get every reply."""
    cmd = ["ping", "-n", "-q", "-c", str(count), "-s", str(size), "-i",
           f"{interval:g}", "-W", "1", dst]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    m = re.search(r"(\d+) packets transmitted, (\d+) received", r.stdout)
    if not m or int(m.group(2)) != count or "duplicates" in r.stdout:
        raise AssertionError(f"{' '.join(cmd)}: "
                             f"{(r.stdout + r.stderr).strip()[-300:]}")


def inet_checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\x00"
    s = sum(int.from_bytes(data[i:i + 2], "big")
            for i in range(0, len(data), 2))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def fix_ipv4_checksum(frame: bytearray) -> None:
    """Recompute the header checksum of the IPv4 datagram in an Ethernet
    frame, if its header is all there."""
    if frame[12:14] != b"\x08\x00" or len(frame) < 34:
        return
    ihl = (frame[14] & 0x0f) * 4
    if ihl < 20 or len(frame) < 14 + ihl:
        return
    frame[24:26] = b"\x00\x00"
    frame[24:26] = inet_checksum(bytes(frame[14:14 + ihl])).to_bytes(2,
                                                                       "big")


class Hostile(WireSuite):
    wrap = staticmethod(seeded)

    def __init__(self, lab: Lab, config: dict[str, int]) -> None:
        super().__init__(lab)
        self.rng = random.Random(SEED)
        self.ids = itertools.count(0x4b00)
        self.slots = config.get("CONFIG_IPV4_REASM_SLOTS", 4)
        self.reasm_max = config.get("CONFIG_IPV4_REASM_MAX", 9216)

    # -- running a case ----------------------------------------------------

    def guarded(self, fn: Callable[[], None]) -> Callable[[], None]:
        """Run a case on a live keel; afterwards keel must be alive and
        answer Linux's ping."""
        case = super().guarded(fn)

        def run() -> None:
            case()
            try:
                ping_ok(self.lab.keel_ip)
            except AssertionError as e:
                raise AssertionError(f"ping failed after the case: {e}"
                                     ) from None
        return run

    # -- frames --------------------------------------------------------------

    def eth(self, dst: str | None = None, src: str | None = None,
            type: int = 0x0800) -> Ether:
        return Ether(dst=dst or self.keel_mac, src=src or self.linux_mac,
                     type=type)

    def ip(self, **kw: object) -> IP:
        kw.setdefault("src", self.lab.linux_ip)
        kw.setdefault("dst", self.lab.keel_ip)
        kw.setdefault("id", next(self.ids) & 0xffff)
        return IP(**kw)

    def echo(self, ident: int, data: bytes = b"keel hostile test",
             **kw: object) -> ICMP:
        return ICMP(type=8, id=ident, seq=1, **kw) / Raw(data)

    def new_id(self) -> int:
        return next(self.ids) & 0xffff

    def send(self, frames: Iterable[bytes | Packet]) -> int:
        n = 0
        for f in frames:
            self.wire.send(f)
            n += 1
        return n

    # -- checks ------------------------------------------------------------

    def dropped(self, frames: list[bytes | Packet], counter: str,
                n: int | None = None, echo_id: int | None = None,
                udp_sport: int | None = None, exact: bool = True
                ) -> dict[str, int]:
        """Send frames that must each be dropped and counted in `counter`,
        and, when they are echo requests or datagrams to the echo port,
        that keel did not answer them."""
        self.wire.drain()
        before = self.lab.stats()
        sent = self.send(frames)
        want = sent if n is None else n
        self.wait_counters(before, {counter: want})
        if echo_id is not None:
            self.no_echo_reply(echo_id)
        if udp_sport is not None:
            self.no_udp_echo(udp_sport)
        after = self.lab.stats()
        # Each frame is one drop, counted once - unless Linux's own
        # background traffic (IPv6 to multicast MACs) shares the counter.
        got = after[counter] - before.get(counter, 0)
        if exact and counter not in NOISY and got != want:
            raise AssertionError(seeded(
                f"{counter} +{got} for {want} frames; counters that moved: "
                f"{moved(before, after)}"))
        return after

    def is_echo_reply(self, pkt: Ether, ident: int) -> bool:
        return (ICMP in pkt and pkt[IP].src == self.lab.keel_ip and
                pkt[ICMP].type == 0 and pkt[ICMP].id == ident)

    def no_echo_reply(self, ident: int, seconds: float = 0.3) -> None:
        got = self.wire.read(seconds, lambda p: self.is_echo_reply(p, ident))
        if any(self.is_echo_reply(p, ident) for p in got):
            raise AssertionError(f"keel answered echo request id {ident:#x}"
                                 f" that it should have dropped")

    def echo_reply(self, ident: int, seconds: float = 2.0) -> Ether:
        got = self.wire.read(seconds, lambda p: self.is_echo_reply(p, ident))
        for p in got:
            if self.is_echo_reply(p, ident):
                return p
        raise AssertionError(f"no echo reply for id {ident:#x} in "
                             f"{seconds} s")

    def no_udp_echo(self, sport: int, seconds: float = 0.3) -> None:
        def hit(p: Ether) -> bool:
            return UDP in p and p[UDP].sport == ECHO_PORT and \
                p[UDP].dport == sport
        if any(hit(p) for p in self.wire.read(seconds, hit)):
            raise AssertionError(f"keel echoed a datagram from port {sport}"
                                 f" that it should have dropped")

    # -- Ethernet ------------------------------------------------------------

    def eth_truncated(self) -> None:
        before = self.lab.stats()
        try:
            self.wire.send(bytes.fromhex(self.keel_mac.replace(":", ""))
                           + b"\x02\x00\x00")
        except OSError as e:
            raise Skip(f"Linux refuses to transmit a frame shorter than the"
                       f" 14-byte Ethernet header on a TAP ({e.strerror}); "
                       f"eth.rx_short is left to the unit and fuzz tiers"
                       ) from None
        self.wait_counters(before, {"eth.rx_short": 1})

    def eth_header_only(self) -> None:
        """A bare 14-byte header of type IPv4: no IP header at all."""
        self.dropped([bytes(self.eth())], "ipv4.rx_short")

    def eth_not_for_us(self) -> None:
        ident = self.new_id()
        frames = [self.eth(dst=mac) / self.ip() / self.echo(ident)
                  for mac in ("02:00:00:00:00:99", "01:00:5e:00:00:01",
                              "33:33:00:00:00:01")]
        self.dropped(frames, "eth.rx_not_for_us", echo_id=ident)

    def eth_bad_src(self) -> None:
        ident = self.new_id()
        frames = [self.eth(src=mac) / self.ip() / self.echo(ident)
                  for mac in ("01:00:5e:00:00:01", "00:00:00:00:00:00",
                              "ff:ff:ff:ff:ff:ff", self.keel_mac)]
        self.dropped(frames, "eth.rx_bad_src", echo_id=ident)

    def eth_unknown_type(self) -> None:
        ident = self.new_id()
        payload = bytes(self.ip() / self.echo(ident))
        frames = [self.eth(type=t) / Raw(payload)
                  for t in (0x88b5, 0x86dd, 0x8100, 0x0000, 0x05dc)]
        self.dropped(frames, "eth.rx_unknown_type", echo_id=ident)

    def oversized(self) -> None:
        """A full-size frame of garbage, then a 9000-byte jumbo frame (the
        Linux side's MTU raised for it) that cannot fit keel's 1514-byte
        frames: both dropped, keel unharmed."""
        junk = bytearray(self.rng.randbytes(MTU - 28))
        if inet_checksum(bytes([8, 0, 0, 0]) + junk) == 0:
            junk[0] ^= 1
        garbage = self.eth() / self.ip(proto=1) / Raw(bytes([8, 0, 0, 0]) +
                                                      bytes(junk))
        self.dropped([garbage], "icmp.rx_bad_checksum")
        ident = self.new_id()
        sh(["ip", "link", "set", "dev", self.lab.ifname, "mtu", "9000"])
        try:
            before = self.lab.stats()
            jumbo = self.eth() / self.ip() / self.echo(
                ident, self.rng.randbytes(9000 - 28))
            self.wire.drain()
            self.wire.send(jumbo)
            self.no_echo_reply(ident, 1.0)
            after = self.lab.stats()
        finally:
            sh(["ip", "link", "set", "dev", self.lab.ifname, "mtu",
                str(MTU)])
        # drivers/tap: read() reports the whole length of a frame longer
        # than the buffer; the driver refuses it, net_poll() counts it.
        if after.get("eth.rx_too_long", 0) <= before.get("eth.rx_too_long",
                                                          0):
            raise AssertionError(f"a 9014-byte frame was not counted in "
                                 f"eth.rx_too_long; counters that moved: "
                                 f"{moved(before, after)}")

    # -- IPv4 header ---------------------------------------------------

    def ip_truncated(self) -> None:
        whole = bytes(self.ip() / self.echo(self.new_id()))
        frames = [bytes(self.eth()) + whole[:n] for n in (1, 10, 19)]
        self.dropped(frames, "ipv4.rx_short")

    def ihl_too_small(self) -> None:
        ident = self.new_id()
        frames = [self.eth() / self.ip(ihl=ihl) / self.echo(ident)
                  for ihl in range(5)]
        self.dropped(frames, "ipv4.rx_bad_ihl", echo_id=ident)

    def ihl_beyond_packet(self) -> None:
        ident = self.new_id()
        frames = [self.eth() / self.ip(ihl=15) / self.echo(ident, b""),
                  self.eth() / self.ip(ihl=6, proto=1)]
        self.dropped(frames, "ipv4.rx_bad_ihl", echo_id=ident)

    def bad_version(self) -> None:
        ident = self.new_id()
        frames = [self.eth() / self.ip(version=v) / self.echo(ident)
                  for v in (6, 0, 15)]
        self.dropped(frames, "ipv4.rx_bad_version", echo_id=ident)

    def length_past_frame(self) -> None:
        ident = self.new_id()
        frames = [self.eth() / self.ip(len=n) / self.echo(ident)
                  for n in (46, 1000, 65535)]
        self.dropped(frames, "ipv4.rx_bad_length", echo_id=ident)

    def length_below_header(self) -> None:
        ident = self.new_id()
        frames = [self.eth() / self.ip(len=n) / self.echo(ident)
                  for n in (0, 4, 19)]
        frames.append(self.eth() / self.ip(len=23, options=[Raw(b"\x01" * 4)])
                      / self.echo(ident))
        self.dropped(frames, "ipv4.rx_bad_length", echo_id=ident)

    def bad_ip_checksum(self) -> None:
        ident = self.new_id()
        good = self.ip() / self.echo(ident)
        right = IP(bytes(good)).chksum
        frames = [self.eth() / self.ip(id=good.id, chksum=c) /
                  self.echo(ident)
                  for c in (right ^ 0x0001, right ^ 0x8000, 0)
                  if c != right]
        self.dropped(frames, "ipv4.rx_bad_checksum", echo_id=ident)

    def bad_source(self) -> None:
        """RFC 1122 §3.2.1.3: only a unicast host may be a source."""
        ident = self.new_id()
        sources = ("255.255.255.255", "10.0.0.255", "10.0.0.0",
                   "224.0.0.1", "239.255.255.250", "127.0.0.1", "0.0.0.0",
                   "0.1.2.3", "240.0.0.1", self.lab.keel_ip)
        frames = [self.eth() / self.ip(src=s) / self.echo(ident)
                  for s in sources]
        self.dropped(frames, "ipv4.rx_bad_src", echo_id=ident)

    def not_our_address(self) -> None:
        """Another host's address, and (RFC 1122 §3.3.6) a link broadcast
        carrying our unicast address."""
        ident = self.new_id()
        frames = [self.eth() / self.ip(dst=d) / self.echo(ident)
                  for d in ("10.0.0.3", "10.0.0.1", "224.0.0.1")]
        frames.append(self.eth(dst="ff:ff:ff:ff:ff:ff") / self.ip() /
                      self.echo(ident))
        self.dropped(frames, "ipv4.rx_not_for_us", echo_id=ident)

    def ttl_zero(self) -> None:
        """ipv4.c: RFC 1122 §3.2.1.7 - a host MUST NOT drop a datagram for
        its low TTL. TTL 0 is counted (ipv4.rx_ttl_zero) and answered."""
        ident = self.new_id()
        before = self.lab.stats()
        self.wire.drain()
        self.send([self.eth() / self.ip(ttl=0) / self.echo(ident)])
        self.echo_reply(ident)
        self.wait_counters(before, {"ipv4.rx_ttl_zero": 1})

    def options_ok(self) -> None:
        """Well-formed options are ignored (RFC 1122 §3.2.1.8): answered."""
        opts = [b"\x01\x01\x01\x00",                      # NOP, EOL
                b"\x07\x07\x04" + bytes(4) + b"\x00",     # record route
                b"\x44\x0c\x05\x00" + bytes(8),           # timestamp
                b"\x94\x04\x00\x00",                      # router alert
                b"\x00" + bytes(3)]                       # EOL, padding
        for opt in opts:
            ident = self.new_id()
            self.wire.drain()
            self.send([self.eth() / self.ip(options=[Raw(opt)]) /
                       self.echo(ident)])
            try:
                self.echo_reply(ident)
            except AssertionError:
                raise AssertionError(f"no reply to an echo request with "
                                     f"options {opt.hex()}") from None

    def options_malformed(self) -> None:
        ident = self.new_id()
        opts = [b"\x44\x01\x00\x00",          # length 1 < 2
                b"\x07\x00\x00\x00",          # length 0
                b"\x07\x20\x04\x00",          # length past the header
                b"\x01\x01\x01\x07",          # no room for a length byte
                b"\x01\x44\x0c\x05" + bytes(4)]   # 12 bytes, 7 there
        frames = [self.eth() / self.ip(options=[Raw(o)]) / self.echo(ident)
                  for o in opts]
        self.dropped(frames, "ipv4.rx_bad_options", echo_id=ident)

    def source_route(self) -> None:
        """RFC 7126 §4.3, §4.4: LSRR and SSRR datagrams are dropped."""
        ident = self.new_id()
        route = b"\x07\x04" + socket.inet_aton(self.lab.linux_ip)
        opts = [b"\x83" + route + b"\x00",            # LSRR
                b"\x89" + route + b"\x00",            # SSRR
                b"\x01\x01\x83" + route + b"\x00"]    # LSRR after NOPs
        frames = [self.eth() / self.ip(options=[Raw(o)]) / self.echo(ident)
                  for o in opts]
        self.dropped(frames, "ipv4.rx_source_route", echo_id=ident)

    def unknown_protocol(self) -> None:
        """RFC 1122 §3.2.2.1: protocol unreachable for a transport keel
        lacks, quoting our header."""
        time.sleep(0.3)   # a full ICMP error token bucket
        ipid = self.new_id()
        before = self.lab.stats()
        self.wire.drain()
        self.send([self.eth() / self.ip(id=ipid, proto=253) /
                   Raw(b"\x00" * 16)])

        def is_unreach(p: Ether) -> bool:
            return (ICMP in p and p[IP].src == self.lab.keel_ip and
                    p[ICMP].type == 3)
        got = [p for p in self.wire.read(2.0, is_unreach) if is_unreach(p)]
        if not got:
            raise AssertionError("no ICMP destination unreachable for "
                                 "protocol 253")
        icmp = got[0][ICMP]
        if icmp.code != 2:
            raise AssertionError(f"ICMP unreachable code {icmp.code}, "
                                 f"expected 2 (protocol)")
        quoted = IP(bytes(icmp.payload))
        if quoted.id != ipid or quoted.proto != 253:
            raise AssertionError(f"the error quotes id {quoted.id:#x} proto "
                                 f"{quoted.proto}, expected {ipid:#x} 253")
        self.wait_counters(before, {"ipv4.rx_no_proto": 1,
                                    "icmp.tx_unreach": 1})

    # -- ICMP ----------------------------------------------------------------

    def bad_icmp_checksum(self) -> None:
        ident = self.new_id()
        right = ICMP(bytes(self.echo(ident))).chksum
        frames = [self.eth() / self.ip() / self.echo(ident, chksum=c)
                  for c in (right ^ 1, right ^ 0xff00)]
        self.dropped(frames, "icmp.rx_bad_checksum", echo_id=ident)

    def icmp_truncated(self) -> None:
        frames = [self.eth() / self.ip(proto=1) / Raw(b"\x08\x00\xf7\xff"),
                  self.eth() / self.ip(proto=1)]
        self.dropped(frames, "icmp.rx_short")

    def broadcast_echo(self) -> None:
        """No answers to echo requests sent to a broadcast address (keel's
        choice, icmp.c: no smurf amplifier)."""
        ident = self.new_id()
        frames = [self.eth(dst="ff:ff:ff:ff:ff:ff") / self.ip(dst=d) /
                  self.echo(ident)
                  for d in ("255.255.255.255", "10.0.0.255")]
        self.dropped(frames, "icmp.rx_broadcast_echo", echo_id=ident)

    def icmp_unknown_types(self) -> None:
        """Timestamp, information and address-mask requests, redirects,
        stray echo replies and unassigned types are ignored (icmp.c)."""
        types = (13, 15, 17, 5, 0, 200, 42)
        frames = [self.eth() / self.ip() /
                  ICMP(type=t, code=0, id=self.new_id()) / Raw(bytes(12))
                  for t in types]
        self.wire.drain()
        self.dropped(frames, "icmp.rx_unknown_type")
        answered = [p for p in self.wire.read(0.3)
                    if ICMP in p and p[ICMP].type in (14, 16, 18)]
        if answered:
            raise AssertionError(f"keel answered ICMP type "
                                 f"{answered[0][ICMP].type - 1}")

    def icmp_forged_errors(self) -> None:
        """Errors about datagrams keel never sent, a source quench, and an
        error with a cut quote: believed by nobody (icmp.rx_error_ignored).
        """
        def unreach(quote: Packet, type: int = 3, code: int = 3) -> Packet:
            return self.eth() / self.ip() / ICMP(type=type, code=code) / \
                Raw(bytes(quote)[:28])
        other = IP(src="10.0.0.3", dst=self.lab.linux_ip) / \
            UDP(sport=7, dport=5555)
        ours = IP(src=self.lab.keel_ip, dst=self.lab.linux_ip) / \
            UDP(sport=7, dport=5555)
        frames = [unreach(other),
                  unreach(ours, type=4, code=0),
                  self.eth() / self.ip() / ICMP(type=3, code=3) /
                  Raw(bytes(ours)[:20])]
        self.dropped(frames, "icmp.rx_error_ignored")

    def icmp_error_to_echo(self) -> None:
        """A forged port unreachable matching the echo application's last
        reply reaches its socket as a soft error (RFC 1122 §4.1.3.3); the
        application must carry on echoing."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((self.lab.linux_ip, 0))
            s.settimeout(2)
            keel = (self.lab.keel_ip, ECHO_PORT)
            s.sendto(b"first", keel)
            if s.recv(100) != b"first":
                raise AssertionError("bad echo before the forged error")
            port = s.getsockname()[1]
            quote = IP(src=self.lab.keel_ip, dst=self.lab.linux_ip) / \
                UDP(sport=ECHO_PORT, dport=port) / Raw(b"first")
            before = self.lab.stats()
            for code in (3, 2, 1):
                self.send([self.eth() / self.ip() / ICMP(type=3, code=code)
                           / Raw(bytes(quote))])
            self.wait_counters(before, {"icmp.rx_error": 3})
            for i in range(3):
                data = b"after %d" % i
                s.sendto(data, keel)
                try:
                    got = s.recv(100)
                except socket.timeout:
                    after = self.lab.stats()
                    raise AssertionError(
                        f"the echo application stopped answering after a "
                        f"forged port unreachable; counters that moved: "
                        f"{moved(before, after)}") from None
                if got != data:
                    raise AssertionError(f"bad echo {got!r}")

    # -- UDP -----------------------------------------------------------------

    def udp(self, sport: int, data: bytes = b"keel hostile udp",
            **kw: object) -> Packet:
        return UDP(sport=sport, dport=ECHO_PORT, **kw) / Raw(data)

    def bad_udp_checksum(self) -> None:
        sport = 40000 + self.rng.randint(0, 9999)
        good = self.ip() / self.udp(sport)
        right = IP(bytes(good))[UDP].chksum
        frames = [self.eth() / self.ip() / self.udp(sport, chksum=c)
                  for c in (right ^ 1, right ^ 0x8000) if c not in (0,)]
        self.dropped(frames, "udp.rx_bad_checksum", udp_sport=sport)

    def udp_length_long(self) -> None:
        sport = 40000 + self.rng.randint(0, 9999)
        frames = [self.eth() / self.ip() / self.udp(sport, len=n, chksum=0)
                  for n in (25, 100, 65535)]
        self.dropped(frames, "udp.rx_bad_length", udp_sport=sport)

    def udp_length_short(self) -> None:
        sport = 40000 + self.rng.randint(0, 9999)
        frames = [self.eth() / self.ip() / self.udp(sport, len=n, chksum=0)
                  for n in (0, 4, 7)]
        self.dropped(frames, "udp.rx_bad_length", udp_sport=sport)

    def udp_truncated(self) -> None:
        frames = [self.eth() / self.ip(proto=17) / Raw(b"\x9c\x40\x00\x07"),
                  self.eth() / self.ip(proto=17)]
        self.dropped(frames, "udp.rx_short")

    # -- fragments -----------------------------------------------------------

    def fragments(self, ident: int, ipid: int,
                  pieces: list[tuple[int, int, bool]], data_len: int = 32
                  ) -> list[Packet]:
        """Fragments of one echo request: (offset, length, more) each."""
        whole = bytes(self.echo(ident, bytes(range(data_len))))
        return [self.eth() / self.ip(id=ipid, proto=1, frag=off // 8,
                                     flags="MF" if more else 0) /
                Raw(whole[off:off + n]) for off, n, more in pieces]

    def frag_overlap(self) -> None:
        """A fragment covering bytes another already brought: the whole
        datagram is dropped (ipv4_reasm.c, after RFC 5722 §4)."""
        ident, ipid = self.new_id(), self.new_id()
        frames = self.fragments(ident, ipid, [(0, 24, True), (16, 24, False)])
        self.dropped(frames, "ipv4.frag_overlap", n=1)
        # The rest alone cannot complete it: the slot was given up.
        self.dropped(self.fragments(ident, ipid, [(24, 16, False)]),
                     "ipv4.frag_rx", echo_id=ident)

    def frag_duplicate(self) -> None:
        """A fragment sent twice is dropped once; the datagram completes."""
        ident, ipid = self.new_id(), self.new_id()
        a, b = self.fragments(ident, ipid, [(0, 24, True), (24, 16, False)])
        before = self.lab.stats()
        self.wire.drain()
        self.send([a, a, b])
        self.echo_reply(ident)
        self.wait_counters(before, {"ipv4.frag_duplicate": 1,
                                    "ipv4.frag_reassembled": 1})

    def frag_malformed(self) -> None:
        """Non-last fragments not a multiple of 8, an empty fragment, one
        reaching past 65535 bytes, and two different last fragments."""
        ident = self.new_id()
        frames = self.fragments(ident, self.new_id(), [(0, 12, True)])
        frames += self.fragments(ident, self.new_id(), [(8, 0, True)])
        frames += [self.eth() / self.ip(proto=1, frag=8189, flags=0) /
                   Raw(bytes(32))]
        ipid = self.new_id()
        frames += self.fragments(ident, ipid, [(8, 32, False),
                                               (8, 24, False)], 64)
        self.dropped(frames, "ipv4.frag_bad", n=4, echo_id=ident)

    def frag_too_big(self) -> None:
        """Fragments ending past reasm_max: the datagram is given up."""
        ident = self.new_id()
        end_unit = self.reasm_max // 8
        frames = [self.eth() / self.ip(proto=1, frag=end_unit - 1, flags=0) /
                  Raw(bytes(16))]
        # A whole 10000-byte echo request, in order, as Linux would send it.
        whole = bytes(self.echo(ident, bytes(10000)))
        ipid = self.new_id()
        step = (MTU - 20) & ~7
        for off in range(0, len(whole), step):
            more = off + step < len(whole)
            frames.append(self.eth() / self.ip(id=ipid, proto=1,
                                               frag=off // 8,
                                               flags="MF" if more else 0) /
                          Raw(whole[off:off + step]))
        self.dropped(frames, "ipv4.frag_too_big", n=2, echo_id=ident)

    def frag_never_complete(self) -> None:
        """First fragments only, of more datagrams than keel has reassembly
        slots: the oldest are evicted (ipv4.frag_evicted)."""
        n = self.slots + 60
        ident = self.new_id()
        frames = []
        for _ in range(n):
            frames += self.fragments(ident, self.new_id(), [(0, 16, True)])
        # At least: slots left busy by earlier cases are evicted too.
        self.dropped(frames, "ipv4.frag_evicted", n=n - self.slots,
                     echo_id=ident, exact=False)

    def frag_flood_then_ping(self) -> None:
        """A flood of fragments that never complete must not lock out the
        next real fragmented datagram: an 8000-byte ping right after."""
        before = self.lab.stats()
        sent = 0
        for burst in range(10):
            frames = []
            for _ in range(100):
                frames += self.fragments(self.new_id(), self.new_id(),
                                         [(self.rng.randrange(0, 1000, 8),
                                           16, True)])
            sent += self.send(frames)
            self.wait_counters(before, {"ipv4.frag_rx": sent})
        ping_ok(self.lab.keel_ip, count=5, size=8000, interval=0.05)

    # -- noise ---------------------------------------------------------

    def send_paced(self, frames: list[bytes], before: dict[str, int]
                   ) -> None:
        """Send in bursts that keel's queue holds, waiting for each burst
        to be read (eth.rx_frames) before the next."""
        lost0 = tx_dropped(self.lab.ifname)
        sent = 0
        for i in range(0, len(frames), 100):
            sent += self.send(frames[i:i + 100])
            lost = tx_dropped(self.lab.ifname) - lost0
            self.wait_counters(before, {"eth.rx_frames": sent - lost}, 5)

    def random_frames(self) -> None:
        """1000 frames of random bytes: wholly random, random after a
        valid Ethernet header to keel, and random IPv4 datagrams between
        Linux and keel."""
        rng = self.rng
        frames: list[bytes] = []
        for _ in range(300):
            frames.append(rng.randbytes(rng.randint(14, MTU + 14)))
        hdr = {t: bytes(self.eth(type=t)) for t in (0x0800, 0x0806)}
        for _ in range(300):
            t = rng.choice((0x0800, 0x0806))
            frames.append(hdr[t] + rng.randbytes(rng.randint(0, MTU)))
        addrs = socket.inet_aton(self.lab.linux_ip) + \
            socket.inet_aton(self.lab.keel_ip)
        for _ in range(400):
            # Mostly plausible headers, so that the random part reaches
            # ICMP, UDP and reassembly too.
            body = bytearray(rng.randbytes(rng.randint(20, MTU)))
            if rng.random() < 0.7:
                body[0] = 0x45
                body[2:4] = len(body).to_bytes(2, "big")
                body[9] = rng.choice((1, 17, body[9]))
                if rng.random() < 0.5:
                    body[6:8] = b"\x00\x00"    # not a fragment
            body[12:20] = addrs
            frame = bytearray(hdr[0x0800] + bytes(body))
            if rng.random() < 0.7:
                fix_ipv4_checksum(frame)
            frames.append(bytes(frame))
        before = self.lab.stats()
        self.send_paced(frames, before)
        note(f"hostile.random_frames: {moved(before, self.lab.stats())}")

    def mutated_frames(self) -> None:
        """1000 valid frames with 1-4 random bytes changed or cut short:
        echo requests, datagrams to the echo port, fragments, IP options,
        ARP requests. IP and ARP sender addresses are left alone so that
        answers stay on 10.0.0.0/24 and keel's entry for Linux stays
        Linux's."""
        rng = self.rng
        templates: list[tuple[bytes, tuple[int, int]]] = []
        keep_ip = (26, 34)
        keep_arp = (28, 32)     # the ARP sender's IP address
        for proto_pkt in (self.echo(self.new_id(), bytes(64)),
                          self.udp(40999, bytes(48))):
            templates.append((bytes(self.eth() / self.ip() / proto_pkt),
                              keep_ip))
        templates.append((bytes(self.eth() / self.ip(options=[Raw(
            b"\x07\x07\x04" + bytes(5))]) / self.echo(1, bytes(8))),
            keep_ip))
        for f in self.fragments(self.new_id(), 0x7777,
                                [(0, 24, True), (24, 16, False)]):
            templates.append((bytes(f), keep_ip))
        templates.append((bytes(self.eth(dst="ff:ff:ff:ff:ff:ff",
                                         src=FAKE_MAC, type=0x0806) /
                                ARP(op=1, hwsrc=FAKE_MAC, psrc="10.0.0.77",
                                    pdst=self.lab.keel_ip)), keep_arp))
        frames: list[bytes] = []
        for _ in range(1000):
            frame, (lo, hi) = rng.choice(templates)
            b = bytearray(frame)
            for _ in range(rng.randint(1, 4)):
                pos = rng.randrange(14, len(b))
                if not lo <= pos < hi:
                    b[pos] = rng.randrange(256)
            if rng.random() < 0.2:
                del b[rng.randint(14, len(b)):]
            elif rng.random() < 0.5:
                fix_ipv4_checksum(b)   # to reach the layers above IP
            frames.append(bytes(b))
        before = self.lab.stats()
        self.send_paced(frames, before)
        note(f"hostile.mutated_frames: {moved(before, self.lab.stats())}")

    def survivor(self) -> None:
        """After all of the above, keel still answers everything."""
        ping_ok(self.lab.keel_ip, count=50, interval=0.01)
        ping_ok(self.lab.keel_ip, count=5, size=8000, interval=0.05)

    def accounting(self) -> None:
        """stats.h: every frame received is delivered or dropped for
        exactly one named reason. Over everything this keel has received
        (its counters start at zero), each layer's input count must equal
        the sum of its outcomes."""
        s = self.lab.stats()

        def total(*names: str) -> int:
            missing = [n for n in names if n not in s]
            if missing:
                raise AssertionError(f"keel has no counter "
                                     f"{', '.join(missing)}")
            return sum(s[n] for n in names)
        # A reassembled datagram goes up as one more ICMP, UDP or TCP input
        # (or no-protocol drop) after its fragments were counted in frag_rx;
        # random frames with protocol 6 reach TCP.
        upper = total("icmp.rx", "udp.rx", "tcp.rx",
                      "ipv4.rx_no_proto") - \
            total("ipv4.frag_reassembled")
        rules = {
            "eth.rx_frames": total(
                "eth.rx_short", "eth.rx_not_for_us", "eth.rx_bad_src",
                "eth.rx_unknown_type", "arp.rx",
                "ipv4.rx"),
            "ipv4.rx": total(
                "ipv4.rx_no_addr", "ipv4.rx_short", "ipv4.rx_bad_version",
                "ipv4.rx_bad_ihl", "ipv4.rx_bad_length",
                "ipv4.rx_bad_checksum", "ipv4.rx_bad_options",
                "ipv4.rx_source_route", "ipv4.rx_bad_src",
                "ipv4.rx_not_for_us", "ipv4.frag_rx") + upper,
            "icmp.rx": total(
                "icmp.rx_short", "icmp.rx_bad_checksum", "icmp.rx_echo",
                "icmp.rx_broadcast_echo", "icmp.rx_unknown_type",
                "icmp.rx_error"),
            "udp.rx": total(
                "udp.rx_short", "udp.rx_bad_length", "udp.rx_bad_checksum",
                "udp.rx_no_socket", "udp.rx_queue_full",
                "udp.rx_delivered"),
        }
        wrong = [f"{name} {s[name]} != {outcomes} (sum of its outcomes)"
                 for name, outcomes in rules.items() if s[name] != outcomes]
        if wrong:
            raise AssertionError("; ".join(wrong))


def main() -> int:
    cases = Cases("hostile")
    with Lab(cases.args.keel) as lab:
        h = Hostile(lab, keel_config(cases.args.keel))
        try:
            for name in ("eth_truncated", "eth_header_only", "eth_not_for_us",
                         "eth_bad_src", "eth_unknown_type", "oversized",
                         "unknown_protocol", "ip_truncated", "ihl_too_small",
                         "ihl_beyond_packet", "bad_version",
                         "length_past_frame", "length_below_header",
                         "bad_ip_checksum", "bad_source", "not_our_address",
                         "ttl_zero", "options_ok", "options_malformed",
                         "source_route", "bad_icmp_checksum",
                         "icmp_truncated", "broadcast_echo",
                         "icmp_unknown_types", "icmp_forged_errors",
                         "icmp_error_to_echo", "bad_udp_checksum",
                         "udp_length_long", "udp_length_short",
                         "udp_truncated", "frag_overlap", "frag_duplicate",
                         "frag_malformed", "frag_too_big",
                         "frag_never_complete", "frag_flood_then_ping",
                         "random_frames", "mutated_frames", "survivor",
                         "accounting"):
                cases.run(name, h.guarded(getattr(h, name)))
        finally:
            h.wire.close()
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
