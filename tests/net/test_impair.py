"""net/impair - the impair= test layer between keel's TAP device and its
stack, measured from Linux: loss, duplication and delay as ping sees them,
keel's own impair.* counters agreeing, the same seed giving the same fates
run after run, and bad settings refused before any device is touched.

Each case starts its own keel with its own impair= setting. Linux gets a
permanent neighbour entry for keel (so it never ARPs), and keel learns
Linux's address from one warm-up ping, so the measured pings meet the
impairment and nothing else.

    /usr/bin/python3 tests/net/test_impair.py --keel build/echo-tap/keel
"""

from __future__ import annotations

import math
import re
import select
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netlab import Cases, Lab, note, sh  # noqa: E402
from test_ping import PingResult, ping  # noqa: E402

KEEL_MAC = "02:00:00:00:17:01"
ECHO_PORT = 7


def delta(before: dict[str, int], after: dict[str, int], name: str) -> int:
    if name not in after:
        raise AssertionError(f"keel has no counter {name} (is the impair "
                             f"layer reporting on SIGUSR1?)")
    return after[name] - before.get(name, 0)


def within(got: float, n: int, p: float, sigmas: float = 4.5) -> bool:
    """Whether `got` successes of n are within `sigmas` standard deviations
    of a binomial(n, p)."""
    sd = math.sqrt(n * p * (1 - p)) or 1.0
    return abs(got - n * p) <= sigmas * sd


def quiet_link(lab: Lab) -> None:
    """Restart keel on a link where Linux sends nothing unasked: no IPv6
    (router solicitations, MLD, DAD) and a permanent neighbour entry for
    keel instead of ARP. keel's own ARP for Linux is then the only
    resolution, and it is part of the exchange."""
    lab.stop()
    sh(["sysctl", "-q", "-w", f"net.ipv6.conf.{lab.ifname}.disable_ipv6=1"])
    sh(["ip", "neigh", "replace", lab.keel_ip, "lladdr", KEEL_MAC, "dev",
        lab.ifname, "nud", "permanent"])
    lab.start()


def warm_up(lab: Lab) -> None:
    """Ping until one reply comes back, so that keel has resolved Linux's
    address before the measurement (at most 20 s)."""
    r = subprocess.run(["ping", "-n", "-c", "1", "-i", "0.2", "-w", "20",
                        lab.keel_ip], capture_output=True, text=True,
                       timeout=30, stdin=subprocess.DEVNULL)
    if r.returncode != 0:
        raise AssertionError(f"no ping reply through the impairment in "
                             f"20 s: {r.stdout[-300:]}")


def rtt(res: PingResult) -> tuple[float, float, float, float]:
    m = re.search(r"rtt min/avg/max/mdev = ([\d.]+)/([\d.]+)/([\d.]+)/"
                  r"([\d.]+) ms", res.output)
    if not m:
        raise AssertionError(f"no rtt line from ping: {res.output[-300:]}")
    return tuple(float(m.group(i)) for i in range(1, 5))  # type: ignore


def impaired(keel: str, spec: str) -> Lab:
    return Lab(keel, extra_args=[f"mac={KEEL_MAC}", spec])


# ---- cases ------------------------------------------------------------------

def case_loss(keel: str) -> None:
    """20 % each way: a ping survives with 0.8 * 0.8, so ~36 % are lost."""
    n = 200
    with impaired(keel, "impair=loss:20,seed:1") as lab:
        quiet_link(lab)
        warm_up(lab)
        before = lab.stats()
        res = ping(lab.keel_ip, n, interval=0.01, quiet=True, timeout=60)
        after = lab.stats()
    lost = res.sent - res.received
    note(f"impair.loss: loss:20 both ways: {lost} of {res.sent} pings lost "
         f"({res.loss:g} %, expected 36 %)")
    if res.sent != n or not within(lost, n, 1 - 0.8 * 0.8):
        raise AssertionError(f"{lost} of {res.sent} lost; expected about "
                             f"{n * 0.36:.0f}: {res.brief()}")
    if res.duplicates or res.errors:
        raise AssertionError(f"loss alone made duplicates or errors: "
                             f"{res.brief()}")
    for way in ("rx", "tx"):
        frames = delta(before, after, f"impair.{way}_frames")
        dropped = delta(before, after, f"impair.{way}_dropped")
        if frames < n * 0.6 or not within(dropped, frames, 0.2):
            raise AssertionError(f"impair.{way}: {dropped} of {frames} "
                                 f"frames dropped, expected about 20 %")


def case_dup(keel: str) -> None:
    """20 % each way: a request may be answered twice and each answer sent
    twice; ping prints DUP! for every extra reply."""
    n = 200
    with impaired(keel, "impair=dup:20,seed:2") as lab:
        quiet_link(lab)
        warm_up(lab)
        before = lab.stats()
        res = ping(lab.keel_ip, n, interval=0.01, timeout=60)
        after = lab.stats()
    dups = res.output.count("DUP!")
    note(f"impair.dup: dup:20 both ways: {res.duplicates} duplicate replies "
         f"to {n} pings (expected about {n * (1.2 * 1.2 - 1):.0f})")
    if res.received != n or res.loss != 0:
        raise AssertionError(f"duplication lost replies: {res.brief()}")
    if dups == 0 or dups != res.duplicates:
        raise AssertionError(f"{dups} DUP! lines, {res.duplicates} counted "
                             f"duplicates: {res.brief()}")
    # Extra replies per request: 1.2 * 1.2 - 1 = 0.44 on average.
    if not 0.44 * n * 0.5 <= res.duplicates <= 0.44 * n * 1.6:
        raise AssertionError(f"{res.duplicates} duplicates for {n} pings, "
                             f"expected about {0.44 * n:.0f}")
    for way in ("rx", "tx"):
        if delta(before, after, f"impair.{way}_duplicated") == 0:
            raise AssertionError(f"impair.{way}_duplicated did not move")


def case_delay(keel: str) -> None:
    """delay:20 each way adds 40 ms to every round trip."""
    n = 30
    with impaired(keel, "impair=delay:20,seed:3") as lab:
        quiet_link(lab)
        warm_up(lab)
        before = lab.stats()
        res = ping(lab.keel_ip, n, interval=0.05, quiet=True, timeout=60)
        after = lab.stats()
    lo, avg, hi, mdev = rtt(res)
    note(f"impair.delay: delay:20 both ways: rtt min/avg/max/mdev "
         f"{lo}/{avg}/{hi}/{mdev} ms (expected 40 + a little)")
    if res.received != n:
        raise AssertionError(f"delay lost replies: {res.brief()}")
    # Time is in whole ms: a frame taken late in one ms may leave ~1 ms
    # early, so 38 ms is the floor, a hard one. The ceiling is generous:
    # the machine is shared, and only the floor is the layer's promise.
    if lo < 38 or avg > 65:
        raise AssertionError(f"rtt min {lo} avg {avg} ms, expected "
                             f"40 and a little")
    for way in ("rx", "tx"):
        if delta(before, after, f"impair.{way}_delayed") < n:
            raise AssertionError(f"impair.{way}_delayed +"
                                 f"{delta(before, after, f'impair.{way}_delayed')}"
                                 f" for {n} pings")


def case_jitter(keel: str) -> None:
    """delay:20,jitter:10 each way: round trips spread over 20..60 ms."""
    n = 60
    with impaired(keel, "impair=delay:20,jitter:10,seed:4") as lab:
        quiet_link(lab)
        warm_up(lab)
        res = ping(lab.keel_ip, n, interval=0.05, quiet=True, timeout=60)
    lo, avg, hi, mdev = rtt(res)
    note(f"impair.jitter: delay:20,jitter:10 both ways: rtt "
         f"min/avg/max/mdev {lo}/{avg}/{hi}/{mdev} ms")
    if res.received != n:
        raise AssertionError(f"jitter lost replies: {res.brief()}")
    if lo < 18 or hi > 85 or not 30 <= avg <= 65 or mdev < 3:
        raise AssertionError(f"rtt min/avg/max/mdev {lo}/{avg}/{hi}/{mdev}"
                             f" ms, expected a spread over 20..60 ms")


def udp_exchange(lab: Lab, count: int) -> list[int]:
    """Send `count` datagrams one at a time, each waiting for its echo (3 s
    for the first, while keel resolves Linux's address; 0.15 s after);
    returns how many echoes each one got."""
    got = [0] * count
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind((lab.linux_ip, 0))
        for i in range(count):
            s.sendto(f"impair {i:06d}".encode(), (lab.keel_ip, ECHO_PORT))
            wait = 3.0 if i == 0 else 0.15
            deadline = time.monotonic() + wait
            while got[i] == 0:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([s], [], [], left)[0]:
                    break
                data = s.recv(2048)
                m = re.fullmatch(rb"impair (\d{6})", data)
                if m and int(m.group(1)) < count:
                    got[int(m.group(1))] += 1
        # Late duplicates of the last echoes.
        deadline = time.monotonic() + 0.3
        while (left := deadline - time.monotonic()) > 0 and \
                select.select([s], [], [], left)[0]:
            m = re.fullmatch(rb"impair (\d{6})", s.recv(2048))
            if m and int(m.group(1)) < count:
                got[int(m.group(1))] += 1
    finally:
        s.close()
    return got


def case_reproducible(keel: str) -> None:
    """Two keels with the same seed, the same UDP exchange: the same
    datagrams lost and duplicated, the same impair.* counters."""
    count = 100
    spec = "impair=loss:20,dup:10,seed:7"
    runs: list[tuple[list[int], dict[str, int]]] = []
    with impaired(keel, spec) as lab:
        for _ in range(2):
            quiet_link(lab)
            got = udp_exchange(lab, count)
            stats = {k: v for k, v in lab.stats().items()
                     if k.startswith("impair.")}
            runs.append((got, stats))
    (got1, st1), (got2, st2) = runs
    lost = got1.count(0)
    note(f"impair.reproducible: {spec}: {lost} of {count} datagrams "
         f"unanswered, {sum(1 for g in got1 if g > 1)} echoed more than "
         f"once, in both runs alike" if got1 == got2 else
         f"impair.reproducible: runs differ")
    if not st1:
        raise AssertionError("keel printed no impair.* counters")
    if got1 != got2:
        diff = [i for i in range(count) if got1[i] != got2[i]]
        raise AssertionError(f"the two runs differ at datagrams {diff[:20]}")
    if st1 != st2:
        diff = {k: (st1.get(k), st2.get(k)) for k in sorted(st1 | st2)
                if st1.get(k) != st2.get(k)}
        raise AssertionError(f"impair counters differ: {diff}")
    if not 0 < lost < count // 2 or not any(g > 1 for g in got1):
        raise AssertionError(f"{lost} of {count} lost, "
                             f"{sum(1 for g in got1 if g > 1)} duplicated: "
                             f"not what loss:20,dup:10 should do")


def case_refused(keel: str) -> None:
    """Bad settings stop keel at start with exit code 2 and the reason."""
    bad = {
        "impair=loss:101": "loss:101: expected a percentage",
        "impair=delay:5,jitter:6": "jitter:6 is more than delay:5",
        "impair=los:5": "'los': unknown",
        "impair_rx=reorder:5": "reorder needs a delay",
        "impair=loss:5 impair_tx=loss:1": "impair= and impair_tx=",
    }
    # Inside a Lab's namespace, so that a keel that wrongly went on could
    # only reach that namespace's devices.
    with Lab(keel):
        for args, why in bad.items():
            r = subprocess.run([keel, "tap=keel-bad0", *args.split()],
                               capture_output=True, text=True, timeout=10,
                               stdin=subprocess.DEVNULL)
            out = r.stdout + r.stderr
            if r.returncode != 2 or why not in out:
                raise AssertionError(f"keel {args}: exit {r.returncode}, "
                                     f"wanted 2 and '{why}': {out[-400:]}")
            if "tap: " in out:
                raise AssertionError(f"keel {args} touched the TAP device "
                                     f"before refusing: {out[-400:]}")


def main() -> int:
    cases = Cases("impair")
    keel = cases.args.keel
    for name, fn in (("loss", case_loss), ("dup", case_dup),
                     ("delay", case_delay), ("jitter", case_jitter),
                     ("reproducible", case_reproducible),
                     ("refused", case_refused)):
        cases.run(name, lambda fn=fn: fn(keel))  # type: ignore[misc]
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
