"""qemu/arm_fault - an exception on aarch64 is reported on the console and
ends QEMU with the exception exit code.

fault=undef|data|exec|brk|text_write|data_exec|stack makes the kernel
raise that exception once its command line is validated: UDF (exception
class 0x0), a read of 4 GiB, the first address the translation tables
leave unmapped (a data abort, EC 0x25, translation fault at level 1,
FAR = 0x100000000), a call there (an instruction abort, EC 0x21), BRK #0
(EC 0x3c), a write to text and a call into data (permission faults at
level 3: text is read-only, data not executable), and a recursion that
runs the boot stack into its guard page (a translation fault at level 3
that the report names as a stack overflow; it is reported because
exceptions run on their own stack, SP_EL1). The report must
name the class, give ESR, FAR, ELR and SPSR, every general register and
SP, and a backtrace whose addresses addr2line maps to the faulting
function and the kernel's start-up path; QEMU must exit with code 64
(ARM64_EXIT_EXCEPTION; with -semihosting the status is the code). Both
CPUs are covered.

    python3 tests/qemu/test_arm_fault.py --keel build/echo-aarch64/keel.elf
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qemulab import Cases, boot  # noqa: E402

IMAGE = "echo-aarch64"
EXIT_EXCEPTION = 64
REGISTERS = tuple(f"x{i}" for i in range(31)) + ("sp", "esr", "far", "elr",
                                                  "spsr")
FAULTS = {
    "undef": (0x0, r"unknown reason \(undefined instruction\)",
              "platform_fault_undef"),
    "data": (0x25, r"data abort \(same EL\)", "platform_fault_data"),
    "exec": (0x21, r"instruction abort \(same EL\)", "platform_fault_exec"),
    "brk": (0x3c, r"brk instruction", "platform_fault_brk"),
    # Page protections: text read-only, nothing but text executable.
    "text_write": (0x25, r"data abort \(same EL\)",
                   "platform_fault_text_write"),
    "data_exec": (0x21, r"instruction abort \(same EL\)",
                  "platform_fault_data_exec"),
    # A runaway recursion into the guard page below the boot stack.
    "stack": (0x25, r"data abort \(same EL\)", "testkey_fault_recurse"),
}
ABORT_DETAIL = {
    "data": r"abort: translation fault, level 1, read$",
    "exec": r"abort: translation fault, level 1, instruction fetch$",
    "text_write": r"abort: permission fault, level 3, write$",
    "data_exec": r"abort: permission fault, level 3, instruction fetch$",
    "stack": r"abort: translation fault, level 3, write$",
}


def symbolize(elf: Path, addrs: list[str]) -> list[str]:
    """Function names (inlined ones too) for the addresses, via addr2line."""
    r = subprocess.run(["aarch64-linux-gnu-addr2line", "-f", "-i", "-e",
                        str(elf), *addrs],
                       capture_output=True, text=True, check=True)
    return r.stdout.splitlines()[::2]


def fault(elf: Path, kind: str, cpu: str = "max") -> None:
    ec, name, function = FAULTS[kind]
    b = boot(elf, "virt", f"netdev=null fault={kind}", cpu=cpu,
             target="aarch64", net="rng")
    b.expect(rf"aarch64: exception: synchronous, current EL with SP_EL0: "
             rf"{name}$", "the exception line")
    b.expect(rf"esr 0x[0-9a-f]+ \(ec 0x{ec:x} iss 0x[0-9a-f]+\)", "the EC")
    for reg in REGISTERS:
        b.expect(rf"\b{reg}\s+0x[0-9a-f]+", f"register {reg}")
    if kind in ("data", "exec"):
        b.expect(r"far 0x0000000100000000", "FAR = the faulting address")
    if kind in ABORT_DETAIL:
        b.expect(ABORT_DETAIL[kind], "the abort's cause")
    if kind == "stack":
        b.expect(r"aarch64: far is in the guard page below the boot stack")
    m = b.expect(r"aarch64: backtrace ((?:\??0x[0-9a-f]+ ?)+)$")
    addrs = [a.lstrip("?") for a in m.group(1).split()]
    names = symbolize(elf, addrs)
    # A runaway recursion fills the backtrace before reaching the top.
    wanted = () if kind == "stack" else \
        ("testkey_fault", "kernel_main", "arm64_main")
    for want in wanted:
        if want not in names:
            raise AssertionError(f"backtrace {m.group(1)} = {names}: no "
                                 f"{want}")
    if kind != "exec" and function not in names:
        raise AssertionError(f"backtrace {m.group(1)} = {names}: no "
                             f"{function}")
    b.expect_code(EXIT_EXCEPTION)
    if b.find(r"keel: up on"):
        raise AssertionError("the stack came up after the exception")


def bad_value(elf: Path) -> None:
    b = boot(elf, "virt", "netdev=null fault=segv", target="aarch64",
             net="rng")
    b.expect(r"aarch64: fault=segv: expected undef, data, exec, brk, "
             r"text_write, data_exec or stack")
    b.expect_code(2)
    if b.find(r"aarch64: exception"):
        raise AssertionError("an exception for a refused fault= value")


def main() -> int:
    cases = Cases("arm_fault")
    elf = cases.elf
    for kind in FAULTS:
        cases.run(kind, lambda k=kind: fault(elf, k))
    cases.run("data_cortex-a53", lambda: fault(elf, "data", "cortex-a53"))
    cases.run("bad_value", lambda: bad_value(elf))
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
