/*
 * dns_server.c - the authoritative DNS server application: sockets,
 * TCP framing, rate limiting and counters around dns_answer().
 *
 * UDP (RFC 1035 §4.2.1): one socket on CONFIG_APP_DNS_SERVER_PORT (port=
 * overrides); each query is answered at once, at most
 * DNS_SERVER_UDP_BUDGET per app_poll(). A response that cannot be sent
 * now (NET_EAGAIN) is dropped and counted: the client retries.
 * Responses pass response rate limiting first (dns_rrl.h).
 *
 * TCP (RFC 7766): a listener on the same port and at most
 * CONFIG_APP_DNS_SERVER_TCP_CLIENTS connections; any further one is
 * accepted and reset at once (counted). Each connection reads two-byte
 * length-prefixed queries into its own buffer and answers them in order,
 * several per connection and pipelined (§6.2.1); a response is only sent
 * whole, when the send ring has room for it, otherwise the connection waits
 * and is retried on later polls (its queries stay in the receive ring: back
 * pressure). A connection idle for CONFIG_APP_DNS_SERVER_TCP_IDLE_MS is
 * closed (§6.2.3), as is one announcing a query longer than
 * DNS_SERVER_QUERY_MAX. The client's FIN is answered by ours once its
 * queries are answered.
 *
 * Counters: DNS_SERVER_STATS below, printed with the stack's (SIGUSR1 on
 * linux-tap) as "stat dns_server.<name> <value>".
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kernel/app.h>
#include <kernel/cmdline.h>
#include <kernel/kernel.h>
#include <kernel/log.h>
#include <kernel/platform.h>
#include <keel_config.h>
#include <klib/bytes.h>
#include <net/net.h>
#include <net/tcp.h>

#include "dns_answer.h"
#include "dns_rrl.h"

/* Queries answered over UDP per app_poll(). */
#define DNS_SERVER_UDP_BUDGET 64
/* Queries answered per TCP connection per app_poll(). */
#define DNS_SERVER_TCP_BUDGET 16
/* The longest query taken (a question is at most 271 bytes; the rest is
 * room for EDNS options). */
#define DNS_SERVER_QUERY_MAX  1024
#define DNS_SERVER_LEN_PREFIX 2

_Static_assert(CONFIG_APP_DNS_SERVER_EDNS_PAYLOAD >= DNS_ANSWER_UDP_MIN,
	       "[dns-server] edns_payload must be at least 512");
_Static_assert(CONFIG_APP_DNS_SERVER_TCP_CLIENTS < CONFIG_TCP_SOCKETS,
	       "[dns-server] tcp_clients must be below tcp.sockets (the "
	       "listener takes one, one more is refused)");
_Static_assert(CONFIG_TCP_TX_RING >= CONFIG_APP_DNS_SERVER_TCP_RESPONSE_MAX +
					 DNS_SERVER_LEN_PREFIX,
	       "tcp.tx_ring must hold [dns-server] tcp_response_max + 2");

/* X(name): every counter, "dns_server.<name>". */
#define DNS_SERVER_STATS(X)                                                    \
	X(queries_udp)                                                         \
	X(queries_tcp)                                                         \
	X(rx_too_long)                                                         \
	X(dropped)                                                             \
	X(noerror)                                                             \
	X(nxdomain)                                                            \
	X(nodata)                                                              \
	X(referral)                                                            \
	X(refused)                                                             \
	X(formerr)                                                             \
	X(notimp)                                                              \
	X(badvers)                                                             \
	X(truncated)                                                           \
	X(wildcard)                                                            \
	X(cname)                                                               \
	X(any)                                                                 \
	X(edns)                                                                \
	X(rrl_limited)                                                         \
	X(rrl_slipped)                                                         \
	X(rrl_dropped)                                                         \
	X(tx_failed)                                                           \
	X(tcp_accepted)                                                        \
	X(tcp_refused)                                                         \
	X(tcp_idle_closed)                                                     \
	X(tcp_too_long)                                                        \
	X(tcp_closed)

static struct {
#define DNS_SERVER_FIELD(name) uint64_t name;
	DNS_SERVER_STATS(DNS_SERVER_FIELD)
#undef DNS_SERVER_FIELD
} dns_server_stats;

const char *const app_cmdline_keys[] = {"port", "rrl_rate", "rrl_slip", NULL};

/* The compiled zones (generated: dns_zone_data.c). */
extern const struct dns_zone dns_zone_table;

struct dns_server_conn {
	bool used;
	bool ready;   /* the callback said something changed */
	bool blocked; /* a response waits for room in the send ring */
	bool eof;     /* the client sent FIN */
	uint64_t last_ms;
	size_t in_len;
	uint8_t in[DNS_SERVER_LEN_PREFIX + DNS_SERVER_QUERY_MAX];
};

static int dns_server_udp = NET_EBADF;
static int dns_server_listener = NET_EBADF;
static bool dns_server_listener_ready;
static unsigned dns_server_nconns;
static struct dns_server_conn dns_server_conns[CONFIG_TCP_SOCKETS];
static struct dns_rrl dns_server_rrl;
static struct dns_rrl_bucket
    dns_server_rrl_buckets[CONFIG_APP_DNS_SERVER_RRL_BUCKETS];
static uint8_t dns_server_query[DNS_SERVER_QUERY_MAX + 1];
/* Responses, after room for the TCP length prefix. */
static uint8_t dns_server_out[DNS_SERVER_LEN_PREFIX +
			      (CONFIG_APP_DNS_SERVER_TCP_RESPONSE_MAX >
				       CONFIG_APP_DNS_SERVER_EDNS_PAYLOAD
				   ? CONFIG_APP_DNS_SERVER_TCP_RESPONSE_MAX
				   : CONFIG_APP_DNS_SERVER_EDNS_PAYLOAD)];

static void dns_server_print_stats(void)
{
#define DNS_SERVER_PRINT(name)                                                 \
	kernel_print_stat("dns_server." #name, dns_server_stats.name);
	DNS_SERVER_STATS(DNS_SERVER_PRINT)
#undef DNS_SERVER_PRINT
}

/* A setting from the command line (key=) or the image's value. */
static int dns_server_setting(const char *key, uint32_t lo, uint32_t hi,
			      uint32_t *v)
{
	char value[12];
	int rc = cmdline_get(key, value, sizeof(value));

	if (rc == NET_ENOENT)
		return NET_OK;
	if (rc < 0 || cmdline_parse_u32(value, lo, hi, v) != NET_OK) {
		log_printf(LOG_ERROR, "dns-server: %s=%s: expected %lu..%lu",
			   key, rc < 0 ? "..." : value, (unsigned long)lo,
			   (unsigned long)hi);
		return NET_EINVAL;
	}
	return NET_OK;
}

static void dns_server_on_ready(int sock, uint8_t revents, void *ctx)
{
	(void)sock;
	(void)revents;
	*(bool *)ctx = true;
}

static int dns_server_open(uint16_t port)
{
	int rc;

	dns_server_udp = net_udp_open();
	if (dns_server_udp < 0)
		return dns_server_udp;
	rc = net_udp_bind(dns_server_udp, NET_IPV4_ANY, port);
	if (rc != NET_OK)
		return rc;
	dns_server_listener = net_tcp_open();
	if (dns_server_listener < 0)
		return dns_server_listener;
	rc = net_tcp_bind(dns_server_listener, NET_IPV4_ANY, port);
	if (rc == NET_OK)
		rc =
		    net_tcp_setsockopt(dns_server_listener, NET_TCP_NODELAY, 1);
	if (rc == NET_OK)
		rc = net_tcp_set_callback(dns_server_listener,
					  dns_server_on_ready,
					  &dns_server_listener_ready);
	if (rc == NET_OK)
		rc = net_tcp_listen(dns_server_listener, CONFIG_TCP_BACKLOG);
	return rc;
}

int app_init(void)
{
	uint32_t port = CONFIG_APP_DNS_SERVER_PORT;
	uint32_t rate = CONFIG_APP_DNS_SERVER_RRL_RATE;
	uint32_t slip = CONFIG_APP_DNS_SERVER_RRL_SLIP;
	uint32_t key = 0;
	int rc;

	/* From scratch, so that tests may start the application again. */
	memset(&dns_server_stats, 0, sizeof(dns_server_stats));
	memset(dns_server_conns, 0, sizeof(dns_server_conns));
	dns_server_nconns = 0;
	dns_server_listener_ready = false;
	if (dns_server_setting("port", 1, 65535, &port) != NET_OK ||
	    dns_server_setting("rrl_rate", 0, 1000000, &rate) != NET_OK ||
	    dns_server_setting("rrl_slip", 0, 10, &slip) != NET_OK)
		return NET_EINVAL;
	if (platform_entropy(&key, sizeof(key)) != NET_OK)
		key = 0; /* the hash still spreads networks, unkeyed */
	dns_rrl_init(&dns_server_rrl, dns_server_rrl_buckets,
		     CONFIG_APP_DNS_SERVER_RRL_BUCKETS, rate, slip, key);
	rc = dns_server_open((uint16_t)port);
	if (rc != NET_OK) {
		log_printf(LOG_ERROR, "dns-server: cannot serve port %lu: %s",
			   (unsigned long)port, net_strerror(rc));
		return rc;
	}
	kernel_set_app_stats_hook(dns_server_print_stats);
	log_printf(LOG_INFO,
		   "dns-server: %lu zone(s), %lu names, udp and tcp port %lu, "
		   "rrl %lu/s slip %lu",
		   (unsigned long)dns_zone_table.napexes,
		   (unsigned long)dns_zone_table.nnodes, (unsigned long)port,
		   (unsigned long)rate, (unsigned long)slip);
	return NET_OK;
}

/* Count what dns_answer() did. */
static void dns_server_count(const struct dns_answer_info *info)
{
	static uint64_t *const by_kind[] = {
	    [DNS_ANSWER_DROP] = &dns_server_stats.dropped,
	    [DNS_ANSWER_OK] = &dns_server_stats.noerror,
	    [DNS_ANSWER_REFERRAL] = &dns_server_stats.referral,
	    [DNS_ANSWER_NXDOMAIN] = &dns_server_stats.nxdomain,
	    [DNS_ANSWER_NODATA] = &dns_server_stats.nodata,
	    [DNS_ANSWER_REFUSED] = &dns_server_stats.refused,
	    [DNS_ANSWER_FORMERR] = &dns_server_stats.formerr,
	    [DNS_ANSWER_NOTIMP] = &dns_server_stats.notimp,
	    [DNS_ANSWER_BADVERS] = &dns_server_stats.badvers,
	};

	(*by_kind[info->kind])++;
	dns_server_stats.truncated += info->truncated;
	dns_server_stats.wildcard += info->wildcard;
	dns_server_stats.cname += info->cname;
	dns_server_stats.any += info->any;
	dns_server_stats.edns += info->edns;
}

/* ---- UDP ---------------------------------------------------------------- */

static size_t dns_server_limit(size_t len, uint32_t peer, uint64_t now_ms,
			       const struct dns_answer_info *info)
{
	switch (dns_rrl_check(&dns_server_rrl, peer, now_ms)) {
	case DNS_RRL_PASS:
		return len;
	case DNS_RRL_SLIP:
		dns_server_stats.rrl_limited++;
		dns_server_stats.rrl_slipped++;
		return dns_answer_truncate(
		    dns_server_out + DNS_SERVER_LEN_PREFIX, len, info);
	case DNS_RRL_DROP:
		break;
	}
	dns_server_stats.rrl_limited++;
	dns_server_stats.rrl_dropped++;
	return 0;
}

static void dns_server_udp_one(int n, uint32_t peer, uint16_t peer_port,
			       uint64_t now_ms)
{
	struct dns_answer_info info;
	size_t len;
	int rc;

	dns_server_stats.queries_udp++;
	if ((size_t)n > DNS_SERVER_QUERY_MAX) {
		dns_server_stats.rx_too_long++;
		return;
	}
	len = dns_answer(&dns_zone_table, dns_server_query, (size_t)n, false,
			 CONFIG_APP_DNS_SERVER_EDNS_PAYLOAD,
			 dns_server_out + DNS_SERVER_LEN_PREFIX,
			 sizeof(dns_server_out) - DNS_SERVER_LEN_PREFIX, &info);
	dns_server_count(&info);
	if (len == 0)
		return;
	len = dns_server_limit(len, peer, now_ms, &info);
	if (len == 0)
		return;
	rc = net_udp_sendto(dns_server_udp,
			    dns_server_out + DNS_SERVER_LEN_PREFIX, len, peer,
			    peer_port, now_ms);
	if (rc < 0)
		dns_server_stats.tx_failed++;
}

static void dns_server_poll_udp(uint64_t now_ms)
{
	for (int i = 0; i < DNS_SERVER_UDP_BUDGET; i++) {
		uint32_t peer;
		uint16_t peer_port;
		int n = net_udp_recvfrom(dns_server_udp, dns_server_query,
					 sizeof(dns_server_query), &peer,
					 &peer_port);

		if (n == NET_EAGAIN || n == NET_EBADF)
			return;
		if (n < 0)
			continue; /* an ICMP error for an earlier answer */
		dns_server_udp_one(n, peer, peer_port, now_ms);
	}
}

/* ---- TCP ---------------------------------------------------------------- */

static void dns_server_close(int sock, uint64_t now_ms, bool abort)
{
	struct dns_server_conn *c = &dns_server_conns[sock];

	c->used = false;
	dns_server_nconns--;
	dns_server_stats.tcp_closed++;
	if (abort)
		net_tcp_abort(sock, now_ms);
	else
		net_tcp_close(sock, now_ms);
}

static void dns_server_accept(uint64_t now_ms)
{
	int sock;

	while ((sock = net_tcp_accept(dns_server_listener, NULL, NULL)) >= 0) {
		struct dns_server_conn *c = &dns_server_conns[sock];

		if (dns_server_nconns >= CONFIG_APP_DNS_SERVER_TCP_CLIENTS) {
			dns_server_stats.tcp_refused++;
			net_tcp_abort(sock, now_ms);
			continue;
		}
		memset(c, 0, sizeof(*c));
		c->used = true;
		c->ready = true; /* a query may have come with the handshake */
		c->last_ms = now_ms;
		dns_server_nconns++;
		dns_server_stats.tcp_accepted++;
		net_tcp_set_callback(sock, dns_server_on_ready, &c->ready);
	}
}

/*
 * Answer the first whole query in the connection's buffer. Returns 1 when
 * one was answered, 0 when none is whole yet, NET_EAGAIN when the answer
 * waits for room, NET_EMSGSIZE for a query over DNS_SERVER_QUERY_MAX, or
 * the connection's error.
 */
static int dns_server_tcp_answer(int sock, struct dns_server_conn *c,
				 uint64_t now_ms)
{
	struct dns_answer_info info;
	size_t qlen, len;
	int space;

	if (c->in_len < DNS_SERVER_LEN_PREFIX)
		return 0;
	qlen = ld_be16(c->in);
	if (qlen > DNS_SERVER_QUERY_MAX)
		return NET_EMSGSIZE;
	if (c->in_len < DNS_SERVER_LEN_PREFIX + qlen)
		return 0;
	/* Room for the largest response first, so nothing is answered
	 * twice or lost. */
	space = net_tcp_send_space(sock);
	if (space < 0)
		return space;
	if ((size_t)space <
	    DNS_SERVER_LEN_PREFIX + CONFIG_APP_DNS_SERVER_TCP_RESPONSE_MAX)
		return NET_EAGAIN;
	len = dns_answer(&dns_zone_table, c->in + DNS_SERVER_LEN_PREFIX, qlen,
			 true, CONFIG_APP_DNS_SERVER_EDNS_PAYLOAD,
			 dns_server_out + DNS_SERVER_LEN_PREFIX,
			 CONFIG_APP_DNS_SERVER_TCP_RESPONSE_MAX, &info);
	dns_server_stats.queries_tcp++;
	dns_server_count(&info);
	if (len > 0) {
		st_be16(dns_server_out, (uint16_t)len);
		if (net_tcp_send(sock, dns_server_out,
				 len + DNS_SERVER_LEN_PREFIX,
				 now_ms) != (int)(len + DNS_SERVER_LEN_PREFIX))
			dns_server_stats.tx_failed++;
		c->last_ms = now_ms;
	}
	c->in_len -= DNS_SERVER_LEN_PREFIX + qlen;
	memmove(c->in, c->in + DNS_SERVER_LEN_PREFIX + qlen, c->in_len);
	return 1;
}

/* Read what fits into the buffer: false when the connection is done. */
static bool dns_server_tcp_read(int sock, struct dns_server_conn *c,
				uint64_t now_ms)
{
	int n;

	if (c->eof || c->in_len == sizeof(c->in))
		return true;
	n = net_tcp_recv(sock, c->in + c->in_len, sizeof(c->in) - c->in_len,
			 now_ms);
	if (n == NET_EAGAIN)
		return true;
	if (n == 0) {
		c->eof = true;
		return true;
	}
	if (n < 0)
		return false;
	c->in_len += (size_t)n;
	c->last_ms = now_ms;
	return true;
}

static void dns_server_serve(int sock, struct dns_server_conn *c,
			     uint64_t now_ms)
{
	for (int i = 0; i < DNS_SERVER_TCP_BUDGET; i++) {
		int rc;

		if (!dns_server_tcp_read(sock, c, now_ms)) {
			dns_server_close(sock, now_ms, true);
			return;
		}
		rc = dns_server_tcp_answer(sock, c, now_ms);
		c->blocked = rc == NET_EAGAIN;
		if (rc == NET_EMSGSIZE)
			dns_server_stats.tcp_too_long++;
		if (rc < 0 && rc != NET_EAGAIN) {
			dns_server_close(sock, now_ms, true);
			return;
		}
		if (rc == 1)
			continue;
		if (c->eof && !c->blocked) {
			/* Every whole query answered; a partial one never
			 * will be. */
			dns_server_close(sock, now_ms, false);
			return;
		}
		return;
	}
	c->ready = true; /* budget spent: more next turn */
}

static void dns_server_poll_tcp(uint64_t now_ms)
{
	if (dns_server_listener_ready) {
		dns_server_listener_ready = false;
		dns_server_accept(now_ms);
	}
	for (int s = 0; s < CONFIG_TCP_SOCKETS; s++) {
		struct dns_server_conn *c = &dns_server_conns[s];

		if (!c->used)
			continue;
		if (c->ready || c->blocked) {
			c->ready = false;
			dns_server_serve(s, c, now_ms);
			if (!c->used)
				continue;
		}
		/* Idle: no query read and no answer sent for that long. A
		 * client that stops reading its answers ends here too, so it
		 * cannot hold its slot for ever. */
		if (!c->ready &&
		    now_ms - c->last_ms >= CONFIG_APP_DNS_SERVER_TCP_IDLE_MS) {
			dns_server_stats.tcp_idle_closed++;
			dns_server_close(s, now_ms, c->blocked);
		}
	}
}

void app_poll(uint64_t now_ms)
{
	dns_server_poll_udp(now_ms);
	dns_server_poll_tcp(now_ms);
}
