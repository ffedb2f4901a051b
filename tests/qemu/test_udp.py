"""qemu/udp - the udp-echo image answers through QEMU's user network.

echo-x86 boots with virtio-net and virtio-rng on SLIRP with its echo port
forwarded from a free UDP port on 127.0.0.1. Datagrams of 1, 512 and 1472
bytes (the largest unfragmented) and of 4000 and 8000 bytes (fragmented
by SLIRP, reassembled by the stack, fragmented again on the way back)
come back unchanged, one at a time and then 50 in a burst; the counters
at stop_ms= show reassembly and fragmentation and no device misbehaviour.

  echo.microvm, echo.pc

    python3 tests/qemu/test_udp.py --keel build/echo-x86/keel.elf
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qemulab import Cases, Guest, build, free_port, note  # noqa: E402

IMAGE = "echo-x86"
ADDR = build.GuestAddress(ipaddress.IPv4Interface("10.0.2.15/24"),
                          ipaddress.IPv4Address("10.0.2.2"))
STOP_MS = 3000
SIZES = (1, 512, 1472, 4000, 8000)
BURST = 50


def exchange(port: int) -> int:
    """Every size one at a time, then a burst: datagrams echoed."""
    n = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        for size in SIZES:
            data = os.urandom(size)
            s.send(data)
            got = s.recv(65536)
            if got != data:
                raise AssertionError(f"{size}-byte datagram came back as "
                                     f"{len(got)} different bytes")
            n += 1
        burst = [os.urandom(100) + i.to_bytes(2, "big")
                 for i in range(BURST)]
        for d in burst:
            s.send(d)
        back = set()
        try:
            while len(back) < BURST:
                back.add(s.recv(65536))
        except socket.timeout:
            pass
        if back != set(burst):
            raise AssertionError(f"burst: {len(back & set(burst))} of "
                                 f"{BURST} came back")
        n += len(back)
    return n


def echo(elf: Path, machine: str) -> None:
    port = free_port("udp")
    fwd = (build.Forward("udp", port, 7, "echo"),)
    with Guest(elf, machine, f"stop_ms={STOP_MS}", net="user",
               forwards=fwd, addr=ADDR) as g:
        g.wait_for(r"keel: up on virtio-net mac \S+ ip 10\.0\.2\.15/24 "
                   r"gw 10\.0\.2\.2$")
        g.wait_for(r"udp-echo: echoing udp port 7")
        n = exchange(port)
        b = g.wait(timeout=STOP_MS / 1000 + 60)
    b.expect_code(0)
    st = b.stats()
    if st.get("ipv4.frag_reassembled", 0) < 2 or \
       st.get("ipv4.tx_fragments", 0) < 4:
        raise AssertionError(f"no fragments: reassembled "
                             f"{st.get('ipv4.frag_reassembled')}, sent "
                             f"{st.get('ipv4.tx_fragments')}")
    for key in ("virtio_net.dev_bad_used_idx", "virtio_net.dev_bad_id",
                "virtio_net.dev_bad_len"):
        if st.get(key, 0):
            raise AssertionError(f"{key} {st[key]}")
    if st.get("virtio_net.irqs", 0) < 1:
        raise AssertionError("no NIC interrupt")
    note(f"{machine}: {n} datagrams echoed (up to 8000 bytes, "
         f"fragmented), {st['virtio_net.irqs']} NIC interrupts")


def main() -> int:
    cases = Cases("udp")
    for m in ("microvm", "pc"):
        cases.run(f"echo.{m}", lambda m=m: echo(cases.elf, m))
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
