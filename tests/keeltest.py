"""Test tiers and benchmarks behind ./build.py test and ./build.py bench.

Each tier function takes a Results and the parsed arguments, and records one
result per test case. Case lines look like

    ok   unit/test_arp.resolve_flushes_queue
    FAIL net/ping.flood: 12 of 10000 lost
    skip net/all: needs root for network namespaces

and the run ends with 'N passed, N failed, N skipped'.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"

# build.py runs as __main__; importing it again by name would make a second
# copy with its own state, so use the running one when there is one.
_b = sys.modules.get("__main__")
if not hasattr(_b, "load_image"):
    sys.path.insert(0, str(ROOT))
    import build as _b  # noqa: E402


class Results:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.failures: list[str] = []

    def ok(self, name: str) -> None:
        self.passed += 1
        print(f"ok   {name}", flush=True)

    def fail(self, name: str, why: str) -> None:
        self.failed += 1
        self.failures.append(name)
        text = why.rstrip().replace("\n", "\n     ")
        print(f"FAIL {name}: {text}", flush=True)

    def skip(self, name: str, why: str) -> None:
        self.skipped += 1
        print(f"skip {name}: {why}", flush=True)

    def summary(self) -> int:
        if self.failures:
            print("failed: " + " ".join(self.failures))
        print(f"{self.passed} passed, {self.failed} failed, "
              f"{self.skipped} skipped", flush=True)
        return 1 if self.failed else 0


def _wanted(args: argparse.Namespace, name: str) -> bool:
    return not getattr(args, "filter", "") or args.filter in name


# --------------------------------------------------------------------------
# unit: host C tests under ASan/UBSan, and build.py's own tests
# --------------------------------------------------------------------------

LIB = ("kernel/lib/fmt.c", "kernel/lib/siphash.c", "kernel/lib/string.c")
# Each directory of tests and the sources its test programs link.
UNIT_GROUPS: dict[str, tuple[str, ...]] = {
    "tests/unit/kernel/lib": LIB,
    "tests/unit/kernel": (*LIB, "kernel/cmdline.c"),
    "tests/unit/kernel/arch": (*LIB, "kernel/log.c", "kernel/cmdline.c",
                               "kernel/arch/aarch64/fdt.c"),
    "tests/unit/net": (*LIB, "net/*.c", "tests/unit/net/fake_netdev.c"),
    "tests/unit/kernel/dns": (*LIB, "net/*.c", "tests/unit/net/fake_netdev.c",
                              "kernel/kernel_dns.c"),
    "tests/unit/kernel/tcp": (*LIB, "net/*.c", "tests/unit/net/fake_netdev.c",
                              "kernel/kernel_tcp.c"),
    "tests/unit/drivers": (*LIB, "kernel/cmdline.c", "kernel/log.c",
                           "drivers/impair/impair.c", "drivers/virtio/*.c",
                           "tests/unit/drivers/virtio_model.c",
                           "drivers/stm32/*.c",
                           "drivers/stm32/model/stm32_eth_model.c"),
    "tests/unit/apps/dns_server": (*LIB, "net/*.c",
                                   "tests/unit/net/fake_netdev.c",
                                   "kernel/cmdline.c", "kernel/log.c",
                                   "apps/dns_server/*.c",
                                   "tests/unit/apps/dns_server/fake_kernel.c"),
    "tests/unit/apps/https": (*LIB, "apps/https/http_parse.c"),
}
UNIT_INCLUDES = ("kernel/include", "kernel/lib/include", "kernel/lib",
                 "net/include",
                 "net", "tests/unit", "tests/unit/net", "drivers/impair",
                 "drivers/virtio", "drivers", "apps/dns_server", "apps/https",
                 "kernel/arch/aarch64/include")
# The zone the dns_server unit tests and fuzz harness answer from.
UNIT_ZONE = "tests/unit/apps/dns_server/test.zone"


def _unit_config() -> Path:
    image = _b.load_image(ROOT / "tests/unit/unit.toml")
    gen = _b.generate_config(image, BUILD / "unit")
    text = _b.compile_zones([ROOT / UNIT_ZONE], "dns_test_zone")
    _b.write_if_changed(gen / "dns_test_zone.h", text)
    return gen


def _unit_compiler(gen: Path) -> "_b.Compiler":
    incs = [f"-I{ROOT / i}" for i in UNIT_INCLUDES] + [f"-I{gen}"]
    flags = (*_b.BASE_CFLAGS, "-O1", "-D_GNU_SOURCE", *_b.SANITIZE, *incs)
    return _b.Compiler("gcc", flags, BUILD / "unit" / "obj")


def _unit_sources(pats: tuple[str, ...]) -> list[Path]:
    return _b.glob_sources(pats)


def _build_unit_tests(results: Results, args: argparse.Namespace
                      ) -> list[Path]:
    gen = _unit_config()
    comp = _unit_compiler(gen)
    extra = {ROOT / "kernel/lib/string.c": ("-DKLIB_PREFIX",)}
    main_obj = comp.compile([ROOT / "tests/unit/test_main.c"])
    programs: list[Path] = []
    for group, pats in UNIT_GROUPS.items():
        tests = sorted((ROOT / group).glob("test_*.c"))
        tests = [t for t in tests if _wanted(args, t.stem) or
                 _wanted(args, group)]
        if not tests:
            continue
        try:
            lib = comp.compile(_unit_sources(pats), extra)
            objs = comp.compile(tests)
        except _b.KeelError as e:
            results.fail(f"unit/build:{group}", str(e))
            continue
        for test, obj in zip(tests, objs):
            exe = BUILD / "unit" / "bin" / test.stem
            exe.parent.mkdir(parents=True, exist_ok=True)
            try:
                _b.run_quiet(["gcc", *_b.SANITIZE, "-o", str(exe),
                              *map(str, main_obj + lib + [obj])])
            except _b.KeelError as e:
                results.fail(f"unit/{test.stem}", str(e))
                continue
            programs.append(exe)
    return programs


def _run_unit_program(results: Results, exe: Path) -> None:
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
               UBSAN_OPTIONS="print_stacktrace=1")
    try:
        r = subprocess.run([str(exe)], capture_output=True, text=True,
                           timeout=300, env=env, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        results.fail(f"unit/{exe.name}", "timed out after 300 s")
        return
    seen = 0
    for line in r.stdout.splitlines():
        m = re.match(r"(ok  |FAIL) (\S+?)(?::\s(.*))?$", line)
        if not m:
            continue
        seen += 1
        if m.group(1) == "FAIL":
            results.fail(f"unit/{m.group(2)}", m.group(3) or "")
        else:
            results.ok(f"unit/{m.group(2)}")
    if r.returncode != 0 and (seen == 0 or "FAIL" not in r.stdout):
        tail = "\n".join((r.stdout + r.stderr).splitlines()[-30:])
        results.fail(f"unit/{exe.name}", f"exited {r.returncode}\n{tail}")
    elif seen == 0:
        results.fail(f"unit/{exe.name}", "ran no test case")


def _run_python_unit(results: Results, args: argparse.Namespace) -> None:
    tests = sorted((ROOT / "tests/unit").glob("test_*.py"))
    for t in tests:
        r = subprocess.run([sys.executable, str(t)], cwd=ROOT,
                           capture_output=True, text=True, timeout=600,
                           stdin=subprocess.DEVNULL)
        for m in re.finditer(r"^(\w+) \(([\w.]+)\)(?:\n.*?)?"
                             r" \.\.\. (ok|FAIL|ERROR|skipped.*)$",
                             r.stderr, re.M):
            name = f"unit/{t.stem}.{m.group(1)}"
            if not _wanted(args, name):
                continue
            if m.group(3) == "ok":
                results.ok(name)
            elif m.group(3).startswith("skipped"):
                results.skip(name, m.group(3))
            else:
                results.fail(name, _unittest_detail(r.stderr, m.group(1)))
        if r.returncode != 0 and "FAILED" not in r.stderr:
            results.fail(f"unit/{t.stem}", r.stderr[-2000:])


def _unittest_detail(text: str, name: str) -> str:
    m = re.search(rf"^(?:FAIL|ERROR): {name} .*?(?=^={10,}|^-{10,}\nRan)",
                  text, re.M | re.S)
    return m.group(0)[-1500:] if m else "failed"


def tier_unit(results: Results, args: argparse.Namespace) -> None:
    for exe in _build_unit_tests(results, args):
        _run_unit_program(results, exe)
    _run_python_unit(results, args)


# --------------------------------------------------------------------------
# cross: every image builds, within budget, with no allocator
# --------------------------------------------------------------------------

def tier_cross(results: Results, args: argparse.Namespace) -> None:
    for path in _b.all_images():
        name = f"cross/{path.stem}"
        if not _wanted(args, name):
            continue
        try:
            image = _b.load_image(path)
            exe, objs = _b.build_image_objs(image, quiet_link=True)
        except _b.KeelError as e:
            results.fail(name, str(e))
            continue
        results.ok(name)
        _cross_budget(results, args, image, exe, objs)
    _cross_drivers(results, args)
    _cross_gcc_drivers(results, args)


def _cross_budget(results: Results, args: argparse.Namespace,
                  image: _b.Image, exe: Path, objs: list[Path]) -> None:
    """For an image with a [budget]: the check build_image() ran passes
    with each limit set to exactly what the image uses, and fails naming
    the key with the limit one byte lower, on the image just built."""
    name = f"cross/budget-{image.name}"
    if not _wanted(args, name):
        return
    sizes = _b.image_module_sizes(image, objs, exe).values()
    used = {"CONFIG_BUDGET_RAM": sum(s.ram for s in sizes),
            "CONFIG_BUDGET_FLASH": sum(s.flash for s in sizes)}
    if not any(image.values[m] for m in used):
        return
    for macro, key in (("CONFIG_BUDGET_RAM", "budget.ram"),
                       ("CONFIG_BUDGET_FLASH", "budget.flash")):
        for limit, fails in ((used[macro], False), (used[macro] - 1, True)):
            probe = dataclasses.replace(
                image, values={**image.values, macro: limit})
            try:
                _b.check_budget(probe, objs, exe)
                failed = ""
            except _b.KeelError as e:
                failed = str(e)
            if fails and key not in failed:
                results.fail(name, f"{key} = {limit} ({used[macro]} used): "
                             f"the build did not fail")
                return
            if not fails and failed:
                results.fail(name, f"{key} = {limit}, exactly what is "
                             f"used: {failed}")
                return
    results.ok(name)


# Drivers compiled freestanding for the machines they are meant for, also
# apart from the targets that link them (aarch64 links virtio).
CROSS_DRIVERS = {"virtio": "drivers/virtio/*.c"}
CROSS_ARCHES = ("x86_64-none-elf", "aarch64-none-elf")


def _cross_drivers(results: Results, args: argparse.Namespace) -> None:
    for driver, pattern in CROSS_DRIVERS.items():
        for arch in CROSS_ARCHES:
            name = f"cross/{driver}-{arch.split('-')[0]}"
            if not _wanted(args, name):
                continue
            if not shutil.which("clang"):
                results.skip(name, "clang is not installed")
                continue
            try:
                _compile_freestanding(arch, _b.glob_sources([pattern]))
            except _b.KeelError as e:
                results.fail(name, str(e))
                continue
            results.ok(name)


# Drivers compiled with a GCC cross toolchain for one CPU:
# name -> (sources, compiler, code-generation flags).
CROSS_GCC_DRIVERS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # The STM32F7's core; no FPU use in drivers (soft-float calls none).
    "stm32-cortex-m7": ("drivers/stm32/*.c", "arm-none-eabi-gcc",
                        ("-mcpu=cortex-m7", "-mthumb", "-mfloat-abi=soft")),
}


def _cross_gcc_drivers(results: Results, args: argparse.Namespace) -> None:
    for name, (pattern, cc, cpu) in CROSS_GCC_DRIVERS.items():
        name = f"cross/{name}"
        if not _wanted(args, name):
            continue
        if not shutil.which(cc):
            results.skip(name, f"{cc} is not installed")
            continue
        try:
            _compile_freestanding_gcc(cc, cpu, _b.glob_sources([pattern]),
                                      name.split("/")[1])
        except _b.KeelError as e:
            results.fail(name, str(e))
            continue
        results.ok(name)


def _compile_freestanding_gcc(cc: str, cpu: tuple[str, ...],
                              sources: list[Path], tag: str) -> None:
    gen = _unit_config()
    include = subprocess.run([cc, "-print-file-name=include"],
                             capture_output=True, text=True,
                             check=True).stdout.strip()
    incs = [f"-I{ROOT / i}" for i in UNIT_INCLUDES] + [f"-I{gen}"]
    flags = (*_b.BASE_CFLAGS, "-Os", *cpu, "-ffreestanding", "-nostdinc",
             "-isystem", include, f"-I{ROOT / 'kernel/lib/libc'}", *incs)
    comp = _b.Compiler(cc, flags, BUILD / "cross" / tag / "obj")
    comp.compile(sources)


def _compile_freestanding(arch: str, sources: list[Path]) -> None:
    gen = _unit_config()
    resource = subprocess.run(["clang", "-print-resource-dir"],
                              capture_output=True, text=True,
                              check=True).stdout.strip()
    incs = [f"-I{ROOT / i}" for i in UNIT_INCLUDES] + [f"-I{gen}"]
    flags = (*_b.BASE_CFLAGS, "-Os", f"--target={arch}", "-ffreestanding",
             "-nostdinc", "-isystem", f"{resource}/include",
             f"-I{ROOT / 'kernel/lib/libc'}", "-mgeneral-regs-only", *incs)
    comp = _b.Compiler("clang", flags, BUILD / "cross" / arch / "obj")
    comp.compile(sources)


# --------------------------------------------------------------------------
# fuzz: libFuzzer harnesses, a bounded run each
# --------------------------------------------------------------------------

FUZZ_SOURCES = (*LIB[:2], "net/*.c", "tests/fuzz/fuzz_netdev.c",
                "apps/https/http_parse.c")
# Harnesses that need more than the stack: their sources and includes.
FUZZ_EXTRA: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "fuzz_virtio": (("drivers/virtio/*.c", "kernel/log.c",
                     "tests/unit/drivers/virtio_model.c"),
                    ("tests/unit/drivers",)),
    "fuzz_fdt": (("kernel/log.c", "kernel/arch/aarch64/fdt.c"), ()),
    "fuzz_dns_server": (("apps/dns_server/dns_answer.c",
                         "apps/dns_server/dns_rrl.c"), ()),
}


FUZZ_HTTPS_SOURCES = ("kernel/lib/fmt.c", "net/stats.c",
                      "apps/https/http_parse.c", "apps/https/https.c",
                      "apps/https/routes/kv.c")


def _fuzz_seconds(args: argparse.Namespace) -> int:
    if getattr(args, "fuzz_seconds", None):
        return args.fuzz_seconds
    return int(os.environ.get("KEEL_FUZZ_SECONDS", "30"))


def _fuzz_tls_parts() -> tuple[list[str], list[Path]]:
    """For fuzz_tls: include flags, and wolfSSL's objects (instrumented
    for the fuzzer and ASan; UBSan would judge wolfSSL's own idioms) with
    a development certificate."""
    _b.ensure_packages(["tls"])
    wolf = _b.fetch_wolfssl()
    tls = BUILD / "fuzz" / "tls"
    cert, key = tls / "cert.pem", tls / "key.pem"
    if not (cert.exists() and key.exists()):
        tls.mkdir(parents=True, exist_ok=True)
        _b.run_quiet(["openssl", "req", "-x509", "-newkey", "ec",
                      "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                      "-days", "3650", "-subj", "/CN=fuzz", "-keyout",
                      str(key), "-out", str(cert)])
    gen = BUILD / "fuzz" / "gen" / "https_cert.c"
    _b.write_if_changed(gen, _b.render_cert_c(
        _b._pem_der(cert, ("CERTIFICATE",), "fuzz"),
        _b._pem_der(key, ("PRIVATE KEY",), "fuzz")[0]))
    defs = ["-DWOLFSSL_USER_SETTINGS", "-DKEEL_TLS12=0"]
    incs = [f"-I{ROOT / 'apps/https/wolfssl'}", "-isystem", str(wolf), *defs]
    flags = ("-std=gnu11", "-O1", "-g", "-fsanitize=fuzzer-no-link,address",
             f"-I{ROOT / 'apps/https/wolfssl'}", f"-I{wolf}", *defs)
    comp = _b.Compiler("clang", flags, BUILD / "fuzz" / "wolfssl")
    return incs, [gen, *comp.compile([wolf / s for s in
                                      _b.WOLFSSL_SOURCES])]


def _build_fuzzer(harness: Path, gen: Path) -> Path:
    extra_src, extra_inc = FUZZ_EXTRA.get(harness.stem, ((), ()))
    incs = [f"-I{ROOT / i}" for i in (*UNIT_INCLUDES, *extra_inc)] + \
        [f"-I{ROOT / 'tests/fuzz'}", f"-I{gen}"]
    sources = [*_b.glob_sources((*FUZZ_SOURCES, *extra_src)), harness]
    extra: list[Path] = []
    objdir = BUILD / "fuzz" / "obj"
    if harness.stem == "fuzz_https":
        # The application over fakes of the stack and of TLS (the harness
        # defines them), with a configuration of its own.
        img = _b.load_image(ROOT / "tests/fuzz/fuzz_https.toml")
        own = _b.generate_config(img, BUILD / "fuzz" / "https")
        incs = [i for i in incs if i != f"-I{gen}"] + [f"-I{own}"]
        sources = [*_b.glob_sources(FUZZ_HTTPS_SOURCES), harness]
        objdir = BUILD / "fuzz" / "obj-https"
    if harness.stem == "fuzz_tls":
        more, extra = _fuzz_tls_parts()
        incs += more
        sources.append(extra.pop(0))  # the generated certificate
    flags = (*_b.BASE_CFLAGS, "-O1", "-D_GNU_SOURCE",
             "-fsanitize=fuzzer-no-link,address,undefined",
             "-fno-sanitize-recover=all", *incs)
    if extra:
        objdir = BUILD / "fuzz" / "obj-tls"
    comp = _b.Compiler("clang", flags, objdir)
    objs = comp.compile(sources) + extra
    exe = BUILD / "fuzz" / "bin" / harness.stem
    exe.parent.mkdir(parents=True, exist_ok=True)
    _b.run_quiet(["clang", "-fsanitize=fuzzer,address,undefined", "-o",
                  str(exe), *map(str, objs)])
    return exe


def tier_fuzz(results: Results, args: argparse.Namespace) -> None:
    if not shutil.which("clang"):
        results.skip("fuzz/all", "clang is not installed")
        return
    gen = _unit_config()
    seconds = _fuzz_seconds(args)
    for harness in sorted((ROOT / "tests/fuzz").glob("fuzz_*.c")):
        if harness.stem == "fuzz_netdev":
            continue
        name = f"fuzz/{harness.stem}"
        if not _wanted(args, name):
            continue
        try:
            exe = _build_fuzzer(harness, gen)
        except _b.KeelError as e:
            results.fail(name, str(e))
            continue
        _run_fuzzer(results, name, exe, harness.stem, seconds)


def _run_fuzzer(results: Results, name: str, exe: Path, stem: str,
                seconds: int) -> None:
    seeds = ROOT / "tests/fuzz/corpus" / stem.removeprefix("fuzz_")
    with tempfile.TemporaryDirectory(prefix="keel-fuzz-") as work:
        corpus = Path(work) / "corpus"
        corpus.mkdir()
        cmd = [str(exe), f"-max_total_time={seconds}", "-timeout=10",
               "-rss_limit_mb=2048", "-print_final_stats=1",
               f"-artifact_prefix={work}/", str(corpus)]
        if seeds.is_dir():
            cmd.append(str(seeds))
        try:
            r = subprocess.run(cmd, capture_output=True, text=True,
                               timeout=seconds + 300,
                               stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            results.fail(name, f"did not stop within {seconds + 300} s")
            return
        runs = re.search(r"stat::number_of_executed_units:\s*(\d+)",
                         r.stderr)
        if r.returncode != 0:
            # libFuzzer's artifact kinds: crash, leak, timeout, oom (RSS
            # over -rss_limit_mb).
            crash = [f for kind in ("crash", "leak", "timeout", "oom")
                     for f in Path(work).glob(f"{kind}-*")]
            saved = _save_artifacts(crash, stem)
            tail = "\n".join(r.stderr.splitlines()[-40:])
            results.fail(name, f"exit {r.returncode}; inputs saved: "
                         f"{saved}\n{tail}")
            return
        n = runs.group(1) if runs else "?"
        print(f"     {name}: {n} inputs in {seconds} s, no finding",
              flush=True)
        results.ok(name)


def _save_artifacts(files: list[Path], stem: str) -> str:
    out = BUILD / "fuzz" / "findings" / stem
    out.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copy(f, out / f.name)
    return _b._rel(out) if files else "none"


# --------------------------------------------------------------------------
# net: the linux-tap image against Linux in network namespaces
# --------------------------------------------------------------------------

NET_IMAGE = "echo-tap"


def tier_net(results: Results, args: argparse.Namespace) -> None:
    if os.geteuid() != 0:
        results.skip("net/all", "needs root for network namespaces")
        return
    exes: dict[str, Path] = {}
    for script in sorted((ROOT / "tests/net").glob("test_*.py")):
        group = script.stem.removeprefix("test_")
        # A filter naming one case (net/arp.locked) is passed on to the
        # script; one naming another script skips this one.
        filt = getattr(args, "filter", "")
        if filt.startswith("net/") and not \
           filt.removeprefix("net/").startswith(group):
            continue
        name = _script_image(script, NET_IMAGE)
        try:
            if name not in exes:
                image = _b.load_image(_b.image_path(name))
                exes[name] = _b.build_image(image, quiet_link=True)
        except _b.KeelError as e:
            results.fail(f"net/{group}", f"image {name}: {e}")
            continue
        _run_case_script(results, "net", _b.SYSTEM_PYTHON, script, group,
                         exes[name], args)


def _script_image(script: Path, default: str) -> str:
    """The image a net or qemu script runs against: its module-level
    IMAGE = "name", or the tier's default."""
    m = re.search(r'^IMAGE\s*=\s*"([\w.-]+)"', script.read_text(), re.M)
    return m.group(1) if m else default


def _script_images(script: Path, default: str) -> list[str]:
    """The images a qemu script runs against, once each: its module-level
    IMAGES = ["a", "b"] (one line), else _script_image()."""
    m = re.search(r'^IMAGES\s*=\s*\[([^\]\n]*)\]', script.read_text(),
                  re.M)
    if not m:
        return [_script_image(script, default)]
    names = re.findall(r'"([\w.-]+)"', m.group(1))
    if not names:
        raise _b.KeelError(f"{_b._rel(script)}: IMAGES names no image")
    return names


def _run_case_script(results: Results, tier: str, python: str, script: Path,
                     group: str, exe: Path, args: argparse.Namespace,
                     more: tuple[str, ...] = ()) -> None:
    cmd = [python, str(script), "--keel", str(exe), *more]
    if getattr(args, "filter", ""):
        cmd += ["-k", args.filter]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=900,
                           stdin=subprocess.DEVNULL, cwd=ROOT)
    except subprocess.TimeoutExpired as e:
        results.fail(f"{tier}/{group}", f"timed out after 900 s\n"
                     f"{(e.stdout or b'')[-2000:]!r}")
        return
    seen = _count_case_lines(results, r.stdout, tier)
    if r.returncode != 0 and not any(
            line.startswith("FAIL") for line in r.stdout.splitlines()):
        tail = "\n".join((r.stdout + r.stderr).splitlines()[-30:])
        results.fail(f"{tier}/{group}", f"exited {r.returncode}\n{tail}")
    elif seen == 0 and not getattr(args, "filter", ""):
        results.fail(f"{tier}/{group}", "ran no test case\n" +
                     r.stderr[-2000:])


# --------------------------------------------------------------------------
# qemu: x86_64 images booted in QEMU (microvm, pc, q35), aarch64 on virt
# --------------------------------------------------------------------------

QEMU_IMAGE = "echo-x86"


def tier_qemu(results: Results, args: argparse.Namespace) -> None:
    """Each tests/qemu/test_*.py once per image it names, under Debian's
    Python (dnspython), with --keel and --image."""
    exes: dict[str, Path] = {}
    for script in sorted((ROOT / "tests/qemu").glob("test_*.py")):
        group = script.stem.removeprefix("test_")
        filt = getattr(args, "filter", "")
        if filt.startswith("qemu/") and not \
           filt.removeprefix("qemu/").startswith(group):
            continue
        try:
            names = _script_images(script, QEMU_IMAGE)
        except _b.KeelError as e:
            results.fail(f"qemu/{group}", str(e))
            continue
        for name in names:
            # one script, several images: a result per image
            where = group if len(names) == 1 else f"{group}[{name}]"
            try:
                image = _b.load_image(_b.image_path(name))
                qemu = f"qemu-system-{image.target.name}"
                if not shutil.which(qemu):
                    results.skip(f"qemu/{where}", f"{qemu} is not installed")
                    continue
                if name not in exes:
                    exes[name] = _b.build_image(image, quiet_link=True)
            except _b.KeelError as e:
                results.fail(f"qemu/{where}", f"image {name}: {e}")
                continue
            _run_case_script(results, "qemu", _b.SYSTEM_PYTHON, script,
                             where, exes[name], args, ("--image", name))


def _count_case_lines(results: Results, out: str, tier: str) -> int:
    seen = 0
    for line in out.splitlines():
        m = re.match(r"(ok  |FAIL|skip) (\S+?)(?::\s(.*))?$", line)
        if not m:
            if line.startswith("     "):
                print(line, flush=True)
            continue
        seen += 1
        name = f"{tier}/{m.group(2)}"
        if m.group(1) == "FAIL":
            results.fail(name, m.group(3) or "")
        elif m.group(1) == "skip":
            results.skip(name, m.group(3) or "")
        else:
            results.ok(name)
    return seen


# --------------------------------------------------------------------------
# run and bench
# --------------------------------------------------------------------------

def run_tap_interactive(image: "_b.Image", exe: Path,
                        cmdline: list[str]) -> int:
    """Start a hosted image (linux-tap, stm32-model) in its own namespace
    until Ctrl-C."""
    if os.geteuid() != 0:
        raise _b.KeelError(f"the {image.target.name} target needs root to "
                           f"create its TAP device and namespace; run as "
                           f"root")
    sys.path.insert(0, str(ROOT / "tests/net"))
    import netlab

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # leave the Lab: stop keel, drop the netns

    signal.signal(signal.SIGTERM, on_term)
    with netlab.Lab(exe, extra_args=cmdline, log_to_console=True) as lab:
        print(f"keel: {image.name} is up at {lab.keel_ip} in network "
              f"namespace {lab.ns}", flush=True)
        print(f"keel: reach it with:  ip netns exec {lab.ns} ping "
              f"{lab.keel_ip}", flush=True)
        hint = app_hint(image, lab.keel_ip)
        if hint:
            print(f"keel:                 ip netns exec {lab.ns} "
                  f"{_b.SYSTEM_PYTHON} -c \"{hint}\"", flush=True)
        print("keel: Ctrl-C stops it", flush=True)
        try:
            return lab.wait()
        except KeyboardInterrupt:
            return 0


def https_ca(image: "_b.Image") -> Path:
    """The certificate a client verifies an HTTPS image against: the
    image's https.cert, else the development certificate the build made."""
    cert = image.values["CONFIG_APP_HTTPS_CERT"]
    return (image.path.parent / cert).resolve() if cert else \
        BUILD / image.name / "tls" / "cert.pem"


def app_client(image: "_b.Image", ip: str,
               ports: dict[int, int] | None = None) -> str:
    """A client's command line that reaches the image: curl for HTTPS, dig
    for the DNS server; '' for others. `ports` as for app_hint()."""
    if image.app == "https":
        p = image.values["CONFIG_APP_HTTPS_PORT"]
        p = (ports or {}).get(p, p)
        return f"curl --tlsv1.3 --cacert {https_ca(image)} https://{ip}:{p}/"
    if image.app == "dns-server":
        p = image.values["CONFIG_APP_DNS_SERVER_PORT"]
        p = (ports or {}).get(p, p)
        return f"dig @{ip} -p {p} {_dns_apex(image)} SOA  (+tcp for TCP)"
    return ""


def _dns_apex(image: "_b.Image") -> str:
    """The apex of a dns-server image's first zone, for a first query."""
    import zonec
    zones = zonec.load_zones(
        [ROOT / z for z in image.values["CONFIG_APP_DNS_SERVER_ZONES"]], ROOT)
    return zonec.name_text(zones[0].apex)


def app_hint(image: "_b.Image", ip: str,
             ports: dict[int, int] | None = None) -> str:
    """A one-line Python client for the image's application, or ''.
    `ports` maps the application's ports to the ones to use (forwards)."""
    v = image.values

    def port(key: str) -> int:
        return (ports or {}).get(v[key], v[key])

    udp = "import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
    if image.app == "udp-echo":
        p = port("CONFIG_APP_UDP_ECHO_PORT")
        return (f"{udp}s.sendto(b'hi', ('{ip}', {p})); "
                f"print(s.recv(100))")
    if image.app == "resolve":
        p = port("CONFIG_APP_RESOLVE_PORT")
        return (f"{udp}s.sendto(b'example.com', ('{ip}', {p})); "
                f"print(s.recv(300))")
    if image.app == "dns-server":
        p = port("CONFIG_APP_DNS_SERVER_PORT")
        return ("import dns.message, dns.query; print(dns.query.udp("
                f"dns.message.make_query('{_dns_apex(image)}', 'SOA'), "
                f"'{ip}', port={p}, timeout=2))")
    if image.app == "https":
        p = port("CONFIG_APP_HTTPS_PORT")
        ca = https_ca(image)
        return (f"import ssl, urllib.request; c=ssl.create_default_context("
                f"cafile='{ca}'); print(urllib.request.urlopen("
                f"'https://{ip}:{p}/healthz', context=c).read())")
    if image.app == "tcp-echo":
        p = port("CONFIG_APP_TCP_ECHO_PORT")
        return (f"import socket; s=socket.create_connection(('{ip}', "
                f"{p})); s.sendall(b'hi'); print(s.recv(100))")
    return ""


def bench_ping(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT / "tests/net"))
    import netbench
    netbench.bench_ping(_b, args)


def bench_udp(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT / "tests/net"))
    import netbench
    netbench.bench_udp(_b, args)


def bench_tcp(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT / "tests/net"))
    import netbench
    netbench.bench_tcp(_b, args)


def bench_dns(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT / "tests/net"))
    import netbench
    netbench.bench_dns(_b, args)


def bench_https(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT / "tests/net"))
    import httpsbench
    _b.ensure_packages(["qemu"])
    httpsbench.bench_https(_b, args)


# --------------------------------------------------------------------------
# bench boot: QEMU start to keel's ready line, beside an empty kernel
# --------------------------------------------------------------------------

def _build_empty_kernel(target: str = "x86_64") -> Path:
    """tests/qemu/empty_pvh.S (x86_64) or empty_virt.S (aarch64), linked
    like keel (boot/TARGET/linker.ld)."""
    src = "empty_virt.S" if target == "aarch64" else "empty_pvh.S"
    tools = _b.TARGETS[target].tools
    out = BUILD / "bench" / f"empty-{target}"
    out.mkdir(parents=True, exist_ok=True)
    obj, elf = out / "empty.o", out / "empty.elf"
    _b.run_quiet([f"{tools}gcc", "-c", str(ROOT / "tests/qemu" / src),
                  "-o", str(obj)])
    _b.run_quiet([f"{tools}ld", "-n", "--build-id=none", "-T",
                  str(ROOT / f"boot/{target}/linker.ld"), "-o", str(elf),
                  str(obj)])
    return elf


def _median(xs: list[float]) -> float:
    ys = sorted(xs)
    n = len(ys)
    return ys[n // 2] if n % 2 else (ys[n // 2 - 1] + ys[n // 2]) / 2


# bench boot's aarch64 rows: the image, and (label, cpu) per row.
BENCH_ARM_IMAGE = "echo-aarch64"
BENCH_ARM_ROWS = (("virt/a53", "cortex-a53"), ("virt/max", "max"))


def bench_boot(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT / "tests/qemu"))
    import qemulab
    _b.ensure_packages(["qemu"])
    runs = max(1, getattr(args, "runs", 15) or 15)
    image = _b.load_image(_b.image_path(QEMU_IMAGE))
    arm = _b.load_image(_b.image_path(BENCH_ARM_IMAGE))
    # (label, target, machine, cpu, keel, empty kernel)
    rows = [(m, "x86_64", m, "max", _b.build_image(image, quiet_link=True),
             _build_empty_kernel("x86_64")) for m in _b.QEMU_MACHINES]
    arm_elf = _b.build_image(arm, quiet_link=True)
    arm_empty = _build_empty_kernel("aarch64")
    rows += [(label, "aarch64", "virt", cpu, arm_elf, arm_empty)
             for label, cpu in BENCH_ARM_ROWS]
    print(f"QEMU start to keel's ready line ('keel: up on', {image.name} "
          f"and {arm.name}, netdev=null stop_ms=1) and to QEMU's exit, "
          f"beside QEMU starting and stopping an empty kernel (PVH; "
          f"aarch64: a semihosting exit); median of {runs} runs each, "
          f"interleaved", flush=True)
    print(f"{'machine':8} {'keel ready':>10} {'keel exit':>10} "
          f"{'empty exit':>10} {'ready-empty':>11} {'exit-empty':>10} "
          f"{'in guest':>9}", flush=True)
    for label, target, machine, cpu, elf, empty in rows:
        ready, done, base, guest = [], [], [], []
        for _ in range(runs):
            # aarch64 with a virtio-rng, the Cortex-A53's entropy
            b = qemulab.boot(elf, machine, "netdev=null stop_ms=1",
                             cpu=cpu, timeout=60, target=target,
                             net="rng" if target == "aarch64" else "none")
            t = b.arrival(r"keel: up on")
            if t is None or b.code != 0:
                raise _b.KeelError(f"bench boot: keel did not come up on "
                                   f"{label}: {b.describe()}\n{b.tail()}")
            ready.append(t)
            done.append(b.elapsed)
            guest.append(b.stamp(r"keel: up on") or 0.0)
            e = qemulab.boot(empty, machine, "", cpu=cpu, timeout=60,
                             target=target)
            if e.code != 0:
                raise _b.KeelError(f"bench boot: the empty kernel did not "
                                   f"exit on {label}: {e.describe()}")
            base.append(e.elapsed)
        r, d, e0, g = (_median(ready), _median(done), _median(base),
                       _median(guest))
        print(f"{label:8} {r:9.3f}s {d:9.3f}s {e0:9.3f}s {r - e0:+10.3f}s "
              f"{d - e0:+9.3f}s {g:8.3f}s", flush=True)
    print("in guest: the kernel's own clock at the ready line (it starts "
          "at the clock's calibration)", flush=True)
