"""netlab - a keel linux-tap process facing Linux in a network namespace.

A Lab creates a namespace of its own (keel-<pid>-<n>), enters it (setns(2)
through ctypes: the test process itself, its sockets and its children then
live there), creates the TAP device with 10.0.0.1/24 on the Linux side,
starts keel on it as 10.0.0.2/24 and waits until keel reports its address.
Leaving the `with` block stops keel and deletes the namespace, whatever
happened, so nothing of a test run stays on the machine.

Test scripts report one line per case through Cases:

    ok   ping.basic
    FAIL ping.flood: 12 of 10000 lost
    skip arp.arping: arping is not installed

which build.py counts. Traffic never leaves the namespace.
"""

from __future__ import annotations

import argparse
import ctypes
import itertools
import os
import re
import select
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Callable

CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
_counter = itertools.count()


def _setns(path: str) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns({path}): {os.strerror(err)}")
    finally:
        os.close(fd)


def _die_with_parent() -> None:
    """In keel's child process before exec: SIGTERM it when the test that
    started it dies, even by SIGKILL (a timeout), so no keel outlives its
    test."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def stop_process(proc: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM a child that still runs and reap it; SIGKILL it if it has
    not exited 5 s later."""
    if proc and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def sh(cmd: list[str] | str, check: bool = True, timeout: float = 60,
       **kw: object) -> subprocess.CompletedProcess[str]:
    """Run a command (in the current namespace), capturing its output."""
    if isinstance(cmd, str):
        cmd = cmd.split()
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                       stdin=subprocess.DEVNULL, **kw)  # type: ignore
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}): "
                           f"{r.stdout}{r.stderr}")
    return r


class Lab:
    """keel on a TAP device in a namespace of its own, Linux on the other
    side. Use as a context manager.

    With dhcp=True keel is started with ip=dhcp instead of a static address
    (with ip_args=False, with no ip= at all: the image's [net] ip decides)
    and start() waits for its "dhcp bound A.B.C.D/N" line, which sets
    keel_ip; with autostart=False entering the context only creates the
    namespace and the TAP device, so that a test can start a DHCP server on
    keel0 before it calls start()."""

    linux_ip = "10.0.0.1"
    keel_ip = "10.0.0.2"
    ifname = "keel0"

    def __init__(self, keel: str | Path, extra_args: list[str] | None = None,
                 log_to_console: bool = False, dhcp: bool = False,
                 autostart: bool = True, ip_args: bool = True) -> None:
        self.keel = str(keel)
        self.extra_args = extra_args or []
        self.log_to_console = log_to_console
        self.dhcp = dhcp
        self.autostart = autostart
        self.ip_args = ip_args
        self.ns = f"keel-{os.getpid()}-{next(_counter)}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = b""
        self._home_ns: int | None = None

    # -- setup and teardown ------------------------------------------------

    def __enter__(self) -> "Lab":
        sh(["ip", "netns", "add", self.ns])
        try:
            self._home_ns = os.open("/proc/self/ns/net", os.O_RDONLY)
            _setns(f"/run/netns/{self.ns}")
            sh("ip link set lo up")
            sh(["ip", "tuntap", "add", "dev", self.ifname, "mode", "tap"])
            sh(["ip", "addr", "add", f"{self.linux_ip}/24", "dev",
                self.ifname])
            sh(["ip", "link", "set", self.ifname, "up"])
            if self.autostart:
                self.start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self._home_ns is not None:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.setns(self._home_ns, CLONE_NEWNET)
            os.close(self._home_ns)
            self._home_ns = None
        subprocess.run(["ip", "netns", "del", self.ns],
                       capture_output=True)

    def start(self, args: list[str] | None = None,
              timeout: float = 30) -> None:
        addr = ["ip=dhcp"] if self.dhcp else \
            [f"ip={self.keel_ip}/24", f"gw={self.linux_ip}"]
        if not self.ip_args:
            addr = []
        argv = [self.keel, f"tap={self.ifname}", *addr,
                *self.extra_args, *(args or [])]
        self.log = b""
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        os.set_blocking(self.proc.stdout.fileno(), False)  # type: ignore
        if not self.dhcp:
            self.wait_log(rb"ip \d+\.\d+\.\d+\.\d+", 10)
            return
        m = self.wait_log(rb"dhcp bound (\d+\.\d+\.\d+\.\d+)/\d+", timeout)
        self.keel_ip = m.group(1).decode()

    def stop(self) -> None:
        stop_process(self.proc)
        if self.proc:
            self._read_log()

    def wait(self) -> int:
        """Follow keel's console until it exits (for ./build.py run)."""
        assert self.proc
        while self.proc.poll() is None:
            self._read_log(0.5)
        self._read_log()
        return self.proc.returncode

    # -- keel's console ----------------------------------------------------

    def _read_log(self, timeout: float = 0.0) -> None:
        assert self.proc and self.proc.stdout
        fd = self.proc.stdout.fileno()
        if timeout and not select.select([fd], [], [], timeout)[0]:
            return
        while True:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                return
            if not chunk:
                return
            self.log += chunk
            if self.log_to_console:
                sys.stdout.write(chunk.decode(errors="replace"))
                sys.stdout.flush()

    def wait_log(self, pattern: bytes, timeout: float,
                 start: int = 0) -> re.Match[bytes]:
        """Wait until keel's console output (from offset `start`) matches."""
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.log[start:])
            if m:
                return m
            if self.proc and self.proc.poll() is not None:
                self._read_log()
                m = re.search(pattern, self.log[start:])
                if m:
                    return m
                raise RuntimeError(f"keel exited ({self.proc.returncode}) "
                                   f"before printing {pattern!r}:\n"
                                   f"{self.log.decode(errors='replace')}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise RuntimeError(f"keel did not print {pattern!r} in "
                                   f"{timeout} s:\n"
                                   f"{self.log.decode(errors='replace')}")
            self._read_log(min(left, 0.2))

    def alive(self) -> bool:
        return bool(self.proc and self.proc.poll() is None)

    def stats(self) -> dict[str, int]:
        """keel's counters, read by SIGUSR1 from its console."""
        assert self.proc
        start = len(self.log)
        self.proc.send_signal(signal.SIGUSR1)
        self.wait_log(rb"stat end", 5, start)
        out: dict[str, int] = {}
        text = self.log[start:].decode(errors="replace")
        for m in re.finditer(r"stat (\S+) (\d+)", text):
            out[m.group(1)] = int(m.group(2))
        return out

    # -- Linux's side ------------------------------------------------------

    def linux_mac(self) -> str:
        # Not /sys/class/net: sysfs shows the namespace it was mounted in,
        # and setns(2) does not remount it, so keel0 is not there.
        out = sh(["ip", "-o", "link", "show", "dev", self.ifname]).stdout
        m = re.search(r"link/ether ([0-9a-f:]{17})", out)
        if not m:
            raise RuntimeError(f"no MAC for {self.ifname} in: {out}")
        return m.group(1)

    def keel_mac(self) -> str:
        m = re.search(rb"mac ([0-9a-f:]{17})", self.log)
        if not m:
            raise RuntimeError("keel did not log its MAC")
        return m.group(1).decode()


class Cases:
    """Runs a script's test cases and prints one line per case."""

    def __init__(self, group: str) -> None:
        p = argparse.ArgumentParser()
        p.add_argument("--keel", required=True)
        p.add_argument("-k", dest="filter", default="")
        self.args = p.parse_args()
        self.group = group
        self.failed = 0

    def run(self, name: str, fn: Callable[[], None]) -> None:
        full = f"{self.group}.{name}"
        if self.args.filter and self.args.filter not in f"net/{full}":
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


class Skip(Exception):
    """Raised by a case that cannot run here (a missing tool)."""


def note(text: str) -> None:
    """A measurement line that build.py passes through to its output."""
    print(f"     {text}", flush=True)
