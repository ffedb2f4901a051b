"""qemu/boot - the x86_64 image boots on microvm, pc and q35.

Each boot must log the PVH start, the memory map from the start info (with
RAM, and the image inside it), the interrupt controllers, PCI bus 0's host
bridge read through virtio_hw.h (none on microvm), the clock's
calibration, the stack coming up ("keel: up on ...", the line the loop
starts after) and the application, then stop through stop_ms= and leave
QEMU with the kernel's exit code 0 (status 1). Also: the command line
reaches the kernel (ip= shows in the up line), a bad key is refused with
exit code 2, no netdev=null and no virtio-net means "no network device"
and exit code 4,
a CPU without RDSEED/RDRAND refuses to start the stack (exit code 3), and
an image larger than the RAM QEMU is given says so and stops (exit code 1)
instead of running into memory that is not there.

    python3 tests/qemu/test_boot.py --keel build/echo-x86/keel.elf
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qemulab import MACHINES, Cases, boot, note  # noqa: E402

EXIT_USAGE = 2
EXIT_ENTROPY = 3
EXIT_NETDEV = 4
# What each machine's PCI bus 0 answers (microvm has none): the i440FX
# and Q35 host bridges.
PCI = {
    "microvm": r"x86: no pci configuration space",
    "pc": r"x86: pci bus 0: \d+ functions, host bridge 8086:1237",
    "q35": r"x86: pci bus 0: \d+ functions, host bridge 8086:29c0",
}


def boots(elf: Path, machine: str) -> None:
    b = boot(elf, machine, "netdev=null stop_ms=800")
    b.expect(r"keel: \S+ on x86_64 .*PVH start info version \d",
             "the PVH start line")
    b.expect(r"x86: mem 0x[0-9a-f]{16}-0x[0-9a-f]{16} ram", "a RAM entry")
    m = b.expect(r"x86: memory map: (\d+) entries .*(\d+) KiB ram; image",
                 "the memory map summary")
    if int(m.group(1)) < 2:
        raise AssertionError(f"only {m.group(1)} memory map entries")
    b.expect(r"x86: boot stack 0x[0-9a-f]+-0x[0-9a-f]+, guard page at")
    b.expect(r"x86: local apic at 0xfee00000")
    b.expect(r"x86: ioapic at 0xfec00000")
    b.expect(PCI[machine], "PCI through virtio_hw.h")
    tsc = b.expect(r"x86: tsc (\d+)\.(\d+) MHz from (the pit|cpuid)")
    b.expect(r"x86: apic timer \d+\.\d+ MHz")
    b.expect(r"keel: up on null0 mac [0-9a-f:]{17} ip 10\.0\.2\.15/24",
             "the ready line")
    b.expect(r"udp-echo: echoing udp port 7")
    b.expect(r"keel: stopped \(exit 0\)")
    b.expect_code(0)
    ready = b.arrival(r"keel: up on")
    note(f"{machine}: ready {ready:.3f} s after QEMU started (kernel "
         f"clock {b.stamp('keel: up on'):.3f} s), tsc "
         f"{tsc.group(1)}.{tsc.group(2)} MHz from {tsc.group(3)}")


def cmdline(elf: Path) -> None:
    b = boot(elf, "microvm", "netdev=null stop_ms=200 ip=192.168.7.9/20 "
             "log=debug")
    b.expect(r"keel: up on null0 mac \S+ ip 192\.168\.7\.9/20$",
             "ip= from the command line")
    b.expect(r"\] debug ", "a debug line (log=debug)")
    b.expect_code(0)


def bad_key(elf: Path) -> None:
    b = boot(elf, "microvm", "netdev=null nosuchkey=1")
    b.expect(r"command line: unknown key: 'nosuchkey=1'")
    b.expect_code(EXIT_USAGE)
    b = boot(elf, "microvm", "netdev=loop")
    b.expect(r"x86: netdev=loop: expected null")
    b.expect_code(EXIT_USAGE)


def no_netdev(elf: Path) -> None:
    b = boot(elf, "microvm", "")
    b.expect(r"virtio-net: no device in 24 MMIO windows at 0xfeb00000")
    b.expect(r"x86: no virtio-net device")
    b.expect(r"keel: no network device")
    b.expect_code(EXIT_NETDEV)


def no_entropy(elf: Path) -> None:
    # qemu64 has neither RDSEED nor RDRAND.
    b = boot(elf, "microvm", "netdev=null", cpu="qemu64")
    b.expect(r"x86: entropy from none in the cpu")
    b.expect(r"keel: this platform has no entropy source; refusing")
    b.expect_code(EXIT_ENTROPY)


def too_little_ram(elf: Path) -> None:
    for machine in ("microvm", "pc"):
        b = boot(elf, machine, "netdev=null", memory_mb=3)
        b.expect(r"x86: the image 0x200000-0x[0-9a-f]+ does not fit in the "
                 r"ram the memory map reports")
        b.expect_code(1)


def main() -> int:
    cases = Cases("boot")
    elf = cases.elf
    for m in MACHINES:
        cases.run(m, lambda m=m: boots(elf, m))
    cases.run("cmdline", lambda: cmdline(elf))
    cases.run("bad_key", lambda: bad_key(elf))
    cases.run("no_netdev", lambda: no_netdev(elf))
    cases.run("no_entropy", lambda: no_entropy(elf))
    cases.run("too_little_ram", lambda: too_little_ram(elf))
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
