"""Helpers for the qemu tier: boot an x86_64 or aarch64 image in QEMU, collect its
console lines with the host time each arrived, and report cases.

A script is run as

    python3 tests/qemu/test_NAME.py --keel build/echo-x86/keel.elf [-k FILTER]

and prints one line per case (ok / FAIL / skip), as the net tier does. The
QEMU command line is build.py's qemu_command(), the one ./build.py run uses.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import socket
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
import build  # noqa: E402

MACHINES = build.QEMU_MACHINES
# A kernel log line: "[     1.234] info  message".
STAMP = re.compile(r"^\[\s*(\d+)\.(\d{3})\] (\w+)\s+(.*)$")


@dataclasses.dataclass
class Boot:
    """One boot: console lines with host arrival times (s since QEMU was
    started), QEMU's exit status and the run's wall time."""
    machine: str
    cmdline: str
    lines: list[tuple[float, str]]
    status: int
    elapsed: float
    timed_out: bool
    target: str = "x86_64"

    @property
    def text(self) -> str:
        return "\n".join(line for _, line in self.lines)

    @property
    def code(self) -> int | None:
        return build.qemu_exit_code(self.status, self.target)

    def find(self, pattern: str) -> re.Match[str] | None:
        for _, line in self.lines:
            m = re.search(pattern, line)
            if m:
                return m
        return None

    def arrival(self, pattern: str) -> float | None:
        """Host time at which the first line matching pattern arrived."""
        for t, line in self.lines:
            if re.search(pattern, line):
                return t
        return None

    def stamp(self, pattern: str) -> float | None:
        """The kernel's own time stamp of the first matching line, s."""
        for _, line in self.lines:
            m = STAMP.match(line)
            if m and re.search(pattern, m.group(4)):
                return int(m.group(1)) + int(m.group(2)) / 1000
        return None

    def stats(self) -> dict[str, int]:
        out = {}
        for _, line in self.lines:
            m = re.match(r"^stat (\S+) (\d+)$", line)
            if m:
                out[m.group(1)] = int(m.group(2))
        return out

    def expect(self, pattern: str, what: str = "") -> re.Match[str]:
        m = self.find(pattern)
        if not m:
            raise AssertionError(f"{what or pattern!r} not on the console "
                                 f"({self.describe()})\n{self.tail()}")
        return m

    def expect_code(self, code: int) -> None:
        if self.code != code:
            status = code if self.target == "aarch64" else code << 1 | 1
            raise AssertionError(f"expected exit code {code} (QEMU status "
                                 f"{status}), got {self.describe()}"
                                 f"\n{self.tail()}")

    def describe(self) -> str:
        if self.timed_out:
            return f"no exit within the time limit on {self.machine}"
        return (f"QEMU status {self.status} (exit code {self.code}) on "
                f"{self.machine} after {self.elapsed:.2f} s")

    def tail(self, n: int = 25) -> str:
        return "\n".join(line for _, line in self.lines[-n:])


class Guest:
    """QEMU running an image in the background while a test talks to it,
    for `with`: console lines collected as they come, QEMU killed (and
    passt stopped) on leaving. x86_64 and aarch64 images alike.

    net: "none" (no virtio device: the command line brings netdev=null),
    "rng" (virtio-rng only), "user" or "passt" (virtio-net on that
    network, virtio-rng, `forwards` on 127.0.0.1), as build.py's
    qemu_network(). `addr` is the guest's static address, for SLIRP's
    network and passt's -a/-g; None for DHCP. `extra` arguments go at the
    end of QEMU's command line.
    """

    def __init__(self, elf: Path | str, machine: str, cmdline: str,
                 cpu: str = "max", memory_mb: int = build.QEMU_MEMORY_MB,
                 net: str = "none",
                 forwards: tuple[build.Forward, ...] = (),
                 addr: build.GuestAddress | None = None,
                 target: str = "x86_64",
                 extra: tuple[str, ...] = ()) -> None:
        self.machine, self.cmdline, self.target = machine, cmdline, target
        devices, self.passt = build.qemu_network(machine, net, forwards,
                                                 addr)
        self.cmd = [*build.qemu_command(Path(elf), machine, cmdline,
                                        cpu=cpu, memory_mb=memory_mb,
                                        target=target, devices=devices),
                    *extra]
        self.lines: list[tuple[float, str]] = []
        self.proc: subprocess.Popen[bytes] | None = None
        self.t0 = 0.0
        self._reader: threading.Thread | None = None

    def __enter__(self) -> "Guest":
        if self.passt:
            self.passt.__enter__()
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        assert self.proc and self.proc.stdout
        for raw in self.proc.stdout:
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.lines.append((time.monotonic() - self.t0, text))

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.passt:
            self.passt.__exit__()

    def wait_for(self, pattern: str, timeout: float = 30) -> re.Match[str]:
        """The first console line matching pattern, waiting for it."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for _, line in self.lines[seen:]:
                m = re.search(pattern, line)
                if m:
                    return m
                seen += 1
            if self.proc and self.proc.poll() is not None and \
               (not self._reader or not self._reader.is_alive()) and \
               seen == len(self.lines):
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
        tail = "\n".join(line for _, line in self.lines[-25:])
        raise AssertionError(f"{pattern!r} not on the console within "
                             f"{timeout:.0f} s on {self.machine}\n{tail}")

    def wait(self, timeout: float = 60) -> Boot:
        """Wait for QEMU to exit (kill it after `timeout` s): the Boot."""
        assert self.proc
        timed_out = False
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            self.proc.kill()
            self.proc.wait()
        elapsed = time.monotonic() - self.t0
        if self._reader:
            self._reader.join(timeout=5)
        return Boot(self.machine, self.cmdline, list(self.lines),
                    self.proc.returncode, elapsed, timed_out, self.target)


def boot(elf: Path | str, machine: str, cmdline: str, cpu: str = "max",
         timeout: float = 60,
         memory_mb: int = build.QEMU_MEMORY_MB, target: str = "x86_64",
         net: str = "none", forwards: tuple[build.Forward, ...] = (),
         extra: tuple[str, ...] = ()) -> Boot:
    """Boot until QEMU exits (or kill it after `timeout` seconds): a Guest
    (see there for `net`, `forwards` and `extra`) waited for."""
    with Guest(elf, machine, cmdline, cpu=cpu, memory_mb=memory_mb,
               net=net, forwards=forwards, target=target, extra=extra) as g:
        return g.wait(timeout)


def free_port(proto: str = "tcp") -> int:
    """A port on 127.0.0.1 nothing listens on just now."""
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _bindable(proto: str, port: int) -> bool:
    kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
    with socket.socket(socket.AF_INET, kind) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_forwards(ports: list[tuple[str, int, str]]
                  ) -> tuple[build.Forward, ...]:
    """A forward from a free port on 127.0.0.1 for each (protocol, guest
    port, what), as build.app_ports() lists them. A guest port served over
    both UDP and TCP gets the same host port for both, as clients such as
    dig -p expect."""
    protos: dict[int, list[str]] = {}
    for proto, port, _ in ports:
        protos.setdefault(port, []).append(proto)
    host: dict[int, int] = {}
    for port, ps in protos.items():
        for _ in range(100):
            cand = free_port(ps[0])
            if cand not in host.values() and \
               all(_bindable(p, cand) for p in ps):
                host[port] = cand
                break
        else:
            raise AssertionError(f"no free host port for guest port {port}")
    return tuple(build.Forward(proto, host[port], port, what)
                 for proto, port, what in ports)


class Skip(Exception):
    """Raised by a case that cannot run here."""


class Cases:
    """Runs a script's cases and prints one line per case."""

    def __init__(self, group: str) -> None:
        p = argparse.ArgumentParser()
        p.add_argument("--keel", required=True)
        p.add_argument("--image", default="",
                       help="the image --keel was built from (the tier "
                       "passes it; default: the script's IMAGE)")
        p.add_argument("-k", dest="filter", default="")
        self.args = p.parse_args()
        self.elf = Path(self.args.keel)
        self.group = group
        self.failed = 0

    def run(self, name: str, fn: Callable[[], None]) -> None:
        full = f"{self.group}.{name}"
        if self.args.filter and self.args.filter not in f"qemu/{full}":
            return
        try:
            fn()
        except Skip as s:
            print(f"skip {full}: {s}", flush=True)
        except Exception as e:  # noqa: BLE001 - report every failure
            self.failed += 1
            detail = "".join(traceback.format_exception_only(e)).strip()
            print(f"FAIL {full}: {detail}", flush=True)
            traceback.print_exc(file=sys.stderr)
        else:
            print(f"ok   {full}", flush=True)

    def done(self) -> int:
        return 1 if self.failed else 0


def note(text: str) -> None:
    """A measurement line that build.py passes through to its output."""
    print(f"     {text}", flush=True)
