/*
 * klib_string_test.h - the names kernel/lib/string.c takes in host tests.
 *
 * Compiled with -DKLIB_PREFIX, string.c defines klib_memcpy, klib_strlen, ...
 * instead of the standard names, so a unit-test binary can link it beside the
 * system C library and compare the two. The contracts are those of
 * libc/string.h (C11 §7.24). Only tests and string.c include this header.
 */
#ifndef KLIB_STRING_TEST_H
#define KLIB_STRING_TEST_H

#include <stddef.h>

void *klib_memcpy(void *restrict dst, const void *restrict src, size_t n);
void *klib_memmove(void *dst, const void *src, size_t n);
void *klib_memset(void *dst, int c, size_t n);
int klib_memcmp(const void *a, const void *b, size_t n);
void *klib_memchr(const void *s, int c, size_t n);
size_t klib_strlen(const char *s);
size_t klib_strnlen(const char *s, size_t max);
int klib_strcmp(const char *a, const char *b);
int klib_strncmp(const char *a, const char *b, size_t n);
int klib_strcasecmp(const char *a, const char *b);
int klib_strncasecmp(const char *a, const char *b, size_t n);
char *klib_strchr(const char *s, int c);
char *klib_strrchr(const char *s, int c);
char *klib_strstr(const char *haystack, const char *needle);
char *klib_strncpy(char *restrict dst, const char *restrict src, size_t n);

#endif /* KLIB_STRING_TEST_H */
