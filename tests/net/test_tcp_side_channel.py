"""net/tcp_side_channel - the challenge ACK limit as a side channel
(CVE-2016-5696, "Off-Path TCP Exploits: Global Rate Limit Considered
Dangerous", USENIX Security 2016).

keel's limit on challenge ACKs is one budget for all connections (RFC 5961
§7). Were it a fixed number per second, an off-path attacker with a
connection of its own could tell whether a spoofed RST landed in another
connection's window: it sends the guess, then as many in-window RSTs on its
own connection as the budget holds, and counts the challenge ACKs it gets
back: one fewer when the guess drew one. keel draws each second's budget at
random (tcp_out.c, tcp_send_challenge_ack), as Linux does since.

  guess_hidden   the attacker's count must not depend on whether its
                 guess was in the window

    /usr/bin/python3 tests/net/test_tcp_side_channel.py \\
        --keel build/tcp-attack-tap/keel
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netlab import Cases, Lab, note  # noqa: E402
from netwire import keel_config  # noqa: E402
from test_tcp_attack import (ACK, ECHO, FAR, RST, TCP, Attack,  # noqa: E402
                             Peer, seg_data)

IMAGE = "tcp-attack-tap"
ROUNDS = 3


def attacker_count(a: Attack, p: Peer, victim_port: int,
                   victim_seq: int) -> int:
    """Challenge ACKs the attacker gets for a budget's worth of its own
    in-window RSTs sent just after one spoofed RST at the victim."""
    time.sleep(1.1)  # a fresh budget
    p.send(ACK)  # keeps keepalive off the attacker's connection
    a.wire.drain()
    a.wire.send(a.forge(victim_port, RST, victim_seq))
    for i in range(a.challenge_limit):
        p.send(RST, seq=p.seq + 10 + i)

    def is_challenge(q: object) -> bool:
        t = q[TCP]  # type: ignore
        return int(t.flags) == ACK and t.seq == p.ack and \
            t.ack == p.seq and not seg_data(q)  # type: ignore
    return sum(1 for q in p.read(0.5) if is_challenge(q))


def guess_hidden(a: Attack) -> None:
    s, rcv_nxt, _ = a.client()
    p = Peer(a, ECHO)
    p.handshake()
    with s:
        try:
            hit = [attacker_count(a, p, s.getsockname()[1], rcv_nxt + 100)
                   for _ in range(ROUNDS)]
            miss = [attacker_count(a, p, s.getsockname()[1],
                                   rcv_nxt + FAR) for _ in range(ROUNDS)]
        finally:
            p.close()
    note(f"tcp challenge ACKs the attacker got: {hit} after guesses in "
         f"the window, {miss} after guesses outside it")
    # A budget drawn at random makes the counts vary from round to round
    # and overlap; an exact one makes each a constant of the guess.
    if len(set(hit)) == 1 and len(set(miss)) == 1 and hit != miss:
        raise AssertionError(f"the attacker tells a guess in the window "
                             f"({hit} challenge ACKs) from one outside "
                             f"({miss})")


def main() -> int:
    cases = Cases("tcp_side_channel")
    with Lab(cases.args.keel) as lab:
        a = Attack(lab, keel_config(cases.args.keel))
        try:
            cases.run("guess_hidden", a.guarded(lambda: guess_hidden(a)))
        finally:
            a.wire.close()
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
