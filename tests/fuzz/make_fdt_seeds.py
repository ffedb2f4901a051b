#!/usr/bin/env python3
"""Write tests/fuzz/corpus/fdt/: small flattened devicetrees (Devicetree
Specification v0.4, chapter 5) shaped like QEMU virt's — /memory with its
reg, /chosen with bootargs and rng-seed, /psci with its method — for
fuzz_fdt.c to start from."""

from __future__ import annotations

import struct
from pathlib import Path

OUT = Path(__file__).resolve().parent / "corpus" / "fdt"


def pad(b: bytes) -> bytes:
    return b + b"\0" * (-len(b) % 4)


class Blob:
    def __init__(self) -> None:
        self.s = b""
        self.strings = b""

    def begin(self, name: str) -> None:
        self.s += struct.pack(">I", 1) + pad(name.encode() + b"\0")

    def end(self) -> None:
        self.s += struct.pack(">I", 2)

    def prop(self, name: str, value: bytes) -> None:
        off = len(self.strings)
        self.strings += name.encode() + b"\0"
        self.s += struct.pack(">III", 3, len(value), off) + pad(value)

    def finish(self) -> bytes:
        self.s += struct.pack(">I", 9)
        off_s = 40 + 16
        off_str = off_s + len(self.s)
        total = off_str + len(self.strings)
        head = struct.pack(">10I", 0xD00DFEED, total, off_s, off_str, 40,
                           17, 16, 0, len(self.strings), len(self.s))
        return head + b"\0" * 16 + self.s + self.strings


def virt(bootargs: str | None, method: str, cells: int) -> bytes:
    b = Blob()
    b.begin("")
    b.prop("#address-cells", struct.pack(">I", cells))
    b.prop("#size-cells", struct.pack(">I", cells))
    b.begin("psci")
    b.prop("method", method.encode() + b"\0")
    b.end()
    b.begin("memory@40000000")
    fmt = ">QQ" if cells == 2 else ">II"
    b.prop("reg", struct.pack(fmt, 0x40000000, 0x8000000))
    b.end()
    b.begin("chosen")
    b.prop("rng-seed", bytes(range(32)))
    if bootargs is not None:
        b.prop("bootargs", bootargs.encode() + b"\0")
    b.end()
    b.end()
    return b.finish()


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    seeds = {
        "virt": virt("netdev=null stop_ms=100", "hvc", 2),
        "virt_smc_cells1": virt("ip=10.0.2.15/24", "smc", 1),
        "no_bootargs": virt(None, "hvc", 2),
    }
    for name, data in seeds.items():
        (OUT / name).write_bytes(data)


if __name__ == "__main__":
    main()
