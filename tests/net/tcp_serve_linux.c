/*
 * tcp_serve_linux.c - the Linux sink and source servers benchmarks compare
 * keel's tcp_echo app against (host tool, not keel).
 *
 *     tcp_serve_linux SINK_PORT SOURCE_PORT [MAX_SECONDS]
 *
 * Listens on both ports, prints "ready" once bound and serves one
 * connection at a time, doing what keel's app does on its sink and source
 * ports:
 *   sink    reads to the end of the stream, checks every byte against the
 *           counting pattern (byte i is byte i % 8 of the 64-bit
 *           big-endian integer i / 8), answers "ok <bytes>\n" or
 *           "bad <offset>\n" and closes;
 *   source  reads an 8-byte big-endian length, sends that many bytes of
 *           the pattern and closes.
 * The pattern is made and checked byte by byte with the same expression
 * as the app, so that both servers spend the same work per byte and the
 * benchmark compares the stacks beneath them. Exits after MAX_SECONDS
 * (default 600) so a forgotten server cannot linger; netbench.py also
 * stops it with SIGTERM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SERVE_CHUNK   (64 * 1024)
#define SERVE_LEN_HDR 8

static uint8_t serve_buf[SERVE_CHUNK];

/* Byte `i` of the counting pattern, as keel's tcp_echo app computes it. */
static uint8_t serve_pattern(uint64_t i)
{
	return (uint8_t)((i / 8) >> (8 * (7 - i % 8)));
}

static int serve_listen(unsigned long port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_port = htons((uint16_t)port);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, 8) != 0) {
		perror("tcp_serve_linux: socket/bind/listen");
		exit(1);
	}
	return fd;
}

static int serve_write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void serve_sink(int fd)
{
	uint64_t count = 0, bad_at = UINT64_MAX;
	char line[48];
	int len;

	for (;;) {
		ssize_t n = recv(fd, serve_buf, sizeof(serve_buf), 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return; /* reset: no verdict, as in keel */
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n; i++, count++)
			if (bad_at == UINT64_MAX &&
			    serve_buf[i] != serve_pattern(count))
				bad_at = count;
	}
	if (bad_at == UINT64_MAX)
		len = snprintf(line, sizeof(line), "ok %llu\n",
			       (unsigned long long)count);
	else
		len = snprintf(line, sizeof(line), "bad %llu\n",
			       (unsigned long long)bad_at);
	serve_write_all(fd, (const uint8_t *)line, (size_t)len);
}

static void serve_source(int fd)
{
	uint8_t hdr[SERVE_LEN_HDR];
	uint64_t want = 0;
	size_t got = 0;

	while (got < sizeof(hdr)) {
		ssize_t n = recv(fd, hdr + got, sizeof(hdr) - got, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(hdr); i++)
		want = want << 8 | hdr[i];
	for (uint64_t off = 0; off < want;) {
		size_t n = want - off < SERVE_CHUNK ? (size_t)(want - off)
						    : SERVE_CHUNK;

		for (size_t i = 0; i < n; i++)
			serve_buf[i] = serve_pattern(off + i);
		if (serve_write_all(fd, serve_buf, n) != 0)
			return;
		off += n;
	}
}

int main(int argc, char **argv)
{
	unsigned long sink_port, source_port, max_s = 600;
	struct pollfd pfd[2];

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: tcp_serve_linux SINK_PORT SOURCE_PORT "
				"[MAX_SECONDS]\n");
		return 2;
	}
	sink_port = strtoul(argv[1], NULL, 10);
	source_port = strtoul(argv[2], NULL, 10);
	if (argc > 3)
		max_s = strtoul(argv[3], NULL, 10);
	if (sink_port == 0 || sink_port > 65535 || source_port == 0 ||
	    source_port > 65535 || sink_port == source_port || max_s == 0) {
		fprintf(stderr, "tcp_serve_linux: bad arguments\n");
		return 2;
	}
	pfd[0] =
	    (struct pollfd){.fd = serve_listen(sink_port), .events = POLLIN};
	pfd[1] =
	    (struct pollfd){.fd = serve_listen(source_port), .events = POLLIN};
	alarm((unsigned)max_s);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("tcp_serve_linux: poll");
			return 1;
		}
		for (int k = 0; k < 2; k++) {
			int fd;

			if (!(pfd[k].revents & POLLIN))
				continue;
			fd = accept(pfd[k].fd, NULL, NULL);
			if (fd < 0)
				continue;
			if (k == 0)
				serve_sink(fd);
			else
				serve_source(fd);
			close(fd);
		}
	}
}
