"""net/dns_server - the authoritative DNS server (the dns-tap image) against
dig, dnspython and dnsperf, in the Lab's namespace.

The expected answers come from the sample zones themselves, read by
dnspython's own zone parser (dns.zone.from_file), which shares nothing with
zonec.py: every RRset of images/zones/*.zone is asked with dig over UDP
and over TCP, and the answer must be exactly that RRset, with its TTL, the
AA bit and NOERROR. Then the cases of RFC 1034 §4.3.2, RFC 2308,
RFC 4592, RFC 6891 and RFC 7766 one by one with dnspython, malformed
queries with plain sockets (each answered FORMERR or dropped, as
dns_answer.h documents, and the server still answers afterwards),
response rate limiting under a flood, dnsperf for 10 seconds, and every
answer compared with NSD's for the same zone files (same_as_nsd).

keel runs with rrl_rate=0 for everything but the rate-limiting case (all
queries come from 10.0.0.1, one /24), which starts keel again with the
image's settings (100 responses/s per /24, slip 2).

    /usr/bin/python3 tests/net/test_dns_server.py --keel build/dns-tap/keel
"""

from __future__ import annotations

import random
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from netlab import Cases, Lab, Skip, note, sh  # noqa: E402
from dnscheck import (Server, load_zones, raw_query,  # noqa: E402
                      rcode_of, rrsets_to_ask)
import dnscheck  # noqa: E402

import dns.edns  # noqa: E402
import dns.exception  # noqa: E402
import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.opcode  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdata  # noqa: E402
import dns.rdataclass  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.zone  # noqa: E402

IMAGE = "dns-tap"
ROOT = Path(__file__).resolve().parents[2]
ZONES = [ROOT / "images/zones/example.zone",
         ROOT / "images/zones/2.0.192.in-addr.arpa.zone"]
SERVER = "10.0.0.2"
IDLE_MS = 10000      # [dns-server] tcp_idle_ms of dns-tap
TCP_CLIENTS = 8      # [dns-server] tcp_clients
RRL_RATE = 100       # [dns-server] rrl_rate
TIMEOUT = 2.0
# dnsperf's allowance for lost queries: none. Its queries stay within the
# socket's receive ring because at most DNSPERF_OUTSTANDING are in flight.
DNSPERF_SECONDS = 10
DNSPERF_OUTSTANDING = 20

SRV = Server(SERVER, 53, TIMEOUT)
ask = SRV.ask
dig = SRV.dig
raw_udp = SRV.raw_udp


class Suite:
    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.zones = load_zones(ZONES)

    def _every_rrset(self, tcp: bool) -> None:
        checked, types = dnscheck.check_every_rrset(SRV, self.zones, tcp)
        note(f"{checked} RRsets ({' '.join(types)}) over "
             f"{'TCP' if tcp else 'UDP'} as in the zone files")

    def every_rrset_udp(self) -> None:
        self._every_rrset(False)

    def every_rrset_tcp(self) -> None:
        self._every_rrset(True)

    def cname_chain(self) -> None:
        dnscheck.check_cname_chain(SRV)

    def nxdomain(self) -> None:
        dnscheck.check_nxdomain(SRV)

    def nodata(self) -> None:
        dnscheck.check_nodata(SRV)

    def refused(self) -> None:
        dnscheck.check_refused(SRV)

    def truncated_without_edns(self) -> None:
        dnscheck.check_truncation(SRV)

    def wildcard(self) -> None:
        r = ask("Anything.Wild.example.com", "A")
        assert r.answer[0].name.to_text() == "Anything.Wild.example.com."
        assert [x.to_text() for x in r.answer[0]] == ["192.0.2.200"]
        assert r.flags & dns.flags.AA
        r = ask("a.b.wild.example.com", "TXT")
        assert [x.to_text() for x in r.answer[0]] == ['"wildcard"']
        # host.wild exists (MX only): the wildcard does not apply
        r = ask("host.wild.example.com", "A")
        assert r.rcode() == dns.rcode.NOERROR and not r.answer, r
        # below the empty non-terminal deeper.wild: no wildcard there
        r = ask("x.deeper.wild.example.com", "A")
        assert r.rcode() == dns.rcode.NXDOMAIN, r

    def referral(self) -> None:
        for name in ("www.sub.example.com", "sub.example.com"):
            r = ask(name, "A")
            assert r.rcode() == dns.rcode.NOERROR and not r.answer, r
            assert not r.flags & dns.flags.AA
            ns = r.authority[0]
            assert ns.name.to_text() == "sub.example.com."
            assert sorted(x.to_text() for x in ns) == \
                ["ns.example.net.", "ns1.sub.example.com."], ns
            glue = sorted((rr.name.to_text(), x.to_text())
                          for rr in r.additional for x in rr)
            assert glue == [("ns1.sub.example.com.", "192.0.2.100"),
                            ("ns1.sub.example.com.", "2001:db8::100")], glue

    def case_preserved(self) -> None:
        for tcp in (False, True):
            r = ask("WwW.ExAmPlE.CoM", "A", tcp=tcp)
            assert r.answer[0].name.to_text() == "WwW.ExAmPlE.CoM.", r
            assert r.question[0].name.to_text() == "WwW.ExAmPlE.CoM."

    def any_minimal(self) -> None:
        r = ask("example.com", "ANY")
        assert len(r.answer) == 1 and r.rcode() == dns.rcode.NOERROR, r

    def edns(self) -> None:
        r = ask("www.example.com", "A", edns=0, payload=4096)
        assert r.edns == 0 and r.payload == 1232, (r.edns, r.payload)
        r = ask("www.example.com", "A", edns=False)
        assert r.edns < 0
        # EDNS version 1 (dnspython takes use_edns=1 for True, so by hand)
        opt = b"\0" + struct.pack(">HHIH", 41, 1232, 1 << 16, 0)
        resp = raw_udp(raw_query("www.example.com", counts=(1, 0, 0, 1),
                                 extra=opt))
        assert resp, "no answer"
        r = dns.message.from_wire(resp)
        assert r.rcode() == dns.rcode.BADVERS, dns.rcode.to_text(r.rcode())
        assert not r.answer and r.edns == 0

    def notimp(self) -> None:
        for op in (dns.opcode.NOTIFY, dns.opcode.UPDATE, dns.opcode.STATUS):
            resp = raw_udp(raw_query("example.com", 6, flags=op << 11))
            assert resp and rcode_of(resp) == 4, (op, resp)

    def malformed(self) -> None:
        dnscheck.check_malformed(SRV)
        dnscheck.send_garbage(SRV, 2000)
        assert self.lab.alive(), "keel died"
        r = ask("www.example.com", "A")
        assert r.answer, r

    def _tcp_conn(self) -> socket.socket:
        return SRV.tcp_conn()

    _read_msg = staticmethod(Server.read_msg)

    def tcp_pipelined(self) -> None:
        s = self._tcp_conn()
        names = ["www.example.com", "mail.example.com", "nope.example.com",
                 "big.example.com"]
        qs = [raw_query(n, 16 if n.startswith("big") else 1, qid=100 + i)
              for i, n in enumerate(names)]
        s.sendall(b"".join(struct.pack(">H", len(q)) + q for q in qs))
        for i, name in enumerate(names):
            m = dns.message.from_wire(self._read_msg(s))
            assert m.id == 100 + i, (m.id, i)
            assert m.question[0].name.to_text() == name + "."
        # one query split over several segments
        q = raw_query("www.example.com", qid=7)
        data = struct.pack(">H", len(q)) + q
        for b in (data[:1], data[1:5], data[5:]):
            s.sendall(b)
            time.sleep(0.05)
        assert dns.message.from_wire(self._read_msg(s)).id == 7
        s.close()

    def tcp_idle_timeout(self) -> None:
        s = self._tcp_conn()
        s.settimeout(IDLE_MS / 1000 + 5)
        start = time.monotonic()
        data = s.recv(10)  # FIN: b""
        took = time.monotonic() - start
        s.close()
        assert data == b"", data
        assert IDLE_MS / 1000 - 0.5 <= took <= IDLE_MS / 1000 + 2, took
        note(f"idle connection closed after {took:.1f} s")

    def tcp_stuck_reader(self) -> None:
        """A client that sends queries and never reads its answers fills
        keel's send ring; after tcp_idle_ms without progress keel resets
        the connection, so its slot is not held for ever."""
        before = self.lab.stats()
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        s.connect((SERVER, 53))
        s.setblocking(False)
        q = raw_query("big.example.com", 16)
        msg = struct.pack(">H", len(q)) + q
        sent = 0
        for _ in range(400):
            try:
                sent += s.send(msg)
            except BlockingIOError:
                time.sleep(0.01)
        time.sleep(IDLE_MS / 1000 + 2)
        after = self.lab.stats()
        closed = after["dns_server.tcp_idle_closed"] - \
            before["dns_server.tcp_idle_closed"]
        s.close()
        assert closed == 1, (closed, sent)
        note(f"stuck reader: {sent} bytes of queries sent, connection "
             f"reset after {IDLE_MS} ms without progress")

    def tcp_connection_limit(self) -> None:
        before = self.lab.stats()
        conns = [self._tcp_conn() for _ in range(TCP_CLIENTS)]
        time.sleep(0.3)
        # Accepted and reset at once: the RST may even beat connect()'s
        # return.
        extra = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        extra.settimeout(3)
        try:
            extra.connect((SERVER, 53))
            got = extra.recv(10)
        except ConnectionResetError:
            got = b""
        assert got == b"", got
        after = self.lab.stats()
        refused = after["dns_server.tcp_refused"] - \
            before["dns_server.tcp_refused"]
        assert refused == 1, refused
        # the ones accepted still work
        q = raw_query("www.example.com", qid=9)
        conns[0].sendall(struct.pack(">H", len(q)) + q)
        assert dns.message.from_wire(self._read_msg(conns[0])).id == 9
        for c in conns + [extra]:
            c.close()

    def dnsperf(self) -> None:
        if not shutil.which("dnsperf"):
            raise Skip("dnsperf is not installed")
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
            for name, rtype, _, _ in rrsets_to_ask(self.zones):
                f.write(f"{name} {rtype}\n")
            f.write("nope.example.com A\nwww.sub.example.com A\n")
            f.flush()
            r = sh(["dnsperf", "-s", SERVER, "-d", f.name, "-l",
                    str(DNSPERF_SECONDS), "-q", str(DNSPERF_OUTSTANDING),
                    "-t", "2"], timeout=DNSPERF_SECONDS + 30)
        out = r.stdout
        sent = int(re.search(r"Queries sent:\s+(\d+)", out).group(1))
        lost = int(re.search(r"Queries lost:\s+(\d+)", out).group(1))
        qps = float(re.search(r"Queries per second:\s+([\d.]+)",
                              out).group(1))
        codes = re.search(r"Response codes:\s+(.*)", out).group(1)
        note(f"dnsperf: {sent} queries in {DNSPERF_SECONDS} s, {qps:.0f} "
             f"q/s, lost {lost}; {codes}")
        assert lost == 0, out
        assert "SERVFAIL" not in codes and "FORMERR" not in codes and \
            "REFUSED" not in codes, codes
        assert self.lab.alive()


NSD_TYPES = ("A", "AAAA", "NS", "SOA", "CNAME", "MX", "TXT", "SRV", "PTR",
             "CAA")


def nsd_queries(zones: list[dns.zone.Zone]) -> list[tuple[str, str]]:
    """Names worth comparing: every owner, a name below each, a random
    case variant, and every type."""
    rng = random.Random(5)
    names = set()
    for z in zones:
        for name in z.nodes:
            text = name.to_text()
            names.add(text)
            names.add("below." + text)
            names.add("".join(c.upper() if rng.random() < 0.5 else c
                              for c in text))
    names |= {"a.b.wild.example.com.", "x.deeper.wild.example.com.",
              "www.sub.example.com.", "z.ns1.sub.example.com.",
              "nope.2.0.192.in-addr.arpa.", "example.net."}
    return [(n, t) for n in sorted(names) for t in NSD_TYPES]


def section(rrsets: list, lower: bool = True) -> set:
    out = set()
    for rr in rrsets:
        for rd in rr:
            name = rr.name.to_text()
            out.add((name.lower() if lower else name,
                     dns.rdatatype.to_text(rr.rdtype), rr.ttl,
                     rd.to_text().lower()))
    return out


def compare_with_nsd(keel: dict, nsd: dict) -> list[str]:
    """Differences that matter between two answers to the same query:
    RCODE, AA, TC, the answer section, the authority section of negative
    answers and referrals, and the glue of referrals. Left alone: NSD's
    NS records in the authority section of positive answers and its
    additional data there (keel's answers are minimal)."""
    bad = []
    for k in ("rcode", "aa", "tc", "answer"):
        if keel[k] != nsd[k]:
            bad.append(f"{k}: keel {keel[k]} nsd {nsd[k]}")
    if not nsd["answer"] and keel["authority"] != nsd["authority"]:
        bad.append(f"authority: keel {keel['authority']} nsd "
                   f"{nsd['authority']}")
    if not nsd["aa"] and keel["additional"] != nsd["additional"]:
        bad.append(f"glue: keel {keel['additional']} nsd "
                   f"{nsd['additional']}")
    return bad


def summary(m: dns.message.Message) -> dict:
    return {"rcode": dns.rcode.to_text(m.rcode()),
            "aa": bool(m.flags & dns.flags.AA),
            "tc": bool(m.flags & dns.flags.TC),
            "answer": section(m.answer), "authority": section(m.authority),
            "additional": section(m.additional)}


def same_as_nsd(lab: Lab, zones: list[dns.zone.Zone]) -> None:
    """NSD serves the same zone files on 10.0.0.1 in the Lab's namespace;
    every query of nsd_queries() goes to both, over UDP without EDNS and
    with it and over TCP, and the answers must agree
    (compare_with_nsd)."""
    if not shutil.which("nsd"):
        raise Skip("nsd is not installed")
    with tempfile.TemporaryDirectory(prefix="keel-nsd-") as tmp:
        work = Path(tmp)
        conf = [
            "server:", f"  ip-address: {lab.linux_ip}", "  port: 53",
            '  username: ""', '  chroot: ""', f'  zonesdir: "{work}"',
            f'  pidfile: "{work}/nsd.pid"',
            f'  xfrdfile: "{work}/xfrd.state"',
            f'  zonelistfile: "{work}/zone.list"',
            f'  logfile: "{work}/nsd.log"', "  server-count: 1",
            "  rrl-ratelimit: 0", "remote-control:",
            "  control-enable: no"]
        for path, z in zip(ZONES, zones):
            conf += ["zone:", f"  name: {z.origin.to_text()}",
                     f'  zonefile: "{path}"']
        (work / "nsd.conf").write_text("\n".join(conf) + "\n")
        proc = subprocess.Popen(["nsd", "-d", "-c", str(work / "nsd.conf")],
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            _compare_all(lab, zones, proc, work)
        finally:
            proc.terminate()
            proc.wait(10)


def _compare_all(lab: Lab, zones: list[dns.zone.Zone],
                 proc: subprocess.Popen, work: Path) -> None:
    q = dns.message.make_query("example.com", "SOA")
    for _ in range(50):
        try:
            dns.query.udp(q, lab.linux_ip, timeout=0.2)
            break
        except (dns.exception.Timeout, OSError):
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    else:
        raise AssertionError("nsd did not answer")
    if proc.poll() is not None:
        log = work / "nsd.log"
        raise AssertionError("nsd exited: " + (log.read_text()
                                                if log.exists() else ""))
    bad = []
    kinds: dict[str, int] = {}
    queries = nsd_queries(zones)
    for name, rtype in queries:
        for edns, tcp in ((False, False), (0, False), (False, True)):
            msg = dns.message.make_query(name, rtype, use_edns=edns)
            msg.flags &= ~dns.flags.RD
            query = dns.query.tcp if tcp else dns.query.udp
            a = summary(query(msg, SERVER, timeout=TIMEOUT))
            b = summary(query(msg, lab.linux_ip, timeout=TIMEOUT))
            diff = compare_with_nsd(a, b)
            kind = ("truncated" if b["tc"] else "answer" if b["answer"]
                    else "referral" if not b["aa"] and b["rcode"] ==
                    "NOERROR" else b["rcode"] if b["rcode"] != "NOERROR"
                    else "nodata")
            kinds[kind] = kinds.get(kind, 0) + 1
            if diff:
                bad.append(f"{name} {rtype} edns={edns is not False} "
                           f"tcp={tcp}: " + "; ".join(diff))
    note(f"{len(queries) * 3} queries answered as NSD answers them ("
         + ", ".join(f"{v} {k}" for k, v in sorted(kinds.items())) + ")")
    if bad:
        raise AssertionError(f"{len(bad)} differ:\n" + "\n".join(bad[:20]))


def rrl_flood(keel: str) -> None:
    """A second keel with the image's RRL settings; 1000 queries in a
    burst from one /24 must be limited, with about half the limited ones
    slipped (TC) and the rest dropped, and TCP still answers."""
    with Lab(keel) as lab:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        s.settimeout(0.0)
        n = 1000
        q = raw_query("www.example.com")
        for i in range(n):
            s.sendto(q[:0] + struct.pack(">H", i) + q[2:], (SERVER, 53))
            if i % 50 == 49:
                time.sleep(0.002)  # stay within keel's receive ring
        time.sleep(1.0)
        full = tc = 0
        while True:
            try:
                resp = s.recv(2048)
            except BlockingIOError:
                break
            if struct.unpack(">H", resp[2:4])[0] & 0x0200:
                tc += 1
            else:
                full += 1
        st = lab.stats()
        limited = st["dns_server.rrl_limited"]
        slipped = st["dns_server.rrl_slipped"]
        dropped = st["dns_server.rrl_dropped"]
        note(f"rrl: {n} queries: {full} answered, {tc} truncated (slip), "
             f"{n - full - tc} unanswered; counters limited {limited}, "
             f"slipped {slipped}, dropped {dropped}")
        assert limited > 0 and slipped == tc and full + limited == n, st
        assert full <= RRL_RATE * 3, full  # a second's worth plus refill
        assert abs(slipped - dropped) <= 1, (slipped, dropped)
        r = ask("www.example.com", "A", tcp=True)
        assert r.answer


def main() -> int:
    cases = Cases("dns_server")
    if not shutil.which("dig"):
        print("skip dns_server.all: dig is not installed", flush=True)
        return 0
    with Lab(cases.args.keel, extra_args=["rrl_rate=0"]) as lab:
        lab.wait_log(rb"dns-server: ", 10)
        s = Suite(lab)
        for name, fn in (("every_rrset_udp", s.every_rrset_udp),
                         ("every_rrset_tcp", s.every_rrset_tcp),
                         ("cname_chain", s.cname_chain),
                         ("nxdomain", s.nxdomain),
                         ("nodata", s.nodata),
                         ("refused", s.refused),
                         ("truncated_without_edns",
                          s.truncated_without_edns),
                         ("wildcard", s.wildcard),
                         ("referral", s.referral),
                         ("case_preserved", s.case_preserved),
                         ("any_minimal", s.any_minimal),
                         ("edns", s.edns),
                         ("notimp", s.notimp),
                         ("malformed", s.malformed),
                         ("tcp_pipelined", s.tcp_pipelined),
                         ("tcp_connection_limit", s.tcp_connection_limit),
                         ("tcp_idle_timeout", s.tcp_idle_timeout),
                         ("tcp_stuck_reader", s.tcp_stuck_reader),
                         ("dnsperf", s.dnsperf),
                         ("same_as_nsd",
                          lambda: same_as_nsd(lab, s.zones))):
            if not lab.alive():
                lab.start()
            cases.run(name, fn)
    cases.run("rrl_flood", lambda: rrl_flood(cases.args.keel))
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
