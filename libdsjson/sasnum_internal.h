/*
 * Private: number text for SAS numeric values (doubles), shared by the XPT/SAS
 * reader and writer.  Never installed.  The rules are in docs/xpt.md.
 *
 *   default  the shortest text that reads back as the same double, except
 *            that when the 15-significant-digit form reads back within one
 *            unit in the last place (ULP) of the value, that form is used
 *            (8.549999999999999 -> "8.55", as SAS displays it);
 *   exact    (DSJ_SASNUM_EXACT) always the shortest text that reads back as
 *            exactly the same double.
 *
 * Integral values below 2^53 in magnitude are written as plain integers
 * ("12", "-3"; -0 gives "0").  Never rounds to a fixed number of digits
 * below 15, never loses small values (1e-9 stays "1e-9").  The output is a
 * valid JSON number token; exponents have no leading zeros ("1e-9", "1e+20").
 * No locale dependence (the decimal separator is always '.').
 */
#ifndef DSJ_SASNUM_INTERNAL_H
#define DSJ_SASNUM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

enum { DSJ_SASNUM_BUFSIZE = 40 }; /* enough for any output, NUL included */
enum { DSJ_SASNUM_EXACT = 1 };
/* Default-mode tolerance in ULPs (1 when not given; at most 16), or'ed into flags. */
#define DSJ_SASNUM_ULPS(n) ((unsigned)(n) << 8)

/*
 * Write v into buf (at least DSJ_SASNUM_BUFSIZE bytes [borrowed: caller's]),
 * NUL-terminated.  Returns the length, or -1 when v is NaN or infinite
 * (buf then holds "").  flags: 0 or DSJ_SASNUM_EXACT.
 */
int dsj_sasnum_format(double v, unsigned flags, char *buf);

/*
 * Integer text of an integral v with |v| < 2^63 (every digit, no exponent:
 * 1e20 is not accepted, 1e18 gives "1000000000000000000").  Returns the
 * length, or -1 when v is not integral or out of range.
 */
int dsj_sasnum_format_int(double v, char *buf);

/* 1 when a and b are equal or adjacent doubles (one ULP apart), else 0. */
int dsj_sasnum_within_ulp(double a, double b);
/* 1 when b is reached from a in at most n steps to the next double towards b. */
int dsj_sasnum_within_ulps(double a, double b, unsigned n);

#endif /* DSJ_SASNUM_INTERNAL_H */
