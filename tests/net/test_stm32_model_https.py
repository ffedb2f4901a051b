"""net/stm32_model_https - the HTTPS server of the STM32 firmware, its
Ethernet driver (drivers/stm32, unmodified) on the model of the chip's
MAC/DMA and PHY (the stm32-model target, images/https-stm32-model.toml:
the sample site, 4 connections), against curl and Python's TLS client in
the Lab's namespace. Every client checks the server against the
development certificate the build made for the image.

  files_exact      curl --tlsv1.3 --cacert fetches every embedded file,
                   byte-exact (tests/httpscheck.py's case)
  keepalive_300    300 requests on one kept-alive connection, every body
                   as on disk
  concurrent_4     4 clients at once (every connection the image has), 25
                   requests each, 0 errors
  busy_503         with every slot held, the next client gets 503
                   (httpscheck.py's)
  rings            the driver's and the model's counters show the frames
                   went through both descriptor rings (stm32model.py)
  stall_downloads  model=stall:40/100: the CPU is busy 100 ms after every
                   40th frame while 4 curl --tlsv1.3 download
                   docs/notes.txt 3 times each: the receive ring overruns
                   (RBUS, receive suspended, frames missed) and every
                   download is still byte-exact
  tx_ring_full     model=txdefer: the transmit DMA runs only between the
                   stack's polls, so the stack finds all transmit
                   descriptors in flight and sends again later, during 2
                   curl fetching docs/notes.txt 5 times each; both copies
                   byte-exact
  flap_download    model=flap:300/1000: after 300 frames the cable is out
                   for a second and comes back at 10 Mbit/s, during one
                   curl --tlsv1.3 fetching docs/notes.txt 20 times on one
                   connection; every copy is byte-exact, and the driver
                   saw the link go and come back and set MACCR for it
  fatal_download   model=fatal:150: a fatal bus error (DMASR FBES, both
                   DMA processes stopped) after every 150th frame during
                   curl fetching docs/notes.txt 10 times; the driver
                   resets the block and rebuilds its rings each time, and
                   every copy is byte-exact

    /usr/bin/python3 tests/net/test_stm32_model_https.py \\
        --keel build/https-stm32-model/keel
"""

from __future__ import annotations

import concurrent.futures
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from netlab import Cases, Lab, Skip, note  # noqa: E402

from httpscheck import HttpsChecks  # noqa: E402
from stm32model import (check_clean, check_overrun,  # noqa: E402
                        check_rings, ring_sizes, ring_summary, stats)

IMAGE = "https-stm32-model"
SITE = Path(__file__).resolve().parents[2] / "images" / "site"
PORT = 443
NOTES = "/docs/notes.txt"
TIMEOUT = 60


def site_file(path: str) -> bytes:
    if path == "/healthz":
        return b"ok\n"
    return (SITE / ("index.html" if path == "/" else
                    path.lstrip("/"))).read_bytes()


def curl(cert: str, urls: list[str]) -> bytes:
    """curl --tlsv1.3 fetching `urls` on one connection: the bodies."""
    r = subprocess.run(["curl", "-sS", "--fail", "--tlsv1.3", "--cacert",
                        cert, *urls], capture_output=True, timeout=TIMEOUT)
    if r.returncode != 0:
        raise AssertionError(f"curl {r.returncode}: "
                             f"{r.stderr.decode()[-300:]}")
    return r.stdout


class ModelSuite:
    def __init__(self, lab: Lab, keel: str) -> None:
        self.lab = lab
        self.https = HttpsChecks(lab.keel_ip, PORT, keel, SITE, note, Skip)
        self.rxn, self.txn = ring_sizes(keel)

    def _requests(self, n: int, offset: int = 0) -> int:
        """n requests on one connection; the errors."""
        paths = ["/", "/style.css", "/healthz", NOTES]
        errors = 0
        c = self.https.conn()
        try:
            for i in range(n):
                p = paths[(offset + i) % len(paths)]
                c.request("GET", p)
                r = c.getresponse()
                if r.status != 200 or r.read() != site_file(p):
                    errors += 1
        finally:
            c.close()
        return errors

    def keepalive_300(self) -> None:
        t0 = time.monotonic()
        errors = self._requests(300)
        if errors:
            raise AssertionError(f"{errors} of 300 requests failed")
        note(f"stm32_model_https.keepalive_300: "
             f"{300 / (time.monotonic() - t0):.0f} requests/s on one "
             f"connection")

    def concurrent_4(self) -> None:
        n = self.https.cfg["CONFIG_APP_HTTPS_CONNECTIONS"]
        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(n) as pool:
            errors = sum(pool.map(lambda k: self._requests(25, k), range(n)))
        if errors:
            raise AssertionError(f"{errors} of {25 * n} requests failed")
        note(f"stm32_model_https.concurrent_4: {n} clients, {25 * n} "
             f"requests in {time.monotonic() - t0:.2f} s, 0 errors")

    def rings(self) -> None:
        self._requests(4 * self.rxn)  # traffic of its own
        st = stats(self.lab)
        check_rings(self.lab, st, 4 * self.rxn, self.rxn)
        note(f"stm32_model_https.rings: "
             f"{ring_summary(st, self.rxn, self.txn)}")


def dev_cert(keel: str) -> str:
    """The development certificate the build made for the image."""
    return str(Path(keel).resolve().parent / "tls" / "cert.pem")


def url(path: str) -> str:
    return f"https://{Lab.keel_ip}{path}"


def stall_downloads(keel: str) -> None:
    cert_path = dev_cert(keel)
    want = site_file(NOTES) * 3
    with Lab(keel, extra_args=["model=stall:40/100"]) as lab:
        lab.wait_log(rb"link up", 10)
        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            got = list(pool.map(lambda _: curl(cert_path, [url(NOTES)] * 3),
                                range(4)))
        took = time.monotonic() - t0
        st = stats(lab)
    bad = [i for i, g in enumerate(got) if g != want]
    if bad:
        raise AssertionError(f"downloads {bad} differ from the file")
    check_rings(lab, st, 100, ring_sizes(keel)[0])
    check_overrun(st)
    note(f"stm32_model_https.stall_downloads: 4 x {len(want)} bytes in "
         f"{took:.2f} s, byte-exact; {st['model.stalls']} stalls, receive "
         f"suspended {st['model.rx_suspends']} times, "
         f"{st['stm32_eth.rx_missed']} frames missed, "
         f"{st['stm32_eth.rx_resumes']} resumes, "
         f"{st['tcp.tx_retrans']} segments sent again")


def tx_ring_full(keel: str) -> None:
    want = site_file(NOTES) * 5
    with Lab(keel, extra_args=["model=txdefer"]) as lab:
        lab.wait_log(rb"link up", 10)
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            got = list(pool.map(
                lambda _: curl(dev_cert(keel), [url(NOTES)] * 5), range(2)))
        st = stats(lab)
    if any(g != want for g in got):
        raise AssertionError("a download differs from the file")
    check_rings(lab, st, 100, ring_sizes(keel)[0])
    full = st["stm32_eth.tx_ring_full"]
    if not full or st["eth.tx_ring_full"] != full:
        raise AssertionError(f"transmit ring full {full} times, the stack "
                             f"saw {st['eth.tx_ring_full']}")
    note(f"stm32_model_https.tx_ring_full: 2 x {len(want)} bytes "
         f"byte-exact with the transmit DMA between polls; the "
         f"{ring_sizes(keel)[1]} transmit descriptors were all in flight "
         f"{full} times, the stack sent again later")


def fatal_download(keel: str) -> None:
    want = site_file(NOTES) * 10
    with Lab(keel, extra_args=["model=fatal:150"]) as lab:
        lab.wait_log(rb"link up", 10)
        got = curl(dev_cert(keel), [url(NOTES)] * 10)
        st = stats(lab)
    if got != want:
        raise AssertionError(f"{len(got)} bytes, not the file 10 times")
    fatal = st["stm32_eth.dma_fatal"]
    if not (st["model.fatals"] and fatal and
            st["model.resets"] == 1 + fatal and
            fatal in (st["model.fatals"], st["model.fatals"] - 1)):
        raise AssertionError(f"bus errors {st['model.fatals']}, driver "
                             f"resets {fatal}, block resets "
                             f"{st['model.resets']}")
    if st["model.bad_access"] or b"stm32 model:" in lab.log:
        raise AssertionError("the driver did what RM0410 forbids")
    note(f"stm32_model_https.fatal_download: {len(want)} bytes "
         f"byte-exact through {st['model.fatals']} fatal bus errors; the "
         f"driver reset the block {fatal} times, "
         f"{st['stm32_eth.tx_lost']} queued frames lost, "
         f"{st['tcp.tx_retrans']} segments sent again")


def flap_download(keel: str) -> None:
    cert_path = dev_cert(keel)
    want = site_file(NOTES) * 20
    with Lab(keel, extra_args=["model=flap:300/1000"]) as lab:
        lab.wait_log(rb"link up", 10)
        t0 = time.monotonic()
        got = curl(cert_path, [url(NOTES)] * 20)
        took = time.monotonic() - t0
        st = stats(lab)
    if got != want:
        raise AssertionError(f"{len(got)} bytes, not the file 20 times")
    check_clean(lab, st)
    if st["model.flaps"] < 1 or st["stm32_eth.link_changes"] < 3:
        raise AssertionError(f"flaps {st['model.flaps']}, link changes "
                             f"{st['stm32_eth.link_changes']}")
    if not re.search(rb"link down.*\n.*link up, 10 Mbit/s full duplex",
                     lab.log):
        raise AssertionError("the link did not come back at 10 Mbit/s")
    note(f"stm32_model_https.flap_download: {len(want)} bytes in "
         f"{took:.2f} s on one connection, byte-exact; "
         f"{st['model.flaps']} cable flaps, "
         f"{st['stm32_eth.link_changes']} link changes seen by the "
         f"driver, {st['model.wire_rx_lost']} frames from Linux and "
         f"{st['eth.tx_link_down']} of the stack's lost to the link, "
         f"{st['model.wire_mode_lost']} to a stale MACCR mode")


def main() -> int:
    cases = Cases("stm32_model_https")
    with Lab(cases.args.keel) as lab:
        lab.wait_log(b"https: serving", 10)
        lab.wait_log(rb"link up", 10)
        s = ModelSuite(lab, cases.args.keel)
        for name, fn in (("files_exact", s.https.files_exact),
                         ("keepalive_300", s.keepalive_300),
                         ("concurrent_4", s.concurrent_4),
                         ("busy_503", s.https.busy_503),
                         ("rings", s.rings)):
            cases.run(name, fn)
            if not lab.alive():
                print(f"FAIL stm32_model_https.{name}: keel died",
                      flush=True)
                return 1
    cases.run("stall_downloads", lambda: stall_downloads(cases.args.keel))
    cases.run("tx_ring_full", lambda: tx_ring_full(cases.args.keel))
    cases.run("flap_download", lambda: flap_download(cases.args.keel))
    cases.run("fatal_download", lambda: fatal_download(cases.args.keel))
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
