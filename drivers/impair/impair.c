/*
 * impair.c - the fault-injecting netdev (impair.h).
 *
 * One static wrapper. Each direction has its settings, a splitmix64 PRNG,
 * counters and a pool of CONFIG_IMPAIR_SLOTS frame slots. A slot holding a
 * copy is on the direction's `held` list with the time it is due and an
 * admission number that keeps copies due in the same ms in order; free
 * slots are on a stack. The earliest due copy is found by a linear scan of
 * the held list: the pool is small, and empty unless a delay is set. A
 * received copy lent to the stack is off both lists until rx_done().
 *
 * Fates are drawn per frame before anything else, always IMPAIR_DRAWS
 * numbers (loss, dup, then jitter and reorder for each of two copies), so
 * a frame's fate depends only on the seed and its place in its direction's
 * sequence, not on the settings or on the other direction's traffic.
 * The splitmix64 generator is Steele, Lea and Flood, "Fast splittable
 * pseudorandom number generators" (OOPSLA 2014), with Vigna's constants.
 */
#include "impair.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <kernel/cmdline.h>
#include <keel_config.h>
#include <klib/fmt.h>
#include <net/net.h>

#define IMPAIR_FRAME_MAX (CONFIG_NET_MTU + 14)
#define IMPAIR_SLOTS	 CONFIG_IMPAIR_SLOTS
#define IMPAIR_NONE	 UINT16_MAX /* no slot */
/* Random numbers drawn per frame, whatever the settings. */
#define IMPAIR_DRAWS 6
/* Counters in struct impair_stats, all uint64_t. */
#define IMPAIR_NSTATS 8

_Static_assert(IMPAIR_SLOTS >= 1 && IMPAIR_SLOTS < IMPAIR_NONE,
	       "[impair] slots must be 1..4096");
_Static_assert(sizeof(struct impair_stats) == IMPAIR_NSTATS * sizeof(uint64_t),
	       "struct impair_stats holds only uint64_t counters");

struct impair_slot {
	uint64_t due; /* ms */
	uint64_t seq; /* admission order within the direction */
	uint16_t len;
	uint16_t pos; /* index in the held list */
};

struct impair_way {
	struct impair_dir_config cfg;
	bool clean; /* nothing to do: pass frames through */
	uint64_t rng;
	uint64_t seq;
	struct impair_stats stats;
	uint16_t held[IMPAIR_SLOTS]; /* slots holding a copy, any order */
	uint16_t nheld;
	uint16_t free[IMPAIR_SLOTS]; /* a stack of free slots */
	uint16_t nfree;
	struct impair_slot slot[IMPAIR_SLOTS];
	uint8_t (*data)[IMPAIR_FRAME_MAX];
};

struct impair_state {
	struct netdev *inner;
	uint64_t (*now_ms)(void);
	struct impair_way way[2]; /* IMPAIR_RX, IMPAIR_TX */
	uint16_t rx_lent;	  /* slot lent to the stack, or IMPAIR_NONE */
};

static struct impair_state impair_state;
static uint8_t impair_data[2][IMPAIR_SLOTS][IMPAIR_FRAME_MAX];
static uint8_t impair_tx_buf[IMPAIR_FRAME_MAX];
static struct netdev impair_dev;

/* ---- PRNG --------------------------------------------------------------- */

static uint64_t impair_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * r scaled to [0, n), n <= 2^32: the top 32 bits times n, with a bias
 * under n / 2^32, none worth the name.
 */
static uint32_t impair_below(uint64_t r, uint32_t n)
{
	return (uint32_t)(((r >> 32) * (uint64_t)n) >> 32);
}

static bool impair_chance(uint64_t r, uint32_t ppm)
{
	return impair_below(r, IMPAIR_PPM_MAX) < ppm;
}

/* ---- the pool ----------------------------------------------------------- */

static void impair_way_reset(struct impair_way *w,
			     const struct impair_dir_config *cfg,
			     enum impair_dir dir,
			     uint8_t (*data)[IMPAIR_FRAME_MAX])
{
	memset(w, 0, sizeof(*w));
	w->cfg = *cfg;
	w->clean = impair_is_clean(cfg);
	/*
	 * One seed, two streams: the states differ by 0x200 ("rx", "tx" in
	 * ASCII), and splitmix64 steps its state by an odd constant, so the
	 * streams meet only 0x200 / 0x9e3779b97f4a7c15 mod 2^64 (over 2^60)
	 * draws apart.
	 */
	w->rng =
	    (uint64_t)cfg->seed << 32 | (dir == IMPAIR_RX ? 0x7278 : 0x7478);
	w->data = data;
	for (uint16_t i = 0; i < IMPAIR_SLOTS; i++)
		w->free[i] = (uint16_t)(IMPAIR_SLOTS - 1 - i);
	w->nfree = IMPAIR_SLOTS;
}

/* Whether slot a is to go before slot b. */
static bool impair_is_before(const struct impair_slot *a,
			     const struct impair_slot *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

/* The held slot to go first, or IMPAIR_NONE when none is held. */
static uint16_t impair_first(const struct impair_way *w)
{
	uint16_t best = IMPAIR_NONE;

	for (uint16_t i = 0; i < w->nheld; i++) {
		uint16_t s = w->held[i];

		if (best == IMPAIR_NONE ||
		    impair_is_before(&w->slot[s], &w->slot[best]))
			best = s;
	}
	return best;
}

/* The first held slot if it is due by now, else IMPAIR_NONE. */
static uint16_t impair_first_due(const struct impair_way *w, uint64_t now)
{
	uint16_t s = impair_first(w);

	return s != IMPAIR_NONE && w->slot[s].due <= now ? s : IMPAIR_NONE;
}

/* Takes slot s off the held list; it is then the caller's. */
static void impair_unhold(struct impair_way *w, uint16_t s)
{
	uint16_t last = w->held[--w->nheld];

	w->held[w->slot[s].pos] = last;
	w->slot[last].pos = w->slot[s].pos;
}

static void impair_release(struct impair_way *w, uint16_t s)
{
	w->free[w->nfree++] = s;
}

/* Holds a copy of the frame until `due`; counts it when the pool is full. */
static void impair_hold(struct impair_way *w, const uint8_t *frame, size_t len,
			uint64_t due)
{
	uint16_t s;

	if (w->nfree == 0) {
		w->stats.pool_full++;
		return;
	}
	s = w->free[--w->nfree];
	memcpy(w->data[s], frame, len);
	w->slot[s].due = due;
	w->slot[s].seq = w->seq++;
	w->slot[s].len = (uint16_t)len;
	w->slot[s].pos = w->nheld;
	w->held[w->nheld++] = s;
}

/* ---- fates -------------------------------------------------------------- */

/* The delay of one copy from its two draws, counted. */
static uint64_t impair_copy_delay(struct impair_way *w, uint64_t r_jitter,
				  uint64_t r_reorder)
{
	const struct impair_dir_config *c = &w->cfg;
	uint64_t delay = c->delay_ms;

	if (c->jitter_ms > 0)
		delay = delay - c->jitter_ms +
			impair_below(r_jitter, 2 * c->jitter_ms + 1);
	if (impair_chance(r_reorder, c->reorder_ppm)) {
		w->stats.reordered++;
		delay = 0;
	}
	if (delay > 0)
		w->stats.delayed++;
	return delay;
}

/* Decides a frame's fate and holds its copies (0, 1 or 2) in the pool. */
static void impair_admit(struct impair_way *w, const uint8_t *frame, size_t len,
			 uint64_t now)
{
	uint64_t r[IMPAIR_DRAWS];
	int copies = 1;

	for (int i = 0; i < IMPAIR_DRAWS; i++)
		r[i] = impair_rand(&w->rng);
	w->stats.frames++;
	if (impair_chance(r[0], w->cfg.loss_ppm)) {
		w->stats.dropped++;
		return;
	}
	if (impair_chance(r[1], w->cfg.dup_ppm)) {
		w->stats.duplicated++;
		copies = 2;
	}
	for (int c = 0; c < copies; c++)
		impair_hold(
		    w, frame, len,
		    now + impair_copy_delay(w, r[2 + 2 * c], r[3 + 2 * c]));
}

/* ---- transmit ----------------------------------------------------------- */

/* Copies the stack's MAC choice to the inner device. */
static void impair_sync_mac(struct impair_state *s)
{
	memcpy(s->inner->mac, impair_dev.mac, NETDEV_MAC_LEN);
}

/*
 * Sends the held transmit copies due by now, in order. Stops when the
 * inner device has no buffer; the rest wait for the next call.
 */
static void impair_tx_flush(struct impair_state *s, uint64_t now)
{
	struct impair_way *w = &s->way[IMPAIR_TX];
	struct netdev *in = s->inner;
	uint16_t slot;

	while ((slot = impair_first_due(w, now)) != IMPAIR_NONE) {
		size_t cap = 0;
		uint8_t *buf = in->ops->tx_acquire(in, &cap);
		size_t len = w->slot[slot].len;

		if (!buf)
			return;
		impair_unhold(w, slot);
		if (cap >= len) {
			memcpy(buf, w->data[slot], len);
			if (in->ops->tx_submit(in, len) == NET_OK)
				w->stats.passed++;
			else
				w->stats.dev_error++;
		} else {
			w->stats.dev_error++;
		}
		impair_release(w, slot);
	}
}

static uint8_t *impair_tx_acquire(struct netdev *dev, size_t *cap)
{
	struct impair_state *s = dev->priv;

	impair_sync_mac(s);
	if (s->way[IMPAIR_TX].clean)
		return s->inner->ops->tx_acquire(s->inner, cap);
	impair_tx_flush(s, s->now_ms());
	*cap = sizeof(impair_tx_buf);
	return impair_tx_buf;
}

static int impair_tx_submit(struct netdev *dev, size_t len)
{
	struct impair_state *s = dev->priv;
	struct impair_way *w = &s->way[IMPAIR_TX];
	uint64_t now;
	int rc;

	impair_sync_mac(s);
	if (w->clean) {
		rc = s->inner->ops->tx_submit(s->inner, len);
		w->stats.frames++;
		if (rc == NET_OK)
			w->stats.passed++;
		else
			w->stats.dev_error++;
		return rc;
	}
	if (len == 0 || len > sizeof(impair_tx_buf))
		return NET_EINVAL;
	now = s->now_ms();
	impair_admit(w, impair_tx_buf, len, now);
	impair_tx_flush(s, now);
	return NET_OK;
}

/* ---- receive ------------------------------------------------------------ */

/*
 * Moves frames waiting in the inner device into the pool, at most a
 * pool's worth per call so that a flood cannot keep us here. NET_OK when
 * the inner device has no more (or the bound was hit), else its error.
 */
static int impair_rx_pull(struct impair_state *s, uint64_t now)
{
	struct netdev *in = s->inner;

	for (unsigned i = 0; i < IMPAIR_SLOTS; i++) {
		const uint8_t *frame;
		int n = in->ops->rx_peek(in, &frame);

		if (n <= 0)
			return n;
		if ((size_t)n > IMPAIR_FRAME_MAX) {
			/* The inner device broke its own contract. */
			in->ops->rx_done(in);
			return NET_EMSGSIZE;
		}
		impair_admit(&s->way[IMPAIR_RX], frame, (size_t)n, now);
		in->ops->rx_done(in);
	}
	return NET_OK;
}

static int impair_rx_peek(struct netdev *dev, const uint8_t **frame)
{
	struct impair_state *s = dev->priv;
	struct impair_way *w = &s->way[IMPAIR_RX];
	uint64_t now;
	int rc;

	impair_sync_mac(s);
	if (s->rx_lent != IMPAIR_NONE) {
		*frame = w->data[s->rx_lent];
		return w->slot[s->rx_lent].len;
	}
	now = s->now_ms();
	if (!s->way[IMPAIR_TX].clean)
		impair_tx_flush(s, now);
	if (w->clean)
		return s->inner->ops->rx_peek(s->inner, frame);
	rc = impair_rx_pull(s, now);
	if (rc < 0)
		return rc;
	s->rx_lent = impair_first_due(w, now);
	if (s->rx_lent == IMPAIR_NONE)
		return 0;
	impair_unhold(w, s->rx_lent);
	*frame = w->data[s->rx_lent];
	return w->slot[s->rx_lent].len;
}

static void impair_rx_done(struct netdev *dev)
{
	struct impair_state *s = dev->priv;
	struct impair_way *w = &s->way[IMPAIR_RX];

	if (w->clean) {
		s->inner->ops->rx_done(s->inner);
		w->stats.frames++;
		w->stats.passed++;
		return;
	}
	if (s->rx_lent == IMPAIR_NONE)
		return;
	impair_release(w, s->rx_lent);
	s->rx_lent = IMPAIR_NONE;
	w->stats.passed++;
}

static bool impair_is_link_up(struct netdev *dev)
{
	struct impair_state *s = dev->priv;

	return s->inner->ops->is_link_up(s->inner);
}

static const struct netdev_ops impair_ops = {
    .rx_peek = impair_rx_peek,
    .rx_done = impair_rx_done,
    .tx_acquire = impair_tx_acquire,
    .tx_submit = impair_tx_submit,
    .is_link_up = impair_is_link_up,
};

/* ---- wrapping, polling, counters ---------------------------------------- */

bool impair_is_clean(const struct impair_dir_config *cfg)
{
	return cfg->loss_ppm == 0 && cfg->dup_ppm == 0 &&
	       cfg->reorder_ppm == 0 && cfg->delay_ms == 0 &&
	       cfg->jitter_ms == 0;
}

static bool impair_is_valid(const struct impair_dir_config *c)
{
	return c->loss_ppm <= IMPAIR_PPM_MAX && c->dup_ppm <= IMPAIR_PPM_MAX &&
	       c->reorder_ppm <= IMPAIR_PPM_MAX &&
	       c->delay_ms <= IMPAIR_DELAY_MAX_MS &&
	       c->jitter_ms <= c->delay_ms &&
	       (c->reorder_ppm == 0 || c->delay_ms > 0);
}

int impair_wrap(struct netdev *inner, const struct impair_config *cfg,
		struct netdev **out)
{
	struct impair_state *s = &impair_state;

	if (!inner || !cfg->now_ms || inner->mtu > CONFIG_NET_MTU ||
	    !impair_is_valid(&cfg->rx) || !impair_is_valid(&cfg->tx))
		return NET_EINVAL;
	memset(s, 0, sizeof(*s));
	s->inner = inner;
	s->now_ms = cfg->now_ms;
	s->rx_lent = IMPAIR_NONE;
	impair_way_reset(&s->way[IMPAIR_RX], &cfg->rx, IMPAIR_RX,
			 impair_data[IMPAIR_RX]);
	impair_way_reset(&s->way[IMPAIR_TX], &cfg->tx, IMPAIR_TX,
			 impair_data[IMPAIR_TX]);
	memset(&impair_dev, 0, sizeof(impair_dev));
	impair_dev.ops = &impair_ops;
	impair_dev.name = inner->name;
	memcpy(impair_dev.mac, inner->mac, NETDEV_MAC_LEN);
	impair_dev.mtu = inner->mtu;
	impair_dev.priv = s;
	*out = &impair_dev;
	return NET_OK;
}

static bool impair_is_ours(const struct netdev *dev)
{
	return dev == &impair_dev && impair_state.inner != NULL;
}

void impair_poll(struct netdev *dev)
{
	struct impair_state *s = &impair_state;

	if (!impair_is_ours(dev) || s->way[IMPAIR_TX].clean)
		return;
	impair_sync_mac(s);
	impair_tx_flush(s, s->now_ms());
}

uint64_t impair_next_deadline(const struct netdev *dev)
{
	uint64_t next = UINT64_MAX;

	if (!impair_is_ours(dev))
		return next;
	for (int d = IMPAIR_RX; d <= IMPAIR_TX; d++) {
		const struct impair_way *w = &impair_state.way[d];
		uint16_t s = impair_first(w);

		if (s != IMPAIR_NONE && w->slot[s].due < next)
			next = w->slot[s].due;
	}
	return next;
}

int impair_get_stats(const struct netdev *dev, enum impair_dir dir,
		     struct impair_stats *out)
{
	if (!impair_is_ours(dev) || (dir != IMPAIR_RX && dir != IMPAIR_TX))
		return NET_EINVAL;
	*out = impair_state.way[dir].stats;
	return NET_OK;
}

void impair_report(const struct netdev *dev,
		   void (*emit)(const char *name, uint64_t value))
{
	/* In the order of struct impair_stats. */
	static const char *const names[2][IMPAIR_NSTATS] = {
	    {"impair.rx_frames", "impair.rx_dropped", "impair.rx_duplicated",
	     "impair.rx_delayed", "impair.rx_reordered", "impair.rx_pool_full",
	     "impair.rx_dev_error", "impair.rx_passed"},
	    {"impair.tx_frames", "impair.tx_dropped", "impair.tx_duplicated",
	     "impair.tx_delayed", "impair.tx_reordered", "impair.tx_pool_full",
	     "impair.tx_dev_error", "impair.tx_passed"},
	};
	uint64_t v[IMPAIR_NSTATS];

	if (!impair_is_ours(dev))
		return;
	for (int d = IMPAIR_RX; d <= IMPAIR_TX; d++) {
		memcpy(v, &impair_state.way[d].stats, sizeof(v));
		for (int i = 0; i < IMPAIR_NSTATS; i++)
			emit(names[d][i], v[i]);
	}
}

/* ---- parsing and describing --------------------------------------------- */

enum impair_kind {
	IMPAIR_KIND_PERCENT,
	IMPAIR_KIND_MS,
	IMPAIR_KIND_SEED,
};

struct impair_field {
	const char *name;
	enum impair_kind kind;
	size_t offset; /* of its uint32_t in struct impair_dir_config */
};

#define IMPAIR_FIELD(n, k, member)                                             \
	{                                                                      \
		n, k, offsetof(struct impair_dir_config, member)               \
	}

static const struct impair_field impair_fields[] = {
    IMPAIR_FIELD("loss", IMPAIR_KIND_PERCENT, loss_ppm),
    IMPAIR_FIELD("dup", IMPAIR_KIND_PERCENT, dup_ppm),
    IMPAIR_FIELD("reorder", IMPAIR_KIND_PERCENT, reorder_ppm),
    IMPAIR_FIELD("delay", IMPAIR_KIND_MS, delay_ms),
    IMPAIR_FIELD("jitter", IMPAIR_KIND_MS, jitter_ms),
    IMPAIR_FIELD("seed", IMPAIR_KIND_SEED, seed),
};

#define IMPAIR_NFIELDS (sizeof(impair_fields) / sizeof(impair_fields[0]))

static int impair_fail(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int impair_fail(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return NET_EINVAL;
}

/* "P" or "P.F" (1 to 4 decimals), 0..100, in ppm. */
static int impair_parse_percent(char *str, uint32_t *ppm)
{
	char *dot = strchr(str, '.');
	uint32_t whole, frac = 0, scale = 1000;

	if (dot) {
		*dot = '\0';
		if (dot[1] == '\0' || strlen(dot + 1) > 4)
			return NET_EINVAL;
		for (const char *p = dot + 1; *p; p++, scale /= 10) {
			if (*p < '0' || *p > '9')
				return NET_EINVAL;
			frac += (uint32_t)(*p - '0') * scale;
		}
	}
	if (cmdline_parse_u32(str, 0, 100, &whole) != NET_OK ||
	    whole * 10000 + frac > IMPAIR_PPM_MAX)
		return NET_EINVAL;
	*ppm = whole * 10000 + frac;
	return NET_OK;
}

static int impair_parse_value(const struct impair_field *f, char *str,
			      uint32_t *out)
{
	switch (f->kind) {
	case IMPAIR_KIND_PERCENT:
		return impair_parse_percent(str, out);
	case IMPAIR_KIND_MS:
		return cmdline_parse_u32(str, 0, IMPAIR_DELAY_MAX_MS, out);
	case IMPAIR_KIND_SEED:
		return cmdline_parse_u32(str, 0, UINT32_MAX, out);
	}
	return NET_EINVAL;
}

static const char *impair_expected(enum impair_kind kind)
{
	switch (kind) {
	case IMPAIR_KIND_PERCENT:
		return "a percentage 0..100 with up to 4 decimals, like 5 or "
		       "0.5";
	case IMPAIR_KIND_MS:
		return "whole milliseconds 0..60000";
	case IMPAIR_KIND_SEED:
		return "a whole number 0..4294967295";
	}
	return "?";
}

static const struct impair_field *impair_find_field(const char *name)
{
	for (size_t i = 0; i < IMPAIR_NFIELDS; i++) {
		if (strcmp(impair_fields[i].name, name) == 0)
			return &impair_fields[i];
	}
	return NULL;
}

/* One name:value item into *cfg; `seen` marks the fields given so far. */
static int impair_parse_item(char *item, struct impair_dir_config *cfg,
			     bool seen[IMPAIR_NFIELDS], char *err, size_t cap)
{
	char *colon = strchr(item, ':');
	const struct impair_field *f;
	uint32_t v;

	if (*item == '\0')
		return impair_fail(err, cap, "empty field (a stray ',')");
	if (!colon)
		return impair_fail(err, cap, "'%s': expected name:value", item);
	*colon = '\0';
	f = impair_find_field(item);
	if (!f)
		return impair_fail(err, cap,
				   "'%s': unknown; expected loss, dup, "
				   "reorder, delay, jitter or seed",
				   item);
	if (seen[f - impair_fields])
		return impair_fail(err, cap, "'%s' given twice", f->name);
	seen[f - impair_fields] = true;
	if (impair_parse_value(f, colon + 1, &v) != NET_OK)
		return impair_fail(err, cap, "%s:%s: expected %s", f->name,
				   colon + 1, impair_expected(f->kind));
	memcpy((uint8_t *)cfg + f->offset, &v, sizeof(v));
	return NET_OK;
}

static int impair_check_relations(const struct impair_dir_config *c, char *err,
				  size_t cap)
{
	if (c->jitter_ms > c->delay_ms)
		return impair_fail(err, cap,
				   "jitter:%u is more than delay:%u (a "
				   "delay cannot go below 0)",
				   (unsigned)c->jitter_ms,
				   (unsigned)c->delay_ms);
	if (c->reorder_ppm > 0 && c->delay_ms == 0)
		return impair_fail(err, cap,
				   "reorder needs a delay for frames to "
				   "skip (add delay:MS)");
	return NET_OK;
}

int impair_parse(const char *spec, struct impair_dir_config *out, char *err,
		 size_t err_cap)
{
	char buf[CMDLINE_TOKEN_MAX + 1];
	bool seen[IMPAIR_NFIELDS] = {false};
	struct impair_dir_config cfg;
	size_t len = strnlen(spec, sizeof(buf));
	char *item = buf;

	if (len == 0)
		return impair_fail(err, err_cap,
				   "empty; expected name:value,... like "
				   "loss:5,delay:10,seed:1");
	if (len >= sizeof(buf))
		return impair_fail(err, err_cap, "longer than %d bytes",
				   CMDLINE_TOKEN_MAX);
	memcpy(buf, spec, len + 1);
	memset(&cfg, 0, sizeof(cfg));
	for (;;) {
		char *comma = strchr(item, ',');

		if (comma)
			*comma = '\0';
		if (impair_parse_item(item, &cfg, seen, err, err_cap) != NET_OK)
			return NET_EINVAL;
		if (!comma)
			break;
		item = comma + 1;
	}
	if (impair_check_relations(&cfg, err, err_cap) != NET_OK)
		return NET_EINVAL;
	*out = cfg;
	if (err_cap > 0)
		err[0] = '\0';
	return NET_OK;
}

/* A ppm value as a percentage with no trailing zeros: "5", "0.25". */
static char *impair_percent_text(char buf[static 12], uint32_t ppm)
{
	int n = fmt_snprintf(buf, 12, "%u.%04u", (unsigned)(ppm / 10000),
			     (unsigned)(ppm % 10000));

	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
	return buf;
}

int impair_describe(const struct impair_dir_config *cfg, char *buf, size_t cap)
{
	char loss[12], dup[12], reorder[12];

	return fmt_snprintf(buf, cap,
			    "loss:%s,dup:%s,delay:%u,jitter:%u,reorder:%s,"
			    "seed:%u",
			    impair_percent_text(loss, cfg->loss_ppm),
			    impair_percent_text(dup, cfg->dup_ppm),
			    (unsigned)cfg->delay_ms, (unsigned)cfg->jitter_ms,
			    impair_percent_text(reorder, cfg->reorder_ppm),
			    (unsigned)cfg->seed);
}
