"""net/tcp_persist - keel's persist timer against a receiver that answers
every zero-window probe, as Linux does: an ACK that takes nothing and
says window 0.

  answered       no SACK: four probes, all answered
  answered_sack  SACK permitted, as with a Linux peer

Either way keel must send nothing but 1-byte probes while the window is
closed, and the data once it opens: an answer to a probe is no duplicate
ACK (tcp_ack.c, tcp_ack_is_dup_ack), and neither a tail loss probe nor a
retransmission timeout runs while the persist timer does.

    /usr/bin/python3 tests/net/test_tcp_persist.py \\
        --keel build/tcp-attack-tap/keel
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from netlab import Cases, Lab  # noqa: E402
from netwire import keel_config, seg_data, zero_window_echo  # noqa: E402
from test_tcp_attack import (ECHO, TCP, ZERO_WINDOW_MSG, Attack,  # noqa: E402
                             Peer, describe)

IMAGE = "tcp-attack-tap"


def answered(a: Attack, sack: bool) -> None:
    p = Peer(a, ECHO, sack=sack)
    with zero_window_echo(p, ZERO_WINDOW_MSG):
        probes = a.zero_window_probes(p, 4, 3.5, 4)
        bad = [q for _, q in probes
               if q[TCP].seq != p.ack or len(seg_data(q)) != 1]
        if len(probes) < 4 or bad:
            raise AssertionError(
                f"{len(probes)} segments in 3.5 s into a zero window "
                f"(want 4 probes of one byte at {p.ack}): "
                f"{describe([q for _, q in probes])}")


def main() -> int:
    cases = Cases("tcp_persist")
    with Lab(cases.args.keel) as lab:
        a = Attack(lab, keel_config(cases.args.keel))
        try:
            cases.run("answered", a.guarded(lambda: answered(a, False)))
            cases.run("answered_sack", a.guarded(lambda: answered(a, True)))
        finally:
            a.wire.close()
    return cases.done()


if __name__ == "__main__":
    sys.exit(main())
