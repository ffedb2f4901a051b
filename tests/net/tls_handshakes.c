/*
 * tls_handshakes.c - new TLS 1.3 connections per second (host tool, not
 * keel).
 *
 *     tls_handshakes HOST PORT PATH SECONDS [WORKERS] [MAX_SECONDS]
 *
 * WORKERS processes (default 4) each open connection after connection to
 * HOST:PORT for SECONDS: TCP connect, a full TLS 1.3 handshake (OpenSSL,
 * no session cache, so never a resumption; the certificate is not
 * verified, as wrk does not verify it either), one request
 * "GET PATH HTTP/1.1", the response read whole by its Content-Length and
 * checked for status 200, then close_notify and close(). The client
 * closes first, so the server never holds TIME_WAIT. A connection that
 * fails anywhere (refused, handshake, not TLS 1.3, resumed, no 200,
 * nothing within 5 s) counts as an error; the first error of each worker
 * goes to stderr. Prints one line:
 *
 *     tls_handshakes conns=1234 errors=0 seconds=5.012 cps=246.2
 *                    avg_ms=16.1 max_ms=48.9
 *
 * (cps: completed connections per second of wall time; avg_ms and max_ms:
 * connect to close of one connection) and exits 0 when at least one
 * connection completed and none failed. MAX_SECONDS (default 60) bounds
 * the whole run. netbench.py builds it with gcc -lssl -lcrypto into
 * build/bench/ and runs the same binary against keel and lighttpd.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HS_IO_TIMEOUT_S 5
#define HS_MAX_WORKERS	64
#define HS_RESPONSE_MAX 65536

/* What one worker hands back to the parent through its pipe. */
struct hs_result {
	unsigned long ok, errors;
	double sum_ms, max_ms;
};

struct hs_target {
	struct sockaddr_in addr;
	const char *host;
	char request[512];
};

static double hs_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long hs_arg(const char *s, const char *what, unsigned long lo,
			    unsigned long hi)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "tls_handshakes: bad %s %s (%lu..%lu)\n", what,
			s, lo, hi);
		exit(2);
	}
	return v;
}

static int hs_tcp_connect(const struct hs_target *t)
{
	struct timeval tv = {.tv_sec = HS_IO_TIMEOUT_S};
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)&t->addr, sizeof(t->addr))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The response's Content-Length, or -1 when the head has none. */
static long hs_content_length(const char *head)
{
	const char *p = strcasestr(head, "\r\ncontent-length:");

	return p ? strtol(p + 17, NULL, 10) : -1;
}

/* Read one response whole; 0 when it is a 200, else a message. */
static const char *hs_read_response(SSL *ssl)
{
	static char buf[HS_RESPONSE_MAX + 1];
	size_t have = 0;
	long body = -1;
	char *end = NULL;

	for (;;) {
		int n = SSL_read(ssl, buf + have, HS_RESPONSE_MAX - (int)have);

		if (n <= 0)
			return "connection ended before the response did";
		have += (size_t)n;
		buf[have] = '\0';
		if (!end) {
			end = strstr(buf, "\r\n\r\n");
			if (end) {
				body = hs_content_length(buf);
				if (body < 0)
					return "response without "
					       "Content-Length";
			}
		}
		if (end && have >= (size_t)(end + 4 - buf) + (size_t)body)
			break;
		if (have == HS_RESPONSE_MAX)
			return "response too long";
	}
	if (strncmp(buf, "HTTP/1.1 200 ", 13) != 0)
		return "status not 200";
	return NULL;
}

/* One connection from connect to close; NULL on success. */
static const char *hs_one(SSL_CTX *ctx, const struct hs_target *t)
{
	const char *why = NULL;
	SSL *ssl = NULL;
	int fd = hs_tcp_connect(t);

	if (fd < 0)
		return strerror(errno);
	ssl = SSL_new(ctx);
	if (!ssl || !SSL_set_fd(ssl, fd) ||
	    !SSL_set_tlsext_host_name(ssl, t->host)) {
		why = "SSL_new failed";
		goto out;
	}
	if (SSL_connect(ssl) != 1) {
		why = "handshake failed";
		goto out;
	}
	if (SSL_version(ssl) != TLS1_3_VERSION) {
		why = "not TLS 1.3";
		goto out;
	}
	if (SSL_session_reused(ssl)) {
		why = "session resumed";
		goto out;
	}
	if (SSL_write(ssl, t->request, (int)strlen(t->request)) <= 0) {
		why = "request not sent";
		goto out;
	}
	why = hs_read_response(ssl);
	if (!why)
		SSL_shutdown(ssl);
out:
	if (why)
		ERR_clear_error();
	SSL_free(ssl);
	close(fd);
	return why;
}

static SSL_CTX *hs_ctx(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}

static struct hs_result hs_worker(const struct hs_target *t, double until,
				  int id)
{
	struct hs_result r = {0};
	SSL_CTX *ctx = hs_ctx();
	int reported = 0;

	if (!ctx) {
		fprintf(stderr, "tls_handshakes: SSL_CTX_new failed\n");
		r.errors = 1;
		return r;
	}
	while (hs_now() < until) {
		double t0 = hs_now();
		const char *why = hs_one(ctx, t);
		double ms = (hs_now() - t0) * 1000.0;

		if (why) {
			r.errors++;
			if (!reported++)
				fprintf(stderr,
					"tls_handshakes: worker %d: %s\n", id,
					why);
			continue;
		}
		r.ok++;
		r.sum_ms += ms;
		if (ms > r.max_ms)
			r.max_ms = ms;
	}
	SSL_CTX_free(ctx);
	return r;
}

static void hs_target_init(struct hs_target *t, const char *host,
			   unsigned long port, const char *path)
{
	memset(t, 0, sizeof(*t));
	t->addr.sin_family = AF_INET;
	t->addr.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, host, &t->addr.sin_addr) != 1) {
		fprintf(stderr, "tls_handshakes: bad IPv4 address %s\n", host);
		exit(2);
	}
	t->host = host;
	snprintf(t->request, sizeof(t->request),
		 "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", path, host);
}

/* Fork the workers; each writes its hs_result into fds[1]. */
static int hs_spawn(const struct hs_target *t, unsigned long workers,
		    double until, int fds[2])
{
	for (unsigned long i = 0; i < workers; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0) {
			struct hs_result r = hs_worker(t, until, (int)i);
			ssize_t n = write(fds[1], &r, sizeof(r));

			_exit(n == (ssize_t)sizeof(r) ? 0 : 1);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct hs_target t;
	struct hs_result sum = {0}, r;
	unsigned long seconds, workers = 4, max_s = 60, got = 0;
	double start, elapsed;
	int fds[2];

	if (argc < 5 || argc > 7) {
		fprintf(stderr, "usage: tls_handshakes HOST PORT PATH SECONDS "
				"[WORKERS] [MAX_SECONDS]\n");
		return 2;
	}
	hs_target_init(&t, argv[1], hs_arg(argv[2], "port", 1, 65535), argv[3]);
	seconds = hs_arg(argv[4], "seconds", 1, 3600);
	if (argc > 5)
		workers = hs_arg(argv[5], "workers", 1, HS_MAX_WORKERS);
	if (argc > 6)
		max_s = hs_arg(argv[6], "max seconds", 1, 3600);
	if (seconds > max_s)
		seconds = max_s;
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned)max_s + HS_IO_TIMEOUT_S * 2);
	if (pipe(fds)) {
		perror("tls_handshakes: pipe");
		return 1;
	}
	start = hs_now();
	if (hs_spawn(&t, workers, start + (double)seconds, fds)) {
		perror("tls_handshakes: fork");
		return 1;
	}
	close(fds[1]);
	while (read(fds[0], &r, sizeof(r)) == (ssize_t)sizeof(r)) {
		sum.ok += r.ok;
		sum.errors += r.errors;
		sum.sum_ms += r.sum_ms;
		if (r.max_ms > sum.max_ms)
			sum.max_ms = r.max_ms;
		got++;
	}
	elapsed = hs_now() - start;
	while (wait(NULL) > 0)
		;
	if (got != workers)
		sum.errors += workers - got;
	printf("tls_handshakes conns=%lu errors=%lu seconds=%.3f cps=%.1f "
	       "avg_ms=%.1f max_ms=%.1f\n",
	       sum.ok, sum.errors, elapsed, (double)sum.ok / elapsed,
	       sum.ok ? sum.sum_ms / (double)sum.ok : 0.0, sum.max_ms);
	return sum.ok > 0 && sum.errors == 0 ? 0 : 1;
}
