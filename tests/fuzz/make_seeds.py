#!/usr/bin/env python3
"""make_seeds.py - write the seed inputs of the fuzz_frame harness.

Run by hand from anywhere, after changing the harness's input format or to
add a seed:

    python3 tests/fuzz/make_seeds.py           # tests/fuzz/corpus/frame/
    python3 tests/fuzz/make_seeds.py --out DIR # somewhere else

It rewrites the files only when their bytes change, so the output is
reproducible and diffs stay quiet. Python standard library only.

The format is fuzz_frame.c's: a sequence of records

    ctl:u8  len:u16 (big endian)  frame[len]

where ctl bits 0-4 index the harness's clock steps, bit 5 makes the client
socket (10.0.0.2:40000) send to port 5353 after the frame, bit 6 picks
192.0.2.1 (through the gateway) over 10.0.0.77 as that destination, and bit
7 delivers the frame through the driver instead of net_input().

Every seed is valid traffic for keel at 10.0.0.2/24 (gateway 10.0.0.1, MAC
02:00:00:00:00:02): correct checksums, Ethernet padding to 60 bytes, so
the fuzzer starts deep inside each protocol.
"""

from __future__ import annotations

import argparse
import struct
from pathlib import Path

OUT = Path(__file__).resolve().parent / "corpus" / "frame"

KEEL_MAC = bytes.fromhex("020000000002")
GW_MAC = bytes.fromhex("020000000001")
PEER_MAC = bytes.fromhex("02000000004d")     # 10.0.0.77
OTHER_MAC = bytes.fromhex("0200000000aa")
BCAST_MAC = b"\xff" * 6

KEEL_IP = "10.0.0.2"
GW_IP = "10.0.0.1"
PEER_IP = "10.0.0.77"
SUBNET_BCAST = "10.0.0.255"

# Indexes into fuzz_frame_steps[] (fuzz_frame.c).
STEP_0MS = 0
STEP_1MS = 1
STEP_10MS = 5
STEP_1S = 14
STEP_2S = 17
STEP_31S = 24          # past the 30 s reassembly timeout
STEP_61S = 28          # past the 60 s ARP entry lifetime

CTL_CLIENT_SEND = 0x20
CTL_OFF_LINK = 0x40
CTL_VIA_DRIVER = 0x80


def ip4(a: str) -> bytes:
    return bytes(int(x) for x in a.split("."))


def csum(data: bytes) -> int:
    """The Internet checksum (RFC 1071) of `data`."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst: bytes, src: bytes, etype: int, payload: bytes) -> bytes:
    frame = dst + src + struct.pack("!H", etype) + payload
    return frame + b"\0" * max(0, 60 - len(frame))


def arp(op: int, sha: bytes, spa: str, tha: bytes, tpa: str) -> bytes:
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + ip4(spa) + \
        tha + ip4(tpa)


def ipv4(src: str, dst: str, proto: int, payload: bytes, ident: int = 1,
         ttl: int = 64, flags_frag: int = 0, options: bytes = b"") -> bytes:
    assert len(options) % 4 == 0
    ihl = 5 + len(options) // 4
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(payload),
                      ident, flags_frag, ttl, proto, 0, ip4(src), ip4(dst))
    hdr += options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def icmp(typ: int, code: int, rest: bytes, body: bytes) -> bytes:
    msg = struct.pack("!BBH", typ, code, 0) + rest + body
    return msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]


def echo_request(ident: int, seq: int, body: bytes) -> bytes:
    return icmp(8, 0, struct.pack("!HH", ident, seq), body)


def udp(src: str, dst: str, sport: int, dport: int, body: bytes,
        checksum: bool = True) -> bytes:
    length = 8 + len(body)
    seg = struct.pack("!HHHH", sport, dport, length, 0) + body
    if checksum:
        pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 17, length)
        c = csum(pseudo + seg) or 0xFFFF
        seg = seg[:6] + struct.pack("!H", c) + seg[8:]
    return seg


def fragments(src: str, dst: str, proto: int, payload: bytes, ident: int,
              size: int) -> list[bytes]:
    """IPv4 packets carrying `payload` in pieces of `size` (a multiple of
    8) bytes, in order."""
    assert size % 8 == 0
    return [fragment(src, dst, proto, payload, ident, off, size)
            for off in range(0, len(payload), size)]


def fragment(src: str, dst: str, proto: int, payload: bytes, ident: int,
             off: int, size: int) -> bytes:
    """One IPv4 fragment: `size` bytes of `payload` from byte `off`."""
    assert off % 8 == 0
    more = off + size < len(payload)
    ff = (0x2000 if more else 0) | (off // 8)
    return ipv4(src, dst, proto, payload[off:off + size], ident,
                flags_frag=ff)


def record(frame: bytes, ctl: int = STEP_1MS) -> bytes:
    return struct.pack("!BH", ctl, len(frame)) + frame


def from_gw(packet: bytes, dst_mac: bytes = KEEL_MAC) -> bytes:
    return eth(dst_mac, GW_MAC, 0x0800, packet)


def pattern(n: int) -> bytes:
    return bytes(i & 0xFF for i in range(n))


# ---- the seeds --------------------------------------------------------

def arp_who_has_keel(sender_mac: bytes = GW_MAC, sender_ip: str = GW_IP
                     ) -> bytes:
    return eth(BCAST_MAC, sender_mac, 0x0806,
               arp(1, sender_mac, sender_ip, b"\0" * 6, KEEL_IP))


def seeds() -> dict[str, bytes]:
    s: dict[str, bytes] = {}
    ping = echo_request(0x1234, 1, pattern(56))
    resolve_gw = record(arp_who_has_keel())

    s["arp_request"] = resolve_gw
    s["arp_request_via_driver"] = record(arp_who_has_keel(),
                                         STEP_1MS | CTL_VIA_DRIVER)
    # The client's datagram makes keel ask for 10.0.0.77; the reply
    # resolves it and releases the queued frame.
    s["arp_reply"] = record(arp_who_has_keel(), CTL_CLIENT_SEND | STEP_1MS) \
        + record(eth(KEEL_MAC, PEER_MAC, 0x0806,
                     arp(2, PEER_MAC, PEER_IP, KEEL_MAC, KEEL_IP)))
    s["arp_unanswered"] = record(arp_who_has_keel(),
                                 CTL_CLIENT_SEND | STEP_1MS) + \
        b"".join(record(arp_who_has_keel(), STEP_1S) for _ in range(4))
    s["arp_gratuitous"] = record(eth(BCAST_MAC, GW_MAC, 0x0806,
                                     arp(1, GW_MAC, GW_IP, b"\0" * 6,
                                         GW_IP)))
    s["arp_conflict"] = record(eth(BCAST_MAC, OTHER_MAC, 0x0806,
                                   arp(2, OTHER_MAC, KEEL_IP, BCAST_MAC,
                                       KEEL_IP)))
    s["arp_many_senders"] = b"".join(
        record(arp_who_has_keel(bytes([2, 0, 0, 0, 1, i]), f"10.0.0.{i}"))
        for i in range(10, 40))
    s["arp_aging"] = resolve_gw + \
        record(from_gw(ipv4(GW_IP, KEEL_IP, 1, ping)), STEP_61S)

    s["icmp_echo"] = record(from_gw(ipv4(GW_IP, KEEL_IP, 1, ping)))
    s["icmp_echo_after_arp"] = resolve_gw + \
        record(from_gw(ipv4(GW_IP, KEEL_IP, 1, ping)))
    s["icmp_echo_broadcast"] = resolve_gw + record(
        from_gw(ipv4(GW_IP, SUBNET_BCAST, 1, ping), BCAST_MAC))
    s["icmp_echo_flood"] = resolve_gw + b"".join(
        record(from_gw(ipv4(GW_IP, KEEL_IP, 1,
                            echo_request(0x1234, i, pattern(56)), ident=i)),
               STEP_0MS) for i in range(40))
    s["icmp_unknown_type"] = resolve_gw + record(from_gw(ipv4(
        GW_IP, KEEL_IP, 1, icmp(13, 0, b"\0\1\0\1", b"\0" * 12))))

    big = echo_request(0x4242, 7, pattern(3000))
    frags = fragments(GW_IP, KEEL_IP, 1, big, 0x77, 1480)
    s["icmp_echo_frag"] = resolve_gw + b"".join(
        record(from_gw(f)) for f in frags)
    s["icmp_echo_frag_reversed"] = resolve_gw + b"".join(
        record(from_gw(f)) for f in reversed(frags))
    # Pieces of 512 bytes, and one laid half over the second piece.
    small = fragments(GW_IP, KEEL_IP, 1, big, 0x78, 512)
    s["icmp_echo_frag_overlap"] = resolve_gw + b"".join(
        record(from_gw(f)) for f in small[:2]) + \
        record(from_gw(fragment(GW_IP, KEEL_IP, 1, big, 0x78, 768, 512))) + \
        b"".join(record(from_gw(f)) for f in small[2:])
    s["icmp_echo_frag_timeout"] = resolve_gw + \
        record(from_gw(frags[0])) + record(from_gw(frags[1]), STEP_31S) + \
        record(from_gw(frags[2]), STEP_1MS)

    s["udp_echo"] = resolve_gw + record(from_gw(ipv4(
        GW_IP, KEEL_IP, 17, udp(GW_IP, KEEL_IP, 12345, 7, b"hello keel"))))
    s["udp_echo_no_checksum"] = resolve_gw + record(from_gw(ipv4(
        GW_IP, KEEL_IP, 17, udp(GW_IP, KEEL_IP, 12345, 7, pattern(64),
                                checksum=False))))
    s["udp_echo_1400"] = resolve_gw + record(from_gw(ipv4(
        GW_IP, KEEL_IP, 17, udp(GW_IP, KEEL_IP, 12345, 7, pattern(1400)))),
        STEP_1MS | CTL_VIA_DRIVER)
    udp_big = udp(GW_IP, KEEL_IP, 12346, 7, pattern(4000))
    s["udp_echo_frag"] = resolve_gw + b"".join(
        record(from_gw(f)) for f in fragments(GW_IP, KEEL_IP, 17, udp_big,
                                              0x99, 1480))
    s["udp_closed_port"] = resolve_gw + record(from_gw(ipv4(
        GW_IP, KEEL_IP, 17, udp(GW_IP, KEEL_IP, 12345, 9, b"anyone?"))))
    s["udp_broadcast"] = resolve_gw + record(from_gw(ipv4(
        GW_IP, SUBNET_BCAST, 17,
        udp(GW_IP, SUBNET_BCAST, 12345, 7, b"all")), BCAST_MAC))

    # RFC 791 options: NOP, NOP, router alert (RFC 2113), end of list.
    opts = b"\x01\x01\x94\x04\x00\x00\x00\x00"
    s["ip_options"] = resolve_gw + record(from_gw(ipv4(
        GW_IP, KEEL_IP, 1, ping, options=opts)))
    # A timestamp option with room for two stamps.
    ts = b"\x44\x0c\x05\x00" + b"\0" * 8
    s["ip_option_timestamp"] = resolve_gw + record(from_gw(ipv4(
        GW_IP, KEEL_IP, 17, udp(GW_IP, KEEL_IP, 1000, 7, b"ts"),
        options=ts)))
    # Loose source route (RFC 791 §3.1): keel must not honour it.
    lsrr = b"\x83\x07\x04" + ip4("10.0.0.9") + b"\x00"
    s["ip_option_lsrr"] = resolve_gw + record(from_gw(ipv4(
        GW_IP, KEEL_IP, 1, ping, options=lsrr)))
    s["ip_unknown_proto"] = resolve_gw + record(from_gw(ipv4(
        GW_IP, KEEL_IP, 253, b"experimental payload")))

    # keel's client sends to 10.0.0.77:5353, learns its MAC, and 10.0.0.77
    # answers with port unreachable quoting that datagram.
    sent = ipv4(KEEL_IP, PEER_IP, 17,
                udp(KEEL_IP, PEER_IP, 40000, 5353, b"x" * 40))
    unreach = ipv4(PEER_IP, KEEL_IP, 1, icmp(3, 3, b"\0" * 4, sent[:28]))
    s["icmp_port_unreachable"] = \
        record(arp_who_has_keel(), CTL_CLIENT_SEND | STEP_1MS) + \
        record(eth(KEEL_MAC, PEER_MAC, 0x0806,
                   arp(2, PEER_MAC, PEER_IP, KEEL_MAC, KEEL_IP))) + \
        record(eth(KEEL_MAC, PEER_MAC, 0x0800, unreach))
    # The same through the gateway: time exceeded from a router on the way.
    sent_off = ipv4(KEEL_IP, "192.0.2.1", 17,
                    udp(KEEL_IP, "192.0.2.1", 40000, 5353, b"y" * 40))
    s["icmp_time_exceeded"] = \
        record(arp_who_has_keel(),
               CTL_CLIENT_SEND | CTL_OFF_LINK | STEP_1MS) + \
        record(from_gw(ipv4("198.51.100.1", KEEL_IP, 1,
                            icmp(11, 0, b"\0" * 4, sent_off[:28]))))

    s["eth_unknown_type"] = record(eth(KEEL_MAC, GW_MAC, 0x86DD,
                                       b"\x60" + b"\0" * 39))
    s["mixed_with_time"] = resolve_gw + \
        record(from_gw(frags[0]), STEP_10MS) + \
        record(from_gw(ipv4(GW_IP, KEEL_IP, 17,
                            udp(GW_IP, KEEL_IP, 5, 7, b"z" * 100))),
               STEP_2S | CTL_VIA_DRIVER) + \
        record(from_gw(ipv4(GW_IP, KEEL_IP, 1, ping)), STEP_31S) + \
        record(arp_who_has_keel(), STEP_61S)
    return s


def write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False
    path.write_bytes(data)
    return True


def main() -> int:
    p = argparse.ArgumentParser(description="Write fuzz_frame's seeds.")
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    changed = 0
    for name, data in sorted(seeds().items()):
        changed += write_if_changed(args.out / name, data)
    print(f"{len(seeds())} seeds in {args.out}, {changed} written")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
