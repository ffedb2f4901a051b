"""dnscheck - what the suites of the DNS server application share.

The expected answers come from the zone files themselves, read by
dnspython's own zone parser (dns.zone.from_file), which shares nothing with
zonec.py. A Server is the address and port a suite reaches keel's server
at: 10.0.0.2:53 in the net tier's namespace (tests/net/test_dns_server.py),
a SLIRP port forward on 127.0.0.1 in the qemu tier (tests/qemu/test_dns.py).
The check_* functions are the cases both run against the sample zones of
images/zones/; each raises AssertionError with what differed.

Needs Debian's python3-dnspython: run under /usr/bin/python3.
"""

from __future__ import annotations

import random
import re
import socket
import struct
import subprocess
import time
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone

TIMEOUT = 2.0


def load_zones(paths: list[Path]) -> list[dns.zone.Zone]:
    return [dns.zone.from_file(str(p), relativize=False) for p in paths]


def rrsets_to_ask(zones: list[dns.zone.Zone]) -> list[tuple[str, str, int,
                                                           set]]:
    """Every RRset the server answers authoritatively: all but the
    delegation's NS and the glue below it."""
    out = []
    for z in zones:
        cuts = [n for n, rds in z.iterate_rdatasets("NS")
                if n != z.origin]
        for name, rds in z.iterate_rdatasets():
            if any(name.is_subdomain(c) for c in cuts):
                continue
            out.append((name.to_text(), dns.rdatatype.to_text(rds.rdtype),
                        rds.ttl, set(rds)))
    return out


def parse_dig_answers(lines: list[str]) -> dict[tuple[str, str],
                                                  tuple[int, set]]:
    out: dict[tuple[str, str], tuple[int, set]] = {}
    for ln in lines:
        owner, ttl, cls, rtype, rest = ln.split(None, 4)
        rd = dns.rdata.from_text(cls, rtype, rest)
        key = (owner.lower(), rtype)
        out.setdefault(key, (int(ttl), set()))[1].add(rd)
    return out


def wire_name(dotted: str) -> bytes:
    out = b""
    for label in dotted.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def raw_query(name: str, qtype: int = 1, qid: int = 0x4242,
              flags: int = 0, counts: tuple[int, int, int, int] = (1, 0, 0,
                                                                   0),
              extra: bytes = b"") -> bytes:
    return struct.pack(">6H", qid, flags, *counts) + wire_name(name) + \
        struct.pack(">HH", qtype, 1) + extra


def rcode_of(resp: bytes) -> int:
    return struct.unpack(">H", resp[2:4])[0] & 0xF


class Server:
    """keel's DNS server at addr:port, asked with dig, dnspython and raw
    sockets."""

    def __init__(self, addr: str, port: int = 53,
                 timeout: float = TIMEOUT) -> None:
        self.addr, self.port, self.timeout = addr, port, timeout

    def ask(self, name: str, rtype: str, tcp: bool = False,
            edns: int | bool = 0, payload: int = 1232,
            rdclass: int = dns.rdataclass.IN) -> dns.message.Message:
        q = dns.message.make_query(name, rtype, rdclass=rdclass,
                                   use_edns=edns, payload=payload)
        q.flags &= ~dns.flags.RD
        if tcp:
            return dns.query.tcp(q, self.addr, port=self.port,
                                 timeout=self.timeout)
        return dns.query.udp(q, self.addr, port=self.port,
                             timeout=self.timeout, ignore_trailing=False)

    def dig(self, name: str, rtype: str,
            *opts: str) -> tuple[str, set[str], list[str]]:
        """Status, header flags and answer lines of a dig query."""
        r = subprocess.run(["dig", f"@{self.addr}", "-p", str(self.port),
                            "+norec", f"+time={int(self.timeout)}",
                            "+tries=1", "+noall", "+answer", "+comments",
                            *opts, name, rtype], capture_output=True,
                           text=True, timeout=20)
        status = re.search(r"status: (\w+)", r.stdout)
        flags = re.search(r";; flags: ([a-z ]*);", r.stdout)
        if not status or not flags:
            raise AssertionError(f"dig {name} {rtype} {opts}: no answer:\n"
                                 f"{r.stdout}{r.stderr}")
        answers = [ln for ln in r.stdout.splitlines()
                   if ln.strip() and not ln.startswith(";")]
        return status.group(1), set(flags.group(1).split()), answers

    def raw_udp(self, data: bytes, timeout: float = 1.0) -> bytes | None:
        """Send one datagram; the answer, or None when none came."""
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(timeout)
        try:
            s.sendto(data, (self.addr, self.port))
            return s.recv(65535)
        except socket.timeout:
            return None
        finally:
            s.close()

    def tcp_conn(self, timeout: float = 5) -> socket.socket:
        return socket.create_connection((self.addr, self.port),
                                        timeout=timeout)

    @staticmethod
    def read_msg(s: socket.socket) -> bytes:
        """One length-prefixed message from a TCP stream (RFC 1035
        §4.2.2)."""
        def read(n: int) -> bytes:
            b = b""
            while len(b) < n:
                chunk = s.recv(n - len(b))
                if not chunk:
                    raise AssertionError("connection closed")
                b += chunk
            return b
        (n,) = struct.unpack(">H", read(2))
        return read(n)


def check_every_rrset(srv: Server, zones: list[dns.zone.Zone],
                      tcp: bool) -> tuple[int, list[str]]:
    """Every RRset asked with dig must come back exactly, with its TTL,
    AA and NOERROR: (RRsets checked, the types among them)."""
    bad = []
    types: set[str] = set()
    checked = 0
    for name, rtype, ttl, rdatas in rrsets_to_ask(zones):
        status, flags, lines = srv.dig(name, rtype,
                                       *(["+tcp"] if tcp else []))
        got = parse_dig_answers(lines)
        want = {(name.lower(), rtype): (ttl, rdatas)}
        if status != "NOERROR" or "aa" not in flags or got != want:
            bad.append(f"{name} {rtype}: {status} {sorted(flags)} "
                       f"{got} != {want}")
        checked += 1
        types.add(rtype)
    if bad:
        raise AssertionError("\n".join(bad))
    return checked, sorted(types)


def check_cname_chain(srv: Server) -> None:
    r = srv.ask("alias.example.com", "A")
    chain = [(rr.name.to_text(), dns.rdatatype.to_text(rr.rdtype),
              [x.to_text() for x in rr]) for rr in r.answer]
    assert chain == [
        ("alias.example.com.", "CNAME", ["www-alias.example.com."]),
        ("www-alias.example.com.", "CNAME", ["www.example.com."]),
        ("www.example.com.", "A", ["192.0.2.80"])], chain
    assert r.flags & dns.flags.AA
    r = srv.ask("ext.example.com", "A")
    assert len(r.answer) == 1 and r.rcode() == dns.rcode.NOERROR


def check_nxdomain(srv: Server, tcp: bool = False) -> None:
    """RFC 2308 §2.1: NXDOMAIN, AA, the zone's SOA in the authority section
    with the negative TTL (its MINIMUM, 300)."""
    r = srv.ask("nope.example.com", "A", tcp=tcp)
    assert r.rcode() == dns.rcode.NXDOMAIN, r
    assert r.flags & dns.flags.AA
    assert not r.answer
    soa = r.authority[0]
    assert soa.rdtype == dns.rdatatype.SOA and soa.ttl == 300, soa
    assert soa.name.to_text() == "example.com."


def check_nodata(srv: Server, tcp: bool = False) -> None:
    """RFC 2308 §2.2: NOERROR, no answer, the SOA; also for an empty
    non-terminal."""
    r = srv.ask("www.example.com", "MX", tcp=tcp)
    assert r.rcode() == dns.rcode.NOERROR and not r.answer, r
    assert r.flags & dns.flags.AA
    assert r.authority[0].rdtype == dns.rdatatype.SOA
    assert r.authority[0].name.to_text() == "example.com."
    # an empty non-terminal: deeper.wild has only a descendant
    r = srv.ask("deeper.wild.example.com", "A", tcp=tcp)
    assert r.rcode() == dns.rcode.NOERROR and not r.answer, r


def check_refused(srv: Server) -> None:
    """A name outside the zones and a class other than IN: REFUSED."""
    r = srv.ask("www.example.org", "A")
    assert r.rcode() == dns.rcode.REFUSED, r
    assert not r.flags & dns.flags.AA
    r = srv.ask("www.example.com", "A", rdclass=dns.rdataclass.CH,
                edns=False)
    assert r.rcode() == dns.rcode.REFUSED, r


def check_truncation(srv: Server) -> None:
    """big.example.com's six TXT records (about 620 bytes) do not fit in
    512 bytes: without EDNS the UDP answer has TC and no records (dig
    says so too), with EDNS(0) at 1232 they fit, and over TCP they come
    whole without EDNS."""
    r = srv.ask("big.example.com", "TXT", edns=False)
    assert r.flags & dns.flags.TC and not r.answer, r
    status, flags, _ = srv.dig("big.example.com", "TXT", "+noedns",
                               "+ignore")
    assert "tc" in flags and status == "NOERROR", (status, flags)
    r = srv.ask("big.example.com", "TXT", edns=0, payload=1232)
    assert not r.flags & dns.flags.TC and len(r.answer[0]) == 6, r
    r = srv.ask("big.example.com", "TXT", tcp=True, edns=False)
    assert not r.flags & dns.flags.TC and len(r.answer[0]) == 6, r
    status, flags, lines = srv.dig("big.example.com", "TXT", "+noedns",
                                   "+tcp")
    assert status == "NOERROR" and "tc" not in flags and len(lines) == 6, \
        (status, flags, lines)


FORMERR = 1


def malformed_queries() -> dict[str, tuple[bytes, int | None]]:
    """Malformed queries and the RCODE each must draw (None: no answer at
    all), as apps/dns_server/dns_answer.h says."""
    good = raw_query("www.example.com")
    return {
        "qdcount 2": (raw_query("www.example.com",
                                counts=(2, 0, 0, 0)), FORMERR),
        "qdcount 0": (good[:4] + b"\0\0" + good[6:], FORMERR),
        "ancount 1": (raw_query("www.example.com",
                                counts=(1, 1, 0, 0)), FORMERR),
        "truncated question": (good[:-3], FORMERR),
        "label past the end": (good[:12] + b"\x3fwww\0" + good[-4:],
                               FORMERR),
        "pointer loop in question": (good[:12] + b"\xc0\x0c" + good[-4:],
                                     FORMERR),
        "compression loop in additional": (raw_query(
            "www.example.com", counts=(1, 0, 0, 1),
            extra=b"\xc0\x21" + b"\0" * 10), FORMERR),
        "label type 0x40": (good[:12] + b"\x41a\0" + good[-4:], FORMERR),
        "label type 0x80": (good[:12] + b"\x81a\0" + good[-4:], FORMERR),
        "trailing garbage": (good + b"xyz", FORMERR),
        "short": (b"\x12\x34\x00", None),
        "header only, 11 bytes": (good[:11], None),
        "QR set": (raw_query("www.example.com", flags=0x8000), None),
    }


def check_malformed(srv: Server, timeout: float = 0.5) -> tuple[int, int]:
    """Send each malformed query over UDP and compare the RCODE: (queries
    that must be FORMERR, queries that must go unanswered)."""
    bad = []
    formerr = dropped = 0
    for what, (data, want) in malformed_queries().items():
        resp = srv.raw_udp(data, timeout=timeout)
        got = None if resp is None else rcode_of(resp)
        if got != want:
            bad.append(f"{what}: rcode {got}, expected {want}")
        formerr += want == FORMERR
        dropped += want is None
    if bad:
        raise AssertionError("; ".join(bad))
    return formerr, dropped


def send_garbage(srv: Server, count: int, seed: int = 1,
                 pause_every: int = 0, pause: float = 0.0) -> int:
    """`count` datagrams of 0..300 random bytes, not waiting for answers
    (a pause of `pause` s after every `pause_every`); the bytes sent."""
    rng = random.Random(seed)
    sent = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for i in range(count):
            data = bytes(rng.randrange(256)
                         for _ in range(rng.randint(0, 300)))
            s.sendto(data, (srv.addr, srv.port))
            sent += len(data)
            if pause_every and i % pause_every == pause_every - 1:
                time.sleep(pause)
    return sent
