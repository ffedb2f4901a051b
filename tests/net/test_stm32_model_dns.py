"""net/stm32_model_dns - the DNS server of the STM32 firmware, its
Ethernet driver (drivers/stm32, unmodified) on the model of the chip's
MAC/DMA and PHY (the stm32-model target, images/dns-stm32-model.toml),
against dig in the Lab's namespace.

The answers are checked with tests/dnscheck.py, as the net and qemu
tiers check the other DNS images: every RRset of the sample zones asked
with dig over UDP and over TCP must come back exactly as the zone file
has it (read by dnspython's own parser), with its TTL, AA and NOERROR;
then the shared single cases.

  every_rrset_udp, every_rrset_tcp, cname_chain, nxdomain (UDP and TCP),
  nodata, refused, truncation, malformed
                   dnscheck.py's checks, through the model
  rings            the driver's and the model's counters (SIGUSR1) show
                   every frame went through both descriptor rings: the
                   stack's frames are the driver's, the driver's are the
                   model's DMA's, the DMA's are the TAP's; the rings
                   wrapped many times; the ETH interrupt was taken; no
                   runt, no error, no access RM0410 forbids
  stall            model=stall:20/150: the CPU is busy 150 ms after every
                   20th frame while every RRset is asked twice over UDP
                   at once (unanswered ones again, as a resolver would),
                   then 16 dig +tcp at once: the receive ring overruns
                   (RBUS, receive suspended, frames missed), every answer
                   is still right and the driver resumed the DMA
  flap_tcp         model=flap:40/700: the cable is out 700 ms after every
                   40th frame and comes back at another speed, during 40
                   dig +tcp queries; every answer is right, the driver saw
                   each change and wrote MACCR anew

    /usr/bin/python3 tests/net/test_stm32_model_dns.py \\
        --keel build/dns-stm32-model/keel
"""

from __future__ import annotations

import concurrent.futures
import re
import shutil
import socket
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from netlab import Cases, Lab, note  # noqa: E402

import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.rdatatype  # noqa: E402
import dnscheck  # noqa: E402
from stm32model import (check_clean, check_overrun,  # noqa: E402
                        check_rings, ring_sizes, ring_summary, stats)

IMAGE = "dns-stm32-model"
ROOT = Path(__file__).resolve().parents[2]
ZONES = [ROOT / "images/zones/example.zone",
         ROOT / "images/zones/2.0.192.in-addr.arpa.zone"]
SRV = dnscheck.Server(Lab.keel_ip, 53, 2.0)


class ModelSuite:
    def __init__(self, lab: Lab, keel: str) -> None:
        self.lab = lab
        self.zones = dnscheck.load_zones(ZONES)
        self.rxn, self.txn = ring_sizes(keel)

    def _every_rrset(self, tcp: bool) -> None:
        checked, types = dnscheck.check_every_rrset(SRV, self.zones, tcp)
        note(f"stm32_model_dns: {checked} RRsets ({' '.join(types)}) over "
             f"{'TCP' if tcp else 'UDP'} with dig, as in the zone files")

    def every_rrset_udp(self) -> None:
        self._every_rrset(False)

    def every_rrset_tcp(self) -> None:
        self._every_rrset(True)

    def nxdomain(self) -> None:
        dnscheck.check_nxdomain(SRV)
        dnscheck.check_nxdomain(SRV, tcp=True)

    def malformed(self) -> None:
        dnscheck.check_malformed(SRV)
        dnscheck.check_every_rrset(SRV, self.zones[1:], False)

    def rings(self) -> None:
        # Traffic of its own, so that the case holds when run alone.
        for _ in range(2 * self.rxn):
            SRV.ask("www.example.com", "A")
            SRV.ask("big.example.com", "TXT", tcp=True)
        st = stats(self.lab)
        check_rings(self.lab, st, 4 * self.rxn, self.rxn)
        note(f"stm32_model_dns.rings: {ring_summary(st, self.rxn, self.txn)}")


def ask_all_tcp(rrsets: list, workers: int) -> list[str]:
    """dig +tcp each RRset, `workers` at once: the mismatches."""
    def one(item: tuple) -> str:
        name, rtype, ttl, rdatas = item
        try:
            status, flags, lines = SRV.dig(name, rtype, "+tcp",
                                           "+tries=3", "+time=3")
        except AssertionError as e:
            return str(e)
        got = dnscheck.parse_dig_answers(lines)
        want = {(name.lower(), rtype): (ttl, rdatas)}
        if status != "NOERROR" or "aa" not in flags or got != want:
            return f"{name} {rtype}: {status} {got} != {want}"
        return ""

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return [r for r in pool.map(one, rrsets) if r]


def burst_udp(rrsets: list) -> tuple[list[str], int]:
    """Every query at once from one socket; the unanswered ones again, as
    a resolver would, until all are answered (at most 10 rounds). The
    mismatches, and how many queries were sent."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.5)
    pending = dict(enumerate(rrsets))
    bad, sent = [], 0
    try:
        for _ in range(10):
            if not pending:
                break
            for qid, (name, rtype, _, _) in pending.items():
                q = dns.message.make_query(name, rtype, use_edns=0,
                                           payload=1232)
                q.id = qid
                q.flags &= ~dns.flags.RD
                s.sendto(q.to_wire(), (SRV.addr, SRV.port))
                sent += 1
            while pending:
                try:
                    m = dns.message.from_wire(s.recv(65535))
                except socket.timeout:
                    break
                item = pending.pop(m.id, None)
                if item is None:
                    continue  # the answer to a query sent twice
                name, rtype, ttl, rdatas = item
                got = {(r.name.to_text().lower(),
                        dns.rdatatype.to_text(r.rdtype)): (r.ttl, set(r))
                       for r in m.answer}
                if got != {(name.lower(), rtype): (ttl, rdatas)} or \
                   not m.flags & dns.flags.AA:
                    bad.append(f"{name} {rtype}: {got}")
    finally:
        s.close()
    return bad + [f"{n} {t}: never answered"
                  for n, t, _, _ in pending.values()], sent


def stall(keel: str) -> None:
    zone = dnscheck.rrsets_to_ask(dnscheck.load_zones(ZONES))
    with Lab(keel, extra_args=["rrl_rate=0", "model=stall:20/150"]) as lab:
        lab.wait_log(rb"link up", 10)
        bad, sent = burst_udp(zone * 2)
        bad += ask_all_tcp(zone[:16], 16)
        st = stats(lab)
    if bad:
        raise AssertionError("\n".join(bad))
    check_rings(lab, st, len(zone), ring_sizes(keel)[0])
    check_overrun(st)
    note(f"stm32_model_dns.stall: {2 * len(zone)} UDP queries at once "
         f"({sent} sent with the repeats), then 16 dig +tcp at once: "
         f"{st['model.stalls']} stalls, receive suspended "
         f"{st['model.rx_suspends']} times, {st['stm32_eth.rx_missed']} "
         f"frames missed, {st['stm32_eth.rx_resumes']} resumes; all "
         f"answers right")


def flap_tcp(keel: str) -> None:
    rrsets = dnscheck.rrsets_to_ask(dnscheck.load_zones(ZONES))
    rrsets = (rrsets * 2)[:40]
    with Lab(keel, extra_args=["rrl_rate=0", "model=flap:40/700"]) as lab:
        lab.wait_log(rb"link up", 10)
        bad = ask_all_tcp(rrsets, 1)
        st = stats(lab)
    if bad:
        raise AssertionError("\n".join(bad))
    check_clean(lab, st)
    # The first link up, then down and up again per flap (the last one
    # may still be out).
    if st["model.flaps"] < 1 or \
       st["stm32_eth.link_changes"] < 2 * st["model.flaps"]:
        raise AssertionError(f"flaps {st['model.flaps']}, link changes "
                             f"{st['stm32_eth.link_changes']}")
    if not re.search(rb"link up, 10 Mbit/s full duplex", lab.log):
        raise AssertionError("the link never came back at 10 Mbit/s")
    note(f"stm32_model_dns.flap_tcp: {len(rrsets)} dig +tcp, "
         f"{st['model.flaps']} cable flaps, "
         f"{st['stm32_eth.link_changes']} link changes seen by the "
         f"driver, {st['model.wire_rx_lost']} frames lost without link; "
         f"all answers right")


def main() -> int:
    cases = Cases("stm32_model_dns")
    if not shutil.which("dig"):
        print("skip stm32_model_dns.all: dig is not installed", flush=True)
        return 0
    with Lab(cases.args.keel, extra_args=["rrl_rate=0"]) as lab:
        lab.wait_log(rb"link up", 10)
        s = ModelSuite(lab, cases.args.keel)
        for name, fn in (("every_rrset_udp", s.every_rrset_udp),
                         ("every_rrset_tcp", s.every_rrset_tcp),
                         ("cname_chain",
                          lambda: dnscheck.check_cname_chain(SRV)),
                         ("nxdomain", s.nxdomain),
                         ("nodata", lambda: dnscheck.check_nodata(SRV)),
                         ("refused", lambda: dnscheck.check_refused(SRV)),
                         ("truncation",
                          lambda: dnscheck.check_truncation(SRV)),
                         ("malformed", s.malformed),
                         ("rings", s.rings)):
            if not lab.alive():
                print(f"FAIL stm32_model_dns.{name}: keel died",
                      flush=True)
                return 1
            cases.run(name, fn)
    cases.run("stall", lambda: stall(cases.args.keel))
    cases.run("flap_tcp", lambda: flap_tcp(cases.args.keel))
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
