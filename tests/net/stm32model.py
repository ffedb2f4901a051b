"""stm32model - what the net tier checks of an stm32-model image (the
STM32 Ethernet driver on the model of its MAC/DMA, boot/stm32-model)
beside its application: the driver's (stm32_eth.*) and the model's
(model.*) counters, which keel prints with the stack's on SIGUSR1.
Used by test_stm32_model_dns.py and test_stm32_model_https.py.
"""

from __future__ import annotations

import re
from pathlib import Path

from netlab import Lab


def ring_sizes(keel: str) -> tuple[int, int]:
    """The image's [stm32] rx_descriptors and tx_descriptors, from the
    keel_config.h generated beside the executable."""
    text = (Path(keel).resolve().parent / "include" /
            "keel_config.h").read_text()
    sizes = [int(re.search(rf"#define {k}\s+(\d+)", text).group(1))
             for k in ("CONFIG_STM32_ETH_RX_DESCS",
                       "CONFIG_STM32_ETH_TX_DESCS")]
    return sizes[0], sizes[1]


def stats(lab: Lab) -> dict[str, int]:
    st = lab.stats()
    if "model.bad_access" not in st:
        raise AssertionError("no model.* counters: not an stm32-model "
                             "image?")
    return st


def check_clean(lab: Lab, st: dict[str, int]) -> None:
    """What must hold after any run: nothing RM0410 forbids, no frame
    the driver took as broken, nothing lost between the DMA and the
    TAP."""
    bad = {k: st[k] for k in ("model.bad_access", "stm32_eth.rx_runt",
                              "stm32_eth.rx_crc", "stm32_eth.rx_errors",
                              "stm32_eth.rx_too_long", "stm32_eth.tx_errors",
                              "stm32_eth.dma_fatal", "model.tap_tx_dropped")
           if st[k]}
    if bad:
        raise AssertionError(f"counters not 0: {bad}")
    if b"stm32 model:" in lab.log:
        line = re.search(rb"stm32 model:[^\n]*", lab.log)
        raise AssertionError(line.group(0).decode() if line else "model")


def check_rings(lab: Lab, st: dict[str, int], min_frames: int,
                rx_descriptors: int) -> None:
    """Frames went through both rings, each counted at every step."""
    check_clean(lab, st)
    if st["stm32_eth.rx_frames"] < min_frames or \
       st["stm32_eth.tx_frames"] < min_frames:
        raise AssertionError(f"too few frames through the driver: "
                             f"{st['stm32_eth.rx_frames']} received, "
                             f"{st['stm32_eth.tx_frames']} sent")
    # Receive: the stack's frames are those the driver lent, which the
    # DMA wrote into descriptors (a few may still wait in the ring), which
    # came off the TAP through the MAC's filter.
    if st["eth.rx_frames"] != st["stm32_eth.rx_frames"]:
        raise AssertionError(f"eth.rx_frames {st['eth.rx_frames']} != "
                             f"stm32_eth.rx_frames "
                             f"{st['stm32_eth.rx_frames']}")
    waiting = st["model.rx_delivered"] - st["stm32_eth.rx_frames"]
    if not 0 <= waiting <= rx_descriptors:
        raise AssertionError(f"model.rx_delivered "
                             f"{st['model.rx_delivered']} vs driver "
                             f"{st['stm32_eth.rx_frames']}")
    arrived = st["model.rx_delivered"] + st["model.rx_missed"] + \
        st["model.rx_addr_filtered"] + st["model.wire_rx_lost"] + \
        st["model.wire_mode_lost"]
    if arrived > st["model.tap_rx"] or \
       st["model.wire_rx_frames"] != st["model.tap_rx"]:
        raise AssertionError(f"TAP {st['model.tap_rx']} frames, model "
                             f"accounts for {arrived}")
    # Transmit: every frame the stack sent the driver handed to the DMA,
    # which the MAC put on the wire (or lost there: no link, or a MACCR
    # mode the PHY does not have), and the TAP took.
    sent = st["stm32_eth.tx_frames"]
    wire = st["model.wire_tx_frames"] + st["model.wire_tx_lost"]
    if not (st["eth.tx_frames"] == sent == st["model.tx_frames"] and
            wire <= sent <= wire + st["model.wire_mode_lost"]):
        raise AssertionError(f"transmit counts differ: {st['eth.tx_frames']} "
                             f"{sent} {st['model.tx_frames']} {wire} "
                             f"{st['model.wire_mode_lost']}")
    if st["model.tap_tx"] != st["model.wire_tx_frames"]:
        raise AssertionError("TAP writes differ from frames on the wire")
    if st["model.tx_polls"] < sent or st["model.irqs"] == 0:
        raise AssertionError(f"poll demands {st['model.tx_polls']}, "
                             f"interrupts {st['model.irqs']}")


def ring_summary(st: dict[str, int], rxn: int, txn: int) -> str:
    """A note on what went through the rings."""
    rx, tx = st["stm32_eth.rx_frames"], st["stm32_eth.tx_frames"]
    return (f"{rx} frames received ({rx / rxn:.0f} laps of {rxn} "
            f"descriptors), {tx} sent ({tx / txn:.0f} laps of {txn}), "
            f"{st['model.irqs']} interrupts taken, "
            f"{st['model.rx_addr_filtered']} frames not for us dropped by "
            f"the MAC's address filter")


def check_overrun(st: dict[str, int]) -> None:
    """A stall overran the receive ring and the driver recovered: the
    DMA suspended on RBUS and missed frames, the driver counted the same
    missed frames and resumed the DMA with poll demands that reached
    it."""
    model = {k: v for k, v in st.items()
             if k.startswith(("model.", "stm32_eth."))}
    if not (st["model.stalls"] and st["model.rx_suspends"] and
            st["stm32_eth.rx_missed"] and st["stm32_eth.rx_resumes"]):
        raise AssertionError(f"no overrun happened: {model}")
    if st["stm32_eth.rx_missed"] != st["model.rx_missed"]:
        raise AssertionError(f"the driver's missed count is not the "
                             f"DMA's: {model}")
    if st["model.rx_polls"] < st["stm32_eth.rx_resumes"]:
        raise AssertionError(f"fewer receive poll demands than resumes: "
                             f"{model}")
