"""qemu/arm_https - the HTTPS appliance on aarch64 (images/https-aarch64.toml).

The same checks as qemu/https (tests/qemu/test_https.py, the checks of
tests/httpscheck.py) against the aarch64 build of the default image,
booted on QEMU's virt machine with -cpu max and -m 16M, virtio-net over
MMIO on SLIRP and port 443 forwarded from a free port on 127.0.0.1.

    python3 tests/qemu/test_arm_https.py --keel build/https-aarch64/keel.elf
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import test_https  # noqa: E402

IMAGE = "https-aarch64"

if __name__ == "__main__":
    sys.exit(test_https.main(IMAGE, "virt", "arm_https"))
