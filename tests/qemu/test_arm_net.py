"""qemu/arm_net - the aarch64 image's virtio-net over MMIO on QEMU's
user-mode network: UDP echo through a host port forward.

The image boots on virt (cortex-a53 and max) with a virtio-net-device
(modern: virtio-mmio.force-legacy=false) on SLIRP and a forward from a free
host UDP port to the guest's port 7. The console must name the device, its
window and INTID (48 + the window), and the stack must come up on it;
datagrams sent to the forward come back unchanged, the device's interrupt
woke the idle CPU (aarch64.virtio_net_irqs > 0), and the first answer comes
well before the loop's 1 s idle limit, which it would wait for without the
interrupt. QEMU exits with code 0 after stop_ms=.

    python3 tests/qemu/test_arm_net.py --keel build/echo-aarch64/keel.elf
"""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qemulab import Cases, Guest, free_forwards  # noqa: E402

IMAGE = "echo-aarch64"


def echo(port: int, deadline: float) -> list[float]:
    """Round trips (s) of 5 datagrams, after the first answer arrives."""
    rtts: list[float] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.2)
        i = 0
        while len(rtts) < 5 and time.monotonic() < deadline:
            msg = b"keel %d" % i
            t = time.monotonic()
            s.sendto(msg, ("127.0.0.1", port))
            try:
                data, _ = s.recvfrom(2048)
            except socket.timeout:
                i += 1
                continue
            if data != msg:
                raise AssertionError(f"sent {msg!r}, got {data!r}")
            rtts.append(time.monotonic() - t)
            i += 1
    return rtts


def udp_echo(elf: Path, cpu: str) -> None:
    fwd = free_forwards([("udp", 7, "echo")])
    with Guest(elf, "virt", "stop_ms=6000", cpu=cpu, target="aarch64",
               net="user", forwards=fwd) as g:
        g.wait_for(r"udp-echo: ", 20)
        rtts = echo(fwd[0].host_port, time.monotonic() + 5)
        b = g.wait(30)
    b.expect(r"virtio-net: mmio, mac [0-9a-f:]{17}")
    b.expect(r"aarch64: virtio-net at 0x[0-9a-f]+, intid \d+")
    b.expect(r"keel: up on virtio-net mac ")
    b.expect_code(0)
    if len(rtts) < 5:
        raise AssertionError(f"only {len(rtts)} of 5 echoes came back\n"
                             f"{b.tail()}")
    if b.stats().get("aarch64.virtio_net_irqs", 0) < 1:
        raise AssertionError(f"no virtio-net interrupt: {b.stats()}")
    if sorted(rtts)[2] > 0.5:
        raise AssertionError(f"median round trip {sorted(rtts)[2]:.3f} s: "
                             f"the interrupt does not wake the idle")


def main() -> int:
    cases = Cases("arm_net")
    elf = cases.elf
    for cpu in ("cortex-a53", "max"):
        cases.run(f"udp_echo_{cpu}", lambda c=cpu: udp_echo(elf, c))
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
