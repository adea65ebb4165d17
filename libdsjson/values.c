/*
 * Value grammars (ISO 8601 date/time, decimal strings, int64 tokens, UTF-8)
 * and the cell helpers.  Strict, exact, no allocation.
 *
 * Decisions (documented in docs/rules.md, "Value grammars"):
 *  - Dates, times and datetimes use the ISO 8601 *extended* format only
 *    (2014-01-02, 10:30:00); the basic format (20140102, 103000) is not
 *    accepted.  Reduced precision is accepted when allow_partial is set:
 *    YYYY, YYYY-MM, YYYY-MM-DD[Thh[:mm[:ss[.f+]]]][Z|+hh:mm|+hh].  A partial
 *    date cannot carry a time ("2014-01T10" is invalid), and only a complete
 *    hh:mm:ss can carry a fraction.  The fraction separator is '.', as in the
 *    Dataset-JSON metadata pattern.
 *  - Years 0000-9999, proleptic Gregorian leap years; 2023-02-29 is invalid.
 *  - Hours 00-23: "24:00" (end of day in ISO 8601:2004, removed in 2019) is
 *    rejected, as the Dataset-JSON metadata pattern does; seconds 00-59 (no
 *    leap second 60).  UTC offsets: Z, +hh:mm, -hh:mm, +hh (hours 00-23,
 *    minutes 00-59).
 *  - Decimal strings: optional '-', one or more digits, optionally '.' and
 *    one or more digits.  No '+', no exponent, no ".5" or "5.", no thousands
 *    separator, no spaces.  Leading zeros are accepted ("007.5").
 */
#include "validate_internal.h"

#include <errno.h>
#include <locale.h>
#include <stdlib.h>

/* ---------------------------------------------------------------- cells */

int dsj_cell_is_missing(const dsj_cell_t *c)
{
    if (!c) return 1;
    return c->kind == DSJ_CELL_NULL || (c->kind == DSJ_CELL_STRING && c->len == 0);
}

/*
 * Exact integral value of a JSON number token (with fraction and/or
 * exponent).  Returns DSJ_OK, DSJ_E_TYPE (not a number or not integral) or
 * DSJ_E_RANGE (integral but outside int64).
 */
static dsj_status_t number_to_int64(const char *s, size_t n, int64_t *out)
{
    size_t i = 0, intstart, intend, fracstart = 0, fracend = 0;
    int neg = 0;
    long long exp = 0;
    int expneg = 0;
    uint64_t acc = 0;
    uint64_t limit;
    long long pos, firstdigit, lastnz, ndig;
    /* digits of the significand as one sequence d[0..ndig) with the decimal
       point after position pointpos */
    long long pointpos;

    if (i < n && s[i] == '-') { neg = 1; i++; }
    intstart = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    intend = i;
    if (intend == intstart) return DSJ_E_TYPE;
    if (i < n && s[i] == '.') {
        i++;
        fracstart = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        fracend = i;
        if (fracend == fracstart) return DSJ_E_TYPE;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t e0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) { expneg = s[i] == '-'; i++; }
        e0 = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (exp < 100000000LL) exp = exp * 10 + (s[i] - '0');
            i++;
        }
        if (i == e0) return DSJ_E_TYPE;
        if (expneg) exp = -exp;
    }
    if (i != n) return DSJ_E_TYPE;

    /* Virtual digit sequence: integer digits then fraction digits. */
    ndig = (long long)(intend - intstart) + (long long)(fracend - fracstart);
#define DIGIT(k) ((k) < (long long)(intend - intstart) ? s[intstart + (size_t)(k)] \
                  : s[fracstart + (size_t)((k) - (long long)(intend - intstart))])
    pointpos = (long long)(intend - intstart) + exp; /* digits before the point */
    firstdigit = -1;
    lastnz = -1;
    for (pos = 0; pos < ndig; pos++) {
        if (DIGIT(pos) != '0') {
            if (firstdigit < 0) firstdigit = pos;
            lastnz = pos;
        }
    }
    if (firstdigit < 0) { *out = 0; return DSJ_OK; } /* zero, any form */
    if (lastnz >= pointpos) return DSJ_E_TYPE;     /* a non-zero digit after the point */
    if (pointpos - firstdigit > 19) return DSJ_E_RANGE;
    limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    for (pos = firstdigit; pos < pointpos; pos++) {
        unsigned d = pos < ndig ? (unsigned)(DIGIT(pos) - '0') : 0u;
        if (acc > (limit - d) / 10u) return DSJ_E_RANGE;
        acc = acc * 10u + d;
    }
#undef DIGIT
    if (neg) *out = acc == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)acc;
    else *out = (int64_t)acc;
    return DSJ_OK;
}

dsj_status_t dsj_cell_to_int64(const dsj_cell_t *c, int64_t *out)
{
    int64_t v;
    dsj_status_t st;
    if (!c || !out) return DSJ_E_ARG;
    if (c->kind == DSJ_CELL_INTEGER) {
        if (dsj_int64_parse(c->text, c->len, &v)) { *out = v; return DSJ_OK; }
        /* a well-formed integer token that does not fit */
        st = number_to_int64(c->text, c->len, &v);
        return st == DSJ_OK ? (*out = v, DSJ_OK) : st;
    }
    if (c->kind != DSJ_CELL_NUMBER || !c->text) return DSJ_E_TYPE;
    st = number_to_int64(c->text, c->len, &v);
    if (st == DSJ_OK) *out = v;
    return st;
}

/* strtod on a number text whatever LC_NUMERIC says. */
static int parse_double(const char *s, size_t n, double *out)
{
    char buf[128];
    char *end;
    const char *point = localeconv()->decimal_point;
    size_t i;
    double d;
    if (n == 0 || n >= sizeof buf) {
        /* Very long texts: only digits matter for a double; fall back to a heap copy. */
        char *copy;
        int ok;
        if (n == 0) return 0;
        copy = dsj_strndup(s, n);
        if (!copy) return 0;
        if (point && point[0] && !(point[0] == '.' && point[1] == '\0') && strlen(point) == 1)
            for (i = 0; i < n; i++) if (copy[i] == '.') copy[i] = point[0];
        errno = 0;
        d = strtod(copy, &end);
        ok = end == copy + n;
        dsj_free(copy);
        if (!ok) return 0;
        *out = d;
        return 1;
    }
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (point && point[0] && !(point[0] == '.' && point[1] == '\0') && strlen(point) == 1)
        for (i = 0; i < n; i++) if (buf[i] == '.') buf[i] = point[0];
    d = strtod(buf, &end);
    if (end != buf + n) return 0;
    *out = d;
    return 1;
}

dsj_status_t dsj_cell_to_double(const dsj_cell_t *c, double *out)
{
    if (!c || !out) return DSJ_E_ARG;
    if (c->kind == DSJ_CELL_INTEGER || c->kind == DSJ_CELL_NUMBER ||
        (c->kind == DSJ_CELL_STRING && dsj_decimal_valid(c->text, c->len)))
        return parse_double(c->text, c->len, out) ? DSJ_OK : DSJ_E_TYPE;
    return DSJ_E_TYPE;
}

/* ---------------------------------------------------------------- ISO 8601 */

static int digits(const char *s, size_t n, size_t at, size_t count, int *val)
{
    size_t i;
    int v = 0;
    if (at + count > n) return 0;
    for (i = 0; i < count; i++) {
        char c = s[at + i];
        if (c < '0' || c > '9') return 0;
        v = v * 10 + (c - '0');
    }
    *val = v;
    return 1;
}

static int is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

/* Parsed pieces of a date/time value. */
typedef struct iso_parts {
    int year, month, day;       /* month/day 0 when absent */
    int hour, minute, second;   /* -1 when absent */
    size_t frac_at, frac_len;   /* fraction digits (after '.') */
    int has_tz;
    int tz_minutes;             /* offset east of UTC */
} iso_parts_t;

/*
 * Date at s[*i..n): YYYY[-MM[-DD]].  precision: number of components read
 * (1..3).  Returns 1 on success (calendar-checked).
 */
static int parse_date(const char *s, size_t n, size_t *i, iso_parts_t *p, int *precision)
{
    size_t k = *i;
    int v;
    if (!digits(s, n, k, 4, &p->year)) return 0;
    k += 4;
    *precision = 1;
    p->month = p->day = 0;
    if (k < n && s[k] == '-') {
        if (!digits(s, n, k + 1, 2, &v) || v < 1 || v > 12) return 0;
        p->month = v;
        k += 3;
        *precision = 2;
        if (k < n && s[k] == '-') {
            if (!digits(s, n, k + 1, 2, &v) || v < 1 || v > days_in_month(p->year, p->month)) return 0;
            p->day = v;
            k += 3;
            *precision = 3;
        }
    }
    *i = k;
    return 1;
}

/* UTC offset at s[*i..n): Z | (+|-)hh[:mm].  Returns 1 and advances, or 0 when malformed. */
static int parse_tz(const char *s, size_t n, size_t *i, iso_parts_t *p, int allow_hours_only)
{
    size_t k = *i;
    int h, m = 0, sign;
    if (s[k] == 'Z') {
        p->has_tz = 1;
        p->tz_minutes = 0;
        *i = k + 1;
        return 1;
    }
    if (s[k] != '+' && s[k] != '-') return 0;
    sign = s[k] == '-' ? -1 : 1;
    if (!digits(s, n, k + 1, 2, &h) || h > 23) return 0;
    k += 3;
    if (k < n && s[k] == ':') {
        if (!digits(s, n, k + 1, 2, &m) || m > 59) return 0;
        k += 3;
    } else if (!allow_hours_only) {
        return 0;
    }
    p->has_tz = 1;
    p->tz_minutes = sign * (h * 60 + m);
    *i = k;
    return 1;
}

/*
 * Time at s[*i..n): hh[:mm[:ss[.f+]]][tz].  need_full: hh:mm:ss required.
 * Returns 1 when the rest of the text is consumed.
 */
static int parse_time(const char *s, size_t n, size_t *i, iso_parts_t *p, int need_full, int hours_only_tz)
{
    size_t k = *i;
    int v;
    p->minute = p->second = -1;
    p->frac_at = p->frac_len = 0;
    if (!digits(s, n, k, 2, &v) || v > 23) return 0;
    p->hour = v;
    k += 2;
    if (k < n && s[k] == ':') {
        if (!digits(s, n, k + 1, 2, &v) || v > 59) return 0;
        p->minute = v;
        k += 3;
        if (k < n && s[k] == ':') {
            if (!digits(s, n, k + 1, 2, &v) || v > 59) return 0;
            p->second = v;
            k += 3;
            if (k < n && s[k] == '.') {
                size_t f = ++k;
                while (k < n && s[k] >= '0' && s[k] <= '9') k++;
                if (k == f) return 0;
                p->frac_at = f;
                p->frac_len = k - f;
            }
        }
    }
    if (need_full && p->second < 0) return 0;
    if (k < n && !parse_tz(s, n, &k, p, hours_only_tz)) return 0;
    if (k != n) return 0;
    *i = k;
    return 1;
}

int dsj_iso8601_date(const char *s, size_t n, int allow_partial)
{
    iso_parts_t p;
    size_t i = 0;
    int prec;
    if (!s) return 0;
    memset(&p, 0, sizeof p);
    if (!parse_date(s, n, &i, &p, &prec) || i != n) return 0;
    return prec == 3 || allow_partial;
}

int dsj_iso8601_time(const char *s, size_t n, int allow_partial)
{
    iso_parts_t p;
    size_t i = 0;
    if (!s) return 0;
    memset(&p, 0, sizeof p);
    return parse_time(s, n, &i, &p, !allow_partial, 1);
}

static int parse_datetime(const char *s, size_t n, iso_parts_t *p, int allow_partial, int strict_meta)
{
    size_t i = 0;
    int prec;
    memset(p, 0, sizeof *p);
    p->hour = p->minute = p->second = -1;
    if (!parse_date(s, n, &i, p, &prec)) return 0;
    if (i == n) return allow_partial; /* date only (any precision) */
    if (prec != 3 || s[i] != 'T') return 0;
    i++;
    return parse_time(s, n, &i, p, !allow_partial, !strict_meta);
}

int dsj_iso8601_datetime(const char *s, size_t n, int allow_partial)
{
    iso_parts_t p;
    if (!s) return 0;
    return parse_datetime(s, n, &p, allow_partial, 0);
}

int dsj_iso8601_metadata_datetime(const char *s, size_t n)
{
    iso_parts_t p;
    if (!s) return 0;
    return parse_datetime(s, n, &p, 0, 1);
}

/* Days since 1970-01-01 of a proleptic Gregorian civil date (shared with convert.c). */
int64_t dsj_days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/*
 * Compare two metadata datetimes (both must pass
 * dsj_iso8601_metadata_datetime).  Returns -1/0/1 in *cmp and sets
 * *mixed when exactly one has a UTC offset (then both are compared as local
 * times).  Returns 0 when either is not a valid metadata datetime.
 * Private helper for the validator (declared in validate_internal.h).
 */

int dsj_metadata_datetime_compare(const char *a, size_t an, const char *b, size_t bn, int *cmp, int *mixed)
{
    iso_parts_t pa, pb;
    int64_t sa, sb;
    size_t k, fl;
    if (!parse_datetime(a, an, &pa, 0, 1) || !parse_datetime(b, bn, &pb, 0, 1)) return 0;
    sa = (dsj_days_from_civil(pa.year, pa.month, pa.day) * 24 + pa.hour) * 3600 + pa.minute * 60 + pa.second;
    sb = (dsj_days_from_civil(pb.year, pb.month, pb.day) * 24 + pb.hour) * 3600 + pb.minute * 60 + pb.second;
    *mixed = pa.has_tz != pb.has_tz;
    if (pa.has_tz && pb.has_tz) {
        sa -= (int64_t)pa.tz_minutes * 60;
        sb -= (int64_t)pb.tz_minutes * 60;
    }
    if (sa != sb) { *cmp = sa < sb ? -1 : 1; return 1; }
    fl = pa.frac_len > pb.frac_len ? pa.frac_len : pb.frac_len;
    for (k = 0; k < fl; k++) {
        char ca = k < pa.frac_len ? a[pa.frac_at + k] : '0';
        char cb = k < pb.frac_len ? b[pb.frac_at + k] : '0';
        if (ca != cb) { *cmp = ca < cb ? -1 : 1; return 1; }
    }
    *cmp = 0;
    return 1;
}

/* ---------------------------------------------------------------- numbers */

int dsj_decimal_valid(const char *s, size_t n)
{
    size_t i = 0, d0;
    if (!s) return 0;
    if (i < n && s[i] == '-') i++;
    d0 = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    if (i == d0) return 0;
    if (i < n && s[i] == '.') {
        size_t f0 = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        if (i == f0) return 0;
    }
    return i == n;
}

int dsj_int64_parse(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    uint64_t acc = 0, limit;
    if (!s || n == 0) return 0;
    if (s[0] == '-') { neg = 1; i = 1; }
    if (i >= n) return 0;
    if (s[i] == '0' && i + 1 != n) return 0; /* JSON: no leading zeros */
    limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        unsigned d;
        if (s[i] < '0' || s[i] > '9') return 0;
        d = (unsigned)(s[i] - '0');
        if (acc > (limit - d) / 10u) return 0;
        acc = acc * 10u + d;
    }
    if (out) {
        if (neg) *out = acc == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)acc;
        else *out = (int64_t)acc;
    }
    return 1;
}

/* ---------------------------------------------------------------- UTF-8 */

/* Length of the valid UTF-8 sequence at s[i..n), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t i)
{
    unsigned c = s[i];
    size_t len, k;
    unsigned cp, min;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; min = 0x10000; }
    else return 0;
    if (i + len > n) return 0;
    for (k = 1; k < len; k++) {
        unsigned cc = s[i + k];
        if ((cc & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

size_t dsj_utf8_check(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    if (!s) return 0;
    while (i < n) {
        size_t k;
        if (u[i] < 0x80) { i++; continue; }
        k = utf8_seq(u, n, i);
        if (!k) return i;
        i += k;
    }
    return n;
}

size_t dsj_utf8_length(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, count = 0;
    if (!s) return n ? (size_t)-1 : 0;
    while (i < n) {
        size_t k;
        if (u[i] < 0x80) { i++; count++; continue; }
        k = utf8_seq(u, n, i);
        if (!k) return (size_t)-1;
        i += k;
        count++;
    }
    return count;
}
