/*
 * entropy.h - the entropy chain every kernel target's platform_entropy()
 * follows: a driver's source first (virtio-rng, set at boot), else the
 * CPU's (or SoC's) random-number instructions in the arch's order of
 * preference, else none: the kernel refuses to start without entropy.
 *
 * An arch describes each instruction by two calls and keeps the source's
 * pointer itself (x86_entropy_source, arm64_entropy_source).
 */
#ifndef ARCH_ENTROPY_H
#define ARCH_ENTROPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct entropy_cpu {
	/* Whether this machine has the instruction (CPUID, ID registers). */
	bool (*is_present)(void);
	/*
	 * One 64-bit value into *v, retried as the instruction's manual
	 * advises; false when it keeps failing.
	 */
	bool (*read64)(uint64_t *v);
};

/*
 * len bytes into buf: from source when it is set and succeeds, else from
 * the first of cpu[0..count) that is present and does not fail. NET_OK;
 * NET_EIO when a source or instruction exists but failed; NET_ENOTSUP
 * when there is none. On failure buf is all zeros, never a partial fill.
 */
int entropy_chain(int (*source)(void *buf, size_t len),
		  const struct entropy_cpu *cpu, size_t count, void *buf,
		  size_t len);

#endif /* ARCH_ENTROPY_H */
