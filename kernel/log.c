/*
 * log.c - the console log (include/kernel/log.h).
 *
 * Each line is built in one static buffer (the loop is single-threaded and
 * nothing logs from a handler) and handed to platform_console_write() whole:
 * "[seconds.millis] level message\n". The clock is the platform's, so the
 * stamp is the time since boot (or since the process started, on Linux).
 */
#include <kernel/log.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <kernel/platform.h>
#include <keel_config.h>
#include <klib/fmt.h>
#include <net/net.h>

_Static_assert(CONFIG_LOG_LEVEL >= LOG_ERROR && CONFIG_LOG_LEVEL <= LOG_DEBUG,
	       "[log] level must be one of error, warn, info, debug");

static const char *const log_names[] = {
    [LOG_ERROR] = "error",
    [LOG_WARN] = "warn",
    [LOG_INFO] = "info",
    [LOG_DEBUG] = "debug",
};

static enum log_level log_level = (enum log_level)CONFIG_LOG_LEVEL;
static char log_line[LOG_LINE_MAX];

bool log_is_enabled(enum log_level level)
{
	return level <= log_level;
}

void log_set_level(enum log_level level)
{
	if ((unsigned)level <= LOG_DEBUG)
		log_level = level;
}

enum log_level log_get_level(void)
{
	return log_level;
}

int log_parse_level(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
		if (strcmp(name, log_names[i]) == 0) {
			*out = (enum log_level)i;
			return NET_OK;
		}
	}
	return NET_EINVAL;
}

/* Writes the "[s.mmm] level " prefix; returns its length. */
static size_t log_prefix(enum log_level level)
{
	uint64_t now = platform_now_ms();
	int n;

	n = fmt_snprintf(log_line, sizeof(log_line), "[%6llu.%03u] %-5s ",
			 (unsigned long long)(now / 1000),
			 (unsigned)(now % 1000), log_names[level]);
	if (n < 0 || (size_t)n >= sizeof(log_line))
		return 0;
	return (size_t)n;
}

/* Ends the line at `len` with '\n', marking a cut line with "...". */
static size_t log_terminate(size_t len, bool cut)
{
	static const char mark[] = "...";

	if (cut) {
		len = sizeof(log_line) - 1 - (sizeof(mark) - 1) - 1;
		memcpy(log_line + len, mark, sizeof(mark) - 1);
		len += sizeof(mark) - 1;
	}
	log_line[len++] = '\n';
	return len;
}

void log_printf(enum log_level level, const char *fmt, ...)
{
	size_t len, room;
	va_list ap;
	int n;

	if ((unsigned)level > LOG_DEBUG || !log_is_enabled(level))
		return;
	len = log_prefix(level);
	/* Keep one byte for the newline log_terminate() adds. */
	room = sizeof(log_line) - 1 - len;
	va_start(ap, fmt);
	n = fmt_vsnprintf(log_line + len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= room)
		len = log_terminate(0, true);
	else
		len = log_terminate(len + (size_t)n, false);
	platform_console_write(log_line, len);
}
