"""zonec - compile RFC 1035 master files into the dns-server's C tables.

build.py imports this module for images whose app is dns-server. Standard
library only, no work at import.

Master-file syntax (RFC 1035 §5.1): $ORIGIN and $TTL (RFC 2308 §4)
directives, "@" for the origin, relative names, parentheses that let a
record span lines, ";" comments, quoted strings with \\X and \\DDD escapes
(also in unquoted words), an omitted owner (the line starts with a blank:
the previous owner), an omitted TTL (the $TTL, else the last one given) and
class (IN, the only class served). Types: A, AAAA, NS, SOA, CNAME, MX, TXT,
SRV, PTR, CAA; TTLs as seconds or with the units s m h d w ("1h30m").
$INCLUDE and $GENERATE are not supported and say so.

A zone file is checked as a whole: one SOA, at the apex (its owner is the
zone's name), NS records at the apex, every owner at or below the apex, no
CNAME beside other data (RFC 1034 §3.6.2; RFC 2181 §10.1), no data below a
delegation but glue addresses, one TTL per RRset (RFC 2181 §5.2),
duplicate records merged (RFC 2181 §5). Every mistake is a ZoneError whose
text is "file:line: reason".

The output (render_c) is one C file of constant tables; apps/dns_server/
dns_zone.h describes their layout. Names are stored once each, in wire form
and lower case; the nodes (owner names plus the empty non-terminals between
them and the apex) are sorted in canonical order (RFC 4034 §6.1) so the
server finds a name by binary search; RDATA is stored encoded, except that
the domain names inside it are references into the name table, so the
server can compress them as it writes an answer.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from pathlib import Path

CLASS_IN = 1
TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15,
         "TXT": 16, "AAAA": 28, "SRV": 33, "CAA": 257}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
# Types whose RDATA names may be compressed on output (RFC 3597 §4: only
# the types of RFC 1035); SRV's target must not be (RFC 2782).
COMPRESSIBLE = {TYPES["NS"], TYPES["CNAME"], TYPES["SOA"], TYPES["PTR"],
                TYPES["MX"]}
TTL_MAX = 0x7FFFFFFF  # RFC 2181 §8
NAME_MAX = 255
LABEL_MAX = 63
NO_NAME = 0xFFFF
NO_AT = 0xFF

# Node flags; dns_zone.h repeats them.
NODE_APEX = 0x01
NODE_DELEG = 0x02      # NS below the apex: a zone cut
NODE_GLUE = 0x04       # below a zone cut: only for additional data
NODE_WILDCARD = 0x08   # first label is "*"


class ZoneError(Exception):
    """A mistake in a zone file: str() is 'file:line: reason'."""


# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------

Name = tuple[bytes, ...]  # labels, root excluded, as written (case kept)


def name_wire(name: Name) -> bytes:
    return b"".join(bytes([len(lb)]) + lb for lb in name) + b"\0"


def name_lower(name: Name) -> Name:
    return tuple(lb.lower() for lb in name)  # bytes.lower(): ASCII only


def name_text(name: Name) -> str:
    if not name:
        return "."
    out = []
    for lb in name:
        s = ""
        for c in lb:
            ch = chr(c)
            if ch in ".\\\"()"";@$ " or c < 33 or c > 126:
                s += f"\\{c:03d}" if c < 33 or c > 126 else "\\" + ch
            else:
                s += ch
        out.append(s)
    return ".".join(out) + "."


def canonical_key(name: Name) -> tuple[bytes, ...]:
    """RFC 4034 §6.1: labels compared from the right, lower case."""
    return tuple(reversed(name_lower(name)))


def is_subdomain(name: Name, parent: Name) -> bool:
    n = len(parent)
    return len(name) >= n and name_lower(name[len(name) - n:]) == \
        name_lower(parent)


# --------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Token:
    text: str     # raw, escapes not yet applied
    quoted: bool
    line: int


@dataclasses.dataclass
class Entry:
    """One logical record line: its tokens and whether the owner is blank."""
    line: int
    blank_owner: bool
    tokens: list[Token]


class Lexer:
    """Splits a master file into entries (RFC 1035 §5.1)."""

    def __init__(self, text: str, fname: str) -> None:
        self.text = text
        self.fname = fname
        self.pos = 0
        self.line = 1

    def err(self, line: int, why: str) -> ZoneError:
        return ZoneError(f"{self.fname}:{line}: {why}")

    def entries(self) -> list[Entry]:
        out: list[Entry] = []
        while self.pos < len(self.text):
            e = self._entry()
            if e.tokens:
                out.append(e)
        return out

    def _entry(self) -> Entry:
        start_line = self.line
        blank = self.pos < len(self.text) and self.text[self.pos] in " \t"
        tokens: list[Token] = []
        depth_line = 0  # line of the open parenthesis, 0: none open
        t = self.text
        while self.pos < len(t):
            c = t[self.pos]
            if c == "\n":
                self.pos += 1
                self.line += 1
                if not depth_line:
                    break
            elif c in " \t\r":
                self.pos += 1
            elif c == ";":
                while self.pos < len(t) and t[self.pos] != "\n":
                    self.pos += 1
            elif c == "(":
                if depth_line:
                    raise self.err(self.line, "nested '('")
                depth_line = self.line
                self.pos += 1
            elif c == ")":
                if not depth_line:
                    raise self.err(self.line, "')' without '('")
                depth_line = 0
                self.pos += 1
            elif c == '"':
                tokens.append(self._quoted())
            else:
                tokens.append(self._word())
        if depth_line:
            raise self.err(depth_line, "'(' is never closed")
        return Entry(start_line, blank, tokens)

    def _quoted(self) -> Token:
        t, line = self.text, self.line
        self.pos += 1
        start = self.pos
        while True:
            if self.pos >= len(t) or t[self.pos] == "\n":
                raise self.err(line, "quoted string is not closed on its "
                               "line")
            c = t[self.pos]
            if c == "\\":
                self.pos += 2
                continue
            if c == '"':
                break
            self.pos += 1
        tok = Token(t[start:self.pos], True, line)
        self.pos += 1
        return tok

    def _word(self) -> Token:
        t, start = self.text, self.pos
        while self.pos < len(t) and t[self.pos] not in ' \t\r\n;()"':
            if t[self.pos] == "\\":
                self.pos += 1
                if self.pos >= len(t) or t[self.pos] == "\n":
                    raise self.err(self.line, "'\\' at the end of a line")
            self.pos += 1
        return Token(t[start:self.pos], False, self.line)


def unescape(text: str) -> list[tuple[int, bool]]:
    """Characters of a token as (byte, escaped) pairs: \\DDD is a decimal
    byte value, \\X the character X itself (RFC 1035 §5.1)."""
    out: list[tuple[int, bool]] = []
    raw = text.encode("utf-8")
    i = 0
    while i < len(raw):
        c = raw[i]
        if c != 0x5C:
            out.append((c, False))
            i += 1
            continue
        if i + 1 >= len(raw):
            raise ValueError("'\\' at the end of a word")
        d = raw[i + 1:i + 4]
        if d[:1].isdigit():
            if len(d) != 3 or not d.isdigit():
                raise ValueError("\\DDD needs three decimal digits")
            v = int(d)
            if v > 255:
                raise ValueError(f"\\{d.decode()} is over 255")
            out.append((v, True))
            i += 4
        else:
            out.append((raw[i + 1], True))
            i += 2
    return out


# --------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Rdata:
    """Encoded RDATA with up to two names held apart: the wire form is
    fixed[:at[0]] + name0 + fixed[at[0]:at[1]] + name1 + fixed[at[1]:]."""
    fixed: bytes
    names: tuple[Name, ...] = ()
    at: tuple[int, ...] = ()

    def wire(self) -> bytes:
        """The uncompressed wire form, names in lower case."""
        out, prev = b"", 0
        for name, at in zip(self.names, self.at):
            out += self.fixed[prev:at] + name_wire(name_lower(name))
            prev = at
        return out + self.fixed[prev:]

    def key(self) -> bytes:
        return self.wire()


@dataclasses.dataclass
class Record:
    owner: Name
    rtype: int
    ttl: int
    rdata: Rdata
    line: int


def parse_ttl(text: str) -> int:
    """Seconds, or BIND-style units: 3600, 1h, 1h30m, 2w."""
    if text.isdigit():
        v = int(text)
    else:
        m = re.fullmatch(r"(?:\d+[smhdwSMHDW])+", text)
        if not m:
            raise ValueError(f"expected a TTL, got {text!r}")
        mult = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
        v = sum(int(n) * mult[u.lower()]
                for n, u in re.findall(r"(\d+)([a-zA-Z])", text))
    if v > TTL_MAX:
        raise ValueError(f"TTL {v} is over {TTL_MAX} (RFC 2181 §8)")
    return v


def is_ttl(text: str) -> bool:
    return bool(re.fullmatch(r"\d+|(?:\d+[smhdwSMHDW])+", text))


class ZoneParser:
    """Turns a master file's entries into records for one zone."""

    def __init__(self, text: str, fname: str,
                 origin: Name | None = None) -> None:
        self.fname = fname
        self.lexer = Lexer(text, fname)
        self.origin = origin
        self.default_ttl: int | None = None
        self.last_ttl: int | None = None
        self.last_owner: Name | None = None
        self.records: list[Record] = []

    def err(self, line: int, why: str) -> ZoneError:
        return ZoneError(f"{self.fname}:{line}: {why}")

    def parse(self) -> list[Record]:
        for e in self.lexer.entries():
            try:
                self._entry(e)
            except ValueError as x:
                raise self.err(e.line, str(x)) from None
        return self.records

    # -- names --

    def name(self, tok: Token) -> Name:
        if tok.quoted:
            raise ValueError(f"a name cannot be quoted: \"{tok.text}\"")
        if tok.text == "@":
            if self.origin is None:
                raise ValueError("'@' before any $ORIGIN")
            return self.origin
        chars = unescape(tok.text)
        absolute = bool(chars) and chars[-1] == (0x2E, False)
        if chars == [(0x2E, False)]:
            return ()
        labels: list[bytes] = []
        cur = bytearray()
        for i, (c, esc) in enumerate(chars):
            if c == 0x2E and not esc:
                if not cur:
                    raise ValueError(f"empty label in {tok.text!r}")
                labels.append(bytes(cur))
                cur = bytearray()
            else:
                cur.append(c)
        if cur:
            labels.append(bytes(cur))
        elif not absolute:
            raise ValueError(f"empty name {tok.text!r}")
        for lb in labels:
            if len(lb) > LABEL_MAX:
                raise ValueError(f"label of {len(lb)} bytes in "
                                 f"{tok.text!r} (at most {LABEL_MAX})")
        name = tuple(labels)
        if not absolute:
            if self.origin is None:
                raise ValueError(f"relative name {tok.text!r} before any "
                                 f"$ORIGIN")
            name = name + self.origin
        if len(name_wire(name)) > NAME_MAX:
            raise ValueError(f"name {tok.text!r} is longer than "
                             f"{NAME_MAX} bytes")
        return name

    # -- entries --

    def _entry(self, e: Entry) -> None:
        toks = e.tokens
        first = toks[0]
        if not e.blank_owner and not first.quoted and \
           first.text.startswith("$"):
            self._directive(e)
            return
        if e.blank_owner:
            if self.last_owner is None:
                raise ValueError("record without an owner and no "
                                 "previous owner")
            owner = self.last_owner
            rest = toks
        else:
            owner = self.name(first)
            rest = toks[1:]
        ttl, rtype_tok, rdata = self._ttl_class_type(rest)
        rtype_name = rtype_tok.text.upper()
        if rtype_name not in TYPES:
            raise ValueError(f"record type {rtype_tok.text!r} is not "
                             f"supported (supported: "
                             f"{', '.join(sorted(TYPES))})")
        rtype = TYPES[rtype_name]
        data = encode_rdata(self, rtype, rdata)
        if len(data.wire()) > 0xFFFF:
            raise ValueError(f"RDATA of {len(data.wire())} bytes (at most "
                             f"65535)")
        if ttl is None:
            ttl = self.default_ttl if self.default_ttl is not None else \
                self.last_ttl
        if ttl is None:
            if rtype == TYPES["SOA"]:
                ttl = int.from_bytes(data.fixed[-4:], "big")
            else:
                raise ValueError("no TTL: give one or set $TTL")
        self.last_ttl = ttl
        self.last_owner = owner
        self.records.append(Record(owner, rtype, ttl, data, e.line))

    def _ttl_class_type(self, toks: list[Token]
                        ) -> tuple[int | None, Token, list[Token]]:
        """[ttl] [class] type, or [class] [ttl] type (RFC 1035 §5.1)."""
        ttl: int | None = None
        seen_class = False
        i = 0
        while i < len(toks) and i < 2:
            t = toks[i]
            if t.quoted:
                break
            if ttl is None and is_ttl(t.text):
                ttl = parse_ttl(t.text)
            elif not seen_class and t.text.upper() in ("IN", "CH", "HS",
                                                       "CS"):
                if t.text.upper() != "IN":
                    raise ValueError(f"class {t.text} is not served "
                                     f"(only IN)")
                seen_class = True
            else:
                break
            i += 1
        if i >= len(toks):
            raise ValueError("record without a type")
        return ttl, toks[i], toks[i + 1:]

    def _directive(self, e: Entry) -> None:
        d = e.tokens[0].text.upper()
        args = e.tokens[1:]
        if d == "$ORIGIN":
            if len(args) != 1:
                raise ValueError("$ORIGIN takes one name")
            if not args[0].text.endswith(".") or args[0].text.endswith(
                    "\\."):
                if self.origin is None:
                    raise ValueError("the first $ORIGIN must be an "
                                     "absolute name (end with '.')")
            self.origin = self.name(args[0])
        elif d == "$TTL":
            if len(args) != 1:
                raise ValueError("$TTL takes one TTL")
            self.default_ttl = parse_ttl(args[0].text)
        elif d in ("$INCLUDE", "$GENERATE"):
            raise ValueError(f"{d} is not supported")
        else:
            raise ValueError(f"unknown directive {e.tokens[0].text}")


# --------------------------------------------------------------------------
# RDATA
# --------------------------------------------------------------------------

def _count(toks: list[Token], n: int, what: str) -> None:
    if len(toks) != n:
        raise ValueError(f"{what} takes {n} field{'s' if n > 1 else ''}, "
                         f"got {len(toks)}")


def _u(tok: Token, bits: int, what: str) -> int:
    if tok.quoted or not tok.text.isdigit():
        raise ValueError(f"{what}: expected a number, got {tok.text!r}")
    v = int(tok.text)
    if v >= 1 << bits:
        raise ValueError(f"{what}: {v} is over {(1 << bits) - 1}")
    return v


def _string(tok: Token) -> bytes:
    """A <character-string> (RFC 1035 §3.3): at most 255 bytes."""
    b = bytes(c for c, _ in unescape(tok.text))
    if len(b) > 255:
        raise ValueError(f"a string of {len(b)} bytes (at most 255)")
    return b


def encode_rdata(p: ZoneParser, rtype: int, toks: list[Token]) -> Rdata:
    t = TYPE_NAMES[rtype]
    if t == "A":
        _count(toks, 1, "A")
        try:
            return Rdata(ipaddress.IPv4Address(toks[0].text).packed)
        except ValueError:
            raise ValueError(f"A: expected an IPv4 address, got "
                             f"{toks[0].text!r}") from None
    if t == "AAAA":
        _count(toks, 1, "AAAA")
        try:
            return Rdata(ipaddress.IPv6Address(toks[0].text).packed)
        except ValueError:
            raise ValueError(f"AAAA: expected an IPv6 address, got "
                             f"{toks[0].text!r}") from None
    if t in ("NS", "CNAME", "PTR"):
        _count(toks, 1, t)
        return Rdata(b"", (p.name(toks[0]),), (0,))
    if t == "MX":
        _count(toks, 2, "MX")
        pref = _u(toks[0], 16, "MX preference")
        return Rdata(pref.to_bytes(2, "big"), (p.name(toks[1]),), (2,))
    if t == "SRV":
        _count(toks, 4, "SRV")
        fixed = b"".join(_u(tk, 16, f"SRV {w}").to_bytes(2, "big")
                         for tk, w in zip(toks[:3], ("priority", "weight",
                                                     "port")))
        return Rdata(fixed, (p.name(toks[3]),), (6,))
    if t == "SOA":
        _count(toks, 7, "SOA")
        mname, rname = p.name(toks[0]), p.name(toks[1])
        nums = [_u(toks[2], 32, "SOA serial")]
        for tk, w in zip(toks[3:], ("refresh", "retry", "expire",
                                    "minimum")):
            try:
                nums.append(parse_ttl(tk.text))
            except ValueError:
                raise ValueError(f"SOA {w}: expected a time, got "
                                 f"{tk.text!r}") from None
        fixed = b"".join(n.to_bytes(4, "big") for n in nums)
        return Rdata(fixed, (mname, rname), (0, 0))
    if t == "TXT":
        if not toks:
            raise ValueError("TXT needs at least one string")
        return Rdata(b"".join(bytes([len(s)]) + s
                              for s in map(_string, toks)))
    if t == "CAA":
        _count(toks, 3, "CAA")
        flags = _u(toks[0], 8, "CAA flags")
        tag = _string(toks[1])
        if not tag or not re.fullmatch(rb"[A-Za-z0-9]+", tag):
            raise ValueError(f"CAA tag: expected letters and digits, got "
                             f"{toks[1].text!r} (RFC 8659 §4.1)")
        value = bytes(c for c, _ in unescape(toks[2].text))
        return Rdata(bytes([flags, len(tag)]) + tag + value)
    raise AssertionError(t)


# --------------------------------------------------------------------------
# Zones
# --------------------------------------------------------------------------

@dataclasses.dataclass
class RRset:
    rtype: int
    ttl: int
    rdatas: list[Rdata]
    line: int


@dataclasses.dataclass
class Zone:
    fname: str
    apex: Name
    nodes: dict[Name, dict[int, RRset]]   # lower-cased owner -> type -> set


def parse_zone(text: str, fname: str) -> Zone:
    """Parse and check one zone file (see the top of this module)."""
    records = ZoneParser(text, fname).parse()
    soas = [r for r in records if r.rtype == TYPES["SOA"]]
    if not soas:
        raise ZoneError(f"{fname}:1: no SOA record (the zone's apex is the "
                        f"owner of its SOA)")
    if len(soas) > 1:
        raise ZoneError(f"{fname}:{soas[1].line}: a second SOA record "
                        f"(first on line {soas[0].line})")
    apex = name_lower(soas[0].owner)
    nodes: dict[Name, dict[int, RRset]] = {}
    for r in records:
        owner = name_lower(r.owner)
        if not is_subdomain(owner, apex):
            raise ZoneError(f"{fname}:{r.line}: {name_text(r.owner)} is "
                            f"outside the zone {name_text(apex)}")
        sets = nodes.setdefault(owner, {})
        rs = sets.get(r.rtype)
        if rs is None:
            sets[r.rtype] = RRset(r.rtype, r.ttl, [r.rdata], r.line)
            continue
        if rs.ttl != r.ttl:
            raise ZoneError(f"{fname}:{r.line}: TTL {r.ttl} differs from "
                            f"{rs.ttl} of the same RRset on line {rs.line} "
                            f"(RFC 2181 §5.2)")
        if all(d.key() != r.rdata.key() for d in rs.rdatas):
            rs.rdatas.append(r.rdata)
    zone = Zone(fname, apex, nodes)
    _check_zone(zone, records)
    return zone


def _first_line(zone: Zone, owner: Name) -> int:
    return min(rs.line for rs in zone.nodes[owner].values())


def _check_zone(zone: Zone, records: list[Record]) -> None:
    f, apex = zone.fname, zone.apex
    ns, cname = TYPES["NS"], TYPES["CNAME"]
    if ns not in zone.nodes[apex]:
        raise ZoneError(f"{f}:{zone.nodes[apex][TYPES['SOA']].line}: no NS "
                        f"record at the apex {name_text(apex)}")
    cuts = [o for o, s in zone.nodes.items() if ns in s and o != apex]
    for owner, sets in zone.nodes.items():
        if owner and owner[0] == b"*" and ns in sets:
            raise ZoneError(f"{f}:{sets[ns].line}: NS at the wildcard "
                            f"{name_text(owner)} (RFC 4592 §4.2)")
        if cname in sets:
            if owner == apex:
                raise ZoneError(f"{f}:{sets[cname].line}: CNAME at the "
                                f"zone's apex")
            if len(sets) > 1:
                other = min((s for t, s in sets.items() if t != cname),
                            key=lambda s: s.line)
                raise ZoneError(f"{f}:{max(other.line, sets[cname].line)}:"
                                f" CNAME and other data at "
                                f"{name_text(owner)} (RFC 1034 §3.6.2)")
            if len(sets[cname].rdatas) > 1:
                raise ZoneError(f"{f}:{sets[cname].line}: more than one "
                                f"CNAME at {name_text(owner)}")
        for cut in cuts:
            below = owner != cut and is_subdomain(owner, cut)
            if owner == cut:
                bad = [s for t, s in sets.items() if t not in (ns,)]
                bad = [s for s in bad if s.rtype not in (TYPES["A"],
                                                          TYPES["AAAA"])]
            elif below:
                bad = [s for t, s in sets.items()
                       if t not in (TYPES["A"], TYPES["AAAA"])]
            else:
                continue
            if bad:
                raise ZoneError(f"{f}:{bad[0].line}: "
                                f"{TYPE_NAMES[bad[0].rtype]} at "
                                f"{name_text(owner)}, at or below the "
                                f"delegation {name_text(cut)} (only glue "
                                f"addresses may be there)")


def load_zones(paths: list[Path], root: Path) -> list[Zone]:
    """Parse every zone file; apexes must not overlap."""
    zones = []
    for p in paths:
        fname = _rel(p, root)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ZoneError(f"{fname}:0: no such zone file") from None
        except UnicodeDecodeError as e:
            raise ZoneError(f"{fname}:0: not UTF-8: {e}") from None
        zones.append(parse_zone(text, fname))
    for i, a in enumerate(zones):
        for b in zones[:i]:
            if is_subdomain(a.apex, b.apex) or is_subdomain(b.apex, a.apex):
                raise ZoneError(f"{a.fname}:1: zone {name_text(a.apex)} "
                                f"overlaps zone {name_text(b.apex)} of "
                                f"{b.fname} (serve one of them)")
    return zones


def _rel(p: Path, root: Path) -> str:
    try:
        return str(p.resolve().relative_to(root))
    except ValueError:
        return str(p)


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------

@dataclasses.dataclass
class Tables:
    """The flattened tables that render_c() prints (dns_zone.h)."""
    names: list[Name]                       # lower case
    nodes: list[tuple[int, int, int, int, int]]  # name, rrset, n, flags, zone
    rrsets: list[tuple[int, int, int, int]]      # type, ttl, rr, n
    rrs: list[tuple[bytes, tuple[int, ...], tuple[int, ...], bool]]
    apexes: list[tuple[int, int]]                # node index, SOA rrset


def build_tables(zones: list[Zone]) -> Tables:
    all_nodes: dict[Name, tuple[int, dict[int, RRset]]] = {}
    for zi, z in enumerate(zones):
        for owner, sets in z.nodes.items():
            all_nodes[owner] = (zi, sets)
            # Empty non-terminals (RFC 4592 §2.2.2) between owner and apex.
            for k in range(1, len(owner) - len(z.apex)):
                all_nodes.setdefault(owner[k:], (zi, {}))
    order = sorted(all_nodes, key=canonical_key)
    names: list[Name] = []
    name_ix: dict[Name, int] = {}

    def intern(n: Name) -> int:
        n = name_lower(n)
        if n not in name_ix:
            name_ix[n] = len(names)
            names.append(n)
        return name_ix[n]

    for owner in order:
        intern(owner)
    t = Tables(names, [], [], [], [])
    cuts = {o for o, (zi, s) in all_nodes.items()
            if TYPES["NS"] in s and o != zones[zi].apex}
    soa_of: dict[int, int] = {}
    for owner in order:
        zi, sets = all_nodes[owner]
        flags = 0
        if owner == zones[zi].apex:
            flags |= NODE_APEX
        if owner in cuts:
            flags |= NODE_DELEG
        if any(c != owner and is_subdomain(owner, c) for c in cuts):
            flags |= NODE_GLUE
        if owner and owner[0] == b"*":
            flags |= NODE_WILDCARD
        first = len(t.rrsets)
        for rtype in sorted(sets):
            rs = sets[rtype]
            if rtype == TYPES["SOA"]:
                soa_of[zi] = len(t.rrsets)
            t.rrsets.append((rtype, rs.ttl, len(t.rrs), len(rs.rdatas)))
            for d in rs.rdatas:
                t.rrs.append((d.fixed, tuple(intern(n) for n in d.names),
                              d.at, rtype in COMPRESSIBLE))
        t.nodes.append((name_ix[owner], first, len(sets), flags, zi))
    for zi, z in enumerate(zones):
        t.apexes.append((order.index(z.apex), soa_of[zi]))
    return t


def _c_bytes(data: bytes) -> list[str]:
    out, line = [], ""
    for b in data:
        item = f"0x{b:02x},"
        if len(line) + len(item) + 1 > 72:
            out.append("\t" + line.rstrip())
            line = ""
        line += item + " "
    if line:
        out.append("\t" + line.rstrip())
    return out or ["\t0"]


def render_c(zones: list[Zone], symbol: str = "dns_zone_table",
             source: str = "") -> str:
    """The C tables for `zones`, defining `const struct dns_zone symbol`."""
    t = build_tables(zones)
    blob = b""
    name_rows = []
    for n in t.names:
        w = name_wire(n)
        name_rows.append(f"\t{{{len(blob)}u, {len(w)}u, {len(n)}u}},")
        blob += w
    rd = b""
    rr_rows = []
    for fixed, nix, at, comp in t.rrs:
        ns = list(nix) + [NO_NAME] * (2 - len(nix))
        ats = list(at) + [NO_AT] * (2 - len(at))
        rr_rows.append(f"\t{{{len(rd)}u, {len(fixed)}u, {{{ns[0]}u, "
                       f"{ns[1]}u}}, {{{ats[0]}u, {ats[1]}u}}, "
                       f"{1 if comp else 0}u}},")
        rd += fixed
    limits = [("names", len(t.names), 0xFFFF), ("nodes", len(t.nodes),
              0xFFFF), ("RRsets", len(t.rrsets), 0xFFFF),
              ("records", len(t.rrs), 0xFFFF),
              ("name bytes", len(blob), 0xFFFFFFFF),
              ("RDATA bytes", len(rd), 0xFFFFFFFF)]
    for what, n, hi in limits:
        if n > hi:
            raise ZoneError(f"{zones[0].fname}:0: too many {what} ({n}, "
                            f"at most {hi})")
    p = symbol
    lines = [
        "/*",
        f" * Generated by zonec.py from {source or 'zone files'}.",
        " * Do not edit: change the zone files and rebuild.",
        " */",
        "#include \"dns_zone.h\"",
        "",
        f"static const uint8_t {p}_name_bytes[] = {{",
        *_c_bytes(blob), "};",
        f"static const struct dns_zone_name {p}_names[] = {{",
        *name_rows, "};",
        f"static const struct dns_zone_node {p}_nodes[] = {{",
        *[f"\t{{{a}u, {b}u, {c}u, 0x{d:02x}u, {e}u}},"
          for a, b, c, d, e in t.nodes], "};",
        f"static const struct dns_zone_rrset {p}_rrsets[] = {{",
        *[f"\t{{{a}u, {c}u, {d}u, {b}u}}, /* {TYPE_NAMES[a]} */"
          for a, b, c, d in t.rrsets], "};",
        f"static const struct dns_zone_rr {p}_rrs[] = {{",
        *rr_rows, "};",
        f"static const uint8_t {p}_rdata[] = {{",
        *_c_bytes(rd), "};",
        f"static const struct dns_zone_apex {p}_apexes[] = {{",
        *[f"\t{{{a}u, {b}u}}," for a, b in t.apexes], "};",
        "",
        f"const struct dns_zone {p} = {{",
        f"\t.name_bytes = {p}_name_bytes,",
        f"\t.names = {p}_names,",
        f"\t.nodes = {p}_nodes,",
        f"\t.rrsets = {p}_rrsets,",
        f"\t.rrs = {p}_rrs,",
        f"\t.rdata = {p}_rdata,",
        f"\t.apexes = {p}_apexes,",
        f"\t.nnames = {len(t.names)}u,",
        f"\t.nnodes = {len(t.nodes)}u,",
        f"\t.nrrsets = {len(t.rrsets)}u,",
        f"\t.nrrs = {len(t.rrs)}u,",
        f"\t.napexes = {len(t.apexes)}u,",
        "};",
        "",
    ]
    return "\n".join(lines)
