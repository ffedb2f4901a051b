"""qemu/clock - the calibrated clock, the idle sleep and interrupts.

  rate.MACHINE    with stop_ms=3000 the kernel idles (hlt) until the
                  deadline: its clock must advance at the host's rate
                  (loosely: 0.8-1.25 over the run, QEMU's TCG is noisy),
                  the stop must come at 3.000-3.100 s of kernel time (the
                  one-shot APIC timer fires at the deadline), and the loop
                  must have slept a handful of times, woken by the timer,
                  not spun
  calibration     the TSC rate is plausible and the APIC timer, measured
                  against it, is QEMU's 1 GHz / 16 = 62.5 MHz within 2 %
  device_irq.MACHINE
                  irqtest=rtc: the RTC's 2 Hz interrupt, routed through the
                  IOAPIC, wakes the idle CPU: 3-7 interrupts in 2.6 s, each
                  counted as a device interrupt and ending a sleep
  device_irq_level
                  the same with the input level-triggered (irqtest=
                  rtc_level): the handler masks it, the next sleep unmasks

    python3 tests/qemu/test_clock.py --keel build/echo-x86/keel.elf
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qemulab import MACHINES, Cases, boot, note  # noqa: E402

APIC_HZ = 1_000_000_000 / 16


def rate(elf: Path, machine: str) -> None:
    b = boot(elf, machine, "netdev=null stop_ms=3000")
    b.expect_code(0)
    up, stop = r"keel: up on", r"x86: stop_ms=3000 reached"
    k0, k1 = b.stamp(up), b.stamp(stop)
    h0, h1 = b.arrival(up), b.arrival(stop)
    if None in (k0, k1, h0, h1):
        raise AssertionError(f"missing lines\n{b.tail()}")
    ratio = (h1 - h0) / (k1 - k0)
    note(f"{machine}: kernel {k1 - k0:.3f} s, host {h1 - h0:.3f} s "
         f"(ratio {ratio:.3f}); stop at {k1:.3f} s")
    if not 0.8 <= ratio <= 1.25:
        raise AssertionError(f"host/kernel time ratio {ratio:.3f}")
    if not 3.0 <= k1 <= 3.1:
        raise AssertionError(f"stop_ms=3000 logged at {k1:.3f} s")
    s = b.stats()
    if not 1 <= s.get("x86.idle_sleeps", 0) <= 12:
        raise AssertionError(f"x86.idle_sleeps {s.get('x86.idle_sleeps')}"
                             f" in 3 s (expected a few 1-s sleeps)")
    if s.get("x86.timer_irqs", 0) < 1:
        raise AssertionError("no timer interrupt ended a sleep")


def calibration(elf: Path) -> None:
    b = boot(elf, "microvm", "netdev=null stop_ms=100")
    b.expect_code(0)
    m = b.expect(r"x86: tsc (\d+)\.(\d+) MHz")
    tsc = int(m.group(1)) + int(m.group(2)) / 1000
    m = b.expect(r"x86: apic timer (\d+)\.(\d+) MHz")
    apic = (int(m.group(1)) + int(m.group(2)) / 1000) * 1e6
    note(f"tsc {tsc:.3f} MHz, apic timer {apic / 1e6:.3f} MHz "
         f"({(apic / APIC_HZ - 1) * 100:+.2f} % from 62.5)")
    if not 100 <= tsc <= 20000:
        raise AssertionError(f"tsc {tsc} MHz")
    if abs(apic / APIC_HZ - 1) > 0.02:
        raise AssertionError(f"apic timer {apic / 1e6:.3f} MHz, not 62.5")


def device_irq(elf: Path, machine: str, kind: str = "rtc") -> None:
    b = boot(elf, machine, f"netdev=null irqtest={kind} stop_ms=2600")
    b.expect(rf"x86: irqtest={kind}: rtc periodic interrupt")
    b.expect_code(0)
    s = b.stats()
    rtc = s.get("x86.rtc_irqs", 0)
    note(f"{machine} {kind}: {rtc} rtc interrupts, {s.get('x86.idle_sleeps')} "
         f"sleeps, {s.get('x86.timer_irqs')} timer interrupts")
    if not 3 <= rtc <= 7:
        raise AssertionError(f"{rtc} RTC interrupts in 2.6 s at 2 Hz")
    if s.get("x86.device_irqs", 0) < rtc:
        raise AssertionError("RTC interrupts not counted as device ones")
    if s.get("x86.idle_sleeps", 0) < rtc:
        raise AssertionError("fewer sleeps than wake-ups")


def main() -> int:
    cases = Cases("clock")
    elf = cases.elf
    for m in MACHINES:
        cases.run(f"rate.{m}", lambda m=m: rate(elf, m))
    cases.run("calibration", lambda: calibration(elf))
    for m in MACHINES:
        cases.run(f"device_irq.{m}", lambda m=m: device_irq(elf, m))
    cases.run("device_irq_level",
              lambda: device_irq(elf, "microvm", "rtc_level"))
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
