"""The HTTPS application's checks against real clients (curl, openssl
s_client, Python's ssl, testssl.sh), shared by the net tier (the https-tap
image on a TAP device, tests/net/test_https.py) and the qemu tier (the
x86_64 and aarch64 images through QEMU's port forward,
tests/qemu/test_https.py). Every client verifies the server against the
image's development certificate.

  files_exact      curl --tlsv1.3 fetches every embedded file, byte-exact
  suites           openssl s_client -tls1_3 completes with each TLS 1.3
                   suite and gets an answer; TLS 1.2 is refused
  keepalive_1000   1000 requests on one kept-alive connection
  concurrent_50    50 clients at once, 20 requests each, 0 errors
  fairness         4 clients pipeline 20 downloads each and read nothing;
                   another still gets 200 answers on its connection; when
                   they reset, their slots come back at once
  head, conditional, gzip
                   HEAD; If-None-Match gives 304 (weak comparison);
                   Accept-Encoding: gzip gives the gzip variant
  pipelining       several requests in one write, answered in order
  kv               PUT (chunked and with Content-Length), GET, DELETE on
                   /kv/<key>, bad JSON refused
  upload_edges     Expect: 100-continue; chunked uploads abandoned half-way
                   leave nothing behind for the next connection
  malformed        smuggling and oversize cases get their status (400,
                   405, 413, 414, 431, 501, 505), and keel keeps serving
  slow_408         a request that stops half-way gets 408
  busy_503         with every slot held, the next client gets 503
  metrics          /metrics is Prometheus text with TLS and stack counters
  testssl          testssl.sh finds nothing vulnerable (when installed)
"""

from __future__ import annotations

import concurrent.futures
import gzip
import http.client
import re
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path
from typing import Callable

TIMEOUT = 20.0
SUITES = ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256")


def keel_config(keel: str | Path) -> dict[str, int]:
    out: dict[str, int] = {}
    hdr = Path(keel).resolve().parent / "include" / "keel_config.h"
    for m in re.finditer(r"#define (CONFIG_\w+)\s+(\d+)\s*$",
                         hdr.read_text(), re.M):
        out[m.group(1)] = int(m.group(2))
    return out


class HttpsChecks:
    """The checks, against the server at ip:port. `keel` is the built
    image (its keel_config.h and development certificate are beside it),
    `site` the directory the image embeds, `note` prints a measurement and
    `skip` is the exception the tier's case runner reports as a skip and
    `timeout` bounds each client operation."""

    def __init__(self, ip: str, port: int, keel: str | Path, site: Path,
                 note: Callable[[str], None],
                 skip: type[Exception], timeout: float = TIMEOUT) -> None:
        self.ip, self.port, self.site, self.note = ip, port, site, note
        self.skip, self.timeout = skip, timeout
        self.cert = str(Path(keel).resolve().parent / "tls" / "cert.pem")
        self.cfg = keel_config(keel)
        self.ctx = ssl.create_default_context(cafile=self.cert)
        self.ctx.minimum_version = ssl.TLSVersion.TLSv1_3

    # ---- helpers -----------------------------------------------------------

    def conn(self) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection(self.ip, self.port,
                                           context=self.ctx,
                                           timeout=self.timeout)

    def tls(self) -> ssl.SSLSocket:
        raw = socket.create_connection((self.ip, self.port),
                                       timeout=self.timeout)
        return self.ctx.wrap_socket(raw, server_hostname=self.ip)

    @staticmethod
    def read_response(s: ssl.SSLSocket, buf: bytes = b"",
                      head_only: bool = False
                      ) -> tuple[int, dict[str, str], bytes, bytes]:
        """One response from s: (status, fields, body, bytes left over)."""
        while b"\r\n\r\n" not in buf:
            d = s.recv(65536)
            if not d:
                raise AssertionError(f"connection closed; got {buf!r}")
            buf += d
        head, buf = buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {}
        for line in lines[1:]:
            k, v = line.split(":", 1)
            fields[k.strip().lower()] = v.strip()
        n = 0 if head_only or status in (204, 304) else \
            int(fields.get("content-length", "0"))
        while len(buf) < n:
            d = s.recv(65536)
            if not d:
                raise AssertionError("connection closed in a body")
            buf += d
        return status, fields, buf[:n], buf[n:]

    def raw_request(self, data: bytes) -> tuple[int, dict[str, str], bytes]:
        with self.tls() as s:
            s.sendall(data)
            st, f, body, _ = self.read_response(s)
            return st, f, body

    def get(self, path: str, headers: dict[str, str] | None = None
            ) -> tuple[int, dict[str, str], bytes]:
        c = self.conn()
        try:
            c.request("GET", path, headers=headers or {})
            r = c.getresponse()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, \
                r.read()
        finally:
            c.close()

    def still_serving(self) -> None:
        st, _, body = self.get("/healthz")
        if st != 200 or body != b"ok\n":
            raise AssertionError(f"/healthz: {st} {body!r}")

    # ---- cases -----------------------------------------------------------

    def files_exact(self) -> None:
        files = sorted(p for p in self.site.rglob("*") if p.is_file())
        for f in files:
            rel = f.relative_to(self.site).as_posix()
            url = f"https://{self.ip}:{self.port}/{rel}"
            r = subprocess.run(["curl", "-sS", "--fail", "--tlsv1.3",
                                "--cacert", self.cert, url],
                               capture_output=True, timeout=self.timeout)
            if r.returncode != 0:
                raise AssertionError(f"{url}: curl {r.returncode}: "
                                     f"{r.stderr.decode()[-300:]}")
            if r.stdout != f.read_bytes():
                raise AssertionError(f"{url}: {len(r.stdout)} bytes differ "
                                     f"from {f.stat().st_size} on disk")
        r = subprocess.run(["curl", "-sS", "--tlsv1.3", "--cacert",
                            self.cert, f"https://{self.ip}:{self.port}/"],
                           capture_output=True, timeout=self.timeout)
        if r.stdout != (self.site / "index.html").read_bytes():
            raise AssertionError("/ is not index.html")
        self.note(f"https.files_exact: {len(files)} files")

    def suites(self) -> None:
        req = b"GET /healthz HTTP/1.1\r\nHost: keel\r\nConnection: close" \
              b"\r\n\r\n"
        for suite in SUITES:
            r = subprocess.run(
                ["openssl", "s_client", "-connect", f"{self.ip}:{self.port}",
                 "-tls1_3", "-ciphersuites", suite, "-CAfile", self.cert,
                 "-verify_return_error", "-ign_eof", "-quiet"],
                input=req, capture_output=True, timeout=self.timeout)
            if b"HTTP/1.1 200 OK" not in r.stdout or b"ok\n" not in r.stdout:
                raise AssertionError(f"{suite}: {r.stdout[-300:]!r} "
                                     f"{r.stderr[-300:]!r}")
            r = subprocess.run(
                ["openssl", "s_client", "-connect", f"{self.ip}:{self.port}",
                 "-tls1_3", "-ciphersuites", suite, "-CAfile", self.cert,
                 "-brief"], input=b"", capture_output=True,
                timeout=self.timeout)
            if suite.encode() not in r.stderr + r.stdout:
                raise AssertionError(f"{suite} not negotiated: "
                                     f"{r.stderr[-400:]!r}")
        if self.cfg.get("CONFIG_APP_HTTPS_TLS12", 0) == 0:
            r = subprocess.run(
                ["openssl", "s_client", "-connect", f"{self.ip}:{self.port}",
                 "-tls1_2", "-brief"], input=b"", capture_output=True,
                timeout=self.timeout)
            if r.returncode == 0:
                raise AssertionError("TLS 1.2 handshake succeeded")

    def keepalive_1000(self) -> None:
        c = self.conn()
        paths = ["/", "/style.css", "/healthz", "/docs/notes.txt"]
        want = {p: None for p in paths}
        t0 = time.monotonic()
        try:
            for i in range(1000):
                p = paths[i % len(paths)]
                c.request("GET", p)
                r = c.getresponse()
                body = r.read()
                if r.status != 200:
                    raise AssertionError(f"request {i} {p}: {r.status}")
                if want[p] is None:
                    want[p] = body
                    sock = c.sock
                elif body != want[p]:
                    raise AssertionError(f"request {i} {p}: body differs")
                if c.sock is not sock:
                    raise AssertionError(f"request {i}: reconnected")
        finally:
            c.close()
        rate = 1000 / (time.monotonic() - t0)
        self.note(f"https.keepalive_1000: {rate:.0f} requests/s on one "
                  f"connection")

    def concurrent_50(self) -> None:
        files = {p: (self.site / p.lstrip("/")).read_bytes()
                 for p in ("/index.html", "/docs/notes.txt",
                           "/docs/noise.bin")}
        paths = sorted(files)

        def client(n: int) -> int:
            errors = 0
            c = self.conn()
            try:
                for i in range(20):
                    p = paths[(n + i) % len(paths)]
                    c.request("GET", p)
                    r = c.getresponse()
                    if r.status != 200 or r.read() != files[p]:
                        errors += 1
            finally:
                c.close()
            return errors

        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(50) as pool:
            results = list(pool.map(client, range(50)))
        took = time.monotonic() - t0
        if sum(results):
            raise AssertionError(f"{sum(results)} errors of 1000")
        size = sum(len(files[paths[(n + i) % 3]]) for n in range(50)
                   for i in range(20))
        self.note(f"https.concurrent_50: 1000 requests ({size >> 20} MiB) in "
                  f"{took:.2f} s, 0 errors")

    def fairness(self) -> None:
        """Clients that ask for much and read nothing do not hold up the
        others: their slots wait for room while the rest are served."""
        hogs = []
        try:
            for _ in range(4):
                s = self.tls()
                s.sendall(b"GET /docs/notes.txt HTTP/1.1\r\nHost: k\r\n"
                          b"\r\n" * 20)
                hogs.append(s)
            time.sleep(0.5)
            c = self.conn()
            try:
                for i in range(200):
                    c.request("GET", "/healthz")
                    r = c.getresponse()
                    if r.read() != b"ok\n":
                        raise AssertionError(f"request {i}: {r.status}")
            finally:
                c.close()
            # The hogs were served as far as their windows allowed, and
            # still are once they read.
            hogs[0].settimeout(self.timeout)
            want = (self.site / "docs/notes.txt").read_bytes()
            st, _, body, _ = self.read_response(hogs[0])
            if st != 200 or body != want:
                raise AssertionError("a hog's response differs")
        finally:
            for s in hogs:
                s.close()
        # Their slots come back as soon as the resets arrive, not after
        # https.idle_timeout_ms (the /metrics request is the one left).
        for _ in range(30):
            if self.active() == 1:
                return
            time.sleep(0.1)
        raise AssertionError(f"{self.active() - 1} slots still held")

    def active(self) -> int:
        text = self.get("/metrics")[2].decode()
        m = re.search(r"^keel_https_connections_active (\d+)$", text, re.M)
        if not m:
            raise AssertionError("no keel_https_connections_active")
        return int(m.group(1))

    def head(self) -> None:
        c = self.conn()
        try:
            c.request("HEAD", "/docs/notes.txt")
            r = c.getresponse()
            body = r.read()
            size = (self.site / "docs/notes.txt").stat().st_size
            if r.status != 200 or body or \
               r.getheader("Content-Length") != str(size):
                raise AssertionError(f"HEAD: {r.status} "
                                     f"{r.getheader('Content-Length')}")
            c.request("GET", "/healthz")  # the connection still works
            r = c.getresponse()
            if r.read() != b"ok\n":
                raise AssertionError("GET after HEAD")
        finally:
            c.close()

    def conditional(self) -> None:
        st, f, _ = self.get("/style.css")
        etag = f["etag"]
        if st != 200 or not re.fullmatch(r'"[0-9a-f]{32}"', etag):
            raise AssertionError(f"ETag {etag!r}")
        for inm, want in ((etag, 304), ("W/" + etag, 304),
                          (f'"x", {etag}', 304), ("*", 304),
                          ('"nope"', 200)):
            st, f2, body = self.get("/style.css", {"If-None-Match": inm})
            if st != want:
                raise AssertionError(f"If-None-Match {inm}: {st}")
            if st == 304 and (body or f2.get("etag") != etag):
                raise AssertionError("304 with a body or another ETag")

    def gzip_variant(self) -> None:
        data = (self.site / "docs/notes.txt").read_bytes()
        st, f, body = self.get("/docs/notes.txt",
                               {"Accept-Encoding": "gzip, br"})
        if st != 200 or f.get("content-encoding") != "gzip":
            raise AssertionError(f"no gzip: {st} {f}")
        if gzip.decompress(body) != data or "accept-encoding" not in \
           f.get("vary", "").lower():
            raise AssertionError("gzip variant differs or no Vary")
        gz_len = len(body)
        st, f, body = self.get("/docs/notes.txt",
                               {"Accept-Encoding": "gzip;q=0, *"})
        if "content-encoding" in f or body != data:
            raise AssertionError("gzip;q=0 was not honoured")
        st, f, body = self.get("/docs/noise.bin",
                               {"Accept-Encoding": "gzip"})
        if "content-encoding" in f or \
           body != (self.site / "docs/noise.bin").read_bytes():
            raise AssertionError("binary file gzipped or differs")
        self.note(f"https.gzip: notes.txt {len(data)} -> {gz_len} bytes")

    def pipelining(self) -> None:
        reqs = b"".join(f"GET {p} HTTP/1.1\r\nHost: keel\r\n\r\n".encode()
                        for p in ("/healthz", "/style.css", "/missing",
                                  "/healthz"))
        with self.tls() as s:
            s.sendall(reqs + b"HEAD / HTTP/1.1\r\nHost: keel\r\n"
                      b"Connection: close\r\n\r\n")
            buf = b""
            got = []
            for i in range(5):
                st, f, body, buf = self.read_response(s, buf,
                                                      head_only=(i == 4))
                got.append((st, body))
            css = (self.site / "style.css").read_bytes()
            want = [(200, b"ok\n"), (200, css), (404, None), (200, b"ok\n"),
                    (200, b"")]
            for (st, body), (wst, wbody) in zip(got, want):
                if st != wst or (wbody is not None and body != wbody):
                    raise AssertionError(f"pipelined answers {got!r}"[:300])

    def kv(self) -> None:
        c = self.conn()
        try:
            def call(method: str, path: str, body: bytes | None = None,
                     chunked: bool = False) -> tuple[int, bytes]:
                if chunked:
                    c.request(method, path, body=iter([body[:3], body[3:]]),
                              encode_chunked=True,
                              headers={"Transfer-Encoding": "chunked"})
                else:
                    c.request(method, path, body=body)
                r = c.getresponse()
                return r.status, r.read()

            doc = b'{"name": "keel", "tags": ["tls", 1.5e3, null]}'
            if call("PUT", "/kv/demo", doc, chunked=True)[0] != 201:
                raise AssertionError("chunked PUT not 201")
            if call("GET", "/kv/demo") != (200, doc):
                raise AssertionError("GET after chunked PUT")
            if call("PUT", "/kv/demo", b"[1,2]")[0] != 200:
                raise AssertionError("replacing PUT not 200")
            if call("GET", "/kv/") != (200, b'{"keys":["demo"]}\n'):
                raise AssertionError("listing")
            if call("PUT", "/kv/bad", b"{'a':1}")[0] != 400:
                raise AssertionError("bad JSON accepted")
            if call("PUT", "/kv/a%2fb", b"1")[0] != 400:
                raise AssertionError("bad key accepted")
            if call("DELETE", "/kv/demo")[0] != 204 or \
               call("GET", "/kv/demo")[0] != 404:
                raise AssertionError("DELETE")
            if call("POST", "/kv/x", b"1")[0] != 405:
                raise AssertionError("POST on /kv not 405")
            # A body in full-size TLS records (2^14 bytes each).
            if call("PUT", "/kv/big", b"7" * 16384)[0] != 413:
                raise AssertionError("16 KiB value not 413")
        finally:
            c.close()

    def upload_edges(self) -> None:
        """Expect: 100-continue, and a slot reused after a connection
        left in the middle of a chunked body."""
        with self.tls() as s:
            s.sendall(b"PUT /kv/cont HTTP/1.1\r\nHost: k\r\n"
                      b"Content-Length: 4\r\nExpect: 100-continue\r\n\r\n")
            st, _, _, rest = self.read_response(s, head_only=True)
            if st != 100:
                raise AssertionError(f"no 100 Continue: {st}")
            s.sendall(b"true")
            st, _, _, _ = self.read_response(s, rest)
            if st != 201:
                raise AssertionError(f"PUT after 100: {st}")
        for _ in range(3):
            with self.tls() as s:
                s.sendall(b"PUT /kv/half HTTP/1.1\r\nHost: k\r\n"
                          b"Transfer-Encoding: chunked\r\n\r\n5\r\n[1,2")
                time.sleep(0.1)
        for i in range(3):
            st, _, _ = self.raw_request(
                b"PUT /kv/whole HTTP/1.1\r\nHost: k\r\nTransfer-Encoding:"
                b" chunked\r\n\r\n3\r\n[1,\r\n2\r\n2]\r\n0\r\n\r\n")
            if st not in (200, 201):
                raise AssertionError(f"chunked PUT {i}: {st}")
        if self.get("/kv/whole")[2] != b"[1,2]":
            raise AssertionError("chunked value differs")

    def malformed(self) -> None:
        big = "a" * (self.cfg["CONFIG_APP_HTTPS_TARGET_MAX"] + 10)
        hdr = "X-Pad: " + "b" * 200 + "\r\n"
        cases = (
            (b"GET / HTTP/1.1\r\nHost: k\r\nContent-Length: 3\r\n"
             b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "CL+TE"),
            (b"POST / HTTP/1.1\r\nHost: k\r\nContent-Length: 3\r\n"
             b"Content-Length: 4\r\n\r\nabcd", 400, "two lengths"),
            (b"GET / HTTP/1.1\r\nHost: k\r\nX-A: a\r\n b\r\n\r\n", 400,
             "obs-fold"),
            (b"GET / HTTP/1.1\r\nHost: k\rX: y\r\n\r\n", 400, "bare CR"),
            (b"GET / HTTP/1.1\nHost: k\n\n", 400, "bare LF"),
            (b"GET / HTTP/1.1\r\nHost : k\r\n\r\n", 400, "space before :"),
            (b"GET / HTTP/1.1\r\n\r\n", 400, "no Host"),
            (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400,
             "two Hosts"),
            (f"GET /{big} HTTP/1.1\r\nHost: k\r\n\r\n".encode(), 414,
             "long target"),
            (("GET / HTTP/1.1\r\nHost: k\r\n" + hdr * 60 + "\r\n")
             .encode(), 431, "big head"),
            (b"PUT /kv/x HTTP/1.1\r\nHost: k\r\nContent-Length: 9999999"
             b"\r\n\r\n", 413, "big body"),
            (b"BREW / HTTP/1.1\r\nHost: k\r\n\r\n", 501, "unknown method"),
            (b"POST /index.html HTTP/1.1\r\nHost: k\r\n"
             b"Content-Length: 0\r\n\r\n", 405, "POST on a file"),
            (b"GET / HTTP/2.0\r\nHost: k\r\n\r\n", 505, "HTTP/2.0"),
            (b"POST /kv/x HTTP/1.1\r\nHost: k\r\nTransfer-Encoding: "
             b"gzip, chunked\r\n\r\n", 501, "gzip coding"),
            (b"POST /kv/x HTTP/1.1\r\nHost: k\r\nTransfer-Encoding: "
             b"chunked, gzip\r\n\r\n", 400, "chunked not last"),
            (b"GET /a b HTTP/1.1\r\nHost: k\r\n\r\n", 400, "space in target"),
            (b"PUT /kv/x HTTP/1.1\r\nHost: k\r\nTransfer-Encoding: "
             b"chunked\r\n\r\nzz\r\n", 400, "bad chunk size"),
        )
        for data, want, what in cases:
            st, f, _ = self.raw_request(data)
            if st != want:
                raise AssertionError(f"{what}: {st}, expected {want}")
            if want == 405 and f.get("allow") != "GET, HEAD":
                raise AssertionError(f"405 Allow: {f.get('allow')!r}")
        self.still_serving()
        self.note(f"https.malformed: {len(cases)} requests answered as "
                  f"expected")

    def slow_408(self) -> None:
        limit = self.cfg["CONFIG_APP_HTTPS_REQUEST_TIMEOUT_MS"] / 1000
        with self.tls() as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: k\r\n")
            t0 = time.monotonic()
            s.settimeout(limit + 10)
            st, f, _, _ = self.read_response(s)
            took = time.monotonic() - t0
        if st != 408 or f.get("connection") != "close":
            raise AssertionError(f"{st} {f}")
        if not limit - 0.5 <= took <= limit + 3:
            raise AssertionError(f"408 after {took:.1f} s, limit {limit}")
        self.still_serving()

    def busy_503(self) -> None:
        n = self.cfg["CONFIG_APP_HTTPS_CONNECTIONS"]
        held = []
        try:
            for _ in range(n):
                held.append(self.tls())
            st, f, _ = self.raw_request(b"GET / HTTP/1.1\r\nHost: k\r\n\r\n")
            if st != 503 or "retry-after" not in f:
                raise AssertionError(f"{st} {f}")
        finally:
            for s in held:
                s.close()
        time.sleep(0.5)
        self.still_serving()

    @staticmethod
    def prometheus_text(text: str) -> None:
        """/metrics' body: every line a comment or a sample, the stack's
        counters last (the body is whole)."""
        lines = text.splitlines()
        for line in lines:
            if not re.fullmatch(r'# (TYPE|HELP) .*|[a-z_]+(\{[a-z]+="[^"]*"\})?'
                                r" \d+", line):
                raise AssertionError(f"not Prometheus text: {line!r}")
        if not lines or not lines[-1].startswith("keel_net_events_total{"):
            raise AssertionError("/metrics does not end with the stack "
                                 "counters")

    def metrics(self) -> None:
        st, f, body = self.get("/metrics")
        text = body.decode()
        if st != 200 or not f["content-type"].startswith("text/plain"):
            raise AssertionError(f"{st} {f}")
        for pat in (r"^keel_tls_handshakes_total [1-9]\d*$",
                    r"^keel_tls_handshake_failures_total \d+$",
                    r'^keel_https_requests_total\{status="200"\} [1-9]\d*$',
                    r'^keel_https_requests_total\{status="400"\} [1-9]\d*$',
                    r'^keel_net_events_total\{counter="tcp\.conn_passive"\}'
                    r" [1-9]\d*$",
                    r"^keel_https_connections_active \d+$"):
            if not re.search(pat, text, re.M):
                raise AssertionError(f"no line like {pat}")
        self.prometheus_text(text)
        # Written as it is sent: chunked for HTTP/1.1, ended by the close
        # for HTTP/1.0; HEAD gets the head alone.
        if f.get("transfer-encoding") != "chunked":
            raise AssertionError(f"/metrics not chunked: {f}")
        with self.tls() as s:
            s.sendall(b"GET /metrics HTTP/1.0\r\n\r\n")
            data = b""
            while True:
                d = s.recv(65536)
                if not d:
                    break
                data += d
        head, _, body10 = data.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200") or \
           b"chunked" in head.lower() or \
           b"keel_net_events_total" not in body10 or \
           not body10.endswith(b"\n"):
            raise AssertionError(f"HTTP/1.0 /metrics: {head!r} "
                                 f"{body10[-80:]!r}")
        with self.tls() as s:
            s.sendall(b"HEAD /metrics HTTP/1.1\r\nHost: k\r\n\r\n"
                      b"GET /healthz HTTP/1.1\r\nHost: k\r\n\r\n")
            st, f2, _, rest = self.read_response(s, head_only=True)
            if st != 200 or f2.get("transfer-encoding") != "chunked":
                raise AssertionError(f"HEAD /metrics: {st} {f2}")
            st, _, b2, _ = self.read_response(s, rest)
            if st != 200 or b2 != b"ok\n":
                raise AssertionError(f"after HEAD /metrics: {st} {b2!r}")

    def testssl(self) -> None:
        exe = shutil.which("testssl") or shutil.which("testssl.sh")
        if not exe:
            raise self.skip("testssl.sh is not installed")
        r = subprocess.run([exe, "--quiet", "--color", "0", "--warnings",
                            "off", "-U", "-p", "--severity", "LOW",
                            f"{self.ip}:{self.port}"],
                           capture_output=True, text=True, timeout=600)
        # BREACH needs a secret in a compressed response that also
        # reflects the attacker's input; the gzip variants are static
        # files, so testssl's "potentially NOT ok" for it does not apply.
        bad = [line for line in r.stdout.splitlines()
               if re.search(r"VULNERABLE|NOT ok", line) and
               "not vulnerable" not in line and
               not ("BREACH" in line and "potentially" in line)]
        if bad:
            raise AssertionError("; ".join(bad)[:600])
        offered = re.findall(r"^ (TLS 1(?:\.\d)?|SSLv\d)\s+(offered|not offered)",
                             r.stdout, re.M)
        self.note("https.testssl: nothing vulnerable; " +
                  ", ".join(f"{p} {o}" for p, o in offered))
