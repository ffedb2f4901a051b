/*
 * https.c - an HTTP/1.1 server (RFC 9110, RFC 9112) over TLS on keel's
 * TCP: static files embedded at build time, route handlers in C, and the
 * built-in /healthz and /metrics.
 *
 * Connections: https.connections slots, each with its TLS session, a
 * receive buffer (https.header_max + https.body_max) and a response
 * buffer (https.response_max). One more slot answers 503 to whoever comes
 * while all are busy; beyond that, new connections are reset.
 *
 * Each slot is a small state machine:
 *   HANDSHAKE -> READ (head) -> BODY -> WRITE -> READ ... -> CLOSE
 * Requests on a connection are answered one after the other, so pipelined
 * requests get their responses in order (RFC 9112 §9.3.2); bytes of the
 * next request wait in the receive buffer meanwhile.
 *
 * Fairness: app_poll() serves the slots round robin, starting one further
 * each turn, and gives each at most HTTPS_TURN_BYTES of output and
 * HTTPS_TURN_REQUESTS requests per turn; a slot with work left stays
 * marked for the next turn.
 *
 * Time limits: a handshake, and a request once its first byte is in, must
 * complete within https.request_timeout_ms (then 408 and close; a stalled
 * handshake is just closed); a kept-alive connection idle for
 * https.idle_timeout_ms is closed; a response the peer does not read for
 * as long is abandoned.
 *
 * No Date field: keel has no clock of the wall (RFC 9110 §6.6.1).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kernel/app.h>
#include <kernel/cmdline.h>
#include <kernel/log.h>
#include <keel_config.h>
#include <klib/fmt.h>
#include <net/net.h>
#include <net/stats.h>
#include <net/tcp.h>

#include "http_parse.h"
#include "https.h"

_Static_assert(CONFIG_APP_HTTPS_TARGET_MAX < CONFIG_APP_HTTPS_HEADER_MAX,
	       "[https] target_max must be below header_max");

#define HTTPS_SLOTS	    (CONFIG_APP_HTTPS_CONNECTIONS + 1)
#define HTTPS_REJECT_SLOT   CONFIG_APP_HTTPS_CONNECTIONS
#define HTTPS_RX_SLACK	    512 /* chunk framing not yet decoded */
#define HTTPS_RX_CAP                                                           \
	(CONFIG_APP_HTTPS_HEADER_MAX + CONFIG_APP_HTTPS_BODY_MAX +             \
	 HTTPS_RX_SLACK)
#define HTTPS_HDR_CAP	    768
/* Plaintext per TLS record we write: small enough that the record fits
 * the pool's plentiful 3456-byte buckets (see wolfssl/user_settings.h). */
#define HTTPS_RECORD_MAX    3328
#define HTTPS_RECORD_EXTRA  64	 /* record header, tag, padding */
#define HTTPS_TURN_BYTES    (64 * 1024)
#define HTTPS_TURN_REQUESTS 16

const char *const app_cmdline_keys[] = {"port", NULL};

enum https_state {
	HTTPS_STATE_FREE = 0,
	HTTPS_STATE_HANDSHAKE,
	HTTPS_STATE_READ,
	HTTPS_STATE_BODY,
	HTTPS_STATE_WRITE,
};

struct https_conn {
	enum https_state state;
	int sock;
	struct WOLFSSL *ssl;
	bool ready;	    /* the socket's callback fired */
	bool close_after;   /* the response in flight is the last */
	bool continue_begun; /* 100 Continue was written, maybe in part */
	bool continue_sent;  /* ... and is out */
	uint64_t deadline_ms;
	/* the request */
	size_t rx_len;
	struct http_request req;
	struct http_chunked chunked;
	size_t body_in;	 /* next undecoded byte of a chunked body */
	size_t body_len; /* body bytes in hand, at rx + req.head_len */
	size_t consumed; /* bytes of rx the current request takes */
	/* the response */
	size_t hdr_len, hdr_off;
	size_t pend_len; /* a write wolfSSL asked to repeat, else 0 */
	const uint8_t *body;
	size_t body_total, body_off;
	bool metrics_on;     /* /metrics still being written, piece by piece */
	bool chunked_out;    /* ... framed as chunks (else ended by the close) */
	size_t metrics_at;   /* the next metric (https_metric()) */
	int status;
	uint8_t rx[HTTPS_RX_CAP];
	char hdr[HTTPS_HDR_CAP];
	char resp[CONFIG_APP_HTTPS_RESPONSE_MAX];
};

struct https_route {
	const char *path;
	size_t len; /* without the '*' of a prefix */
	bool prefix;
	unsigned methods;
	https_handler fn;
};

/* Counters for /metrics. */
#define HTTPS_STATUSES 24
struct https_counters {
	uint64_t accepted, rejected_503, refused, closed;
	uint64_t handshakes, handshake_failures, tls_errors;
	uint64_t timeouts;
	uint64_t status_code[HTTPS_STATUSES];
	uint64_t status_count[HTTPS_STATUSES];
};

static struct https_conn https_conns[HTTPS_SLOTS];
static struct https_route https_routes[HTTPS_ROUTES_MAX];
static size_t https_route_count;
static struct https_counters https_stats;
static int https_listener = NET_EBADF;
static bool https_listener_ready;
static size_t https_next_slot; /* round robin start */
static uint64_t https_now;
static const struct http_limits https_limits = {
    .head_max = CONFIG_APP_HTTPS_HEADER_MAX,
    .target_max = CONFIG_APP_HTTPS_TARGET_MAX,
    .body_max = CONFIG_APP_HTTPS_BODY_MAX,
};

/* ---- routes and responses ------------------------------------------------ */

int https_route_add(const char *path, unsigned methods, https_handler fn)
{
	size_t len = strlen(path);
	struct https_route *r;

	if (len == 0 || path[0] != '/' || !fn)
		return NET_EINVAL;
	if (https_route_count >= HTTPS_ROUTES_MAX)
		return NET_ENOBUFS;
	r = &https_routes[https_route_count++];
	r->prefix = path[len - 1] == '*';
	r->path = path;
	r->len = r->prefix ? len - 1 : len;
	r->methods = methods;
	r->fn = fn;
	return NET_OK;
}

bool https_response_append(struct https_response *res, const void *data,
			   size_t len)
{
	if (len > res->cap - res->len) {
		res->overflow = true;
		return false;
	}
	memcpy(res->body + res->len, data, len);
	res->len += len;
	return true;
}

bool https_response_printf(struct https_response *res, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(res->body + res->len, res->cap - res->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= res->cap - res->len) {
		res->body[res->len] = '\0';
		res->overflow = true;
		return false;
	}
	res->len += (size_t)n;
	return true;
}

static void https_count_status(int status)
{
	for (size_t i = 0; i < HTTPS_STATUSES; i++) {
		if (https_stats.status_code[i] == 0)
			https_stats.status_code[i] = (uint64_t)status;
		if (https_stats.status_code[i] == (uint64_t)status) {
			https_stats.status_count[i]++;
			return;
		}
	}
}

/* A body of unknown length: chunked (HTTP/1.1), or ended by the close. */
#define HTTPS_LENGTH_CHUNKED ((size_t)-1)
#define HTTPS_LENGTH_CLOSE   ((size_t)-2)

/* The status line and fields, into c->hdr. */
static void https_head(struct https_conn *c, int status, const char *ctype,
		       size_t length, const char *extra)
{
	char framing[48];
	int n;

	if (length == HTTPS_LENGTH_CHUNKED)
		fmt_snprintf(framing, sizeof(framing),
			     "Transfer-Encoding: chunked\r\n");
	else if (length == HTTPS_LENGTH_CLOSE)
		framing[0] = '\0';
	else
		fmt_snprintf(framing, sizeof(framing),
			     "Content-Length: %zu\r\n", length);
	n = fmt_snprintf(c->hdr, sizeof(c->hdr),
			 "HTTP/1.1 %d %s\r\nServer: keel\r\n%s%s%s%s%s%s\r\n",
			 status, http_reason(status),
			 ctype ? "Content-Type: " : "", ctype ? ctype : "",
			 ctype ? "\r\n" : "", framing, extra ? extra : "",
			 c->close_after ? "Connection: close\r\n" : "");

	c->hdr_len = n > 0 && (size_t)n < sizeof(c->hdr) ? (size_t)n : 0;
	c->hdr_off = 0;
	c->status = status;
	https_count_status(status);
}

/* Queue a response: head, then `len` bytes of `body` unless HEAD. */
static void https_respond(struct https_conn *c, int status,
			  const char *ctype, const void *body, size_t len,
			  const char *extra)
{
	https_head(c, status, ctype, len, extra);
	c->body = body;
	c->body_total = c->req.method == HTTP_METHOD_HEAD ? 0 : len;
	c->body_off = 0;
	c->state = HTTPS_STATE_WRITE;
	c->deadline_ms = https_now + CONFIG_APP_HTTPS_IDLE_TIMEOUT_MS;
}

/* An error status with a one-line text body; the connection closes for
 * anything that leaves the request's framing in doubt. */
static void https_error(struct https_conn *c, int status, const char *extra)
{
	int n = fmt_snprintf(c->resp, sizeof(c->resp), "%d %s\n", status,
			     http_reason(status));

	if (status == 400 || status == 408 || status == 413 ||
	    status == 414 || status == 431 || status == 501 ||
	    status == 503 || status == 505 || status == 417)
		c->close_after = true;
	https_respond(c, status, "text/plain; charset=utf-8", c->resp,
		      n > 0 ? (size_t)n : 0, extra);
}

/* "Allow: GET, HEAD\r\n" for a method mask (RFC 9110 §10.2.1). */
static void https_allow(unsigned methods, char *out, size_t cap)
{
	size_t len = (size_t)fmt_snprintf(out, cap, "Allow: ");

	if (methods & HTTP_METHOD_BIT(HTTP_METHOD_GET))
		methods |= HTTP_METHOD_BIT(HTTP_METHOD_HEAD);
	for (int m = HTTP_METHOD_UNKNOWN + 1; m < HTTP_METHOD_COUNT; m++)
		if ((methods & HTTP_METHOD_BIT(m)) && len < cap)
			len += (size_t)fmt_snprintf(
			    out + len, cap - len, "%s%s",
			    len > 7 ? ", " : "",
			    http_method_name((enum http_method)m));
	if (len < cap)
		fmt_snprintf(out + len, cap - len, "\r\n");
}

static const struct https_file *https_find_file(const char *path,
						size_t len)
{
	char want[CONFIG_APP_HTTPS_TARGET_MAX + 16];

	if (len >= CONFIG_APP_HTTPS_TARGET_MAX)
		return NULL;
	memcpy(want, path, len);
	if (path[len - 1] == '/') {
		memcpy(want + len, "index.html", 10);
		len += 10;
	}
	want[len] = '\0';
	for (size_t i = 0; i < https_site_count; i++)
		if (strcmp(https_site_files[i].path, want) == 0)
			return &https_site_files[i];
	return NULL;
}

static void https_serve_file(struct https_conn *c,
			     const struct https_file *f)
{
	bool gz = f->gz && c->req.accept_gzip;
	const char *etag = gz ? f->gz_etag : f->etag;
	char extra[160];

	fmt_snprintf(extra, sizeof(extra), "ETag: %s\r\n%s%s", etag,
		     f->gz ? "Vary: Accept-Encoding\r\n" : "",
		     gz ? "Content-Encoding: gzip\r\n" : "");
	if (c->req.method != HTTP_METHOD_GET &&
	    c->req.method != HTTP_METHOD_HEAD) {
		https_allow(HTTP_METHOD_BIT(HTTP_METHOD_GET), extra,
			    sizeof(extra));
		https_error(c, 405, extra);
		return;
	}
	if (http_etag_match(&c->req, etag)) {
		/* RFC 9110 §15.4.5: no content; the fields a 200 would
		 * carry that matter for caches. */
		int n = fmt_snprintf(c->hdr, sizeof(c->hdr),
				     "HTTP/1.1 304 Not Modified\r\nServer: "
				     "keel\r\n%s%s\r\n",
				     extra,
				     c->close_after ? "Connection: close\r\n"
						    : "");
		c->hdr_len = n > 0 ? (size_t)n : 0;
		c->hdr_off = 0;
		c->status = 304;
		https_count_status(304);
		c->body_total = c->body_off = 0;
		c->state = HTTPS_STATE_WRITE;
		return;
	}
	https_respond(c, 200, f->content_type, gz ? f->gz : f->data,
		      gz ? f->gz_len : f->len, extra);
}

static const struct https_route *https_find_route(const char *path,
						  size_t len)
{
	for (size_t i = 0; i < https_route_count; i++) {
		const struct https_route *r = &https_routes[i];

		if (r->prefix ? (len >= r->len &&
				 memcmp(path, r->path, r->len) == 0)
			      : (len == r->len &&
				 memcmp(path, r->path, len) == 0))
			return r;
	}
	return NULL;
}

static void https_metrics(const struct https_request *req,
			  struct https_response *res);
static void https_metrics_start(struct https_conn *c);

static void https_run_route(struct https_conn *c,
			    const struct https_route *r)
{
	struct https_request q = {
	    .method = c->req.method == HTTP_METHOD_HEAD ? HTTP_METHOD_GET
							: c->req.method,
	    .path = c->req.path,
	    .path_len = c->req.path_len,
	    .rest = c->req.path + r->len,
	    .rest_len = c->req.path_len - r->len,
	    .query = c->req.query,
	    .query_len = c->req.query_len,
	    .body = c->rx + c->req.head_len,
	    .body_len = c->body_len,
	    .http = &c->req,
	};
	struct https_response res = {
	    .status = 200,
	    .content_type = "application/json",
	    .body = c->resp,
	    .cap = sizeof(c->resp),
	};
	unsigned allowed = r->methods;
	char extra[96];

	if (allowed & HTTP_METHOD_BIT(HTTP_METHOD_GET))
		allowed |= HTTP_METHOD_BIT(HTTP_METHOD_HEAD);
	if (!(allowed & HTTP_METHOD_BIT(c->req.method))) {
		https_allow(r->methods, extra, sizeof(extra));
		https_error(c, 405, extra);
		return;
	}
	if (r->fn == https_metrics) {
		https_metrics_start(c);
		return;
	}
	r->fn(&q, &res);
	if (res.overflow) {
		https_error(c, 500, NULL);
		return;
	}
	if (res.status == 204 || res.status == 304) {
		res.len = 0; /* no content, RFC 9110 §15.3.5 */
		res.content_type = NULL;
	}
	https_respond(c, res.status, res.len ? res.content_type : NULL,
		      c->resp, res.len, NULL);
}

/* Decide the response to the complete request in c. */
static void https_dispatch(struct https_conn *c)
{
	const struct https_route *r;
	const struct https_file *f;

	if (!c->req.keep_alive)
		c->close_after = true;
	if (c - https_conns == HTTPS_REJECT_SLOT) {
		https_error(c, 503, "Retry-After: 1\r\n");
		https_stats.rejected_503++;
		return;
	}
	if (c->req.method == HTTP_METHOD_UNKNOWN) {
		https_error(c, 501, NULL);
		return;
	}
	r = https_find_route(c->req.path, c->req.path_len);
	if (r) {
		https_run_route(c, r);
		return;
	}
	f = https_find_file(c->req.path, c->req.path_len);
	if (f) {
		https_serve_file(c, f);
		return;
	}
	https_error(c, 404, NULL);
}

/* ---- built-in routes ------------------------------------------------------- */

static void https_healthz(const struct https_request *req,
			  struct https_response *res)
{
	(void)req;
	res->content_type = "text/plain; charset=utf-8";
	https_response_printf(res, "ok\n");
}

/*
 * /metrics, the Prometheus text format, is written a metric at a time
 * into c->resp as the connection takes it (https_metrics_fill()), so that
 * it needs no buffer of its own size (some 10 KB with every stack
 * counter): a chunked body for HTTP/1.1, one ended by the close for 1.0.
 * Each line holds the counter as it is when the line is written.
 */
enum https_metric_item {
	HTTPS_M_ACCEPTED,
	HTTPS_M_ACTIVE,
	HTTPS_M_REFUSED,
	HTTPS_M_TIMEOUTS,
	HTTPS_M_HANDSHAKES,
	HTTPS_M_HANDSHAKE_FAILURES,
	HTTPS_M_TLS_ERRORS,
	HTTPS_M_POOL,
	HTTPS_M_PEAK,
	HTTPS_M_REQUESTS,
	HTTPS_M_STATUS0,
	HTTPS_M_STACK = HTTPS_M_STATUS0 + HTTPS_STATUSES,
	HTTPS_M_STACK0,
	HTTPS_M_END = HTTPS_M_STACK0 + NET_STAT_COUNT,
};

/* The longest metric (a stack counter's line) must fit in one chunk. */
_Static_assert(CONFIG_APP_HTTPS_RESPONSE_MAX >= 1024,
	       "https.response_max holds a piece of /metrics");

/* The single-valued metrics, in the order of enum https_metric_item;
 * those without a counter are computed in https_metric(). */
static const struct https_metric_def {
	const char *name, *help;
	bool gauge;
	const uint64_t *counter;
} https_metric_table[HTTPS_M_REQUESTS] = {
    [HTTPS_M_ACCEPTED] = {"keel_https_connections_total", NULL, false,
			  &https_stats.accepted},
    [HTTPS_M_ACTIVE] = {"keel_https_connections_active", NULL, true, NULL},
    [HTTPS_M_REFUSED] = {"keel_https_connections_refused_total", NULL,
			 false, &https_stats.refused},
    [HTTPS_M_TIMEOUTS] = {"keel_https_timeouts_total", NULL, false,
			  &https_stats.timeouts},
    [HTTPS_M_HANDSHAKES] = {"keel_tls_handshakes_total", NULL, false,
			    &https_stats.handshakes},
    [HTTPS_M_HANDSHAKE_FAILURES] = {"keel_tls_handshake_failures_total",
				    NULL, false,
				    &https_stats.handshake_failures},
    [HTTPS_M_TLS_ERRORS] = {"keel_tls_errors_total", NULL, false,
			    &https_stats.tls_errors},
    [HTTPS_M_POOL] = {"keel_tls_pool_bytes", "wolfSSL's static pool.", true,
		      NULL},
    [HTTPS_M_PEAK] = {"keel_tls_connection_peak_bytes",
		      "The most of the pool one connection has used.", true,
		      NULL},
};

/* Metric i into buf: fmt_snprintf()'s length (0: none at i), -1 after
 * the last. */
static int https_metric(size_t i, char *buf, size_t cap)
{
	const struct https_counters *s = &https_stats;
	const struct https_metric_def *m;
	unsigned long long v;

	if (i >= HTTPS_M_STACK0 && i < HTTPS_M_END) {
		enum net_stat k = (enum net_stat)(i - HTTPS_M_STACK0);

		return fmt_snprintf(buf, cap,
				    "keel_net_events_total{counter=\"%s\"} "
				    "%llu\n",
				    net_stats_name(k),
				    (unsigned long long)net_stats_get(k));
	}
	if (i >= HTTPS_M_STATUS0 && i < HTTPS_M_STACK) {
		size_t k = i - HTTPS_M_STATUS0;

		if (!s->status_code[k])
			return 0;
		return fmt_snprintf(buf, cap,
				    "keel_https_requests_total{status=\"%llu\"}"
				    " %llu\n",
				    (unsigned long long)s->status_code[k],
				    (unsigned long long)s->status_count[k]);
	}
	if (i == HTTPS_M_REQUESTS)
		return fmt_snprintf(buf, cap,
				    "# TYPE keel_https_requests_total "
				    "counter\n");
	if (i == HTTPS_M_STACK)
		return fmt_snprintf(buf, cap,
				    "# HELP keel_net_events_total Stack "
				    "counters by name (net/stats.h).\n"
				    "# TYPE keel_net_events_total counter\n");
	if (i >= HTTPS_M_REQUESTS)
		return -1;
	switch (i) {
	case HTTPS_M_ACTIVE:
		v = 0;
		for (size_t k = 0; k < HTTPS_SLOTS; k++)
			v += https_conns[k].state != HTTPS_STATE_FREE;
		break;
	case HTTPS_M_POOL:
		v = https_tls_pool_size();
		break;
	case HTTPS_M_PEAK:
		v = https_tls_peak_bytes();
		break;
	default:
		v = *https_metric_table[i].counter;
		break;
	}
	m = &https_metric_table[i];
	return fmt_snprintf(buf, cap, "%s%s%s%s%s# TYPE %s %s\n%s %llu\n",
			    m->help ? "# HELP " : "", m->help ? m->name : "",
			    m->help ? " " : "", m->help ? m->help : "",
			    m->help ? "\n" : "", m->name,
			    m->gauge ? "gauge" : "counter", m->name, v);
}

/* Chunk framing around the metrics in c->resp: the size line before
 * (up to 4 hex digits and CRLF), CRLF after, and the last chunk. */
#define HTTPS_CHUNK_HEAD 6
#define HTTPS_CHUNK_TAIL (2 + 5)

/* The next piece of /metrics into c->resp as the body to send; after
 * the last metric, the last chunk, and metrics_on is cleared. */
static void https_metrics_fill(struct https_conn *c)
{
	char *data = c->resp + HTTPS_CHUNK_HEAD, *out = data;
	size_t cap = sizeof(c->resp) - HTTPS_CHUNK_HEAD - HTTPS_CHUNK_TAIL;
	size_t len = 0, total;
	char size[HTTPS_CHUNK_HEAD + 1];
	int n;

	if (cap > 0xffff) /* the size line's four hex digits */
		cap = 0xffff;

	for (;;) {
		n = https_metric(c->metrics_at, data + len, cap - len);
		if (n < 0) {
			c->metrics_on = false;
			break;
		}
		if ((size_t)n >= cap - len) {
			if (len == 0) /* cannot be, by the assertion above */
				c->metrics_at++;
			break;
		}
		len += (size_t)n;
		c->metrics_at++;
	}
	total = len;
	if (c->chunked_out && len) {
		n = fmt_snprintf(size, sizeof(size), "%zx\r\n", len);
		out = data - n;
		memcpy(out, size, (size_t)n);
		memcpy(data + len, "\r\n", 2);
		total = (size_t)n + len + 2;
	}
	if (c->chunked_out && !c->metrics_on) {
		memcpy(out + total, "0\r\n\r\n", 5);
		total += 5;
	}
	c->body = (const uint8_t *)out;
	c->body_total = total;
	c->body_off = 0;
}

/* The route table's entry for /metrics: never called, https_run_route()
 * streams it instead (see above). */
static void https_metrics(const struct https_request *req,
			  struct https_response *res)
{
	(void)req;
	res->overflow = true;
}

static void https_metrics_start(struct https_conn *c)
{
	bool head = c->req.method == HTTP_METHOD_HEAD;

	/* An HTTP/1.0 client knows no chunks: the close ends the body. */
	c->chunked_out = c->req.minor >= 1;
	if (!c->chunked_out)
		c->close_after = true;
	https_head(c, 200, "text/plain; version=0.0.4; charset=utf-8",
		   c->chunked_out ? HTTPS_LENGTH_CHUNKED : HTTPS_LENGTH_CLOSE,
		   NULL);
	c->body = NULL;
	c->body_total = c->body_off = 0;
	c->metrics_on = !head;
	c->metrics_at = 0;
	c->state = HTTPS_STATE_WRITE;
	c->deadline_ms = https_now + CONFIG_APP_HTTPS_IDLE_TIMEOUT_MS;
}

/* ---- connections ----------------------------------------------------------- */

static void https_close(struct https_conn *c, bool graceful)
{
	if (c->ssl) {
		if (graceful)
			https_tls_shutdown(c->ssl);
		https_tls_free(c->ssl);
	}
	if (graceful)
		net_tcp_close(c->sock, https_now);
	else
		net_tcp_abort(c->sock, https_now);
	https_stats.closed++;
	c->state = HTTPS_STATE_FREE;
	c->ssl = NULL;
	c->sock = NET_EBADF;
}

/* Forget the request (and response) in c, not the bytes after it. */
static void https_forget_request(struct https_conn *c)
{
	c->consumed = 0;
	c->body_len = 0;
	c->body_in = 0;
	c->continue_sent = false;
	c->continue_begun = false;
	c->hdr_len = c->hdr_off = 0;
	c->body = NULL;
	c->body_total = c->body_off = 0;
	c->metrics_on = c->chunked_out = false;
	c->metrics_at = 0;
	memset(&c->req, 0, sizeof(c->req));
	memset(&c->chunked, 0, sizeof(c->chunked));
}

/* Back to reading: drop the answered request, keep what follows it. */
static void https_next_request(struct https_conn *c)
{
	size_t left = c->rx_len - c->consumed;

	memmove(c->rx, c->rx + c->consumed, left);
	c->rx_len = left;
	https_forget_request(c);
	c->state = HTTPS_STATE_READ;
	c->deadline_ms = https_now + (left ? CONFIG_APP_HTTPS_REQUEST_TIMEOUT_MS
					   : CONFIG_APP_HTTPS_IDLE_TIMEOUT_MS);
}

/* Read what TLS has into rx: > 0 bytes, NET_EAGAIN, 0 closed, < 0 error */
static int https_fill(struct https_conn *c)
{
	int n;

	if (c->rx_len >= sizeof(c->rx))
		return NET_ENOBUFS;
	n = https_tls_read(c->ssl, c->rx + c->rx_len, sizeof(c->rx) - c->rx_len);
	if (n > 0) {
		if (c->rx_len == 0)
			c->deadline_ms =
			    https_now + CONFIG_APP_HTTPS_REQUEST_TIMEOUT_MS;
		c->rx_len += (size_t)n;
	}
	return n;
}

/* Whether the connection can still carry data to the peer: a send ring
 * without room says the same for a full ring and a connection gone. */
static bool https_is_sending(int sock)
{
	enum tcp_state st = net_tcp_state(sock);

	return st == TCP_STATE_ESTABLISHED || st == TCP_STATE_CLOSE_WAIT;
}

/*
 * One record: its length, NET_EAGAIN (nothing went) or an error. Only as
 * much as the send ring takes now, so wolfSSL should never hold half a
 * record; if it does anyway (NET_EAGAIN after building one), the same
 * write is repeated, as wolfSSL requires.
 */
static int https_write_some(struct https_conn *c, const void *p, size_t len)
{
	int space = net_tcp_send_space(c->sock), n;

	if (space < 0)
		return space;
	if (c->pend_len) {
		len = c->pend_len;
	} else {
		if ((size_t)space < HTTPS_RECORD_EXTRA + 1024)
			return https_is_sending(c->sock) ? NET_EAGAIN
							 : NET_ECONNRESET;
		if (len > (size_t)space - HTTPS_RECORD_EXTRA)
			len = (size_t)space - HTTPS_RECORD_EXTRA;
		if (len > HTTPS_RECORD_MAX)
			len = HTTPS_RECORD_MAX;
	}
	n = https_tls_write(c->ssl, p, len);
	c->pend_len = n == NET_EAGAIN ? len : 0;
	return n;
}

/* Send the response; NET_OK when all is out, NET_EAGAIN, or an error. */
static int https_write(struct https_conn *c, size_t *budget)
{
	while (c->hdr_off < c->hdr_len || c->body_off < c->body_total ||
	       c->metrics_on) {
		bool hdr = c->hdr_off < c->hdr_len;

		if (!hdr && c->body_off == c->body_total) {
			https_metrics_fill(c);
			continue;
		}
		const void *p = hdr ? (const void *)(c->hdr + c->hdr_off)
				    : c->body + c->body_off;
		size_t len = hdr ? c->hdr_len - c->hdr_off
				 : c->body_total - c->body_off;
		int n;

		if (*budget == 0)
			return NET_EAGAIN;
		n = https_write_some(c, p, len);
		if (n < 0)
			return n;
		if (hdr)
			c->hdr_off += (size_t)n;
		else
			c->body_off += (size_t)n;
		*budget = *budget > (size_t)n ? *budget - (size_t)n : 0;
		c->deadline_ms = https_now + CONFIG_APP_HTTPS_IDLE_TIMEOUT_MS;
	}
	return NET_OK;
}

/* The head: parse what is in rx, reading more while incomplete. */
static int https_read_head(struct https_conn *c)
{
	for (;;) {
		int rc = http_parse_head((const char *)c->rx, c->rx_len,
					 &https_limits, &c->req);

		if (rc > 0) {
			c->state = HTTPS_STATE_BODY;
			c->body_in = c->req.head_len;
			return NET_OK;
		}
		if (rc < 0) {
			https_error(c, -rc, NULL);
			return NET_OK;
		}
		rc = https_fill(c);
		if (rc <= 0)
			return rc == NET_ENOBUFS ? NET_EIO : (rc ? rc : NET_ECONNRESET);
	}
}

/* Decode what chunked body is in rx; returns like http_chunked_decode. */
static int https_decode_chunked(struct https_conn *c)
{
	uint8_t *out = c->rx + c->req.head_len + c->body_len;
	size_t used, made, left;
	int rc = http_chunked_decode(&c->chunked, c->rx + c->body_in,
				     c->rx_len - c->body_in, out,
				     CONFIG_APP_HTTPS_BODY_MAX, &used, &made);

	c->body_in += used;
	c->body_len += made;
	/* Close the gap the framing left, so the buffer keeps room. */
	left = c->rx_len - c->body_in;
	memmove(out + made, c->rx + c->body_in, left);
	c->body_in = c->req.head_len + c->body_len;
	c->rx_len = c->body_in + left;
	return rc;
}

/* Whether the whole body is in; NET_OK/EAGAIN, or a status was queued. */
static int https_body_ready(struct https_conn *c, bool *done)
{
	*done = false;
	if (c->req.chunked) {
		int rc = https_decode_chunked(c);

		if (rc < 0) {
			https_error(c, -rc, NULL);
			return NET_OK;
		}
		if (rc == HTTP_CHUNKED_DONE) {
			c->consumed = c->body_in;
			*done = true;
		}
		return NET_OK;
	}
	if (c->rx_len - c->req.head_len >= c->req.content_length) {
		c->body_len = (size_t)c->req.content_length;
		c->consumed = c->req.head_len + c->body_len;
		*done = true;
	}
	return NET_OK;
}

/*
 * 100 Continue (RFC 9110 §10.1.1) for a client that waits for it before
 * sending the body. Once begun it is finished before anything else is
 * written: wolfSSL must see a write it could not complete repeated.
 */
static int https_continue(struct https_conn *c)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	int rc = https_tls_write(c->ssl, cont, sizeof(cont) - 1);

	c->continue_sent = rc >= 0;
	c->continue_begun = true;
	return rc < 0 ? rc : NET_OK;
}

static int https_read_body(struct https_conn *c)
{
	for (;;) {
		bool done;
		int rc;

		if (c->continue_begun && !c->continue_sent) {
			rc = https_continue(c);
			if (rc != NET_OK)
				return rc;
		}
		rc = https_body_ready(c, &done);
		if (c->state != HTTPS_STATE_BODY)
			return NET_OK; /* an error response was queued */
		if (done) {
			https_dispatch(c);
			return NET_OK;
		}
		if (c->req.expect_continue && !c->continue_begun) {
			rc = https_continue(c);
			if (rc != NET_OK)
				return rc;
		}
		rc = https_fill(c);
		if (rc == NET_ENOBUFS) {
			https_error(c, 413, NULL);
			return NET_OK;
		}
		if (rc <= 0)
			return rc ? rc : NET_ECONNRESET;
	}
}

static int https_handshake(struct https_conn *c)
{
	int rc = https_tls_handshake(c->ssl);

	if (rc == NET_OK) {
		https_stats.handshakes++;
		c->state = HTTPS_STATE_READ;
		c->deadline_ms = https_now + CONFIG_APP_HTTPS_IDLE_TIMEOUT_MS;
		log_printf(LOG_DEBUG, "https: slot %d: %s", (int)(c - https_conns),
			   https_tls_cipher(c->ssl));
	} else if (rc != NET_EAGAIN) {
		https_stats.handshake_failures++;
	}
	return rc;
}

/*
 * Move one connection on as far as it goes within the turn's budget.
 * True: budget used up with work left (serve again next turn).
 */
static bool https_serve(struct https_conn *c)
{
	size_t budget = HTTPS_TURN_BYTES;
	int requests = 0, rc = NET_OK;

	while (rc == NET_OK && c->state != HTTPS_STATE_FREE) {
		switch (c->state) {
		case HTTPS_STATE_HANDSHAKE:
			rc = https_handshake(c);
			break;
		case HTTPS_STATE_READ:
			if (requests >= HTTPS_TURN_REQUESTS)
				return true;
			rc = https_read_head(c);
			break;
		case HTTPS_STATE_BODY:
			rc = https_read_body(c);
			break;
		case HTTPS_STATE_WRITE:
			rc = https_write(c, &budget);
			if (rc == NET_EAGAIN && budget == 0)
				return true;
			if (rc != NET_OK)
				break;
			requests++;
			if (c->close_after) {
				https_close(c, true);
				return false;
			}
			https_next_request(c);
			break;
		default:
			return false;
		}
	}
	if (rc == NET_EAGAIN || c->state == HTTPS_STATE_FREE)
		return false;
	/* The peer went away or TLS failed: nothing more can be said. */
	if (rc != NET_ECONNRESET && c->state != HTTPS_STATE_HANDSHAKE)
		https_stats.tls_errors++;
	https_close(c, rc == NET_ECONNRESET);
	return false;
}

static void https_on_ready(int sock, uint8_t revents, void *ctx)
{
	bool *ready = ctx;

	(void)sock;
	(void)revents;
	*ready = true;
}

static struct https_conn *https_free_slot(void)
{
	for (size_t i = 0; i < HTTPS_SLOTS; i++)
		if (https_conns[i].state == HTTPS_STATE_FREE)
			return &https_conns[i];
	return NULL;
}

static void https_accept(void)
{
	int sock;

	while ((sock = net_tcp_accept(https_listener, NULL, NULL)) >= 0) {
		struct https_conn *c = https_free_slot();

		https_stats.accepted++;
		if (!c) {
			https_stats.refused++;
			net_tcp_abort(sock, https_now);
			continue;
		}
		c->sock = sock;
		c->ssl = https_tls_new(&c->sock);
		if (!c->ssl) {
			log_printf(LOG_WARN, "https: no TLS memory for a "
					     "connection");
			https_stats.refused++;
			net_tcp_abort(sock, https_now);
			c->sock = NET_EBADF;
			continue;
		}
		c->state = HTTPS_STATE_HANDSHAKE;
		c->ready = true;
		c->close_after = false;
		c->pend_len = 0;
		c->rx_len = 0;
		https_forget_request(c);
		c->deadline_ms = https_now + CONFIG_APP_HTTPS_REQUEST_TIMEOUT_MS;
		net_tcp_set_callback(sock, https_on_ready, &c->ready);
	}
}

/* Past its deadline: 408 for a request begun, else just close. */
static void https_expire(struct https_conn *c)
{
	bool pending = c->pend_len || (c->continue_begun && !c->continue_sent);

	https_stats.timeouts++;
	/* A 408 only when nothing else is half-written: wolfSSL must see a
	 * write it could not finish repeated before any other. */
	if (!pending && ((c->state == HTTPS_STATE_READ && c->rx_len > 0) ||
			 c->state == HTTPS_STATE_BODY)) {
		https_error(c, 408, NULL);
		c->deadline_ms = https_now + CONFIG_APP_HTTPS_IDLE_TIMEOUT_MS;
		c->ready = true;
		return;
	}
	if (c->state == HTTPS_STATE_HANDSHAKE)
		https_stats.handshake_failures++;
	https_close(c, c->state == HTTPS_STATE_READ);
}

static int https_port(uint16_t *port)
{
	char value[8];
	uint32_t v = CONFIG_APP_HTTPS_PORT;
	int rc = cmdline_get("port", value, sizeof(value));

	if (rc != NET_ENOENT &&
	    (rc < 0 || cmdline_parse_u32(value, 1, 65535, &v) != NET_OK)) {
		log_printf(LOG_ERROR, "https: port=...: expected 1..65535");
		return NET_EINVAL;
	}
	*port = (uint16_t)v;
	return NET_OK;
}

static int https_listen(uint16_t port)
{
	int rc;

	https_listener = net_tcp_open();
	if (https_listener < 0)
		return https_listener;
	rc = net_tcp_bind(https_listener, NET_IPV4_ANY, port);
	if (rc == NET_OK)
		rc = net_tcp_setsockopt(https_listener, NET_TCP_NODELAY, 1);
	if (rc == NET_OK)
		rc = net_tcp_set_callback(https_listener, https_on_ready,
					  &https_listener_ready);
	if (rc == NET_OK)
		rc = net_tcp_listen(https_listener, CONFIG_TCP_BACKLOG);
	return rc;
}

int app_init(void)
{
	uint16_t port;
	int rc = https_port(&port);

	for (size_t i = 0; i < HTTPS_SLOTS; i++)
		https_conns[i].sock = NET_EBADF;
	if (rc == NET_OK)
		rc = https_tls_init();
	if (rc == NET_OK) {
		https_route_add("/healthz", HTTP_METHOD_BIT(HTTP_METHOD_GET),
				https_healthz);
		https_route_add("/metrics", HTTP_METHOD_BIT(HTTP_METHOD_GET),
				https_metrics);
		https_routes_register();
		rc = https_listen(port);
		if (rc != NET_OK)
			log_printf(LOG_ERROR, "https: cannot listen on port "
					      "%u: %s",
				   (unsigned)port, net_strerror(rc));
	}
	if (rc == NET_OK)
		log_printf(LOG_INFO,
			   "https: serving %zu files and %zu routes on tcp "
			   "port %u, %d connections, TLS pool %zu bytes",
			   https_site_count, https_route_count, (unsigned)port,
			   CONFIG_APP_HTTPS_CONNECTIONS, https_tls_pool_size());
	return rc;
}

void app_poll(uint64_t now_ms)
{
	https_now = now_ms;
	https_tls_set_now(now_ms);
	if (https_listener_ready) {
		https_listener_ready = false;
		https_accept();
	}
	for (size_t k = 0; k < HTTPS_SLOTS; k++) {
		struct https_conn *c =
		    &https_conns[(https_next_slot + k) % HTTPS_SLOTS];

		if (c->state == HTTPS_STATE_FREE)
			continue;
		if (now_ms >= c->deadline_ms)
			https_expire(c);
		if (c->state == HTTPS_STATE_FREE)
			continue;
		/* Served when the socket said so, when wolfSSL holds
		 * decrypted bytes, or when a response waits for room (an
		 * ACK making room does not always fire the callback). */
		if (c->ready || c->state == HTTPS_STATE_WRITE ||
		    https_tls_has_pending(c->ssl)) {
			c->ready = false;
			c->ready = https_serve(c);
		}
	}
	https_next_slot = (https_next_slot + 1) % HTTPS_SLOTS;
}
