/* icmp.c - STUB, being written. */
#include "icmp.h"
void icmp_init(void) {}
void icmp_input(const struct ipv4_rx *ip, const uint8_t *data, size_t len,
		uint64_t now_ms)
{ (void)ip; (void)data; (void)len; (void)now_ms; }
void icmp_send_error(uint8_t type, uint8_t code, const struct ipv4_rx *ip,
		     const uint8_t *payload, size_t payload_len,
		     uint64_t now_ms)
{ (void)type; (void)code; (void)ip; (void)payload; (void)payload_len;
  (void)now_ms; }
