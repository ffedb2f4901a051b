/*
 * string.h - the C library string functions keel provides to freestanding
 * images (kernel/lib/string.c). Hosted builds (linux-tap, tests) use the
 * system's <string.h> instead; this directory is on the include path only
 * when building with -nostdinc.
 */
#ifndef KLIB_LIBC_STRING_H
#define KLIB_LIBC_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
int strcasecmp(const char *a, const char *b);
int strncasecmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
char *strncpy(char *restrict dst, const char *restrict src, size_t n);

#endif /* KLIB_LIBC_STRING_H */
