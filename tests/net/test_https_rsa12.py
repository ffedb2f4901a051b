"""net/https_rsa12 - the https application with an RSA certificate of the
image's own and TLS 1.2 allowed.

The script makes what an operator would: an RSA-2048 key and certificate
(openssl req, into a temporary directory) and an image definition like
images/https-tap.toml with [https] cert, key and tls12 = true; it builds
that image with ./build.py and runs it.

  build            no development-key warning; the certificate is embedded
  tls13_rsa        TLS 1.3 with the RSA key (RSA-PSS signatures), each
                   suite, verified against the certificate
  tls12            TLS 1.2 with ECDHE-RSA and an AEAD suite; weaker
                   versions (1.1) and non-AEAD suites are refused
  curl             curl fetches index.html byte-exact over TLS 1.2 and 1.3

    /usr/bin/python3 tests/net/test_https_rsa12.py --keel build/https-tap/keel
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netlab import Cases, Lab  # noqa: E402

IMAGE = "https-tap"  # the tier builds it; this script builds its own too
ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 20.0
TLS13 = ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
         "TLS_CHACHA20_POLY1305_SHA256")


def make_image(work: Path) -> Path:
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-sha256", "-days", "30", "-subj", "/CN=keel",
                    "-addext", "subjectAltName=IP:10.0.0.2",
                    "-keyout", str(work / "key.pem"),
                    "-out", str(work / "cert.pem")],
                   check=True, capture_output=True, timeout=60)
    toml = (ROOT / "images/https-tap.toml").read_text()
    toml = toml.replace('site = "site"', f'site = "{ROOT}/images/site"')
    toml = toml.replace('routes = ["../apps/https/routes/kv.c"]',
                        f'routes = ["{ROOT}/apps/https/routes/kv.c"]\n'
                        f'cert = "cert.pem"\nkey = "key.pem"\n'
                        f'tls12 = true\nconnections = 4')
    toml = toml.replace("connections = 64\n", "")
    path = work / "https-rsa12-tap.toml"
    path.write_text(toml)
    return path


class Rsa12Suite:
    def __init__(self, lab: Lab, cert: Path) -> None:
        self.lab = lab
        self.cert = str(cert)
        self.ip = lab.keel_ip

    def s_client(self, *args: str) -> tuple[int, str]:
        r = subprocess.run(["openssl", "s_client", "-connect",
                            f"{self.ip}:443", "-CAfile", self.cert,
                            "-verify_return_error", "-brief", *args],
                           input=b"", capture_output=True, timeout=TIMEOUT)
        return r.returncode, (r.stdout + r.stderr).decode(errors="replace")

    def tls13_rsa(self) -> None:
        for suite in TLS13:
            rc, out = self.s_client("-tls1_3", "-ciphersuites", suite)
            if rc != 0 or f"Ciphersuite: {suite}" not in out or \
               "RSA-PSS" not in out:
                raise AssertionError(f"{suite}: {out[-400:]}")

    def tls12(self) -> None:
        for suite in ("ECDHE-RSA-AES128-GCM-SHA256",
                      "ECDHE-RSA-AES256-GCM-SHA384",
                      "ECDHE-RSA-CHACHA20-POLY1305"):
            rc, out = self.s_client("-tls1_2", "-cipher", suite)
            if rc != 0 or "Protocol version: TLSv1.2" not in out or \
               f"Ciphersuite: {suite}" not in out:
                raise AssertionError(f"{suite}: {out[-400:]}")
        for args in (("-tls1_1",), ("-tls1_2", "-cipher",
                                    "ECDHE-RSA-AES128-SHA256")):
            rc, out = self.s_client(*args)
            if rc == 0:
                raise AssertionError(f"{args} was accepted")

    def curl(self) -> None:
        want = (ROOT / "images/site/index.html").read_bytes()
        for v in ("--tlsv1.2", "--tlsv1.3"):
            args = ["--tls-max", "1.2"] if v == "--tlsv1.2" else []
            r = subprocess.run(["curl", "-sS", "--fail", v, *args,
                                "--cacert", self.cert,
                                f"https://{self.ip}/"],
                               capture_output=True, timeout=TIMEOUT)
            if r.returncode != 0 or r.stdout != want:
                raise AssertionError(f"{v}: curl {r.returncode} "
                                     f"{r.stderr.decode()[-300:]}")


def main() -> int:
    cases = Cases("https_rsa12")
    with tempfile.TemporaryDirectory(prefix="keel-rsa12-") as t:
        work = Path(t)
        toml = make_image(work)
        built: dict[str, str] = {}

        def build() -> None:
            r = subprocess.run([str(ROOT / "build.py"), "build", str(toml)],
                               capture_output=True, text=True, timeout=900)
            if r.returncode != 0:
                raise AssertionError(r.stderr[-1500:])
            if "development key" in r.stderr:
                raise AssertionError("warned of a development key")
            built["exe"] = str(ROOT / "build" / toml.stem / "keel")

        cases.run("build", build)
        if "exe" not in built:
            return cases.done()
        with Lab(built["exe"]) as lab:
            lab.wait_log(b"https: serving", 10)
            s = Rsa12Suite(lab, work / "cert.pem")
            cases.run("tls13_rsa", s.tls13_rsa)
            cases.run("tls12", s.tls12)
            cases.run("curl", s.curl)
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
