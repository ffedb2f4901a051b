"""qemu/dns - the DNS appliance (images dns and dns-aarch64) in an 8 MiB
guest, asked through QEMU's user network.

Each image boots with -m 8M (x86_64 on microvm with -cpu max, aarch64 on
virt with a Cortex-A53, whose entropy is the virtio-rng) on SLIRP, with
UDP and TCP port 53 forwarded from one free port on 127.0.0.1, and
rrl_rate=0: every query reaches the guest from SLIRP's 10.0.2.2, one /24.
The expected answers come from the image's zone files read by dnspython
(tests/dnscheck.py, shared with the net suite):

  boot_8m            the memory the kernel found is 8 MiB, the image in
                     it, the stack and the server up
  every_rrset_udp    dig asks every RRset of the zones (every type in
  every_rrset_tcp    them) through the forward; each comes back exactly,
                     TTL, AA and NOERROR
  cname_chain, nxdomain, nodata, refused
                     RFC 1034 §4.3.2 and RFC 2308 answers, NXDOMAIN and
                     NODATA over TCP as well
  truncation         six TXT records without EDNS: TC over UDP, whole
                     with EDNS(0) and over TCP
  malformed          a second boot with stop_ms=: malformed queries (a
                     short header, bad label lengths and types,
                     compression loops, wrong counts) each FORMERR or
                     unanswered, one over TCP too, 500 random datagrams,
                     then a good query still answered; at the stop the
                     server's counters account for them and the exit code
                     is 0

    /usr/bin/python3 tests/qemu/test_dns.py --keel build/dns/keel.elf \
        --image dns
"""

from __future__ import annotations

import shutil
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from qemulab import (ROOT, Cases, Guest, Skip, build,  # noqa: E402
                     free_forwards, note)
import dnscheck  # noqa: E402
from dnscheck import Server, raw_query, rcode_of  # noqa: E402

IMAGES = ["dns", "dns-aarch64"]
MEMORY_MB = 8
CPU = {"x86_64": "max", "aarch64": "cortex-a53"}
# What the kernel says about the memory it found and the image in it.
MEMORY_LINE = {
    "x86_64": r"x86: memory map: .* (\d+) KiB ram; image 0x[0-9a-f]+-"
              r"0x[0-9a-f]+ \((\d+) KiB\)",
    "aarch64": r"aarch64: memory 0x40000000-0x[0-9a-f]+ \((\d+) MiB\); "
               r"image 0x[0-9a-f]+-0x[0-9a-f]+ \((\d+) KiB\)",
}
# The malformed boot stops by itself after this long, printing its
# counters; generous for a busy 2-core TCG host (the cases take ~3 s).
STOP_MS = 15000
GARBAGE = 500
BOOT_TIMEOUT = 30


class Appliance:
    """One image: its target, zones, forwards and the server they reach."""

    def __init__(self, cases: Cases) -> None:
        self.elf = cases.elf
        self.image = build.load_image(build.image_path(
            cases.args.image or IMAGES[0]))
        self.target = self.image.target.name
        self.machine = build.qemu_machines(self.target)[0]
        self.zones = dnscheck.load_zones(
            [ROOT / z for z in
             self.image.values["CONFIG_APP_DNS_SERVER_ZONES"]])
        self.forwards = free_forwards(build.app_ports(self.image))
        ports = {f.host_port for f in self.forwards}
        assert len(ports) == 1, self.forwards  # dig -p: one port for both
        self.srv = Server("127.0.0.1", ports.pop())

    def guest(self, cmdline: str) -> Guest:
        return Guest(self.elf, self.machine, cmdline, cpu=CPU[self.target],
                     memory_mb=MEMORY_MB, net="user",
                     forwards=self.forwards,
                     addr=build.guest_address(self.image, cmdline.split()),
                     target=self.target)

    @staticmethod
    def wait_ready(g: Guest) -> None:
        g.wait_for(r"keel: up on virtio-net", BOOT_TIMEOUT)
        g.wait_for(r"dns-server: \d+ zone\(s\)", BOOT_TIMEOUT)


def boot_8m(app: Appliance, g: Guest) -> None:
    app.wait_ready(g)
    m = g.wait_for(MEMORY_LINE[app.target], 1)
    ram_kib = int(m.group(1)) * (1024 if app.target == "aarch64" else 1)
    image_kib = int(m.group(2))
    # x86 counts the e820 RAM (less the legacy hole), aarch64 /memory
    if not MEMORY_MB * 1024 - 512 <= ram_kib <= MEMORY_MB * 1024:
        raise AssertionError(f"the kernel found {ram_kib} KiB, expected "
                             f"about {MEMORY_MB} MiB")
    g.wait_for(r"keel: up on virtio-net mac [0-9a-f:]{17} ip "
               r"10\.0\.2\.15/24 gw 10\.0\.2\.2", 1)
    zones = g.wait_for(r"dns-server: (\d+) zone\(s\), \d+ names, udp and "
                       r"tcp port 53", 1)
    if int(zones.group(1)) != len(app.zones):
        raise AssertionError(f"{zones.group(0)}: expected "
                             f"{len(app.zones)} zones")
    note(f"{app.image.name}: {ram_kib} KiB of RAM, the image "
         f"{image_kib} KiB of it")


def every_rrset(app: Appliance, tcp: bool) -> None:
    checked, types = dnscheck.check_every_rrset(app.srv, app.zones, tcp)
    note(f"{checked} RRsets ({' '.join(types)}) over "
         f"{'TCP' if tcp else 'UDP'} through the forward")


def nxdomain_nodata(app: Appliance, check) -> None:  # type: ignore[no-untyped-def]
    check(app.srv)
    check(app.srv, tcp=True)


def malformed(app: Appliance) -> None:
    cmdline = f"rrl_rate=0 stop_ms={STOP_MS}"
    with app.guest(cmdline) as g:
        app.wait_ready(g)
        formerr, dropped = dnscheck.check_malformed(app.srv)
        # over TCP: a compression loop, FORMERR, and the connection serves
        # the next query
        loop = raw_query("www.example.com")
        loop = loop[:12] + b"\xc0\x0c" + loop[-4:]
        with app.srv.tcp_conn() as s:
            s.sendall(struct.pack(">H", len(loop)) + loop)
            resp = Server.read_msg(s)
            if rcode_of(resp) != dnscheck.FORMERR:
                raise AssertionError(f"TCP compression loop: rcode "
                                     f"{rcode_of(resp)}")
            q = raw_query("www.example.com", qid=77)
            s.sendall(struct.pack(">H", len(q)) + q)
            resp = Server.read_msg(s)
            if resp[:2] != b"\0\x4d" or rcode_of(resp) != 0:
                raise AssertionError(f"TCP after FORMERR: {resp!r}")
        dnscheck.send_garbage(app.srv, GARBAGE, pause_every=25, pause=0.02)
        r = app.srv.ask("www.example.com", "A")
        got = [x.to_text() for rr in r.answer for x in rr]
        if got != ["192.0.2.80"]:
            raise AssertionError(f"after the garbage: {r}")
        done = time.monotonic() - g.t0
        if done > STOP_MS / 1000:
            raise AssertionError(f"the cases took until {done:.1f} s, past "
                                 f"stop_ms={STOP_MS}: raise STOP_MS")
        b = g.wait(STOP_MS / 1000 + BOOT_TIMEOUT)
    b.expect_code(0)
    if b.find(r"exception|panic"):
        raise AssertionError(f"{b.find(r'exception|panic').group(0)}\n"
                             f"{b.tail()}")
    st = b.stats()
    udp = st["dns_server.queries_udp"]
    crafted = formerr + dropped + 1     # and the last good query
    # Every crafted query counted; most of the garbage arrived (SLIRP
    # may drop a datagram when the guest's ring is full, keel must not
    # crash on any).
    if udp < crafted + GARBAGE // 2:
        raise AssertionError(f"queries_udp {udp}: expected at least "
                             f"{crafted} + {GARBAGE // 2}\n{st}")
    if st["dns_server.formerr"] < formerr + 1:
        raise AssertionError(f"formerr {st['dns_server.formerr']}: "
                             f"expected at least {formerr + 1}")
    if st["dns_server.dropped"] < dropped:
        raise AssertionError(f"dropped {st['dns_server.dropped']}: "
                             f"expected at least {dropped}")
    if st["dns_server.queries_tcp"] != 2:
        raise AssertionError(f"queries_tcp {st['dns_server.queries_tcp']}"
                             f": expected 2")
    note(f"malformed: {udp} datagrams counted ({crafted} crafted, "
         f"{udp - crafted} of {GARBAGE} random), formerr "
         f"{st['dns_server.formerr']}, dropped {st['dns_server.dropped']}, "
         f"then answered; exit code 0")


def main() -> int:
    cases = Cases("dns")
    if not shutil.which("dig"):
        print("skip dns.all: dig is not installed (bind9-dnsutils)",
              flush=True)
        return 0
    app = Appliance(cases)
    cases.group = f"dns.{app.target}"
    # One boot serves every case but the malformed one, which boots again
    # to read the counters at its stop.
    with app.guest("rrl_rate=0") as g:
        try:
            app.wait_ready(g)
            up = ""
        except AssertionError as e:
            up = str(e)

        def when_up(fn):  # type: ignore[no-untyped-def]
            def run() -> None:
                if up:
                    raise Skip("the guest did not come up")
                fn()
            return run

        for name, fn in (
                ("boot_8m", lambda: boot_8m(app, g)),
                ("every_rrset_udp", when_up(lambda: every_rrset(app, False))),
                ("every_rrset_tcp", when_up(lambda: every_rrset(app, True))),
                ("cname_chain",
                 when_up(lambda: dnscheck.check_cname_chain(app.srv))),
                ("nxdomain", when_up(lambda: nxdomain_nodata(
                    app, dnscheck.check_nxdomain))),
                ("nodata", when_up(lambda: nxdomain_nodata(
                    app, dnscheck.check_nodata))),
                ("refused", when_up(lambda: dnscheck.check_refused(app.srv))),
                ("truncation",
                 when_up(lambda: dnscheck.check_truncation(app.srv)))):
            cases.run(name, fn)
    cases.run("malformed", lambda: malformed(app))
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
