"""Unit tests for build.py: image definitions, the generated config, the
allocator check. Run by `./build.py test unit` (or directly)."""

from __future__ import annotations

import ipaddress
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import build  # noqa: E402

GOOD = """
description = "t"
target = "linux-tap"
app = "udp-echo"
[net]
ip = "10.1.2.3/24"
gateway = "10.1.2.1"
[arp]
entries = 8
"""


class ImageCase(unittest.TestCase):
    """Helpers: load an image definition from text; expect an error."""

    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = Path(self.tmp.name)

    def tearDown(self) -> None:
        self.tmp.cleanup()

    def load(self, text: str) -> build.Image:
        path = self.dir / "img.toml"
        path.write_text(text)
        return build.load_image(path)

    def assertError(self, text: str, *needles: str) -> None:
        with self.assertRaises(build.KeelError) as cm:
            self.load(text)
        msg = str(cm.exception)
        self.assertIn("img.toml", msg)
        for n in needles:
            self.assertIn(n, msg)


class ImageTest(ImageCase):
    def test_good_image_loads(self) -> None:
        img = self.load(GOOD)
        self.assertEqual(img.values["CONFIG_ARP_ENTRIES"], 8)
        self.assertEqual(img.values["CONFIG_NET_IPV4_ADDR"],
                         (0x0a010203, 0xffffff00))
        self.assertEqual(img.values["CONFIG_NET_IPV4_GATEWAY"], 0x0a010201)

    def test_unknown_section(self) -> None:
        self.assertError(GOOD + "[arpp]\nentries = 1\n", "arpp", "unknown")

    def test_unknown_key(self) -> None:
        self.assertError(GOOD.replace("entries", "entriez"),
                         "arp.entriez", "unknown")

    def test_wrong_type(self) -> None:
        self.assertError(GOOD.replace("entries = 8", 'entries = "8"'),
                         "arp.entries", "expected an integer")

    def test_bool_is_not_an_integer(self) -> None:
        self.assertError(GOOD.replace("entries = 8", "entries = true"),
                         "arp.entries", "expected an integer")

    def test_out_of_range(self) -> None:
        self.assertError(GOOD.replace("entries = 8", "entries = 0"),
                         "arp.entries", "out of range")
        self.assertError(GOOD.replace("entries = 8", "entries = 100000"),
                         "arp.entries", "out of range")

    def test_bad_addresses(self) -> None:
        self.assertError(GOOD.replace("10.1.2.3/24", "10.1.2.3"),
                         "net.ip", "prefix")
        self.assertError(GOOD.replace("10.1.2.3/24", "10.1.2.300/24"),
                         "net.ip")
        self.assertError(GOOD.replace("10.1.2.3/24", "10.1.2.255/24"),
                         "net.ip", "not a host")
        self.assertError(GOOD.replace('"10.1.2.1"', '"10.9.9.9"'),
                         "net.gateway", "not on")
        self.assertError(GOOD + '[log]\nlevel = "loud"\n', "log.level")

    def test_bad_mac(self) -> None:
        self.assertError(GOOD.replace('gateway = "10.1.2.1"',
                                      'gateway = "10.1.2.1"\nmac = "01:00:5e:00:00:01"'),
                         "net.mac", "multicast")

    def test_relations(self) -> None:
        self.assertError(GOOD + "[ipv4]\nreasm_max = 1004\n",
                         "ipv4.reasm_max", "multiple of 8")
        self.assertError(GOOD + "[ipv4]\nreasm_max = 1000\n",
                         "ipv4.reasm_max", "net.mtu")

    def test_virtio_pools_fit_the_queue(self) -> None:
        img = self.load(GOOD + "[virtio]\nqueue_size = 64\n"
                        "rx_buffers = 64\ntx_buffers = 8\n")
        self.assertEqual(img.values["CONFIG_VIRTIO_QUEUE_SIZE"], 64)
        self.assertError(GOOD + "[virtio]\nqueue_size = 96\n",
                         "virtio.queue_size", "power of 2")
        self.assertError(GOOD + "[virtio]\nqueue_size = 16\n"
                         "rx_buffers = 32\n", "virtio.rx_buffers")
        self.assertError(GOOD + "[virtio]\nqueue_size = 16\n"
                         "rx_buffers = 8\ntx_buffers = 17\n",
                         "virtio.tx_buffers")

    def test_missing_target_and_bad_toml(self) -> None:
        self.assertError('app = "udp-echo"\n', "target")
        self.assertError(GOOD.replace('"linux-tap"', '"vax"'), "target",
                         "vax")
        self.assertError("target = \n", "not valid TOML")

    def test_dns_servers_are_a_list_of_addresses(self) -> None:
        img = self.load(GOOD + '[dns]\nservers = ["10.0.0.1", '
                        '"192.0.2.53"]\n')
        self.assertEqual(img.values["CONFIG_DNS_SERVERS"],
                         (0x0a000001, 0xc0000235))
        text = build.render_config(img)
        self.assertRegex(text, r"#define CONFIG_DNS_SERVERS +"
                         r"\{0x0a000001u, 0xc0000235u\}\n")
        self.assertRegex(text, r"#define CONFIG_DNS_SERVER_COUNT +2\n")
        text = build.render_config(self.load(GOOD))
        self.assertRegex(text, r"#define CONFIG_DNS_SERVERS +\{0\}\n")
        self.assertRegex(text, r"#define CONFIG_DNS_SERVER_COUNT +0\n")

    def test_bad_dns_servers(self) -> None:
        def bad(value: str, *needles: str) -> None:
            self.assertError(GOOD + f"[dns]\nservers = {value}\n",
                             "dns.servers", *needles)
        bad('"10.0.0.1"', "array")
        bad('["10.0.0.300"]', "IPv4")
        bad("[167772161]", "IPv4")
        bad('["10.0.0.1/24"]', "IPv4")
        for addr in ("0.0.0.0", "127.0.0.1", "224.0.0.1", "240.0.0.1",
                     "255.255.255.255"):
            bad(f'["{addr}"]', "not a unicast")
        bad(str([f"10.0.0.{i}" for i in range(1, 6)]).replace("'", '"'),
            "at most 4")

    def test_dns_queries_fit_the_udp_sockets(self) -> None:
        self.assertError(GOOD + "[dns]\nqueries = 9\n[udp]\nsockets = 8\n",
                         "dns.queries", "udp.sockets")

    def test_dhcp_address(self) -> None:
        dhcp = GOOD.replace('ip = "10.1.2.3/24"\ngateway = "10.1.2.1"',
                            'ip = "dhcp"')
        img = self.load(dhcp)
        self.assertEqual(img.values["CONFIG_NET_IPV4_ADDR"], "dhcp")
        text = build.render_config(img)
        self.assertRegex(text, r"#define CONFIG_NET_DHCP +1\n")
        self.assertRegex(text, r"#define CONFIG_NET_IPV4_ADDR +0x00000000u\n")
        self.assertRegex(text,
                         r"#define CONFIG_NET_IPV4_NETMASK +0x00000000u\n")
        text = build.render_config(self.load(GOOD))
        self.assertRegex(text, r"#define CONFIG_NET_DHCP +0\n")
        self.assertError(dhcp.replace('"dhcp"', '"DHCP"'), "net.ip")
        self.assertError(dhcp.replace('"dhcp"', '"dhcp"\ngateway = '
                                      '"10.1.2.1"'), "net.gateway", "dhcp")
        self.assertError(dhcp + "[udp]\nrx_ring = 1024\n", "udp.rx_ring")

    def test_dhcp_hostname(self) -> None:
        img = self.load(GOOD + '[dhcp]\nhostname = "web-1"\n')
        self.assertRegex(build.render_config(img),
                         r'#define CONFIG_DHCP_HOSTNAME +"web-1"\n')
        self.assertRegex(build.render_config(self.load(GOOD)),
                         r'#define CONFIG_DHCP_HOSTNAME +""\n')
        for bad in ("-web", "web-", "web.example", "we b", "a" * 64,
                    'a\\"b'):
            self.assertError(GOOD + f'[dhcp]\nhostname = "{bad}"\n',
                             "dhcp.hostname")

    def test_app_section_only_for_its_app(self) -> None:
        img = self.load(GOOD + "[udp-echo]\nport = 9\n")
        self.assertEqual(img.values["CONFIG_APP_UDP_ECHO_PORT"], 9)

    def test_render_config_is_sorted_and_complete(self) -> None:
        text = build.render_config(self.load(GOOD))
        macros = [line.split()[1] for line in text.splitlines()
                  if line.startswith("#define CONFIG_")]
        self.assertEqual(macros[1:], sorted(macros[1:]))
        for opt in build.OPTIONS:
            self.assertIn(opt.macro, macros)
        self.assertIn("#define CONFIG_NET_IPV4_NETMASK", text)
        self.assertIn("0x0a010203u", text)

    def test_every_shipped_image_loads(self) -> None:
        for path in build.all_images():
            build.load_image(path)

    def test_docs_name_every_option(self) -> None:
        doc = (ROOT / "docs/image-format.md").read_text()
        for opt in build.OPTIONS:
            self.assertIn(f"`{opt.key}`", doc, f"{opt.section}.{opt.key}")
        for opts in build.APP_OPTIONS.values():
            for opt in opts:
                self.assertIn(f"`{opt.key}`", doc)


DNS = """
target = "linux-tap"
app = "dns-server"
[net]
ip = "10.0.0.2/24"
[dns-server]
zones = ["images/zones/example.zone"]
"""


class DnsServerImageTest(ImageCase):
    def test_good(self) -> None:
        img = self.load(DNS)
        self.assertEqual(img.values["CONFIG_APP_DNS_SERVER_ZONES"],
                         ("images/zones/example.zone",))
        self.assertIn("#define CONFIG_APP_DNS_SERVER_ZONES",
                      build.render_config(img))

    def test_zones_checked(self) -> None:
        self.assertError(DNS.replace("example.zone", "nosuch.zone"),
                         "dns-server.zones", "no such file")
        self.assertError(DNS.replace('["images/zones/example.zone"]', "[]"),
                         "dns-server.zones", "1..255 files")
        self.assertError(DNS.replace('["images/zones/example.zone"]',
                                     '"images/zones/example.zone"'),
                         "dns-server.zones", "array of file names")

    def test_dns_relations(self) -> None:
        self.assertError(DNS + "tcp_clients = 8\n[tcp]\nsockets = 8\n",
                         "dns-server.tcp_clients", "tcp.sockets")
        self.assertError(DNS + "tcp_response_max = 4096\n[tcp]\n"
                         "tx_ring = 4096\n", "tcp.tx_ring")

    def test_not_for_other_apps(self) -> None:
        self.assertError(GOOD + "[dns-server]\nport = 53\n", "dns-server",
                         "unknown")

    def test_zone_mistake_stops_the_build(self) -> None:
        zone = self.dir / "bad.zone"
        zone.write_text("$ORIGIN x.\n$TTL 1\n@ SOA a b 1 1 1 1 1\n"
                        "@ NS a\nwww MX 1\n")
        img = self.load(DNS.replace('"images/zones/example.zone"',
                                    f'"{zone}"'))
        with self.assertRaises(build.KeelError) as cm:
            build.generate_config(img, self.dir / "out")
        self.assertIn("bad.zone:5: MX takes 2 fields", str(cm.exception))
        self.assertFalse((self.dir / "out/include/keel_zone.h").exists())


HTTPS = """
target = "linux-tap"
app = "https"
[net]
ip = "10.0.0.2/24"
[tcp]
sockets = 10
[https]
connections = 8
"""


class HttpsTest(ImageCase):
    """The https application's keys and what build.py generates for it."""

    def test_sockets_cover_connections(self) -> None:
        self.load(HTTPS)
        with self.assertRaises(build.KeelError) as cm:
            self.load(HTTPS.replace("sockets = 10", "sockets = 9"))
        self.assertIn("tcp.sockets", str(cm.exception))

    def test_paths_are_not_rendered(self) -> None:
        img = self.load(HTTPS + 'site = "s"\nroutes = ["a.c"]\n')
        text = build.render_config(img)
        self.assertNotIn("CONFIG_APP_HTTPS_SITE", text)
        self.assertNotIn("CONFIG_APP_HTTPS_ROUTES", text)
        self.assertIn("#define CONFIG_APP_HTTPS_CONNECTIONS", text)
        with self.assertRaises(build.KeelError):
            self.load(HTTPS + "routes = \"a.c\"\n")

    def test_site_files(self) -> None:
        site = self.dir / "site"
        (site / "d").mkdir(parents=True)
        (site / "index.html").write_text("<p>hello</p>\n" * 40)
        (site / "d" / "x.bin").write_bytes(bytes(range(256)))
        (site / ".hidden").write_text("no")
        files = build.site_files(site, "t")
        self.assertEqual([f.path for f in files], ["/d/x.bin",
                                                   "/index.html"])
        self.assertEqual(files[0].ctype, "application/octet-stream")
        self.assertEqual(files[0].gz, b"")  # not a compressible type
        html = files[1]
        self.assertTrue(html.ctype.startswith("text/html"))
        self.assertTrue(html.gz and len(html.gz) < len(html.data))
        # Reproducible: the same bytes every time (mtime 0).
        self.assertEqual(build.site_files(site, "t")[1].gz, html.gz)
        c = build.render_site_c(files)
        self.assertIn(build._c_string(build._etag(html.data)), c)
        self.assertRegex(build._etag(html.data), r'^"[0-9a-f]{32}"$')
        (site / "bad name.txt").write_text("x")
        with self.assertRaises(build.KeelError):
            build.site_files(site, "t")

    def test_empty_site_and_routes_render(self) -> None:
        self.assertIn("https_site_count = 0", build.render_site_c([]))
        c = build.render_routes_c([Path("x/kv.c"), Path("my-api.c")])
        self.assertIn("\thttps_register_kv();", c)
        self.assertIn("\thttps_register_my_api();", c)

    def test_pem(self) -> None:
        pem = self.dir / "c.pem"
        pem.write_text("junk\n-----BEGIN CERTIFICATE-----\nAAEC\n"
                       "-----END CERTIFICATE-----\n"
                       "-----BEGIN CERTIFICATE-----\nAwQ=\n"
                       "-----END CERTIFICATE-----\n")
        self.assertEqual(build._pem_der(pem, ("CERTIFICATE",), "t"),
                         [b"\x00\x01\x02", b"\x03\x04"])
        with self.assertRaises(build.KeelError):
            build._pem_der(pem, ("PRIVATE KEY",), "t")
        pem.write_text("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAEC\n"
                       "-----END ENCRYPTED PRIVATE KEY-----\n")
        with self.assertRaises(build.KeelError) as cm:
            build._pem_der(pem, ("PRIVATE KEY",), "t")
        self.assertIn("encrypted", str(cm.exception))

    def test_cert_and_key_together(self) -> None:
        img = self.load(HTTPS + 'cert = "c.pem"\n')
        with self.assertRaises(build.KeelError) as cm:
            build.https_cert_key(img, self.dir, self.dir / "out")
        self.assertIn("both or neither", str(cm.exception))

    def test_module_groups(self) -> None:
        self.assertEqual(build.module_of(Path(
            "build__third_party__wolfssl-5.5.4__src__ssl.c.o")),
            "wolfssl/src/ssl")
        self.assertEqual(build.module_of(Path(
            "build__https-tap__gen__https_site.c.o")), "gen/https_site")


class AllocatorCheckTest(unittest.TestCase):
    def compile(self, code: str, d: Path) -> Path:
        src = d / "x.c"
        src.write_text(code)
        obj = d / "x.o"
        subprocess.run(["gcc", "-c", "-o", str(obj), str(src)], check=True)
        return obj

    def check(self, code: str) -> None:
        img = build.load_image(ROOT / "images/echo-tap.toml")
        with tempfile.TemporaryDirectory() as t:
            build.check_no_allocators([self.compile(code, Path(t))], img)

    def test_malloc_is_refused(self) -> None:
        with self.assertRaises(build.KeelError) as cm:
            self.check("#include <stdlib.h>\nvoid *f(void);\n"
                       "void *f(void) { return malloc(4); }\n")
        self.assertIn("malloc", str(cm.exception))

    def test_strdup_is_refused(self) -> None:
        with self.assertRaises(build.KeelError):
            self.check("#include <string.h>\nchar *f(const char *s);\n"
                       "char *f(const char *s) { return strdup(s); }\n")

    def test_static_code_passes(self) -> None:
        self.check("static int t[4];\nint f(int i);\n"
                   "int f(int i) { return t[i & 3]; }\n")


class CliTest(unittest.TestCase):
    def run_cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(ROOT / "build.py"),
                               *args], capture_output=True, text=True)

    def test_unknown_image_is_a_plain_error(self) -> None:
        r = self.run_cli("build", "no-such-image")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no such image definition", r.stderr)
        self.assertNotIn("Traceback", r.stderr)

    def test_build_reads_every_image_before_building(self) -> None:
        r = self.run_cli("build", "echo-tap", "no-such-image")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no such image definition", r.stderr)
        self.assertNotIn("built", r.stderr + r.stdout)

    def test_every_command_has_help(self) -> None:
        for cmd in ("build", "run", "test", "bench", "size", "list"):
            r = self.run_cli(cmd, "--help")
            self.assertEqual(r.returncode, 0, cmd)
            self.assertIn("usage:", r.stdout)

    def test_unknown_tier_is_refused(self) -> None:
        r = self.run_cli("test", "nosuchtier")
        self.assertEqual(r.returncode, 1)
        self.assertIn("unknown test tier", r.stderr)

    def test_list_names_every_bench_suite(self) -> None:
        r = self.run_cli("list")
        self.assertEqual(r.returncode, 0)
        self.assertIn("bench suites: ping udp tcp dns https boot\n", r.stdout)

    def test_unknown_bench_suite_is_refused(self) -> None:
        r = self.run_cli("bench", "nosuchsuite")
        self.assertEqual(r.returncode, 1)
        self.assertIn("unknown bench suite 'nosuchsuite'", r.stderr)
        self.assertIn("tcp", r.stderr)
        self.assertNotIn("Traceback", r.stderr)

    def test_run_refuses_tap_for_x86(self) -> None:
        r = self.run_cli("run", "--net", "tap", "echo-x86")
        self.assertEqual(r.returncode, 1)
        self.assertIn("--net tap: not done yet", r.stderr)
        self.assertNotIn("Traceback", r.stderr)

    def test_run_takes_key_value_after_options(self) -> None:
        # The tokens reach run (which then refuses tap), not argparse.
        r = self.run_cli("run", "echo-x86", "--net", "tap", "stop_ms=1")
        self.assertEqual(r.returncode, 1)
        self.assertIn("--net tap: not done yet", r.stderr)
        r = self.run_cli("run", "echo-x86", "--net", "tap", "--bogus")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unrecognized arguments: --bogus", r.stderr)

    def test_run_refuses_qemu_options_for_linux_tap(self) -> None:
        r = self.run_cli("run", "echo-tap", "--machine", "pc")
        self.assertEqual(r.returncode, 1)
        self.assertIn("--machine, --net and --port-offset are for QEMU "
                      "targets", r.stderr)

    def test_run_validates_machine_and_net(self) -> None:
        for opt in ("--machine", "--net"):
            r = self.run_cli("run", "echo-x86", opt, "bogus")
            self.assertEqual(r.returncode, 2, opt)
            self.assertIn("invalid choice", r.stderr)


class QemuTest(unittest.TestCase):
    def test_microvm_command(self) -> None:
        cmd = build.qemu_command(Path("k.elf"), "microvm", "a=1 b=2")
        self.assertEqual(cmd[0], "qemu-system-x86_64")
        self.assertIn("microvm,auto-kernel-cmdline=off", cmd)
        for flag in ("-nodefaults", "-no-acpi", "-no-reboot"):
            self.assertIn(flag, cmd)
        self.assertEqual(cmd[cmd.index("-append") + 1], "a=1 b=2")
        self.assertEqual(cmd[cmd.index("-kernel") + 1], "k.elf")
        self.assertIn("isa-debug-exit,iobase=0xf4,iosize=0x04", cmd)

    def test_pc_and_q35_have_no_nic(self) -> None:
        for m in ("pc", "q35"):
            cmd = build.qemu_command(Path("k.elf"), m, "")
            self.assertEqual(cmd[cmd.index("-M") + 1], m)
            self.assertEqual(cmd[cmd.index("-nic") + 1], "none")

    def test_unknown_machine(self) -> None:
        with self.assertRaises(build.KeelError):
            build.qemu_command(Path("k.elf"), "isapc", "")

    def test_aarch64_command(self) -> None:
        cmd = build.qemu_command(Path("k.elf"), "virt", "a=1",
                                 cpu="cortex-a53", target="aarch64")
        self.assertEqual(cmd[0], "qemu-system-aarch64")
        self.assertEqual(cmd[cmd.index("-M") + 1], "virt")
        self.assertEqual(cmd[cmd.index("-cpu") + 1], "cortex-a53")
        for flag in ("-semihosting", "-nodefaults", "-no-reboot"):
            self.assertIn(flag, cmd)
        self.assertNotIn("virtio-rng-device", cmd)
        self.assertNotIn("isa-debug-exit,iobase=0xf4,iosize=0x04", cmd)
        virt = build.qemu_virtio_args("virt")
        cmd = build.qemu_command(Path("k.elf"), "virt", "", target="aarch64",
                                 devices=virt)
        self.assertEqual(cmd[-len(virt):], virt)
        with self.assertRaises(build.KeelError):
            build.qemu_command(Path("k.elf"), "microvm", "",
                               target="aarch64")
        with self.assertRaises(build.KeelError):
            build.qemu_command(Path("k.elf"), "virt", "")

    def test_network_for_either_target(self) -> None:
        fwd = [build.Forward("udp", 10053, 53), build.Forward("tcp", 10053,
                                                             53)]
        for machine in ("virt", "microvm", "pc"):
            devices, passt = build.qemu_network(machine, "user", fwd)
            self.assertIsNone(passt)
            self.assertEqual(devices[:2], build.slirp_netdev(fwd, None))
            self.assertIn("hostfwd=udp:127.0.0.1:10053-10.0.2.15:53,"
                          "hostfwd=tcp:127.0.0.1:10053-10.0.2.15:53",
                          devices[1])
            self.assertEqual(devices[2:], build.qemu_virtio_args(machine))
        devices, _ = build.qemu_network("virt", "rng")
        self.assertEqual(devices, ["-global", "virtio-mmio.force-legacy=false",
                                   "-device", "virtio-rng-device"])
        self.assertEqual(build.qemu_network("virt", "none"), ([], None))
        with self.assertRaises(build.KeelError):
            build.qemu_network("virt", "tap")

    def test_aarch64_exit_code(self) -> None:
        # Semihosting: QEMU's status is the kernel's code.
        self.assertEqual(build.qemu_exit_code(0, "aarch64"), 0)
        self.assertEqual(build.qemu_exit_code(64, "aarch64"), 64)
        self.assertIsNone(build.qemu_exit_code(-9, "aarch64"))

    def test_exit_code(self) -> None:
        self.assertEqual(build.qemu_exit_code(1), 0)
        self.assertEqual(build.qemu_exit_code(129), 64)
        self.assertEqual(build.qemu_exit_code(9), 4)
        self.assertIsNone(build.qemu_exit_code(0))
        self.assertIsNone(build.qemu_exit_code(-9))

    def test_cmdline(self) -> None:
        self.assertEqual(build.qemu_cmdline(["ip=10.0.0.2/24"], "none"),
                         "ip=10.0.0.2/24 netdev=null")
        self.assertEqual(build.qemu_cmdline(["netdev=null"], "none"),
                         "netdev=null")
        for bad in ("ip", "=x", "a=b c"):
            with self.assertRaises(build.KeelError):
                build.qemu_cmdline([bad], "none")

    def test_virtio_devices(self) -> None:
        mv = build.qemu_virtio_args("microvm")
        self.assertEqual(mv, ["-global", "virtio-mmio.force-legacy=false",
                              "-device", "virtio-net-device,netdev=n0",
                              "-device", "virtio-rng-device"])
        # virt's virtio devices are virtio-mmio too
        self.assertEqual(build.qemu_virtio_args("virt"), mv)
        pc = build.qemu_virtio_args("pc", netdev=None)
        self.assertEqual(pc, ["-device", "virtio-rng-pci,disable-legacy=on"])
        q35 = build.qemu_virtio_args("q35", rng=False)
        self.assertEqual(q35, ["-device", "virtio-net-pci,netdev=n0,"
                               "disable-legacy=on"])
        cmd = build.qemu_command(Path("k.elf"), "pc", "", devices=pc)
        self.assertEqual(cmd[-2:], pc)

    def test_forwards_per_application_port(self) -> None:
        img = build.load_image(ROOT / "images/tcp-echo-x86.toml")
        self.assertEqual(build.app_forwards(img), [
            build.Forward("tcp", 10007, 7, "echo"),
            build.Forward("tcp", 10009, 9, "sink"),
            build.Forward("tcp", 10019, 19, "source")])
        self.assertEqual(build.app_forwards(img, 20000)[0].host_port, 20007)
        with self.assertRaises(build.KeelError):
            build.app_forwards(img, 65530)
        udp = build.load_image(ROOT / "images/echo-x86.toml")
        self.assertEqual(build.app_forwards(udp),
                         [build.Forward("udp", 10007, 7, "echo")])

    def test_run_forwards_the_application_on_either_target(self) -> None:
        for name, machine in (("dns", "microvm"), ("dns-aarch64", "virt")):
            img = build.load_image(ROOT / f"images/{name}.toml")
            run = build.qemu_run_setup(img, Path("k.elf"), None, None, [])
            self.assertEqual((run.machine, run.net), (machine, "user"))
            self.assertEqual(run.forwards, [
                build.Forward("udp", 10053, 53, "dns"),
                build.Forward("tcp", 10053, 53, "dns")])
            netdev = run.cmd[run.cmd.index("-netdev") + 1]
            self.assertEqual(netdev, "user,id=n0,net=10.0.2.0/24,"
                             "host=10.0.2.2,"
                             "hostfwd=udp:127.0.0.1:10053-10.0.2.15:53,"
                             "hostfwd=tcp:127.0.0.1:10053-10.0.2.15:53")
            self.assertIn("virtio-net-device,netdev=n0", run.cmd)
            self.assertIn("virtio-rng-device", run.cmd)
            run = build.qemu_run_setup(img, Path("k.elf"), None, "user",
                                       ["ip=10.0.3.9/24"], 20000)
            self.assertIn("hostfwd=tcp:127.0.0.1:20053-10.0.3.9:53",
                          run.cmd[run.cmd.index("-netdev") + 1])
        arm = build.load_image(ROOT / "images/echo-aarch64.toml")
        run = build.qemu_run_setup(arm, Path("k.elf"), None, "none", [])
        self.assertEqual(run.forwards, [])
        self.assertNotIn("-netdev", run.cmd)
        self.assertIn("virtio-rng-device", run.cmd)  # the A53's entropy
        self.assertEqual(run.cmd[run.cmd.index("-append") + 1],
                         "netdev=null")
        with self.assertRaises(build.KeelError):
            build.qemu_run_setup(arm, Path("k.elf"), "microvm", None, [])

    def test_dns_client_line_names_the_zone_and_forward(self) -> None:
        sys.path.insert(0, str(ROOT / "tests"))
        import keeltest
        img = build.load_image(ROOT / "images/dns-aarch64.toml")
        self.assertEqual(keeltest.app_client(img, "127.0.0.1", {53: 10053}),
                         "dig @127.0.0.1 -p 10053 example.com. SOA  (+tcp "
                         "for TCP)")
        echo = build.load_image(ROOT / "images/echo-aarch64.toml")
        self.assertEqual(keeltest.app_client(echo, "127.0.0.1"), "")

    def test_guest_address(self) -> None:
        img = build.load_image(ROOT / "images/echo-x86.toml")
        a = build.guest_address(img, [])
        self.assertEqual(str(a.iface), "10.0.2.15/24")
        self.assertEqual(str(a.gateway), "10.0.2.2")
        a = build.guest_address(img, ["ip=192.168.7.9/20"])
        self.assertEqual(str(a.iface), "192.168.7.9/20")
        self.assertIsNone(a.gateway)
        self.assertIsNone(build.guest_address(img, ["ip=dhcp"]))

    def test_slirp_netdev(self) -> None:
        fwd = [build.Forward("tcp", 10007, 7), build.Forward("udp", 5, 53)]
        addr = build.GuestAddress(ipaddress.IPv4Interface("10.9.0.5/16"),
                                  ipaddress.IPv4Address("10.9.0.1"))
        self.assertEqual(build.slirp_netdev(fwd, addr), [
            "-netdev", "user,id=n0,net=10.9.0.0/16,host=10.9.0.1,"
            "hostfwd=tcp:127.0.0.1:10007-10.9.0.5:7,"
            "hostfwd=udp:127.0.0.1:5-10.9.0.5:53"])
        self.assertEqual(build.slirp_netdev(fwd[:1], None), [
            "-netdev", "user,id=n0,hostfwd=tcp:127.0.0.1:10007-"
            "10.0.2.15:7"])

    def test_passt_command(self) -> None:
        fwd = [build.Forward("tcp", 10007, 7), build.Forward("udp", 5, 53)]
        addr = build.GuestAddress(ipaddress.IPv4Interface("10.0.2.15/24"),
                                  ipaddress.IPv4Address("10.0.2.2"))
        self.assertEqual(build.passt_command(Path("/s/p.sock"), fwd, addr), [
            "passt", "-f", "-q", "-1", "-s", "/s/p.sock", "-a", "10.0.2.15",
            "-n", "24", "-g", "10.0.2.2", "-t", "127.0.0.1/10007:7", "-u",
            "127.0.0.1/5:53"])
        self.assertNotIn("-a", build.passt_command(Path("s"), fwd, None))
        self.assertEqual(build.passt_netdev(Path("/s/p.sock")), [
            "-netdev", "stream,id=n0,server=off,addr.type=unix,"
            "addr.path=/s/p.sock"])

    def test_x86_image_is_a_kernel(self) -> None:
        img = build.load_image(ROOT / "images/echo-x86.toml")
        self.assertFalse(img.target.hosted)
        self.assertEqual(img.target.output, "keel.elf")
        self.assertTrue((ROOT / img.target.linker_script).exists())
        self.assertIn("-mno-red-zone", img.target.cflags)


# A GNU ld map as arm-none-eabi-ld writes one, cut down: a discarded
# section (not counted), a name long enough to wrap, COMMON, fill, a
# symbol line, a libgcc member.
SAMPLE_MAP = """\
Discarded input sections

 .text.unused   0x00000000       0x40 /b/obj/net__dhcp.c.o

Memory Configuration

Linker script and memory map

.text           0x08000000     0x1000
 *(.rodata.keel_vectors)
 .rodata.keel_vectors
                0x08000000      0x1f8 /b/obj/boot__stm32__vectors.c.o
                0x08000000                stm32_vectors
 .text.arp_input
                0x080001f8       0x80 /b/obj/net__arp.c.o
 .text.arp_x    0x08000278       0x20 /b/obj/net__arp.c.o
 *fill*         0x08000298        0x8 
 .text          0x080002a0       0x30 /usr/lib/gcc/arm-none-eabi/12/thumb/libgcc.a(_udivmoddi4.o)
 .data.arp_seed
                0x20002000        0x4 /b/obj/net__arp.c.o
 .bss.arp_table
                0x20002004      0x100 /b/obj/net__arp.c.o
 COMMON         0x20002104        0x8 /b/obj/net__arp.c.o
 .bss.empty     0x2000210c        0x0 /b/obj/net__arp.c.o
"""

STM32_IMAGE = """
target = "stm32f767-nucleo"
app = "udp-echo"
[budget]
flash = {flash}
ram = {ram}
"""


class LinkMapTest(unittest.TestCase):
    def test_map_sizes_count_what_was_linked(self) -> None:
        sizes = build.map_module_sizes(SAMPLE_MAP)
        self.assertEqual(sorted(sizes), ["boot/stm32/vectors", "libgcc/_udivmoddi4",
                                         "net/arp"])
        arp = sizes["net/arp"]
        self.assertEqual((arp.text, arp.rodata, arp.data, arp.bss),
                         (0xa0, 0, 4, 0x108))
        self.assertEqual(sizes["boot/stm32/vectors"].rodata, 0x1f8)
        self.assertEqual(sizes["libgcc/_udivmoddi4"].text, 0x30)
        self.assertNotIn("net/dhcp", sizes)

    def budget(self, flash: int, ram: int) -> str:
        """check_budget() on SAMPLE_MAP for a stm32 image: its error."""
        with tempfile.TemporaryDirectory() as t:
            path = Path(t) / "img.toml"
            path.write_text(STM32_IMAGE.format(flash=flash, ram=ram))
            img = build.load_image(path)
            exe = Path(t) / "keel.elf"
            exe.with_suffix(".map").write_text(SAMPLE_MAP)
            try:
                build.check_budget(img, [], exe)
            except build.KeelError as e:
                return str(e)
            return ""

    def test_budget_from_the_map(self) -> None:
        flash = 0x1f8 + 0xa0 + 4 + 0x30   # text, rodata and data
        ram = 4 + 0x108
        self.assertEqual(self.budget(flash, ram), "")
        self.assertIn("budget.flash: image uses %d bytes of flash" % flash,
                      self.budget(flash - 1, ram))
        self.assertIn("budget.ram: image uses %d bytes of RAM" % ram,
                      self.budget(flash, ram - 1))

    def test_stm32_target(self) -> None:
        t = build.TARGETS["stm32f767-nucleo"]
        self.assertEqual(t.tools, "arm-none-eabi-")
        self.assertIn("-mcpu=cortex-m7", t.cflags)
        self.assertIn("-mfloat-abi=soft", t.cflags)
        self.assertNotIn("-fno-omit-frame-pointer", t.cflags)
        self.assertTrue(t.gc_sections and t.libgcc)
        self.assertEqual(t.objcopy, ("binary", "ihex"))

    def test_https_stm32_tap_twin_has_the_firmware_sizes(self) -> None:
        """images/https-stm32-tap.toml (tests/net/test_https_stm32.py)
        must size everything as images/https-stm32.toml does."""
        fw = build.load_image(build.IMAGES / "https-stm32.toml")
        tap = build.load_image(build.IMAGES / "https-stm32-tap.toml")
        own = ("CONFIG_NET_IPV4_ADDR", "CONFIG_NET_IPV4_GATEWAY")
        differ = {k for k in fw.values.keys() & tap.values.keys()
                  if k not in own and not k.startswith(("CONFIG_BUDGET_",
                                                        "CONFIG_STM32_"))
                  and fw.values[k] != tap.values[k]}
        self.assertEqual(differ, set())
        self.assertEqual(fw.values["CONFIG_APP_HTTPS_CONNECTIONS"], 2)

    def test_missing_toolchain_is_named(self) -> None:
        with tempfile.TemporaryDirectory() as t:
            path = Path(t) / "img.toml"
            path.write_text(STM32_IMAGE.format(flash=0, ram=0))
            img = build.load_image(path)
            old = build.os.environ.get("PATH", "")
            build.os.environ["PATH"] = t   # nothing to find there
            try:
                with self.assertRaises(build.KeelError) as cm:
                    build.check_toolchain(img)
            finally:
                build.os.environ["PATH"] = old
            self.assertIn("arm-none-eabi-gcc is not installed",
                          str(cm.exception))
            self.assertIn("gcc-arm-none-eabi", str(cm.exception))


if __name__ == "__main__":
    unittest.main(verbosity=2)
