/*
 * fmt.h - a bounded printf-style formatter for freestanding code.
 *
 * fmt_snprintf() never writes past `size` bytes and always NUL-terminates when
 * size > 0. It returns the length the full output would have had (like C99
 * snprintf), so `ret >= size` means truncation. Supported conversions:
 *   %%  %c  %s  %d %i %u %x %X %o  %p
 * with flags `-` `0` `+` ` ` `#`, a field width and precision (numbers or `*`),
 * and the length modifiers hh h l ll z t j. %s with a NULL pointer prints
 * "(null)". Floating point is deliberately not supported. An unknown
 * conversion is printed literally, so a bad format cannot read stray varargs
 * beyond the one it names.
 *
 * Extension: %I prints a host-order uint32_t IPv4 address as a.b.c.d, and
 * %M prints a 6-byte MAC address from a `const uint8_t *` as aa:bb:cc:dd:ee:ff.
 */
#ifndef KLIB_FMT_H
#define KLIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif /* KLIB_FMT_H */
