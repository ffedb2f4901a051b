/*
 * tap.c - the Linux TAP netdev (tap.h).
 *
 * One static device: one descriptor on /dev/net/tun, one receive and one
 * transmit buffer, each a whole frame. Linux hands over one frame per
 * read() and takes one per write(); read() reports a frame's full length
 * even when it was longer than the buffer, so the receive buffer has one
 * spare byte and a longer result means an oversized frame, dropped.
 * See Documentation/networking/tuntap.rst in the Linux sources.
 */
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <kernel/log.h>
#include <keel_config.h>
#include <net/net.h>

#define TAP_FRAME_MAX (CONFIG_NET_MTU + 14)

struct tap_state {
	int fd;	       /* -1 until attached */
	bool failed;   /* a device error: the interface is gone */
	size_t rx_len; /* frame lent by rx_peek(), 0 when none */
	char name[IFNAMSIZ];
};

static struct tap_state tap_state = {.fd = -1};
static uint8_t tap_rx_buf[TAP_FRAME_MAX + 1];
static uint8_t tap_tx_buf[TAP_FRAME_MAX];
static struct netdev tap_dev;

/* ---- netdev operations -------------------------------------------------- */

/*
 * Turns a read() or write() errno into a NET_E* code. EBADFD means the
 * interface was deleted under us: that is final. EIO is what Linux says to
 * a write while the interface is down on its side, which may change.
 */
static int tap_io_error(int err)
{
	switch (err) {
	case EAGAIN:
		return NET_EAGAIN;
	case ENOBUFS:
	case ENOMEM:
		return NET_ENOBUFS;
	case EBADFD:
		tap_state.failed = true;
		return NET_EIO;
	default:
		return NET_EIO;
	}
}

static int tap_rx_peek(struct netdev *dev, const uint8_t **frame)
{
	ssize_t n;

	(void)dev;
	if (tap_state.rx_len > 0) {
		*frame = tap_rx_buf;
		return (int)tap_state.rx_len;
	}
	do
		n = read(tap_state.fd, tap_rx_buf, sizeof(tap_rx_buf));
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (n < 0)
		return tap_io_error(errno);
	if (n > TAP_FRAME_MAX)
		return NET_EMSGSIZE;
	tap_state.rx_len = (size_t)n;
	*frame = tap_rx_buf;
	return (int)n;
}

static void tap_rx_done(struct netdev *dev)
{
	(void)dev;
	tap_state.rx_len = 0;
}

static uint8_t *tap_tx_acquire(struct netdev *dev, size_t *cap)
{
	(void)dev;
	*cap = sizeof(tap_tx_buf);
	return tap_tx_buf;
}

static int tap_tx_submit(struct netdev *dev, size_t len)
{
	ssize_t n;

	(void)dev;
	if (len == 0 || len > sizeof(tap_tx_buf))
		return NET_EINVAL;
	do
		n = write(tap_state.fd, tap_tx_buf, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return tap_io_error(errno);
	/* Linux takes a frame whole or not at all; anything else is odd. */
	return (size_t)n == len ? NET_OK : NET_EIO;
}

static bool tap_is_link_up(struct netdev *dev)
{
	(void)dev;
	return tap_state.fd >= 0 && !tap_state.failed;
}

static const struct netdev_ops tap_ops = {
    .rx_peek = tap_rx_peek,
    .rx_done = tap_rx_done,
    .tx_acquire = tap_tx_acquire,
    .tx_submit = tap_tx_submit,
    .is_link_up = tap_is_link_up,
};

/* ---- attaching ---------------------------------------------------------- */

static int tap_open_clone(void)
{
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT || errno == ENODEV || errno == ENXIO) {
		log_printf(LOG_ERROR,
			   "tap: no /dev/net/tun (%s); load the "
			   "tun module: modprobe tun",
			   strerror(errno));
		return NET_ENOTSUP;
	}
	log_printf(LOG_ERROR, "tap: cannot open /dev/net/tun: %s",
		   strerror(errno));
	return NET_EIO;
}

/* Explains a failed TUNSETIFF and turns errno into a NET_E* code. */
static int tap_attach_error(const char *ifname, int err)
{
	switch (err) {
	case EPERM:
	case EACCES:
		log_printf(LOG_ERROR,
			   "tap: not allowed to attach to %s: run "
			   "as root (CAP_NET_ADMIN) or create it for this "
			   "user first: ip tuntap add dev %s mode tap user "
			   "NAME",
			   ifname, ifname);
		return NET_EIO;
	case EBUSY:
		log_printf(LOG_ERROR, "tap: %s is attached to another process",
			   ifname);
		return NET_EADDRINUSE;
	case EINVAL:
		log_printf(LOG_ERROR,
			   "tap: %s exists but is not a TAP "
			   "interface (or the name is not valid)",
			   ifname);
		return NET_EINVAL;
	default:
		log_printf(LOG_ERROR, "tap: cannot attach to %s: %s", ifname,
			   strerror(err));
		return NET_EIO;
	}
}

/* Attaches fd to ifname; records the name Linux reports. */
static int tap_attach(int fd, const char *ifname, bool *created)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return tap_attach_error(ifname, errno);
	memset(&ifr, 0, sizeof(ifr));
	if (ioctl(fd, TUNGETIFF, &ifr) < 0) {
		log_printf(LOG_ERROR, "tap: TUNGETIFF on %s: %s", ifname,
			   strerror(errno));
		return NET_EIO;
	}
	memcpy(tap_state.name, ifr.ifr_name, IFNAMSIZ - 1);
	tap_state.name[IFNAMSIZ - 1] = '\0';
	/* `ip tuntap add` makes persistent interfaces; ours is not. */
	*created = (ifr.ifr_flags & IFF_PERSIST) == 0;
	return NET_OK;
}

static void tap_init_dev(int fd)
{
	tap_state.fd = fd;
	tap_state.failed = false;
	tap_state.rx_len = 0;
	memset(&tap_dev, 0, sizeof(tap_dev));
	tap_dev.ops = &tap_ops;
	tap_dev.name = tap_state.name;
	tap_dev.mtu = CONFIG_NET_MTU;
	tap_dev.priv = &tap_state;
}

int tap_open(const char *ifname, struct netdev **out)
{
	size_t len = strnlen(ifname, IFNAMSIZ);
	bool created = false;
	int fd, rc;

	if (tap_state.fd >= 0)
		return NET_EADDRINUSE;
	if (len == 0 || len >= IFNAMSIZ) {
		log_printf(LOG_ERROR,
			   "tap: '%.*s': an interface name is 1 to "
			   "%d bytes",
			   IFNAMSIZ, ifname, IFNAMSIZ - 1);
		return NET_EINVAL;
	}
	fd = tap_open_clone();
	if (fd < 0)
		return fd;
	rc = tap_attach(fd, ifname, &created);
	if (rc != NET_OK) {
		close(fd);
		return rc;
	}
	tap_init_dev(fd);
	if (created)
		log_printf(LOG_WARN,
			   "tap: created %s, down and without "
			   "addresses; it goes away when keel exits",
			   tap_state.name);
	log_printf(LOG_INFO, "tap: attached to %s", tap_state.name);
	*out = &tap_dev;
	return NET_OK;
}

int tap_fd(const struct netdev *dev)
{
	if (dev != &tap_dev || tap_state.fd < 0)
		return NET_EBADF;
	return tap_state.fd;
}
