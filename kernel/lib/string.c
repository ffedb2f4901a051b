/*
 * string.c - the C library's memory and string functions for freestanding
 * images.
 *
 * Interface: kernel/lib/libc/string.h, with standard semantics (C11 §7.24).
 * The file is compiled two ways:
 *  - for images, with -nostdinc -I kernel/lib/libc: the functions carry their
 *    standard names, because gcc and wolfSSL call memcpy, memset, ... by name;
 *  - for host unit tests, with -DKLIB_PREFIX: every function is renamed
 *    klib_<name> (prototypes in klib_string_test.h) so the test binary can
 *    link it beside the system C library and compare the two.
 *
 * memcpy, memmove and memset move a machine word at a time once source and
 * destination are word-aligned, which needs both to share the same offset
 * within a word; otherwise they go byte by byte. Word accesses use a
 * may_alias type, so they are not strict-aliasing violations, and are always
 * aligned, so they are legal on cores that fault on unaligned loads. No
 * function reads a byte the standard does not let it read (strlen does not
 * scan whole words past the terminator), so AddressSanitizer stays quiet.
 * strcasecmp and strncasecmp fold ASCII letters only, as the "C" locale does.
 * strstr is the plain quadratic search: keel's haystacks are short.
 *
 * gcc recognises loops that behave like memset, memcpy or strlen and may
 * compile them into calls to those functions, which here would recurse
 * forever (gcc 12 turns this file's strlen into a call to strlen when
 * -ffreestanding is missing, and the flag is not documented to prevent it).
 * STRING_NO_LIBCALL turns that transformation off for every function in
 * this file. clang ignores the attribute; it leaves the loops alone under
 * -ffreestanding / -fno-builtin and does not rewrite loops inside functions
 * named memset or memcpy. Check with objdump -d that no function here calls
 * itself.
 */
#ifdef KLIB_PREFIX
#include "klib_string_test.h"
#define KLIB_FN(name) klib_##name
#else
#include <string.h>
#define KLIB_FN(name) name
#endif

#include <stdbool.h>
#include <stdint.h>

#if defined(__GNUC__) && !defined(__clang__)
#define STRING_NO_LIBCALL                                                      \
	__attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define STRING_NO_LIBCALL
#endif

/* A machine word that may alias any object, for the word-wide copy loops. */
typedef uintptr_t __attribute__((may_alias)) string_word;

#define STRING_WORD_SIZE sizeof(string_word)

/* Below this many bytes the word loops would not pay for their set-up. */
#define STRING_WORD_MIN (2 * STRING_WORD_SIZE)

STRING_NO_LIBCALL static bool string_is_aligned(const void *p)
{
	return (uintptr_t)p % STRING_WORD_SIZE == 0;
}

/* True if a and b can become word-aligned together. */
STRING_NO_LIBCALL static bool string_is_coaligned(const void *a, const void *b)
{
	return ((uintptr_t)a ^ (uintptr_t)b) % STRING_WORD_SIZE == 0;
}

/*
 * The search functions take a const pointer and return a plain one into the
 * same array (C11 §7.24.5), which the caller may well be allowed to modify.
 * Going through uintptr_t drops the qualifier without a -Wcast-qual warning.
 */
STRING_NO_LIBCALL static void *string_unconst(const void *p)
{
	return (void *)(uintptr_t)p;
}

STRING_NO_LIBCALL static int string_fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/*
 * Copies n bytes from the lowest address up. Also correct for overlapping
 * buffers when d < s: every word is read before the write that could
 * overlap it.
 */
STRING_NO_LIBCALL static void string_copy_up(unsigned char *d,
					     const unsigned char *s, size_t n)
{
	if (n >= STRING_WORD_MIN && string_is_coaligned(d, s)) {
		for (; !string_is_aligned(d); n--)
			*d++ = *s++;
		for (; n >= STRING_WORD_SIZE; n -= STRING_WORD_SIZE) {
			*(string_word *)d = *(const string_word *)s;
			d += STRING_WORD_SIZE;
			s += STRING_WORD_SIZE;
		}
	}
	for (; n > 0; n--)
		*d++ = *s++;
}

/* Copies n bytes from the highest address down, for memmove with d > s. */
STRING_NO_LIBCALL static void string_copy_down(unsigned char *d,
					       const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	if (n >= STRING_WORD_MIN && string_is_coaligned(d, s)) {
		for (; !string_is_aligned(d); n--)
			*--d = *--s;
		for (; n >= STRING_WORD_SIZE; n -= STRING_WORD_SIZE) {
			d -= STRING_WORD_SIZE;
			s -= STRING_WORD_SIZE;
			*(string_word *)d = *(const string_word *)s;
		}
	}
	for (; n > 0; n--)
		*--d = *--s;
}

STRING_NO_LIBCALL void *KLIB_FN(memcpy)(void *restrict dst,
					const void *restrict src, size_t n)
{
	string_copy_up(dst, src, n);
	return dst;
}

STRING_NO_LIBCALL void *KLIB_FN(memmove)(void *dst, const void *src, size_t n)
{
	/*
	 * Copying upwards is safe unless dst starts inside [src, src + n).
	 * Comparing as integers avoids relational operators on pointers into
	 * different objects (C11 §6.5.8p5).
	 */
	if ((uintptr_t)dst - (uintptr_t)src >= n)
		string_copy_up(dst, src, n);
	else
		string_copy_down(dst, src, n);
	return dst;
}

STRING_NO_LIBCALL void *KLIB_FN(memset)(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned char b = (unsigned char)c;

	if (n >= STRING_WORD_MIN) {
		/* 0x0101...01 times the byte puts it in every byte lane. */
		string_word w = (string_word)-1 / 0xff * b;

		for (; !string_is_aligned(d); n--)
			*d++ = b;
		for (; n >= STRING_WORD_SIZE; n -= STRING_WORD_SIZE) {
			*(string_word *)d = w;
			d += STRING_WORD_SIZE;
		}
	}
	for (; n > 0; n--)
		*d++ = b;
	return dst;
}

STRING_NO_LIBCALL int KLIB_FN(memcmp)(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a;
	const unsigned char *y = b;

	for (; n > 0; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
	}
	return 0;
}

STRING_NO_LIBCALL void *KLIB_FN(memchr)(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	unsigned char b = (unsigned char)c;

	for (; n > 0; n--, p++) {
		if (*p == b)
			return string_unconst(p);
	}
	return NULL;
}

STRING_NO_LIBCALL size_t KLIB_FN(strlen)(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

STRING_NO_LIBCALL size_t KLIB_FN(strnlen)(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

/* Characters compare as unsigned char (C11 §7.24.4p1). */
STRING_NO_LIBCALL int KLIB_FN(strcmp)(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; *x != '\0' && *x == *y; x++, y++)
		;
	return *x - *y;
}

STRING_NO_LIBCALL int KLIB_FN(strncmp)(const char *a, const char *b, size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; n > 0; n--, x++, y++) {
		if (*x != *y)
			return *x - *y;
		if (*x == '\0')
			break;
	}
	return 0;
}

STRING_NO_LIBCALL int KLIB_FN(strcasecmp)(const char *a, const char *b)
{
	return KLIB_FN(strncasecmp)(a, b, SIZE_MAX);
}

STRING_NO_LIBCALL int KLIB_FN(strncasecmp)(const char *a, const char *b,
					   size_t n)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	for (; n > 0; n--, x++, y++) {
		int diff = string_fold(*x) - string_fold(*y);

		if (diff != 0)
			return diff;
		if (*x == '\0')
			break;
	}
	return 0;
}

/* c is converted to char; searching for '\0' finds the terminator. */
STRING_NO_LIBCALL char *KLIB_FN(strchr)(const char *s, int c)
{
	char ch = (char)c;

	for (;; s++) {
		if (*s == ch)
			return string_unconst(s);
		if (*s == '\0')
			return NULL;
	}
}

STRING_NO_LIBCALL char *KLIB_FN(strrchr)(const char *s, int c)
{
	char ch = (char)c;
	const char *last = NULL;

	do {
		if (*s == ch)
			last = s;
	} while (*s++ != '\0');
	return string_unconst(last);
}

STRING_NO_LIBCALL char *KLIB_FN(strstr)(const char *haystack,
					const char *needle)
{
	size_t n = KLIB_FN(strlen)(needle);

	if (n == 0)
		return string_unconst(haystack);
	/* strncmp stops at haystack's terminator, so no read runs past it. */
	for (; *haystack != '\0'; haystack++) {
		if (*haystack == *needle &&
		    KLIB_FN(strncmp)(haystack, needle, n) == 0)
			return string_unconst(haystack);
	}
	return NULL;
}

/* Pads with NULs up to n and leaves dst unterminated if src is too long. */
STRING_NO_LIBCALL char *KLIB_FN(strncpy)(char *restrict dst,
					 const char *restrict src, size_t n)
{
	char *d = dst;

	for (; n > 0 && *src != '\0'; n--)
		*d++ = *src++;
	KLIB_FN(memset)(d, 0, n);
	return dst;
}
