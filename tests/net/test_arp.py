"""net/arp - keel's ARP against Linux's arping and against spoofing.

keel must answer arping with its own MAC, announce itself when it starts,
and keep its entry for Linux (10.0.0.1 -> Linux's MAC) whatever a third
host on the link claims. Each spoofing attempt is crafted with scapy and
written onto the TAP; afterwards Linux's ping must still be answered (Linux's
neighbour table is left alone, so had keel believed the fake MAC its replies
would go there and Linux would drop them), a capture must show every echo
reply addressed to Linux's real MAC, and the counter naming the refusal
(net/arp.c: arp.rx_unsolicited, arp.rx_bad_sender, arp.rx_addr_conflict,
arp.rx_not_for_us, arp.rx_locked) must have grown.

    /usr/bin/python3 tests/net/test_arp.py --keel build/echo-tap/keel
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netlab import Cases, Lab, Skip  # noqa: E402
from netwire import WireSuite, moved  # noqa: E402

from scapy.layers.inet import ICMP, IP  # noqa: E402
from scapy.layers.l2 import ARP, Ether  # noqa: E402
from scapy.packet import Packet  # noqa: E402

FAKE_MAC = "02:66:61:6b:65:01"
BROADCAST = "ff:ff:ff:ff:ff:ff"
ZERO_MAC = "00:00:00:00:00:00"


def arping_flavour() -> str:
    """'-I' for iputils' arping, '-i' for Thomas Habets' arping."""
    r = subprocess.run(["arping", "--help"], capture_output=True, text=True,
                       timeout=10, stdin=subprocess.DEVNULL)
    text = r.stdout + r.stderr
    return "-I" if re.search(r"-I <?(device|interface)", text) else "-i"


class ArpSuite(WireSuite):
    def __init__(self, lab: Lab) -> None:
        super().__init__(lab)
        self.ping_id = 0x4100

    # -- helpers -------------------------------------------------------------

    def arp(self, op: int, eth_src: str, sha: str, spa: str, tpa: str,
            eth_dst: str | None = None, tha: str = ZERO_MAC) -> Packet:
        if eth_dst is None:
            eth_dst = BROADCAST if op == 1 else self.keel_mac
        return Ether(dst=eth_dst, src=eth_src, type=0x0806) / \
            ARP(op=op, hwsrc=sha, psrc=spa, hwdst=tha, pdst=tpa)

    def legit_request(self) -> Packet:
        """What Linux itself would send to resolve keel."""
        return self.arp(1, self.linux_mac, self.linux_mac, self.lab.linux_ip,
                        self.lab.keel_ip)

    def ping_through(self, what: str) -> None:
        """Linux's ping is answered, and every echo reply keel sends goes to
        Linux's real MAC."""
        self.wire.drain()
        cmd = ["ping", "-n", "-q", "-c", "3", "-i", "0.2", "-W", "1",
               self.lab.keel_ip]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30,
                           stdin=subprocess.DEVNULL)
        frames = self.wire.read(0.2)
        replies = [p for p in frames if ICMP in p and p[ICMP].type == 0 and
                   p[IP].src == self.lab.keel_ip]
        wrong = {p.dst for p in replies if p.dst != self.linux_mac}
        if wrong:
            raise AssertionError(f"after {what}, keel sent echo replies to "
                                 f"{', '.join(sorted(wrong))} instead of "
                                 f"Linux's {self.linux_mac}: its ARP entry "
                                 f"for {self.lab.linux_ip} was poisoned")
        m = re.search(r"(\d+) packets transmitted, (\d+) received", r.stdout)
        if not m or m.group(2) != "3":
            raise AssertionError(f"after {what}, ping lost replies: "
                                 f"{(r.stdout + r.stderr).strip()[-200:]}")
        if len(replies) < 3:
            raise AssertionError(f"after {what}, captured {len(replies)} "
                                 f"echo replies of 3")

    def spoof(self, what: str, frames: list[bytes | Packet], counter: str,
              n: int | None = None, confirm_first: bool = False) -> None:
        """Make sure keel knows Linux, send the spoofed frames, check the
        counter and that keel still talks to Linux's real MAC."""
        self.ping_through("nothing yet")
        if confirm_first:
            # A fresh confirmation, so that the lock time applies now.
            self.wire.send(self.legit_request())
            self.wire.read(0.3, lambda p: ARP in p and p[ARP].op == 2)
        before = self.lab.stats()
        for f in frames:
            self.wire.send(f)
        self.wait_counters(before, {counter: len(frames) if n is None
                                    else n})
        self.ping_through(what)

    # -- cases -------------------------------------------------------------

    def arping(self) -> None:
        if not shutil.which("arping"):
            raise Skip("arping is not installed")
        flag = arping_flavour()
        cmd = ["arping", "-c", "3", flag, self.lab.ifname, self.lab.keel_ip]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30,
                           stdin=subprocess.DEVNULL)
        out = r.stdout + r.stderr
        if r.returncode != 0:
            raise AssertionError(f"{' '.join(cmd)} exited {r.returncode}: "
                                 f"{out.strip()[-300:]}")
        macs = re.findall(r"([0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5})", out)
        macs = [m.lower() for m in macs if m.lower() != self.linux_mac]
        if not macs:
            raise AssertionError(f"arping printed no reply MAC: {out!r}")
        if set(macs) != {self.keel_mac}:
            raise AssertionError(f"arping got {sorted(set(macs))}, keel's "
                                 f"MAC is {self.keel_mac}")
        replies = len(re.findall(r"bytes from|reply from", out, re.I))
        if replies < 3:
            raise AssertionError(f"arping got {replies} replies of 3: "
                                 f"{out.strip()[-300:]}")

    def announce(self) -> None:
        """RFC 5227 §2.3: a broadcast request with keel's address as both
        sender and target when it starts."""
        self.lab.stop()
        self.wire.drain()
        self.lab.start()
        self.keel_mac = self.lab.keel_mac()
        ip = self.lab.keel_ip

        def is_announce(p: Ether) -> bool:
            return (ARP in p and p.dst == BROADCAST and
                    p[ARP].psrc == ip and p[ARP].pdst == ip)
        got = [p for p in self.wire.read(3.0, is_announce)
               if is_announce(p)]
        if not got:
            raise AssertionError("no gratuitous ARP from keel within 3 s of "
                                 "its start")
        a = got[0][ARP]
        if a.hwsrc != self.keel_mac or got[0].src != self.keel_mac:
            raise AssertionError(f"the announcement names {a.hwsrc} (frame "
                                 f"from {got[0].src}), keel's MAC is "
                                 f"{self.keel_mac}")
        if a.op != 1 or a.hwdst != ZERO_MAC:
            raise AssertionError(f"announcement op {a.op}, target hardware "
                                 f"address {a.hwdst}: RFC 5227 §2.3 asks "
                                 f"for a request with a zero target")
        if self.lab.stats().get("arp.tx_announce", 0) < 1:
            raise AssertionError("arp.tx_announce is 0")

    def resolves_linux(self) -> None:
        """A freshly started keel knows nobody: its first reply to Linux
        waits while it resolves 10.0.0.1, then goes out; nothing lost."""
        self.lab.stop()
        self.lab.start()
        self.keel_mac = self.lab.keel_mac()
        self.wire.drain()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((self.lab.linux_ip, 0))
            s.settimeout(3)
            s.sendto(b"who am I", (self.lab.keel_ip, 7))
            try:
                got = s.recv(100)
            except socket.timeout:
                raise AssertionError(f"no echo from a fresh keel; counters "
                                     f"{moved({}, self.lab.stats())}"
                                     ) from None
        if got != b"who am I":
            raise AssertionError(f"bad echo {got!r}")
        self.ping_through("a fresh start")

    def probe(self) -> None:
        """RFC 5227 §2.1.1: a probe (sender address 0) for keel's address
        is answered, so the prober sees the address is taken; a probe for
        another address is not."""
        before = self.lab.stats()
        self.wire.drain()
        self.wire.send(self.arp(1, FAKE_MAC, FAKE_MAC, "0.0.0.0",
                                self.lab.keel_ip))

        def is_reply(p: Ether) -> bool:
            return ARP in p and p[ARP].op == 2 and p.dst == FAKE_MAC
        got = [p for p in self.wire.read(2.0, is_reply) if is_reply(p)]
        if not got or got[0][ARP].hwsrc != self.keel_mac:
            raise AssertionError("keel did not answer an RFC 5227 probe for "
                                 "its address")
        self.wire.send(self.arp(1, FAKE_MAC, FAKE_MAC, "0.0.0.0",
                                "10.0.0.99"))
        self.wait_counters(before, {"arp.rx_not_for_us": 1,
                                    "arp.tx_reply": 1})
        self.ping_through("a probe")

    def unsolicited_reply(self) -> None:
        """A reply nobody asked for, claiming Linux's address."""
        frames = [self.arp(2, FAKE_MAC, FAKE_MAC, self.lab.linux_ip,
                           self.lab.keel_ip, tha=self.keel_mac),
                  self.arp(2, FAKE_MAC, FAKE_MAC, self.lab.linux_ip,
                           self.lab.keel_ip, eth_dst=BROADCAST,
                           tha=self.keel_mac)]
        self.spoof("an unsolicited ARP reply", frames, "arp.rx_unsolicited")

    def gratuitous(self) -> None:
        """Gratuitous ARP (request and reply forms) moving Linux's address
        to a fake MAC."""
        ip = self.lab.linux_ip
        frames = [self.arp(1, FAKE_MAC, FAKE_MAC, ip, ip),
                  self.arp(2, FAKE_MAC, FAKE_MAC, ip, ip, eth_dst=BROADCAST)]
        self.spoof("a gratuitous ARP", frames, "arp.rx_unsolicited")

    def request_not_for_us(self) -> None:
        """A request for another host, with a fake sender MAC for Linux's
        address: RFC 826 would merge it; keel must not."""
        frames = [self.arp(1, FAKE_MAC, FAKE_MAC, self.lab.linux_ip,
                           "10.0.0.99"),
                  self.arp(2, FAKE_MAC, FAKE_MAC, self.lab.linux_ip,
                           "10.0.0.99", eth_dst=BROADCAST)]
        self.spoof("an ARP request not for keel", frames,
                   "arp.rx_not_for_us")

    def sender_mismatch(self) -> None:
        """The ARP sender MAC differs from the frame's source, or is not a
        unicast MAC at all."""
        ip, keel = self.lab.linux_ip, self.lab.keel_ip
        frames = [self.arp(1, self.linux_mac, FAKE_MAC, ip, keel),
                  self.arp(2, self.linux_mac, FAKE_MAC, ip, keel,
                           tha=self.keel_mac),
                  self.arp(1, FAKE_MAC, self.linux_mac, ip, keel),
                  self.arp(1, FAKE_MAC, BROADCAST, ip, keel),
                  self.arp(1, FAKE_MAC, "01:00:5e:00:00:01", ip, keel),
                  self.arp(1, FAKE_MAC, ZERO_MAC, ip, keel)]
        self.spoof("ARP whose sender MAC is not the frame's source", frames,
                   "arp.rx_bad_sender")

    def bad_sender_ip(self) -> None:
        """Senders that cannot be a host on keel's subnet."""
        keel = self.lab.keel_ip
        frames = [self.arp(1, FAKE_MAC, FAKE_MAC, s, keel)
                  for s in ("10.0.0.255", "10.0.0.0", "192.168.1.1",
                            "255.255.255.255", "224.0.0.1", "127.0.0.1")]
        self.spoof("ARP from impossible sender addresses", frames,
                   "arp.rx_bad_sender")

    def own_address(self) -> None:
        """Someone else claiming keel's own address: a conflict, counted,
        and keel keeps its address and its entry for Linux."""
        keel = self.lab.keel_ip
        frames = [self.arp(1, FAKE_MAC, FAKE_MAC, keel, keel),
                  self.arp(2, FAKE_MAC, FAKE_MAC, keel, self.lab.linux_ip,
                           eth_dst=BROADCAST),
                  self.arp(1, FAKE_MAC, FAKE_MAC, keel, "10.0.0.99")]
        self.spoof("ARP claiming keel's own address", frames,
                   "arp.rx_addr_conflict")

    def locked(self) -> None:
        """A request for keel from Linux's address but another MAC, right
        after keel confirmed Linux's: inside CONFIG_ARP_LOCKTIME_MS the
        entry does not move (arp.rx_locked)."""
        frames = [self.arp(1, FAKE_MAC, FAKE_MAC, self.lab.linux_ip,
                           self.lab.keel_ip)]
        self.spoof("a request from a second MAC for Linux's address",
                   frames, "arp.rx_locked", confirm_first=True)

    def malformed(self) -> None:
        """Not Ethernet/IPv4 ARP, unknown opcodes, cut short: dropped."""
        raw = bytes(self.legit_request())
        frames: list[bytes | Packet] = [raw[:14], raw[:14 + 27],
                                        raw[:14 + 8]]
        # (offset in the ARP packet, bytes written there): hardware type,
        # protocol type, address lengths, opcodes RFC 826 does not define.
        for off, value in ((0, b"\x00\x06"), (2, b"\x86\xdd"), (4, b"\x08"),
                           (5, b"\x10"), (6, b"\x00\x03"), (6, b"\x00\x04"),
                           (6, b"\x00\x08"), (6, b"\x00\x00")):
            b = bytearray(raw)
            b[14 + off:14 + off + len(value)] = value
            frames.append(bytes(b))
        self.spoof("malformed ARP", frames, "arp.rx_malformed")

    def flood(self) -> None:
        """Requests for keel from many (made-up) hosts: the cache fills,
        old entries give way, and Linux's traffic still flows."""
        before = self.lab.stats()
        n = 0
        for i in range(3, 254):
            if i == 99:
                continue
            mac = f"02:66:61:6b:{i // 256:02x}:{i % 256:02x}"
            self.wire.send(self.arp(1, mac, mac, f"10.0.0.{i}",
                                    self.lab.keel_ip))
            n += 1
        self.wait_counters(before, {"arp.tx_reply": n})
        self.ping_through("an ARP flood")


def main() -> int:
    cases = Cases("arp")
    with Lab(cases.args.keel) as lab:
        s = ArpSuite(lab)
        try:
            for name in ("arping", "announce", "resolves_linux", "probe",
                         "unsolicited_reply", "gratuitous",
                         "request_not_for_us", "sender_mismatch",
                         "bad_sender_ip", "own_address", "locked",
                         "malformed", "flood"):
                cases.run(name, s.guarded(getattr(s, name)))
        finally:
            s.wire.close()
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
