"""net/https - the https application over TLS 1.3 on a TAP device.

keel runs the https-tap image (images/https-tap.toml: the sample site in
images/site/, the key-value example route, /healthz, /metrics), with the
development certificate build.py made for it. The checks are
tests/httpscheck.py's (the qemu tier runs them against the x86_64 and
aarch64 images too); here every one runs, testssl.sh included.

    /usr/bin/python3 tests/net/test_https.py --keel build/https-tap/keel
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from httpscheck import HttpsChecks  # noqa: E402
from netlab import Cases, Lab, Skip, note  # noqa: E402

IMAGE = "https-tap"
ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "images" / "site"
PORT = 443


def main() -> int:
    cases = Cases("https")
    with Lab(cases.args.keel) as lab:
        lab.wait_log(b"https: serving", 10)
        s = HttpsChecks(lab.keel_ip, PORT, cases.args.keel, SITE, note, Skip)
        for name, fn in (("files_exact", s.files_exact),
                         ("suites", s.suites),
                         ("keepalive_1000", s.keepalive_1000),
                         ("concurrent_50", s.concurrent_50),
                         ("fairness", s.fairness),
                         ("head", s.head),
                         ("conditional", s.conditional),
                         ("gzip", s.gzip_variant),
                         ("pipelining", s.pipelining),
                         ("kv", s.kv),
                         ("upload_edges", s.upload_edges),
                         ("malformed", s.malformed),
                         ("slow_408", s.slow_408),
                         ("busy_503", s.busy_503),
                         ("metrics", s.metrics),
                         ("testssl", s.testssl)):
            cases.run(name, fn)
            if not lab.alive():
                print(f"FAIL https.{name}: keel died", flush=True)
                return 1
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
