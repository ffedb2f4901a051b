/*
 * udp_echo.c - the UDP echo application (RFC 862 over UDP).
 *
 * Binds CONFIG_APP_UDP_ECHO_PORT (or port= from the command line) on any
 * address and sends every datagram back to its sender, byte for byte.
 *
 * One static buffer holds one datagram, as large as the largest the stack
 * reassembles (CONFIG_IPV4_REASM_MAX), so nothing the stack delivers is cut.
 * When net_udp_sendto() says NET_EAGAIN (the sender's MAC is still being
 * resolved and the ARP queue is full), the datagram stays in the buffer -
 * the one retry slot - and is sent again on the following polls. While the
 * slot is occupied no new datagram is taken: they wait in the socket's
 * receive ring, and once that is full the stack drops and counts them
 * (udp.rx_queue_full). A datagram still unsent after
 * UDP_ECHO_RETRY_MS is dropped, so one unreachable sender cannot stall the
 * echo for others. Any other send error drops the datagram. Drops are
 * logged at debug level; the stack's counters say the rest.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kernel/app.h>
#include <kernel/cmdline.h>
#include <kernel/log.h>
#include <keel_config.h>
#include <klib/fmt.h>
#include <net/net.h>

/* Datagrams echoed per app_poll(), so a flood cannot starve the loop. */
#define UDP_ECHO_BUDGET 64
/* How long a datagram waits for its sender's address to resolve. */
#define UDP_ECHO_RETRY_MS 5000

_Static_assert(CONFIG_APP_UDP_ECHO_PORT >= 1 &&
		   CONFIG_APP_UDP_ECHO_PORT <= 65535,
	       "[udp-echo] port must be 1..65535");

const char *const app_cmdline_keys[] = {"port", NULL};

/* The one datagram in hand: just received, or waiting to be re-sent. */
struct udp_echo_slot {
	bool pending;	   /* a send returned NET_EAGAIN */
	uint64_t since_ms; /* when the first send was tried */
	uint32_t peer;
	uint16_t peer_port;
	size_t len;
};

static int udp_echo_sock = NET_EBADF;
static struct udp_echo_slot udp_echo_slot;
static uint8_t udp_echo_buf[CONFIG_IPV4_REASM_MAX];

/* The port to bind: port= if given (1..65535), else the image's. */
static int udp_echo_port(uint16_t *port)
{
	char value[8];
	uint32_t v = CONFIG_APP_UDP_ECHO_PORT;
	int rc = cmdline_get("port", value, sizeof(value));

	if (rc != NET_ENOENT &&
	    (rc < 0 || cmdline_parse_u32(value, 1, 65535, &v) != NET_OK)) {
		log_printf(LOG_ERROR, "udp-echo: port=%s: expected 1..65535",
			   rc < 0 ? "..." : value);
		return NET_EINVAL;
	}
	*port = (uint16_t)v;
	return NET_OK;
}

int app_init(void)
{
	uint16_t port;
	int rc = udp_echo_port(&port);

	if (rc != NET_OK)
		return rc;
	udp_echo_sock = net_udp_open();
	if (udp_echo_sock < 0) {
		log_printf(LOG_ERROR, "udp-echo: no socket: %s",
			   net_strerror(udp_echo_sock));
		return udp_echo_sock;
	}
	rc = net_udp_bind(udp_echo_sock, NET_IPV4_ANY, port);
	if (rc != NET_OK) {
		log_printf(LOG_ERROR, "udp-echo: cannot bind port %u: %s",
			   (unsigned)port, net_strerror(rc));
		return rc;
	}
	log_printf(LOG_INFO, "udp-echo: echoing udp port %u", (unsigned)port);
	return NET_OK;
}

static void udp_echo_drop(const char *why)
{
	log_printf(LOG_DEBUG, "udp-echo: dropped %zu bytes for %s:%u: %s",
		   udp_echo_slot.len, FMT_IPV4(udp_echo_slot.peer),
		   (unsigned)udp_echo_slot.peer_port, why);
	udp_echo_slot.pending = false;
}

/* Sends the slot's datagram: true when the slot is free again. */
static bool udp_echo_send(uint64_t now_ms)
{
	struct udp_echo_slot *s = &udp_echo_slot;
	int rc = net_udp_sendto(udp_echo_sock, udp_echo_buf, s->len, s->peer,
				s->peer_port, now_ms);

	if (rc >= 0) {
		s->pending = false;
		return true;
	}
	if (rc != NET_EAGAIN) {
		udp_echo_drop(net_strerror(rc));
		return true;
	}
	if (!s->pending) {
		s->pending = true;
		s->since_ms = now_ms;
	} else if (now_ms - s->since_ms >= UDP_ECHO_RETRY_MS) {
		udp_echo_drop("still unresolved");
		return true;
	}
	return false;
}

/*
 * Takes the next datagram into the slot: its length, NET_EAGAIN when none
 * waits, or another NET_E* code for one to skip.
 */
static int udp_echo_receive(void)
{
	struct udp_echo_slot *s = &udp_echo_slot;
	int n = net_udp_recvfrom(udp_echo_sock, udp_echo_buf,
				 sizeof(udp_echo_buf), &s->peer, &s->peer_port);

	if (n < 0)
		return n;
	s->len = (size_t)n;
	if ((size_t)n > sizeof(udp_echo_buf)) {
		/* Cannot happen while the buffer is CONFIG_IPV4_REASM_MAX. */
		udp_echo_drop("truncated");
		return NET_EMSGSIZE;
	}
	return n;
}

void app_poll(uint64_t now_ms)
{
	if (udp_echo_slot.pending && !udp_echo_send(now_ms))
		return;
	for (int i = 0; i < UDP_ECHO_BUDGET; i++) {
		int n = udp_echo_receive();

		/* ECONNREFUSED reports an ICMP error for an earlier echo. */
		if (n == NET_EAGAIN || n == NET_EBADF)
			return;
		if (n < 0)
			continue;
		if (!udp_echo_send(now_ms))
			return;
	}
}
