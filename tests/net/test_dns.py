"""net/dns - keel's stub resolver (the resolve-tap image) against dnsmasq
and a fake name server, in the Lab's namespace.

keel runs the resolve application: names sent to its UDP port 5300 come
back as result lines ("a.example A 10.1.2.3 ttl 300", "nx.example error
nxdomain"), and names= on its command line are resolved at start-up with
the blocking form.

dnsmasq (Debian's dnsmasq-base) serves 10.0.0.1:53 from command-line
records only: --no-resolv --no-hosts --conf-file=/dev/null, and --local
for example. so that nothing is ever forwarded (there is nowhere to
forward to: traffic never leaves the namespace). Against it: names
resolved, CNAMEs followed, NXDOMAIN and NODATA reported, answers cached,
names resolved at start-up, servers from dns= tried in turn.

A fake server in Python replaces dnsmasq where behaviour must be exact.
For every query it first sends forged answers carrying a bogus address -
wrong ID from the right place; right ID from port 5353; right ID from
10.0.0.3:53 (an address added to keel0 for this); right ID and source but
another question - and only then the real answer: keel must report the
real address only and count each forgery (dns.rx_bad_id,
dns.rx_bad_source, dns.rx_bad_question). It also drops a first query to
see the retry (a new ID and source port), and answers with TC set to see
the retry over TCP.

    /usr/bin/python3 tests/net/test_dns.py --keel build/resolve-tap/keel
"""

from __future__ import annotations

import re
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netlab import Cases, Lab, Skip, sh, stop_process  # noqa: E402
from netwire import delta  # noqa: E402

IMAGE = "resolve-tap"

CONTROL_PORT = 5300
SPOOF_IP = "10.0.0.3"
DNSMASQ = "/usr/sbin/dnsmasq"
ANSWER_TIMEOUT = 10.0

# What dnsmasq serves.
RECORDS = [
    "--address=/a.example/10.1.2.3",
    "--host-record=b.example,10.1.2.4",
    "--cname=www.example,b.example",
    "--cname=chain.example,www.example",
    "--host-record=multi.example,10.1.2.5",
    "--host-record=multi.example,10.1.2.6",
    "--host-record=v6only.example,fd00::1",
]


def moved(before: dict[str, int], after: dict[str, int]) -> str:
    out = [f"{k} +{after[k] - before.get(k, 0)}" for k in sorted(after)
           if k.startswith(("dns.", "udp.rx_no")) and
           after[k] != before.get(k, 0)]
    return ", ".join(out) or "no dns counter moved"


# --------------------------------------------------------------------------
# DNS messages, for the fake server
# --------------------------------------------------------------------------

def wire_name(dotted: str) -> bytes:
    out = b""
    for label in dotted.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


class Query:
    """A query as keel sent it."""

    def __init__(self, data: bytes, peer: tuple[str, int]) -> None:
        self.raw = data
        self.peer = peer
        self.id, self.flags, qd = struct.unpack(">HHH", data[:6])
        if qd != 1:
            raise ValueError(f"query with {qd} questions")
        labels, off = [], 12
        while data[off]:
            n = data[off]
            labels.append(data[off + 1:off + 1 + n].decode())
            off += 1 + n
        self.name = ".".join(labels)
        self.qtype, self.qclass = struct.unpack(">HH", data[off + 1:off + 5])
        self.question = data[12:off + 5]


def answer(q: Query, addrs: list[str], ttl: int = 60, qid: int | None = None,
           question: bytes | None = None, flags: int = 0x8180) -> bytes:
    """A response to q: its ID and question unless told otherwise, one A
    record per address (owner: a pointer to the question's name)."""
    msg = struct.pack(">HHHHHH", q.id if qid is None else qid, flags, 1,
                      len(addrs), 0, 0) + (question or q.question)
    for a in addrs:
        msg += struct.pack(">HHHIH", 0xc00c, 1, 1, ttl, 4) + \
            socket.inet_aton(a)
    return msg


class FakeServer:
    """A name server on 10.0.0.1:53 (UDP, and TCP when asked) whose
    behaviour per query is a Python function. Runs in a thread; every
    query it saw is kept in `queries`."""

    def __init__(self, lab: Lab,
                 on_query: Callable[["FakeServer", Query], None],
                 tcp_answer: Callable[[Query], bytes] | None = None) -> None:
        self.lab = lab
        self.on_query = on_query
        self.tcp_answer = tcp_answer
        self.queries: list[Query] = []
        self.tcp_queries: list[Query] = []
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.udp = self._udp(lab.linux_ip, 53)
        self.tcp: socket.socket | None = None
        if tcp_answer:
            self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.tcp.bind((lab.linux_ip, 53))
            self.tcp.listen(4)
            self.tcp.settimeout(0.2)
        self.threads = [threading.Thread(target=self._serve_udp, daemon=True)]
        if self.tcp:
            self.threads.append(threading.Thread(target=self._serve_tcp,
                                                 daemon=True))

    @staticmethod
    def _udp(addr: str, port: int) -> socket.socket:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, port))
        s.settimeout(0.2)
        return s

    def send_from(self, addr: str, port: int, data: bytes,
                  to: tuple[str, int]) -> None:
        if (addr, port) == (self.lab.linux_ip, 53):
            self.udp.sendto(data, to)
            return
        with self._udp(addr, port) as s:
            s.sendto(data, to)

    def _serve_udp(self) -> None:
        while not self.stop.is_set():
            try:
                data, peer = self.udp.recvfrom(4096)
            except socket.timeout:
                continue
            try:
                q = Query(data, peer)
                self.queries.append(q)
                self.on_query(self, q)
            except Exception as e:  # noqa: BLE001 - reported by the case
                self.errors.append(repr(e))

    def _serve_tcp(self) -> None:
        assert self.tcp and self.tcp_answer
        while not self.stop.is_set():
            try:
                conn, _ = self.tcp.accept()
            except socket.timeout:
                continue
            try:
                with conn:
                    conn.settimeout(5)
                    n = struct.unpack(">H", self._read(conn, 2))[0]
                    q = Query(self._read(conn, n), conn.getpeername())
                    self.tcp_queries.append(q)
                    msg = self.tcp_answer(q)
                    conn.sendall(struct.pack(">H", len(msg)) + msg)
                    time.sleep(0.2)
            except Exception as e:  # noqa: BLE001 - reported by the case
                self.errors.append(f"tcp: {e!r}")

    @staticmethod
    def _read(conn: socket.socket, n: int) -> bytes:
        out = b""
        while len(out) < n:
            chunk = conn.recv(n - len(out))
            if not chunk:
                raise ConnectionError("short read")
            out += chunk
        return out

    def __enter__(self) -> "FakeServer":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(2)
        self.udp.close()
        if self.tcp:
            self.tcp.close()


# --------------------------------------------------------------------------
# dnsmasq
# --------------------------------------------------------------------------

class Dnsmasq:
    """dnsmasq on 10.0.0.1:53 with RECORDS, forwarding nowhere."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "Dnsmasq":
        if not Path(DNSMASQ).exists():
            raise Skip("dnsmasq is not installed (Debian: dnsmasq-base)")
        self.proc = subprocess.Popen(
            [DNSMASQ, "--keep-in-foreground", "--conf-file=/dev/null",
             "--no-resolv", "--no-hosts", "--no-poll", "--bind-interfaces",
             f"--listen-address={self.lab.linux_ip}", "--port=53",
             "--pid-file=", "--user=root", "--local=/example/",
             "--local-ttl=300", "--log-facility=-", "--log-queries",
             *RECORDS],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        probe = struct.pack(">HHHHHH", 7, 0x0100, 1, 0, 0, 0) + \
            wire_name("a.example") + struct.pack(">HH", 1, 1)
        deadline = time.monotonic() + 10
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.2)
            while time.monotonic() < deadline:
                assert self.proc
                if self.proc.poll() is not None:
                    raise RuntimeError("dnsmasq exited: " +
                                       self.proc.stdout.read().decode())
                s.sendto(probe, (self.lab.linux_ip, 53))
                try:
                    s.recv(512)
                    return
                except socket.timeout:
                    continue
        raise RuntimeError("dnsmasq did not answer within 10 s")

    def __exit__(self, *exc: object) -> None:
        stop_process(self.proc)


# --------------------------------------------------------------------------
# the cases
# --------------------------------------------------------------------------

class DnsSuite:
    def __init__(self, lab: Lab) -> None:
        self.lab = lab

    def ask(self, name: str, timeout: float = ANSWER_TIMEOUT) -> str:
        """Send a name to keel's control port; its result line."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind((self.lab.linux_ip, 0))
            s.settimeout(timeout)
            s.sendto(name.encode(), (self.lab.keel_ip, CONTROL_PORT))
            try:
                reply, peer = s.recvfrom(1024)
            except socket.timeout:
                raise AssertionError(f"{name}: no result line in {timeout} s"
                                     f"; keel: {moved({}, self.lab.stats())}"
                                     ) from None
        if peer != (self.lab.keel_ip, CONTROL_PORT):
            raise AssertionError(f"{name}: reply from {peer}")
        return reply.decode()

    def expect(self, name: str, pattern: str) -> str:
        line = self.ask(name)
        if not re.fullmatch(pattern, line):
            raise AssertionError(f"{name}: got {line!r}, expected "
                                 f"/{pattern}/")
        return line

    def restart(self, *args: str) -> int:
        """Start keel afresh with extra arguments; the offset of its new
        log (Lab.start() begins a new one)."""
        self.lab.stop()
        self.lab.start(list(args))
        return 0

    # -- against dnsmasq ---------------------------------------------------

    def names_resolved(self) -> None:
        with Dnsmasq(self.lab):
            before = self.lab.stats()
            self.expect("a.example", r"a\.example A 10\.1\.2\.3 ttl 300")
            self.expect("b.example", r"b\.example A 10\.1\.2\.4 ttl \d+")
            line = self.expect("multi.example",
                               r"multi\.example A (\S+) (\S+) ttl \d+")
            addrs = set(line.split()[2:4])
            if addrs != {"10.1.2.5", "10.1.2.6"}:
                raise AssertionError(f"multi.example: {line!r}")
            after = self.lab.stats()
            if delta(before, after, "dns.lookup_ok") != 3:
                raise AssertionError(moved(before, after))

    def cname_followed(self) -> None:
        with Dnsmasq(self.lab):
            before = self.lab.stats()
            self.expect("www.example", r"www\.example A 10\.1\.2\.4 ttl \d+")
            self.expect("chain.example",
                        r"chain\.example A 10\.1\.2\.4 ttl \d+")
            after = self.lab.stats()
            # dnsmasq puts the whole chain in one answer.
            if delta(before, after, "dns.cname_requery") != 0 or \
               delta(before, after, "dns.tx_query") != 2:
                raise AssertionError(moved(before, after))

    def nxdomain_and_nodata(self) -> None:
        with Dnsmasq(self.lab):
            before = self.lab.stats()
            self.expect("nx.example", r"nx\.example error nxdomain")
            self.expect("v6only.example", r"v6only\.example error nodata")
            self.expect("bad..name", r"bad\.\.name error invalid")
            after = self.lab.stats()
            for counter in ("dns.rx_nxdomain", "dns.rx_nodata"):
                if delta(before, after, counter) != 1:
                    raise AssertionError(moved(before, after))

    def cached(self) -> None:
        with Dnsmasq(self.lab):
            self.expect("a.example", r"a\.example A 10\.1\.2\.3 ttl \d+")
            before = self.lab.stats()
            self.expect("A.EXAMPLE", r"A\.EXAMPLE A 10\.1\.2\.3 ttl \d+")
            after = self.lab.stats()
            if delta(before, after, "dns.cache_hit") != 1 or \
               delta(before, after, "dns.tx_query") != 0:
                raise AssertionError(moved(before, after))

    def names_at_start_up(self) -> None:
        """names= resolved by the blocking form before the app serves."""
        with Dnsmasq(self.lab):
            start = self.restart("names=a.example,www.example,nx.example")
            for pat in (rb"resolve: a\.example A 10\.1\.2\.3\n",
                        rb"resolve: www\.example A 10\.1\.2\.4\n",
                        rb"resolve: nx\.example error nxdomain\n",
                        rb"resolve: names taken on udp port 5300"):
                self.lab.wait_log(pat, ANSWER_TIMEOUT, start)
        self.restart()

    def dns_servers_from_the_command_line(self) -> None:
        """dns= replaces the image's server; a dead first server costs
        one timeout, then the second answers."""
        with Dnsmasq(self.lab):
            start = self.restart("dns=10.0.0.9,10.0.0.1")
            self.lab.wait_log(rb"name servers 10\.0\.0\.9,10\.0\.0\.1",
                              5, start)
            before = self.lab.stats()
            self.expect("b.example", r"b\.example A 10\.1\.2\.4 ttl \d+")
            after = self.lab.stats()
            if delta(before, after, "dns.timeout") != 1 or \
               delta(before, after, "dns.tx_query") != 2:
                raise AssertionError(moved(before, after))
        self.restart()

    # -- against the fake server -------------------------------------------

    def spoofs_ignored(self) -> None:
        sh(["ip", "addr", "add", f"{SPOOF_IP}/24", "dev", self.lab.ifname])
        try:
            self._spoofs()
        finally:
            sh(["ip", "addr", "del", f"{SPOOF_IP}/24", "dev",
                self.lab.ifname], check=False)

    def _spoofs(self) -> None:
        linux = self.lab.linux_ip

        def on_query(srv: FakeServer, q: Query) -> None:
            other = answer(q, ["6.6.6.6"], question=wire_name("x.example") +
                           struct.pack(">HH", 1, 1))
            for addr, port, msg in (
                    (linux, 53, answer(q, ["6.6.6.1"], qid=q.id ^ 0x8001)),
                    (linux, 5353, answer(q, ["6.6.6.2"])),
                    (SPOOF_IP, 53, answer(q, ["6.6.6.3"])),
                    (linux, 53, other)):
                srv.send_from(addr, port, msg, q.peer)
            time.sleep(0.05)
            srv.send_from(linux, 53, answer(q, ["10.7.7.7"], ttl=77),
                          q.peer)

        with FakeServer(self.lab, on_query) as srv:
            before = self.lab.stats()
            self.expect("spoof.example",
                        r"spoof\.example A 10\.7\.7\.7 ttl 77")
            after = self.lab.stats()
        if srv.errors:
            raise AssertionError(f"fake server: {srv.errors}")
        want = {"dns.rx_bad_id": 1, "dns.rx_bad_source": 2,
                "dns.rx_bad_question": 1, "dns.rx_accepted": 1}
        got = {k: delta(before, after, k) for k in want}
        if got != want or len(srv.queries) != 1:
            raise AssertionError(f"counters {got}, expected {want}; "
                                 f"{len(srv.queries)} queries; "
                                 f"{moved(before, after)}")
        if b"6.6.6." in self.lab.log:
            raise AssertionError("a forged address reached keel's log")

    def retry_after_silence(self) -> None:
        """The first query goes unanswered; the retry has a new ID and
        source port and its answer is taken."""
        def on_query(srv: FakeServer, q: Query) -> None:
            if len(srv.queries) > 1:
                srv.send_from(self.lab.linux_ip, 53,
                              answer(q, ["10.8.8.8"]), q.peer)

        with FakeServer(self.lab, on_query) as srv:
            self.expect("slow.example", r"slow\.example A 10\.8\.8\.8 ttl 60")
        q1, q2 = srv.queries[:2]
        if q1.id == q2.id or q1.peer[1] == q2.peer[1]:
            raise AssertionError(f"retry reused ID {q1.id:#x}/{q2.id:#x} "
                                 f"or port {q1.peer[1]}/{q2.peer[1]}")
        if q1.name != "slow.example" or q2.name != "slow.example" or \
           q1.flags != 0x0100 or (q1.qtype, q1.qclass) != (1, 1):
            raise AssertionError(f"unexpected queries {vars(q1)}")

    def truncated_retried_over_tcp(self) -> None:
        addrs = [f"10.5.5.{i}" for i in range(1, 7)]

        def on_query(srv: FakeServer, q: Query) -> None:
            srv.send_from(self.lab.linux_ip, 53,
                          answer(q, [], flags=0x8380), q.peer)

        with FakeServer(self.lab, on_query,
                        tcp_answer=lambda q: answer(q, addrs, ttl=90)) as srv:
            before = self.lab.stats()
            line = self.ask("big.example")
            after = self.lab.stats()
        if srv.errors:
            raise AssertionError(f"fake server: {srv.errors}; "
                                 f"{moved(before, after)}")
        if line != "big.example A " + " ".join(addrs[:4]) + " ttl 90":
            raise AssertionError(f"got {line!r}; {moved(before, after)}")
        if len(srv.tcp_queries) != 1 or \
           delta(before, after, "dns.rx_truncated") != 1 or \
           delta(before, after, "dns.tcp_query") != 1:
            raise AssertionError(f"{len(srv.tcp_queries)} TCP queries; "
                                 f"{moved(before, after)}")


def main() -> int:
    cases = Cases("dns")
    if not shutil.which("ip"):
        print("skip dns.all: iproute2 is not installed", flush=True)
        return 0
    with Lab(cases.args.keel) as lab:
        lab.wait_log(rb"names taken on udp port", 10)
        s = DnsSuite(lab)
        for name, fn in (("names_resolved", s.names_resolved),
                         ("cname_followed", s.cname_followed),
                         ("nxdomain_and_nodata", s.nxdomain_and_nodata),
                         ("cached", s.cached),
                         ("names_at_start_up", s.names_at_start_up),
                         ("dns_servers_from_the_command_line",
                          s.dns_servers_from_the_command_line),
                         ("spoofs_ignored", s.spoofs_ignored),
                         ("retry_after_silence", s.retry_after_silence),
                         ("truncated_retried_over_tcp",
                          s.truncated_retried_over_tcp)):
            if not lab.alive():
                lab.start()
            cases.run(name, fn)
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
