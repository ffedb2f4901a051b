/*
 * resolve.c - the resolve application: DNS lookups on request, to try the
 * stub resolver by hand and to test it from outside.
 *
 *   names=a.example,b.example   resolved one after the other at start-up
 *                               with the blocking kernel_dns_resolve_
 *                               blocking(), each result logged;
 *   port=N / [resolve] port     then a UDP control port (0: none): each
 *                               datagram holding a name (a final newline
 *                               is ignored) starts a non-blocking
 *                               net_dns_resolve(), and the result line
 *                               goes back to the sender and to the log.
 *
 * Result lines (the log prefixes them with "resolve: "):
 *
 *   a.example A 10.1.2.3 10.1.2.4 ttl 300
 *   nx.example error nxdomain
 *
 * (names= lines carry the one address the blocking form returns and no
 * TTL.) A request that is not a valid host name is answered "error
 * invalid", its bytes outside printable ASCII shown as '?'.
 *
 * Error words: nxdomain, nodata, timeout, servfail, refused, truncated,
 * badmsg (a CNAME loop or too long a chain), noserver, busy (every
 * CONFIG_DNS_QUERIES slot waiting), invalid (not a host name), or
 * net_strerror()'s text for anything else.
 *
 * A request waits in one of CONFIG_DNS_QUERIES slots; the callback only
 * writes its line, and app_poll() sends it (it has the clock sendto
 * needs). A reply that cannot be sent yet (NET_EAGAIN: the requester's
 * address still resolving) is retried for RESOLVE_RETRY_MS, then dropped.
 *
 * This is a test and demonstration application: the control port answers
 * anyone who can reach it. Do not put it in a production image.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kernel/app.h>
#include <kernel/cmdline.h>
#include <kernel/dns.h>
#include <kernel/log.h>
#include <keel_config.h>
#include <klib/fmt.h>
#include <net/dns.h>
#include <net/net.h>

_Static_assert(CONFIG_APP_RESOLVE_PORT >= 0 && CONFIG_APP_RESOLVE_PORT <= 65535,
	       "[resolve] port must be 0..65535");

/* The longest a start-up lookup may take. */
#define RESOLVE_BLOCKING_MS 30000
/* The longest a reply waits to be sent. */
#define RESOLVE_RETRY_MS 5000
/* Requests read per app_poll(). */
#define RESOLVE_BUDGET 16
/* A result line: the name, " A ", four addresses, " ttl ", a number. */
#define RESOLVE_LINE_MAX (NET_DNS_NAME_MAX + 100)

const char *const app_cmdline_keys[] = {"names", "port", NULL};

enum resolve_slot_state {
	RESOLVE_FREE = 0,
	RESOLVE_WAITING, /* the lookup runs */
	RESOLVE_REPLY,	 /* `line` is to be sent */
};

struct resolve_slot {
	enum resolve_slot_state state;
	uint32_t peer;
	uint16_t peer_port;
	bool retrying; /* a send said NET_EAGAIN at since_ms */
	uint64_t since_ms;
	size_t len;
	char line[RESOLVE_LINE_MAX];
};

static int resolve_sock = NET_EBADF;
static struct resolve_slot resolve_slots[CONFIG_DNS_QUERIES];
static char resolve_rx[NET_DNS_NAME_MAX + 3];

/* ---- result lines ------------------------------------------------------ */

static const char *resolve_error_word(int status)
{
	switch (status) {
	case NET_ENOENT:
		return "nxdomain";
	case NET_ENODATA:
		return "nodata";
	case NET_ETIMEDOUT:
		return "timeout";
	case NET_ESERVFAIL:
		return "servfail";
	case NET_ECONNREFUSED:
		return "refused";
	case NET_EMSGSIZE:
		return "truncated";
	case NET_EBADMSG:
		return "badmsg";
	case NET_ENETUNREACH:
		return "noserver";
	case NET_ENOBUFS:
		return "busy";
	case NET_EINVAL:
		return "invalid";
	default:
		return net_strerror(status);
	}
}

/* The result line for `name` into buf (a TTL only when `ttl` is not
 * NULL); its length. */
static size_t resolve_format(char *buf, size_t cap, const char *name,
			     int status, const uint32_t *addrs, unsigned n,
			     const uint32_t *ttl)
{
	int len = fmt_snprintf(buf, cap, "%s", name);

	if (status != NET_OK) {
		len += fmt_snprintf(buf + len, cap - (size_t)len, " error %s",
				    resolve_error_word(status));
		return (size_t)len < cap ? (size_t)len : cap - 1;
	}
	len += fmt_snprintf(buf + len, cap - (size_t)len, " A");
	for (unsigned i = 0; i < n && (size_t)len < cap; i++)
		len += fmt_snprintf(buf + len, cap - (size_t)len, " %s",
				    FMT_IPV4(addrs[i]));
	if (ttl && (size_t)len < cap)
		len += fmt_snprintf(buf + len, cap - (size_t)len, " ttl %u",
				    (unsigned)*ttl);
	return (size_t)len < cap ? (size_t)len : cap - 1;
}

/* ---- start-up: names= -------------------------------------------------- */

/* Resolve one name of names= and log the result. */
static void resolve_one_blocking(const char *name)
{
	char line[RESOLVE_LINE_MAX];
	uint32_t addr = 0;
	int rc = kernel_dns_resolve_blocking(name, &addr, RESOLVE_BLOCKING_MS);

	resolve_format(line, sizeof(line), name, rc, &addr, 1, NULL);
	log_printf(LOG_INFO, "resolve: %s", line);
}

static void resolve_names(void)
{
	char value[CMDLINE_TOKEN_MAX];
	char *p, *comma;

	if (cmdline_get("names", value, sizeof(value)) < 0)
		return;
	for (p = value; *p != '\0'; p = comma + 1) {
		comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (*p != '\0')
			resolve_one_blocking(p);
		if (!comma)
			break;
	}
}

/* ---- the control port -------------------------------------------------- */

static void resolve_done(void *ctx, const struct net_dns_result *r)
{
	struct resolve_slot *s = ctx;

	s->len = resolve_format(s->line, sizeof(s->line), r->name, r->status,
				r->addrs, r->naddrs, &r->ttl);
	s->state = RESOLVE_REPLY;
	s->retrying = false;
	log_printf(LOG_INFO, "resolve: %s", s->line);
}

static struct resolve_slot *resolve_free_slot(void)
{
	for (int i = 0; i < CONFIG_DNS_QUERIES; i++)
		if (resolve_slots[i].state == RESOLVE_FREE)
			return &resolve_slots[i];
	return NULL;
}

/* Send a slot's line: true when the slot is free again. */
static bool resolve_send(struct resolve_slot *s, uint64_t now_ms)
{
	int rc = net_udp_sendto(resolve_sock, s->line, s->len, s->peer,
				s->peer_port, now_ms);

	if (rc == NET_EAGAIN) {
		if (!s->retrying) {
			s->retrying = true;
			s->since_ms = now_ms;
		}
		if (now_ms - s->since_ms < RESOLVE_RETRY_MS)
			return false;
	}
	if (rc < 0)
		log_printf(LOG_DEBUG, "resolve: reply to %s:%u dropped: %s",
			   FMT_IPV4(s->peer), (unsigned)s->peer_port,
			   net_strerror(rc));
	s->state = RESOLVE_FREE;
	return true;
}

/* The request in resolve_rx (`n` bytes) as a name: its line end
 * trimmed, bytes that could upset a console made '?' (which no host
 * name contains). */
static const char *resolve_request_name(size_t n)
{
	while (n > 0 &&
	       (resolve_rx[n - 1] == '\n' || resolve_rx[n - 1] == '\r'))
		n--;
	resolve_rx[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (resolve_rx[i] < 0x21 || resolve_rx[i] > 0x7e)
			resolve_rx[i] = '?';
	return resolve_rx;
}

/* Start the lookup a request asks for, or answer it at once. */
static void resolve_request(size_t n, uint32_t peer, uint16_t port,
			    uint64_t now_ms)
{
	struct resolve_slot *s = resolve_free_slot();
	const char *name = resolve_request_name(n);
	struct resolve_slot busy;
	int rc = NET_ENOBUFS;

	if (s) {
		s->peer = peer;
		s->peer_port = port;
		s->state = RESOLVE_WAITING;
		rc = net_dns_resolve(name, resolve_done, s, now_ms);
		if (rc >= 0)
			return;
	} else {
		s = &busy;
		s->peer = peer;
		s->peer_port = port;
	}
	/* Refused at once: answer at once, best effort. */
	s->len =
	    resolve_format(s->line, sizeof(s->line), name, rc, NULL, 0, NULL);
	log_printf(LOG_INFO, "resolve: %s", s->line);
	net_udp_sendto(resolve_sock, s->line, s->len, peer, port, now_ms);
	s->state = RESOLVE_FREE;
}

static void resolve_receive(uint64_t now_ms)
{
	for (int i = 0; i < RESOLVE_BUDGET; i++) {
		uint32_t peer;
		uint16_t port;
		int n = net_udp_recvfrom(resolve_sock, resolve_rx,
					 sizeof(resolve_rx) - 1, &peer, &port);

		if (n == NET_EAGAIN || n == NET_EBADF)
			return;
		if (n < 0 || port == 0)
			continue; /* an ICMP error about a reply; no reply port
				   */
		if ((size_t)n >= sizeof(resolve_rx) - 1)
			n = 0; /* longer than any name: refused as one */
		resolve_request((size_t)n, peer, port, now_ms);
	}
}

/* ---- the application --------------------------------------------------- */

static int resolve_port(uint16_t *port)
{
	char value[8];
	uint32_t v = CONFIG_APP_RESOLVE_PORT;
	int rc = cmdline_get("port", value, sizeof(value));

	if (rc != NET_ENOENT &&
	    (rc < 0 || cmdline_parse_u32(value, 0, 65535, &v) != NET_OK)) {
		log_printf(LOG_ERROR, "resolve: port=%s: expected 0..65535",
			   rc < 0 ? "..." : value);
		return NET_EINVAL;
	}
	*port = (uint16_t)v;
	return NET_OK;
}

static int resolve_open(uint16_t port)
{
	int rc;

	resolve_sock = net_udp_open();
	if (resolve_sock < 0) {
		log_printf(LOG_ERROR, "resolve: no socket: %s",
			   net_strerror(resolve_sock));
		return resolve_sock;
	}
	rc = net_udp_bind(resolve_sock, NET_IPV4_ANY, port);
	if (rc != NET_OK) {
		log_printf(LOG_ERROR, "resolve: cannot bind port %u: %s",
			   (unsigned)port, net_strerror(rc));
		return rc;
	}
	return NET_OK;
}

static void resolve_log_servers(void)
{
	uint32_t s[NET_DNS_SERVERS_MAX];
	size_t n = net_dns_get_servers(s, NET_DNS_SERVERS_MAX);
	char text[NET_DNS_SERVERS_MAX * 16 + 1] = "none";
	int len = 0;

	for (size_t i = 0; i < n; i++)
		len += fmt_snprintf(text + len, sizeof(text) - (size_t)len,
				    "%s%s", i ? "," : "", FMT_IPV4(s[i]));
	log_printf(LOG_INFO, "resolve: name servers %s", text);
}

int app_init(void)
{
	uint16_t port;
	int rc = resolve_port(&port);

	if (rc != NET_OK)
		return rc;
	resolve_log_servers();
	resolve_names();
	if (port == 0)
		return NET_OK;
	rc = resolve_open(port);
	if (rc != NET_OK)
		return rc;
	log_printf(LOG_INFO, "resolve: names taken on udp port %u",
		   (unsigned)port);
	return NET_OK;
}

void app_poll(uint64_t now_ms)
{
	if (resolve_sock < 0)
		return;
	for (int i = 0; i < CONFIG_DNS_QUERIES; i++)
		if (resolve_slots[i].state == RESOLVE_REPLY)
			resolve_send(&resolve_slots[i], now_ms);
	resolve_receive(now_ms);
}
