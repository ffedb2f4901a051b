/*
 * test_dhcp.c - the DHCP client (net/dhcp.c) through the fake netdev and a
 * fake clock, and the stack's path for it while it has no address (the
 * bootstrap parts of net/ipv4.c and net/udp.c).
 *
 * The clock moves the way the kernel's loop moves it: to the stack's next
 * deadline, then net_poll(). The server is a peer on the fake link
 * (10.0.0.1, also the router) whose replies are built here at literal
 * offsets; the client's messages are read back from the fake's capture the
 * same way, with their IP and UDP checksums verified. The address granted
 * is 10.0.0.2, the fake's usual one, so that the fake's ARP helpers work
 * once it is configured.
 */
#include "test.h"

#include <klib/bytes.h>
#include <net/dhcp.h>
#include <net/net.h>

#include "fake_netdev.h"
#include "iface.h"
#include "net_config.h"
#include "udp.h"

#define SRV_IP	   FAKE_PEER_IP	 /* 10.0.0.1 */
#define SRV2_IP	   FAKE_PEER2_IP /* 10.0.0.3 */
#define OFFER_IP   FAKE_IP	 /* 10.0.0.2 */
#define OTHER_IP   0x0a000009u
#define BCAST	   NET_IPV4_BROADCAST
#define LEASE_S	   100
#define SEC	   1000u
#define T_TYPE_ANY 0

static uint64_t now;
static size_t t_cursor; /* next captured frame to look at */
static uint8_t frame[FAKE_FRAME_MAX];

/* A DHCP message the client sent, as read from the capture. */
struct t_sent {
	const uint8_t *eth;
	uint32_t ip_src;
	uint32_t ip_dst;
	uint16_t sport;
	bool csum_ok;
	const uint8_t *d; /* the DHCP message */
	size_t len;
	uint8_t type;
	uint32_t xid;
	uint64_t at; /* the clock when it was found */
};

/* What the server answers; zero fields are left out. */
struct t_srv {
	uint8_t type;
	uint32_t xid;
	uint32_t yiaddr;
	uint32_t server_id;
	uint32_t lease_s;
	uint32_t t1_s;
	uint32_t t2_s;
	uint32_t mask;
	uint32_t router;
	uint32_t dns;
	uint16_t mtu;
	const uint8_t *chaddr; /* NULL: ours */
	uint8_t op;	       /* 0: BOOTREPLY */
	uint32_t ip_src;       /* 0: SRV_IP */
	uint32_t ip_dst;       /* 0: 255.255.255.255 */
};

/* ---- clock and capture ---------------------------------------------- */

static void t_clear(void)
{
	fake_netdev_tx_clear();
	t_cursor = 0;
}

/* The stack up without an address; the client not started. */
static void t_up(void)
{
	static const uint8_t secret[NET_SECRET_LEN] = {0x64, 0x68, 0x63, 0x70};

	now = 1000;
	fake_netdev_reset();
	net_init(&fake_netdev, secret);
	net_stats_reset();
	t_clear();
}

static int t_start_with(const char *hostname, uint32_t hint)
{
	struct net_dhcp_config cfg = {hostname, hint};

	return net_dhcp_start(&cfg, now);
}

/* One turn of the kernel's loop at the next deadline, unless past limit. */
static bool t_step(uint64_t limit)
{
	uint64_t next = net_next_deadline();

	if (next > limit)
		return false;
	if (next > now)
		now = next;
	net_poll(now);
	return true;
}

/* Run the loop up to `t`. */
static void t_run_until(uint64_t t)
{
	for (int guard = 0; guard < 100000 && t_step(t); guard++)
		;
	now = t;
	net_poll(now);
}

static uint16_t t_udp_csum(uint32_t src, uint32_t dst, const uint8_t *u,
			   size_t len)
{
	uint8_t ph[12];

	st_be32(ph, src);
	st_be32(ph + 4, dst);
	ph[8] = 0;
	ph[9] = 17;
	st_be16(ph + 10, (uint16_t)len);
	return fake_csum_fold(
	    fake_csum_add(fake_csum_add(0, ph, sizeof(ph)), u, len));
}

/* Option `code` of a client message's options field, or NULL. */
static const uint8_t *t_opt(const struct t_sent *s, uint8_t code, size_t *olen)
{
	size_t i = 240;

	while (i < s->len) {
		if (s->d[i] == 0) {
			i++;
			continue;
		}
		if (s->d[i] == 255 || i + 1 >= s->len)
			return NULL;
		if (s->d[i] == code) {
			*olen = s->d[i + 1];
			return s->d + i + 2;
		}
		i += 2 + (size_t)s->d[i + 1];
	}
	return NULL;
}

/* Option `code` as a 4-byte address, or 0 when absent or not 4 bytes. */
static uint32_t t_opt32(const struct t_sent *s, uint8_t code)
{
	size_t n = 0;
	const uint8_t *p = t_opt(s, code, &n);

	return p && n == 4 ? ld_be32(p) : 0;
}

/* Captured frame i as a DHCP message from the client, or false. */
static bool t_sent_dhcp(size_t i, struct t_sent *s)
{
	size_t iplen;
	const uint8_t *ip = fake_tx_ipv4_sane(i, &iplen);
	const uint8_t *udp;
	size_t n = 0;
	const uint8_t *type;

	if (!ip || ip[9] != 17 || iplen < 20 + 8 + 240)
		return false;
	udp = ip + 20;
	if (ld_be16(udp + 2) != 67)
		return false;
	memset(s, 0, sizeof(*s));
	s->eth = fake_netdev_tx(i)->data;
	s->ip_src = ld_be32(ip + 12);
	s->ip_dst = ld_be32(ip + 16);
	s->sport = ld_be16(udp);
	s->csum_ok = ld_be16(udp + 4) == iplen - 20 &&
		     t_udp_csum(s->ip_src, s->ip_dst, udp, iplen - 20) == 0;
	s->d = udp + 8;
	s->len = iplen - 28;
	s->xid = ld_be32(s->d + 4);
	type = t_opt(s, 53, &n);
	s->type = type && n == 1 ? type[0] : 0;
	s->at = now;
	return true;
}

/* Run until the client sends a DHCP message of `type` (T_TYPE_ANY: any);
 * false when none comes by `limit`. */
static bool t_await(uint8_t type, uint64_t limit, struct t_sent *s)
{
	for (int guard = 0; guard < 100000; guard++) {
		while (t_cursor < fake_netdev_tx_count()) {
			if (t_sent_dhcp(t_cursor++, s) &&
			    (type == T_TYPE_ANY || s->type == type))
				return true;
		}
		if (t_cursor == FAKE_NETDEV_TX)
			t_clear();
		if (!t_step(limit))
			return false;
	}
	return false;
}

/* Captured frame i as an ARP probe for `ip`. */
static bool t_is_probe(size_t i, uint32_t ip)
{
	const struct fake_frame *f = fake_netdev_tx(i);
	const uint8_t *a;

	if (!f || f->len < 42 || ld_be16(f->data + 12) != 0x0806)
		return false;
	a = f->data + 14;
	return memcmp(f->data, fake_bcast_mac, 6) == 0 && ld_be16(a + 6) == 1 &&
	       memcmp(a + 8, fake_mac, 6) == 0 && ld_be32(a + 14) == 0 &&
	       ld_be32(a + 24) == ip;
}

/* Run until the client sends an ARP probe for `ip`. */
static bool t_await_probe(uint32_t ip, uint64_t limit)
{
	for (int guard = 0; guard < 100000; guard++) {
		while (t_cursor < fake_netdev_tx_count())
			if (t_is_probe(t_cursor++, ip))
				return true;
		if (!t_step(limit))
			return false;
	}
	return false;
}

/* ---- the server ------------------------------------------------------ */

static size_t t_put32(uint8_t *d, size_t n, uint8_t code, uint32_t v)
{
	if (v == 0)
		return n;
	d[n] = code;
	d[n + 1] = 4;
	st_be32(d + n + 2, v);
	return n + 6;
}

static size_t t_srv_msg(uint8_t *d, const struct t_srv *s)
{
	size_t n = 240;

	memset(d, 0, 300);
	d[0] = s->op ? s->op : 2;
	d[1] = 1;
	d[2] = 6;
	st_be32(d + 4, s->xid);
	st_be16(d + 10, 0x8000);
	st_be32(d + 16, s->yiaddr);
	st_be32(d + 20, SRV_IP);
	memcpy(d + 28, s->chaddr ? s->chaddr : fake_mac, 6);
	st_be32(d + 236, 0x63825363u);
	if (s->type) {
		d[n++] = 53;
		d[n++] = 1;
		d[n++] = s->type;
	}
	n = t_put32(d, n, 54, s->server_id);
	n = t_put32(d, n, 51, s->lease_s);
	n = t_put32(d, n, 58, s->t1_s);
	n = t_put32(d, n, 59, s->t2_s);
	n = t_put32(d, n, 1, s->mask);
	n = t_put32(d, n, 3, s->router);
	n = t_put32(d, n, 6, s->dns);
	if (s->mtu) {
		d[n++] = 26;
		d[n++] = 2;
		st_be16(d + n, s->mtu);
		n += 2;
	}
	d[n++] = 255;
	return n < 300 ? 300 : n;
}

/* The server's message, as a UDP datagram 67 -> 68, injected and polled. */
static void t_deliver(const struct t_srv *s)
{
	static uint8_t udp[600];
	struct fake_ip h = {0};
	size_t n = 8 + t_srv_msg(udp + 8, s);
	uint16_t c;

	h.src = s->ip_src ? s->ip_src : SRV_IP;
	h.dst = s->ip_dst ? s->ip_dst : BCAST;
	h.proto = 17;
	h.ttl = 64;
	h.id = 0x4444;
	h.l2_dst = h.dst == BCAST ? fake_bcast_mac : NULL;
	st_be16(udp, 67);
	st_be16(udp + 2, 68);
	st_be16(udp + 4, (uint16_t)n);
	st_be16(udp + 6, 0);
	c = t_udp_csum(h.src, h.dst, udp, n);
	st_be16(udp + 6, c ? c : 0xffff);
	fake_netdev_inject(frame, fake_ipv4_frame(frame, &h, udp, n));
	net_poll(now);
}

/* A lease the server grants: OFFER_IP/24, router and DNS the server. */
static struct t_srv t_lease(uint8_t type, uint32_t xid)
{
	struct t_srv s = {0};

	s.type = type;
	s.xid = xid;
	s.yiaddr = OFFER_IP;
	s.server_id = SRV_IP;
	s.lease_s = LEASE_S;
	s.mask = FAKE_MASK;
	s.router = SRV_IP;
	s.dns = SRV_IP;
	return s;
}

/* An ARP packet from `mac` (broadcast), injected and polled. */
static void t_arp_from(const uint8_t mac[6], uint16_t op, uint32_t spa,
		       uint32_t tpa)
{
	uint8_t f[42] = {0};
	uint8_t *a = f + 14;

	fake_eth_hdr(f, fake_bcast_mac, mac, 0x0806);
	st_be16(a, 1);
	st_be16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	st_be16(a + 6, op);
	memcpy(a + 8, mac, 6);
	st_be32(a + 14, spa);
	st_be32(a + 24, tpa);
	fake_netdev_inject(f, sizeof(f));
	net_poll(now);
}

/*
 * Start the client and answer its DISCOVER with `offer` and its REQUEST
 * with `ack` (their xids filled in); *req gets the REQUEST. True when the
 * client reaches PROBING.
 */
static bool t_to_probing(struct t_srv *offer, struct t_srv *ack,
			 struct t_sent *req)
{
	struct t_sent s;

	if (t_start_with(NULL, 0) != NET_OK || !t_await(1, now + 2 * SEC, &s))
		return false;
	offer->xid = s.xid;
	t_deliver(offer);
	if (!t_await(3, now, req))
		return false;
	ack->xid = req->xid;
	t_deliver(ack);
	return net_dhcp_state() == NET_DHCP_STATE_PROBING;
}

/* The whole exchange up to BOUND with lease `ack`; *req_at: lease start. */
static bool t_bind(struct t_srv ack, uint64_t *req_at)
{
	struct t_srv offer = t_lease(2, 0);
	struct t_sent req;

	if (!t_to_probing(&offer, &ack, &req))
		return false;
	*req_at = req.at;
	t_run_until(now + 8 * SEC); /* probing takes 5..8 s */
	t_clear();
	(void)net_dhcp_take_events();
	return net_dhcp_state() == NET_DHCP_STATE_BOUND;
}

/* The sum of every outcome of a received DHCP message. */
static uint64_t t_rx_outcomes(void)
{
	static const enum net_stat ids[] = {
	    NET_STAT_DHCP_RX_TOO_LONG,	  NET_STAT_DHCP_RX_SHORT,
	    NET_STAT_DHCP_RX_BAD_HEADER,  NET_STAT_DHCP_RX_NOT_DHCP,
	    NET_STAT_DHCP_RX_BAD_OPTIONS, NET_STAT_DHCP_RX_UNEXPECTED,
	    NET_STAT_DHCP_RX_BAD_XID,	  NET_STAT_DHCP_RX_BAD_CHADDR,
	    NET_STAT_DHCP_RX_BAD_SERVER,  NET_STAT_DHCP_RX_BAD_LEASE,
	    NET_STAT_DHCP_RX_OFFER,	  NET_STAT_DHCP_RX_ACK,
	    NET_STAT_DHCP_RX_NAK,
	};
	uint64_t sum = 0;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		sum += fake_stat(ids[i]);
	return sum;
}

/* ---- the exchange ----------------------------------------------------- */

TEST(discover_format)
{
	static const uint8_t want_params[] = {1, 3, 6, 26, 51, 58, 59};
	struct t_sent s;
	size_t n = 0;
	const uint8_t *p;

	t_up();
	CHECK_EQ(t_start_with("keel-1", 0), NET_OK);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_INIT);
	/* RFC 2131 §4.4.1 wait (here 0..1 s) before the first DISCOVER. */
	CHECK(t_await(1, 1000 + SEC, &s));
	CHECK_MEM(s.eth, fake_bcast_mac, 6);
	CHECK_MEM(s.eth + 6, fake_mac, 6);
	CHECK_EQ(s.ip_src, 0);
	CHECK_EQ(s.ip_dst, BCAST);
	CHECK_EQ(s.sport, 68);
	CHECK(s.csum_ok);
	CHECK_EQ(s.len, 300);
	CHECK_EQ(s.d[0], 1);
	CHECK_EQ(s.d[1], 1);
	CHECK_EQ(s.d[2], 6);
	CHECK_EQ(ld_be16(s.d + 10), 0x8000); /* BROADCAST */
	CHECK_EQ(ld_be32(s.d + 12), 0);
	CHECK_MEM(s.d + 28, fake_mac, 6);
	p = t_opt(&s, 61, &n);
	CHECK(p && n == 7 && p[0] == 1 && memcmp(p + 1, fake_mac, 6) == 0);
	p = t_opt(&s, 12, &n);
	CHECK(p && n == 6 && memcmp(p, "keel-1", 6) == 0);
	p = t_opt(&s, 55, &n);
	CHECK(p && n == sizeof(want_params) && memcmp(p, want_params, n) == 0);
	p = t_opt(&s, 57, &n);
	CHECK(p && n == 2 && ld_be16(p) == 1500);
	CHECK(!t_opt(&s, 50, &n) && !t_opt(&s, 54, &n));
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_SELECTING);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_TX_DISCOVER), 1);
}

TEST(full_exchange)
{
	struct t_srv offer = t_lease(2, 0), ack = t_lease(5, 0);
	struct t_sent d, r;
	struct net_ipv4_config cfg;
	struct net_dhcp_lease l;
	uint64_t t_ack, t_probe[3];

	t_up();
	ack.dns = 0x08080808u;
	ack.mtu = 1400;
	CHECK_EQ(t_start_with("keel", 0), NET_OK);
	CHECK(t_await(1, now + 2 * SEC, &d));
	now += 300;
	offer.xid = d.xid;
	t_deliver(&offer);
	/* The REQUEST leaves at once: same xid and secs, the offer's
	 * address and server (RFC 2131 §4.4.1, Table 5). */
	CHECK(t_await(3, now, &r));
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_REQUESTING);
	CHECK_EQ(r.xid, d.xid);
	CHECK_EQ(ld_be16(r.d + 8), ld_be16(d.d + 8));
	CHECK_EQ(ld_be16(r.d + 10), 0x8000);
	CHECK_EQ(ld_be32(r.d + 12), 0);
	CHECK_EQ(r.ip_src, 0);
	CHECK_EQ(r.ip_dst, BCAST);
	CHECK(r.csum_ok);
	CHECK_EQ(t_opt32(&r, 50), OFFER_IP);
	CHECK_EQ(t_opt32(&r, 54), SRV_IP);
	now += 200;
	ack.xid = r.xid;
	t_ack = now;
	t_deliver(&ack);
	/* RFC 5227 §2.1.1: not ours yet while probing. */
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_PROBING);
	net_get_ipv4(&cfg);
	CHECK_EQ(cfg.addr, 0);
	CHECK_EQ(net_dhcp_lease(&l), NET_ENOENT);
	for (int i = 0; i < 3; i++) {
		CHECK(t_await_probe(OFFER_IP, now + 3 * SEC));
		t_probe[i] = now;
	}
	CHECK(t_probe[0] - t_ack <= 1000);
	CHECK(t_probe[1] - t_probe[0] >= 1000 &&
	      t_probe[1] - t_probe[0] <= 2000);
	CHECK(t_probe[2] - t_probe[1] >= 1000 &&
	      t_probe[2] - t_probe[1] <= 2000);
	t_run_until(t_probe[2] + 1999);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_PROBING);
	t_run_until(t_probe[2] + 2000);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_BOUND);
	CHECK_EQ(net_dhcp_take_events(), NET_DHCP_EV_BOUND);
	CHECK_EQ(net_dhcp_take_events(), 0);
	net_get_ipv4(&cfg);
	CHECK_EQ(cfg.addr, OFFER_IP);
	CHECK_EQ(cfg.netmask, FAKE_MASK);
	CHECK_EQ(cfg.gateway, SRV_IP);
	CHECK_EQ(net_iface.mtu, 1400);
	CHECK_EQ(fake_stat(NET_STAT_ARP_TX_ANNOUNCE), 1);
	CHECK_EQ(net_dhcp_lease(&l), NET_OK);
	CHECK_EQ(l.addr, OFFER_IP);
	CHECK_EQ(l.server, SRV_IP);
	CHECK_EQ(l.router, SRV_IP);
	CHECK_EQ(l.dns_count, 1);
	CHECK_EQ(l.dns[0], 0x08080808u);
	CHECK_EQ(l.lease_s, LEASE_S);
	CHECK_EQ(l.t1_s, LEASE_S / 2);
	CHECK_EQ(l.t2_s, LEASE_S * 7 / 8);
	CHECK_EQ(l.mtu, 1400);
	CHECK_EQ(l.start_ms, r.at);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX_OFFER), 1);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX_ACK), 1);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_TX_REQUEST), 1);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX), t_rx_outcomes());
}

TEST(bound_address_works)
{
	uint64_t t0;
	int s;

	t_up();
	CHECK(t_bind(t_lease(5, 0), &t0));
	/* Unicast to our new address now passes; so does sending. */
	fake_learn(SRV_IP, fake_peer_mac, now);
	s = net_udp_open();
	CHECK(s >= 0);
	CHECK_EQ(net_udp_bind(s, 0, 7), NET_OK);
	CHECK_EQ(net_udp_sendto(s, "x", 1, SRV_IP, 9, now), 1);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_TX_NO_ADDR), 0);
}

/* ---- retransmission --------------------------------------------------- */

TEST(discover_backoff)
{
	/* RFC 2131 §4.1: 4, 8, 16, 32, 64, 64 s, each +-1 s. */
	static const uint64_t base[] = {4, 8, 16, 32, 64, 64, 64};
	struct t_sent s;
	uint64_t prev;
	uint32_t xid;

	t_up();
	CHECK_EQ(t_start_with(NULL, 0), NET_OK);
	CHECK(t_await(1, now + 2 * SEC, &s));
	prev = s.at;
	xid = s.xid;
	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
		uint64_t gap;

		CHECK(t_await(1, now + 70 * SEC, &s));
		gap = s.at - prev;
		CHECK(gap >= base[i] * SEC - 1000 &&
		      gap <= base[i] * SEC + 1000);
		CHECK_EQ(s.xid, xid);
		/* secs: the time since the first DISCOVER (RFC 2131 §2). */
		CHECK(ld_be16(s.d + 8) >= (s.at - 1000 - SEC) / SEC);
		prev = s.at;
	}
	CHECK_EQ(fake_stat(NET_STAT_DHCP_TX_DISCOVER), 8);
}

TEST(jitter_varies)
{
	struct t_sent s;
	uint64_t prev, gaps[6];
	bool differ = false;

	t_up();
	CHECK_EQ(t_start_with(NULL, 0), NET_OK);
	CHECK(t_await(1, now + 2 * SEC, &s));
	for (int i = 0; i < 6; i++) {
		prev = s.at;
		CHECK(t_await(1, now + 70 * SEC, &s));
		gaps[i] = (s.at - prev) % 1000;
		differ |= i > 0 && gaps[i] != gaps[0];
	}
	CHECK(differ);
}

TEST(request_retries_then_restarts)
{
	struct t_srv offer = t_lease(2, 0);
	struct t_sent s, r;
	uint64_t prev;

	t_up();
	CHECK_EQ(t_start_with(NULL, 0), NET_OK);
	CHECK(t_await(1, now + 2 * SEC, &s));
	offer.xid = s.xid;
	t_deliver(&offer);
	CHECK(t_await(3, now, &r));
	prev = r.at;
	for (uint64_t base = 4; base <= 16; base *= 2) {
		CHECK(t_await(3, now + 20 * SEC, &r));
		CHECK(r.at - prev >= base * SEC - 1000 &&
		      r.at - prev <= base * SEC + 1000);
		CHECK_EQ(r.xid, s.xid);
		prev = r.at;
	}
	/* The fourth unanswered: INIT, and a DISCOVER with a new xid. */
	CHECK(t_await(1, now + 40 * SEC, &s));
	CHECK(s.at - prev >= 31 * SEC && s.at - prev <= 34 * SEC);
	CHECK(s.xid != r.xid);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_TX_REQUEST), 4);
}

/* ---- what is ignored -------------------------------------------------- */

TEST(offers_not_for_us_ignored)
{
	static const uint8_t other_mac[6] = {2, 0, 0, 0, 0, 0x99};
	struct t_srv o;
	struct t_sent s;
	uint32_t xid;

	t_up();
	CHECK_EQ(t_start_with(NULL, 0), NET_OK);
	CHECK(t_await(1, now + 2 * SEC, &s));
	xid = s.xid;
	o = t_lease(2, xid + 1);
	t_deliver(&o);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX_BAD_XID), 1);
	o = t_lease(2, xid);
	o.chaddr = other_mac;
	t_deliver(&o);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX_BAD_CHADDR), 1);
	o = t_lease(2, xid);
	o.server_id = 0;
	t_deliver(&o);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX_BAD_SERVER), 1);
	o = t_lease(2, xid);
	o.lease_s = 0;
	t_deliver(&o);
	o = t_lease(2, xid);
	o.lease_s = 9; /* under DHCP_LEASE_MIN_S */
	t_deliver(&o);
	o = t_lease(2, xid);
	o.yiaddr = FAKE_SUBNET_BCAST;
	t_deliver(&o);
	o = t_lease(2, xid);
	o.mask = 0xffffff01u; /* not contiguous */
	t_deliver(&o);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX_BAD_LEASE), 4);
	o = t_lease(0, xid); /* no message type: BOOTP */
	t_deliver(&o);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX_NOT_DHCP), 1);
	o = t_lease(5, xid); /* an ACK while selecting */
	t_deliver(&o);
	o = t_lease(6, xid);
	t_deliver(&o);
	o = t_lease(1, xid); /* a DISCOVER type in a reply */
	t_deliver(&o);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX_UNEXPECTED), 3);
	o = t_lease(2, xid);
	o.op = 1;
	t_deliver(&o);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX_BAD_HEADER), 1);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_SELECTING);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_TX_REQUEST), 0);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX), 12);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX), t_rx_outcomes());
	/* The real one still works. */
	o = t_lease(2, xid);
	t_deliver(&o);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_REQUESTING);
}

TEST(replies_from_other_servers_ignored_while_requesting)
{
	struct t_srv offer = t_lease(2, 0), o;
	struct t_sent s, r;

	t_up();
	CHECK_EQ(t_start_with(NULL, 0), NET_OK);
	CHECK(t_await(1, now + 2 * SEC, &s));
	offer.xid = s.xid;
	t_deliver(&offer);
	CHECK(t_await(3, now, &r));
	o = t_lease(5, r.xid);
	o.server_id = SRV2_IP;
	t_deliver(&o);
	o = t_lease(6, r.xid);
	o.server_id = SRV2_IP;
	t_deliver(&o);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX_BAD_SERVER), 2);
	o = t_lease(5, r.xid);
	o.yiaddr = OTHER_IP; /* not what was offered */
	t_deliver(&o);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX_BAD_LEASE), 1);
	o = t_lease(2, r.xid); /* a second offer */
	t_deliver(&o);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX_UNEXPECTED), 1);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_REQUESTING);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX_NAK), 0);
}

TEST(messages_when_nothing_is_asked_ignored)
{
	uint64_t t0;
	struct t_srv o;
	struct net_dhcp_lease l;

	t_up();
	CHECK(t_bind(t_lease(5, 0), &t0));
	net_stats_reset();
	o = t_lease(6, 0);
	t_deliver(&o); /* a NAK while BOUND: no request is out */
	o = t_lease(5, 0);
	t_deliver(&o);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX_UNEXPECTED), 2);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_BOUND);
	CHECK_EQ(net_dhcp_lease(&l), NET_OK);
	CHECK_EQ(net_dhcp_take_events(), 0);
}

/* ---- NAK -------------------------------------------------------------- */

TEST(nak_while_requesting_restarts)
{
	struct t_srv offer = t_lease(2, 0), nak;
	struct t_sent s, r, d2;

	t_up();
	CHECK_EQ(t_start_with(NULL, 0), NET_OK);
	CHECK(t_await(1, now + 2 * SEC, &s));
	offer.xid = s.xid;
	t_deliver(&offer);
	CHECK(t_await(3, now, &r));
	nak = t_lease(6, r.xid);
	nak.yiaddr = 0;
	nak.lease_s = 0;
	t_deliver(&nak);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX_NAK), 1);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_INIT);
	CHECK_EQ(net_dhcp_take_events(), NET_DHCP_EV_NAK);
	/* RFC 2131 §3.1 step 5: start over, at once the first time. */
	CHECK(t_await(1, now + SEC, &d2));
	CHECK(d2.xid != s.xid);
	CHECK_EQ(t_opt32(&d2, 50), 0);
}

TEST(repeated_naks_back_off)
{
	struct t_sent s, r;
	uint64_t t_nak = 0;

	t_up();
	CHECK_EQ(t_start_with(NULL, 0), NET_OK);
	for (int i = 0; i < 4; i++) {
		struct t_srv o;

		CHECK(t_await(1, now + 80 * SEC, &s));
		if (i >= 2) /* 4 s, 8 s ... after the second NAK */
			CHECK(s.at - t_nak >=
			      ((uint64_t)4 << (i - 2)) * SEC - 1000);
		o = t_lease(2, s.xid);
		t_deliver(&o);
		CHECK(t_await(3, now, &r));
		o = t_lease(6, r.xid);
		t_deliver(&o);
		t_nak = now;
	}
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX_NAK), 4);
}

/* ---- renewing, rebinding, expiry -------------------------------------- */

TEST(renew_unicast_at_t1)
{
	struct t_sent r;
	struct t_srv ack;
	struct net_ipv4_config cfg;
	struct net_dhcp_lease l;
	uint64_t t0;

	t_up();
	CHECK(t_bind(t_lease(5, 0), &t0));
	/* Nothing before T1. */
	CHECK(!t_await(3, t0 + LEASE_S / 2 * SEC - 1, &r));
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_BOUND);
	/* At T1 the REQUEST waits for the server's MAC: answer the ARP. */
	t_run_until(t0 + LEASE_S / 2 * SEC);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_RENEWING);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RENEW), 1);
	fake_arp_reply(SRV_IP, fake_peer_mac, now);
	CHECK(t_await(3, now, &r));
	CHECK_MEM(r.eth, fake_peer_mac, 6);
	CHECK_EQ(r.ip_src, OFFER_IP);
	CHECK_EQ(r.ip_dst, SRV_IP);
	CHECK(r.csum_ok);
	CHECK_EQ(ld_be32(r.d + 12), OFFER_IP); /* ciaddr */
	CHECK_EQ(ld_be16(r.d + 10), 0);	       /* no BROADCAST */
	CHECK_EQ(t_opt32(&r, 50), 0);
	CHECK_EQ(t_opt32(&r, 54), 0);
	/* The ACK comes unicast, to our address. */
	ack = t_lease(5, r.xid);
	ack.ip_dst = OFFER_IP;
	now += 100;
	t_deliver(&ack);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_BOUND);
	CHECK_EQ(net_dhcp_take_events(), NET_DHCP_EV_RENEWED);
	CHECK_EQ(net_dhcp_lease(&l), NET_OK);
	CHECK_EQ(l.start_ms, t0 + LEASE_S / 2 * SEC);
	net_get_ipv4(&cfg);
	CHECK_EQ(cfg.addr, OFFER_IP);
	/* The next T1 counts from the renewal's REQUEST. */
	t_run_until(l.start_ms + LEASE_S / 2 * SEC - 1);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_BOUND);
	t_run_until(l.start_ms + LEASE_S / 2 * SEC);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_RENEWING);
}

TEST(renewal_with_changed_parameters_reconfigures)
{
	struct t_sent r;
	struct t_srv ack;
	struct net_ipv4_config cfg;
	uint64_t t0;

	t_up();
	CHECK(t_bind(t_lease(5, 0), &t0));
	t_run_until(t0 + LEASE_S / 2 * SEC);
	fake_arp_reply(SRV_IP, fake_peer_mac, now);
	CHECK(t_await(3, now, &r));
	ack = t_lease(5, r.xid);
	ack.ip_dst = OFFER_IP;
	ack.mask = 0xffff0000u;
	ack.router = SRV2_IP;
	t_deliver(&ack);
	CHECK_EQ(net_dhcp_take_events(), NET_DHCP_EV_BOUND);
	net_get_ipv4(&cfg);
	CHECK_EQ(cfg.netmask, 0xffff0000u);
	CHECK_EQ(cfg.gateway, SRV2_IP);
}

TEST(rebind_broadcast_at_t2)
{
	struct t_sent r;
	struct t_srv ack;
	struct net_dhcp_lease l;
	uint64_t t0, t2;

	t_up();
	CHECK(t_bind(t_lease(5, 0), &t0));
	t2 = t0 + (uint64_t)LEASE_S * 7 / 8 * SEC;
	/* The server is gone: T1's REQUEST goes unanswered (it is not even
	 * resolved), and the next is due after 60 s, past T2 (§4.4.5). */
	t_run_until(t2 - 1);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_RENEWING);
	t_clear();
	CHECK(t_await(3, t2, &r));
	CHECK_EQ(r.at, t2);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_REBINDING);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_REBIND), 1);
	CHECK_MEM(r.eth, fake_bcast_mac, 6);
	CHECK_EQ(r.ip_src, OFFER_IP);
	CHECK_EQ(r.ip_dst, BCAST);
	CHECK(r.csum_ok);
	CHECK_EQ(ld_be32(r.d + 12), OFFER_IP);
	CHECK_EQ(t_opt32(&r, 54), 0);
	/* Any server may answer now. */
	ack = t_lease(5, r.xid);
	ack.server_id = SRV2_IP;
	ack.ip_src = SRV2_IP;
	t_deliver(&ack);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_BOUND);
	CHECK_EQ(net_dhcp_lease(&l), NET_OK);
	CHECK_EQ(l.server, SRV2_IP);
	CHECK_EQ(l.start_ms, t2);
	CHECK(net_dhcp_take_events() & NET_DHCP_EV_RENEWED);
}

/* Run until counter `id` reaches `value`; its time into *at. */
static bool t_await_count(enum net_stat id, uint64_t value, uint64_t limit,
			  uint64_t *at)
{
	for (int guard = 0; guard < 100000; guard++) {
		if (fake_stat(id) >= value) {
			*at = now;
			return true;
		}
		if (!t_step(limit))
			return false;
	}
	return false;
}

TEST(renew_retransmits_at_half_the_time_left)
{
	/* Lease 1000 s: T1 500, T2 875. Renewal REQUESTs at T1, then after
	 * half the time left until T2, but never less than 60 s (RFC 2131
	 * §4.4.5), and at T2 the first rebinding one. Counted as they
	 * leave: the server, which never answers, is not even resolved. */
	static const uint64_t after_t1[] = {0, 187500, 281250, 341250, 375000};
	struct t_srv ack = t_lease(5, 0);
	uint64_t t0, t1, at, base;

	t_up();
	ack.lease_s = 1000;
	CHECK(t_bind(ack, &t0));
	t1 = t0 + 500 * SEC;
	base = fake_stat(NET_STAT_DHCP_TX_REQUEST);
	for (size_t i = 0; i < sizeof(after_t1) / sizeof(after_t1[0]); i++) {
		CHECK(t_await_count(NET_STAT_DHCP_TX_REQUEST, base + i + 1,
				    t1 + 400 * SEC, &at));
		CHECK_EQ(at, t1 + after_t1[i]);
	}
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_REBINDING);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_TX_FAILED), 0);
}

TEST(expiry_removes_the_address)
{
	struct t_sent d;
	struct net_ipv4_config cfg;
	struct net_dhcp_lease l;
	uint64_t t0;

	t_up();
	CHECK(t_bind(t_lease(5, 0), &t0));
	t_run_until(t0 + LEASE_S * SEC - 1);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_REBINDING);
	net_get_ipv4(&cfg);
	CHECK_EQ(cfg.addr, OFFER_IP);
	(void)net_dhcp_take_events();
	t_clear();
	t_run_until(t0 + LEASE_S * SEC);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_EXPIRED), 1);
	CHECK_EQ(net_dhcp_take_events(), NET_DHCP_EV_LOST);
	net_get_ipv4(&cfg);
	CHECK_EQ(cfg.addr, 0);
	CHECK_EQ(cfg.gateway, 0);
	CHECK_EQ(net_dhcp_lease(&l), NET_ENOENT);
	/* Starting over from 0.0.0.0, asking for the old address. */
	CHECK(t_await(1, now + SEC, &d));
	CHECK_EQ(d.ip_src, 0);
	CHECK_EQ(t_opt32(&d, 50), OFFER_IP);
}

TEST(nak_while_renewing_removes_the_address)
{
	struct t_sent r, d;
	struct t_srv nak;
	struct net_ipv4_config cfg;
	uint64_t t0;

	t_up();
	CHECK(t_bind(t_lease(5, 0), &t0));
	t_run_until(t0 + LEASE_S / 2 * SEC);
	fake_arp_reply(SRV_IP, fake_peer_mac, now);
	CHECK(t_await(3, now, &r));
	nak = t_lease(6, r.xid);
	nak.ip_dst = OFFER_IP;
	t_deliver(&nak);
	CHECK_EQ(net_dhcp_take_events(), NET_DHCP_EV_NAK | NET_DHCP_EV_LOST);
	net_get_ipv4(&cfg);
	CHECK_EQ(cfg.addr, 0);
	CHECK(t_await(1, now + SEC, &d));
	CHECK_EQ(t_opt32(&d, 50), 0);
}

TEST(infinite_lease_never_renews)
{
	struct t_srv ack = t_lease(5, 0);
	struct net_dhcp_lease l;
	uint64_t t0;

	t_up();
	ack.lease_s = NET_DHCP_INFINITE;
	ack.t1_s = 10; /* ignored with an infinite lease */
	CHECK(t_bind(ack, &t0));
	CHECK_EQ(net_dhcp_lease(&l), NET_OK);
	CHECK_EQ(l.t1_s, NET_DHCP_INFINITE);
	t_run_until(now + 100000 * (uint64_t)SEC);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_BOUND);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_TX_REQUEST), 1);
}

/* ---- lease parameters -------------------------------------------------- */

TEST(lease_times_from_the_server_when_sane)
{
	static const struct {
		uint32_t t1, t2, want_t1, want_t2;
	} cases[] = {
	    {0, 0, 500, 875},	   /* absent: 0.5 and 0.875 */
	    {100, 200, 100, 200},  /* given and ordered */
	    {300, 0, 300, 875},	   /* T1 alone */
	    {0, 400, 400, 400},	   /* T2 below the default T1 */
	    {600, 400, 400, 400},  /* T1 past T2: T1 from T2 */
	    {100, 2000, 100, 875}, /* T2 past the lease */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct t_srv ack = t_lease(5, 0);
		struct net_dhcp_lease l;
		uint64_t t0;

		t_up();
		ack.lease_s = 1000;
		ack.t1_s = cases[i].t1;
		ack.t2_s = cases[i].t2;
		CHECK(t_bind(ack, &t0));
		CHECK_EQ(net_dhcp_lease(&l), NET_OK);
		CHECK_EQ(l.t1_s, cases[i].want_t1);
		CHECK_EQ(l.t2_s, cases[i].want_t2);
	}
}

TEST(mtu_applied_only_when_sane)
{
	static const uint16_t offered[] = {1400, 576, 1500, 575, 1501, 9000};
	static const uint16_t applied[] = {1400, 576, 1500, 0, 0, 0};

	for (size_t i = 0; i < sizeof(offered) / sizeof(offered[0]); i++) {
		struct t_srv ack = t_lease(5, 0);
		struct net_dhcp_lease l;
		uint64_t t0;

		t_up();
		ack.mtu = offered[i];
		CHECK(t_bind(ack, &t0));
		CHECK_EQ(net_dhcp_lease(&l), NET_OK);
		CHECK_EQ(l.mtu, applied[i]);
		CHECK_EQ(net_iface.mtu, applied[i] ? applied[i] : 1500);
	}
}

TEST(mtu_lowers_fragmentation_and_is_restored)
{
	static uint8_t data[1400];
	struct t_srv ack = t_lease(5, 0);
	uint64_t t0;
	int s;

	t_up();
	ack.mtu = 576;
	CHECK(t_bind(ack, &t0));
	fake_learn(SRV_IP, fake_peer_mac, now);
	t_clear();
	s = net_udp_open();
	CHECK_EQ(net_udp_sendto(s, data, sizeof(data), SRV_IP, 9, now),
		 (int)sizeof(data));
	/* 1408 bytes of UDP in 556-byte pieces: three fragments. */
	CHECK_EQ(fake_netdev_tx_count(), 3);
	net_dhcp_stop(now);
	CHECK_EQ(net_iface.mtu, 1500);
}

TEST(mask_and_router_fallbacks)
{
	struct t_srv ack = t_lease(5, 0);
	struct net_dhcp_lease l;
	struct net_ipv4_config cfg;
	uint64_t t0;

	t_up();
	ack.mask = 0;		  /* absent: the class A mask of 10/8 */
	ack.router = 0xc0000201u; /* not on the subnet: no router */
	ack.dns = 0x7f000001u;	  /* loopback: not kept */
	CHECK(t_bind(ack, &t0));
	CHECK_EQ(net_dhcp_lease(&l), NET_OK);
	CHECK_EQ(l.netmask, 0xff000000u);
	CHECK_EQ(l.router, 0);
	CHECK_EQ(l.dns_count, 0);
	net_get_ipv4(&cfg);
	CHECK_EQ(cfg.netmask, 0xff000000u);
	CHECK_EQ(cfg.gateway, 0);
}

/* ---- conflicts (RFC 5227) ---------------------------------------------- */

TEST(conflict_declines_and_waits)
{
	struct t_srv offer = t_lease(2, 0), ack = t_lease(5, 0);
	struct t_sent req, dec, d;
	struct net_ipv4_config cfg;
	uint64_t t_conflict;

	t_up();
	CHECK(t_to_probing(&offer, &ack, &req));
	CHECK(t_await_probe(OFFER_IP, now + 2 * SEC));
	/* Another host answers the probe: the address is taken. */
	t_arp_from(fake_peer2_mac, 2, OFFER_IP, 0);
	t_conflict = now;
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_PROBE_CONFLICT), 1);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_CONFLICT), 1);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_INIT);
	CHECK_EQ(net_dhcp_take_events(), NET_DHCP_EV_DECLINED);
	net_get_ipv4(&cfg);
	CHECK_EQ(cfg.addr, 0);
	/* RFC 2131 §4.4.1: DECLINE with the address and server id. */
	CHECK(t_await(4, now, &dec));
	CHECK_EQ(dec.ip_src, 0);
	CHECK_EQ(dec.ip_dst, BCAST);
	CHECK(dec.csum_ok);
	CHECK_EQ(dec.xid, req.xid);
	CHECK_EQ(t_opt32(&dec, 50), OFFER_IP);
	CHECK_EQ(t_opt32(&dec, 54), SRV_IP);
	CHECK_EQ(ld_be32(dec.d + 12), 0);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_TX_DECLINE), 1);
	/* At least 10 s before starting over (RFC 2131 §3.1 step 5). */
	CHECK(t_await(1, now + 12 * SEC, &d));
	CHECK(d.at - t_conflict >= 10 * SEC);
	CHECK(d.xid != req.xid);
	CHECK_EQ(t_opt32(&d, 50), 0);
}

TEST(conflict_from_a_concurrent_prober)
{
	struct t_srv offer = t_lease(2, 0), ack = t_lease(5, 0);
	struct t_sent req;

	t_up();
	CHECK(t_to_probing(&offer, &ack, &req));
	/* RFC 5227 §2.1.1: another host probing for it too. */
	t_arp_from(fake_peer2_mac, 1, 0, OFFER_IP);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_INIT);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_CONFLICT), 1);
}

TEST(unrelated_arp_during_probing_is_no_conflict)
{
	struct t_srv offer = t_lease(2, 0), ack = t_lease(5, 0);
	struct t_sent req;

	t_up();
	CHECK(t_to_probing(&offer, &ack, &req));
	t_arp_from(fake_peer2_mac, 1, FAKE_PEER2_IP, SRV_IP);
	t_arp_from(fake_peer2_mac, 1, 0, OTHER_IP);
	t_run_until(now + 8 * SEC);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_BOUND);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_CONFLICT), 0);
}

TEST(late_conflict_after_binding_is_not_probing)
{
	uint64_t t0;

	t_up();
	CHECK(t_bind(t_lease(5, 0), &t0));
	/* Once bound, arp.c only counts conflicts (no RFC 5227 §2.4). */
	t_arp_from(fake_peer2_mac, 2, OFFER_IP, 0);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_PROBE_CONFLICT), 0);
	CHECK_EQ(fake_stat(NET_STAT_ARP_RX_ADDR_CONFLICT), 1);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_BOUND);
}

/* ---- INIT-REBOOT ------------------------------------------------------- */

TEST(restart_reboots_with_the_remembered_address)
{
	struct t_sent r;
	struct t_srv ack;
	struct net_ipv4_config cfg;
	uint64_t t0;

	t_up();
	CHECK(t_bind(t_lease(5, 0), &t0));
	net_dhcp_stop(now);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_STOPPED);
	CHECK_EQ(net_dhcp_take_events(), NET_DHCP_EV_LOST);
	net_get_ipv4(&cfg);
	CHECK_EQ(cfg.addr, 0);
	CHECK_EQ(net_iface.bootstrap_port, 0);
	CHECK_EQ(t_start_with(NULL, 0), NET_OK);
	/* RFC 2131 §3.2, §4.3.2: REQUEST, requested address, no server. */
	CHECK(t_await(3, now + 2 * SEC, &r));
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_REBOOTING);
	CHECK_EQ(r.ip_src, 0);
	CHECK_EQ(r.ip_dst, BCAST);
	CHECK_EQ(ld_be32(r.d + 12), 0);
	CHECK_EQ(t_opt32(&r, 50), OFFER_IP);
	CHECK_EQ(t_opt32(&r, 54), 0);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_TX_DISCOVER), 1); /* the first */
	/* Any server answers; the address is probed again. */
	ack = t_lease(5, r.xid);
	ack.server_id = SRV2_IP;
	t_deliver(&ack);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_PROBING);
	t_run_until(now + 8 * SEC);
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_BOUND);
	net_get_ipv4(&cfg);
	CHECK_EQ(cfg.addr, OFFER_IP);
}

TEST(reboot_nak_forgets_the_address)
{
	struct t_sent r, d;
	struct t_srv nak;
	uint64_t t0;

	t_up();
	CHECK(t_bind(t_lease(5, 0), &t0));
	net_dhcp_stop(now);
	CHECK_EQ(t_start_with(NULL, 0), NET_OK);
	CHECK(t_await(3, now + 2 * SEC, &r));
	nak = t_lease(6, r.xid);
	t_deliver(&nak);
	CHECK(t_await(1, now + SEC, &d));
	CHECK_EQ(t_opt32(&d, 50), 0);
	/* And a later restart discovers. */
	net_dhcp_stop(now);
	t_clear();
	CHECK_EQ(t_start_with(NULL, 0), NET_OK);
	CHECK(t_await(T_TYPE_ANY, now + 2 * SEC, &d));
	CHECK_EQ(d.type, 1);
}

TEST(hint_unanswered_falls_back_to_discover)
{
	struct t_sent r1, r2, d;

	t_up();
	CHECK_EQ(t_start_with(NULL, OTHER_IP), NET_OK);
	CHECK(t_await(3, now + 2 * SEC, &r1));
	CHECK_EQ(t_opt32(&r1, 50), OTHER_IP);
	CHECK(t_await(3, now + 6 * SEC, &r2));
	CHECK(r2.at - r1.at >= 3 * SEC && r2.at - r1.at <= 5 * SEC);
	/* RFC 2131 §4.4.1: the DISCOVER may still suggest it. */
	CHECK(t_await(1, now + 10 * SEC, &d));
	CHECK(d.at - r2.at >= 7 * SEC && d.at - r2.at <= 9 * SEC);
	CHECK_EQ(t_opt32(&d, 50), OTHER_IP);
	CHECK(d.xid != r2.xid);
}

/* ---- start and stop ---------------------------------------------------- */

TEST(start_checks_its_arguments)
{
	struct net_dhcp_config cfg = {NULL, 0};
	int s;

	t_up();
	CHECK_EQ(net_dhcp_start(NULL, now), NET_EINVAL);
	CHECK_EQ(t_start_with("-keel", 0), NET_EINVAL);
	CHECK_EQ(t_start_with("keel-", 0), NET_EINVAL);
	CHECK_EQ(t_start_with("ke el", 0), NET_EINVAL);
	CHECK_EQ(t_start_with("keel.example", 0), NET_EINVAL);
	CHECK_EQ(t_start_with("a123456789b123456789c123456789d123456789"
			      "e123456789f123456789g1234",
			      0),
		 NET_EINVAL); /* over 63 characters */
	CHECK_EQ(t_start_with(NULL, 0xe0000001u), NET_EINVAL);
	CHECK_EQ(t_start_with(NULL, BCAST), NET_EINVAL);
	/* The same rules, before the stack is even used. */
	cfg.hostname = "web-01";
	cfg.requested_addr = OFFER_IP;
	CHECK_EQ(net_dhcp_check_config(&cfg), NET_OK);
	cfg.hostname = "web_01";
	CHECK_EQ(net_dhcp_check_config(&cfg), NET_EINVAL);
	cfg.hostname = "";
	cfg.requested_addr = 0x7f000001u;
	CHECK_EQ(net_dhcp_check_config(&cfg), NET_EINVAL);
	cfg.requested_addr = 0;
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_STOPPED);
	s = net_udp_open();
	CHECK_EQ(net_udp_bind(s, 0, 68), NET_OK);
	CHECK_EQ(net_dhcp_start(&cfg, now), NET_EADDRINUSE);
	CHECK_EQ(net_udp_close(s), NET_OK);
	CHECK_EQ(net_dhcp_start(&cfg, now), NET_OK);
	CHECK_EQ(net_dhcp_start(&cfg, now), NET_EINVAL);
	net_dhcp_stop(now);
	for (int i = 0; i < CONFIG_UDP_SOCKETS; i++)
		CHECK(net_udp_open() >= 0);
	CHECK_EQ(net_dhcp_start(&cfg, now), NET_ENOBUFS);
}

TEST(start_takes_the_interface)
{
	struct net_ipv4_config cfg = {FAKE_IP, FAKE_MASK, FAKE_GW};
	int s;

	t_up();
	net_set_ipv4(&cfg, now);
	CHECK_EQ(t_start_with("a-1", 0), NET_OK);
	net_get_ipv4(&cfg);
	CHECK_EQ(cfg.addr, 0);
	CHECK_EQ(net_iface.bootstrap_port, 68);
	CHECK_EQ(net_dhcp_take_events(), 0);
	/* Stop gives the socket back. */
	net_dhcp_stop(now);
	net_dhcp_stop(now);
	for (int i = 0; i < CONFIG_UDP_SOCKETS; i++) {
		s = net_udp_open();
		CHECK(s >= 0);
	}
	CHECK_EQ(net_dhcp_state(), NET_DHCP_STATE_STOPPED);
	CHECK_EQ(net_next_deadline(), UINT64_MAX);
}

TEST(state_names)
{
	CHECK_STR(net_dhcp_state_name(NET_DHCP_STATE_BOUND), "bound");
	CHECK_STR(net_dhcp_state_name(NET_DHCP_STATE_REBINDING), "rebinding");
	CHECK_STR(net_dhcp_state_name((enum net_dhcp_state)99), "unknown");
}

/* ---- the path before an address (ipv4.c, udp.c) ------------------------ */

/* A UDP datagram from the server to (dst, port), injected and polled. */
static void t_udp_to(uint32_t dst, uint16_t port)
{
	uint8_t udp[8 + 4] = {0, 67, 0, 0, 0, 12, 0, 0, 'k', 'e', 'e', 'l'};
	struct fake_ip h = {0};
	uint16_t c;

	st_be16(udp + 2, port);
	h.src = SRV_IP;
	h.dst = dst;
	h.proto = 17;
	h.ttl = 64;
	h.l2_dst = dst == BCAST ? fake_bcast_mac : NULL;
	c = t_udp_csum(h.src, h.dst, udp, sizeof(udp));
	st_be16(udp + 6, c ? c : 0xffff);
	fake_netdev_inject(frame, fake_ipv4_frame(frame, &h, udp, sizeof(udp)));
	net_poll(now);
}

TEST(unconfigured_stack_lets_only_dhcp_replies_in)
{
	t_up();
	/* Client stopped: nothing passes. */
	t_udp_to(BCAST, 68);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_NO_ADDR), 1);
	CHECK_EQ(t_start_with(NULL, 0), NET_OK);
	t_udp_to(BCAST, 68);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX_DELIVERED), 1);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX), 1);
	CHECK_EQ(fake_stat(NET_STAT_DHCP_RX_SHORT), 1);
	t_udp_to(BCAST, 7);
	t_udp_to(OFFER_IP, 68); /* unicast to an address not ours yet */
	t_udp_to(FAKE_SUBNET_BCAST, 68);
	CHECK_EQ(fake_stat(NET_STAT_IPV4_RX_NO_ADDR), 4);
	CHECK_EQ(fake_stat(NET_STAT_UDP_RX), 1);
	CHECK_EQ(fake_stat(NET_STAT_ICMP_TX_UNREACH), 0); /* not from 0 */
}

TEST(unconfigured_send_only_through_the_bootstrap_path)
{
	struct net_ipv4_config cfg = {FAKE_IP, FAKE_MASK, FAKE_GW};
	int s;

	t_up();
	s = net_udp_open();
	CHECK_EQ(udp_sendto_unconfigured(s, "x", 1, 67, now), NET_EINVAL);
	CHECK_EQ(net_udp_bind(s, 0, 6868), NET_OK);
	/* The socket API still refuses without an address. */
	CHECK_EQ(net_udp_sendto(s, "x", 1, BCAST, 67, now), NET_ENETUNREACH);
	CHECK_EQ(udp_sendto_unconfigured(s, "x", 1, 67, now), 1);
	CHECK_EQ(fake_netdev_tx_count(), 1);
	CHECK_MEM(fake_netdev_tx(0)->data, fake_bcast_mac, 6);
	CHECK_EQ(udp_sendto_unconfigured(s, "x", 1, 0, now), NET_EINVAL);
	CHECK_EQ(udp_sendto_unconfigured(-1, "x", 1, 67, now), NET_EBADF);
	/* Once configured, it is refused. */
	net_set_ipv4(&cfg, now);
	CHECK_EQ(udp_sendto_unconfigured(s, "x", 1, 67, now), NET_EINVAL);
}
