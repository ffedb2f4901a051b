/*
 * rng.c - entropy for the aarch64 target: the chain of
 * kernel/arch/common/entropy.c over a driver's source first (the
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

#include <arch/entropy.h>

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

static const struct entropy_cpu rng_cpu[] = {
    {arm64_has_rndr, rng_rndr},
};

int arm64_entropy(void *buf, size_t len)
{
	return entropy_chain(arm64_entropy_source, rng_cpu,
			     sizeof(rng_cpu) / sizeof(rng_cpu[0]), buf, len);
}
