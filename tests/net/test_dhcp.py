"""net/dhcp - keel's DHCP client (the dhcp-tap image) against dnsmasq in the
Lab's namespace.

dnsmasq (Debian's dnsmasq-base) serves DHCP only (--port=0) on keel0, from
command-line options only (--conf-file=/dev/null), with its lease file in a
temporary directory. Its shortest lease is 120 s, but it sends T1 and T2 as
told (--dhcp-option=option:T1 and T2), so renewal comes after 10 s and
rebinding after 25 s. It runs as root (--user=root): as nobody, without the
capabilities this container keeps, it cannot bind its socket to keel0 and
silently answers nothing. --no-ping: it does not ping an address before
offering it (the client's ARP probe is what is tested).

keel always has MAC 02:00:00:00:00:42, so that dnsmasq recognises it across
restarts. The cases run in order, each starting from where the last left:

  lease    an address from the range, the router and DNS server; ping works
  renew    at T1 a REQUEST (dnsmasq logs a second ACK), same address
  rebind   dnsmasq stopped: T1's unicast REQUEST goes unanswered; restarted
           before T2, it answers the REQUEST broadcast at T2
  nak      dnsmasq restarted with another range, authoritative and without
           the lease: the next renewal is NAKed, keel drops the address and
           gets one from the new range
  static   ip=A.B.C.D/N on the command line: no DHCP message at all
  reboot   no ip= (the image says "dhcp") and dhcp_addr= naming the current
           address: one REQUEST (INIT-REBOOT), no DISCOVER, same address
  conflict a fresh Lab where Linux itself holds 10.0.0.50 on keel0 and
           dnsmasq offers exactly that (--dhcp-host): keel's ARP probe is
           answered, it DECLINEs, waits 10 s and takes another address

    /usr/bin/python3 tests/net/test_dhcp.py --keel build/dhcp-tap/keel
"""

from __future__ import annotations

import ipaddress
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netlab import (Cases, Lab, Skip, _die_with_parent, sh,  # noqa: E402
                    stop_process)

IMAGE = "dhcp-tap"

DNSMASQ = "/usr/sbin/dnsmasq"
KEEL_MAC = "02:00:00:00:00:42"
RANGE = ("10.0.0.50", "10.0.0.60")
NEW_RANGE = ("10.0.0.70", "10.0.0.80")
LEASE_S = 120  # dnsmasq's minimum
T1_S = 10
T2_S = 25
BOUND_RE = rb"dhcp bound (\d+\.\d+\.\d+\.\d+)/(\d+) gw (\S+) dns (\S+) " \
    rb"lease (\d+)s"


def in_range(addr: str, rng: tuple[str, str]) -> bool:
    a = ipaddress.IPv4Address(addr)
    return ipaddress.IPv4Address(rng[0]) <= a <= ipaddress.IPv4Address(rng[1])


class Dnsmasq:
    """One dnsmasq run at a time, its log in the work directory."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.proc: subprocess.Popen[bytes] | None = None
        self.runs = 0
        self.log_path = work / "dnsmasq-0.log"

    def start(self, rng: tuple[str, str], leasefile: str = "leases",
              extra: tuple[str, ...] = ()) -> None:
        self.stop()
        self.runs += 1
        self.log_path = self.work / f"dnsmasq-{self.runs}.log"
        argv = [DNSMASQ, "--keep-in-foreground", "--conf-file=/dev/null",
                "--port=0", "--interface=keel0", "--bind-interfaces",
                "--user=root", f"--pid-file={self.work}/dnsmasq.pid",
                f"--dhcp-leasefile={self.work / leasefile}",
                f"--dhcp-range={rng[0]},{rng[1]},255.255.255.0,{LEASE_S}",
                f"--dhcp-option=option:T1,{T1_S}",
                f"--dhcp-option=option:T2,{T2_S}",
                "--dhcp-option=option:dns-server,10.0.0.1",
                "--no-ping", "--log-dhcp", "--log-facility=-", *extra]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 5
        while "DHCP, sockets bound" not in self.log():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"dnsmasq did not start:\n{self.log()}")
            time.sleep(0.05)

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def count(self, what: str) -> int:
        """Lines like 'DHCPACK(keel0) 10.0.0.53 02:00:00:00:00:42'."""
        return len(re.findall(rf"{what}\(keel0\)[^\n]*{KEEL_MAC}",
                              self.log()))


class DhcpSuite:
    def __init__(self, lab: Lab, work: Path) -> None:
        self.lab = lab
        self.work = work
        self.server = Dnsmasq(work)
        self.addr = ""
        self.mark = 0  # keel log offset where the case began

    # -- helpers -----------------------------------------------------------

    def wait_keel(self, pattern: bytes, timeout: float) -> re.Match[bytes]:
        return self.lab.wait_log(pattern, timeout, self.mark)

    def stat(self, name: str) -> int:
        s = self.lab.stats()
        if name not in s:
            raise AssertionError(f"keel has no counter {name}")
        return s[name]

    def wait_stat(self, name: str, value: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.stat(name) < value:
            if time.monotonic() > deadline:
                raise AssertionError(f"{name} did not reach {value} in "
                                     f"{timeout} s")
            time.sleep(0.5)

    def ping(self, addr: str) -> None:
        r = sh(["ping", "-c", "3", "-i", "0.2", "-W", "2", addr],
               check=False)
        if r.returncode != 0:
            raise AssertionError(f"ping {addr} failed:\n{r.stdout}")

    def begin(self) -> None:
        """Look at keel's log from here on (start() restarts it at 0)."""
        self.mark = len(self.lab.log)

    # -- cases -------------------------------------------------------------

    def lease(self) -> None:
        self.server.start(RANGE)
        self.lab.start(timeout=30)
        m = self.wait_keel(BOUND_RE, 1)
        self.addr = m.group(1).decode()
        if not in_range(self.addr, RANGE):
            raise AssertionError(f"{self.addr} is not in {RANGE}")
        if m.group(2) != b"24" or m.group(3) != b"10.0.0.1" or \
           m.group(4) != b"10.0.0.1" or int(m.group(5)) != LEASE_S:
            raise AssertionError(f"unexpected lease: {m.group(0)!r}")
        if self.server.count("DHCPACK") != 1 or \
           not re.search(rf"DHCPACK\(keel0\) {re.escape(self.addr)} "
                         rf"{KEEL_MAC} keel\b", self.server.log()):
            raise AssertionError("dnsmasq did not log one ACK for "
                                 f"{self.addr} to host keel:\n"
                                 f"{self.server.log()}")
        self.ping(self.addr)
        if self.stat("dhcp.conflict") != 0:
            raise AssertionError("a conflict without cause")

    def renew(self) -> None:
        self.begin()
        m = self.wait_keel(rb"dhcp renewed (\S+) lease (\d+)s", T1_S + 5)
        if m.group(1).decode() != self.addr:
            raise AssertionError(f"renewed {m.group(1)!r}, not {self.addr}")
        if self.server.count("DHCPREQUEST") < 2 or \
           self.server.count("DHCPACK") < 2:
            raise AssertionError(f"dnsmasq saw no renewal:\n"
                                 f"{self.server.log()}")
        if self.stat("dhcp.renew") < 1 or self.stat("dhcp.rebind") != 0:
            raise AssertionError("renewed otherwise than at T1")
        self.ping(self.addr)

    def rebind(self) -> None:
        self.begin()
        renews = self.stat("dhcp.renew")
        self.server.stop()
        # T1 comes and its unicast REQUEST finds no server...
        self.wait_stat("dhcp.renew", renews + 1, T1_S + 5)
        time.sleep(2)
        if self.keel_logged(rb"dhcp renewed"):
            raise AssertionError("renewed with the server stopped")
        # ... which is back before T2, for the broadcast.
        self.server.start(RANGE)
        m = self.wait_keel(rb"dhcp renewed (\S+) lease", T2_S - T1_S + 5)
        if m.group(1).decode() != self.addr:
            raise AssertionError(f"rebound {m.group(1)!r}, not {self.addr}")
        if self.stat("dhcp.rebind") != 1:
            raise AssertionError("the ACK did not answer a rebinding "
                                 "REQUEST")
        if self.server.count("DHCPACK") != 1:
            raise AssertionError(f"dnsmasq did not ACK once:\n"
                                 f"{self.server.log()}")
        self.ping(self.addr)

    def keel_logged(self, pattern: bytes) -> bool:
        """Whether keel logged `pattern` since the case began."""
        self.lab._read_log()
        return re.search(pattern, self.lab.log[self.mark:]) is not None

    def nak(self) -> None:
        self.begin()
        self.server.start(NEW_RANGE, leasefile="leases-new",
                          extra=("--dhcp-authoritative",))
        naks = self.stat("dhcp.rx_nak")
        m = self.wait_keel(BOUND_RE, T1_S + 30)
        new = m.group(1).decode()
        if not in_range(new, NEW_RANGE):
            raise AssertionError(f"{new} is not in {NEW_RANGE}")
        for line in (rb"dhcp nak", rb"dhcp lost " + self.addr.encode()):
            if not re.search(line, self.lab.log[self.mark:]):
                raise AssertionError(f"keel did not log {line!r}")
        if self.stat("dhcp.rx_nak") != naks + 1 or \
           self.server.count("DHCPNAK") != 1:
            raise AssertionError(f"not one NAK:\n{self.server.log()}")
        self.addr = new
        self.ping(self.addr)

    def static(self) -> None:
        self.lab.stop()
        before = self.server.count("DHCPDISCOVER") + \
            self.server.count("DHCPREQUEST")
        self.lab.dhcp = False
        try:
            self.lab.start()  # ip=<the last lease's address>/24
            time.sleep(3)
            if self.stat("dhcp.tx_discover") + \
               self.stat("dhcp.tx_request") != 0:
                raise AssertionError("DHCP ran with a static address")
            self.ping(self.lab.keel_ip)
        finally:
            self.lab.dhcp = True
            self.lab.stop()
        if self.server.count("DHCPDISCOVER") + \
           self.server.count("DHCPREQUEST") != before:
            raise AssertionError("dnsmasq heard from a static keel")

    def reboot(self) -> None:
        requests = self.server.count("DHCPREQUEST")
        self.lab.ip_args = False  # the image's ip = "dhcp"
        self.lab.start([f"dhcp_addr={self.addr}"], timeout=20)
        self.mark = 0
        m = self.wait_keel(BOUND_RE, 1)
        if m.group(1).decode() != self.addr:
            raise AssertionError(f"rebooted into {m.group(1)!r}, not "
                                 f"{self.addr}")
        if self.stat("dhcp.tx_discover") != 0 or \
           self.server.count("DHCPREQUEST") != requests + 1:
            raise AssertionError("not a single INIT-REBOOT REQUEST:\n"
                                 f"{self.server.log()}")
        self.ping(self.addr)


def conflict(keel: str, work: Path) -> None:
    """Linux holds the address dnsmasq offers: keel must decline it."""
    taken = "10.0.0.50"
    with Lab(keel, extra_args=[f"mac={KEEL_MAC}"], dhcp=True,
             autostart=False) as lab:
        sh(["ip", "addr", "add", f"{taken}/24", "dev", lab.ifname])
        server = Dnsmasq(work)
        try:
            server.start(("10.0.0.51", "10.0.0.60"), leasefile="leases-c",
                         extra=(f"--dhcp-host={KEEL_MAC},{taken}",))
            lab.start(timeout=60)
            m = lab.wait_log(BOUND_RE, 1)
            addr = m.group(1).decode()
            if addr == taken or not in_range(addr, ("10.0.0.51",
                                                    "10.0.0.60")):
                raise AssertionError(f"bound to {addr}")
            d = re.search(rb"\[ *(\d+\.\d+)\] \S+ +keel: dhcp declined",
                          lab.log)
            b = re.search(rb"\[ *(\d+\.\d+)\] \S+ +keel: dhcp bound",
                          lab.log)
            if not d or not b or float(b.group(1)) - float(d.group(1)) < 10:
                raise AssertionError(f"no decline 10 s before binding:\n"
                                     f"{lab.log.decode(errors='replace')}")
            if f"DHCPDECLINE(keel0) {taken}" not in server.log():
                raise AssertionError(f"dnsmasq saw no DECLINE:\n"
                                     f"{server.log()}")
            s = lab.stats()
            if s.get("dhcp.conflict") != 1 or \
               s.get("arp.rx_probe_conflict", 0) < 1:
                raise AssertionError(f"counters: {s.get('dhcp.conflict')} "
                                     f"{s.get('arp.rx_probe_conflict')}")
            r = sh(["ping", "-c", "2", "-i", "0.2", "-W", "2", addr],
                   check=False)
            if r.returncode != 0:
                raise AssertionError(f"ping {addr} failed")
        finally:
            server.stop()


def no_dnsmasq() -> None:
    raise Skip("dnsmasq is not installed (Debian: dnsmasq-base)")


def main() -> int:
    cases = Cases("dhcp")
    if not shutil.which(DNSMASQ):
        cases.run("all", no_dnsmasq)
        return cases.done()
    with tempfile.TemporaryDirectory(prefix="keel-dhcp-") as tmp:
        work = Path(tmp)
        with Lab(cases.args.keel, extra_args=[f"mac={KEEL_MAC}"], dhcp=True,
                 autostart=False) as lab:
            s = DhcpSuite(lab, work)
            try:
                for name, fn in (("lease", s.lease), ("renew", s.renew),
                                 ("rebind", s.rebind), ("nak", s.nak),
                                 ("static", s.static),
                                 ("reboot", s.reboot)):
                    cases.run(name, fn)
            finally:
                s.server.stop()
        cases.run("conflict", lambda: conflict(cases.args.keel, work))
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
