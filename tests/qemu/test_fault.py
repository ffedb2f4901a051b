"""qemu/fault - a CPU exception is reported on the console and ends QEMU
with the exception exit code.

fault=ud2|pf|div0|gp|stack|text_write|data_exec makes the kernel raise
that exception once its command line is validated (stack: a recursion runs
into the guard page below the boot stack; the #PF cannot push its frame
there, so the CPU raises #DF, which runs on its own IST stack and names the
overflow; text_write and data_exec: the page protections, text read-only
and data not executable, turn them into #PF with the cause spelled out).
The report must name the vector, give the error code, RIP/RSP/RFLAGS and
CR2 (for #PF the faulting address, e.g. 0x100000000, the first unmapped
one), every general register and a backtrace whose addresses addr2line maps
to the faulting function and the kernel's start-up path; QEMU must exit
with code 64 (X86_EXIT_EXCEPTION, status 129).

    python3 tests/qemu/test_fault.py --keel build/echo-x86/keel.elf
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qemulab import MACHINES, Cases, boot  # noqa: E402

EXIT_EXCEPTION = 64
REGISTERS = ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9",
             "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rsp",
             "rflags", "cr2")
FAULTS = {
    "ud2": (6, "#UD", "platform_fault_ud2"),
    "pf": (14, "#PF", "platform_fault_pf"),
    "div0": (0, "#DE", "platform_fault_div0"),
    "gp": (13, "#GP", "platform_fault_gp"),
    # The overflow's #PF cannot push its frame: a #DF, on its own stack.
    "stack": (8, "#DF", "testkey_fault_recurse"),
    # Page protections: text is read-only, data not executable.
    "text_write": (14, "#PF", "platform_fault_text_write"),
    "data_exec": (14, "#PF", "platform_fault_data_exec"),
}
# What the page-fault line must say, per kind.
PF_DETAIL = {
    "pf": r"page fault: not present, read$",
    "text_write": r"page fault: protection violation, write$",
    "data_exec": r"page fault: protection violation, read, instruction fetch",
}


def symbolize(elf: Path, addrs: list[str]) -> list[str]:
    """Function names (inlined ones too) for the addresses, via addr2line."""
    r = subprocess.run(["addr2line", "-f", "-i", "-e", str(elf), *addrs],
                       capture_output=True, text=True, check=True)
    return r.stdout.splitlines()[::2]


def fault(elf: Path, machine: str, kind: str) -> None:
    vector, mnemonic, function = FAULTS[kind]
    b = boot(elf, machine, f"netdev=null fault={kind}")
    b.expect(rf"x86: exception {vector} {mnemonic} .*, error 0x[0-9a-f]+",
             f"the {mnemonic} line")
    for reg in REGISTERS:
        b.expect(rf"\b{reg}\s+0x[0-9a-f]+", f"register {reg}")
    if kind == "pf":
        b.expect(r"cr2 0x0000000100000000", "CR2 = the faulting address")
    if kind in PF_DETAIL:
        b.expect(PF_DETAIL[kind], "the page fault's cause")
    if kind == "stack":
        b.expect(r"x86: cr2 is in the guard page below the boot stack")
    m = b.expect(r"x86: backtrace ((?:\??0x[0-9a-f]+ ?)+)$")
    addrs = [a.lstrip("?") for a in m.group(1).split()]
    names = symbolize(elf, addrs)
    # A runaway recursion fills the backtrace before reaching the top.
    wanted = (function,) if kind == "stack" else \
        (function, "kernel_main", "x86_main")
    for want in wanted:
        if want not in names:
            raise AssertionError(f"backtrace {m.group(1)} = {names}: no "
                                 f"{want}")
    b.expect_code(EXIT_EXCEPTION)
    if b.find(r"keel: up on"):
        raise AssertionError("the stack came up after the exception")


def bad_value(elf: Path) -> None:
    b = boot(elf, "microvm", "netdev=null fault=segv")
    b.expect(r"x86: fault=segv: expected ud2, pf, div0, gp, stack, "
             r"text_write or data_exec")
    b.expect_code(2)
    if b.find(r"x86: exception"):
        raise AssertionError("an exception for a refused fault= value")


def main() -> int:
    cases = Cases("fault")
    elf = cases.elf
    for kind in FAULTS:
        cases.run(kind, lambda k=kind: fault(elf, "microvm", k))
    for m in MACHINES[1:]:
        cases.run(f"ud2_{m}", lambda m=m: fault(elf, m, "ud2"))
    cases.run("bad_value", lambda: bad_value(elf))
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
