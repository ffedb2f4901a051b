/*
 * fuzz_netdev.h - a struct netdev for libFuzzer harnesses.
 *
 * Receive: the harness lends one frame at a time with fuzz_netdev_set_rx();
 * rx_peek() hands it to the stack once, rx_done() takes it back. The frame
 * is not copied: a harness that wants ASan to catch reads past the end or
 * after rx_done() passes a buffer of exactly `len` bytes and frees it after
 * the poll.
 *
 * Transmit: frames are swallowed after an optional hook has looked at them.
 * A frame longer than mtu + 14 bytes, or a submit without an acquire, is a
 * bug in the stack and abort()s, so that libFuzzer reports it as a crash.
 * The link is always up.
 *
 * Independent of tests/unit: harnesses compile with -I tests/fuzz only.
 */
#ifndef FUZZ_NETDEV_H
#define FUZZ_NETDEV_H

#include <stddef.h>
#include <stdint.h>

#include <net/netdev.h>

#define FUZZ_NETDEV_MTU 1500
/* Transmit buffer size: the contract's minimum (mtu + 14). */
#define FUZZ_NETDEV_TX_CAP (FUZZ_NETDEV_MTU + 14)

extern struct netdev fuzz_netdev;
extern const uint8_t fuzz_netdev_mac[NETDEV_MAC_LEN];

/* Called with every submitted frame, before it is dropped. */
typedef void (*fuzz_netdev_tx_hook)(const uint8_t *frame, size_t len);

/* Forget any lent frame and counters; MAC and MTU back to defaults. */
void fuzz_netdev_reset(void);
/* Lend `frame` to the next rx_peek(); NULL or 0 clears it. */
void fuzz_netdev_set_rx(const uint8_t *frame, size_t len);
/* Whether the lent frame is still waiting (not yet taken by the stack). */
int fuzz_netdev_rx_pending(void);
void fuzz_netdev_set_tx_hook(fuzz_netdev_tx_hook hook);
/* Frames submitted since the last reset. */
uint64_t fuzz_netdev_tx_count(void);

/* libFuzzer's entry point, declared for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* FUZZ_NETDEV_H */
