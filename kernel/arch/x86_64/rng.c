/*
 * rng.c - entropy for the x86_64 target: the chain of
 * kernel/arch/common/entropy.c over a driver's source first (the
 * virtio-rng driver sets x86_entropy_source), else the CPU's RDSEED, else
 * RDRAND.
 *
 * RDSEED (CPUID.(EAX=7,ECX=0):EBX bit 18) returns conditioned entropy
 * straight from the CPU's source; RDRAND (CPUID.01H:ECX bit 30) the output
 * of a DRBG the source reseeds. Either may fail transiently (CF = 0) under
 * load: RDSEED is retried with PAUSE in between, RDRAND up to ten times as
 * Intel's DRNG guide advises; a source that keeps failing is NET_EIO.
 */
#include <arch/x86.h>

#include <stdbool.h>
#include <stdint.h>

#include <arch/entropy.h>
#include <arch/x86_io.h>

#define CPUID7_EBX_RDSEED (1u << 18)
#define CPUID1_ECX_RDRAND (1u << 30)
#define RNG_RDSEED_TRIES  1000
#define RNG_RDRAND_TRIES  10

int (*x86_entropy_source)(void *buf, size_t len);

static bool rng_has_rdseed(void)
{
	return x86_cpuid(7, 0).ebx & CPUID7_EBX_RDSEED;
}

static bool rng_has_rdrand(void)
{
	return x86_cpuid(1, 0).ecx & CPUID1_ECX_RDRAND;
}

static bool rng_rdseed(uint64_t *v)
{
	uint8_t ok;

	for (int i = 0; i < RNG_RDSEED_TRIES; i++) {
		__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
		x86_pause();
	}
	return false;
}

static bool rng_rdrand(uint64_t *v)
{
	uint8_t ok;

	for (int i = 0; i < RNG_RDRAND_TRIES; i++) {
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

static const struct entropy_cpu rng_cpu[] = {
    {rng_has_rdseed, rng_rdseed},
    {rng_has_rdrand, rng_rdrand},
};

int x86_entropy(void *buf, size_t len)
{
	return entropy_chain(x86_entropy_source, rng_cpu,
			     sizeof(rng_cpu) / sizeof(rng_cpu[0]), buf, len);
}

const char *x86_entropy_describe(void)
{
	bool seed = rng_has_rdseed(), rand = rng_has_rdrand();

	if (seed && rand)
		return "rdseed, rdrand";
	if (seed)
		return "rdseed";
	if (rand)
		return "rdrand";
	return "none in the cpu";
}
