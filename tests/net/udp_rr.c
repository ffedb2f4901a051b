/*
 * udp_rr.c - UDP request/response benchmark client (host tool, not keel).
 *
 *     udp_rr HOST PORT SIZE COUNT [WARMUP] [MAX_SECONDS]
 *
 * Sends COUNT datagrams of SIZE bytes to HOST:PORT one at a time, each
 * waiting for its echo before the next goes out, after WARMUP unmeasured
 * ones (default 100: ARP, caches). A datagram carries its sequence number
 * in its first 4 bytes, so a late echo of an earlier one is recognised and
 * skipped; an echo not back within 200 ms counts as lost. The run stops
 * early after MAX_SECONDS (default 60). Prints one line:
 *
 *     udp_rr size=64 sent=20000 received=20000 lost=0 corrupt=0
 *            seconds=1.234 rps=16207 avg_us=61.7 p50_us=60.1 p99_us=90.3
 *
 * and exits 0 when at least one echo came back. netbench.py builds it with
 * gcc into build/bench/ and runs the same binary against keel and Linux.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RR_TIMEOUT_MS 200
#define RR_MAX_SIZE   65507

struct rr_stats {
	unsigned long sent, received, lost, corrupt;
	double *lat_us; /* one per received measured echo */
};

static double rr_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long rr_arg(const char *s, const char *what, unsigned long lo,
			    unsigned long hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr, "udp_rr: bad %s '%s' (%lu..%lu)\n", what, s, lo,
			hi);
		exit(2);
	}
	return v;
}

static void rr_fill(uint8_t *buf, size_t size, uint32_t seq)
{
	size_t i;

	for (i = 4; i < size; i++)
		buf[i] = (uint8_t)(seq + i);
	memcpy(buf, &seq, 4);
}

/*
 * Wait for the echo of `req`: 1 when it came back intact, 0 when it timed
 * out, -1 when it came back changed.
 */
static int rr_await(int fd, const uint8_t *req, uint8_t *resp, size_t size)
{
	double deadline = rr_now() + RR_TIMEOUT_MS / 1000.0;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	ssize_t n;
	int left;

	for (;;) {
		left = (int)((deadline - rr_now()) * 1000.0) + 1;
		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return 0;
		n = recv(fd, resp, size + 1, MSG_DONTWAIT);
		if (n < 4)
			continue;
		if (memcmp(resp, req, 4) != 0)
			continue; /* a late echo of an earlier request */
		if ((size_t)n != size || memcmp(resp, req, size) != 0)
			return -1;
		return 1;
	}
}

static int rr_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int rr_connect(const char *host, unsigned port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd;

	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "udp_rr: bad IPv4 address '%s'\n", host);
		exit(2);
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("udp_rr: socket/connect");
		exit(1);
	}
	return fd;
}

/* One request and its echo; the latency is stored when `measure`. */
static void rr_one(int fd, uint8_t *req, uint8_t *resp, size_t size,
		   uint32_t seq, struct rr_stats *st, int measure)
{
	double t0;
	int r;

	rr_fill(req, size, seq);
	t0 = rr_now();
	if (send(fd, req, size, 0) != (ssize_t)size) {
		/* e.g. ECONNREFUSED from an earlier ICMP error: retry once */
		if (send(fd, req, size, 0) != (ssize_t)size) {
			if (measure) {
				st->sent++;
				st->lost++;
			}
			return;
		}
	}
	r = rr_await(fd, req, resp, size);
	if (!measure)
		return;
	st->sent++;
	if (r == 1)
		st->lat_us[st->received++] = (rr_now() - t0) * 1e6;
	else if (r == 0)
		st->lost++;
	else
		st->corrupt++;
}

int main(int argc, char **argv)
{
	unsigned long port, size, count, warmup = 100, max_s = 60, i;
	struct rr_stats st = {0};
	uint8_t *req, *resp;
	double t0, secs, sum = 0;
	int fd;

	if (argc < 5 || argc > 7) {
		fprintf(stderr, "usage: udp_rr HOST PORT SIZE COUNT [WARMUP] "
				"[MAX_SECONDS]\n");
		return 2;
	}
	port = rr_arg(argv[2], "port", 1, 65535);
	size = rr_arg(argv[3], "size", 4, RR_MAX_SIZE);
	count = rr_arg(argv[4], "count", 1, 10000000);
	if (argc > 5)
		warmup = rr_arg(argv[5], "warmup", 0, 1000000);
	if (argc > 6)
		max_s = rr_arg(argv[6], "max seconds", 1, 3600);
	fd = rr_connect(argv[1], (unsigned)port);
	req = malloc(size);
	resp = malloc(size + 1);
	st.lat_us = malloc(count * sizeof(double));
	if (!req || !resp || !st.lat_us)
		return 1;
	for (i = 0; i < warmup; i++)
		rr_one(fd, req, resp, size, (uint32_t)i, &st, 0);
	t0 = rr_now();
	for (i = 0; i < count && rr_now() - t0 < (double)max_s; i++)
		rr_one(fd, req, resp, size, (uint32_t)(warmup + i), &st, 1);
	secs = rr_now() - t0;
	for (i = 0; i < st.received; i++)
		sum += st.lat_us[i];
	qsort(st.lat_us, st.received, sizeof(double), rr_cmp);
	printf("udp_rr size=%lu sent=%lu received=%lu lost=%lu corrupt=%lu "
	       "seconds=%.3f rps=%.0f avg_us=%.1f p50_us=%.1f p99_us=%.1f\n",
	       size, st.sent, st.received, st.lost, st.corrupt, secs,
	       secs > 0 ? (double)st.received / secs : 0.0,
	       st.received ? sum / (double)st.received : 0.0,
	       st.received ? st.lat_us[st.received / 2] : 0.0,
	       st.received ? st.lat_us[st.received * 99 / 100] : 0.0);
	free(st.lat_us);
	free(req);
	free(resp);
	close(fd);
	return st.received ? 0 : 1;
}
