/* ipv4.c - STUB, being written. */
#include "ipv4.h"
#include <net/net.h>
void ipv4_init(void) {}
void ipv4_input(const uint8_t *pkt, size_t len, bool l2_broadcast,
		uint64_t now_ms)
{ (void)pkt; (void)len; (void)l2_broadcast; (void)now_ms; }
int ipv4_output(uint32_t dst, uint8_t proto, const uint8_t *l4hdr,
		size_t l4hdr_len, const uint8_t *data, size_t data_len,
		uint64_t now_ms)
{ (void)dst; (void)proto; (void)l4hdr; (void)l4hdr_len; (void)data;
  (void)data_len; (void)now_ms; return NET_ENETUNREACH; }
size_t ipv4_max_payload(void) { return 0; }
void ipv4_poll(uint64_t now_ms) { (void)now_ms; }
uint64_t ipv4_next_deadline(void) { return UINT64_MAX; }
