"""qemu/arm_boot - the aarch64 image boots on QEMU's virt machine with a
Cortex-A53 and with the "max" CPU.

Each boot must log the devicetree found at 0x40000000 (an ELF kernel gets
no pointer in x0) with its size, the CPU, the memory from /memory with
the image inside it, PSCI's conduit from /psci (hvc), the GICv2, the
generic timer's rate, the entropy source (virtio-rng with a Cortex-A53,
which has no RNDR; virtio-rng and RNDR with max), the stack coming up
("keel: up on ...") and the application, then stop through stop_ms= and
leave QEMU with the kernel's exit code 0 (semihosting: the status is the
code). The idle must have slept on the virtual timer and been woken by
its interrupt. Also: the command line reaches the kernel through /chosen
bootargs, a bad key is refused with exit code 2, without netdev=null and
without a virtio-net device the probe says so and the kernel stops with
"no network device", exit code 4, and a Cortex-A53 without virtio-rng
refuses to start the stack (exit code 3) while max, with RNDR, starts; a
CPU started at EL2 (virtualization=on) drops to EL1 and finds PSCI on SMC;
a GICv3 (gic-version=3) is refused with exit code 1.

    python3 tests/qemu/test_arm_boot.py --keel build/echo-aarch64/keel.elf
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qemulab import Cases, boot, note  # noqa: E402

IMAGE = "echo-aarch64"
TARGET = "aarch64"
EXIT_USAGE = 2
EXIT_ENTROPY = 3
EXIT_NETDEV = 4
CPUS = {"cortex-a53": r"Cortex-A53 r\dp\d", "max": r".*midr 0x[0-9a-f]{8}"}
ENTROPY = {"cortex-a53": r"aarch64: entropy from virtio-rng$",
           "max": r"aarch64: entropy from virtio-rng, rndr$"}


def arm_boot(elf: Path, cmdline: str, cpu: str = "max", rng: bool = True,
             **kw):  # type: ignore[no-untyped-def]
    """A boot on virt with a virtio-rng (the A53's entropy) unless not
    `rng`, and no NIC."""
    return boot(elf, "virt", cmdline, cpu=cpu, target=TARGET,
                net="rng" if rng else "none", **kw)


def boots(elf: Path, cpu: str) -> None:
    b = arm_boot(elf, "netdev=null stop_ms=800", cpu)
    b.expect(r"aarch64: devicetree at 0x40000000, \d+ bytes$")
    b.expect(rf"keel: \S+ on aarch64 \({CPUS[cpu]}.*\), el1", "the CPU")
    b.expect(r"aarch64: memory 0x40000000-0x[0-9a-f]+ \(\d+ MiB\); image "
             r"0x40200000-0x[0-9a-f]+", "the memory line")
    b.expect(r"aarch64: text read-only, nothing else executable; boot "
             r"stack 0x[0-9a-f]+-0x[0-9a-f]+, guard page at 0x[0-9a-f]+")
    b.expect(r"aarch64: psci via hvc$")
    b.expect(r"aarch64: gicv2 distributor at 0x8000000 .*cpu interface at "
             r"0x8010000; virtual timer on intid 27")
    clk = b.expect(r"aarch64: clock: generic timer (\d+\.\d+) MHz")
    b.expect(ENTROPY[cpu], "the entropy source")
    b.expect(r"keel: up on null0 mac [0-9a-f:]{17} ip 10\.0\.2\.15/24",
             "the ready line")
    b.expect(r"udp-echo: echoing udp port 7")
    b.expect(r"keel: stopped \(exit 0\)")
    b.expect_code(0)
    st = b.stats()
    if st.get("aarch64.timer_irqs", 0) < 1 or \
       st.get("aarch64.idle_sleeps", 0) < 1:
        raise AssertionError(f"the idle did not sleep on the timer: {st}")
    stop = b.stamp(r"stop_ms=800 reached")
    if stop is None or not 0.8 <= stop < 1.2:
        raise AssertionError(f"stop_ms=800 reached at {stop} s")
    ready = b.arrival(r"keel: up on")
    note(f"virt/{cpu}: ready {ready:.3f} s after QEMU started (kernel "
         f"clock {b.stamp('keel: up on'):.3f} s), generic timer "
         f"{clk.group(1)} MHz")


def cmdline(elf: Path) -> None:
    b = arm_boot(elf, "netdev=null stop_ms=200 ip=192.168.7.9/20 log=debug")
    b.expect(r"keel: up on null0 mac \S+ ip 192\.168\.7\.9/20",
             "ip= from /chosen bootargs")
    b.expect(r"\] debug ", "a debug line (log=debug)")
    b.expect_code(0)


def bad_key(elf: Path) -> None:
    b = arm_boot(elf, "netdev=null nosuchkey=1")
    b.expect(r"command line: unknown key: 'nosuchkey=1'")
    b.expect_code(EXIT_USAGE)
    b = arm_boot(elf, "netdev=loop")
    b.expect(r"aarch64: netdev=loop: expected null or virtio")
    b.expect_code(EXIT_USAGE)


def no_netdev(elf: Path) -> None:
    b = arm_boot(elf, "")
    b.expect(r"virtio-net: no device in 32 MMIO windows at 0xa000000")
    b.expect(r"keel: no network device")
    b.expect_code(EXIT_NETDEV)


def no_entropy(elf: Path) -> None:
    b = arm_boot(elf, "netdev=null", cpu="cortex-a53", rng=False)
    b.expect(r"aarch64: entropy from nothing \(no virtio-rng, no rndr\)")
    b.expect(r"keel: this platform has no entropy source; refusing")
    b.expect_code(EXIT_ENTROPY)
    b = arm_boot(elf, "netdev=null stop_ms=100", cpu="max", rng=False)
    b.expect(r"aarch64: entropy from rndr$")
    b.expect(r"keel: up on")
    b.expect_code(0)


def from_el2(elf: Path) -> None:
    # virtualization=on starts the CPU at EL2 and makes PSCI's conduit SMC.
    b = arm_boot(elf, "netdev=null stop_ms=100",
                 extra=("-machine", "virtualization=on"))
    b.expect(r"keel: \S+ on aarch64 .*, el1 \(entered at el2\)")
    b.expect(r"aarch64: psci via smc$")
    b.expect(r"keel: up on")
    b.expect_code(0)


def gicv3_refused(elf: Path) -> None:
    b = arm_boot(elf, "netdev=null", extra=("-machine", "gic-version=3"))
    b.expect(r"aarch64: the interrupt controller is not a gicv2 .*at the "
             r"gicv3 offset 3\)")
    b.expect_code(1)


def clock_rate(elf: Path, cpu: str) -> None:
    # Over ~3 s of idling the kernel's clock and the host's agree (loosely:
    # TCG is noisy), stop_ms= fires on time, and the loop slept on the
    # virtual timer a few times instead of spinning.
    b = arm_boot(elf, "netdev=null stop_ms=3000", cpu)
    b.expect_code(0)
    k0, k1 = b.stamp(r"keel: up on"), b.stamp(r"stop_ms=3000 reached")
    h0, h1 = b.arrival(r"keel: up on"), b.arrival(r"stop_ms=3000 reached")
    if None in (k0, k1, h0, h1):
        raise AssertionError(f"missing lines\n{b.tail()}")
    ratio = (k1 - k0) / (h1 - h0)
    if not 0.8 <= ratio <= 1.25:
        raise AssertionError(f"kernel/host clock ratio {ratio:.3f}")
    if not 3.0 <= k1 < 3.1:
        raise AssertionError(f"stop_ms=3000 at {k1:.3f} s kernel time")
    st = b.stats()
    if not 2 <= st.get("aarch64.timer_irqs", 0) <= 50 or \
       st.get("aarch64.idle_sleeps", 0) > 200:
        raise AssertionError(f"the idle spun or never slept: {st}")
    note(f"virt/{cpu}: kernel/host clock ratio {ratio:.3f}, "
         f"{st['aarch64.idle_sleeps']} sleeps, "
         f"{st['aarch64.timer_irqs']} timer interrupts in 3 s")


def main() -> int:
    cases = Cases("arm_boot")
    elf = cases.elf
    for cpu in CPUS:
        cases.run(cpu, lambda c=cpu: boots(elf, c))
    for cpu in CPUS:
        cases.run(f"clock_{cpu}", lambda c=cpu: clock_rate(elf, c))
    cases.run("cmdline", lambda: cmdline(elf))
    cases.run("bad_key", lambda: bad_key(elf))
    cases.run("no_netdev", lambda: no_netdev(elf))
    cases.run("no_entropy", lambda: no_entropy(elf))
    cases.run("from_el2", lambda: from_el2(elf))
    cases.run("gicv3_refused", lambda: gicv3_refused(elf))
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
