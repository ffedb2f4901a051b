/*
 * tcp_echo.c - TCP echo (RFC 862) and two test services on keel's TCP.
 *
 * Three listeners, each on a port from the image definition (port= on the
 * command line overrides the echo port; a port of 0 turns a service off):
 *   echo   (CONFIG_APP_TCP_ECHO_PORT): every byte comes back, in order;
 *          the peer's FIN is answered by ours once everything is echoed.
 *   sink   (CONFIG_APP_TCP_ECHO_SINK_PORT): reads a stream that must be
 *          the counting pattern (byte i is byte i % 8 of the 64-bit
 *          big-endian integer i / 8), and at the peer's FIN answers
 *          "ok <bytes>\n" or "bad <offset>\n" and closes.
 *   source (CONFIG_APP_TCP_ECHO_SOURCE_PORT): reads an 8-byte big-endian
 *          length, sends that many bytes of the counting pattern, closes.
 * Sink and source let a test check each direction alone, end to end,
 * without trusting an echo.
 *
 * Event-driven: every socket has a readiness callback (net_tcp_set_
 * callback) that only marks it ready; app_poll() serves the sockets
 * marked, each until a call says NET_EAGAIN (the callback then fires
 * again when that changes) or, per app_poll(), TCP_ECHO_BUDGET bytes
 * have moved, so one connection cannot starve the others (it stays
 * marked). Idle connections cost nothing.
 *
 * Echo never reads more than the send ring can take at once, so nothing is
 * held in the application: back pressure reaches the peer as a closing
 * receive window. Accepted connections run with TCP_NODELAY (an echo
 * should not wait for ACKs), set once on each listener, and with keepalive
 * probes when the image sets [tcp-echo] keepalive.
 *
 * greet=A.B.C.D:PORT on the command line makes app_init() connect there
 * first with the blocking calls of <kernel/tcp.h>, each limited to
 * TCP_ECHO_GREET_MS: it sends "tcp-echo ready\n", logs the one line that
 * comes back ("tcp-echo: greeted A.B.C.D:PORT: <line>") and closes. A
 * failure (refused, timed out) is logged and does not stop the services.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kernel/app.h>
#include <kernel/cmdline.h>
#include <kernel/log.h>
#include <kernel/tcp.h>
#include <keel_config.h>
#include <klib/fmt.h>
#include <net/net.h>
#include <net/tcp.h>

#define TCP_ECHO_CHUNK	   2048
#define TCP_ECHO_BUDGET	   (256 * 1024)
#define TCP_ECHO_LEN_HDR   8
#define TCP_ECHO_GREET_MS  5000
#define TCP_ECHO_GREET_MAX 80 /* the longest reply line kept */

_Static_assert(CONFIG_APP_TCP_ECHO_PORT >= 1 &&
		   CONFIG_APP_TCP_ECHO_PORT <= 65535,
	       "[tcp-echo] port must be 1..65535");

const char *const app_cmdline_keys[] = {"port", "greet", NULL};

enum tcp_echo_mode {
	TCP_ECHO_MODE_NONE = 0,
	TCP_ECHO_MODE_ECHO,
	TCP_ECHO_MODE_SINK,
	TCP_ECHO_MODE_SOURCE,
};

/* One accepted connection, indexed by its handle. */
struct tcp_echo_conn {
	enum tcp_echo_mode mode;
	uint64_t count;	 /* sink: bytes checked; source: bytes sent */
	uint64_t want;	 /* source: bytes asked for */
	uint64_t bad_at; /* sink: first wrong byte, UINT64_MAX: none */
	uint8_t hdr_len; /* source: length bytes read so far */
	uint8_t hdr[TCP_ECHO_LEN_HDR];
	bool ready; /* set by the callback: serve it */
};

struct tcp_echo_listener {
	enum tcp_echo_mode mode;
	const char *name;
	uint16_t port;
	int sock;
	bool ready; /* set by the callback: accept */
};

static struct tcp_echo_listener tcp_echo_listeners[] = {
    {TCP_ECHO_MODE_ECHO, "echo", CONFIG_APP_TCP_ECHO_PORT, NET_EBADF, false},
    {TCP_ECHO_MODE_SINK, "sink", CONFIG_APP_TCP_ECHO_SINK_PORT, NET_EBADF,
     false},
    {TCP_ECHO_MODE_SOURCE, "source", CONFIG_APP_TCP_ECHO_SOURCE_PORT, NET_EBADF,
     false},
};
#define TCP_ECHO_LISTENERS                                                     \
	(sizeof(tcp_echo_listeners) / sizeof(tcp_echo_listeners[0]))

static struct tcp_echo_conn tcp_echo_conns[CONFIG_TCP_SOCKETS];
static uint8_t tcp_echo_buf[TCP_ECHO_CHUNK];

/* Byte `i` of the counting pattern. */
static uint8_t tcp_echo_pattern(uint64_t i)
{
	return (uint8_t)((i / 8) >> (8 * (7 - i % 8)));
}

static int tcp_echo_port(uint16_t *port)
{
	char value[8];
	uint32_t v = CONFIG_APP_TCP_ECHO_PORT;
	int rc = cmdline_get("port", value, sizeof(value));

	if (rc != NET_ENOENT &&
	    (rc < 0 || cmdline_parse_u32(value, 1, 65535, &v) != NET_OK)) {
		log_printf(LOG_ERROR, "tcp-echo: port=%s: expected 1..65535",
			   rc < 0 ? "..." : value);
		return NET_EINVAL;
	}
	*port = (uint16_t)v;
	return NET_OK;
}

/* The readiness callback: ctx is the ready flag of the socket. */
static void tcp_echo_on_ready(int sock, uint8_t revents, void *ctx)
{
	bool *ready = ctx;

	(void)sock;
	(void)revents;
	*ready = true;
}

static int tcp_echo_listen(struct tcp_echo_listener *l)
{
	int rc;

	l->sock = net_tcp_open();
	if (l->sock < 0)
		return l->sock;
	rc = net_tcp_bind(l->sock, NET_IPV4_ANY, l->port);
	/* Accepted connections take the listener's options. */
	if (rc == NET_OK)
		rc = net_tcp_setsockopt(l->sock, NET_TCP_NODELAY, 1);
	if (rc == NET_OK)
		rc = net_tcp_setsockopt(l->sock, NET_SO_KEEPALIVE,
					CONFIG_APP_TCP_ECHO_KEEPALIVE);
	if (rc == NET_OK)
		rc =
		    net_tcp_set_callback(l->sock, tcp_echo_on_ready, &l->ready);
	if (rc == NET_OK)
		rc = net_tcp_listen(l->sock, CONFIG_TCP_BACKLOG);
	if (rc != NET_OK)
		log_printf(LOG_ERROR, "tcp-echo: cannot listen on port %u: %s",
			   (unsigned)l->port, net_strerror(rc));
	return rc;
}

/* greet=A.B.C.D:PORT, if given: NET_ENOENT when not, NET_EINVAL when bad. */
static int tcp_echo_greet_target(uint32_t *addr, uint16_t *port)
{
	char value[32];
	char *colon;
	uint32_t p;
	int rc = cmdline_get("greet", value, sizeof(value));

	if (rc == NET_ENOENT)
		return rc;
	colon = rc >= 0 ? strchr(value, ':') : NULL;
	if (colon)
		*colon = '\0';
	if (!colon || cmdline_parse_ipv4(value, addr) != NET_OK ||
	    cmdline_parse_u32(colon + 1, 1, 65535, &p) != NET_OK) {
		log_printf(LOG_ERROR,
			   "tcp-echo: greet=...: expected A.B.C.D:PORT like "
			   "10.0.0.1:5000");
		return NET_EINVAL;
	}
	*port = (uint16_t)p;
	return NET_OK;
}

/* Read one line (up to its '\n', at most cap - 1 bytes) into line. */
static int tcp_echo_greet_line(int sock, char *line, size_t cap)
{
	size_t len = 0;

	while (len < cap - 1) {
		int n = kernel_tcp_recv(sock, line + len, 1);

		if (n <= 0) {
			if (len > 0)
				break;
			return n == 0 ? NET_ECONNRESET : n;
		}
		if (line[len] == '\n')
			break;
		len++;
	}
	line[len] = '\0';
	return NET_OK;
}

/* Connect, say we are up, log the answer: each step waits (blocking). */
static int tcp_echo_greet_with(int sock, uint32_t addr, uint16_t port,
			       char *line, size_t cap)
{
	static const char hello[] = "tcp-echo ready\n";
	int rc = net_tcp_setsockopt(sock, NET_SO_NONBLOCK, 0);

	if (rc == NET_OK)
		rc = net_tcp_setsockopt(sock, NET_SO_SNDTIMEO,
					TCP_ECHO_GREET_MS);
	if (rc == NET_OK)
		rc = net_tcp_setsockopt(sock, NET_SO_RCVTIMEO,
					TCP_ECHO_GREET_MS);
	if (rc == NET_OK)
		rc = kernel_tcp_connect(sock, addr, port);
	if (rc == NET_EAGAIN)
		rc = NET_ETIMEDOUT; /* our own limit passed */
	if (rc == NET_OK) {
		rc = kernel_tcp_send(sock, hello, sizeof(hello) - 1);
		rc = rc == (int)sizeof(hello) - 1 ? NET_OK
						  : (rc < 0 ? rc : NET_EIO);
	}
	if (rc == NET_OK)
		rc = tcp_echo_greet_line(sock, line, cap);
	return rc;
}

static void tcp_echo_greet(void)
{
	char line[TCP_ECHO_GREET_MAX];
	uint32_t addr;
	uint16_t port;
	int sock, rc = tcp_echo_greet_target(&addr, &port);

	if (rc != NET_OK)
		return;
	sock = net_tcp_open();
	rc = sock < 0
		 ? sock
		 : tcp_echo_greet_with(sock, addr, port, line, sizeof(line));
	if (rc == NET_OK)
		log_printf(LOG_INFO, "tcp-echo: greeted %s:%u: %s",
			   FMT_IPV4(addr), (unsigned)port, line);
	else
		log_printf(LOG_WARN, "tcp-echo: greet %s:%u: %s",
			   FMT_IPV4(addr), (unsigned)port, net_strerror(rc));
	if (sock >= 0)
		kernel_tcp_close(sock);
}

int app_init(void)
{
	int rc = tcp_echo_port(&tcp_echo_listeners[0].port);
	uint32_t addr;
	uint16_t port;

	if (rc == NET_OK && tcp_echo_greet_target(&addr, &port) == NET_EINVAL)
		rc = NET_EINVAL;
	for (size_t i = 0; i < TCP_ECHO_LISTENERS && rc == NET_OK; i++) {
		if (tcp_echo_listeners[i].port == 0)
			continue;
		rc = tcp_echo_listen(&tcp_echo_listeners[i]);
		if (rc == NET_OK)
			log_printf(LOG_INFO, "tcp-echo: %s on tcp port %u",
				   tcp_echo_listeners[i].name,
				   (unsigned)tcp_echo_listeners[i].port);
	}
	if (rc == NET_OK)
		tcp_echo_greet();
	return rc;
}

static void tcp_echo_finish(int sock, uint64_t now_ms)
{
	tcp_echo_conns[sock].mode = TCP_ECHO_MODE_NONE;
	net_tcp_close(sock, now_ms);
}

/*
 * The serve functions return true when their budget ran out (serve again
 * next turn), false when they wait for the callback (or finished).
 */

/* Echo: read only what the send ring can take. */
static bool tcp_echo_serve_echo(int sock, uint64_t now_ms)
{
	for (uint32_t moved = 0; moved < TCP_ECHO_BUDGET;) {
		int space = net_tcp_send_space(sock);
		int n;

		if (space == 0) {
			/* Full ring: the send that filled it means a
			 * callback when there is room, or the connection
			 * is gone. */
			if (net_tcp_state(sock) == TCP_STATE_CLOSED)
				tcp_echo_finish(sock, now_ms);
			return false;
		}
		n = net_tcp_recv(sock, tcp_echo_buf,
				 space < TCP_ECHO_CHUNK ? (size_t)space
							: TCP_ECHO_CHUNK,
				 now_ms);
		if (n == NET_EAGAIN)
			return false;
		if (n <= 0) { /* end of stream or error */
			tcp_echo_finish(sock, now_ms);
			return false;
		}
		net_tcp_send(sock, tcp_echo_buf, (size_t)n, now_ms);
		moved += (uint32_t)n;
	}
	return true;
}

static void tcp_echo_sink_check(struct tcp_echo_conn *e, int n)
{
	for (int i = 0; i < n; i++, e->count++)
		if (e->bad_at == UINT64_MAX &&
		    tcp_echo_buf[i] != tcp_echo_pattern(e->count))
			e->bad_at = e->count;
}

static void tcp_echo_sink_report(int sock, struct tcp_echo_conn *e,
				 uint64_t now_ms)
{
	char line[48];
	int len;

	if (e->bad_at == UINT64_MAX)
		len = fmt_snprintf(line, sizeof(line), "ok %llu\n",
				   (unsigned long long)e->count);
	else
		len = fmt_snprintf(line, sizeof(line), "bad %llu\n",
				   (unsigned long long)e->bad_at);
	net_tcp_send(sock, line, (size_t)len, now_ms);
	tcp_echo_finish(sock, now_ms);
}

static bool tcp_echo_serve_sink(int sock, uint64_t now_ms)
{
	struct tcp_echo_conn *e = &tcp_echo_conns[sock];

	for (uint32_t moved = 0; moved < TCP_ECHO_BUDGET;) {
		int n =
		    net_tcp_recv(sock, tcp_echo_buf, TCP_ECHO_CHUNK, now_ms);

		if (n == NET_EAGAIN)
			return false;
		if (n == 0) {
			tcp_echo_sink_report(sock, e, now_ms);
			return false;
		}
		if (n < 0) {
			tcp_echo_finish(sock, now_ms);
			return false;
		}
		tcp_echo_sink_check(e, n);
		moved += (uint32_t)n;
	}
	return true;
}

/* Source: the length first, then the pattern. False: keep waiting. */
static bool tcp_echo_source_header(int sock, struct tcp_echo_conn *e,
				   uint64_t now_ms)
{
	int n;

	while (e->hdr_len < TCP_ECHO_LEN_HDR) {
		n = net_tcp_recv(sock, e->hdr + e->hdr_len,
				 TCP_ECHO_LEN_HDR - e->hdr_len, now_ms);
		if (n == NET_EAGAIN)
			return false;
		if (n <= 0) {
			tcp_echo_finish(sock, now_ms);
			return false;
		}
		e->hdr_len = (uint8_t)(e->hdr_len + n);
	}
	e->want = 0;
	for (int i = 0; i < TCP_ECHO_LEN_HDR; i++)
		e->want = e->want << 8 | e->hdr[i];
	return true;
}

static bool tcp_echo_serve_source(int sock, uint64_t now_ms)
{
	struct tcp_echo_conn *e = &tcp_echo_conns[sock];

	if (!tcp_echo_source_header(sock, e, now_ms))
		return false;
	for (uint32_t moved = 0;
	     moved < TCP_ECHO_BUDGET && e->count < e->want;) {
		uint64_t left = e->want - e->count;
		size_t n =
		    left < TCP_ECHO_CHUNK ? (size_t)left : TCP_ECHO_CHUNK;
		int sent;

		for (size_t i = 0; i < n; i++)
			tcp_echo_buf[i] = tcp_echo_pattern(e->count + i);
		sent = net_tcp_send(sock, tcp_echo_buf, n, now_ms);
		if (sent == NET_EAGAIN)
			return false;
		if (sent < 0) {
			tcp_echo_finish(sock, now_ms);
			return false;
		}
		e->count += (uint64_t)sent;
		moved += (uint32_t)sent;
	}
	if (e->count < e->want)
		return true;
	tcp_echo_finish(sock, now_ms);
	return false;
}

/* Accept until NET_EAGAIN (after which the callback fires again). */
static void tcp_echo_accept(const struct tcp_echo_listener *l)
{
	int sock;

	while ((sock = net_tcp_accept(l->sock, NULL, NULL)) >= 0) {
		struct tcp_echo_conn *e = &tcp_echo_conns[sock];

		*e = (struct tcp_echo_conn){0};
		e->mode = l->mode;
		e->bad_at = UINT64_MAX;
		e->ready = true; /* data may have come with the handshake */
		net_tcp_set_callback(sock, tcp_echo_on_ready, &e->ready);
	}
}

static bool tcp_echo_serve(int s, uint64_t now_ms)
{
	switch (tcp_echo_conns[s].mode) {
	case TCP_ECHO_MODE_ECHO:
		return tcp_echo_serve_echo(s, now_ms);
	case TCP_ECHO_MODE_SINK:
		return tcp_echo_serve_sink(s, now_ms);
	case TCP_ECHO_MODE_SOURCE:
		return tcp_echo_serve_source(s, now_ms);
	default:
		return false;
	}
}

void app_poll(uint64_t now_ms)
{
	for (size_t i = 0; i < TCP_ECHO_LISTENERS; i++) {
		struct tcp_echo_listener *l = &tcp_echo_listeners[i];

		if (l->sock >= 0 && l->ready) {
			l->ready = false;
			tcp_echo_accept(l);
		}
	}
	for (int s = 0; s < CONFIG_TCP_SOCKETS; s++) {
		struct tcp_echo_conn *e = &tcp_echo_conns[s];

		if (e->mode != TCP_ECHO_MODE_NONE && e->ready)
			e->ready = tcp_echo_serve(s, now_ms);
	}
}
