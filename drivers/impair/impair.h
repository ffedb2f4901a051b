/*
 * impair.h - a fault-injecting netdev for tests: loss, duplication, delay
 * with jitter, and reordering, reproducible from a seed.
 *
 * impair_wrap() puts a struct netdev (<net/netdev.h>) in front of another
 * one. The stack talks to the wrapper as to any driver; the wrapper passes
 * frames between it and the inner device, and in each direction (rx: from
 * the wire to the stack; tx: from the stack to the wire) independently
 *
 *   - loses a frame with probability loss;
 *   - otherwise sends it twice with probability dup (the copies are
 *     delayed independently, so either may arrive first);
 *   - holds each copy back for delay ms plus a uniform whole number of ms in
 *     [-jitter, +jitter]; copies whose times cross are reordered, and ties
 *     keep their order;
 *   - lets a copy skip the delay with probability reorder, so it overtakes
 *     the copies being held.
 *
 * Every decision comes from a PRNG of the wrapper's own (splitmix64), one
 * stream per direction seeded from the direction's seed, and consumes the
 * same number of draws per frame whatever the settings: the n-th frame in a
 * direction meets the same fate in every run with that seed. It is not the
 * stack's secret and must never be: it is meant to be predictable.
 *
 * Held copies wait in a static pool per direction of CONFIG_IMPAIR_SLOTS
 * slots (the image's [impair] slots), each CONFIG_NET_MTU + 14 bytes. A
 * copy that finds the pool full is dropped and counted as pool_full. A
 * direction with nothing to do (all settings 0) is a plain pass-through:
 * the inner device's buffers are lent to the stack unchanged, with no copy.
 *
 * The netdev operations:
 *  - rx_peek() first sends the transmit frames that are due, then pulls
 *    up to CONFIG_IMPAIR_SLOTS frames from the inner device into the pool
 *    (copying each and giving the inner buffer back), and lends the
 *    earliest frame whose time has come, or returns 0. An error from the
 *    inner device is passed on to the stack as it is;
 *  - tx_acquire() lends the wrapper's own buffer; tx_submit() applies the
 *    impairment to the frame and sends the copies that are due. It returns
 *    NET_OK for a frame lost on purpose, as a wire would; a held copy that
 *    the inner device refuses later is counted as dev_error;
 *  - is_link_up() is the inner device's; name and mtu are the inner
 *    device's, and the MAC the stack writes into the wrapper is copied to
 *    the inner device on every call.
 * Frames are delivered only from these calls and from impair_poll(), so
 * the loop must wake at impair_next_deadline(): the linux-tap platform's
 * idle does both.
 *
 * One wrapper per process; wrapping again replaces it and resets its pools,
 * PRNGs and counters (the unit tests do that).
 */
#ifndef DRIVERS_IMPAIR_H
#define DRIVERS_IMPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <net/netdev.h>

/* Probabilities are in parts per million: 5 % is 50000. */
#define IMPAIR_PPM_MAX 1000000u
/* Largest delay and jitter accepted, in ms. */
#define IMPAIR_DELAY_MAX_MS 60000u

/* The impairment of one direction. All zeros: pass frames through. */
struct impair_dir_config {
	uint32_t loss_ppm;    /* chance a frame is lost */
	uint32_t dup_ppm;     /* chance a frame is sent twice */
	uint32_t reorder_ppm; /* chance a copy skips the delay */
	uint32_t delay_ms;    /* every copy held this long ... */
	uint32_t jitter_ms;   /* ... +- up to this much (<= delay_ms) */
	uint32_t seed;	      /* of this direction's PRNG */
};

struct impair_config {
	struct impair_dir_config rx; /* wire -> stack */
	struct impair_dir_config tx; /* stack -> wire */
	/* The clock, in ms, monotonic: platform_now_ms() or a test's. */
	uint64_t (*now_ms)(void);
};

enum impair_dir {
	IMPAIR_RX = 0,
	IMPAIR_TX = 1,
};

/* What happened in one direction since impair_wrap(). */
struct impair_stats {
	uint64_t frames;     /* frames offered */
	uint64_t dropped;    /* frames lost on purpose (loss) */
	uint64_t duplicated; /* frames sent twice (dup) */
	uint64_t delayed;    /* copies held back for more than 0 ms */
	uint64_t reordered;  /* copies that skipped the delay (reorder) */
	uint64_t pool_full;  /* copies dropped: no free slot in the pool */
	uint64_t dev_error;  /* held copies the inner device refused (tx) */
	uint64_t passed;     /* copies handed on */
};

/*
 * Wrap `inner` (an open device with mtu <= CONFIG_NET_MTU) with the
 * impairment in *cfg, copied. NET_OK and *out set to the wrapper, or
 * NET_EINVAL for a config out of range (see impair_dir_config), a NULL
 * clock, or an inner mtu too large.
 */
int impair_wrap(struct netdev *inner, const struct impair_config *cfg,
		struct netdev **out);

/*
 * Parse a direction's impairment, a comma-separated list of name:value
 *
 *   loss:P  dup:P  reorder:P   percentages 0..100, up to 4 decimals (0.5)
 *   delay:MS  jitter:MS        whole ms 0..60000; jitter <= delay
 *   seed:N                     0..4294967295 (default 0)
 *
 * e.g. "loss:5,dup:1,delay:10,jitter:5,seed:42", each name at most once;
 * reorder needs a delay to skip. Fields not given are 0. NET_OK and *out
 * filled, or NET_EINVAL and a one-line reason in err (NUL-terminated; *out
 * untouched).
 */
int impair_parse(const char *spec, struct impair_dir_config *out, char *err,
		 size_t err_cap);

/*
 * A direction's settings in the syntax impair_parse() reads, for logs:
 * "loss:5,dup:1,delay:10,jitter:5,reorder:0,seed:42". Returns the length
 * (as fmt_snprintf: >= cap means it was cut).
 */
int impair_describe(const struct impair_dir_config *cfg, char *buf, size_t cap);

/* Whether a direction's settings do nothing (pass-through). */
bool impair_is_clean(const struct impair_dir_config *cfg);

/*
 * Send the transmit copies that are due by now. Call from the idle loop;
 * a no-op for anything but the wrapper.
 */
void impair_poll(struct netdev *dev);

/*
 * The earliest time, in ms, at which a held copy (either direction) is
 * due, or UINT64_MAX when none is held. A received copy already due and not
 * yet taken by the stack gives a time <= now: the loop must poll at once.
 */
uint64_t impair_next_deadline(const struct netdev *dev);

/* One direction's counters: NET_OK, or NET_EINVAL for another device. */
int impair_get_stats(const struct netdev *dev, enum impair_dir dir,
		     struct impair_stats *out);

/*
 * Call emit(name, value) for every counter, rx then tx, named
 * "impair.rx_dropped", "impair.tx_pool_full", and so on.
 */
void impair_report(const struct netdev *dev,
		   void (*emit)(const char *name, uint64_t value));

#endif /* DRIVERS_IMPAIR_H */
