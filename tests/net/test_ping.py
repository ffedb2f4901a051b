"""net/ping - Linux's own ping against keel: ICMP echo of every size keel
accepts, with and without fragmentation both ways, a flood, and a datagram
over the reassembly limit that must go unanswered.

Every case needs 0 % loss, no duplicates and no corrupted replies (ping
compares each reply's data with what it sent unless -q is given), and keel
still running afterwards. One keel serves all cases; if a case kills it, the
case fails and a fresh keel is started for the next one.

    /usr/bin/python3 tests/net/test_ping.py --keel build/echo-tap/keel
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netlab import Cases, Lab, note  # noqa: E402
from netwire import delta, died, keel_config, responsive  # noqa: E402

ICMP_HDR = 8
IP_HDR = 20
MTU = 1500


@dataclasses.dataclass
class PingResult:
    sent: int
    received: int
    duplicates: int
    errors: int
    loss: float
    rc: int
    output: str

    def brief(self) -> str:
        return (f"{self.sent} sent, {self.received} received, "
                f"{self.duplicates} duplicates, {self.errors} errors, "
                f"{self.loss:g}% loss (exit {self.rc})")


def ping(dst: str, count: int, size: int = 56, interval: float = 0.05,
         flood: bool = False, quiet: bool = False, timeout: float = 60,
         pattern: str | None = None) -> PingResult:
    """Run Linux's ping and parse its summary line."""
    cmd = ["ping", "-n", "-c", str(count), "-s", str(size), "-W", "1"]
    if flood:
        cmd.append("-f")
    else:
        cmd += ["-i", f"{interval:g}"]
    if quiet:
        cmd.append("-q")
    if pattern:
        cmd += ["-p", pattern]
    cmd.append(dst)
    try:
        r = subprocess.run(cmd, capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(
            e.stdout, bytes) else (e.stdout or "")
        raise AssertionError(f"{' '.join(cmd)} did not finish in "
                             f"{timeout} s: {out[-500:]}") from None
    text = r.stdout + r.stderr
    m = re.search(r"(\d+) packets transmitted, (\d+) received", text)
    if not m:
        raise AssertionError(f"{' '.join(cmd)}: no summary line "
                             f"(exit {r.returncode}): {text[-500:]}")
    dup = re.search(r"\+(\d+) duplicates", text)
    err = re.search(r"\+(\d+) errors", text)
    loss = re.search(r"([\d.]+)% packet loss", text)
    return PingResult(int(m.group(1)), int(m.group(2)),
                      int(dup.group(1)) if dup else 0,
                      int(err.group(1)) if err else 0,
                      float(loss.group(1)) if loss else 100.0,
                      r.returncode, text)


def check_clean(res: PingResult, count: int, what: str) -> None:
    """0 % loss, every reply once, every reply's data as sent."""
    problems = []
    if res.sent != count or res.received != count or res.loss != 0:
        problems.append("loss")
    if res.duplicates:
        problems.append("duplicates")
    if res.errors:
        problems.append("errors")
    if "wrong data byte" in res.output:
        problems.append("corrupted reply data")
    if "wrong total length" in res.output or "truncated" in res.output:
        problems.append("truncated reply")
    if problems:
        tail = res.output.strip().splitlines()[-6:]
        raise AssertionError(f"{what}: {', '.join(problems)}: "
                             f"{res.brief()}; ping said: "
                             f"{' | '.join(tail)}")


class PingSuite:
    def __init__(self, lab: Lab, config: dict[str, int]) -> None:
        self.lab = lab
        self.dst = lab.keel_ip
        self.reasm_max = config.get("CONFIG_IPV4_REASM_MAX", 9216)
        # ICMP data the largest reassembled datagram can carry.
        self.max_data = self.reasm_max - ICMP_HDR

    # -- wrapper -----------------------------------------------------------

    def guarded(self, fn: Callable[[], None]) -> Callable[[], None]:
        """Run a case on a live keel and fail it if keel dies during it."""
        def run() -> None:
            if not self.lab.alive():
                self.lab.start()
            start = len(self.lab.log)
            try:
                fn()
            finally:
                if not responsive(self.lab):
                    raise AssertionError(died(self.lab, start))
        return run

    # -- cases -------------------------------------------------------------

    def basic(self) -> None:
        before = self.lab.stats()
        res = ping(self.dst, 20, interval=0.05)
        check_clean(res, 20, "ping -c 20 -i 0.05")
        after = self.lab.stats()
        # The replies are keel's: it counted them.
        for name in ("icmp.rx_echo", "icmp.tx_echo_reply"):
            if delta(before, after, name) != 20:
                raise AssertionError(f"{name} +{delta(before, after, name)}"
                                     f" for 20 pings")

    def full_frame(self) -> None:
        """1472 bytes of data: request and reply exactly fill a 1500-byte
        MTU, so neither side may fragment."""
        size = MTU - IP_HDR - ICMP_HDR
        before = self.lab.stats()
        res = ping(self.dst, 10, size=size, interval=0.05)
        check_clean(res, 10, f"ping -s {size}")
        after = self.lab.stats()
        for name in ("ipv4.frag_rx", "ipv4.tx_fragments"):
            if delta(before, after, name) != 0:
                raise AssertionError(f"a {size}-byte ping was fragmented: "
                                     f"{name} +{delta(before, after, name)}")

    def fragmented(self) -> None:
        """8000 bytes: Linux sends 6 fragments, keel reassembles them and
        fragments its reply."""
        n = 10
        before = self.lab.stats()
        res = ping(self.dst, n, size=8000, interval=0.05)
        check_clean(res, n, "ping -s 8000")
        after = self.lab.stats()
        frags = -(-(8000 + ICMP_HDR) // ((MTU - IP_HDR) & ~7))
        if delta(before, after, "ipv4.frag_reassembled") < n:
            raise AssertionError(
                f"ipv4.frag_reassembled +"
                f"{delta(before, after, 'ipv4.frag_reassembled')}, "
                f"expected {n}")
        if delta(before, after, "ipv4.tx_fragments") < n * frags:
            raise AssertionError(
                f"ipv4.tx_fragments +"
                f"{delta(before, after, 'ipv4.tx_fragments')}, expected "
                f"{n * frags} ({frags} per reply)")

    def sweep(self) -> None:
        """Sizes on both sides of each fragment boundary (1472: one frame;
        +1480 per further fragment) up to the reassembly limit."""
        step = (MTU - IP_HDR) & ~7
        first = MTU - IP_HDR - ICMP_HDR
        sizes = {0, 1, 7, 8, 56, first - 1, first, first + 1,
                 step, step + 1, first + step, first + step + 1,
                 first + 2 * step, first + 2 * step + 1, 4000, 8000,
                 8972, self.max_data - 1, self.max_data}
        bad = []
        for size in sorted(s for s in sizes if s <= self.max_data):
            res = ping(self.dst, 3, size=size, interval=0.05)
            try:
                check_clean(res, 3, f"ping -s {size}")
            except AssertionError as e:
                bad.append(str(e))
            if not self.lab.alive():
                break
        if bad:
            raise AssertionError(f"{len(bad)} sizes failed: "
                                 + " || ".join(bad))

    def limit(self) -> None:
        """The largest echo keel accepts: data + ICMP header == reasm_max;
        keel's reply is as large and must be sent too."""
        res = ping(self.dst, 5, size=self.max_data, interval=0.05)
        check_clean(res, 5, f"ping -s {self.max_data} (the limit)")

    def too_big(self) -> None:
        """One byte over the limit, and -s 9300: fragments reaching past
        reasm_max are dropped (ipv4.frag_too_big), no reply comes, and keel
        keeps answering normal pings."""
        for size in (self.max_data + 1, 9300):
            before = self.lab.stats()
            res = ping(self.dst, 3, size=size, interval=0.2)
            after = self.lab.stats()
            if res.received != 0:
                raise AssertionError(f"ping -s {size} is over the "
                                     f"reassembly limit ({self.reasm_max})"
                                     f" but got replies: {res.brief()}")
            got = delta(before, after, "ipv4.frag_too_big")
            if got < 3:
                raise AssertionError(f"ping -s {size}: ipv4.frag_too_big "
                                     f"+{got}, expected >= 3")
            if delta(before, after, "icmp.tx_echo_reply") != 0:
                raise AssertionError(f"ping -s {size}: keel sent an echo "
                                     f"reply")
        check_clean(ping(self.dst, 5, interval=0.05), 5,
                    "ping after oversized ones")

    def flood(self) -> None:
        n = 10000
        before = self.lab.stats()
        res = ping(self.dst, n, flood=True, quiet=True, timeout=180)
        check_clean(res, n, f"ping -f -c {n}")
        got = delta(before, self.lab.stats(), "icmp.tx_echo_reply")
        if got != n:
            raise AssertionError(f"icmp.tx_echo_reply +{got} for {n} pings")
        m = re.search(r"rtt min/avg/max/mdev = ([\d./]+) ms", res.output)
        if m:
            note(f"ping.flood: rtt min/avg/max/mdev {m.group(1)} ms")

    def fragmented_flood(self) -> None:
        n = 500
        res = ping(self.dst, n, size=8000, flood=True, quiet=True,
                   timeout=120)
        check_clean(res, n, f"ping -f -c {n} -s 8000")

    def patterns(self) -> None:
        """Reply data is the request's, whatever the bytes."""
        for pat in ("00", "ff", "a55a", "0123456789abcdef"):
            res = ping(self.dst, 3, size=3000, interval=0.05, pattern=pat)
            check_clean(res, 3, f"ping -p {pat} -s 3000")


def main() -> int:
    cases = Cases("ping")
    with Lab(cases.args.keel) as lab:
        s = PingSuite(lab, keel_config(cases.args.keel))
        for name, fn in (("basic", s.basic),
                         ("full_frame", s.full_frame),
                         ("fragmented", s.fragmented),
                         ("sweep", s.sweep),
                         ("limit", s.limit),
                         ("too_big", s.too_big),
                         ("patterns", s.patterns),
                         ("flood", s.flood),
                         ("fragmented_flood", s.fragmented_flood)):
            cases.run(name, s.guarded(fn))
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
