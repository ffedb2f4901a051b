/*
 * udp_echo_linux.c - the Linux UDP echo server benchmarks compare keel's
 * udp_echo app against (host tool, not keel).
 *
 *     udp_echo_linux PORT [MAX_SECONDS]
 *
 * Binds 0.0.0.0:PORT, prints "ready" once bound, and sends every datagram
 * back to its sender, as keel's app does: one recvfrom, one sendto, no
 * batching. Exits after MAX_SECONDS (default 600) so a forgotten server
 * cannot linger; netbench.py also stops it with SIGTERM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static uint8_t echo_buf[65536];

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	struct sockaddr_in peer;
	socklen_t plen;
	unsigned long port, max_s = 600;
	ssize_t n;
	int fd;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: udp_echo_linux PORT [MAX_SECONDS]\n");
		return 2;
	}
	port = strtoul(argv[1], NULL, 10);
	if (argc > 2)
		max_s = strtoul(argv[2], NULL, 10);
	if (port == 0 || port > 65535 || max_s == 0) {
		fprintf(stderr, "udp_echo_linux: bad arguments\n");
		return 2;
	}
	sa.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("udp_echo_linux: socket/bind");
		return 1;
	}
	alarm((unsigned)max_s);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		plen = sizeof(peer);
		n = recvfrom(fd, echo_buf, sizeof(echo_buf), 0,
			     (struct sockaddr *)&peer, &plen);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("udp_echo_linux: recvfrom");
			return 1;
		}
		sendto(fd, echo_buf, (size_t)n, 0, (struct sockaddr *)&peer,
		       plen);
	}
}
