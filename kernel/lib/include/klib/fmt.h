/*
 * fmt.h - a bounded printf-style formatter for freestanding code.
 *
 * fmt_snprintf() never writes past `size` bytes and always NUL-terminates when
 * size > 0; with size 0 it writes nothing and buf may be NULL. It returns the
 * length the full output would have had (like C99 snprintf), so `ret >= size`
 * means truncation; the return is negative only if that length would exceed
 * INT_MAX. Supported conversions:
 *   %%  %c  %s  %d %i %u %x %X %o  %p
 * with flags `-` `0` `+` ` ` `#`, a field width and precision (numbers or `*`),
 * and the length modifiers hh h l ll z t j, as C11 §7.21.6.1 defines them.
 * Where C leaves a choice:
 *  - %s with a NULL pointer prints "(null)" (cut to the precision, if any);
 *    %s never reads past the precision, so it may print unterminated arrays;
 *  - %p prints 0x and lowercase hex digits, "0x0" for NULL;
 *  - `0` with %c or %s pads with spaces.
 * Floating point is deliberately not supported. An unknown conversion (%f,
 * %n, %ls, %lc, a stray % at the end, ...) ends formatting: it and the rest
 * of the format are copied literally and no further argument is read, so a
 * bad format cannot make later conversions read the wrong varargs, and %n
 * never writes anywhere.
 *
 * Addresses: both functions carry gcc's format(printf) attribute, so every
 * call is type-checked by -Wformat. That rules out custom conversions (gcc
 * and clang reject %I or %M with -Wall -Werror), so IPv4 and MAC addresses
 * are turned into text by fmt_ipv4() and fmt_mac() and printed with %s:
 *
 *   fmt_snprintf(buf, n, "%s is at %s", FMT_IPV4(ip), FMT_MAC(mac));
 *
 * FMT_IPV4() and FMT_MAC() format into a compound literal that lives until
 * the end of the enclosing block; use them only as call arguments.
 */
#ifndef KLIB_FMT_H
#define KLIB_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Buffer sizes, NUL included: "255.255.255.255" and "ff:ff:ff:ff:ff:ff". */
#define FMT_IPV4_SIZE 16
#define FMT_MAC_SIZE 18

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Writes a host-order IPv4 address as a.b.c.d into buf and returns buf. */
char *fmt_ipv4(char buf[static FMT_IPV4_SIZE], uint32_t addr);

/* Writes a 6-byte MAC address as aa:bb:cc:dd:ee:ff into buf; returns buf. */
char *fmt_mac(char buf[static FMT_MAC_SIZE], const uint8_t mac[static 6]);

#define FMT_IPV4(addr) fmt_ipv4((char[FMT_IPV4_SIZE]){ 0 }, (addr))
#define FMT_MAC(mac) fmt_mac((char[FMT_MAC_SIZE]){ 0 }, (mac))

#endif /* KLIB_FMT_H */
