"""httpsbench - keel's HTTPS application beside lighttpd in the same run.

./build.py bench https calls bench_https(b, args), `b` being the running
build.py module. Two servers on two paths, each measured with the same
clients in alternating rounds (lighttpd, then keel), the median reported
with keel/lighttpd:

  TAP    keel: the https-tap image (a Linux process) on a TAP device in a
         netlab.Lab namespace, reached from that namespace (10.0.0.1 ->
         10.0.0.2:443). lighttpd: lighttpd with mod_wolfssl (Debian's
         lighttpd and lighttpd-mod-wolfssl, one process) in the server
         namespace of netbench.LinuxPeer, reached across its veth pair
         (10.0.1.1 -> 10.0.1.2:443). Same site (images/site/), same
         development certificate and key (build/https-tap/tls/).
  QEMU   keel: the https image, the x86_64 unikernel on -M microvm under
         TCG (no KVM here), virtio-net on QEMU's user network (SLIRP) with
         a forward 127.0.0.1:10443 -> 10.0.2.15:443. lighttpd cannot run in
         the unikernel: it serves the same site (images/www/) with the same
         certificate (build/https/tls/) on 127.0.0.1:20443, the loopback of
         the same namespace. The rows compare keel under emulation plus
         SLIRP's copying with a native server: they measure the whole
         path, not keel alone. Both run in a network namespace of their
         own that holds only its loopback, so no other process's ports or
         traffic meet them.

What each row measures:

  keep-alive req/s   wrk -t1 -c CONNS -d SECONDS on /style.css (534
                     bytes), CONNS TLS 1.3 connections kept open, each
                     sending its next request when the previous response
                     is in; wrk must report no socket error and no non-2xx
                     response.
  new conns/s        tests/net/tls_handshakes.c: WORKERS processes, each
                     connection after connection: TCP connect, a full TLS
                     1.3 handshake (no session cache on the client, so
                     never a resumption; keel has none on its side either,
                     lighttpd sends session tickets as it does by default),
                     GET /style.css, the response read, close_notify,
                     close. Every connection must succeed.

CONNS and WORKERS: 16 and 4 on TAP; 2 and 1 on QEMU, because SLIRP's
forward listens with a backlog of 1 (its accept queue holds two):
connections opened together overflow it, and each overflow is a SYN that
Linux resends only after 1 s. Even so wrk's first connections sometimes
meet a full queue: a QEMU round line says "[N SYN resent]" when the
namespace's Linux resent SYNs during that side's measurements, and the
QEMU note counts the overflows of the whole path; the median of the
rounds is what the table shows.

Memory: keel's static RAM (data + bss of every object, the number
./build.py size prints: the same under any load) and, for the TAP process,
its peak resident size; lighttpd's peak resident size (VmHWM) after the
rounds. For QEMU also the guest's RAM (-m) and QEMU's own resident size.

After each path's rounds keel's /metrics are compared with those before:
handshake failures, request timeouts, refused connections and TCP
retransmission timeouts during the load are printed, and a failure
(beyond the one per wrk run that check_degradation explains), timeout or
refusal fails the bench, as does a wrk error or a failed connection: the
appliance must not degrade under the load. Each round line shows the
longest wait of each client (wrk's slowest response, tls_handshakes'
slowest connection), where a stall would show.

Pinning and rounds as netbench: everything on one CPU (KEEL_BENCH_CPU),
--runs rounds (default 3), KEEL_BENCH_HTTPS_SECONDS per measurement
(default 5), KEEL_BENCH_HTTPS_CONNS wrk connections on TAP (16). About
2.5 minutes with the defaults.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterator

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests" / "qemu"))
import netbench  # noqa: E402
import netlab  # noqa: E402

TAP_IMAGE = "https-tap"
QEMU_IMAGE = "https"
QEMU_MACHINE = "microvm"
PATH = "/style.css"
ROUNDS = 3
SECONDS = int(os.environ.get("KEEL_BENCH_HTTPS_SECONDS", "5"))
# wrk connections and handshake workers per path. SLIRP's forward listens
# with a backlog of 1 (its accept queue holds 2): more connections opened
# at once overflow it, and each overflow costs a SYN that Linux resends
# only after 1 s.
CONNS_TAP = int(os.environ.get("KEEL_BENCH_HTTPS_CONNS", "16"))
CONNS_QEMU = 2
HS_WORKERS_TAP = 4
HS_WORKERS_QEMU = 1
KEEL_PORT_QEMU = 10443
LIGHTTPD_PORT_QEMU = 20443
LIGHTTPD_PORT_TAP = 443
CLIENT_SLACK_S = 30
# keel's /metrics counters that must not move under load, and those shown.
MUST_STAY = ("keel_tls_handshake_failures_total",
             "keel_https_timeouts_total",
             "keel_https_connections_refused_total")
SHOWN = MUST_STAY + ('keel_net_events_total{counter="tcp.rto"}',)

BenchError = netbench.BenchError


# --------------------------------------------------------------------------
# clients and their reports
# --------------------------------------------------------------------------

def build_handshake_tool() -> Path:
    """tests/net/tls_handshakes.c into build/bench/ (OpenSSL)."""
    src = HERE / "tls_handshakes.c"
    exe = netbench.BENCH_DIR / "tls_handshakes"
    netbench.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if not exe.exists() or exe.stat().st_mtime < src.stat().st_mtime:
        netlab.sh(["gcc", *netbench.CFLAGS, "-o", str(exe), str(src),
                   "-lssl", "-lcrypto"])
    return exe


def wrk_cmd(url: str, conns: int) -> list[str]:
    return ["wrk", "-t1", f"-c{conns}", f"-d{SECONDS}s", "--timeout", "2s",
            url]


def _wrk_time_ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0,
                           "m": 60000.0}[unit]


def parse_wrk(r: subprocess.CompletedProcess[str]) -> dict[str, float]:
    """wrk's report: requests/s, requests, errors, non-2xx, max latency."""
    out = r.stdout
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    total = re.search(r"^\s*(\d+) requests in", out, re.M)
    lat = re.search(r"^\s*Latency\s+\S+\s+\S+\s+([\d.]+)(us|ms|s|m)\b",
                    out, re.M)
    if r.returncode != 0 or not rps or not total or not lat:
        raise BenchError(f"wrk failed ({r.returncode}):\n{out}{r.stderr}")
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write "
                     r"(\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(rps.group(1)), "requests": float(total.group(1)),
            "errors": float(sum(int(g) for g in sock.groups()) if sock
                            else 0),
            "non2xx": float(non2xx.group(1)) if non2xx else 0.0,
            "max_ms": _wrk_time_ms(lat.group(1), lat.group(2))}


def handshake_cmd(tool: Path, ip: str, port: int, workers: int
                  ) -> list[str]:
    return [str(tool), ip, str(port), PATH, str(SECONDS), str(workers),
            str(SECONDS + CLIENT_SLACK_S)]


def parse_handshakes(r: subprocess.CompletedProcess[str]
                     ) -> dict[str, float]:
    m = re.search(r"^tls_handshakes (.*)$", r.stdout, re.M)
    if not m:
        raise BenchError(f"tls_handshakes printed no result:\n{r.stdout}"
                         f"{r.stderr}")
    res = {k: float(v) for k, v in
           (kv.split("=", 1) for kv in m.group(1).split())}
    if r.returncode != 0 or res["errors"]:
        raise BenchError(f"tls_handshakes: {res['errors']:.0f} failed "
                         f"connections:\n{r.stdout}{r.stderr}")
    return res


def check_wrk(who: str, r: dict[str, float]) -> None:
    if r["errors"] or r["non2xx"]:
        raise BenchError(f"wrk against {who}: {r['errors']:.0f} socket "
                         f"errors, {r['non2xx']:.0f} non-2xx responses")


def negotiated(ip: str, port: int, wrap: Callable[[list[str]], list[str]]
               = lambda c: c) -> str:
    """The suite and key exchange group OpenSSL's client gets."""
    r = subprocess.run(wrap(["openssl", "s_client", "-brief", "-tls1_3",
                             "-connect", f"{ip}:{port}"]),
                       input="", capture_output=True, text=True, timeout=20)
    text = r.stdout + r.stderr
    suite = re.search(r"Ciphersuite: (\S+)", text)
    group = re.search(r"(?:Negotiated TLS1.3 group|Server Temp Key): "
                      r"([^,\n]+)", text)
    return (f"{suite.group(1) if suite else '?'} "
            f"{group.group(1).strip() if group else '?'}")


# --------------------------------------------------------------------------
# lighttpd
# --------------------------------------------------------------------------

def lighttpd_conf(work: Path, docroot: Path, tls: Path, ip: str,
                  port: int) -> Path:
    """lighttpd with mod_wolfssl, TLS 1.3 only, serving docroot."""
    text = [
        f'server.document-root = "{docroot}"',
        f'server.bind = "{ip}"',
        f"server.port = {port}",
        f'server.errorlog = "{work}/error.log"',
        f'server.pid-file = "{work}/lighttpd.pid"',
        'server.modules = ("mod_wolfssl")',
        'ssl.engine = "enable"',
        f'ssl.pemfile = "{tls}/cert.pem"',
        f'ssl.privkey = "{tls}/key.pem"',
        # TLS 1.3 only, and keel's order of preference among the suites
        # (wolfSSL's default), so that both serve AES-128-GCM to OpenSSL.
        'ssl.openssl.ssl-conf-cmd = ("MinProtocol" => "TLSv1.3", '
        '"CipherString" => "TLS13-AES128-GCM-SHA256:'
        'TLS13-AES256-GCM-SHA384:TLS13-CHACHA20-POLY1305-SHA256")',
        # lighttpd closes a connection after 1000 requests by default; keel
        # keeps one as long as the client does. Its ceiling (a 16-bit
        # setting) is far beyond a round.
        "server.max-keep-alive-requests = 65535",
        'index-file.names = ("index.html")',
        'mimetype.assign = (".html" => "text/html; charset=utf-8", '
        '".css" => "text/css; charset=utf-8")',
    ]
    conf = work / "lighttpd.conf"
    conf.write_text("\n".join(text) + "\n")
    return conf


def start_lighttpd(conf: Path, ip: str, port: int,
                   wrap: Callable[[list[str]], list[str]] = lambda c: c
                   ) -> subprocess.Popen[str]:
    """lighttpd in the foreground; returns once it accepts connections."""
    netlab.sh(wrap(["lighttpd", "-tt", "-f", str(conf)]))
    p = subprocess.Popen(wrap(["lighttpd", "-D", "-f", str(conf)]),
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + 10
    while True:
        r = subprocess.run(wrap(["bash", "-c", f"exec 3<>/dev/tcp/{ip}/"
                                 f"{port}"]), capture_output=True)
        if r.returncode == 0:
            return p
        if p.poll() is not None or time.monotonic() > deadline:
            netlab.stop_process(p)  # type: ignore[arg-type]
            log = conf.parent / "error.log"
            raise BenchError("lighttpd did not start:\n" + (
                log.read_text() if log.exists() else ""))
        time.sleep(0.1)


# --------------------------------------------------------------------------
# keel's side: memory and counters
# --------------------------------------------------------------------------

def static_ram(b: ModuleType, image: Any) -> int:
    """data + bss of every object of the image (./build.py size's RAM)."""
    _, objs = b.build_image_objs(image, quiet_link=True)
    return sum(s.ram for s in b.module_sizes(objs,
                                             image.target.tools).values())


def rss_kib(pid: int, key: str = "VmHWM") -> int:
    """A process's peak (VmHWM) or current (VmRSS) resident set, KiB."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    m = re.search(rf"^{key}:\s+(\d+) kB", text, re.M)
    return int(m.group(1)) if m else 0


def keel_metrics(url: str, ca: Path) -> dict[str, int]:
    """keel's /metrics as {name with labels: value}."""
    ctx = ssl.create_default_context(cafile=str(ca))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    with urllib.request.urlopen(url, context=ctx, timeout=10) as resp:
        text = resp.read().decode()
    out = {}
    for line in text.splitlines():
        m = re.fullmatch(r"(\S+) (\d+)", line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def metrics_delta(before: dict[str, int], after: dict[str, int]
                  ) -> dict[str, int]:
    return {k: after.get(k, 0) - before.get(k, 0) for k in SHOWN}


def check_degradation(path: str, delta: dict[str, int], wrk_runs: int
                      ) -> str:
    """A note on keel's counters over the rounds; raises when keel failed
    a handshake, timed out or refused a connection. wrk opens one
    connection per run to try the address and closes it before its
    ClientHello, which keel counts as a failed handshake: exactly
    `wrk_runs` of those are expected."""
    failures = delta["keel_tls_handshake_failures_total"] - wrk_runs
    bad = [f"{k} +{v}" for k, v in delta.items()
           if k in MUST_STAY[1:] and v]
    if failures:
        bad.append(f"{failures:+} handshake failures beside wrk's "
                   f"{wrk_runs} address probes")
    if bad:
        raise BenchError(f"keel on the {path} path degraded under the "
                         f"load: {', '.join(bad)}")
    return (f"{path} keel during the rounds (/metrics): handshake failures "
            f"+{delta['keel_tls_handshake_failures_total']} (all wrk's "
            f"address probes), timeouts "
            f"+{delta['keel_https_timeouts_total']}, refused "
            f"+{delta['keel_https_connections_refused_total']}, "
            f"retransmission timeouts +{delta[SHOWN[3]]}")


def tcp_ext(names: tuple[str, ...]) -> dict[str, int]:
    """TcpExt counters of this process's network namespace."""
    lines = Path("/proc/net/netstat").read_text().splitlines()
    out: dict[str, int] = {}
    for head, vals in zip(lines[::2], lines[1::2]):
        if head.startswith("TcpExt:"):
            out = dict(zip(head.split()[1:], map(int, vals.split()[1:])))
    return {n: out.get(n, 0) for n in names}


# --------------------------------------------------------------------------
# rounds
# --------------------------------------------------------------------------

@dataclass
class Side:
    """One server on one path: how to reach it and what it measured."""
    name: str
    ip: str
    port: int
    wrap: Callable[[list[str]], list[str]]
    keepalive: list[dict[str, float]] = field(default_factory=list)
    handshakes: list[dict[str, float]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://{self.ip}:{self.port}{PATH}"


Runner = Callable[[list[str], float], subprocess.CompletedProcess[str]]


def _measure(side: Side, cmd: list[str], run: Runner, timeout: float,
             parse: Callable[[subprocess.CompletedProcess[str]],
                             dict[str, float]],
             syns: Callable[[], int] | None) -> dict[str, float]:
    """One client run; with `syns`, also how many SYNs Linux resent
    meanwhile (each a connection that waited 1 s)."""
    before = syns() if syns else 0
    r = parse(run(side.wrap(cmd), timeout))
    r["syn_resent"] = float(syns() - before if syns else 0)
    return r


def _round_text(s: Side) -> str:
    ka, hs = s.keepalive[-1], s.handshakes[-1]
    late = int(ka["syn_resent"] + hs["syn_resent"])
    return (f"{s.name} {ka['rps']:.0f} req/s (max {ka['max_ms']:.0f} ms) "
            f"{hs['cps']:.0f} conns/s (max {hs['max_ms']:.0f} ms)" +
            (f" [{late} SYN{'s' if late > 1 else ''} resent]" if late
             else ""))


def run_rounds(path: str, sides: list[Side], run: Runner, tool: Path,
               conns: int, workers: int, rounds: int,
               syns: Callable[[], int] | None = None) -> int:
    """Alternate keep-alive and handshake measurements over the sides;
    returns how many times wrk ran against each."""
    for side in sides:  # a short first contact: caches, page faults
        run(side.wrap(["wrk", "-t1", "-c2", "-d1s", side.url]), 30)
    for n in range(rounds):
        for side in sides:
            r = _measure(side, wrk_cmd(side.url, conns), run,
                         SECONDS + CLIENT_SLACK_S, parse_wrk, syns)
            check_wrk(side.name, r)
            side.keepalive.append(r)
        for side in sides:
            side.handshakes.append(_measure(
                side, handshake_cmd(tool, side.ip, side.port, workers), run,
                SECONDS + CLIENT_SLACK_S * 2, parse_handshakes, syns))
        print(f"  {path} round {n + 1}: " +
              ", ".join(_round_text(s) for s in sides), flush=True)
    return rounds + 1


def plain_run(cmd: list[str], timeout: float
              ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


@dataclass
class PathResult:
    """A path's rows and its notes for the summary."""
    path: str
    keel: Side
    peer: Side
    notes: list[str]
    conns: int
    workers: int


def _tap_path(b: ModuleType, tool: Path, rounds: int) -> PathResult:
    image = b.load_image(b.image_path(TAP_IMAGE))
    exe = b.build_image(image, quiet_link=True)
    tls = netbench.ROOT / "build" / TAP_IMAGE / "tls"
    site = image.path.parent / image.values["CONFIG_APP_HTTPS_SITE"]
    port = int(image.values["CONFIG_APP_HTTPS_PORT"])
    with tempfile.TemporaryDirectory(prefix="keel-bench-https-") as tmp, \
            netbench.both_sides(exe) as (lab, peer):
        conf = lighttpd_conf(Path(tmp), site, tls, netbench.SRV_IP,
                             LIGHTTPD_PORT_TAP)
        lp = start_lighttpd(conf, netbench.SRV_IP, LIGHTTPD_PORT_TAP,
                            lambda c: ["ip", "netns", "exec", peer.srv, *c])
        peer.procs.append(lp)
        # Both clients' namespaces reuse TIME_WAIT ports (the client
        # closes first), so that longer runs do not run out of them.
        netlab.sh(["sysctl", "-qw", "net.ipv4.tcp_tw_reuse=1"])
        peer.client(["sysctl", "-qw", "net.ipv4.tcp_tw_reuse=1"], 10)
        keel = Side("keel", lab.keel_ip, port, lambda c: c)
        lighttpd = Side("lighttpd", netbench.SRV_IP, LIGHTTPD_PORT_TAP,
                        peer.wrap)
        suites = (f"keel {negotiated(keel.ip, port)}; lighttpd "
                  f"{negotiated(lighttpd.ip, lighttpd.port, peer.wrap)}")
        print(f"  TAP: keel {TAP_IMAGE} on a TAP device vs lighttpd "
              f"{lighttpd_version()} over a veth pair; {suites}",
              flush=True)

        def run(cmd: list[str], timeout: float
                ) -> subprocess.CompletedProcess[str]:
            return netbench.run_client(lab, cmd, timeout)

        metrics_url = f"https://{lab.keel_ip}:{port}/metrics"
        before = keel_metrics(metrics_url, tls / "cert.pem")
        wrk_runs = run_rounds("TAP", [lighttpd, keel], run, tool,
                              CONNS_TAP, HS_WORKERS_TAP, rounds)
        after = keel_metrics(metrics_url, tls / "cert.pem")
        assert lab.proc
        keel_rss, peer_rss = rss_kib(lab.proc.pid), rss_kib(lp.pid)
    ram = static_ram(b, image)
    notes = [check_degradation("TAP", metrics_delta(before, after),
                               wrk_runs),
             f"TAP memory: keel {TAP_IMAGE} static RAM {ram} bytes "
             f"({ram / 2**20:.1f} MiB), process peak RSS "
             f"{keel_rss * 1024} bytes ({keel_rss / 1024:.1f} MiB); "
             f"lighttpd peak RSS {peer_rss * 1024} bytes "
             f"({peer_rss / 1024:.1f} MiB)"]
    return PathResult("TAP", keel, lighttpd, notes, CONNS_TAP,
                      HS_WORKERS_TAP)


def lighttpd_version() -> str:
    r = netlab.sh(["lighttpd", "-v"], check=False)
    m = re.search(r"lighttpd/(\S+)", r.stdout)
    return f"{m.group(1)} (mod_wolfssl)" if m else "(mod_wolfssl)"


@contextlib.contextmanager
def loopback_namespace() -> Iterator[str]:
    """This process (and every child it starts) in a new network
    namespace with only its loopback up; deleted on the way out."""
    ns = f"{netbench.NS_PREFIX}{os.getpid()}-qemu"
    netbench.remove_stale_namespaces()
    netlab.sh(["ip", "netns", "add", ns])
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    try:
        netlab._setns(f"/run/netns/{ns}")  # noqa: SLF001
        netlab.sh(["ip", "link", "set", "lo", "up"])
        yield ns
    finally:
        netlab._setns(f"/proc/self/fd/{home}")  # noqa: SLF001
        os.close(home)
        netlab.sh(["ip", "netns", "del", ns], check=False)


def _qemu_guest(b: ModuleType, image: Any, elf: Path) -> Any:
    import qemulab  # noqa: E402
    fwd = b.Forward("tcp", KEEL_PORT_QEMU,
                    int(image.values["CONFIG_APP_HTTPS_PORT"]), "https")
    return qemulab.Guest(elf, QEMU_MACHINE, "", net="user", forwards=(fwd,),
                         addr=b.guest_address(image, []))


def _qemu_path(b: ModuleType, tool: Path, rounds: int) -> PathResult:
    image = b.load_image(b.image_path(QEMU_IMAGE))
    elf = b.build_image(image, quiet_link=True)
    tls = netbench.ROOT / "build" / QEMU_IMAGE / "tls"
    site = image.path.parent / image.values["CONFIG_APP_HTTPS_SITE"]
    metrics_url = f"https://127.0.0.1:{KEEL_PORT_QEMU}/metrics"
    ext = ("ListenOverflows", "TCPSynRetrans")
    with tempfile.TemporaryDirectory(prefix="keel-bench-https-") as tmp, \
            loopback_namespace(), _qemu_guest(b, image, elf) as guest:
        guest.wait_for(r"https: serving", 60)
        conf = lighttpd_conf(Path(tmp), site, tls, "127.0.0.1",
                             LIGHTTPD_PORT_QEMU)
        lp = start_lighttpd(conf, "127.0.0.1", LIGHTTPD_PORT_QEMU)
        try:
            keel = Side("keel", "127.0.0.1", KEEL_PORT_QEMU, lambda c: c)
            lighttpd = Side("lighttpd", "127.0.0.1", LIGHTTPD_PORT_QEMU,
                            lambda c: c)
            print(f"  QEMU: keel {QEMU_IMAGE} on -M {QEMU_MACHINE} (TCG) "
                  f"through SLIRP's forward vs lighttpd "
                  f"{lighttpd_version()} on loopback; keel "
                  f"{negotiated(keel.ip, keel.port)}; lighttpd "
                  f"{negotiated(lighttpd.ip, lighttpd.port)}", flush=True)
            before, ext0 = keel_metrics(metrics_url, tls / "cert.pem"), \
                tcp_ext(ext)
            wrk_runs = run_rounds(
                "QEMU", [lighttpd, keel], plain_run, tool, CONNS_QEMU,
                HS_WORKERS_QEMU, rounds,
                lambda: tcp_ext(("TCPSynRetrans",))["TCPSynRetrans"])
            after, ext1 = keel_metrics(metrics_url, tls / "cert.pem"), \
                tcp_ext(ext)
            peer_rss = rss_kib(lp.pid)
            assert guest.proc
            qemu_rss = rss_kib(guest.proc.pid)
        finally:
            netlab.stop_process(lp)  # type: ignore[arg-type]
        if guest.proc and guest.proc.poll() is not None:
            raise BenchError("QEMU exited during the benchmark:\n" +
                             "\n".join(t for _, t in guest.lines[-25:]))
    ram = static_ram(b, image)
    notes = [
        check_degradation("QEMU", metrics_delta(before, after), wrk_runs) +
        "; host side (SLIRP's listening socket): " + ", ".join(
            f"{k} +{ext1[k] - ext0[k]}" for k in ext),
        f"QEMU memory: keel {QEMU_IMAGE} static RAM {ram} bytes "
        f"({ram / 2**20:.1f} MiB) in a {b.QEMU_MEMORY_MB} MiB guest, QEMU "
        f"process peak RSS {qemu_rss / 1024:.1f} MiB; lighttpd peak RSS "
        f"{peer_rss * 1024} bytes ({peer_rss / 1024:.1f} MiB)"]
    return PathResult("QEMU", keel, lighttpd, notes, CONNS_QEMU,
                      HS_WORKERS_QEMU)


# --------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------

def print_table(results: list[PathResult]) -> None:
    med = netbench.median_by
    print(f"  {'row':50} {'keel':>9} {'lighttpd':>9} {'keel/lighttpd':>13}")
    lines = []
    for res in results:
        for what, key, attr in (
                (f"keep-alive req/s (wrk -c{res.conns})", "rps",
                 "keepalive"),
                (f"new TLS 1.3 conns/s ({res.workers} client"
                 f"{'s' if res.workers > 1 else ''}, handshake + GET)", "cps",
                 "handshakes")):
            k = med(getattr(res.keel, attr), key)[key]
            p = med(getattr(res.peer, attr), key)[key]
            label = f"{res.path} {what}"
            print(f"  {label:50} {k:9.0f} {p:9.0f} "
                  f"{netbench.ratio(k, p):>13}")
            lines.append(f"https {label}: keel {k:.0f}, lighttpd {p:.0f}, "
                         f"keel/lighttpd {netbench.ratio(k, p)}")
    for res in results:
        for note in res.notes:
            print(f"  {note}")
    print("\n".join(lines), flush=True)


def bench_https(b: ModuleType, args: argparse.Namespace) -> None:
    if os.geteuid() != 0:
        print("bench https: skipped, needs root for network namespaces")
        return
    rounds = max(1, getattr(args, "runs", None) or ROUNDS)
    try:
        tool = build_handshake_tool()
        results = []
        with netbench.pinned() as where:
            print(f"https: {PATH} from keel and from lighttpd with "
                  f"mod_wolfssl, same file and certificate; keep-alive: wrk "
                  f"-t1 -d{SECONDS}s (-c{CONNS_TAP} on TAP, -c{CONNS_QEMU} "
                  f"on QEMU); new connections: tls_handshakes (full TLS 1.3 "
                  f"handshake, one GET, close) for {SECONDS} s ("
                  f"{HS_WORKERS_TAP} clients on TAP, {HS_WORKERS_QEMU} on "
                  f"QEMU); {where}, {rounds} alternating rounds, "
                  f"median", flush=True)
            results.append(_tap_path(b, tool, rounds))
            results.append(_qemu_path(b, tool, rounds))
        print("  TAP rows: keel (a Linux process on a TAP device) and "
              "lighttpd (over a veth pair), both native. QEMU rows: keel "
              "runs under TCG emulation behind SLIRP's user-mode network, "
              "lighttpd natively on loopback: the ratio is that whole "
              "path's cost, not keel's alone.")
        print_table(results)
    except netbench.FAILURES as e:
        raise b.KeelError(f"bench https: {e}") from None
