/* Number text for SAS numeric values: see sasnum_internal.h and docs/xpt.md. */
#include "sasnum_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Digits of u (u > 0 or 0) written backwards then reversed; returns length. */
static int put_u64(uint64_t u, int neg, char *buf)
{
    char tmp[24];
    int n = 0, len = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (neg) buf[len++] = '-';
    while (n) buf[len++] = tmp[--n];
    buf[len] = '\0';
    return len;
}

int dsj_sasnum_format_int(double v, char *buf)
{
    buf[0] = '\0';
    if (!isfinite(v) || v != trunc(v)) return -1;
    if (v >= 9223372036854775808.0 || v < -9223372036854775808.0) return -1;
    if (v == 0) return put_u64(0, 0, buf); /* -0 too */
    if (v < 0) {
        /* -2^63 has no positive int64: go through the unsigned magnitude (2^63 fits). */
        return put_u64((uint64_t)(-v), 1, buf);
    }
    return put_u64((uint64_t)v, 0, buf);
}

int dsj_sasnum_within_ulp(double a, double b)
{
    if (a == b) return 1;
    if (!isfinite(a) || !isfinite(b)) return 0;
    return nextafter(a, b) == b;
}

int dsj_sasnum_within_ulps(double a, double b, unsigned n)
{
    unsigned i;
    if (a == b) return 1;
    if (!isfinite(a) || !isfinite(b)) return 0;
    for (i = 0; i < n; i++) {
        a = nextafter(a, b);
        if (a == b) return 1;
    }
    return 0;
}

/* printf's %.Ng with the exponent tidied ("1e-09" -> "1e-9", "1e+020" never happens). */
static int print_g(double v, int digits, char *buf)
{
    int n = snprintf(buf, DSJ_SASNUM_BUFSIZE, "%.*g", digits, v);
    char *e;
    if (n < 0 || n >= DSJ_SASNUM_BUFSIZE) return -1;
    /* Locale: a ',' decimal separator would not be JSON; the library never sets a locale, but be safe. */
    for (e = buf; *e; e++)
        if (*e == ',') *e = '.';
    e = strchr(buf, 'e');
    if (e) {
        char *d = e + 2, *z = d; /* after "e+" / "e-" */
        while (*z == '0' && z[1]) z++;
        if (z != d) {
            memmove(d, z, strlen(z) + 1);
            n = (int)strlen(buf);
        }
    }
    return n;
}

int dsj_sasnum_format(double v, unsigned flags, char *buf)
{
    int n;
    double back;
    buf[0] = '\0';
    if (!isfinite(v)) return -1;
    if (v == trunc(v) && fabs(v) < 9007199254740992.0) return dsj_sasnum_format_int(v, buf);
    n = print_g(v, 15, buf);
    if (n < 0) return -1;
    back = strtod(buf, NULL);
    if (back == v) return n; /* a form of 15 digits or fewer is always the shortest exact one */
    if (!(flags & DSJ_SASNUM_EXACT)) {
        unsigned ulps = flags >> 8;
        if (ulps == 0) ulps = 1;
        if (ulps > 16) ulps = 16;
        if (dsj_sasnum_within_ulps(back, v, ulps)) return n;
    }
    n = print_g(v, 16, buf);
    if (n < 0) return -1;
    if (strtod(buf, NULL) == v) return n;
    return print_g(v, 17, buf); /* 17 significant digits always read back exactly */
}
