"""Unit tests for zonec.py, the zone compiler of the dns-server image.
Run by `./build.py test unit` (or directly).

Three kinds of checks:
  - mistakes in zone files: each is reported as file:line and a reason;
  - every record type parsed from master-file text, its RDATA compared
    with an encoding written here from RFC 1035/2782/3596/8659 with
    struct, and with dnspython's (when /usr/bin/python3 has it) - two
    encoders that share nothing with zonec;
  - random names (any byte, escaped as \\DDD or \\X) and random RDATA,
    written as text, parsed back and compared byte for byte, and the
    node table's canonical order (RFC 4034 §6.1) checked against a sort
    written differently.
"""

from __future__ import annotations

import ipaddress
import random
import struct
import sys
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import zonec  # noqa: E402



def _import_dnspython() -> bool:
    """dnspython, also Debian's (python3-dnspython, pure Python) when the
    interpreter running the tests is another one."""
    for extra in ([], ["/usr/lib/python3/dist-packages"]):
        sys.path.extend(extra)
        try:
            import dns.name  # type: ignore  # noqa: F401
            import dns.rdata  # type: ignore  # noqa: F401
            import dns.rdataclass  # type: ignore  # noqa: F401
            import dns.rdatatype  # type: ignore  # noqa: F401
            return True
        except ImportError:
            for e in extra:
                sys.path.remove(e)
    return False


HAVE_DNSPYTHON = _import_dnspython()
if HAVE_DNSPYTHON:
    import dns.name  # type: ignore  # noqa: E402
    import dns.rdata  # type: ignore  # noqa: E402
    import dns.rdataclass  # type: ignore  # noqa: E402
    import dns.rdatatype  # type: ignore  # noqa: E402

HEAD = """$ORIGIN example.com.
$TTL 3600
@ IN SOA ns1 hostmaster 1 7200 900 1209600 300
  IN NS ns1
ns1 IN A 192.0.2.53
"""


def wire(dotted: str) -> bytes:
    """A plain host name in wire form (independent of zonec)."""
    out = b""
    for label in dotted.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def zone_of(text: str) -> zonec.Zone:
    return zonec.parse_zone(text, "t.zone")


def rdatas(zone: zonec.Zone, owner: str, rtype: str) -> list[bytes]:
    name = tuple(lb.encode() for lb in owner.rstrip(".").split("."))
    return [d.wire() for d in zone.nodes[name][zonec.TYPES[rtype]].rdatas]


class ErrorTest(unittest.TestCase):
    def assertZoneError(self, text: str, line: int, *needles: str) -> None:
        with self.assertRaises(zonec.ZoneError) as cm:
            zone_of(text)
        msg = str(cm.exception)
        self.assertTrue(msg.startswith(f"t.zone:{line}: "), msg)
        for n in needles:
            self.assertIn(n, msg)

    def test_unknown_type(self) -> None:
        self.assertZoneError(HEAD + "x IN HINFO a b\n", 6, "HINFO",
                             "not supported")

    def test_bad_address(self) -> None:
        self.assertZoneError(HEAD + "x IN A 300.1.1.1\n", 6, "IPv4")
        self.assertZoneError(HEAD + "x IN AAAA 1.2.3.4\n", 6, "IPv6")

    def test_field_count(self) -> None:
        self.assertZoneError(HEAD + "x IN MX mail\n", 6, "MX", "2 fields")
        self.assertZoneError(HEAD + "x IN SRV 1 2 host\n", 6, "SRV")

    def test_number_range(self) -> None:
        self.assertZoneError(HEAD + "x IN MX 65536 mail\n", 6, "65535")
        self.assertZoneError(HEAD + "x 2147483648 IN A 1.2.3.4\n", 6,
                             "RFC 2181")

    def test_long_label_and_name(self) -> None:
        self.assertZoneError(HEAD + "a" * 64 + " IN A 1.2.3.4\n", 6,
                             "label of 64")
        long = ".".join(["a" * 60] * 5)
        self.assertZoneError(HEAD + long + " IN A 1.2.3.4\n", 6, "255")

    def test_string_too_long(self) -> None:
        self.assertZoneError(HEAD + "x IN TXT \"" + "a" * 256 + "\"\n", 6,
                             "256 bytes")

    def test_unclosed(self) -> None:
        self.assertZoneError(HEAD + "x IN TXT \"abc\n", 6, "not closed")
        self.assertZoneError(HEAD + "x IN SOA a b (\n 1 2 3 4 5\n", 6,
                             "never closed")
        self.assertZoneError(HEAD + "x IN A 1.2.3.4 )\n", 6, "')'")

    def test_bad_escape(self) -> None:
        self.assertZoneError(HEAD + "x IN TXT \"\\300\"\n", 6, "over 255")
        self.assertZoneError(HEAD + "x IN TXT \"\\12\"\n", 6, "three")

    def test_no_soa_and_two_soas(self) -> None:
        self.assertZoneError("$ORIGIN a.\n$TTL 1\n@ NS b.\n", 1, "no SOA")
        self.assertZoneError(HEAD + "@ IN SOA a b 2 1 1 1 1\n", 6,
                             "second SOA", "line 3")

    def test_no_ns(self) -> None:
        self.assertZoneError("$ORIGIN a.\n$TTL 1\n@ SOA a b 1 1 1 1 1\n", 3,
                             "no NS")

    def test_out_of_zone(self) -> None:
        self.assertZoneError(HEAD + "www.example.net. IN A 1.2.3.4\n", 6,
                             "outside the zone")

    def test_cname_and_other_data(self) -> None:
        self.assertZoneError(HEAD + "x IN CNAME y\nx IN A 1.2.3.4\n", 7,
                             "CNAME and other data")
        self.assertZoneError(HEAD + "@ IN CNAME y\n", 6, "apex")
        self.assertZoneError(HEAD + "x IN CNAME y\nx IN CNAME z\n", 6,
                             "more than one CNAME")

    def test_data_below_delegation(self) -> None:
        self.assertZoneError(HEAD + "sub IN NS ns.sub\nns.sub IN A 1.2.3.4\n"
                             "www.sub IN TXT \"x\"\n", 8, "delegation")
        self.assertZoneError(HEAD + "sub IN NS ns.sub\nsub IN MX 1 m\n", 7,
                             "delegation")

    def test_ns_at_wildcard(self) -> None:
        self.assertZoneError(HEAD + "*.w IN NS ns1\n", 6, "wildcard")

    def test_rdata_too_long(self) -> None:
        strings = " ".join(['"' + "a" * 255 + '"'] * 260)
        self.assertZoneError(HEAD + f"x IN TXT {strings}\n", 6,
                             "at most 65535")

    def test_ttl_mismatch(self) -> None:
        self.assertZoneError(HEAD + "x 60 IN A 1.2.3.4\nx 61 IN A 1.2.3.5\n",
                             7, "RFC 2181 §5.2")

    def test_no_ttl(self) -> None:
        self.assertZoneError("$ORIGIN a.\nx IN A 1.2.3.4\n", 2, "no TTL")

    def test_relative_without_origin(self) -> None:
        self.assertZoneError("$TTL 1\nx IN A 1.2.3.4\n", 2, "$ORIGIN")
        self.assertZoneError("$ORIGIN a\n", 1, "absolute")

    def test_directives(self) -> None:
        self.assertZoneError(HEAD + "$INCLUDE other\n", 6, "not supported")
        self.assertZoneError(HEAD + "$FOO 1\n", 6, "unknown directive")

    def test_class(self) -> None:
        self.assertZoneError(HEAD + "x CH A 1.2.3.4\n", 6, "only IN")

    def test_caa_tag(self) -> None:
        self.assertZoneError(HEAD + "x IN CAA 0 \"is-sue\" \"a\"\n", 6,
                             "CAA tag")

    def test_no_owner(self) -> None:
        self.assertZoneError("$TTL 1\n  IN A 1.2.3.4\n", 2, "owner")

    def test_build_reports_file_and_line(self) -> None:
        """build.py turns a ZoneError into a KeelError with file:line."""
        import build
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "bad.zone"
            p.write_text(HEAD + "x IN A 1.2.3\n")
            with self.assertRaises(build.KeelError) as cm:
                build.compile_zones([p], "t")
            self.assertIn("bad.zone:6: A: expected an IPv4 address",
                          str(cm.exception))

    def test_overlapping_zones(self) -> None:
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            a = Path(d) / "a.zone"
            b = Path(d) / "b.zone"
            a.write_text(HEAD)
            b.write_text(HEAD.replace("example.com.", "sub.example.com."))
            with self.assertRaises(zonec.ZoneError) as cm:
                zonec.load_zones([a, b], Path(d))
            self.assertIn("overlaps", str(cm.exception))


# Independent encoders (RFC 1035 §3.3, RFC 3596, RFC 2782, RFC 8659).
def enc_txt(*strings: bytes) -> bytes:
    return b"".join(bytes([len(s)]) + s for s in strings)


class TypesTest(unittest.TestCase):
    """Every type: text in, RDATA out, against the encoders above."""

    CASES = [
        ("A", "192.0.2.7", ipaddress.IPv4Address("192.0.2.7").packed),
        ("AAAA", "2001:db8::7",
         ipaddress.IPv6Address("2001:db8::7").packed),
        ("NS", "ns2", wire("ns2.example.com")),
        ("CNAME", "Target.Example.NET.", wire("target.example.net")),
        ("PTR", "host", wire("host.example.com")),
        ("MX", "10 mail", struct.pack(">H", 10) + wire("mail.example.com")),
        ("TXT", '"a b" plain "q\\"x" "\\065\\\\"',
         enc_txt(b"a b", b"plain", b'q"x', b"A\\")),
        ("TXT", '""', enc_txt(b"")),
        ("SRV", "1 2 5060 sip.example.com.",
         struct.pack(">HHH", 1, 2, 5060) + wire("sip.example.com")),
        ("CAA", '0 issue "ca.example.net"',
         bytes([0, 5]) + b"issue" + b"ca.example.net"),
        ("CAA", '128 iodef "mailto:x@example.com"',
         bytes([128, 5]) + b"iodef" + b"mailto:x@example.com"),
        ("SOA", "a.example.com. b 1 2h 15m 2w 5m",
         wire("a.example.com") + wire("b.example.com") +
         struct.pack(">5I", 1, 7200, 900, 1209600, 300)),
    ]

    def test_every_type(self) -> None:
        for rtype, text, want in self.CASES:
            with self.subTest(rtype=rtype, text=text):
                if rtype == "SOA":
                    z = zonec.parse_zone(
                        "$ORIGIN example.com.\n$TTL 1\n"
                        f"@ IN SOA {text}\n@ IN NS ns1\n", "t.zone")
                    got = rdatas(z, "example.com", "SOA")
                else:
                    z = zone_of(HEAD + f"x IN {rtype} {text}\n")
                    got = rdatas(z, "x.example.com", rtype)
                self.assertEqual(got, [want])

    @unittest.skipUnless(HAVE_DNSPYTHON, "dnspython is not installed")
    def test_every_type_against_dnspython(self) -> None:
        origin = dns.name.from_text("example.com.")
        for rtype, text, _ in self.CASES:
            with self.subTest(rtype=rtype, text=text):
                rd = dns.rdata.from_text(dns.rdataclass.IN,
                                         dns.rdatatype.from_text(rtype),
                                         text, origin=origin)
                want = rd.to_digestable(origin)  # names lower-cased
                if rtype == "SOA":
                    z = zonec.parse_zone(
                        "$ORIGIN example.com.\n$TTL 1\n"
                        f"@ IN SOA {text}\n@ IN NS ns1\n", "t.zone")
                    got = rdatas(z, "example.com", "SOA")
                else:
                    got = rdatas(zone_of(HEAD + f"x IN {rtype} {text}\n"),
                                 "x.example.com", rtype)
                self.assertEqual(got, [want])

    @unittest.skipUnless(HAVE_DNSPYTHON, "dnspython is not installed")
    def test_round_trip_through_dnspython(self) -> None:
        """Our RDATA -> dnspython's text for it -> zonec again: the same
        bytes, for every type."""
        import dns.wire  # type: ignore
        origin = dns.name.from_text("example.com.")
        for rtype, text, _ in self.CASES:
            with self.subTest(rtype=rtype):
                if rtype == "SOA":
                    src = ("$ORIGIN example.com.\n$TTL 1\n"
                           f"@ IN SOA {text}\n@ IN NS ns1\n")
                    owner = "example.com"
                else:
                    src = HEAD + f"x IN {rtype} {text}\n"
                    owner = "x.example.com"
                ours = rdatas(zonec.parse_zone(src, "t.zone"), owner, rtype)
                rd = dns.rdata.from_wire_parser(
                    dns.rdataclass.IN, dns.rdatatype.from_text(rtype),
                    dns.wire.Parser(ours[0]), None)
                again = rd.to_text(origin=None, relativize=False)
                src2 = src.replace(f"{rtype} {text}", f"{rtype} {again}")
                self.assertEqual(rdatas(zonec.parse_zone(src2, "t.zone"),
                                        owner, rtype), ours, again)

    def test_syntax_forms(self) -> None:
        z = zone_of(HEAD + """
a 60 IN A 192.0.2.1   ; ttl then class
b IN 61 A 192.0.2.2   ; class then ttl
c A 192.0.2.3         ; neither: $TTL
  AAAA 2001:db8::3    ; blank owner: c again
d 1h30m TXT ( "one"
              "two" ) ; parentheses over lines
@ MX 5 @
e\\.f IN A 192.0.2.4  ; an escaped dot inside a label
""")
        n = z.nodes
        self.assertEqual(n[(b"a", b"example", b"com")][1].ttl, 60)
        self.assertEqual(n[(b"b", b"example", b"com")][1].ttl, 61)
        self.assertEqual(n[(b"c", b"example", b"com")][1].ttl, 3600)
        self.assertIn(28, n[(b"c", b"example", b"com")])
        d = n[(b"d", b"example", b"com")][16]
        self.assertEqual((d.ttl, d.rdatas[0].wire()),
                         (5400, enc_txt(b"one", b"two")))
        self.assertEqual(rdatas(z, "example.com", "MX"),
                         [struct.pack(">H", 5) + wire("example.com")])
        self.assertIn((b"e.f", b"example", b"com"), n)

    def test_lexer_corners(self) -> None:
        z = zone_of(HEAD + """
q1 TXT "semi;colon" "(paren" ; a comment with "quotes" and ( parens
q2 TXT semi\\;colon\\ space  ; escapes in an unquoted word
q3 TXT ( "line one" ; a comment inside parentheses
         "line two" )
$ORIGIN sub.example.com.
@ A 192.0.2.9         ; @ is the new origin
q4 A 192.0.2.10       ; relative to it
$ORIGIN deeper        ; relative $ORIGIN: deeper.sub.example.com.
q5 A 192.0.2.11
""")
        self.assertEqual(rdatas(z, "q1.example.com", "TXT"),
                         [enc_txt(b"semi;colon", b"(paren")])
        self.assertEqual(rdatas(z, "q2.example.com", "TXT"),
                         [enc_txt(b"semi;colon space")])
        self.assertEqual(rdatas(z, "q3.example.com", "TXT"),
                         [enc_txt(b"line one", b"line two")])
        self.assertIn((b"sub", b"example", b"com"), z.nodes)
        self.assertIn((b"q4", b"sub", b"example", b"com"), z.nodes)
        self.assertIn((b"q5", b"deeper", b"sub", b"example", b"com"),
                      z.nodes)

    def test_duplicates_merge(self) -> None:
        z = zone_of(HEAD + "x IN A 192.0.2.1\nX IN A 192.0.2.1\n")
        self.assertEqual(len(rdatas(z, "x.example.com", "A")), 1)


def text_label(label: bytes, rng: random.Random) -> str:
    """A label as master-file text, each byte plain, \\X or \\DDD."""
    out = ""
    for c in label:
        ch = chr(c)
        plain = c < 128 and (ch.isalnum() or ch in "-_*")
        if plain and rng.random() < 0.8:
            out += ch
        elif 33 <= c <= 126 and ch not in "0123456789" and \
                rng.random() < 0.5:
            out += "\\" + ch
        else:
            out += f"\\{c:03d}"
    return out


class PropertyTest(unittest.TestCase):
    """Random input, two encodings compared."""

    def test_random_names(self) -> None:
        rng = random.Random(7)
        for _ in range(300):
            labels = []
            for _ in range(rng.randint(1, 4)):
                n = rng.randint(1, 20)
                labels.append(bytes(rng.randrange(256) for _ in range(n)))
            text = ".".join(text_label(lb, rng) for lb in labels)
            z = zone_of(HEAD + f"x IN CNAME {text}.\n")
            want = b"".join(bytes([len(lb)]) + lb.lower()
                            for lb in labels) + b"\0"
            self.assertEqual(rdatas(z, "x.example.com", "CNAME"), [want],
                             text)
            if HAVE_DNSPYTHON:
                theirs = dns.name.from_text(text + ".").canonicalize()
                self.assertEqual(theirs.to_wire(), want, text)

    def test_random_txt(self) -> None:
        rng = random.Random(8)
        for _ in range(300):
            strings = [bytes(rng.randrange(256) for _ in range(
                rng.randint(0, 40))) for _ in range(rng.randint(1, 4))]
            text = " ".join('"' + "".join(
                f"\\{c:03d}" if c < 32 or c > 126 or c in b'"\\'
                else chr(c) for c in s) + '"' for s in strings)
            z = zone_of(HEAD + f"x IN TXT {text}\n")
            self.assertEqual(rdatas(z, "x.example.com", "TXT"),
                             [enc_txt(*strings)], text)

    def test_random_numbers(self) -> None:
        rng = random.Random(9)
        for _ in range(200):
            p, w, port = (rng.randrange(65536) for _ in range(3))
            pref = rng.randrange(65536)
            a = ipaddress.IPv4Address(rng.getrandbits(32))
            v6 = ipaddress.IPv6Address(rng.getrandbits(128))
            z = zone_of(HEAD + f"s IN SRV {p} {w} {port} t.\n"
                        f"m IN MX {pref} t.\na IN A {a}\n"
                        f"a IN AAAA {v6.compressed}\n")
            self.assertEqual(rdatas(z, "s.example.com", "SRV"),
                             [struct.pack(">HHH", p, w, port) + b"\1t\0"])
            self.assertEqual(rdatas(z, "m.example.com", "MX"),
                             [struct.pack(">H", pref) + b"\1t\0"])
            self.assertEqual(rdatas(z, "a.example.com", "A"), [a.packed])
            self.assertEqual(rdatas(z, "a.example.com", "AAAA"), [v6.packed])

    def test_canonical_order(self) -> None:
        """The node table is sorted as RFC 4034 §6.1 says; checked with a
        comparison of reversed wire names, label by label."""
        rng = random.Random(10)
        alphabet = "abcXYZ019-_"
        lines = []
        for i in range(200):
            owner = ".".join("".join(rng.choice(alphabet) for _ in range(
                rng.randint(1, 4))) for _ in range(rng.randint(1, 3)))
            lines.append(f"{owner} IN A 192.0.2.{i % 250}\n")
        z = zone_of(HEAD + "".join(lines))
        t = zonec.build_tables([z])
        names = [t.names[n[0]] for n in t.nodes]

        def rev(name: tuple[bytes, ...]) -> list[bytes]:
            return [lb.lower() for lb in name][::-1]
        for a, b in zip(names, names[1:]):
            ra, rb = rev(a), rev(b)
            self.assertNotEqual(ra, rb)
            for x, y in zip(ra, rb):
                if x != y:
                    self.assertLess(x, y)
                    break
            else:
                self.assertLess(len(ra), len(rb))
        # Every ancestor of an owner, down to the apex, is a node (ENTs).
        nodeset = set(names)
        for n in names:
            for k in range(1, len(n) - 2):
                self.assertIn(n[k:], nodeset)

    def test_render_is_deterministic(self) -> None:
        z = zone_of(HEAD + "www IN A 192.0.2.80\n")
        self.assertEqual(zonec.render_c([z]), zonec.render_c([z]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
