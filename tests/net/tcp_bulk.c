/*
 * tcp_bulk.c - bulk TCP throughput client (host tool, not keel).
 *
 *     tcp_bulk send HOST PORT BYTES [MAX_SECONDS]
 *     tcp_bulk recv HOST PORT BYTES [MAX_SECONDS]
 *
 * Talks to a sink/source server: keel's tcp_echo app or
 * tcp_serve_linux.c. Both carry the counting pattern: byte i of a stream
 * is byte i % 8 of the 64-bit big-endian integer i / 8.
 *
 *   send  writes BYTES of the pattern, shuts down its sending side and
 *         reads the sink's verdict, which must be "ok BYTES\n";
 *   recv  writes BYTES as an 8-byte big-endian length and reads the
 *         source's reply to its end, which must be exactly BYTES of the
 *         pattern.
 *
 * The clock runs from the established connection to the verdict (send) or
 * to the end of the stream (recv). The client builds and checks the
 * pattern 8 bytes at a time, so that it costs far less per byte than any
 * server's stack and does not limit what it measures. Prints one line:
 *
 *     tcp_bulk dir=send bytes=67108864 seconds=0.512 mbps=131.1 ok=1
 *
 * (mbps: 10^6 bytes per second) and exits 0 when the transfer was whole
 * and correct. Gives up after MAX_SECONDS (default 60). netbench.py builds
 * it with gcc into build/bench/ and runs the same binary against keel and
 * Linux.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BULK_CHUNK (256 * 1024)
#define BULK_MAX   (1ULL << 40)

/* One extra word: a chunk that starts mid-word spans one more. */
static uint8_t bulk_buf[BULK_CHUNK + 8];
static uint8_t bulk_want[BULK_CHUNK + 8];

static double bulk_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void bulk_timeout(int sig)
{
	static const char msg[] = "tcp_bulk: out of time\n";

	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

static unsigned long long bulk_arg(const char *s, const char *what,
				   unsigned long long lo, unsigned long long hi)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr, "tcp_bulk: bad %s '%s' (%llu..%llu)\n", what, s,
			lo, hi);
		exit(2);
	}
	return v;
}

/*
 * The pattern from stream offset `off` for `len` bytes, at `buf` plus the
 * returned skip (off % 8): whole words are written from the word before.
 */
static size_t bulk_pattern(uint8_t *buf, uint64_t off, size_t len)
{
	size_t skip = (size_t)(off % 8);
	size_t words = (skip + len + 7) / 8;
	uint64_t first = off / 8;

	for (size_t k = 0; k < words; k++) {
		uint64_t be = __builtin_bswap64(first + k);

		memcpy(buf + 8 * k, &be, 8);
	}
	return skip;
}

static int bulk_connect(const char *host, unsigned port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd;

	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "tcp_bulk: bad IPv4 address '%s'\n", host);
		exit(2);
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("tcp_bulk: socket/connect");
		exit(1);
	}
	return fd;
}

static int bulk_write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror("tcp_bulk: send");
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Send `total` bytes of the pattern; 1 when the sink said "ok total". */
static int bulk_send(int fd, uint64_t total)
{
	char reply[64], want[64];
	size_t got = 0;

	for (uint64_t off = 0; off < total;) {
		size_t len = total - off < BULK_CHUNK ? (size_t)(total - off)
						      : BULK_CHUNK;
		size_t skip = bulk_pattern(bulk_buf, off, len);

		if (bulk_write_all(fd, bulk_buf + skip, len) != 0)
			return 0;
		off += len;
	}
	shutdown(fd, SHUT_WR);
	while (got < sizeof(reply) - 1) {
		ssize_t n = recv(fd, reply + got, sizeof(reply) - 1 - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	reply[got] = '\0';
	snprintf(want, sizeof(want), "ok %llu\n", (unsigned long long)total);
	if (strcmp(reply, want) != 0) {
		fprintf(stderr, "tcp_bulk: sink answered '%s'\n", reply);
		return 0;
	}
	return 1;
}

/* Ask for `total` bytes; 1 when exactly the pattern came back. */
static int bulk_recv(int fd, uint64_t total)
{
	uint64_t be = __builtin_bswap64(total), off = 0;

	if (bulk_write_all(fd, (const uint8_t *)&be, sizeof(be)) != 0)
		return 0;
	for (;;) {
		ssize_t n = recv(fd, bulk_buf, BULK_CHUNK, 0);
		size_t skip;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			perror("tcp_bulk: recv");
			return 0;
		}
		if (n == 0)
			break;
		if (off + (uint64_t)n > total) {
			fprintf(stderr, "tcp_bulk: more than %llu bytes\n",
				(unsigned long long)total);
			return 0;
		}
		skip = bulk_pattern(bulk_want, off, (size_t)n);
		if (memcmp(bulk_buf, bulk_want + skip, (size_t)n) != 0) {
			fprintf(stderr, "tcp_bulk: wrong bytes after %llu\n",
				(unsigned long long)off);
			return 0;
		}
		off += (uint64_t)n;
	}
	if (off != total) {
		fprintf(stderr, "tcp_bulk: stream ended after %llu of %llu\n",
			(unsigned long long)off, (unsigned long long)total);
		return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	unsigned long long port, total, max_s = 60;
	double t0, secs;
	int fd, ok, sending;

	if (argc < 5 || argc > 6 ||
	    (strcmp(argv[1], "send") != 0 && strcmp(argv[1], "recv") != 0)) {
		fprintf(stderr, "usage: tcp_bulk send|recv HOST PORT BYTES "
				"[MAX_SECONDS]\n");
		return 2;
	}
	sending = strcmp(argv[1], "send") == 0;
	port = bulk_arg(argv[3], "port", 1, 65535);
	total = bulk_arg(argv[4], "byte count", 1, BULK_MAX);
	if (argc > 5)
		max_s = bulk_arg(argv[5], "max seconds", 1, 3600);
	signal(SIGALRM, bulk_timeout);
	alarm((unsigned)max_s);
	fd = bulk_connect(argv[2], (unsigned)port);
	t0 = bulk_now();
	ok = sending ? bulk_send(fd, total) : bulk_recv(fd, total);
	secs = bulk_now() - t0;
	close(fd);
	printf("tcp_bulk dir=%s bytes=%llu seconds=%.3f mbps=%.1f ok=%d\n",
	       argv[1], total, secs,
	       secs > 0 ? (double)total / secs / 1e6 : 0.0, ok);
	return ok ? 0 : 1;
}
