"""qemu/net - the tcp-echo image served through QEMU's networks.

The image boots with virtio-net and virtio-rng (build.py's
qemu_virtio_args(): virtio-mmio on microvm, PCI on pc and q35) on QEMU's
user network (SLIRP) or on passt, with the echo port forwarded from a
free port on 127.0.0.1. Each case checks the console (the device found,
its interrupt routed, the link up, entropy from virtio-rng, the address
the kernel took), echoes 1 MiB of random bytes and compares them, then
reads the counters the kernel prints at stop_ms=: NIC interrupts taken
(the idle CPU woke for frames), no device misbehaviour counted, frames
both ways, bytes from virtio-rng, and exit code 0.

  user.microvm, user.pc   static 10.0.2.15/24 gw 10.0.2.2 (the image's)
  user_dhcp.q35           ip=dhcp: SLIRP's DHCP server leases 10.0.2.15
                          (bound after the ARP probes, ~5-9 s)
  passt.microvm           through passt (-netdev stream on its socket)
  rng_entropy.MACHINE     -cpu qemu64 (no RDSEED, no RDRAND) with only a
                          virtio-rng: the stack starts on its entropy

    python3 tests/qemu/test_net.py --keel build/tcp-echo-x86/keel.elf
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qemulab import (Cases, Guest, Skip, boot, build,  # noqa: E402
                     free_port, note)

IMAGE = "tcp-echo-x86"
ECHO_PORT = 7
# The image's static address, which SLIRP's defaults and passt's -a/-g
# are made to match.
ADDR = build.GuestAddress(ipaddress.IPv4Interface("10.0.2.15/24"),
                          ipaddress.IPv4Address("10.0.2.2"))
# Long enough for the boot and the 1 MiB echo on a busy 2-core TCG host;
# the counters come at the stop.
STOP_MS = 4000
# With DHCP the address is bound only after RFC 5227's probes: up to
# 1 + 3 * 2 + 2 s after the server's ACK (net/dhcp.c).
STOP_MS_DHCP = 14000
ECHO_BYTES = 1 << 20
# (machine, interrupt line and mode the kernel must report)
IRQ = {"microvm": r"gsi 12 \(edge\)", "pc": r"gsi 1[01] \(level\)",
       "q35": r"gsi 1[01] \(level\)"}


def echo(port: int, data: bytes, timeout: float = 60) -> float:
    """Send data to the echo port through the forward and read it back
    while sending; seconds taken. Fails unless every byte returns."""
    got = bytearray()
    t0 = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        def reader() -> None:
            while len(got) < len(data):
                chunk = s.recv(65536)
                if not chunk:
                    break
                got.extend(chunk)

        th = threading.Thread(target=reader, daemon=True)
        th.start()
        s.sendall(data)
        th.join(timeout)
    took = time.monotonic() - t0
    if len(got) != len(data):
        raise AssertionError(f"echo returned {len(got)} of {len(data)} "
                             f"bytes")
    if bytes(got) != data:
        first = next(i for i in range(len(data)) if got[i] != data[i])
        raise AssertionError(f"echo returned different bytes from offset "
                             f"{first}")
    return took


def check_counters(stats: dict[str, int], what: str) -> int:
    """The NIC and rng counters after a 1 MiB echo; the NIC interrupts."""
    frames = ECHO_BYTES // 1460
    for key, lo in (("virtio_net.irqs", 1), ("virtio_net.link_up", 1),
                    ("virtio_net.rx_frames", frames),
                    ("virtio_net.tx_frames", frames),
                    ("virtio_rng.bytes", 16)):
        if stats.get(key, 0) < lo:
            raise AssertionError(f"{what}: {key} {stats.get(key)} < {lo}")
    for key in ("virtio_net.dev_bad_used_idx", "virtio_net.dev_bad_id",
                "virtio_net.dev_bad_len", "virtio_net.rx_too_long",
                "virtio_rng.timeouts", "virtio_rng.dev_bad_used"):
        if stats.get(key, 0) != 0:
            raise AssertionError(f"{what}: {key} {stats[key]}")
    if stats["x86.device_irqs"] < stats["virtio_net.irqs"]:
        raise AssertionError(f"{what}: device irqs below NIC irqs")
    return stats["virtio_net.irqs"]


def serve(elf: Path, machine: str, net: str, dhcp: bool = False) -> None:
    port = free_port()
    fwd = (build.Forward("tcp", port, ECHO_PORT, "echo"),)
    stop_ms = STOP_MS_DHCP if dhcp else STOP_MS
    cmdline = f"stop_ms={stop_ms}" + (" ip=dhcp" if dhcp else "")
    data = os.urandom(ECHO_BYTES)
    with Guest(elf, machine, cmdline, net=net, forwards=fwd,
               addr=None if dhcp else ADDR) as g:
        g.wait_for(r"x86: entropy from virtio-rng, else")
        g.wait_for(r"virtio-net: (mmio|pci), mac 52:54:00:12:34:56")
        g.wait_for(r"x86: virtio-net interrupt on " + IRQ[machine])
        g.wait_for(r"x86: virtio-net link up")
        if dhcp:
            g.wait_for(r"keel: up on virtio-net mac \S+, address from dhcp")
            g.wait_for(r"keel: dhcp bound 10\.0\.2\.15/24 gw 10\.0\.2\.2 ",
                       timeout=STOP_MS_DHCP / 1000)
        else:
            g.wait_for(r"keel: up on virtio-net mac 52:54:00:12:34:56 "
                       r"ip 10\.0\.2\.15/24 gw 10\.0\.2\.2$")
        g.wait_for(r"tcp-echo: echo on tcp port 7")
        took = echo(port, data)
        b = g.wait(timeout=stop_ms / 1000 + 60)
    b.expect(r"keel: stopped \(exit 0\)")
    b.expect_code(0)
    irqs = check_counters(b.stats(), f"{net} on {machine}")
    note(f"{net} on {machine}{' (dhcp)' if dhcp else ''}: 1 MiB echoed "
         f"byte-exact in {took:.2f} s; {irqs} NIC interrupts, "
         f"{b.stats()['tcp.tx_retrans']} retransmissions")


def passt(elf: Path, machine: str) -> None:
    if not shutil.which("passt"):
        raise Skip("passt is not installed")
    serve(elf, machine, "passt")


def rng_entropy(elf: Path, machine: str) -> None:
    b = boot(elf, machine, "netdev=null stop_ms=300", cpu="qemu64",
             net="rng")
    b.expect(r"virtio-rng: (mmio|pci), 4 descriptors")
    b.expect(r"x86: entropy from virtio-rng, else none in the cpu")
    b.expect(r"keel: up on null0")
    b.expect_code(0)
    if b.stats().get("virtio_rng.bytes", 0) < 16:
        raise AssertionError(f"virtio_rng.bytes {b.stats()}")


def main() -> int:
    cases = Cases("net")
    elf = cases.elf
    for m in ("microvm", "pc"):
        cases.run(f"user.{m}", lambda m=m: serve(elf, m, "user"))
    cases.run("user_dhcp.q35", lambda: serve(elf, "q35", "user", dhcp=True))
    cases.run("passt.microvm", lambda: passt(elf, "microvm"))
    for m in ("microvm", "pc"):
        cases.run(f"rng_entropy.{m}", lambda m=m: rng_entropy(elf, m))
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
