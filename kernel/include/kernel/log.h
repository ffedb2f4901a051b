/*
 * log.h - the kernel's console log.
 *
 * log_printf() formats one line with klib's bounded formatter (the
 * conversions of <klib/fmt.h>; addresses through FMT_IPV4() and FMT_MAC()
 * with %s), prefixes it with the clock and the level, and writes it to the
 * console in one platform_console_write() call:
 *
 *   [    12.345] info  keel: up on keel0 mac 02:5e:... ip 10.0.0.2/24
 *
 * A line longer than LOG_LINE_MAX is cut and ends in "...". The format
 * carries no trailing newline; log_printf() adds it. Lines below the
 * current level are dropped before formatting. The level starts at
 * CONFIG_LOG_LEVEL (0 error .. 3 debug) and the kernel sets it from the
 * command line's log= key. Never call it from a signal or interrupt handler.
 */
#ifndef KERNEL_LOG_H
#define KERNEL_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

/* The longest line written, prefix and newline included. */
#define LOG_LINE_MAX 256

void log_printf(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Whether a line at `level` would be written (to skip costly arguments). */
bool log_is_enabled(enum log_level level);

void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/*
 * Parse a level name ("error", "warn", "info", "debug") into *out: NET_OK or
 * NET_EINVAL.
 */
int log_parse_level(const char *name, enum log_level *out);

#endif /* KERNEL_LOG_H */
