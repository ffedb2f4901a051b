"""net/https_stm32 - what the https-stm32 firmware's memory carries, shown
on the host.

keel runs https-stm32-tap (images/https-stm32-tap.toml): the https-stm32
firmware's tables (two connections, wolfSSL's pool of 64 KiB plus 32 KiB
per connection and for the 503 slot, 3 KiB TCP rings, 2 KiB responses)
on a TAP device, since no board is at hand. wolfSSL is the same code and
settings (TLS 1.3, ECC only) compiled for the host: its structures are
larger on 64 bits than on the Cortex-M7, so this is the pessimistic side
of the firmware.

  files_exact    every file of images/www/ byte-exact (sent from flash on
                 the firmware, not through the response buffer)
  two_sessions   two TLS 1.3 sessions held open at once; a third client
                 gets 503 over its own TLS session; then each held session
                 gets 200 for GET /, and a fresh client gets 200 again
  suites         each TLS 1.3 suite completes a handshake
  busy_503       with both slots held the next client gets 503, and keel
                 serves again once they close
  metrics        /metrics (some 10 KB of counters) is five times
                 https.response_max (2048): it comes chunked, a piece per
                 buffer, whole and in the Prometheus format

    /usr/bin/python3 tests/net/test_https_stm32.py --keel build/https-stm32-tap/keel
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from httpscheck import HttpsChecks  # noqa: E402
from netlab import Cases, Lab, Skip, note  # noqa: E402

IMAGE = "https-stm32-tap"
ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "images" / "www"
PORT = 443
GET = b"GET / HTTP/1.1\r\nHost: keel\r\n\r\n"


class SmallChecks(HttpsChecks):
    def two_sessions(self) -> None:
        n = self.cfg["CONFIG_APP_HTTPS_CONNECTIONS"]
        if n != 2:
            raise AssertionError(f"https.connections is {n}, not 2")
        held = [self.tls() for _ in range(n)]
        try:
            for s in held:
                s.do_handshake()
            st, f, _ = self.raw_request(GET)
            if st != 503:
                raise AssertionError(f"third client: {st} {f}")
            for i, s in enumerate(held):
                s.sendall(GET)
                st, f, body, _ = self.read_response(s)
                if st != 200 or not body:
                    raise AssertionError(f"held session {i}: {st} {f}")
        finally:
            for s in held:
                s.close()
        time.sleep(0.5)
        self.still_serving()

    def metrics_chunked(self) -> None:
        st, f, body = self.get("/metrics")
        cap = self.cfg["CONFIG_APP_HTTPS_RESPONSE_MAX"]
        if st != 200 or f.get("transfer-encoding") != "chunked" or \
           len(body) <= 2 * cap:
            raise AssertionError(f"/metrics: {st} {f}, {len(body)} bytes "
                                 f"with a {cap}-byte response buffer")
        self.prometheus_text(body.decode())
        if not re.search(r"^keel_tls_handshakes_total [1-9]", body.decode(),
                         re.M):
            raise AssertionError("no handshake counted in /metrics")
        self.still_serving()


def main() -> int:
    cases = Cases("https_stm32")
    with Lab(cases.args.keel) as lab:
        lab.wait_log(b"https: serving", 10)
        s = SmallChecks(lab.keel_ip, PORT, cases.args.keel, SITE, note,
                        Skip)
        for name, fn in (("files_exact", s.files_exact),
                         ("two_sessions", s.two_sessions),
                         ("suites", s.suites),
                         ("busy_503", s.busy_503),
                         ("metrics", s.metrics_chunked)):
            cases.run(name, fn)
            if not lab.alive():
                print(f"FAIL https_stm32.{name}: keel died", flush=True)
                return 1
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
