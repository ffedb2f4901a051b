/*
 * fmt.c - bounded printf-style formatting (include/klib/fmt.h).
 *
 * One pass over the format. Literal text is copied; each conversion is
 * parsed into a struct fmt_spec (flags, width, precision, length modifier),
 * its argument is fetched at the type the length modifier names, and it is
 * written out with its padding. All output goes through struct fmt_out,
 * which stores what fits (keeping a byte for the NUL) and counts everything,
 * so the return value is the untruncated length. Integer rules follow
 * C11 §7.21.6.1; the choices C leaves open are listed in fmt.h.
 *
 * Freestanding: only compiler-provided headers, no libc calls, no floating
 * point. Widths and precisions saturate at INT_MAX, and padding is counted
 * rather than looped over once the buffer is full, so a huge width costs no
 * time.
 */
#include <klib/fmt.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* <limits.h> is not reliably usable under -nostdinc; derive INT_MAX. */
#define FMT_INT_MAX ((int)(~0u >> 1))

/* fmt_out.len stops here: one past what the int return value can carry. */
#define FMT_LEN_LIMIT ((size_t)FMT_INT_MAX + 1)

/* Digits of the widest conversion: uintmax_t in octal, 3 bits a digit. */
#define FMT_DIGITS_MAX ((sizeof(uintmax_t) * 8 + 2) / 3)

enum fmt_flag {
	FMT_FLAG_LEFT = 1 << 0,	 /* '-': pad on the right */
	FMT_FLAG_ZERO = 1 << 1,	 /* '0': pad numbers with zeros */
	FMT_FLAG_PLUS = 1 << 2,	 /* '+': always print a sign */
	FMT_FLAG_SPACE = 1 << 3, /* ' ': space where '+' would go */
	FMT_FLAG_ALT = 1 << 4,	 /* '#': 0x prefix, leading octal 0 */
};

enum fmt_len {
	FMT_LEN_NONE,
	FMT_LEN_HH,
	FMT_LEN_H,
	FMT_LEN_L,
	FMT_LEN_LL,
	FMT_LEN_Z,
	FMT_LEN_T,
	FMT_LEN_J,
};

struct fmt_spec {
	unsigned flags; /* enum fmt_flag bits */
	int width;	/* 0 when absent */
	int prec;	/* negative when absent */
	enum fmt_len len;
	char conv; /* conversion character, '\0' at end of format */
};

struct fmt_out {
	char *buf;
	size_t size;
	size_t len; /* length of the full output so far, capped */
};

static const char fmt_hex_lower[] = "0123456789abcdef";
static const char fmt_hex_upper[] = "0123456789ABCDEF";

/* Bytes that can still be stored, keeping one for the terminating NUL. */
static size_t fmt_out_room(const struct fmt_out *out)
{
	return out->len + 1 < out->size ? out->size - out->len - 1 : 0;
}

static void fmt_out_advance(struct fmt_out *out, size_t n)
{
	if (n > FMT_LEN_LIMIT - out->len)
		out->len = FMT_LEN_LIMIT;
	else
		out->len += n;
}

static void fmt_out_write(struct fmt_out *out, const char *s, size_t n)
{
	size_t room = fmt_out_room(out);

	for (size_t i = 0; i < n && i < room; i++)
		out->buf[out->len + i] = s[i];
	fmt_out_advance(out, n);
}

static void fmt_out_pad(struct fmt_out *out, char c, size_t n)
{
	size_t room = fmt_out_room(out);

	for (size_t i = 0; i < n && i < room; i++)
		out->buf[out->len + i] = c;
	fmt_out_advance(out, n);
}

static int fmt_out_finish(struct fmt_out *out)
{
	if (out->size > 0)
		out->buf[out->len < out->size ? out->len : out->size - 1] =
			'\0';
	return out->len < FMT_LEN_LIMIT ? (int)out->len : -1;
}

static size_t fmt_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

static bool fmt_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads a decimal width or precision, saturating at INT_MAX. */
static int fmt_parse_num(const char **fmt)
{
	int v = 0;

	for (; fmt_is_digit(**fmt); (*fmt)++) {
		int d = **fmt - '0';

		v = v > (FMT_INT_MAX - d) / 10 ? FMT_INT_MAX : v * 10 + d;
	}
	return v;
}

static unsigned fmt_parse_flags(const char **fmt)
{
	unsigned flags = 0;

	for (;; (*fmt)++) {
		switch (**fmt) {
		case '-':
			flags |= FMT_FLAG_LEFT;
			break;
		case '0':
			flags |= FMT_FLAG_ZERO;
			break;
		case '+':
			flags |= FMT_FLAG_PLUS;
			break;
		case ' ':
			flags |= FMT_FLAG_SPACE;
			break;
		case '#':
			flags |= FMT_FLAG_ALT;
			break;
		default:
			return flags;
		}
	}
}

/* A negative `*` width means the `-` flag and its magnitude (§7.21.6.1p5). */
static void fmt_parse_width(const char **fmt, struct fmt_spec *sp, va_list *ap)
{
	int w;

	if (**fmt != '*') {
		sp->width = fmt_parse_num(fmt);
		return;
	}
	(*fmt)++;
	w = va_arg(*ap, int);
	if (w < 0) {
		sp->flags |= FMT_FLAG_LEFT;
		w = w < -FMT_INT_MAX ? FMT_INT_MAX : -w;
	}
	sp->width = w;
}

/* A negative `*` precision is taken as if it were omitted (§7.21.6.1p5). */
static void fmt_parse_prec(const char **fmt, struct fmt_spec *sp, va_list *ap)
{
	sp->prec = -1;
	if (**fmt != '.')
		return;
	(*fmt)++;
	if (**fmt == '*') {
		(*fmt)++;
		sp->prec = va_arg(*ap, int);
		if (sp->prec < 0)
			sp->prec = -1;
	} else {
		sp->prec = fmt_parse_num(fmt);
	}
}

static enum fmt_len fmt_parse_len(const char **fmt)
{
	const char *p = *fmt;
	enum fmt_len len;

	switch (*p) {
	case 'h':
		len = p[1] == 'h' ? FMT_LEN_HH : FMT_LEN_H;
		break;
	case 'l':
		len = p[1] == 'l' ? FMT_LEN_LL : FMT_LEN_L;
		break;
	case 'z':
		len = FMT_LEN_Z;
		break;
	case 't':
		len = FMT_LEN_T;
		break;
	case 'j':
		len = FMT_LEN_J;
		break;
	default:
		return FMT_LEN_NONE;
	}
	*fmt = p + (len == FMT_LEN_HH || len == FMT_LEN_LL ? 2 : 1);
	return len;
}

/* Parses what follows a '%'; reads the arguments of any `*`. */
static void fmt_parse_spec(const char **fmt, struct fmt_spec *sp, va_list *ap)
{
	sp->flags = fmt_parse_flags(fmt);
	fmt_parse_width(fmt, sp, ap);
	fmt_parse_prec(fmt, sp, ap);
	sp->len = fmt_parse_len(fmt);
	sp->conv = **fmt;
	if (sp->conv != '\0')
		(*fmt)++;
}

/*
 * Integer arguments arrive promoted; hh and h convert back to the narrow
 * type (§7.21.6.1p7). z and t share a signed and an unsigned type, which
 * have the same width on every target keel supports.
 */
static intmax_t fmt_arg_signed(enum fmt_len len, va_list *ap)
{
	switch (len) {
	case FMT_LEN_HH:
		return (signed char)va_arg(*ap, int);
	case FMT_LEN_H:
		return (short)va_arg(*ap, int);
	case FMT_LEN_L:
		return va_arg(*ap, long);
	case FMT_LEN_LL:
		return va_arg(*ap, long long);
	case FMT_LEN_Z:
	case FMT_LEN_T:
		return va_arg(*ap, ptrdiff_t);
	case FMT_LEN_J:
		return va_arg(*ap, intmax_t);
	default:
		return va_arg(*ap, int);
	}
}

static uintmax_t fmt_arg_unsigned(enum fmt_len len, va_list *ap)
{
	switch (len) {
	case FMT_LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case FMT_LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case FMT_LEN_L:
		return va_arg(*ap, unsigned long);
	case FMT_LEN_LL:
		return va_arg(*ap, unsigned long long);
	case FMT_LEN_Z:
	case FMT_LEN_T:
		return va_arg(*ap, size_t);
	case FMT_LEN_J:
		return va_arg(*ap, uintmax_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static unsigned fmt_base(char conv)
{
	switch (conv) {
	case 'o':
		return 8;
	case 'x':
	case 'X':
	case 'p':
		return 16;
	default:
		return 10;
	}
}

/* Writes v's digits so they end just before `end`; returns their count. */
static size_t fmt_utoa(char *end, uintmax_t v, unsigned base, bool upper)
{
	const char *digits = upper ? fmt_hex_upper : fmt_hex_lower;
	char *p = end;

	do {
		*--p = digits[v % base];
		v /= base;
	} while (v != 0);
	return (size_t)(end - p);
}

/*
 * Writes [spaces] prefix [zeros] digits [spaces]: prefix is the sign or 0x,
 * and the zeros come from the precision or, without one, from the `0` flag.
 */
static void fmt_emit_number(struct fmt_out *out, const struct fmt_spec *sp,
			    const char *prefix, size_t zeros,
			    const char *digits, size_t ndigits)
{
	size_t nprefix = fmt_strnlen(prefix, 2);
	size_t body = nprefix + zeros + ndigits;
	size_t pad = (size_t)sp->width > body ? (size_t)sp->width - body : 0;

	if (sp->prec < 0 && (sp->flags & FMT_FLAG_ZERO) &&
	    !(sp->flags & FMT_FLAG_LEFT)) {
		zeros += pad;
		pad = 0;
	}
	if (!(sp->flags & FMT_FLAG_LEFT))
		fmt_out_pad(out, ' ', pad);
	fmt_out_write(out, prefix, nprefix);
	fmt_out_pad(out, '0', zeros);
	fmt_out_write(out, digits, ndigits);
	if (sp->flags & FMT_FLAG_LEFT)
		fmt_out_pad(out, ' ', pad);
}

/* Formats the magnitude v of an integer conversion after `prefix`. */
static void fmt_conv_int(struct fmt_out *out, const struct fmt_spec *sp,
			 uintmax_t v, const char *prefix)
{
	char buf[FMT_DIGITS_MAX];
	char *end = buf + sizeof(buf);
	unsigned base = fmt_base(sp->conv);
	size_t ndigits = 0;
	size_t prec = sp->prec < 0 ? 1 : (size_t)sp->prec;

	/* Precision 0 and value 0 print no digits (§7.21.6.1p8). */
	if (v != 0 || sp->prec != 0)
		ndigits = fmt_utoa(end, v, base, sp->conv == 'X');
	/* `#` with %o raises the precision until the first digit is a 0. */
	if ((sp->flags & FMT_FLAG_ALT) && base == 8 && (v != 0 || ndigits == 0))
		prec = prec > ndigits ? prec : ndigits + 1;
	fmt_emit_number(out, sp, prefix, prec > ndigits ? prec - ndigits : 0,
			end - ndigits, ndigits);
}

static void fmt_conv_signed(struct fmt_out *out, const struct fmt_spec *sp,
			    va_list *ap)
{
	intmax_t v = fmt_arg_signed(sp->len, ap);
	/* Negating in unsigned arithmetic keeps INTMAX_MIN well defined. */
	uintmax_t mag = v < 0 ? 0 - (uintmax_t)v : (uintmax_t)v;
	const char *sign = "";

	if (v < 0)
		sign = "-";
	else if (sp->flags & FMT_FLAG_PLUS)
		sign = "+";
	else if (sp->flags & FMT_FLAG_SPACE)
		sign = " ";
	fmt_conv_int(out, sp, mag, sign);
}

/* `+` and ` ` apply to signed conversions only, so they are ignored here. */
static void fmt_conv_unsigned(struct fmt_out *out, const struct fmt_spec *sp,
			      va_list *ap)
{
	uintmax_t v = fmt_arg_unsigned(sp->len, ap);
	const char *prefix = "";

	if ((sp->flags & FMT_FLAG_ALT) && v != 0 && sp->conv == 'x')
		prefix = "0x";
	else if ((sp->flags & FMT_FLAG_ALT) && v != 0 && sp->conv == 'X')
		prefix = "0X";
	fmt_conv_int(out, sp, v, prefix);
}

static void fmt_conv_ptr(struct fmt_out *out, const struct fmt_spec *sp,
			 va_list *ap)
{
	uintptr_t v = (uintptr_t)va_arg(*ap, void *);

	fmt_conv_int(out, sp, v, "0x");
}

/* Writes n bytes of s padded with spaces to the field width. */
static void fmt_emit_text(struct fmt_out *out, const struct fmt_spec *sp,
			  const char *s, size_t n)
{
	size_t pad = (size_t)sp->width > n ? (size_t)sp->width - n : 0;

	if (!(sp->flags & FMT_FLAG_LEFT))
		fmt_out_pad(out, ' ', pad);
	fmt_out_write(out, s, n);
	if (sp->flags & FMT_FLAG_LEFT)
		fmt_out_pad(out, ' ', pad);
}

static void fmt_conv_char(struct fmt_out *out, const struct fmt_spec *sp,
			  va_list *ap)
{
	char c = (char)va_arg(*ap, int);

	fmt_emit_text(out, sp, &c, 1);
}

static void fmt_conv_str(struct fmt_out *out, const struct fmt_spec *sp,
			 va_list *ap)
{
	const char *s = va_arg(*ap, const char *);
	size_t max = sp->prec < 0 ? SIZE_MAX : (size_t)sp->prec;

	if (s == NULL)
		s = "(null)";
	fmt_emit_text(out, sp, s, fmt_strnlen(s, max));
}

/*
 * Performs one parsed conversion. Returns false, having read no argument,
 * for a conversion this formatter does not know, including the wide-char
 * forms %lc and %ls, whose arguments it cannot read safely.
 */
static bool fmt_convert(struct fmt_out *out, const struct fmt_spec *sp,
			va_list *ap)
{
	bool plain = sp->len == FMT_LEN_NONE;

	switch (sp->conv) {
	case '%':
		if (plain)
			fmt_out_write(out, "%", 1);
		return plain;
	case 'c':
		if (plain)
			fmt_conv_char(out, sp, ap);
		return plain;
	case 's':
		if (plain)
			fmt_conv_str(out, sp, ap);
		return plain;
	case 'p':
		if (plain)
			fmt_conv_ptr(out, sp, ap);
		return plain;
	case 'd':
	case 'i':
		fmt_conv_signed(out, sp, ap);
		return true;
	case 'u':
	case 'o':
	case 'x':
	case 'X':
		fmt_conv_unsigned(out, sp, ap);
		return true;
	default:
		return false;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out out = { .buf = buf, .size = size, .len = 0 };
	struct fmt_spec spec;
	va_list args;

	/* A copy, so helpers can take its address portably (§7.16p3). */
	va_copy(args, ap);
	while (*fmt != '\0') {
		const char *start = fmt;

		if (*fmt != '%') {
			while (*fmt != '\0' && *fmt != '%')
				fmt++;
			fmt_out_write(&out, start, (size_t)(fmt - start));
			continue;
		}
		fmt++;
		fmt_parse_spec(&fmt, &spec, &args);
		if (!fmt_convert(&out, &spec, &args)) {
			fmt_out_write(&out, start,
				      fmt_strnlen(start, SIZE_MAX));
			break;
		}
	}
	va_end(args);
	return fmt_out_finish(&out);
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

char *fmt_ipv4(char buf[static FMT_IPV4_SIZE], uint32_t addr)
{
	fmt_snprintf(buf, FMT_IPV4_SIZE, "%u.%u.%u.%u",
		     (unsigned)(addr >> 24 & 0xff),
		     (unsigned)(addr >> 16 & 0xff),
		     (unsigned)(addr >> 8 & 0xff), (unsigned)(addr & 0xff));
	return buf;
}

char *fmt_mac(char buf[static FMT_MAC_SIZE], const uint8_t mac[static 6])
{
	for (int i = 0; i < 6; i++) {
		buf[3 * i] = fmt_hex_lower[mac[i] >> 4];
		buf[3 * i + 1] = fmt_hex_lower[mac[i] & 0xf];
		buf[3 * i + 2] = i < 5 ? ':' : '\0';
	}
	return buf;
}
