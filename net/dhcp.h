/*
 * dhcp.h - the DHCP client inside net/: what iface.c calls. The client's
 * contract is <net/dhcp.h>.
 */
#ifndef NET_DHCP_H_INTERNAL
#define NET_DHCP_H_INTERNAL

#include <stdint.h>

#include <net/dhcp.h>

/* Forget everything, the remembered lease included (net_init()). */
void dhcp_init(void);

/* Take the messages waiting on port 68, then run the timer if due. */
void dhcp_poll(uint64_t now_ms);

/* When dhcp_poll() has timer work, or UINT64_MAX. */
uint64_t dhcp_next_deadline(void);

#endif /* NET_DHCP_H_INTERNAL */
