"""net/stm32_model_dns - the DNS server of the STM32 firmware, its
Ethernet driver (drivers/stm32, unmodified) on the model of the chip's
MAC/DMA and PHY (the stm32-model target, images/dns-stm32-model.toml),
against dig in the Lab's namespace.

The answers are checked as tests/net/test_dns_server.py checks the
linux-tap server's, with its helpers: every RRset of the sample zones
asked with dig over UDP and over TCP must come back exactly as the zone
file has it (read by dnspython's own parser), with its TTL, AA and
NOERROR; then a few of that suite's single cases.

  every_rrset_udp, every_rrset_tcp, cname_chain, nxdomain, referral,
  truncated_without_edns, tcp_pipelined
                   as in test_dns_server.py, through the model
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
from netlab import Cases, Lab, note  # noqa: E402

import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.rdatatype  # noqa: E402
import test_dns_server as dnst  # noqa: E402

IMAGE = "dns-stm32-model"
RX_DESCRIPTORS = 8  # [stm32] rx_descriptors of the image
TX_DESCRIPTORS = 4  # [stm32] tx_descriptors


def stats(lab: Lab) -> dict[str, int]:
    st = lab.stats()
    if "model.bad_access" not in st:
        raise AssertionError("no model.* counters: not an stm32-model "
                             "image?")
    return st


def check_clean(lab: Lab, st: dict[str, int]) -> None:
    """What must hold after any run: nothing RM0410 forbids, no frame
    the driver took as broken, nothing lost between the DMA and the
    TAP."""
    bad = {k: st[k] for k in ("model.bad_access", "stm32_eth.rx_runt",
                              "stm32_eth.rx_crc", "stm32_eth.rx_errors",
                              "stm32_eth.rx_too_long", "stm32_eth.tx_errors",
                              "stm32_eth.dma_fatal", "model.tap_tx_dropped")
           if st[k]}
    if bad:
        raise AssertionError(f"counters not 0: {bad}")
    if b"stm32 model:" in lab.log:
        line = re.search(rb"stm32 model:[^\n]*", lab.log)
        raise AssertionError(line.group(0).decode() if line else "model")


def check_rings(lab: Lab, st: dict[str, int], min_frames: int) -> None:
    """Frames went through both rings, each counted at every step."""
    check_clean(lab, st)
    if st["stm32_eth.rx_frames"] < min_frames or \
       st["stm32_eth.tx_frames"] < min_frames:
        raise AssertionError(f"too few frames through the driver: "
                             f"{st['stm32_eth.rx_frames']} received, "
                             f"{st['stm32_eth.tx_frames']} sent")
    # Receive: the stack's frames are those the driver lent, which the
    # DMA wrote into descriptors (a few may still wait in the ring), which
    # came off the TAP through the MAC's filter.
    if st["eth.rx_frames"] != st["stm32_eth.rx_frames"]:
        raise AssertionError(f"eth.rx_frames {st['eth.rx_frames']} != "
                             f"stm32_eth.rx_frames "
                             f"{st['stm32_eth.rx_frames']}")
    waiting = st["model.rx_delivered"] - st["stm32_eth.rx_frames"]
    if not 0 <= waiting <= RX_DESCRIPTORS:
        raise AssertionError(f"model.rx_delivered "
                             f"{st['model.rx_delivered']} vs driver "
                             f"{st['stm32_eth.rx_frames']}")
    arrived = st["model.rx_delivered"] + st["model.rx_missed"] + \
        st["model.rx_addr_filtered"] + st["model.wire_rx_lost"] + \
        st["model.wire_mode_lost"]
    if arrived > st["model.tap_rx"] or \
       st["model.wire_rx_frames"] != st["model.tap_rx"]:
        raise AssertionError(f"TAP {st['model.tap_rx']} frames, model "
                             f"accounts for {arrived}")
    # Transmit: every frame the stack sent the driver handed to the DMA,
    # which the MAC put on the wire (or lost there: no link, or a MACCR
    # mode the PHY does not have), and the TAP took.
    sent = st["stm32_eth.tx_frames"]
    wire = st["model.wire_tx_frames"] + st["model.wire_tx_lost"]
    if not (st["eth.tx_frames"] == sent == st["model.tx_frames"] and
            wire <= sent <= wire + st["model.wire_mode_lost"]):
        raise AssertionError(f"transmit counts differ: {st['eth.tx_frames']} "
                             f"{sent} {st['model.tx_frames']} {wire} "
                             f"{st['model.wire_mode_lost']}")
    if st["model.tap_tx"] != st["model.wire_tx_frames"]:
        raise AssertionError("TAP writes differ from frames on the wire")
    if st["model.tx_polls"] < sent or st["model.irqs"] == 0:
        raise AssertionError(f"poll demands {st['model.tx_polls']}, "
                             f"interrupts {st['model.irqs']}")


class ModelSuite:
    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.dns = dnst.Suite(lab)

    def rings(self) -> None:
        st = stats(self.lab)
        check_rings(self.lab, st, 4 * RX_DESCRIPTORS)
        note(f"stm32_model_dns.rings: {st['stm32_eth.rx_frames']} frames "
             f"received ({st['stm32_eth.rx_frames'] / RX_DESCRIPTORS:.0f} "
             f"laps of {RX_DESCRIPTORS} descriptors), "
             f"{st['stm32_eth.tx_frames']} sent "
             f"({st['stm32_eth.tx_frames'] / TX_DESCRIPTORS:.0f} laps of "
             f"{TX_DESCRIPTORS}), {st['model.irqs']} interrupts, "
             f"{st['model.rx_addr_filtered']} frames not for us filtered "
             f"by the MAC")


def ask_all_tcp(rrsets: list, workers: int) -> list[str]:
    """dig +tcp each RRset, `workers` at once: the mismatches."""
    def one(item: tuple) -> str:
        name, rtype, ttl, rdatas = item
        try:
            status, flags, lines = dnst.dig(name, rtype, "+tcp",
                                            "+tries=3", "+time=3")
        except AssertionError as e:
            return str(e)
        got = dnst.parse_dig_answers(lines)
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
                s.sendto(q.to_wire(), (dnst.SERVER, 53))
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
    zone = dnst.rrsets_to_ask(dnst.load_zones())
    with Lab(keel, extra_args=["rrl_rate=0", "model=stall:20/150"]) as lab:
        lab.wait_log(rb"link up", 10)
        bad, sent = burst_udp(zone * 2)
        bad += ask_all_tcp(zone[:16], 16)
        st = stats(lab)
    if bad:
        raise AssertionError("\n".join(bad))
    check_rings(lab, st, len(zone))
    model = {k: v for k, v in st.items()
             if k.startswith(("model.", "stm32_eth."))}
    if not (st["model.stalls"] and st["model.rx_suspends"] and
            st["stm32_eth.rx_missed"] and st["stm32_eth.rx_resumes"]):
        raise AssertionError(f"no overrun happened: {model}")
    if st["stm32_eth.rx_missed"] != st["model.rx_missed"]:
        raise AssertionError(f"the driver's missed count is not the "
                             f"DMA's: {model}")
    note(f"stm32_model_dns.stall: {2 * len(zone)} UDP queries at once "
         f"({sent} sent with the repeats), then 16 dig +tcp at once: "
         f"{st['model.stalls']} stalls, receive suspended "
         f"{st['model.rx_suspends']} times, {st['stm32_eth.rx_missed']} "
         f"frames missed, {st['stm32_eth.rx_resumes']} resumes; all "
         f"answers right")


def flap_tcp(keel: str) -> None:
    rrsets = dnst.rrsets_to_ask(dnst.load_zones())
    rrsets = (rrsets * 2)[:40]
    with Lab(keel, extra_args=["rrl_rate=0", "model=flap:40/700"]) as lab:
        lab.wait_log(rb"link up", 10)
        bad = ask_all_tcp(rrsets, 1)
        st = stats(lab)
    if bad:
        raise AssertionError("\n".join(bad))
    check_clean(lab, st)
    if st["model.flaps"] < 1 or \
       st["stm32_eth.link_changes"] < 1 + 2 * st["model.flaps"] - 1:
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
        s = ModelSuite(lab)
        d = s.dns
        for name, fn in (("every_rrset_udp", d.every_rrset_udp),
                         ("every_rrset_tcp", d.every_rrset_tcp),
                         ("cname_chain", d.cname_chain),
                         ("nxdomain", d.nxdomain),
                         ("referral", d.referral),
                         ("truncated_without_edns",
                          d.truncated_without_edns),
                         ("tcp_pipelined", d.tcp_pipelined),
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
