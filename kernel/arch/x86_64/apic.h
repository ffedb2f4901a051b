/*
 * apic.h - what clock.c asks of apic.c. Internal to kernel/arch/x86_64.
 */
#ifndef ARCH_X86_64_APIC_H
#define ARCH_X86_64_APIC_H

#include <stdint.h>

/*
 * Count the local APIC timer against the TSC for about `ms` milliseconds
 * and keep its rate: NET_OK, or NET_ENOTSUP when it does not count.
 */
int apic_timer_calibrate(uint64_t tsc_hz, unsigned ms);

/* The APIC timer's rate in Hz, as calibrated (0 before). */
uint64_t apic_timer_hz(void);

#endif /* ARCH_X86_64_APIC_H */
