"""net/tcp_attack - keel's TCP against blind attacks, old duplicates, closed
windows, dead peers and a SYN flood, on the running stack.

keel runs the tcp-attack image (tcp-echo with 4 KiB rings, a listen queue
of 4, at most 10 challenge ACKs a second, keepalive on every connection
after 1 s idle, 3 probes 300 ms apart). Segments are crafted with scapy
and written onto the TAP; keel's answers are read back from it. Two kinds
of connection are attacked:

  a Linux client's   a real socket to the echo port; its sequence numbers
                     are read off keel's echo of a first message. Forged
                     segments claim its 4-tuple; Linux never sees them.
  a scapy peer's     a connection scapy drives itself from 10.0.0.3 and a
                     MAC Linux does not have, so Linux's own TCP never
                     answers keel's segments to it (keel learns the MAC
                     from an ARP request; requests for it are answered).

Cases (RFC 5961 for the blind attacks):

  blind_rst        §3: a RST inside the window but not at RCV.NXT draws a
                   challenge ACK and the connection lives on; one outside
                   the window is dropped unanswered; one at RCV.NXT
                   resets (a second connection: Linux then sees
                   ECONNRESET)
  blind_syn        §4: a SYN on an established connection draws a
                   challenge ACK; the connection lives on
  blind_data       §5: data whose ACK is past SND.NXT, or before
                   SND.UNA - MAX.SND.WND, is challenged and not delivered
                   (the echo brings back only the client's own bytes)
  blind_timestamps the same blind segments with a TSval far ahead: keel
                   must not take it as TS.Recent, or PAWS would drop all
                   of the client's segments after them
  challenge_rate   a flood of in-window RSTs: no more challenge ACKs than
                   the per-second limit, every other one counted as limited
  paws             RFC 7323 §5: data with a TSval older than TS.Recent is
                   dropped, counted and ACKed, and not echoed
  persist          keel as sender into a zero window: 1-byte probes at
                   SND.UNA, further and further apart; the data follows
                   when the window opens
  zero_window      keel as receiver with a full ring: window 0, a probe
                   is answered by an ACK that takes nothing; everything
                   is echoed once the peer's window opens
  keepalive_answered  an idle Linux client gets probes at SND.NXT - 1,
                   answers them, and its connection stays
  keepalive_silent a silent peer gets exactly the configured number of
                   probes, then the connection is dropped
  syn_cookies      hping3 floods the echo port with SYNs from spoofed
                   addresses for 3 s; Linux clients still connect and
                   echo; keel answered with cookies, and some of the
                   clients' connections came back through them

    /usr/bin/python3 tests/net/test_tcp_attack.py \\
        --keel build/tcp-attack-tap/keel
"""

from __future__ import annotations

import errno
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netlab import Cases, Lab, Skip, note  # noqa: E402
from netwire import (SEED, WireSuite, delta, keel_config,  # noqa: E402
                     moved, seeded, seg_data, zero_window_echo)

from scapy.layers.inet import IP, TCP  # noqa: E402
from scapy.layers.l2 import ARP, Ether  # noqa: E402

IMAGE = "tcp-attack-tap"
ECHO = 7
PEER_IP = "10.0.0.3"
PEER_MAC = "02:00:00:00:be:ef"
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
FAR = 1 << 30  # outside any window keel can have
ZERO_WINDOW_MSG = b"held back by a zero window"
IO_TIMEOUT = 5.0
FLOOD_SECONDS = 3.0


def ts_option(pkt: Ether) -> tuple[int, int] | None:
    for name, value in pkt[TCP].options:
        if name == "Timestamp":
            return value
    return None


def describe(pkts: list[Ether]) -> str:
    out = []
    for p in pkts[:8]:
        t = p[TCP]
        out.append(f"{t.sport}>{t.dport} {t.flags} seq {t.seq} ack {t.ack} "
                   f"win {t.window} len {len(seg_data(p))}")
    return "; ".join(out) or "nothing"


class Peer:
    """A connection scapy drives from PEER_IP to one of keel's ports.
    seq is our next sequence number, ack the next one we expect."""

    def __init__(self, suite: "Attack", dport: int, ts: bool = False,
                 sack: bool = False) -> None:
        self.s = suite
        self.dport = dport
        self.sport = suite.rng.randrange(20000, 60000)
        self.seq = suite.rng.randrange(1 << 32)
        self.ack = 0
        self.ts = ts
        self.sack = sack
        self.tsval = suite.rng.randrange(1 << 20, 1 << 30)
        self.ts_ecr = 0
        self.keel_iss = 0

    def frame(self, flags: int, data: bytes = b"", seq: int | None = None,
              ack: int | None = None, window: int = 65535,
              tsval: int | None = None) -> Ether:
        opts: list[tuple[str, object]] = []
        if flags & SYN:
            opts.append(("MSS", 1460))
            if self.sack:
                opts.append(("SAckOK", b""))
        if self.ts:
            opts.append(("Timestamp", (self.tsval if tsval is None
                                       else tsval, self.ts_ecr)))
        tcp = TCP(sport=self.sport, dport=self.dport, flags=flags,
                  seq=self.seq if seq is None else seq,
                  ack=(self.ack if ack is None else ack) if flags & ACK
                  else 0, window=window, options=opts)
        return Ether(src=PEER_MAC, dst=self.s.keel_mac) / \
            IP(src=PEER_IP, dst=self.s.lab.keel_ip) / tcp / data

    def send(self, flags: int, data: bytes = b"", **kw: object) -> None:
        self.s.wire.send(self.frame(flags, data, **kw))  # type: ignore

    def read(self, seconds: float,
             until: Callable[[Ether], bool] | None = None) -> list[Ether]:
        """keel's segments to this peer in the next `seconds`."""
        def mine(p: Ether) -> bool:
            return p[TCP].dport == self.sport and p[IP].dst == PEER_IP
        got = self.s.segments(seconds, mine, until)
        for p in got:
            ts = ts_option(p)
            if ts:
                self.ts_ecr = ts[0]
        return got

    def expect(self, seconds: float, what: str,
               cond: Callable[[Ether], bool]) -> Ether:
        got = self.read(seconds, cond)
        if not got or not cond(got[-1]):
            raise AssertionError(f"no {what} from keel in {seconds} s; it "
                                 f"sent: {describe(got)}")
        return got[-1]

    def handshake(self, window: int = 65535) -> Ether:
        self.s.announce()
        self.send(SYN)
        synack = self.expect(2, "SYN-ACK", lambda p:
                             int(p[TCP].flags) & (SYN | ACK) == SYN | ACK)
        self.keel_iss = synack[TCP].seq
        self.seq = (self.seq + 1) & 0xffffffff
        self.ack = (self.keel_iss + 1) & 0xffffffff
        self.tsval += 1
        self.send(ACK, window=window)
        return synack

    def push(self, data: bytes, window: int = 65535, **kw: object) -> None:
        """Send data at seq and move seq past it."""
        self.send(PSH | ACK, data, window=window, **kw)  # type: ignore
        self.seq = (self.seq + len(data)) & 0xffffffff

    def take(self, p: Ether, window: int = 65535) -> bytes:
        """Accept what segment p brings in order and ACK it."""
        data = seg_data(p)
        if data and p[TCP].seq == self.ack:
            self.ack = (self.ack + len(data)) & 0xffffffff
            self.send(ACK, window=window)
            return data
        return b""

    def close(self) -> None:
        """Reset the connection so that it frees its slot."""
        self.send(RST | ACK)


class Attack(WireSuite):
    wrap = staticmethod(seeded)

    def __init__(self, lab: Lab, config: dict[str, int]) -> None:
        super().__init__(lab)
        self.rng = random.Random(SEED)
        self.challenge_limit = config.get("CONFIG_TCP_CHALLENGE_ACK_PER_S",
                                          100)
        self.ka_idle = config.get("CONFIG_TCP_KEEPALIVE_IDLE_MS", 0) / 1000
        self.ka_interval = \
            config.get("CONFIG_TCP_KEEPALIVE_INTERVAL_MS", 0) / 1000
        self.ka_count = config.get("CONFIG_TCP_KEEPALIVE_COUNT", 0)
        self.keepalive = bool(config.get("CONFIG_APP_TCP_ECHO_KEEPALIVE"))
        # The TCP timestamps option on keel's echo in client(), if any.
        self.echo_ts: tuple[int, int] | None = None

    # -- frames --------------------------------------------------------------

    def announce(self) -> None:
        """Tell keel where PEER_IP is: an ARP request for its address."""
        self.wire.send(Ether(src=PEER_MAC, dst="ff:ff:ff:ff:ff:ff") /
                       ARP(op=1, hwsrc=PEER_MAC, psrc=PEER_IP,
                           pdst=self.lab.keel_ip))

    def segments(self, seconds: float, mine: Callable[[Ether], bool],
                 until: Callable[[Ether], bool] | None = None
                 ) -> list[Ether]:
        """keel's TCP segments for which `mine` is true, over `seconds`
        (or until one satisfies `until`); ARP requests for PEER_IP are
        answered on the way."""
        out: list[Ether] = []

        def look(p: Ether) -> bool:
            if ARP in p and p[ARP].op == 1 and p[ARP].pdst == PEER_IP:
                self.wire.send(Ether(src=PEER_MAC, dst=p.src) /
                               ARP(op=2, hwsrc=PEER_MAC, psrc=PEER_IP,
                                   hwdst=p[ARP].hwsrc, pdst=p[ARP].psrc))
                return False
            if TCP not in p or not mine(p):
                return False
            out.append(p)
            return bool(until and until(p))
        self.wire.read(seconds, look)
        return out

    def forge(self, sport: int, flags: int, seq: int, ack: int = 0,
              data: bytes = b"", tsval: int | None = None) -> Ether:
        """A segment that claims to be the Linux client's on port sport."""
        opts = [] if tsval is None else \
            [("Timestamp", (tsval & 0xffffffff, 0))]
        return Ether(src=self.linux_mac, dst=self.keel_mac) / \
            IP(src=self.lab.linux_ip, dst=self.lab.keel_ip) / \
            TCP(sport=sport, dport=ECHO, flags=flags, seq=seq & 0xffffffff,
                ack=ack & 0xffffffff, window=65535, options=opts) / data

    # -- a Linux client ------------------------------------------------------

    def client(self) -> tuple[socket.socket, int, int]:
        """A Linux connection to the echo port after one echoed message:
        the socket, keel's RCV.NXT and its SND.NXT on it."""
        s = socket.create_connection((self.lab.keel_ip, ECHO),
                                     timeout=IO_TIMEOUT)
        s.settimeout(IO_TIMEOUT)
        port = s.getsockname()[1]
        self.wire.drain()
        s.sendall(b"hello")
        got = self.segments(2, lambda p: p[TCP].dport == port,
                            lambda p: seg_data(p) == b"hello")
        if not got or seg_data(got[-1]) != b"hello":
            raise AssertionError(f"keel did not echo; it sent: "
                                 f"{describe(got)}")
        if recv_exact(s, 5) != b"hello":
            raise AssertionError("the first echo came back wrong")
        p = got[-1][TCP]
        self.echo_ts = ts_option(got[-1])
        return s, p.ack, (p.seq + 5) & 0xffffffff

    def challenge_acks(self, port: int, rcv_nxt: int, snd_nxt: int,
                       seconds: float, want: int = 1) -> list[Ether]:
        """keel's ACKs to the client on `port` that repeat where it is."""
        def is_challenge(p: Ether) -> bool:
            t = p[TCP]
            return (int(t.flags) == ACK and t.seq == snd_nxt and
                    t.ack == rcv_nxt and not seg_data(p))
        found: list[Ether] = []

        def until(p: Ether) -> bool:
            if is_challenge(p):
                found.append(p)
            return len(found) >= want
        got = self.segments(seconds, lambda p: p[TCP].dport == port, until)
        others = [p for p in got if not is_challenge(p)
                  and p[TCP].seq != (snd_nxt - 1) & 0xffffffff]
        if others:
            raise AssertionError(f"keel sent more than challenge ACKs: "
                                 f"{describe(others)}")
        return found

    def fresh_budget(self) -> None:
        """Wait out the challenge ACK budget's second: each second's is
        random, as low as half the limit, so cases in a row could
        otherwise find it spent."""
        time.sleep(1.1)

    def still_echoes(self, s: socket.socket, what: str) -> None:
        msg = b"still here " + what.encode()
        try:
            s.sendall(msg)
            got = recv_exact(s, len(msg))
        except OSError as e:
            raise AssertionError(f"after {what}: the connection broke: {e}"
                                 ) from None
        if got != msg:
            raise AssertionError(f"after {what}: echo {got!r}")
        s.settimeout(0.3)
        try:
            extra = s.recv(100)
        except socket.timeout:
            extra = b""
        finally:
            s.settimeout(IO_TIMEOUT)
        if extra:
            raise AssertionError(f"after {what}: keel echoed more: {extra!r}")

    # -- RFC 5961 ------------------------------------------------------------

    def blind_rst(self) -> None:
        self.fresh_budget()
        s, rcv_nxt, snd_nxt = self.client()
        port = s.getsockname()[1]
        with s:
            before = self.lab.stats()
            self.wire.send(self.forge(port, RST, rcv_nxt + 100))
            if not self.challenge_acks(port, rcv_nxt, snd_nxt, 1.0):
                raise AssertionError("no challenge ACK for a RST in the "
                                     "window")
            self.wait_counters(before, {"tcp.rx_rst_challenged": 1,
                                        "tcp.tx_challenge_ack": 1})
            self.still_echoes(s, "a RST in the window")

            before = self.lab.stats()
            self.wire.drain()
            self.wire.send(self.forge(port, RST, rcv_nxt + FAR))
            self.wire.send(self.forge(port, RST, rcv_nxt - 1))
            answers = self.segments(0.5, lambda p: p[TCP].dport == port)
            if answers:
                raise AssertionError(f"keel answered RSTs outside the "
                                     f"window: {describe(answers)}")
            after = self.wait_counters(before,
                                       {"tcp.rx_out_of_window": 2})
            if delta(before, after, "tcp.conn_reset"):
                raise AssertionError("a RST outside the window reset")
            self.still_echoes(s, "RSTs outside the window")

        s, rcv_nxt, snd_nxt = self.client()
        port = s.getsockname()[1]
        with s:
            before = self.lab.stats()
            self.wire.send(self.forge(port, RST, rcv_nxt))
            self.wait_counters(before, {"tcp.rx_rst": 1,
                                        "tcp.conn_reset": 1})
            # keel forgot the connection: its answer to more data is a
            # RST (RFC 9293 §3.10.7.1), which Linux reports.
            try:
                s.sendall(b"gone?")
                got = s.recv(100)
            except ConnectionResetError:
                return
            except OSError as e:
                if e.errno == errno.ECONNRESET:
                    return
                raise AssertionError(f"expected ECONNRESET, got {e}"
                                     ) from None
            raise AssertionError(f"the connection survived a RST at "
                                 f"RCV.NXT (recv {got!r})")

    def blind_syn(self) -> None:
        self.fresh_budget()
        s, rcv_nxt, snd_nxt = self.client()
        port = s.getsockname()[1]
        with s:
            before = self.lab.stats()
            self.wire.send(self.forge(port, SYN, rcv_nxt))
            self.wire.send(self.forge(port, SYN, rcv_nxt + 1000))
            found = self.challenge_acks(port, rcv_nxt, snd_nxt, 1.0, 2)
            if len(found) != 2:
                raise AssertionError(f"{len(found)} challenge ACKs for 2 "
                                     f"SYNs")
            after = self.wait_counters(before, {"tcp.rx_syn_challenged": 2,
                                                "tcp.tx_challenge_ack": 2})
            if delta(before, after, "tcp.conn_reset") or \
               delta(before, after, "tcp.conn_freed"):
                raise AssertionError(f"a SYN ended the connection: "
                                     f"{moved(before, after)}")
            self.still_echoes(s, "a SYN in the window")

    def blind_data(self) -> None:
        self.fresh_budget()
        s, rcv_nxt, snd_nxt = self.client()
        port = s.getsockname()[1]
        with s:
            before = self.lab.stats()
            self.wire.send(self.forge(port, PSH | ACK, rcv_nxt,
                                      snd_nxt + (1 << 20), b"EVIL-AHEAD"))
            self.wire.send(self.forge(port, PSH | ACK, rcv_nxt,
                                      snd_nxt - FAR, b"EVIL-BEHIND"))
            found = self.challenge_acks(port, rcv_nxt, snd_nxt, 1.0, 2)
            if len(found) != 2:
                raise AssertionError(f"{len(found)} challenge ACKs for 2 "
                                     f"segments with bad ACKs")
            self.wait_counters(before, {"tcp.rx_bad_ack": 1,
                                        "tcp.rx_old_ack": 1,
                                        "tcp.tx_challenge_ack": 2})
            # Had keel taken either, its echo would reach Linux first, and
            # Linux's next bytes would land below keel's RCV.NXT.
            self.still_echoes(s, "data with unacceptable ACKs")

    def blind_timestamps(self) -> None:
        """The segments a blind attacker gets into the window but not past
        the RST, SYN or ACK checks carry a TSval far ahead of the client's.
        None may become TS.Recent (RFC 7323 §4.3 R3 applies to segments
        that are accepted): the client's own segments would then all look
        old to PAWS and be dropped."""
        self.fresh_budget()
        s, rcv_nxt, snd_nxt = self.client()
        port = s.getsockname()[1]
        if self.echo_ts is None:
            raise AssertionError("Linux and keel did not agree on "
                                 "timestamps")
        ahead = self.echo_ts[1] + (1 << 30)
        with s:
            before = self.lab.stats()
            self.wire.send(self.forge(port, PSH | ACK, rcv_nxt,
                                      snd_nxt + (1 << 20), b"EVIL", ahead))
            self.wire.send(self.forge(port, RST, rcv_nxt + 100, 0, b"",
                                      ahead))
            self.wire.send(self.forge(port, SYN, rcv_nxt + 100, 0, b"",
                                      ahead))
            found = self.challenge_acks(port, rcv_nxt, snd_nxt, 1.0, 3)
            if len(found) != 3:
                raise AssertionError(f"{len(found)} challenge ACKs for 3 "
                                     f"blind segments")
            for p in found:
                ts = ts_option(p)
                if ts and ts[1] == ahead & 0xffffffff:
                    raise AssertionError("keel echoes the forged TSval")
            self.still_echoes(s, "blind segments with a TSval ahead")
            after = self.lab.stats()
            if delta(before, after, "tcp.rx_paws"):
                raise AssertionError(f"PAWS dropped the client's segments: "
                                     f"{moved(before, after)}")

    def challenge_rate(self) -> None:
        s, rcv_nxt, snd_nxt = self.client()
        port = s.getsockname()[1]
        n = 20 * self.challenge_limit
        frames = [bytes(self.forge(port, RST, rcv_nxt + 1 + i % 1000))
                  for i in range(n)]
        with s:
            self.fresh_budget()
            before = self.lab.stats()
            self.wire.drain()
            t0 = time.monotonic()
            for f in frames:
                self.wire.send(f)
            spent = time.monotonic() - t0
            after = self.wait_counters(before,
                                       {"tcp.rx_rst_challenged": n}, 5)
            found = self.challenge_acks(port, rcv_nxt, snd_nxt, 0.5, n)
            sent = delta(before, after, "tcp.tx_challenge_ack")
            limited = delta(before, after, "tcp.tx_challenge_limited")
            # The budget is fresh (nothing challenged for a second), and
            # restarts a second after the flood's first challenge ACK;
            # each second's is drawn from [ceil(lim / 2), that + lim).
            lim = self.challenge_limit
            most = ((lim + 1) // 2 + lim - 1) * (int(spent) + 1)
            least = (lim + 1) // 2 if spent < 1 else 1
            if not least <= len(found) <= most or sent != len(found) or \
               sent + limited != n:
                raise AssertionError(
                    f"{n} RSTs in {spent:.2f} s: {len(found)} challenge "
                    f"ACKs seen, keel counted {sent} sent and {limited} "
                    f"limited (limit {self.challenge_limit}/s, at most "
                    f"{most} expected)")
            note(f"tcp {n} blind RSTs in {spent * 1000:.0f} ms: "
                 f"{sent} challenge ACKs, {limited} held back")
            self.still_echoes(s, "a RST flood")

    # -- RFC 7323 PAWS -------------------------------------------------------

    def paws(self) -> None:
        p = Peer(self, ECHO, ts=True)
        synack = p.handshake()
        if ts_option(synack) is None:
            raise AssertionError("keel's SYN-ACK has no timestamps")
        try:
            recent = p.tsval + 10
            p.push(b"first", tsval=recent)
            echo = p.expect(1, "echo", lambda q: bool(seg_data(q)))
            if p.take(echo) != b"first":
                raise AssertionError(f"echo {describe([echo])}")
            before = self.lab.stats()
            # Older than TS.Recent by more than keel's slack (1000 ticks).
            p.send(PSH | ACK, b"stale", tsval=recent - 100000)
            got = p.read(0.6)
            data = [q for q in got if seg_data(q)]
            acks = [q for q in got if q[TCP].ack == p.seq and
                    not seg_data(q)]
            if data or not acks:
                raise AssertionError(f"old segment: expected an ACK of "
                                     f"{p.seq} and no echo; keel sent "
                                     f"{describe(got)}")
            self.wait_counters(before, {"tcp.rx_paws": 1})
            p.push(b"fresh", tsval=recent + 10)
            echo = p.expect(1, "echo", lambda q: bool(seg_data(q)))
            if p.take(echo) != b"fresh":
                raise AssertionError(f"after the old segment, echo "
                                     f"{describe([echo])}")
        finally:
            p.close()

    # -- windows -------------------------------------------------------------

    def zero_window_probes(self, p: Peer, count: int, seconds: float,
                           answer: int) -> list[tuple[float, Ether]]:
        """keel's segments with data over `seconds`, or until `count` came,
        each with its time; the first `answer` of them are answered as a
        receiver with no room answers: an ACK that takes nothing, window
        0."""
        t0 = time.monotonic()
        deadline = t0 + seconds
        probes: list[tuple[float, Ether]] = []
        while len(probes) < count and time.monotonic() < deadline:
            for q in p.read(deadline - time.monotonic(),
                            lambda q: bool(seg_data(q))):
                if seg_data(q):
                    probes.append((time.monotonic() - t0, q))
                    if len(probes) <= answer:
                        p.send(ACK, window=0)
        return probes

    def persist(self) -> None:
        """Three probes, the first two answered with window 0 each, then
        the window opens. (Answering the third with window 0 too makes
        keel count three duplicate ACKs and retransmit into the closed
        window: tests/net/pending/test_tcp_persist.py.)"""
        p = Peer(self, ECHO)
        with zero_window_echo(p, ZERO_WINDOW_MSG):
            probes = self.zero_window_probes(p, 3, 2.5, 2)
            bad = [q for _, q in probes
                   if q[TCP].seq != p.ack or len(seg_data(q)) != 1]
            if len(probes) < 3 or bad:
                raise AssertionError(
                    f"{len(probes)} probes in 2.5 s (want 3, one byte at "
                    f"{p.ack}): {describe([q for _, q in probes])}")
            times = [t for t, _ in probes]
            gaps = [b - a for a, b in zip(times, times[1:])]
            if gaps[0] < times[0] * 1.5 or gaps[1] < gaps[0] * 1.5:
                raise AssertionError(f"probes do not back off: at "
                                     f"{[round(t, 3) for t in times]} s")
            note(f"tcp zero-window probes at "
                 f"{', '.join(f'{t:.2f}' for t in times)} s")

    def fill(self, p: Peer) -> bytes:
        """Send to the echo port with our window closed until keel takes
        nothing more: the echo's send ring fills, then keel's receive
        ring. keel's window reaches 0 before its ring is full (it opens
        only by at least an MSS or half the ring, RFC 9293 §3.8.6.2.2),
        so data is pushed past the window, as far as keel takes it. What
        keel took, in order."""
        taken = b""
        for _ in range(64):
            chunk = bytes(self.rng.randrange(256) for _ in range(1000))
            start = p.seq
            p.send(PSH | ACK, chunk, window=0)
            acks = p.read(0.3, lambda q: q[TCP].ack != start)
            ack = acks[-1][TCP].ack if acks else start
            n = (ack - start) & 0xffffffff
            if n > len(chunk):
                raise AssertionError(f"keel acknowledged {n} bytes of "
                                     f"{len(chunk)}")
            if n == 0:
                return taken
            taken += chunk[:n]
            p.seq = ack
        raise AssertionError(f"keel still takes data after {len(taken)} "
                             f"bytes")

    def zero_window(self) -> None:
        p = Peer(self, ECHO)
        p.handshake(window=0)
        try:
            sent = self.fill(p)
            before = self.lab.stats()
            for _ in range(2):
                p.send(PSH | ACK, b"Z", window=0)  # a zero-window probe
                acks = p.read(0.5, lambda q: q[TCP].ack == p.seq and
                              not seg_data(q))
                if not acks or acks[-1][TCP].window != 0 or \
                   acks[-1][TCP].ack != p.seq:
                    raise AssertionError(f"probe into the full ring: "
                                         f"keel sent {describe(acks)}")
            after = self.lab.stats()
            if delta(before, after, "tcp.rx_out_of_window") != 0:
                raise AssertionError(f"probes at RCV.NXT counted out of "
                                     f"the window: {moved(before, after)}")
            # Open our window: the echo drains, keel's ring empties.
            p.send(ACK, window=65535)
            got = b""
            opened = False
            deadline = time.monotonic() + 5
            while (got != sent or not opened) and \
                    time.monotonic() < deadline:
                for q in p.read(0.3):
                    opened = opened or q[TCP].window > 0
                    got += p.take(q)
                if got == sent and not opened:
                    p.send(ACK)  # draws keel's current window
            if got != sent or not opened:
                same = "equal" if sent.startswith(got) else "differ"
                raise AssertionError(
                    f"after the window opened: {len(got)} of {len(sent)} "
                    f"bytes echoed ({same}), keel's window "
                    f"{'opened' if opened else 'stayed 0'}")
            note(f"tcp keel's ring full after {len(sent)} bytes")
        finally:
            p.close()

    # -- keepalive -----------------------------------------------------------

    def need_keepalive(self) -> None:
        if not self.keepalive or not self.ka_idle or self.ka_idle > 2:
            raise Skip("the image has no short keepalive")

    def keepalive_answered(self) -> None:
        self.need_keepalive()
        s, rcv_nxt, snd_nxt = self.client()
        port = s.getsockname()[1]
        with s:
            before = self.lab.stats()
            wait = self.ka_idle * 2 + self.ka_interval * self.ka_count + 0.5
            got = self.segments(wait, lambda p: p[TCP].dport == port)
            probes = [p for p in got
                      if p[TCP].seq == (snd_nxt - 1) & 0xffffffff and
                      p[TCP].ack == rcv_nxt and not seg_data(p)]
            if len(probes) < 2 or len(probes) != len(got):
                raise AssertionError(f"idle {wait:.1f} s: expected "
                                     f"keepalive probes at {snd_nxt - 1}; "
                                     f"keel sent {describe(got)}")
            after = self.lab.stats()
            if delta(before, after, "tcp.tx_keepalive") < len(probes) or \
               delta(before, after, "tcp.conn_timeout"):
                raise AssertionError(moved(before, after))
            self.still_echoes(s, f"{len(probes)} keepalive probes")

    def keepalive_silent(self) -> None:
        self.need_keepalive()
        p = Peer(self, ECHO)
        p.handshake()
        t0 = time.monotonic()
        before = self.lab.stats()
        try:
            wait = self.ka_idle + self.ka_interval * (self.ka_count + 2)
            stamps: list[float] = []
            got: list[Ether] = []
            deadline = t0 + wait
            while time.monotonic() < deadline:
                for q in p.read(deadline - time.monotonic(),
                                lambda q: True):
                    got.append(q)
                    stamps.append(time.monotonic() - t0)
            ok = [q for q in got if q[TCP].seq == p.keel_iss and
                  int(q[TCP].flags) == ACK and not seg_data(q)]
            if len(ok) != self.ka_count or len(got) != len(ok):
                raise AssertionError(f"{wait:.1f} s of silence: expected "
                                     f"{self.ka_count} probes at "
                                     f"{p.keel_iss}; keel sent "
                                     f"{describe(got)}")
            gaps = [b - a for a, b in zip(stamps, stamps[1:])]
            if stamps[0] < self.ka_idle * 0.9 or \
               any(g < self.ka_interval * 0.7 for g in gaps):
                raise AssertionError(f"probes at {stamps} s")
            self.wait_counters(before, {"tcp.conn_timeout": 1,
                                        "tcp.tx_keepalive": self.ka_count})
            # The connection is gone: our ACK now meets the listener.
            p.send(ACK)
            p.expect(1, "RST", lambda q: bool(int(q[TCP].flags) & RST))
            note(f"tcp keepalive probes at "
                 f"{', '.join(f'{t:.2f}' for t in stamps)} s, then dropped")
        finally:
            p.close()

    # -- SYN flood -----------------------------------------------------------

    def syn_cookies(self) -> None:
        """hping3 floods the echo port from random (spoofed) addresses, so
        keel's half-open connections stay, as in a real flood, and no
        flood SYN shares a 4-tuple with a Linux client. Meanwhile Linux
        clients connect and echo, for FLOOD_SECONDS and at least 5
        times."""
        hping = shutil.which("hping3")
        if not hping:
            raise Skip("hping3 is not installed")
        before = self.lab.stats()
        flood = subprocess.Popen(
            [hping, "--flood", "-q", "-S", "--rand-source", "-p", str(ECHO),
             self.lab.keel_ip], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        done = 0
        t0 = time.monotonic()
        try:
            time.sleep(0.5)
            while done < 5 or time.monotonic() - t0 < FLOOD_SECONDS:
                if flood.poll() is not None:
                    raise AssertionError(f"hping3 exited "
                                         f"{flood.returncode}")
                if time.monotonic() - t0 > 30:
                    raise AssertionError(f"only {done} connections in "
                                         f"30 s of flood")
                msg = f"through the flood {done}".encode()
                with socket.create_connection((self.lab.keel_ip, ECHO),
                                              timeout=8) as s:
                    s.settimeout(IO_TIMEOUT)
                    s.sendall(msg)
                    if recv_exact(s, len(msg)) != msg:
                        raise AssertionError(f"connection {done}: bad "
                                             f"echo")
                done += 1
                time.sleep(0.02)
            spent = time.monotonic() - t0
        finally:
            flood.send_signal(signal.SIGINT)
            try:
                flood.wait(5)
            except subprocess.TimeoutExpired:
                flood.kill()
                flood.wait()
        after = self.lab.stats()
        if delta(before, after, "tcp.tx_syn_cookie") == 0 or \
           delta(before, after, "tcp.rx_backlog_full") == 0 or \
           delta(before, after, "tcp.rx_cookie_ok") == 0:
            raise AssertionError(f"no connection through a SYN cookie "
                                 f"under the flood: {moved(before, after)}")
        note(f"tcp SYN flood for {spent:.1f} s: {done} echo connections; "
             f"keel took {delta(before, after, 'tcp.rx')} segments, sent "
             f"{delta(before, after, 'tcp.tx_syn_cookie')} cookies, "
             f"{delta(before, after, 'tcp.rx_cookie_ok')} came back")


def recv_exact(s: socket.socket, n: int) -> bytes:
    got = b""
    while len(got) < n:
        b = s.recv(n - len(got))
        if not b:
            break
        got += b
    return got


def main() -> int:
    cases = Cases("tcp_attack")
    with Lab(cases.args.keel) as lab:
        a = Attack(lab, keel_config(cases.args.keel))
        try:
            for name in ("blind_rst", "blind_syn", "blind_data",
                         "blind_timestamps", "challenge_rate", "paws",
                         "persist", "zero_window", "keepalive_answered",
                         "keepalive_silent", "syn_cookies"):
                cases.run(name, a.guarded(getattr(a, name)))
        finally:
            a.wire.close()
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
