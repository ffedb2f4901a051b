/*
 * null_netdev.h - a network device with nothing behind it: every frame
 * sent is counted and dropped, nothing is ever received, the link is
 * always up. For boot tests of a target whose real driver is not there
 * (netdev=null on x86_64), so the kernel reaches its loop.
 */
#ifndef DRIVERS_NULL_NETDEV_H
#define DRIVERS_NULL_NETDEV_H

#include <stdint.h>

#include <net/netdev.h>

/* The device (MAC all zeros: the kernel picks one). Always succeeds. */
struct netdev *null_netdev_open(void);

/* Frames the stack has sent into it. */
uint64_t null_netdev_tx_frames(void);

#endif /* DRIVERS_NULL_NETDEV_H */
