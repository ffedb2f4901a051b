/*
 * rng.c - entropy for the aarch64 target: a driver's source first (the
 * virtio-rng driver sets arm64_entropy_source), else the CPU's RNDR.
 *
 * RNDR (FEAT_RNG, ID_AA64ISAR0_EL1.RNDR [63:60] = 1; Arm ARM D19) reads a
 * 64-bit number from a DRBG the hardware seeds; it sets PSTATE.Z and
 * returns 0 when none is available in reasonable time. It is read by its
 * encoding, S3_3_C2_C4_0, so that the assembler needs no -march for it,
 * and retried up to ten times before the source counts as failed. A
 * Cortex-A53 has no RNDR; QEMU's -cpu max does.
 */
#include <arch/arm64.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <net/net.h>

#define RNG_RNDR_TRIES 10

int (*arm64_entropy_source)(void *buf, size_t len);

bool arm64_has_rndr(void)
{
	return (ARM64_READ(id_aa64isar0_el1) >> 60 & 0xf) >= 1;
}

static bool rng_rndr(uint64_t *v)
{
	uint64_t ok;

	for (int i = 0; i < RNG_RNDR_TRIES; i++) {
		__asm__ volatile("mrs %0, s3_3_c2_c4_0\n\tcset %1, ne"
				 : "=r"(*v), "=r"(ok)
				 :
				 : "cc");
		if (ok)
			return true;
	}
	return false;
}

static int rng_fill(void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t v;

	while (len > 0) {
		size_t n = len < sizeof(v) ? len : sizeof(v);

		if (!rng_rndr(&v))
			return NET_EIO;
		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
	v = 0;
	return NET_OK;
}

int arm64_entropy(void *buf, size_t len)
{
	int rc = NET_ENOTSUP;

	if (arm64_entropy_source && arm64_entropy_source(buf, len) == NET_OK)
		return NET_OK;
	if (arm64_has_rndr())
		rc = rng_fill(buf, len);
	if (rc != NET_OK && arm64_entropy_source)
		rc = NET_EIO; /* a source exists, it failed */
	if (rc != NET_OK)
		memset(buf, 0, len); /* never hand out a partial fill */
	return rc;
}
