"""qemu/https - the HTTPS appliance served from QEMU: the default image
(images/https.toml, x86_64) and its aarch64 build (images/https-aarch64.toml).

The unikernel boots on -M microvm (x86_64) or virt (aarch64, -cpu max)
with -m 16M, virtio-net on QEMU's user network (SLIRP) and virtio-rng, its
port 443 forwarded from a free port on 127.0.0.1, as `./build.py run`
starts it; the cases are named https.x86_64.* and https.aarch64.*. Through that
forward, tests/httpscheck.py's checks run as in the net tier: every
embedded file byte-exact with curl --tlsv1.3 verifying the image's
certificate, openssl s_client -tls1_3 with each suite, 1000 requests on
one keep-alive connection, 50 concurrent clients with 0 errors, malformed
requests answered with their status while the server keeps serving, and
the rest (testssl.sh runs in the net tier only: it takes minutes under
TCG). After the checks the guest must still be running and its console
must show no fault.

    python3 tests/qemu/test_https.py --keel build/https/keel.elf
    python3 tests/qemu/test_https.py --keel build/https-aarch64/keel.elf \
        --image https-aarch64
"""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from httpscheck import HttpsChecks  # noqa: E402
from qemulab import Cases, Guest, Skip, build, free_port, note  # noqa: E402

IMAGES = ["https", "https-aarch64"]
MEMORY_MB = 16
PORT = 443
# The image's static address, which SLIRP's network is made to match.
ADDR = build.GuestAddress(ipaddress.IPv4Interface("10.0.2.15/24"),
                          ipaddress.IPv4Address("10.0.2.2"))
# QEMU's user network accepts host connections with a listen backlog of
# 1: of 50 clients connecting at once most wait for SYN or SYN-ACK
# retransmissions (1, 2, 4, 8, 16 s) before the guest sees them, more so on
# a loaded host. A client may take that long; it must still get through.
TIMEOUT = 60.0
CHECKS = ("files_exact", "suites", "keepalive_1000", "concurrent_50",
          "fairness", "head", "conditional", "gzip_variant", "pipelining",
          "kv", "upload_edges", "malformed", "slow_408", "busy_503",
          "metrics")


def main() -> int:
    cases = Cases("https")
    image = build.load_image(build.image_path(cases.args.image or IMAGES[0]))
    machine = build.qemu_machines(image.target.name)[0]
    group = cases.group = f"https.{image.target.name}"
    site = image.path.parent / image.values["CONFIG_APP_HTTPS_SITE"]
    host_port = free_port()
    fwd = (build.Forward("tcp", host_port, PORT, "https"),)
    with Guest(cases.elf, machine, "", memory_mb=MEMORY_MB, net="user",
               forwards=fwd, addr=ADDR, target=image.target.name) as g:
        up: AssertionError | None = None
        try:
            g.wait_for(r"https: serving \d+ files", timeout=60)
        except AssertionError as e:
            up = e

        def boot() -> None:
            if up:
                raise up
        cases.run("boot", boot)
        if up:
            return 1
        note(f"{group}: {machine} -m {MEMORY_MB}M, 127.0.0.1:{host_port} "
             f"-> port {PORT}")
        s = HttpsChecks("127.0.0.1", host_port, cases.elf, site, note, Skip,
                        timeout=TIMEOUT)
        for name in CHECKS:
            cases.run(name, getattr(s, name))
            if g.proc and g.proc.poll() is not None:
                tail = "\n".join(line for _, line in g.lines[-25:])
                print(f"FAIL {group}.{name}: the guest exited\n{tail}",
                      flush=True)
                return 1

        def no_fault() -> None:
            text = "\n".join(line for _, line in g.lines)
            for bad in ("exception", "panic", "assert"):
                if bad in text.lower():
                    raise AssertionError(f"console shows {bad!r}")
        cases.run("no_fault", no_fault)
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
