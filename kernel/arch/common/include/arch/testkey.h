/*
 * testkey.h - the command-line keys every kernel target accepts for its
 * tests, parsed the same way on each (boot/<target>/platform.c lists them
 * in platform_cmdline_keys and calls these from platform_netdev() and
 * platform_idle()):
 *
 *   fault=NAME   raise that CPU exception once the command line is
 *                validated, to show the exception report; the arch gives
 *                the names and the functions that raise them
 *   stop_ms=N    after N ms of uptime (1..86400000) print the counters
 *                and stop with exit code 0
 *
 * A bad value is one log line, "<arch_name>: key=value: expected ...", and
 * platform_exit(KERNEL_EXIT_USAGE).
 */
#ifndef ARCH_TESTKEY_H
#define ARCH_TESTKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest value a target key takes, with its NUL. */
#define TESTKEY_VALUE_MAX 16

/* A fault= value and what raises it (a function of its own, noinline, so
 * that the backtrace names it). */
struct testkey_fault {
	const char *name;
	void (*raise)(void);
};

/*
 * The value of a target key into buf (cap bytes): whether it is given. A
 * value too long for buf is a usage error, expected naming what is.
 */
bool testkey_get(const char *key, char *buf, size_t cap, const char *expected);

/* Refuse key=value: log what was expected and exit. */
_Noreturn void testkey_usage(const char *key, const char *value,
			     const char *expected);

/*
 * fault=: raise the one of faults[0..count) named, or refuse the value
 * (expected lists the names). Returns only when the key is not given.
 */
void testkey_fault(const struct testkey_fault *faults, size_t count,
		   const char *expected);

/* A fault= action for every arch: recurse until the boot stack's guard
 * page stops it. */
void testkey_fault_stack(void);

/* stop_ms=: read it (before the loop starts). */
void testkey_read_stop(void);

/*
 * In platform_idle(): true when stop_ms= has passed (the counters are
 * printed and the kernel asked to stop; the idle returns at once), else
 * false with *deadline_ms lowered to the stop time when it comes first.
 */
bool testkey_stop_due(uint64_t now_ms, uint64_t *deadline_ms);

#endif /* ARCH_TESTKEY_H */
