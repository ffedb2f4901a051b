/*
 * tap.h - the Linux TAP network device (hosted targets only).
 *
 * tap_open() attaches to a TAP interface through /dev/net/tun as a
 * struct netdev (<net/netdev.h>) with Ethernet frames and no packet-info
 * header (IFF_TAP | IFF_NO_PI), non-blocking. The interface may exist
 * already (`ip tuntap add dev keel0 mode tap`, the usual way: it then keeps
 * its addresses and link state when keel exits); otherwise Linux creates it,
 * down and unconfigured, and removes it when keel exits. One interface per
 * process.
 *
 * The device:
 *  - mac is all zeros: the TAP's own MAC is the Linux side's, so keel picks
 *    its own address (kernel/main.c) before net_init();
 *  - mtu is CONFIG_NET_MTU (1500 by default); set the Linux side to match;
 *  - rx_peek() read()s one frame into a static buffer; 0 when none is
 *    waiting. Runt frames (shorter than 14 bytes) are handed up for the
 *    stack to count. A frame longer than mtu + 14 is dropped and reported
 *    as NET_EMSGSIZE (the stack counts it as a device error);
 *  - tx_acquire() always lends the one static buffer of mtu + 14 bytes:
 *    write() is synchronous, so the buffer is free again when tx_submit()
 *    returns;
 *  - tx_submit() write()s the frame: NET_OK; NET_EAGAIN when the kernel's
 *    queue is full (the frame is dropped, and the caller may send again
 *    after the next poll); NET_ENOBUFS when Linux is out of memory; NET_EIO
 *    for any other failure, notably while the interface is down on the
 *    Linux side (Linux refuses the write with EIO; the stack counts
 *    eth.tx_dev_error) or after it was deleted;
 *  - is_link_up() is true while the interface is attached, until a read or
 *    write finds it deleted (EBADFD). Whether the Linux side is up is not
 *    asked: while it is down, writes fail as above.
 * The platform waits for frames by polling tap_fd() for POLLIN; POLLERR or
 * POLLHUP there means the interface is gone for good.
 */
#ifndef DRIVERS_TAP_H
#define DRIVERS_TAP_H

#include <net/netdev.h>

/*
 * Attach to the TAP interface `ifname` (1..15 bytes; a pattern such as
 * "tap%d" lets Linux choose the name, found in (*out)->name). NET_OK and
 * *out set, or NET_EINVAL for a bad name or an interface that is not a TAP,
 * NET_EADDRINUSE when it is attached elsewhere, NET_ENOTSUP without
 * /dev/net/tun, NET_EIO otherwise; the reason is logged.
 */
int tap_open(const char *ifname, struct netdev **out);

/* The file descriptor to poll for received frames, or NET_EBADF. */
int tap_fd(const struct netdev *dev);

#endif /* DRIVERS_TAP_H */
