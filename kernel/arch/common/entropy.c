/*
 * entropy.c - the entropy chain (include/arch/entropy.h). Each CPU step
 * yields 64 bits; the last is cut to what is left, and the value last
 * read is wiped from the stack.
 */
#include <arch/entropy.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <net/net.h>

static int entropy_fill(bool (*read64)(uint64_t *), void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t v;

	while (len > 0) {
		size_t n = len < sizeof(v) ? len : sizeof(v);

		if (!read64(&v))
			return NET_EIO;
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
	v = 0;
	return NET_OK;
}

int entropy_chain(int (*source)(void *buf, size_t len),
		  const struct entropy_cpu *cpu, size_t count, void *buf,
		  size_t len)
{
	int rc = NET_ENOTSUP;

	if (source && source(buf, len) == NET_OK)
		return NET_OK;
	for (size_t i = 0; i < count && rc != NET_OK; i++)
		if (cpu[i].is_present())
			rc = entropy_fill(cpu[i].read64, buf, len);
	if (rc != NET_OK && source)
		rc = NET_EIO; /* a source exists, it failed */
	if (rc != NET_OK)
		memset(buf, 0, len); /* never hand out a partial fill */
	return rc;
}
