/*
 * test_impair.c - the fault-injecting netdev (drivers/impair/impair.c).
 *
 * The wrapper sits on a fake inner device (a queue of frames to receive, a
 * log of frames transmitted) and a fake clock. Each frame carries an id in
 * bytes 14..17 and a pattern derived from it, so a test can tell which
 * frame came out, when, and that its bytes are untouched.
 */
#include "test.h"

#include <keel_config.h>
#include <net/net.h>

#include "impair.h"

#define T_FRAME_MAX (CONFIG_NET_MTU + 14)
#define T_RX_MAX    (CONFIG_IMPAIR_SLOTS + 64)
#define T_LOG_MAX   8192
#define T_LEN	    64 /* the usual test frame */

/* ---- fake clock and inner device ---------------------------------------- */

static uint64_t t_now;

static uint64_t t_clock(void)
{
	return t_now;
}

struct t_frame {
	size_t len;
	uint8_t data[T_FRAME_MAX];
};

/* A frame the inner device transmitted. */
struct t_sent {
	uint32_t id;
	size_t len;
	uint64_t at;
	bool intact; /* bytes as make_frame() wrote them */
};

static struct t_frame t_rx[T_RX_MAX];
static size_t t_rx_head, t_rx_count;
static int t_rx_error; /* returned once by the next rx_peek, if not 0 */
static uint8_t t_tx_buf[T_FRAME_MAX];
static bool t_tx_busy;	/* tx_acquire() returns NULL */
static int t_tx_result; /* what tx_submit() returns */
static struct t_sent t_log[T_LOG_MAX];
static size_t t_sent_n; /* frames transmitted, logged or not */

static void t_make_frame(uint8_t *buf, uint32_t id, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(id * 31u + i * 7u);
	if (len >= 18) {
		buf[14] = (uint8_t)(id >> 24);
		buf[15] = (uint8_t)(id >> 16);
		buf[16] = (uint8_t)(id >> 8);
		buf[17] = (uint8_t)id;
	}
}

static uint32_t t_frame_id(const uint8_t *buf)
{
	return (uint32_t)buf[14] << 24 | (uint32_t)buf[15] << 16 |
	       (uint32_t)buf[16] << 8 | buf[17];
}

static bool t_is_intact(const uint8_t *buf, size_t len)
{
	static uint8_t want[T_FRAME_MAX];

	t_make_frame(want, t_frame_id(buf), len);
	return memcmp(buf, want, len) == 0;
}

static int t_inner_rx_peek(struct netdev *dev, const uint8_t **frame)
{
	(void)dev;
	if (t_rx_error) {
		int e = t_rx_error;

		t_rx_error = 0;
		return e;
	}
	if (t_rx_count == 0)
		return 0;
	*frame = t_rx[t_rx_head].data;
	return (int)t_rx[t_rx_head].len;
}

static void t_inner_rx_done(struct netdev *dev)
{
	(void)dev;
	/* Poison: the wrapper must have copied what it keeps. */
	memset(t_rx[t_rx_head].data, 0xa5, T_FRAME_MAX);
	t_rx_head = (t_rx_head + 1) % T_RX_MAX;
	t_rx_count--;
}

static uint8_t *t_inner_tx_acquire(struct netdev *dev, size_t *cap)
{
	(void)dev;
	if (t_tx_busy)
		return NULL;
	*cap = sizeof(t_tx_buf);
	return t_tx_buf;
}

static int t_inner_tx_submit(struct netdev *dev, size_t len)
{
	(void)dev;
	if (t_tx_result != NET_OK)
		return t_tx_result;
	if (t_sent_n < T_LOG_MAX) {
		struct t_sent *s = &t_log[t_sent_n];

		s->id = t_frame_id(t_tx_buf);
		s->len = len;
		s->at = t_now;
		s->intact = t_is_intact(t_tx_buf, len);
	}
	t_sent_n++;
	memset(t_tx_buf, 0x5a, sizeof(t_tx_buf));
	return NET_OK;
}

static bool t_inner_is_link_up(struct netdev *dev)
{
	(void)dev;
	return true;
}

static const struct netdev_ops t_inner_ops = {
    .rx_peek = t_inner_rx_peek,
    .rx_done = t_inner_rx_done,
    .tx_acquire = t_inner_tx_acquire,
    .tx_submit = t_inner_tx_submit,
    .is_link_up = t_inner_is_link_up,
};

static struct netdev t_inner = {
    .ops = &t_inner_ops,
    .name = "fake0",
    .mtu = CONFIG_NET_MTU,
};

static bool t_inject(uint32_t id, size_t len)
{
	struct t_frame *f;

	if (t_rx_count == T_RX_MAX)
		return false;
	f = &t_rx[(t_rx_head + t_rx_count) % T_RX_MAX];
	f->len = len;
	t_make_frame(f->data, id, len);
	t_rx_count++;
	return true;
}

/* ---- helpers ------------------------------------------------------------ */

static struct netdev *t_dev;

static void t_reset(void)
{
	t_now = 1000;
	t_rx_head = t_rx_count = 0;
	t_rx_error = 0;
	t_tx_busy = false;
	t_tx_result = NET_OK;
	t_sent_n = 0;
	memset(t_inner.mac, 0, sizeof(t_inner.mac));
}

/* Wraps the fake with these settings; the test fails if that fails. */
static bool t_wrap(const char *rx, const char *tx)
{
	struct impair_config cfg;
	char err[160];

	t_reset();
	memset(&cfg, 0, sizeof(cfg));
	cfg.now_ms = t_clock;
	if (rx && impair_parse(rx, &cfg.rx, err, sizeof(err)) != NET_OK)
		return false;
	if (tx && impair_parse(tx, &cfg.tx, err, sizeof(err)) != NET_OK)
		return false;
	return impair_wrap(&t_inner, &cfg, &t_dev) == NET_OK;
}

/* The stack sends frame `id`: NET_OK or the wrapper's error. */
static int t_send(uint32_t id, size_t len)
{
	size_t cap = 0;
	uint8_t *buf = t_dev->ops->tx_acquire(t_dev, &cap);

	if (!buf || cap < len)
		return NET_ENOBUFS;
	t_make_frame(buf, id, len);
	return t_dev->ops->tx_submit(t_dev, len);
}

/*
 * The stack takes every frame that is due now; their ids into ids[] (up
 * to max). Returns how many, or -1 when one was not intact.
 */
static int t_recv_all(uint32_t *ids, size_t max)
{
	const uint8_t *frame;
	int n, got = 0;

	while ((n = t_dev->ops->rx_peek(t_dev, &frame)) > 0) {
		if (!t_is_intact(frame, (size_t)n))
			return -1;
		if ((size_t)got < max)
			ids[got] = t_frame_id(frame);
		got++;
		t_dev->ops->rx_done(t_dev);
	}
	return got;
}

static struct impair_stats t_stats(enum impair_dir dir)
{
	struct impair_stats st;

	memset(&st, 0, sizeof(st));
	impair_get_stats(t_dev, dir, &st);
	return st;
}

/* Whether |got - n p| is within 5 standard deviations of a binomial. */
static bool t_is_near(uint64_t got, uint64_t n, double p)
{
	double mean = (double)n * p;
	double sd = 0;
	double var = (double)n * p * (1 - p);

	/* A square root without libm: a few Newton steps suffice. */
	sd = var > 1 ? var : 1;
	for (int i = 0; i < 40; i++)
		sd = 0.5 * (sd + var / sd);
	return (double)got >= mean - 5 * sd && (double)got <= mean + 5 * sd;
}

/* ---- pass-through ------------------------------------------------------- */

TEST(zero_config_passes_frames_unchanged_and_in_order)
{
	static const size_t lens[] = {10, 14, 42, 60, 61, 1000, T_FRAME_MAX};
	const size_t nlens = sizeof(lens) / sizeof(lens[0]);
	const uint8_t *frame;
	uint32_t ids[64];
	int n;

	CHECK(t_wrap(NULL, NULL));
	CHECK_STR(t_dev->name, "fake0");
	CHECK_EQ(t_dev->mtu, CONFIG_NET_MTU);
	for (uint32_t i = 0; i < 40; i++)
		CHECK(t_inject(i, lens[i % nlens] < 18 ? 18 : lens[i % nlens]));
	/* The inner device's own buffer, lent without a copy. */
	CHECK(t_dev->ops->rx_peek(t_dev, &frame) > 0);
	CHECK(frame == t_rx[t_rx_head].data);
	n = t_recv_all(ids, 64);
	CHECK_EQ(n, 40);
	for (uint32_t i = 0; i < 40; i++)
		CHECK_EQ(ids[i], i);
	for (uint32_t i = 0; i < 40; i++)
		CHECK_EQ(t_send(i, lens[i % nlens] < 18 ? 18 : lens[i % nlens]),
			 NET_OK);
	CHECK_EQ(t_sent_n, 40);
	for (uint32_t i = 0; i < 40; i++) {
		CHECK_EQ(t_log[i].id, i);
		CHECK(t_log[i].intact);
		CHECK_EQ(t_log[i].at, 1000);
	}
	CHECK_EQ(t_stats(IMPAIR_RX).passed, 40);
	CHECK_EQ(t_stats(IMPAIR_TX).passed, 40);
	CHECK_EQ(impair_next_deadline(t_dev), UINT64_MAX);
}

TEST(zero_config_passes_errors_through)
{
	const uint8_t *frame;

	CHECK(t_wrap(NULL, NULL));
	t_rx_error = NET_EMSGSIZE;
	CHECK_EQ(t_dev->ops->rx_peek(t_dev, &frame), NET_EMSGSIZE);
	t_tx_result = NET_EIO;
	CHECK_EQ(t_send(1, T_LEN), NET_EIO);
	CHECK_EQ(t_stats(IMPAIR_TX).dev_error, 1);
	t_tx_busy = true;
	CHECK_EQ(t_send(1, T_LEN), NET_ENOBUFS);
}

TEST(loss_keeps_the_rest_in_order_and_intact)
{
	uint32_t ids[1000];
	int n;
	uint32_t last = 0;

	CHECK(t_wrap("loss:30,seed:7", "loss:30,seed:7"));
	for (uint32_t i = 1; i <= 200; i++)
		CHECK(t_inject(i, 18 + i));
	n = t_recv_all(ids, 1000);
	CHECK(n > 100 && n < 180);
	for (int i = 0; i < n; i++) {
		CHECK(ids[i] > last);
		last = ids[i];
	}
	CHECK_EQ((uint64_t)n + t_stats(IMPAIR_RX).dropped, 200);
	for (uint32_t i = 1; i <= 200; i++)
		CHECK_EQ(t_send(i, 18 + i), NET_OK);
	last = 0;
	for (size_t i = 0; i < t_sent_n; i++) {
		CHECK(t_log[i].id > last && t_log[i].intact);
		CHECK_EQ(t_log[i].len, 18 + t_log[i].id);
		last = t_log[i].id;
	}
	CHECK_EQ(t_sent_n + t_stats(IMPAIR_TX).dropped, 200);
}

/* ---- determinism -------------------------------------------------------- */

#define T_RUN_FRAMES 3000

/* The frames out of one run: ids and times, transmit then receive. */
struct t_run {
	size_t n;
	uint32_t id[2 * T_RUN_FRAMES * 2];
	uint64_t at[2 * T_RUN_FRAMES * 2];
};

static void t_record(struct t_run *r, uint32_t id)
{
	if (r->n < sizeof(r->id) / sizeof(r->id[0])) {
		r->id[r->n] = id;
		r->at[r->n] = t_now;
		r->n++;
	}
}

/* One frame each way per ms, then time for the held ones to come out. */
static bool t_run(const char *spec, struct t_run *r)
{
	uint32_t ids[T_RX_MAX];
	size_t logged = 0;

	memset(r, 0, sizeof(*r));
	if (!t_wrap(spec, spec))
		return false;
	for (uint32_t i = 0; i < T_RUN_FRAMES + 100; i++, t_now++) {
		int n;

		if (i < T_RUN_FRAMES &&
		    (t_send(i, T_LEN) != NET_OK || !t_inject(i, T_LEN)))
			return false;
		impair_poll(t_dev);
		n = t_recv_all(ids, T_RX_MAX);
		if (n < 0)
			return false;
		for (; logged < t_sent_n && logged < T_LOG_MAX; logged++)
			t_record(r, t_log[logged].id | 0x80000000u);
		for (int k = 0; k < n; k++)
			t_record(r, ids[k]);
	}
	return impair_next_deadline(t_dev) == UINT64_MAX;
}

static bool t_same_run(const struct t_run *a, const struct t_run *b)
{
	return a->n == b->n &&
	       memcmp(a->id, b->id, a->n * sizeof(a->id[0])) == 0 &&
	       memcmp(a->at, b->at, a->n * sizeof(a->at[0])) == 0;
}

TEST(same_seed_gives_the_same_frames_at_the_same_times)
{
	static struct t_run a, b, c;
	const char *spec = "loss:20,dup:10,delay:10,jitter:5,reorder:5,seed:42";

	CHECK(t_run(spec, &a));
	CHECK(a.n > T_RUN_FRAMES);
	CHECK(t_run(spec, &b));
	CHECK(t_same_run(&a, &b));
	CHECK(t_run("loss:20,dup:10,delay:10,jitter:5,reorder:5,seed:43", &c));
	CHECK(!t_same_run(&a, &c));
}

TEST(directions_draw_from_different_streams)
{
	uint32_t ids[256];
	bool rx_got[200] = {false};
	int n, same = 0;

	CHECK(t_wrap("loss:50,seed:9", "loss:50,seed:9"));
	for (uint32_t i = 0; i < 200; i++) {
		CHECK(t_inject(i, T_LEN));
		CHECK_EQ(t_send(i, T_LEN), NET_OK);
	}
	n = t_recv_all(ids, 256);
	CHECK(n > 0);
	for (int i = 0; i < n; i++)
		rx_got[ids[i]] = true;
	for (size_t i = 0; i < t_sent_n; i++)
		same += rx_got[t_log[i].id];
	/* Independent 50 % coins agree on about a quarter of the frames. */
	CHECK(same < (int)t_sent_n);
	CHECK(t_is_near((uint64_t)same, 200, 0.25));
}

/* Which of `n` frames received through `spec` came out, at least once. */
static bool t_survivors(const char *spec, uint32_t n, bool *got)
{
	uint32_t ids[T_RX_MAX];

	if (!t_wrap(spec, NULL))
		return false;
	memset(got, 0, n * sizeof(*got));
	for (uint32_t i = 0; i < n + 100; i++, t_now++) {
		int k;

		if (i < n && !t_inject(i, T_LEN))
			return false;
		k = t_recv_all(ids, T_RX_MAX);
		if (k < 0)
			return false;
		for (int j = 0; j < k; j++)
			got[ids[j]] = true;
	}
	return true;
}

TEST(fates_do_not_depend_on_other_settings)
{
	static bool a[2000], b[2000];
	size_t lost = 0;

	/* Adding duplication and delay loses the very same frames. */
	CHECK(t_survivors("loss:10,seed:5", 2000, a));
	CHECK(t_survivors("loss:10,dup:30,delay:3,jitter:2,reorder:5,seed:5",
			  2000, b));
	CHECK_MEM(a, b, sizeof(a));
	for (size_t i = 0; i < 2000; i++)
		lost += !a[i];
	CHECK(t_is_near(lost, 2000, 0.1));
}

/* ---- rates -------------------------------------------------------------- */

/* Streams `frames` frames through one direction, 1 per ms, and drains. */
static bool t_stream(enum impair_dir dir, uint32_t frames, uint64_t *out)
{
	uint32_t ids[T_RX_MAX];
	uint64_t got = 0;

	for (uint32_t i = 0; i < frames + 1000; i++, t_now++) {
		int n;

		if (i < frames) {
			if (dir == IMPAIR_TX ? t_send(i, T_LEN) != NET_OK
					     : !t_inject(i, T_LEN))
				return false;
		}
		impair_poll(t_dev);
		n = t_recv_all(ids, T_RX_MAX);
		if (n < 0)
			return false;
		got += (uint64_t)n;
	}
	*out = dir == IMPAIR_TX ? t_sent_n : got;
	return true;
}

TEST(loss_and_dup_rates_within_bounds)
{
	const uint32_t n = 100000;

	for (int d = IMPAIR_RX; d <= IMPAIR_TX; d++) {
		const char *spec = "loss:5,dup:1,seed:1";
		struct impair_stats st;
		uint64_t out;

		CHECK(t_wrap(d == IMPAIR_RX ? spec : NULL,
			     d == IMPAIR_TX ? spec : NULL));
		CHECK(t_stream((enum impair_dir)d, n, &out));
		st = t_stats((enum impair_dir)d);
		CHECK_EQ(st.frames, n);
		CHECK(t_is_near(st.dropped, n, 0.05));
		/* Duplication is drawn for the frames not lost. */
		CHECK(t_is_near(st.duplicated, n - st.dropped, 0.01));
		CHECK_EQ(out, n - st.dropped + st.duplicated);
		CHECK_EQ(st.passed, out);
		CHECK_EQ(st.delayed + st.pool_full + st.reordered, 0);
	}
}

TEST(high_rates_within_bounds)
{
	const uint32_t n = 20000;
	struct impair_stats st;
	uint64_t out;

	CHECK(t_wrap(NULL, "loss:50,dup:50,seed:1234"));
	CHECK(t_stream(IMPAIR_TX, n, &out));
	st = t_stats(IMPAIR_TX);
	CHECK(t_is_near(st.dropped, n, 0.5));
	CHECK(t_is_near(st.duplicated, n - st.dropped, 0.5));
	CHECK(t_wrap(NULL, "loss:100"));
	CHECK(t_stream(IMPAIR_TX, 1000, &out));
	CHECK_EQ(out, 0);
	CHECK(t_wrap(NULL, "dup:100"));
	CHECK(t_stream(IMPAIR_TX, 1000, &out));
	CHECK_EQ(out, 2000);
	/* Both copies of a frame without delay go out together, in order. */
	for (size_t i = 0; i < 2000; i++)
		CHECK_EQ(t_log[i].id, i / 2);
}

/* ---- delay, jitter, reordering ------------------------------------------ */

TEST(delay_is_exact_in_both_directions)
{
	const uint8_t *frame;

	CHECK(t_wrap("delay:10", "delay:10"));
	CHECK(t_inject(1, T_LEN));
	CHECK_EQ(t_send(2, T_LEN), NET_OK);
	CHECK_EQ(t_dev->ops->rx_peek(t_dev, &frame), 0);
	CHECK_EQ(t_sent_n, 0);
	CHECK_EQ(impair_next_deadline(t_dev), 1010);
	t_now = 1009;
	impair_poll(t_dev);
	CHECK_EQ(t_dev->ops->rx_peek(t_dev, &frame), 0);
	CHECK_EQ(t_sent_n, 0);
	t_now = 1010;
	impair_poll(t_dev);
	CHECK_EQ(t_sent_n, 1);
	CHECK_EQ(t_log[0].id, 2);
	CHECK_EQ(t_log[0].at, 1010);
	CHECK(t_log[0].intact);
	CHECK_EQ(t_dev->ops->rx_peek(t_dev, &frame), T_LEN);
	CHECK_EQ(t_frame_id(frame), 1);
	CHECK(t_is_intact(frame, T_LEN));
	t_dev->ops->rx_done(t_dev);
	CHECK_EQ(impair_next_deadline(t_dev), UINT64_MAX);
	CHECK_EQ(t_stats(IMPAIR_RX).delayed, 1);
	CHECK_EQ(t_stats(IMPAIR_TX).delayed, 1);
}

TEST(delay_without_jitter_keeps_order)
{
	uint32_t ids[T_RX_MAX];
	uint32_t next = 0;

	CHECK(t_wrap("delay:7", "delay:7"));
	for (uint32_t i = 0; i < 500; i++, t_now++) {
		int n;

		CHECK(t_inject(i, T_LEN));
		CHECK_EQ(t_send(i, T_LEN), NET_OK);
		n = t_recv_all(ids, T_RX_MAX);
		for (int k = 0; k < n; k++)
			CHECK_EQ(ids[k], next++);
	}
	CHECK_EQ(next, 493);
	for (size_t i = 0; i < t_sent_n; i++) {
		CHECK_EQ(t_log[i].id, i);
		CHECK_EQ(t_log[i].at, 1000 + i + 7);
	}
}

TEST(jitter_spreads_delays_uniformly_and_reorders)
{
	uint64_t seen[11] = {0};
	uint64_t sum = 0;
	size_t inversions = 0;

	CHECK(t_wrap(NULL, "delay:10,jitter:5,seed:3"));
	for (uint32_t i = 0; i < 5000 + 20; i++, t_now++) {
		if (i < 5000)
			CHECK_EQ(t_send(i, T_LEN), NET_OK);
		impair_poll(t_dev);
	}
	CHECK_EQ(t_sent_n, 5000);
	for (size_t i = 0; i < t_sent_n; i++) {
		/* Frame id was sent at 1000 + id. */
		uint64_t d = t_log[i].at - (1000 + t_log[i].id);

		CHECK(d >= 5 && d <= 15);
		seen[d - 5]++;
		sum += d;
		if (i > 0 && t_log[i].id < t_log[i - 1].id)
			inversions++;
	}
	for (int k = 0; k < 11; k++)
		CHECK(t_is_near(seen[k], 5000, 1.0 / 11));
	CHECK(sum >= 5000 * 10 - 5000 / 5 && sum <= 5000 * 10 + 5000 / 5);
	CHECK(inversions > 500);
}

TEST(reorder_sends_some_frames_ahead)
{
	size_t ahead = 0;
	struct impair_stats st;

	CHECK(t_wrap(NULL, "delay:50,reorder:25,seed:11"));
	for (uint32_t i = 0; i < 4000 + 60; i++, t_now++) {
		if (i < 4000)
			CHECK_EQ(t_send(i, T_LEN), NET_OK);
		impair_poll(t_dev);
	}
	CHECK_EQ(t_sent_n, 4000);
	for (size_t i = 0; i < t_sent_n; i++) {
		uint64_t d = t_log[i].at - (1000 + t_log[i].id);

		CHECK(d == 0 || d == 50);
		ahead += d == 0;
	}
	st = t_stats(IMPAIR_TX);
	CHECK_EQ(st.reordered, ahead);
	CHECK_EQ(st.delayed, 4000 - ahead);
	CHECK(t_is_near(ahead, 4000, 0.25));
}

/* ---- the pool ----------------------------------------------------------- */

TEST(pool_exhaustion_is_counted_and_the_rest_delivered)
{
	uint32_t ids[T_RX_MAX];
	int n;

	CHECK(t_wrap("delay:100", "delay:100"));
	for (uint32_t i = 0; i < CONFIG_IMPAIR_SLOTS + 10; i++) {
		CHECK(t_inject(i, T_LEN));
		CHECK_EQ(t_send(i, T_LEN), NET_OK);
	}
	/* One pool's worth is pulled per call: the pool fills, ... */
	CHECK_EQ(t_recv_all(ids, T_RX_MAX), 0);
	CHECK_EQ(t_stats(IMPAIR_RX).pool_full, 0);
	/* ... and the next call finds no room for the rest. */
	CHECK_EQ(t_recv_all(ids, T_RX_MAX), 0);
	CHECK_EQ(t_stats(IMPAIR_RX).pool_full, 10);
	CHECK_EQ(t_stats(IMPAIR_TX).pool_full, 10);
	CHECK_EQ(t_rx_count, 0);
	t_now += 100;
	impair_poll(t_dev);
	n = t_recv_all(ids, T_RX_MAX);
	CHECK_EQ(n, CONFIG_IMPAIR_SLOTS);
	for (int i = 0; i < n; i++)
		CHECK_EQ(ids[i], i);
	CHECK_EQ(t_sent_n, CONFIG_IMPAIR_SLOTS);
	for (size_t i = 0; i < t_sent_n; i++)
		CHECK_EQ(t_log[i].id, i);
	/* The slots are free again. */
	CHECK_EQ(t_send(9999, T_LEN), NET_OK);
	CHECK_EQ(t_stats(IMPAIR_TX).pool_full, 10);
}

TEST(full_size_frames_fit_a_slot)
{
	uint32_t ids[4];
	size_t cap = 0;

	CHECK(t_wrap("delay:1", "delay:1"));
	CHECK(t_inject(77, T_FRAME_MAX));
	CHECK_EQ(t_recv_all(ids, 4), 0);
	CHECK_EQ(t_send(78, T_FRAME_MAX), NET_OK);
	t_now++;
	impair_poll(t_dev);
	CHECK_EQ(t_recv_all(ids, 4), 1);
	CHECK_EQ(ids[0], 77);
	CHECK_EQ(t_sent_n, 1);
	CHECK(t_log[0].intact);
	CHECK_EQ(t_log[0].len, T_FRAME_MAX);
	CHECK(t_dev->ops->tx_acquire(t_dev, &cap) != NULL);
	CHECK_EQ(t_dev->ops->tx_submit(t_dev, cap + 1), NET_EINVAL);
	CHECK_EQ(t_dev->ops->tx_submit(t_dev, 0), NET_EINVAL);
}

/* ---- the netdev contract ------------------------------------------------ */

TEST(rx_peek_lends_the_same_frame_until_rx_done)
{
	const uint8_t *a, *b;

	CHECK(t_wrap("loss:0.0001,seed:1", NULL));
	CHECK(t_inject(1, T_LEN));
	CHECK(t_inject(2, T_LEN));
	CHECK_EQ(t_dev->ops->rx_peek(t_dev, &a), T_LEN);
	CHECK_EQ(t_dev->ops->rx_peek(t_dev, &b), T_LEN);
	CHECK(a == b);
	CHECK_EQ(t_frame_id(a), 1);
	t_dev->ops->rx_done(t_dev);
	CHECK_EQ(t_dev->ops->rx_peek(t_dev, &b), T_LEN);
	CHECK_EQ(t_frame_id(b), 2);
	t_dev->ops->rx_done(t_dev);
	CHECK_EQ(t_dev->ops->rx_peek(t_dev, &b), 0);
	/* A stray rx_done() changes nothing. */
	t_dev->ops->rx_done(t_dev);
	CHECK_EQ(t_stats(IMPAIR_RX).passed, 2);
}

TEST(tx_acquire_twice_lends_the_same_buffer)
{
	size_t cap1 = 0, cap2 = 0;
	uint8_t *a, *b;

	CHECK(t_wrap(NULL, "delay:5"));
	a = t_dev->ops->tx_acquire(t_dev, &cap1);
	b = t_dev->ops->tx_acquire(t_dev, &cap2);
	CHECK(a && a == b);
	CHECK(cap1 >= (size_t)t_dev->mtu + 14);
	CHECK_EQ(cap1, cap2);
}

TEST(inner_rx_errors_reach_the_stack)
{
	const uint8_t *frame;

	CHECK(t_wrap("delay:5", NULL));
	t_rx_error = NET_EMSGSIZE;
	CHECK_EQ(t_dev->ops->rx_peek(t_dev, &frame), NET_EMSGSIZE);
	t_rx_error = NET_EIO;
	CHECK_EQ(t_dev->ops->rx_peek(t_dev, &frame), NET_EIO);
	CHECK_EQ(t_dev->ops->rx_peek(t_dev, &frame), 0);
}

TEST(busy_inner_tx_holds_frames_until_it_frees)
{
	CHECK(t_wrap(NULL, "delay:1"));
	t_tx_busy = true;
	/* The wrapper lends its own buffer, so the stack can still send. */
	CHECK_EQ(t_send(0, T_LEN), NET_OK);
	CHECK_EQ(t_send(1, T_LEN), NET_OK);
	t_now += 5;
	impair_poll(t_dev);
	CHECK_EQ(t_sent_n, 0);
	CHECK(impair_next_deadline(t_dev) <= t_now);
	t_tx_busy = false;
	impair_poll(t_dev);
	CHECK_EQ(t_sent_n, 2);
	CHECK_EQ(t_log[0].id, 0);
	CHECK_EQ(t_log[1].id, 1);
	CHECK_EQ(t_send(2, T_LEN), NET_OK);
	t_tx_result = NET_EIO;
	t_now += 1;
	impair_poll(t_dev);
	CHECK_EQ(t_stats(IMPAIR_TX).dev_error, 1);
	CHECK_EQ(impair_next_deadline(t_dev), UINT64_MAX);
}

TEST(due_but_untaken_frames_make_the_deadline_now)
{
	const uint8_t *frame;

	CHECK(t_wrap("delay:3", NULL));
	CHECK_EQ(impair_next_deadline(t_dev), UINT64_MAX);
	CHECK(t_inject(1, T_LEN));
	CHECK(t_inject(2, T_LEN));
	CHECK_EQ(t_dev->ops->rx_peek(t_dev, &frame), 0);
	CHECK_EQ(impair_next_deadline(t_dev), 1003);
	t_now = 1010;
	CHECK_EQ(t_dev->ops->rx_peek(t_dev, &frame), T_LEN);
	/* The lent frame is not waiting; the other one is, and is late. */
	CHECK_EQ(impair_next_deadline(t_dev), 1003);
	t_dev->ops->rx_done(t_dev);
	CHECK_EQ(t_dev->ops->rx_peek(t_dev, &frame), T_LEN);
	t_dev->ops->rx_done(t_dev);
	CHECK_EQ(impair_next_deadline(t_dev), UINT64_MAX);
}

TEST(the_stacks_mac_reaches_the_inner_device)
{
	static const uint8_t mac[6] = {0x02, 1, 2, 3, 4, 5};
	const uint8_t *frame;

	CHECK(t_wrap(NULL, "delay:1"));
	memcpy(t_dev->mac, mac, 6);
	(void)t_dev->ops->rx_peek(t_dev, &frame);
	CHECK_MEM(t_inner.mac, mac, 6);
	CHECK(t_dev->ops->is_link_up(t_dev));
}

TEST(wrap_refuses_bad_settings)
{
	struct impair_config cfg;
	struct netdev *dev = NULL;

	memset(&cfg, 0, sizeof(cfg));
	CHECK_EQ(impair_wrap(&t_inner, &cfg, &dev), NET_EINVAL);
	cfg.now_ms = t_clock;
	cfg.tx.jitter_ms = 5;
	CHECK_EQ(impair_wrap(&t_inner, &cfg, &dev), NET_EINVAL);
	cfg.tx.delay_ms = 5;
	CHECK_EQ(impair_wrap(&t_inner, &cfg, &dev), NET_OK);
	cfg.rx.reorder_ppm = 1;
	CHECK_EQ(impair_wrap(&t_inner, &cfg, &dev), NET_EINVAL);
	cfg.rx.reorder_ppm = 0;
	cfg.rx.loss_ppm = IMPAIR_PPM_MAX + 1;
	CHECK_EQ(impair_wrap(&t_inner, &cfg, &dev), NET_EINVAL);
	cfg.rx.loss_ppm = 0;
	t_inner.mtu = CONFIG_NET_MTU + 1;
	CHECK_EQ(impair_wrap(&t_inner, &cfg, &dev), NET_EINVAL);
	t_inner.mtu = CONFIG_NET_MTU;
}

/* ---- counters ----------------------------------------------------------- */

static char t_names[32][32];
static uint64_t t_values[32];
static int t_nemit;

static void t_emit(const char *name, uint64_t value)
{
	if (t_nemit < 32) {
		snprintf(t_names[t_nemit], sizeof(t_names[0]), "%s", name);
		t_values[t_nemit] = value;
	}
	t_nemit++;
}

static uint64_t t_emitted(const char *name)
{
	for (int i = 0; i < t_nemit && i < 32; i++) {
		if (strcmp(t_names[i], name) == 0)
			return t_values[i];
	}
	return UINT64_MAX;
}

TEST(report_names_every_counter)
{
	CHECK(t_wrap("loss:100", "dup:100"));
	CHECK(t_inject(1, T_LEN));
	CHECK_EQ(t_recv_all(NULL, 0), 0);
	CHECK_EQ(t_send(1, T_LEN), NET_OK);
	t_nemit = 0;
	impair_report(t_dev, t_emit);
	CHECK_EQ(t_nemit, 16);
	CHECK_EQ(t_emitted("impair.rx_frames"), 1);
	CHECK_EQ(t_emitted("impair.rx_dropped"), 1);
	CHECK_EQ(t_emitted("impair.rx_passed"), 0);
	CHECK_EQ(t_emitted("impair.tx_duplicated"), 1);
	CHECK_EQ(t_emitted("impair.tx_passed"), 2);
	CHECK_EQ(t_emitted("impair.tx_pool_full"), 0);
	CHECK_EQ(t_emitted("impair.tx_delayed"), 0);
	CHECK_EQ(t_emitted("impair.rx_reordered"), 0);
	CHECK_EQ(t_emitted("impair.tx_dev_error"), 0);
	/* Not the wrapper: nothing. */
	t_nemit = 0;
	impair_report(&t_inner, t_emit);
	CHECK_EQ(t_nemit, 0);
	CHECK_EQ(impair_next_deadline(&t_inner), UINT64_MAX);
}

/* ---- parsing ------------------------------------------------------------ */

TEST(parse_reads_every_field)
{
	struct impair_dir_config c;
	char err[160];

	CHECK_EQ(impair_parse("loss:5,dup:1,delay:10,jitter:5,seed:42", &c, err,
			      sizeof(err)),
		 NET_OK);
	CHECK_EQ(c.loss_ppm, 50000);
	CHECK_EQ(c.dup_ppm, 10000);
	CHECK_EQ(c.delay_ms, 10);
	CHECK_EQ(c.jitter_ms, 5);
	CHECK_EQ(c.seed, 42);
	CHECK_EQ(c.reorder_ppm, 0);
	CHECK_EQ(impair_parse("seed:4294967295,reorder:12.3456,delay:60000,"
			      "loss:100,dup:0.0001",
			      &c, err, sizeof(err)),
		 NET_OK);
	CHECK_EQ(c.seed, 4294967295u);
	CHECK_EQ(c.reorder_ppm, 123456);
	CHECK_EQ(c.delay_ms, 60000);
	CHECK_EQ(c.loss_ppm, 1000000);
	CHECK_EQ(c.dup_ppm, 1);
	CHECK_EQ(impair_parse("loss:0.5", &c, err, sizeof(err)), NET_OK);
	CHECK_EQ(c.loss_ppm, 5000);
	CHECK_EQ(c.seed, 0);
	CHECK(!impair_is_clean(&c));
	CHECK_EQ(impair_parse("seed:3", &c, err, sizeof(err)), NET_OK);
	CHECK(impair_is_clean(&c));
}

/* Expects `spec` refused with a message containing `why`. */
static bool t_refused(const char *spec, const char *why)
{
	struct impair_dir_config c = {.loss_ppm = 77};
	char err[160];

	if (impair_parse(spec, &c, err, sizeof(err)) != NET_EINVAL) {
		printf("     accepted: %s\n", spec);
		return false;
	}
	if (!strstr(err, why) || c.loss_ppm != 77) {
		printf("     %s: got '%s', wanted '%s'\n", spec, err, why);
		return false;
	}
	return true;
}

TEST(parse_refuses_bad_specs_clearly)
{
	char long_spec[200];

	CHECK(t_refused("", "empty"));
	CHECK(t_refused("loss", "expected name:value"));
	CHECK(t_refused("loss:5,", "empty field"));
	CHECK(t_refused(",loss:5", "empty field"));
	CHECK(t_refused("loss:5,,dup:1", "empty field"));
	CHECK(t_refused("los:5", "'los': unknown"));
	CHECK(t_refused("loss:5,loss:6", "'loss' given twice"));
	CHECK(t_refused("loss:", "loss:: expected a percentage"));
	CHECK(t_refused("loss:101", "expected a percentage"));
	CHECK(t_refused("loss:100.0001", "expected a percentage"));
	CHECK(t_refused("loss:-1", "expected a percentage"));
	CHECK(t_refused("loss:5.", "expected a percentage"));
	CHECK(t_refused("loss:.5", "expected a percentage"));
	CHECK(t_refused("loss:0.12345", "expected a percentage"));
	CHECK(t_refused("loss:05", "expected a percentage"));
	CHECK(t_refused("loss:5%", "expected a percentage"));
	CHECK(t_refused("loss:1e2", "expected a percentage"));
	CHECK(t_refused("delay:1.5", "delay:1.5: expected whole milliseconds"));
	CHECK(t_refused("delay:60001", "expected whole milliseconds"));
	CHECK(t_refused("delay:10ms", "expected whole milliseconds"));
	CHECK(
	    t_refused("seed:4294967296", "seed:4294967296: expected a whole"));
	CHECK(t_refused("seed:x", "expected a whole number"));
	CHECK(t_refused("delay:5,jitter:6", "jitter:6 is more than delay:5"));
	CHECK(t_refused("jitter:1", "jitter:1 is more than delay:0"));
	CHECK(t_refused("reorder:5", "reorder needs a delay"));
	CHECK(t_refused("loss:5 dup:1", "expected a percentage"));
	memset(long_spec, 0, sizeof(long_spec));
	memcpy(long_spec, "seed:1", 6);
	memset(long_spec + 6, '0', 150);
	CHECK(t_refused(long_spec, "longer than"));
}

TEST(describe_reads_back)
{
	struct impair_dir_config c, back;
	char text[160], err[160];

	CHECK_EQ(impair_parse("loss:5,dup:0.25,delay:10,jitter:5,reorder:"
			      "12.3456,seed:42",
			      &c, err, sizeof(err)),
		 NET_OK);
	CHECK(impair_describe(&c, text, sizeof(text)) < (int)sizeof(text));
	CHECK_STR(text,
		  "loss:5,dup:0.25,delay:10,jitter:5,reorder:12.3456,seed:42");
	CHECK_EQ(impair_parse(text, &back, err, sizeof(err)), NET_OK);
	CHECK_MEM(&c, &back, sizeof(c));
	memset(&c, 0, sizeof(c));
	c.loss_ppm = IMPAIR_PPM_MAX;
	impair_describe(&c, text, sizeof(text));
	CHECK_STR(text, "loss:100,dup:0,delay:0,jitter:0,reorder:0,seed:0");
}
