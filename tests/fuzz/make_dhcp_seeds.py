#!/usr/bin/env python3
"""make_dhcp_seeds.py - write the seed inputs of the fuzz_dhcp harness.

Run by hand from anywhere, after changing the harness's input format or to
add a seed:

    python3 tests/fuzz/make_dhcp_seeds.py           # tests/fuzz/corpus/dhcp/
    python3 tests/fuzz/make_dhcp_seeds.py --out DIR # somewhere else

It rewrites the files only when their bytes change. Standard library only.

The format is fuzz_dhcp.c's: a sequence of records

    ctl:u8  len:u16 (big endian)  payload[len]

where ctl bits 0-4 index the harness's clock steps, bit 5 patches the
payload into a reply to the client's last request (op, xid, chaddr,
cookie), bit 6 makes the payload a raw Ethernet frame, and bit 7 restarts
the client first. Each seed is a scenario a real server could play: the
server is 10.0.0.1, it grants 10.0.0.50/24; the client's MAC is
02:00:00:00:00:02.
"""

from __future__ import annotations

import argparse
import struct
from pathlib import Path

OUT = Path(__file__).resolve().parent / "corpus" / "dhcp"

CLIENT_MAC = bytes.fromhex("020000000002")
OTHER_MAC = bytes.fromhex("0200000000aa")
SERVER = "10.0.0.1"
LEASED = "10.0.0.50"

# Indexes into fuzz_dhcp_steps[] (fuzz_dhcp.c).
STEP_0 = 0
STEP_1S = 6
STEP_2S = 9
STEP_5S = 13
STEP_8S = 15
STEP_50S = 21
STEP_87S = 25
STEP_100S = 26
STEP_1H = 29

PATCH = 0x20
RAW = 0x40
RESTART = 0x80

OFFER, ACK, NAK = 2, 5, 6


def ip4(a: str) -> bytes:
    return bytes(int(x) for x in a.split("."))


def opt(code: int, data: bytes) -> bytes:
    return bytes([code, len(data)]) + data


def reply(mtype: int | None, yiaddr: str = LEASED, lease: int = 120,
          extra: bytes = b"", sname: bytes = b"", file: bytes = b"",
          server: bool = True) -> bytes:
    """A BOOTREPLY; the harness writes xid and chaddr when patching."""
    head = struct.pack("!BBBBIHHIIII", 2, 1, 6, 0, 0, 0, 0x8000, 0,
                       int.from_bytes(ip4(yiaddr), "big"),
                       int.from_bytes(ip4(SERVER), "big"), 0)
    head += CLIENT_MAC + bytes(10)
    head += sname.ljust(64, b"\0") + file.ljust(128, b"\0")
    opts = b"\x63\x82\x53\x63"
    if mtype is not None:
        opts += opt(53, bytes([mtype]))
    if server:
        opts += opt(54, ip4(SERVER))
    if lease:
        opts += opt(51, struct.pack("!I", lease))
    opts += opt(1, ip4("255.255.255.0")) + opt(3, ip4(SERVER))
    opts += opt(6, ip4(SERVER) + ip4("10.0.0.3")) + extra + b"\xff"
    msg = head + opts
    return msg + bytes(max(0, 300 - len(msg)))


def arp(op: int, sha: bytes, spa: str, tpa: str) -> bytes:
    pkt = struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + ip4(spa) + \
        bytes(6) + ip4(tpa)
    frame = b"\xff" * 6 + sha + b"\x08\x06" + pkt
    return frame + bytes(60 - len(frame))


def rec(ctl: int, payload: bytes = b"") -> bytes:
    return struct.pack("!BH", ctl, len(payload)) + payload


def bound() -> bytes:
    """DISCOVER, OFFER, REQUEST, ACK, then past probing."""
    return (rec(STEP_1S) + rec(STEP_0 | PATCH, reply(OFFER)) +
            rec(STEP_0 | PATCH, reply(ACK)) + rec(STEP_5S) + rec(STEP_5S))


def seeds() -> dict[str, bytes]:
    t1 = bytes([58, 4]) + struct.pack("!I", 30)
    t2 = bytes([59, 4]) + struct.pack("!I", 60)
    mtu = opt(26, struct.pack("!H", 1400))
    return {
        "exchange": bound(),
        "renew": bound() + rec(STEP_50S) + rec(STEP_1S | PATCH, reply(ACK)),
        "renew_t1_t2_mtu": (
            rec(STEP_1S) + rec(PATCH, reply(OFFER, extra=t1 + t2 + mtu)) +
            rec(PATCH, reply(ACK, extra=t1 + t2 + mtu)) + rec(STEP_8S) +
            rec(STEP_50S) + rec(STEP_1S | PATCH, reply(ACK, extra=mtu))),
        "rebind": bound() + rec(STEP_50S) + rec(STEP_50S) +
        rec(STEP_1S | PATCH, reply(ACK)),
        "expire": bound() + rec(STEP_50S) + rec(STEP_50S) + rec(STEP_100S) +
        rec(STEP_1S | PATCH, reply(OFFER)),
        "nak_requesting": rec(STEP_1S) + rec(PATCH, reply(OFFER)) +
        rec(PATCH, reply(NAK, yiaddr="0.0.0.0", lease=0)),
        "nak_renewing": bound() + rec(STEP_50S) +
        rec(PATCH, reply(NAK, yiaddr="0.0.0.0", lease=0)),
        "conflict": (
            rec(STEP_1S) + rec(PATCH, reply(OFFER)) + rec(PATCH, reply(ACK)) +
            rec(STEP_1S | RAW, arp(2, OTHER_MAC, LEASED, "0.0.0.0")) +
            rec(STEP_8S) + rec(STEP_5S)),
        "conflict_prober": (
            rec(STEP_1S) + rec(PATCH, reply(OFFER)) + rec(PATCH, reply(ACK)) +
            rec(RAW, arp(1, OTHER_MAC, "0.0.0.0", LEASED))),
        "reboot": bound() + rec(RESTART | STEP_1S) + rec(STEP_1S) +
        rec(STEP_0 | PATCH, reply(ACK)) + rec(STEP_8S),
        "reboot_nak": bound() + rec(RESTART | STEP_1S) + rec(STEP_1S) +
        rec(PATCH, reply(NAK, yiaddr="0.0.0.0", lease=0)),
        "overload": (
            rec(STEP_1S) +
            rec(PATCH, reply(OFFER, lease=0, extra=opt(52, b"\x03"),
                             file=opt(51, struct.pack("!I", 300)) + b"\xff",
                             sname=opt(6, ip4("10.0.0.9")) + b"\xff"))),
        "bootp_and_junk": rec(STEP_1S) + rec(PATCH, reply(None)) +
        rec(PATCH, reply(OFFER, server=False)) +
        rec(PATCH, reply(OFFER, lease=5)) + rec(0, b"\x02\x01\x06") +
        rec(PATCH, reply(OFFER)[:250]),
        "retransmit": b"".join(rec(i) for i in range(8, 32, 3)),
    }


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in sorted(seeds().items()):
        path = args.out / name
        if path.exists() and path.read_bytes() == data:
            continue
        path.write_bytes(data)
        print(f"wrote {path} ({len(data)} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
