/* udp.c - STUB, being written. */
#include "udp.h"
#include <net/net.h>
void udp_init(void) {}
void udp_input(const struct ipv4_rx *ip, const uint8_t *data, size_t len,
	       uint64_t now_ms)
{ (void)ip; (void)data; (void)len; (void)now_ms; }
void udp_icmp_error(uint8_t type, uint8_t code, uint32_t quoted_src,
		    uint32_t quoted_dst, const uint8_t quoted_udp[8])
{ (void)type; (void)code; (void)quoted_src; (void)quoted_dst;
  (void)quoted_udp; }
int net_udp_open(void) { return NET_ENOBUFS; }
int net_udp_bind(int sock, uint32_t addr, uint16_t port)
{ (void)sock; (void)addr; (void)port; return NET_EBADF; }
int net_udp_local_port(int sock) { (void)sock; return NET_EBADF; }
int net_udp_sendto(int sock, const void *buf, size_t len, uint32_t dst,
		   uint16_t dst_port, uint64_t now_ms)
{ (void)sock; (void)buf; (void)len; (void)dst; (void)dst_port; (void)now_ms;
  return NET_EBADF; }
int net_udp_recvfrom(int sock, void *buf, size_t cap, uint32_t *src,
		     uint16_t *src_port)
{ (void)sock; (void)buf; (void)cap; (void)src; (void)src_port;
  return NET_EBADF; }
bool net_udp_is_readable(int sock) { (void)sock; return false; }
int net_udp_close(int sock) { (void)sock; return NET_EBADF; }
