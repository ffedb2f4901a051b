"""netbench - keel's speed, always as a ratio against Linux in the same run.

./build.py bench calls bench_ping(b, args), bench_udp(b, args) and
bench_tcp(b, args), where `b` is the running build.py module. Each benchmark
measures twice with the same client tool:

  keel    the echo-tap image (tcp-echo-tap for bench_tcp) in a netlab.Lab:
          keel on a TAP device in a namespace of its own, the client on the
          Linux side (10.0.0.1 -> 10.0.0.2);
  linux   the Linux kernel answering across a veth pair between two
          namespaces this module creates and deletes itself,
          keel-bench-<pid>-cli (10.0.1.1) and keel-bench-<pid>-srv
          (10.0.1.2).

Both sides are up at once and the measurements alternate, linux then keel,
for 5 rounds; the median round of each is reported with keel/linux, and
every round is printed too, since a busy machine makes single runs swing.
Absolute numbers depend on the machine; the ratio is the result.

Everything - client, keel, the Linux server, and so Linux's own packet
processing, which runs in their contexts - is pinned to one CPU (the last
one this process may use; KEEL_BENCH_CPU=N picks another, =none turns
pinning off). Unpinned, each round trip's cost is dominated by where the
scheduler happens to wake the server: on a small VM a wake-up on an idle
second CPU costs tens of microseconds, and runs differ by 5x.

Traffic never leaves those namespaces, every run is bounded in count and
time, and every namespace is deleted on the way out (also those of an
earlier run that died, once its process is gone).

bench_ping   `ping -f -c 20000 -q`: replies/s (received / ping's elapsed
             time) and average rtt.
bench_udp    tests/net/udp_rr.c (built with gcc into build/bench/) sends
             20000 datagrams of 64 and of 1400 bytes one at a time, each
             waiting for its echo: round trips/s and latency percentiles;
             against keel's udp_echo app and tests/net/udp_echo_linux.c.
bench_tcp    tests/net/tcp_bulk.c moves 256 MiB over one connection each
             way: Linux -> keel into the tcp_echo app's sink, keel ->
             Linux from its source; MB/s from connect to the sink's verdict
             or the source's end of stream. Against
             tests/net/tcp_serve_linux.c, which checks and makes the
             pattern byte by byte exactly as the app does. Also prints
             the memory each side may use: keel's static rings from the
             image, its peak RSS, and Linux's tcp_rmem/tcp_wmem limits.

bench_dns    dnsperf for DNS_SECONDS per round with DNS_OUTSTANDING queries in
             flight, over the names and types of the dns-tap image's
             zones (every RRset, a NXDOMAIN and a referral): queries/s
             and average latency, against keel's dns-server (rate
             limiting off: rrl_rate=0) and NSD serving the same zone
             files in the server namespace (one server process,
             rrl-ratelimit 0), each round checked for lost queries.

KEEL_BENCH_PING_COUNT, KEEL_BENCH_UDP_COUNT, KEEL_BENCH_TCP_MIB,
KEEL_BENCH_DNS_SECONDS and KEEL_BENCH_ROUNDS override the counts (for a quick look; compare only runs
of equal counts). Every client is bounded in time too: ping -w 30, udp_rr
stops after 30 s, tcp_bulk after 60 s.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BENCH_DIR = ROOT / "build" / "bench"
sys.path.insert(0, str(HERE))
import netlab  # noqa: E402

IMAGE = "echo-tap"
PING_COUNT = int(os.environ.get("KEEL_BENCH_PING_COUNT", "20000"))
PING_DEADLINE_S = 30
UDP_COUNT = int(os.environ.get("KEEL_BENCH_UDP_COUNT", "20000"))
UDP_SIZES = (64, 1400)
UDP_MAX_S = 30
ROUNDS = int(os.environ.get("KEEL_BENCH_ROUNDS", "5"))
# "none", or a CPU number; default: the last CPU this process may use.
PIN = os.environ.get("KEEL_BENCH_CPU", "")
UDP_PORT_LINUX = 7
NS_PREFIX = "keel-bench-"
CLI_IP = "10.0.1.1"
SRV_IP = "10.0.1.2"
TOOLS = ("udp_rr", "udp_echo_linux", "tcp_bulk", "tcp_serve_linux")
CFLAGS = ("-O2", "-Wall", "-Wextra", "-Werror", "-std=gnu11")


class BenchError(Exception):
    """A benchmark could not measure (keel did not answer, a tool failed)."""


# --------------------------------------------------------------------------
# tools and parsing
# --------------------------------------------------------------------------

def build_tools() -> dict[str, Path]:
    """Compile the C tools into build/bench/ when their source is newer."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    out = {}
    for name in TOOLS:
        src = HERE / f"{name}.c"
        exe = BENCH_DIR / name
        if not exe.exists() or exe.stat().st_mtime < src.stat().st_mtime:
            netlab.sh(["gcc", *CFLAGS, "-o", str(exe), str(src)])
        out[name] = exe
    return out


def parse_ping(text: str) -> dict[str, float]:
    """The summary of `ping -q`: sent, received, elapsed ms, rtt avg ms."""
    m = re.search(r"(\d+) packets transmitted, (\d+) received.*?"
                  r"time (\d+)ms", text)
    rtt = re.search(r"= [\d.]+/([\d.]+)/([\d.]+)/[\d.]+ ms", text)
    if not m or not rtt:
        raise BenchError(f"cannot read ping's summary:\n{text.strip()}")
    sent, received, ms = (int(g) for g in m.groups())
    return {"sent": sent, "received": received, "ms": ms,
            "rtt_ms": float(rtt.group(1)), "rtt_max_ms": float(rtt.group(2)),
            "rps": received / (ms / 1000.0) if ms else 0.0}


def parse_udp_rr(text: str) -> dict[str, float]:
    m = re.search(r"^udp_rr (.*)$", text, re.M)
    if not m:
        raise BenchError(f"udp_rr printed no result:\n{text.strip()}")
    return {k: float(v) for k, v in
            (kv.split("=", 1) for kv in m.group(1).split())}


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


# --------------------------------------------------------------------------
# the Linux peer: two namespaces joined by a veth pair
# --------------------------------------------------------------------------

def remove_stale_namespaces() -> None:
    """Delete keel-bench-<pid>-* namespaces whose process is gone."""
    r = netlab.sh(["ip", "netns", "list"], check=False)
    for line in r.stdout.splitlines():
        name = line.split()[0] if line.strip() else ""
        m = re.fullmatch(rf"{NS_PREFIX}(\d+)-\w+", name)
        if m and not Path(f"/proc/{m.group(1)}").exists():
            netlab.sh(["ip", "netns", "del", name], check=False)


class LinuxPeer:
    """Linux answering Linux: a client namespace and a server namespace
    joined by a veth pair. Use as a context manager."""

    def __init__(self) -> None:
        self.cli = f"{NS_PREFIX}{os.getpid()}-cli"
        self.srv = f"{NS_PREFIX}{os.getpid()}-srv"
        self.procs: list[subprocess.Popen[str]] = []

    def __enter__(self) -> "LinuxPeer":
        remove_stale_namespaces()
        try:
            for ns in (self.cli, self.srv):
                netlab.sh(["ip", "netns", "add", ns])
                netlab.sh(["ip", "-n", ns, "link", "set", "lo", "up"])
            netlab.sh(["ip", "-n", self.cli, "link", "add", "kbench0",
                       "type", "veth", "peer", "name", "kbench1", "netns",
                       self.srv])
            for ns, dev, ip in ((self.cli, "kbench0", CLI_IP),
                                (self.srv, "kbench1", SRV_IP)):
                netlab.sh(["ip", "-n", ns, "addr", "add", f"{ip}/24", "dev",
                           dev])
                netlab.sh(["ip", "-n", ns, "link", "set", dev, "up"])
            # A first exchange resolves ARP and waits out link setup.
            self.wait_reachable()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.procs.clear()
        for ns in (self.cli, self.srv):
            netlab.sh(["ip", "netns", "del", ns], check=False)

    def wait_reachable(self) -> None:
        deadline = time.monotonic() + 10
        while True:
            r = self.client(["ping", "-c", "1", "-W", "1", SRV_IP],
                            timeout=5, check=False)
            if r.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise BenchError(f"veth peer {SRV_IP} unreachable:\n"
                                 f"{r.stdout}{r.stderr}")
            time.sleep(0.2)

    def wrap(self, cmd: list[str]) -> list[str]:
        """`cmd` to run in the client namespace."""
        return ["ip", "netns", "exec", self.cli, *cmd]

    def client(self, cmd: list[str], timeout: float,
               check: bool = True) -> subprocess.CompletedProcess[str]:
        return netlab.sh(self.wrap(cmd), check=check, timeout=timeout)

    def start_server(self, cmd: list[str]) -> None:
        """Start a server in the server namespace; wait for "ready"."""
        p = subprocess.Popen(["ip", "netns", "exec", self.srv, *cmd],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        self.procs.append(p)
        line = p.stdout.readline() if p.stdout else ""
        if "ready" not in line:
            raise BenchError(f"{cmd[0]} did not start: {line.strip()}")


# --------------------------------------------------------------------------
# keel's side
# --------------------------------------------------------------------------

def keel_image(b: ModuleType, name: str) -> tuple[Path, dict[str, Any]]:
    """Build an image; its executable and its configuration values."""
    image = b.load_image(b.image_path(name))
    exe = b.build_image(image, quiet_link=True)
    return exe, dict(image.values)


def keel_exe(b: ModuleType) -> tuple[Path, int]:
    """Build echo-tap; its executable and its echo port."""
    exe, values = keel_image(b, IMAGE)
    return exe, int(values.get("CONFIG_APP_UDP_ECHO_PORT", 7))


def run_client(lab: netlab.Lab, cmd: list[str], timeout: float
               ) -> subprocess.CompletedProcess[str]:
    """Run a client to completion while draining keel's console, so that
    keel never blocks on a full pipe mid-measurement."""
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    deadline = time.monotonic() + timeout
    while True:
        try:
            out, err = p.communicate(timeout=0.2)
            break
        except subprocess.TimeoutExpired:
            lab._read_log()  # noqa: SLF001 - netlab's own reader
            if time.monotonic() > deadline:
                p.kill()
                p.communicate()
                raise BenchError(f"{cmd[0]} did not finish in {timeout} s")
    if not lab.alive():
        raise BenchError("keel exited during the benchmark:\n" +
                         lab.log.decode(errors="replace")[-2000:])
    return subprocess.CompletedProcess(cmd, p.returncode, out, err)


@contextlib.contextmanager
def both_sides(exe: Path, keel_args: list[str] | None = None
               ) -> Iterator[tuple[netlab.Lab, LinuxPeer]]:
    """keel in a Lab (this process enters its namespace) and the Linux
    peer, both up at once so that rounds can alternate between them."""
    with LinuxPeer() as peer, netlab.Lab(exe, extra_args=keel_args) as lab:
        r = subprocess.run(["ping", "-c", "3", "-i", "0.2", "-W", "1",
                            lab.keel_ip], capture_output=True, text=True,
                           timeout=10, stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            raise BenchError(f"keel at {lab.keel_ip} does not answer ping:"
                             f"\n{r.stdout}{r.stderr}")
        yield lab, peer


def median_by(runs: list[dict[str, float]], key: str) -> dict[str, float]:
    """The run whose `key` is the median (the lower one of an even count)."""
    return sorted(runs, key=lambda r: r[key])[(len(runs) - 1) // 2]


@contextlib.contextmanager
def pinned() -> Iterator[str]:
    """This process, and so every child it starts, on one CPU; yields a
    description for the report."""
    before = os.sched_getaffinity(0)
    if PIN == "none":
        yield "unpinned"
        return
    cpu = int(PIN) if PIN else max(before)
    os.sched_setaffinity(0, {cpu})
    try:
        yield f"all on CPU {cpu}"
    finally:
        os.sched_setaffinity(0, before)


# What a failed measurement raises; build.py reports its KeelError plainly.
FAILURES = (BenchError, RuntimeError, OSError, subprocess.TimeoutExpired)


# --------------------------------------------------------------------------
# ping flood
# --------------------------------------------------------------------------

def ping_cmd(ip: str) -> list[str]:
    return ["ping", "-f", "-q", "-c", str(PING_COUNT), "-w",
            str(PING_DEADLINE_S), ip]


def _ping_line(who: str, r: dict[str, float]) -> str:
    lost = int(r["sent"] - r["received"])
    return (f"  {who:6} {r['rps']:9.0f} replies/s  rtt avg "
            f"{r['rtt_ms']:.3f} ms  max {r['rtt_max_ms']:.3f} ms  "
            f"{int(r['received'])}/{int(r['sent'])} in {r['ms'] / 1000:.2f} s"
            f"{f'  LOST {lost}' if lost else ''}")


def bench_ping(b: ModuleType, args: argparse.Namespace) -> None:
    if os.geteuid() != 0:
        print("bench ping: skipped, needs root for network namespaces")
        return
    try:
        _bench_ping(b)
    except FAILURES as e:
        raise b.KeelError(f"bench ping: {e}") from None


def _bench_ping(b: ModuleType) -> None:
    exe, _ = keel_exe(b)
    keel: list[dict[str, float]] = []
    linux: list[dict[str, float]] = []
    with pinned() as where, both_sides(exe) as (lab, peer):
        print(f"ping flood: ping -f -c {PING_COUNT}, 56-byte payload, keel "
              f"over TAP vs Linux over veth, {where}, {ROUNDS} alternating "
              f"rounds, median", flush=True)
        for n in range(ROUNDS):
            r = run_client(lab, peer.wrap(ping_cmd(SRV_IP)),
                           PING_DEADLINE_S + 30)
            linux.append(parse_ping(r.stdout))
            r = run_client(lab, ping_cmd(lab.keel_ip), PING_DEADLINE_S + 30)
            keel.append(parse_ping(r.stdout))
            print(f"  round {n + 1}: keel {keel[-1]['rps']:.0f} replies/s, "
                  f"linux {linux[-1]['rps']:.0f} replies/s", flush=True)
    k, lx = median_by(keel, "rps"), median_by(linux, "rps")
    k_rtt = median_by(keel, "rtt_ms")["rtt_ms"]
    l_rtt = median_by(linux, "rtt_ms")["rtt_ms"]
    print(_ping_line("keel", k))
    print(_ping_line("linux", lx))
    print(f"ping flood: keel {k['rps']:.0f} replies/s (rtt {k_rtt:.3f} ms), "
          f"linux {lx['rps']:.0f} replies/s (rtt {l_rtt:.3f} ms), "
          f"keel/linux {ratio(k['rps'], lx['rps'])} (rtt keel/linux "
          f"{ratio(k_rtt, l_rtt)})", flush=True)


# --------------------------------------------------------------------------
# UDP echo round trips
# --------------------------------------------------------------------------

def udp_rr_cmd(tool: Path, ip: str, port: int, size: int) -> list[str]:
    return [str(tool), ip, str(port), str(size), str(UDP_COUNT), "100",
            str(UDP_MAX_S)]


def bench_udp(b: ModuleType, args: argparse.Namespace) -> None:
    if os.geteuid() != 0:
        print("bench udp: skipped, needs root for network namespaces")
        return
    try:
        _bench_udp(b)
    except FAILURES as e:
        raise b.KeelError(f"bench udp: {e}") from None


def _udp_rounds(exe: Path, port: int, tools: dict[str, Path]
                ) -> tuple[dict[int, list[dict[str, float]]],
                           dict[int, list[dict[str, float]]]]:
    keel: dict[int, list[dict[str, float]]] = {s: [] for s in UDP_SIZES}
    linux: dict[int, list[dict[str, float]]] = {s: [] for s in UDP_SIZES}
    rr = tools["udp_rr"]
    with pinned() as where, both_sides(exe) as (lab, peer):
        print(f"udp echo: {UDP_COUNT} round trips per size, one datagram "
              f"in flight, keel's udp_echo over TAP vs udp_echo_linux over "
              f"veth, {where}, {ROUNDS} alternating rounds, median",
              flush=True)
        peer.start_server([str(tools["udp_echo_linux"]),
                           str(UDP_PORT_LINUX), "1800"])
        for n in range(ROUNDS):
            for size in UDP_SIZES:
                r = run_client(lab, peer.wrap(udp_rr_cmd(
                    rr, SRV_IP, UDP_PORT_LINUX, size)), UDP_MAX_S + 30)
                linux[size].append(parse_udp_rr(r.stdout + r.stderr))
                r = run_client(lab, udp_rr_cmd(rr, lab.keel_ip, port, size),
                               UDP_MAX_S + 30)
                keel[size].append(parse_udp_rr(r.stdout + r.stderr))
                print(f"  round {n + 1}, {size:4} B: keel "
                      f"{keel[size][-1]['rps']:.0f} rt/s, linux "
                      f"{linux[size][-1]['rps']:.0f} rt/s", flush=True)
    return keel, linux


def _bench_udp(b: ModuleType) -> None:
    tools = build_tools()
    exe, port = keel_exe(b)
    keel_runs, linux_runs = _udp_rounds(exe, port, tools)
    print(f"  {'size':>5} {'keel rt/s':>10} {'linux rt/s':>10} "
          f"{'keel/linux':>10}   {'p50 us keel':>11} {'linux':>6}   "
          f"{'p99 us keel':>11} {'linux':>6}   lost keel/linux")
    summary = []
    for size in UDP_SIZES:
        k = median_by(keel_runs[size], "rps")
        lx = median_by(linux_runs[size], "rps")
        lost_k = sum(int(r["lost"] + r["corrupt"]) for r in keel_runs[size])
        lost_l = sum(int(r["lost"] + r["corrupt"])
                     for r in linux_runs[size])
        print(f"  {size:5} {k['rps']:10.0f} {lx['rps']:10.0f} "
              f"{ratio(k['rps'], lx['rps']):>10}   {k['p50_us']:11.1f} "
              f"{lx['p50_us']:6.1f}   {k['p99_us']:11.1f} "
              f"{lx['p99_us']:6.1f}   {lost_k}/{lost_l}")
        summary.append(f"udp echo {size} B: keel {k['rps']:.0f} round "
                       f"trips/s (p50 {k['p50_us']:.1f} us), linux "
                       f"{lx['rps']:.0f} round trips/s (p50 "
                       f"{lx['p50_us']:.1f} us), keel/linux "
                       f"{ratio(k['rps'], lx['rps'])}")
    print("\n".join(summary), flush=True)


# --------------------------------------------------------------------------
# bulk TCP
# --------------------------------------------------------------------------

TCP_IMAGE = "tcp-echo-tap"
TCP_MIB = int(os.environ.get("KEEL_BENCH_TCP_MIB", "256"))
TCP_MAX_S = 60
TCP_SINK_LINUX = 9
TCP_SOURCE_LINUX = 19
# tcp_bulk's mode and what it measures on keel's side.
TCP_DIRS = (("send", "Linux->keel"), ("recv", "keel->Linux"))


def tcp_bulk_cmd(tool: Path, mode: str, ip: str, port: int,
                 nbytes: int) -> list[str]:
    return [str(tool), mode, ip, str(port), str(nbytes), str(TCP_MAX_S)]


def parse_tcp_bulk(r: subprocess.CompletedProcess[str]) -> dict[str, float]:
    m = re.search(r"^tcp_bulk (.*)$", r.stdout, re.M)
    if r.returncode != 0 or not m:
        raise BenchError(f"tcp_bulk failed ({r.returncode}):\n"
                         f"{(r.stdout + r.stderr).strip()}")
    fields = dict(kv.split("=", 1) for kv in m.group(1).split())
    return {k: float(v) for k, v in fields.items() if k != "dir"}


def bench_tcp(b: ModuleType, args: argparse.Namespace) -> None:
    if os.geteuid() != 0:
        print("bench tcp: skipped, needs root for network namespaces")
        return
    try:
        _bench_tcp(b)
    except FAILURES as e:
        raise b.KeelError(f"bench tcp: {e}") from None


def _peak_rss_kib(pid: int) -> int:
    """A process's peak resident set (VmHWM), 0 when unknown."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    m = re.search(r"^VmHWM:\s+(\d+) kB", text, re.M)
    return int(m.group(1)) if m else 0


def _linux_tcp_mem(peer: LinuxPeer) -> str:
    """Linux's per-connection buffer limits in the peer's namespace."""
    r = peer.client(["cat", "/proc/sys/net/ipv4/tcp_rmem",
                     "/proc/sys/net/ipv4/tcp_wmem"], timeout=5, check=False)
    lines = r.stdout.split("\n")
    if r.returncode != 0 or len(lines) < 2:
        return "linux buffer limits unknown"
    rmax, wmax = (int(line.split()[2]) // 1024 for line in lines[:2])
    return (f"linux autotunes each socket's buffers up to {rmax} KiB rx "
            f"(tcp_rmem) / {wmax} KiB tx (tcp_wmem)")


def _keel_tcp_mem(values: dict[str, Any], rss_kib: int) -> str:
    rx = int(values["CONFIG_TCP_RX_RING"]) // 1024
    tx = int(values["CONFIG_TCP_TX_RING"]) // 1024
    socks = int(values["CONFIG_TCP_SOCKETS"])
    return (f"keel {rx} KiB rx + {tx} KiB tx ring per connection, static "
            f"({socks} sockets: {socks * (rx + tx) // 1024} MiB), process "
            f"peak RSS {rss_kib / 1024:.1f} MiB")


TcpRuns = dict[str, list[dict[str, float]]]


def _tcp_transfer(lab: netlab.Lab, cmd: list[str]) -> dict[str, float]:
    return parse_tcp_bulk(run_client(lab, cmd, TCP_MAX_S + 30))


def _tcp_rounds(exe: Path, values: dict[str, Any], tools: dict[str, Path]
                ) -> tuple[TcpRuns, TcpRuns, str]:
    nbytes = TCP_MIB * 1024 * 1024
    ports = {"send": int(values["CONFIG_APP_TCP_ECHO_SINK_PORT"]),
             "recv": int(values["CONFIG_APP_TCP_ECHO_SOURCE_PORT"])}
    linux_ports = {"send": TCP_SINK_LINUX, "recv": TCP_SOURCE_LINUX}
    keel: TcpRuns = {mode: [] for mode, _ in TCP_DIRS}
    linux: TcpRuns = {mode: [] for mode, _ in TCP_DIRS}
    tool = tools["tcp_bulk"]
    with pinned() as where, both_sides(exe) as (lab, peer):
        print(f"tcp bulk: {TCP_MIB} MiB per transfer each way, "
              f"tests/net/tcp_bulk.c against keel's tcp_echo sink/source "
              f"over TAP vs tcp_serve_linux over veth, {where}, {ROUNDS} "
              f"alternating rounds, median", flush=True)
        peer.start_server([str(tools["tcp_serve_linux"]),
                           str(TCP_SINK_LINUX), str(TCP_SOURCE_LINUX),
                           "1800"])
        # A first small transfer each way: ARP, caches, page faults.
        for mode, _ in TCP_DIRS:
            _tcp_transfer(lab, peer.wrap(tcp_bulk_cmd(
                tool, mode, SRV_IP, linux_ports[mode], 1 << 20)))
            _tcp_transfer(lab, tcp_bulk_cmd(tool, mode, lab.keel_ip,
                                            ports[mode], 1 << 20))
        for n in range(ROUNDS):
            for mode, label in TCP_DIRS:
                linux[mode].append(_tcp_transfer(lab, peer.wrap(
                    tcp_bulk_cmd(tool, mode, SRV_IP, linux_ports[mode],
                                 nbytes))))
                keel[mode].append(_tcp_transfer(lab, tcp_bulk_cmd(
                    tool, mode, lab.keel_ip, ports[mode], nbytes)))
                print(f"  round {n + 1}, {label:11}: keel "
                      f"{keel[mode][-1]['mbps']:.0f} MB/s, linux "
                      f"{linux[mode][-1]['mbps']:.0f} MB/s", flush=True)
        assert lab.proc
        rss = _peak_rss_kib(lab.proc.pid)
        mem = (f"memory: {_keel_tcp_mem(values, rss)}; "
               f"{_linux_tcp_mem(peer)}")
    return keel, linux, mem


def _bench_tcp(b: ModuleType) -> None:
    tools = build_tools()
    exe, values = keel_image(b, TCP_IMAGE)
    keel_runs, linux_runs, mem = _tcp_rounds(exe, values, tools)
    summary = []
    for mode, label in TCP_DIRS:
        k = median_by(keel_runs[mode], "mbps")["mbps"]
        lx = median_by(linux_runs[mode], "mbps")["mbps"]
        ks = sorted(r["mbps"] for r in keel_runs[mode])
        ls = sorted(r["mbps"] for r in linux_runs[mode])
        print(f"  {label:11} rounds: keel {ks[0]:.0f}..{ks[-1]:.0f} MB/s, "
              f"linux {ls[0]:.0f}..{ls[-1]:.0f} MB/s")
        summary.append(f"tcp {label} {TCP_MIB} MiB: keel {k:.0f} MB/s, "
                       f"linux veth {lx:.0f} MB/s, ratio {ratio(k, lx)}")
    print(mem)
    print("\n".join(summary), flush=True)


# --------------------------------------------------------------------------
# DNS queries per second
# --------------------------------------------------------------------------

DNS_IMAGE = "dns-tap"
DNS_SECONDS = int(os.environ.get("KEEL_BENCH_DNS_SECONDS", "10"))
DNS_OUTSTANDING = 100


def dns_query_file(values: dict[str, Any], path: Path) -> list[Path]:
    """Write dnsperf's input for the image's zones; returns the zone
    files. Names and types come from the zone files through zonec."""
    import zonec  # noqa: E402 (the repository root is on sys.path)
    zones = [ROOT / f for f in values["CONFIG_APP_DNS_SERVER_ZONES"]]
    lines = []
    for z in zonec.load_zones(zones, ROOT):
        for owner, sets in sorted(z.nodes.items()):
            for rtype in sorted(sets):
                lines.append(f"{zonec.name_text(owner)} "
                             f"{zonec.TYPE_NAMES[rtype]}")
        lines.append(f"no-such-name.{zonec.name_text(z.apex)} A")
    path.write_text("\n".join(lines) + "\n")
    return zones


def nsd_conf(work: Path, zones: list[Path]) -> Path:
    """An NSD configuration serving `zones` on SRV_IP:53, all state in
    `work`."""
    import zonec  # noqa: E402
    text = [
        "server:",
        f"  ip-address: {SRV_IP}",
        "  port: 53",
        '  username: ""',
        '  chroot: ""',
        f'  zonesdir: "{work}"',
        f'  pidfile: "{work}/nsd.pid"',
        f'  xfrdfile: "{work}/xfrd.state"',
        f'  zonelistfile: "{work}/zone.list"',
        f'  logfile: "{work}/nsd.log"',
        "  server-count: 1",
        "  rrl-ratelimit: 0",
        "  hide-version: yes",
        "remote-control:",
        "  control-enable: no",
    ]
    for z in zonec.load_zones(zones, ROOT):
        text += ["zone:", f"  name: {zonec.name_text(z.apex)}",
                 f'  zonefile: "{ROOT / z.fname}"']
    conf = work / "nsd.conf"
    conf.write_text("\n".join(text) + "\n")
    return conf


def start_nsd(peer: LinuxPeer, conf: Path) -> None:
    p = subprocess.Popen(["ip", "netns", "exec", peer.srv, "nsd", "-d",
                          "-c", str(conf)], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    peer.procs.append(p)
    deadline = time.monotonic() + 15
    while True:
        r = peer.client(["dig", f"@{SRV_IP}", "+time=1", "+tries=1",
                         "+short", "example.com", "SOA"], timeout=5,
                        check=False)
        if r.returncode == 0 and r.stdout.strip():
            return
        if p.poll() is not None or time.monotonic() > deadline:
            log = (conf.parent / "nsd.log")
            raise BenchError("nsd did not start:\n" + (
                log.read_text() if log.exists() else ""))
        time.sleep(0.3)


def dnsperf_cmd(ip: str, qfile: Path) -> list[str]:
    return ["dnsperf", "-s", ip, "-d", str(qfile), "-l", str(DNS_SECONDS),
            "-q", str(DNS_OUTSTANDING), "-t", "2"]


def parse_dnsperf(r: subprocess.CompletedProcess[str]) -> dict[str, float]:
    out = r.stdout
    fields = {"sent": r"Queries sent:\s+(\d+)",
              "lost": r"Queries lost:\s+(\d+)",
              "qps": r"Queries per second:\s+([\d.]+)",
              "lat_ms": r"Average Latency \(s\):\s+([\d.]+)"}
    res = {}
    for k, pat in fields.items():
        m = re.search(pat, out)
        if not m:
            raise BenchError(f"cannot read dnsperf's report:\n{out}"
                             f"{r.stderr}")
        res[k] = float(m.group(1))
    res["lat_ms"] *= 1000
    return res


def bench_dns(b: ModuleType, args: argparse.Namespace) -> None:
    if os.geteuid() != 0:
        print("bench dns: skipped, needs root for network namespaces")
        return
    try:
        _bench_dns(b)
    except FAILURES as e:
        raise b.KeelError(f"bench dns: {e}") from None


def _bench_dns(b: ModuleType) -> None:
    import tempfile
    exe, values = keel_image(b, DNS_IMAGE)
    keel: list[dict[str, float]] = []
    nsd: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="keel-bench-dns-") as tmp:
        work = Path(tmp)
        qfile = work / "queries.txt"
        zones = dns_query_file(values, qfile)
        conf = nsd_conf(work, zones)
        with pinned() as where, both_sides(exe, ["rrl_rate=0"]) as (lab,
                                                                    peer):
            start_nsd(peer, conf)
            print(f"dns: dnsperf -l {DNS_SECONDS} -q {DNS_OUTSTANDING} over "
                  f"{len(qfile.read_text().splitlines())} names of "
                  f"{', '.join(p.name for p in zones)}; keel's dns-server "
                  f"over TAP vs NSD over veth, {where}, {ROUNDS} "
                  f"alternating rounds, median", flush=True)
            for n in range(ROUNDS):
                r = run_client(lab, peer.wrap(dnsperf_cmd(SRV_IP, qfile)),
                               DNS_SECONDS + 30)
                nsd.append(parse_dnsperf(r))
                r = run_client(lab, dnsperf_cmd(lab.keel_ip, qfile),
                               DNS_SECONDS + 30)
                keel.append(parse_dnsperf(r))
                print(f"  round {n + 1}: keel {keel[-1]['qps']:.0f} q/s "
                      f"(lost {keel[-1]['lost']:.0f}), nsd "
                      f"{nsd[-1]['qps']:.0f} q/s (lost "
                      f"{nsd[-1]['lost']:.0f})", flush=True)
    k, n_ = median_by(keel, "qps"), median_by(nsd, "qps")
    for who, r in (("keel", k), ("nsd", n_)):
        print(f"  {who:5} {r['qps']:9.0f} queries/s  latency avg "
              f"{r['lat_ms']:.3f} ms  {r['sent']:.0f} sent, "
              f"{r['lost']:.0f} lost")
    print(f"dns: keel {k['qps']:.0f} queries/s, nsd {n_['qps']:.0f} "
          f"queries/s, keel/nsd {ratio(k['qps'], n_['qps'])}", flush=True)
