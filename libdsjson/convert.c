/*
 * Dataset-JSON 1.0 <-> 1.1 conversion (metadata and cell values) and exact
 * arithmetic on JSON number texts.  docs/conversion.md describes every
 * mapping and every loss; keep the two in step.
 *
 * No value ever goes through a double: numbers are handled as digit strings,
 * SAS dates with exact int64 calendar arithmetic (proleptic Gregorian).
 */
#include "convert_internal.h"

#include <json-c/json.h>
#include <stdio.h>

dsj_status_t dsj_err(dsj_error_t *err, dsj_status_t code, const char *fmt, ...)
{
    va_list ap;
    if (!err) return code;
    dsj_error_clear(err);
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
    return code;
}

/* ================================================================
 * JSON number texts
 * ============================================================== */

#define EXP_CLAMP ((int64_t)1000000000000000LL) /* |exponent| saturates here */

typedef struct numtext {
    int neg;
    const char *ip; size_t ilen; /* integer digits */
    const char *fp; size_t flen; /* fraction digits */
    int64_t exp;                 /* explicit exponent (saturated) */
    int has_exp;
} numtext_t;

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int num_parse(const char *s, size_t n, numtext_t *t)
{
    size_t i = 0;
    memset(t, 0, sizeof *t);
    if (!s) return 0;
    if (i < n && s[i] == '-') { t->neg = 1; i++; }
    if (i >= n || !is_digit(s[i])) return 0;
    t->ip = s + i;
    if (s[i] == '0') i++;
    else while (i < n && is_digit(s[i])) i++;
    t->ilen = (size_t)(s + i - t->ip);
    if (i < n && s[i] == '.') {
        i++;
        t->fp = s + i;
        while (i < n && is_digit(s[i])) i++;
        t->flen = (size_t)(s + i - t->fp);
        if (!t->flen) return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0;
        int64_t e = 0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) { eneg = s[i] == '-'; i++; }
        if (i >= n || !is_digit(s[i])) return 0;
        while (i < n && is_digit(s[i])) {
            if (e < EXP_CLAMP) e = e * 10 + (s[i] - '0');
            i++;
        }
        if (e > EXP_CLAMP) e = EXP_CLAMP;
        t->exp = eneg ? -e : e;
        t->has_exp = 1;
    }
    return i == n;
}

int dsj_json_number_valid(const char *s, size_t n)
{
    size_t i = 0, k;
    if (!s || !n) return 0;
    if (s[0] == '-') i++;
    if (i >= n) return 0;
    if (s[i] == '0') i++;
    else if (s[i] >= '1' && s[i] <= '9') { i++; while (i < n && is_digit(s[i])) i++; }
    else return 0;
    if (i == n) return 1;
    if (s[i] == '.') {
        k = ++i;
        while (i < n && is_digit(s[i])) i++;
        if (i == k) return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        k = i;
        while (i < n && is_digit(s[i])) i++;
        if (i == k) return 0;
    }
    return i == n;
}

static char num_digit(const numtext_t *t, size_t k)
{
    return k < t->ilen ? t->ip[k] : t->fp[k - t->ilen];
}

/* Significant digits [*first, *last] of the virtual digit string and the
 * decimal exponent E with value = 0.d_first... x 10^E.  Returns 0 for zero. */
static int num_norm(const numtext_t *t, size_t *first, size_t *last, int64_t *E)
{
    size_t total = t->ilen + t->flen, z = 0, l;
    while (z < total && num_digit(t, z) == '0') z++;
    if (z == total) return 0;
    l = total - 1;
    while (num_digit(t, l) == '0') l--;
    *first = z;
    *last = l;
    *E = (int64_t)t->ilen - (int64_t)z + t->exp;
    return 1;
}

static int mag_compare(const numtext_t *a, const numtext_t *b)
{
    size_t fa, la, fb, lb, i;
    int64_t ea, eb;
    num_norm(a, &fa, &la, &ea);
    num_norm(b, &fb, &lb, &eb);
    if (ea != eb) return ea < eb ? -1 : 1;
    for (i = 0;; i++) {
        int enda = fa + i > la, endb = fb + i > lb;
        char da, db;
        if (enda && endb) return 0;
        da = enda ? '0' : num_digit(a, fa + i);
        db = endb ? '0' : num_digit(b, fb + i);
        if (da != db) return da < db ? -1 : 1;
    }
}

int dsj_number_text_compare(const char *a, size_t alen, const char *b, size_t blen)
{
    numtext_t x, y;
    size_t f, l;
    int64_t e;
    int sx, sy, c;
    if (!num_parse(a, alen, &x) || !num_parse(b, blen, &y)) {
        /* Not both numbers: fall back to a byte comparison (never equal to a number). */
        size_t m = alen < blen ? alen : blen;
        c = m ? memcmp(a, b, m) : 0;
        if (c) return c < 0 ? -1 : 1;
        return alen == blen ? 0 : (alen < blen ? -1 : 1);
    }
    sx = num_norm(&x, &f, &l, &e) ? (x.neg ? -1 : 1) : 0;
    sy = num_norm(&y, &f, &l, &e) ? (y.neg ? -1 : 1) : 0;
    if (sx != sy) return sx < sy ? -1 : 1;
    if (sx == 0) return 0;
    c = mag_compare(&x, &y);
    return sx > 0 ? c : -c;
}

int dsj_number_text_int64(const char *s, size_t n, int64_t *out)
{
    numtext_t t;
    size_t f, l, k;
    int64_t E, nsig;
    uint64_t v = 0, lim;
    if (!num_parse(s, n, &t)) return 0;
    if (!num_norm(&t, &f, &l, &E)) { *out = 0; return 1; }
    nsig = (int64_t)(l - f + 1);
    if (E < nsig || E > 19) return 0; /* fraction left, or too big */
    lim = t.neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    for (k = 0; k < (size_t)E; k++) {
        unsigned d = (f + k <= l) ? (unsigned)(num_digit(&t, f + k) - '0') : 0u;
        if (v > (lim - d) / 10) return 0;
        v = v * 10 + d;
    }
    if (t.neg) *out = v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v;
    else *out = (int64_t)v;
    return 1;
}

/* JSON number text -> plain decimal text (no exponent), exactly.
 * 1 ok, 0 not a number or the expansion would be absurdly long, -1 nomem. */
static int number_to_decimal(const char *s, size_t n, dsj_buf_t *b)
{
    numtext_t t;
    size_t f, l, k, nsig;
    int64_t E;
    if (!num_parse(s, n, &t)) return 0;
    if (!t.has_exp) return dsj_buf_append(b, s, n) ? -1 : 1;
    if (!num_norm(&t, &f, &l, &E)) return dsj_buf_putc(b, '0') ? -1 : 1;
    if (E > 1000 || E < -1000) return 0;
    nsig = l - f + 1;
    if (t.neg && dsj_buf_putc(b, '-')) return -1;
    if (E <= 0) {
        if (dsj_buf_append(b, "0.", 2)) return -1;
        for (k = 0; k < (size_t)(-E); k++) if (dsj_buf_putc(b, '0')) return -1;
        for (k = f; k <= l; k++) if (dsj_buf_putc(b, num_digit(&t, k))) return -1;
    } else if ((size_t)E < nsig) {
        for (k = 0; k < nsig; k++) {
            if (k == (size_t)E && dsj_buf_putc(b, '.')) return -1;
            if (dsj_buf_putc(b, num_digit(&t, f + k))) return -1;
        }
    } else {
        for (k = f; k <= l; k++) if (dsj_buf_putc(b, num_digit(&t, k))) return -1;
        for (k = nsig; k < (size_t)E; k++) if (dsj_buf_putc(b, '0')) return -1;
    }
    return 1;
}

/* Decimal string ("-12.50", "+3", "1,234.5", "5.", ".5") -> JSON number text.
 * Sets *is_int when the result has no fraction.  1 ok, 0 not a decimal, -1 nomem. */
static int decimal_to_number(const char *s, size_t n, dsj_buf_t *b, int *is_int)
{
    size_t i = 0, ibeg, iend, fbeg = 0, fend = 0, digits = 0, group = 0;
    int neg = 0, commas = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) { neg = s[i] == '-'; i++; }
    ibeg = i;
    while (i < n && (is_digit(s[i]) || s[i] == ',')) {
        if (s[i] == ',') {
            /* thousands separator: first group 1-3 digits, later groups exactly 3 */
            if ((!commas && (group == 0 || group > 3)) || (commas && group != 3)) return 0;
            commas = 1;
            group = 0;
        } else {
            group++;
            digits++;
        }
        i++;
    }
    if (commas && group != 3) return 0;
    iend = i;
    if (i < n && s[i] == '.') {
        i++;
        fbeg = i;
        while (i < n && is_digit(s[i])) i++;
        fend = i;
        digits += fend - fbeg;
    }
    if (i != n || digits == 0) return 0;
    if (neg && dsj_buf_putc(b, '-')) return -1;
    /* integer part without commas and leading zeros */
    {
        size_t k, start = b->len;
        int seen = 0;
        for (k = ibeg; k < iend; k++) {
            if (s[k] == ',' || (s[k] == '0' && !seen)) continue;
            seen = 1;
            if (dsj_buf_putc(b, s[k])) return -1;
        }
        if (b->len == start && dsj_buf_putc(b, '0')) return -1;
    }
    if (fend > fbeg) {
        if (dsj_buf_putc(b, '.') || dsj_buf_append(b, s + fbeg, fend - fbeg)) return -1;
    }
    *is_int = fend == fbeg;
    return 1;
}

/* ================================================================
 * SAS dates (days since 1960-01-01), datetimes, times
 * ============================================================== */

#define SAS_EPOCH_UNIX_DAYS 3653 /* days from 1960-01-01 to 1970-01-01 */
#define UNIX_DAY_MIN (-719528)   /* 0000-01-01 */
#define UNIX_DAY_MAX 2932896     /* 9999-12-31 */

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : dm[m - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
    return q;
}

int dsj_sas_date_to_iso(int64_t days, char *buf)
{
    int64_t y;
    int m, d;
    if (days < (int64_t)UNIX_DAY_MIN + SAS_EPOCH_UNIX_DAYS || days > (int64_t)UNIX_DAY_MAX + SAS_EPOCH_UNIX_DAYS)
        return -1;
    civil_from_days(days - SAS_EPOCH_UNIX_DAYS, &y, &m, &d);
    return snprintf(buf, 20, "%04d-%02d-%02d", (int)y, m, d);
}

int dsj_sas_time_to_iso(int64_t s, char *buf)
{
    if (s < 0 || s >= 86400) return -1;
    return snprintf(buf, 20, "%02d:%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
}

int dsj_sas_datetime_to_iso(int64_t s, char *buf)
{
    int64_t days = floor_div(s, 86400), rem = s - days * 86400;
    int n = dsj_sas_date_to_iso(days, buf);
    if (n < 0) return -1;
    buf[n] = 'T';
    return n + 1 + dsj_sas_time_to_iso(rem, buf + n + 1);
}

static int dig2(const char *s, int *v)
{
    if (!is_digit(s[0]) || !is_digit(s[1])) return 0;
    *v = (s[0] - '0') * 10 + (s[1] - '0');
    return 1;
}

int dsj_iso_to_sas_date(const char *s, size_t n, int64_t *out)
{
    int yh, yl, m, d;
    int64_t y;
    if (n != 10 || s[4] != '-' || s[7] != '-') return 0;
    if (!dig2(s, &yh) || !dig2(s + 2, &yl) || !dig2(s + 5, &m) || !dig2(s + 8, &d)) return 0;
    y = yh * 100 + yl;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return 0;
    *out = dsj_days_from_civil(y, m, d) + SAS_EPOCH_UNIX_DAYS;
    return 1;
}

int dsj_iso_to_sas_time(const char *s, size_t n, int64_t *out)
{
    int h, mi, se = 0;
    if (n != 5 && n != 8) return 0;
    if (!dig2(s, &h) || s[2] != ':' || !dig2(s + 3, &mi)) return 0;
    if (n == 8 && (s[5] != ':' || !dig2(s + 6, &se))) return 0;
    if (h > 23 || mi > 59 || se > 59) return 0;
    *out = (int64_t)h * 3600 + mi * 60 + se;
    return 1;
}

int dsj_iso_to_sas_datetime(const char *s, size_t n, int64_t *out)
{
    int64_t d, t;
    if (n < 16 || s[10] != 'T') return 0;
    if (!dsj_iso_to_sas_date(s, 10, &d) || !dsj_iso_to_sas_time(s + 11, n - 11, &t)) return 0;
    *out = d * 86400 + t;
    return 1;
}

/* SAS formats whose values are dates, datetimes or times.  Matched on the
 * format name without width/decimals ("DATE9." -> "DATE"), case-insensitive. */
static const struct { const char *name; dsj_datatype_t kind; } sas_formats[] = {
    {"DATE", DSJ_TYPE_DATE}, {"E8601DA", DSJ_TYPE_DATE}, {"B8601DA", DSJ_TYPE_DATE}, {"IS8601DA", DSJ_TYPE_DATE},
    {"YYMMDD", DSJ_TYPE_DATE}, {"YYMMDDB", DSJ_TYPE_DATE}, {"YYMMDDC", DSJ_TYPE_DATE}, {"YYMMDDD", DSJ_TYPE_DATE},
    {"YYMMDDN", DSJ_TYPE_DATE}, {"YYMMDDP", DSJ_TYPE_DATE}, {"YYMMDDS", DSJ_TYPE_DATE},
    {"MMDDYY", DSJ_TYPE_DATE}, {"MMDDYYB", DSJ_TYPE_DATE}, {"MMDDYYC", DSJ_TYPE_DATE}, {"MMDDYYD", DSJ_TYPE_DATE},
    {"MMDDYYN", DSJ_TYPE_DATE}, {"MMDDYYP", DSJ_TYPE_DATE}, {"MMDDYYS", DSJ_TYPE_DATE},
    {"DDMMYY", DSJ_TYPE_DATE}, {"DDMMYYB", DSJ_TYPE_DATE}, {"DDMMYYC", DSJ_TYPE_DATE}, {"DDMMYYD", DSJ_TYPE_DATE},
    {"DDMMYYN", DSJ_TYPE_DATE}, {"DDMMYYP", DSJ_TYPE_DATE}, {"DDMMYYS", DSJ_TYPE_DATE},
    {"MONYY", DSJ_TYPE_DATE}, {"YYMON", DSJ_TYPE_DATE}, {"MMYY", DSJ_TYPE_DATE}, {"YYMM", DSJ_TYPE_DATE},
    {"YYQ", DSJ_TYPE_DATE}, {"YEAR", DSJ_TYPE_DATE}, {"JULIAN", DSJ_TYPE_DATE}, {"WORDDATE", DSJ_TYPE_DATE},
    {"WORDDATX", DSJ_TYPE_DATE}, {"WEEKDATE", DSJ_TYPE_DATE}, {"WEEKDATX", DSJ_TYPE_DATE},
    {"DOWNAME", DSJ_TYPE_DATE}, {"NLDATE", DSJ_TYPE_DATE}, {"EURDFDD", DSJ_TYPE_DATE},
    {"DATETIME", DSJ_TYPE_DATETIME}, {"E8601DT", DSJ_TYPE_DATETIME}, {"B8601DT", DSJ_TYPE_DATETIME},
    {"IS8601DT", DSJ_TYPE_DATETIME}, {"E8601DZ", DSJ_TYPE_DATETIME}, {"B8601DZ", DSJ_TYPE_DATETIME},
    {"IS8601DZ", DSJ_TYPE_DATETIME}, {"DATEAMPM", DSJ_TYPE_DATETIME}, {"MDYAMPM", DSJ_TYPE_DATETIME},
    {"NLDATM", DSJ_TYPE_DATETIME}, {"DTDATE", DSJ_TYPE_DATETIME}, {"DTMONYY", DSJ_TYPE_DATETIME},
    {"DTYEAR", DSJ_TYPE_DATETIME}, {"DTWKDATX", DSJ_TYPE_DATETIME}, {"DTYYQC", DSJ_TYPE_DATETIME},
    {"TIME", DSJ_TYPE_TIME}, {"TOD", DSJ_TYPE_TIME}, {"E8601TM", DSJ_TYPE_TIME}, {"B8601TM", DSJ_TYPE_TIME},
    {"IS8601TM", DSJ_TYPE_TIME}, {"E8601TZ", DSJ_TYPE_TIME}, {"HHMM", DSJ_TYPE_TIME}, {"HOUR", DSJ_TYPE_TIME},
    {"MMSS", DSJ_TYPE_TIME}, {"TIMEAMPM", DSJ_TYPE_TIME}, {"NLTIME", DSJ_TYPE_TIME},
};

dsj_datatype_t dsj_sas_format_kind(const char *fmt)
{
    char name[32];
    size_t n, last = 0, i;
    if (!fmt) return DSJ_TYPE_NONE;
    n = strlen(fmt);
    /* the name ends at the last letter: "E8601DT19.3" -> "E8601DT" */
    for (i = 0; i < n; i++) {
        char c = fmt[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) last = i + 1;
        else if (!is_digit(c) && c != '.') return DSJ_TYPE_NONE; /* "$CHAR10." and such */
    }
    if (!last || last >= sizeof name) return DSJ_TYPE_NONE;
    for (i = 0; i < last; i++) {
        char c = fmt[i];
        name[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    name[last] = '\0';
    for (i = last; i < n; i++) /* after the name only width[.decimals] */
        if (!is_digit(fmt[i]) && fmt[i] != '.') return DSJ_TYPE_NONE;
    for (i = 0; i < sizeof sas_formats / sizeof sas_formats[0]; i++)
        if (strcmp(name, sas_formats[i].name) == 0) return sas_formats[i].kind;
    return DSJ_TYPE_NONE;
}

/* ================================================================
 * Cells
 * ============================================================== */

static int is_number_kind(const dsj_cell_t *c) { return c->kind == DSJ_CELL_INTEGER || c->kind == DSJ_CELL_NUMBER; }

int dsj_convert_cell(dsj_conv_op_t op, const dsj_cell_t *in, dsj_cell_t *out, dsj_buf_t *scratch)
{
    char tmp[40];
    int64_t v;
    int n, r, is_int;
    *out = *in;
    if (op == DSJ_CONV_COPY || op == DSJ_CONV_DROP || in->kind == DSJ_CELL_NULL) return 1;
    dsj_buf_reset(scratch);
    switch (op) {
    case DSJ_CONV_NUM_TO_DECSTR:
        if (in->kind == DSJ_CELL_STRING) return 1;
        if (!is_number_kind(in)) return 0;
        r = number_to_decimal(in->text, in->len, scratch);
        if (r <= 0) return r;
        out->kind = DSJ_CELL_STRING;
        out->text = scratch->data;
        out->len = scratch->len;
        return 1;
    case DSJ_CONV_SAS_TO_DATE:
    case DSJ_CONV_SAS_TO_DATETIME:
    case DSJ_CONV_SAS_TO_TIME:
        if (in->kind == DSJ_CELL_STRING && in->len == 0) return 1; /* "" missing stays */
        if (!is_number_kind(in) || !dsj_number_text_int64(in->text, in->len, &v)) return 0;
        n = op == DSJ_CONV_SAS_TO_DATE ? dsj_sas_date_to_iso(v, tmp)
          : op == DSJ_CONV_SAS_TO_DATETIME ? dsj_sas_datetime_to_iso(v, tmp) : dsj_sas_time_to_iso(v, tmp);
        if (n < 0) return 0;
        if (dsj_buf_append(scratch, tmp, (size_t)n)) return -1;
        out->kind = DSJ_CELL_STRING;
        out->text = scratch->data;
        out->len = scratch->len;
        return 1;
    case DSJ_CONV_DECSTR_TO_NUM:
        if (is_number_kind(in)) return 1;
        if (in->kind != DSJ_CELL_STRING) return 0;
        if (in->len == 0) goto make_null;
        r = decimal_to_number(in->text, in->len, scratch, &is_int);
        if (r <= 0) return r;
        out->kind = is_int ? DSJ_CELL_INTEGER : DSJ_CELL_NUMBER;
        out->text = scratch->data;
        out->len = scratch->len;
        return 1;
    case DSJ_CONV_DATE_TO_SAS:
    case DSJ_CONV_DATETIME_TO_SAS:
    case DSJ_CONV_TIME_TO_SAS:
        if (is_number_kind(in)) return 1;
        if (in->kind != DSJ_CELL_STRING) return 0;
        if (in->len == 0) goto make_null;
        if (!(op == DSJ_CONV_DATE_TO_SAS ? dsj_iso_to_sas_date(in->text, in->len, &v)
              : op == DSJ_CONV_DATETIME_TO_SAS ? dsj_iso_to_sas_datetime(in->text, in->len, &v)
              : dsj_iso_to_sas_time(in->text, in->len, &v)))
            return 0;
        n = snprintf(tmp, sizeof tmp, "%lld", (long long)v);
        if (dsj_buf_append(scratch, tmp, (size_t)n)) return -1;
        out->kind = DSJ_CELL_INTEGER;
        out->text = scratch->data;
        out->len = scratch->len;
        return 1;
    default:
        return 1;
    }
make_null:
    out->kind = DSJ_CELL_NULL;
    out->text = NULL;
    out->len = 0;
    return 1;
}

/* ================================================================
 * Metadata
 * ============================================================== */

#define RULE_LOSS "DSJ-CONVERT-LOSS"
#define RULE_TYPE "DSJ-CONVERT-TYPE"
#define RULE_DATETIME "DSJ-CONVERT-DATETIME"

void dsj_conv_plan_free(dsj_conv_plan_t *p)
{
    size_t i;
    if (!p) return;
    if (p->col_names)
        for (i = 0; i < p->in_ncols; i++) dsj_free(p->col_names[i]);
    dsj_free(p->col_names);
    dsj_free(p->ops);
    dsj_free(p->warned);
    memset(p, 0, sizeof *p);
}

static int is_seq_column(const dsj_column_t *c)
{
    return c && ((c->item_oid && strcmp(c->item_oid, "ITEMGROUPDATASEQ") == 0) ||
                 (c->name && strcmp(c->name, "ITEMGROUPDATASEQ") == 0));
}

/* Where metadata warnings go; stop is set when the callback asks to stop. */
typedef struct conv_findings {
    dsj_finding_cb cb;
    void *ctx;
    int stop;
} conv_findings_t;

static void warn(conv_findings_t *fs, const char *rule, const char *pointer, const char *col, const char *msg)
{
    if (!fs->stop && dsj_emit(fs->cb, fs->ctx, rule, DSJ_SEV_WARNING, NULL, 0, 0, 0, pointer, 0, col, "%s", msg))
        fs->stop = 1;
}

/* "YYYY-MM-DDThh:mm" (+ optional Z / +hh:mm) without seconds: insert ":00". 1 = changed. */
static int add_seconds(const char *s, char *out, size_t size)
{
    size_t n = strlen(s), rest;
    if (n < 16 || s[10] != 'T' || s[13] != ':') return 0;
    if (n > 16 && s[16] == ':') return 0; /* has seconds */
    rest = n - 16;
    if (!(rest == 0 || (rest == 1 && s[16] == 'Z') || (rest == 6 && (s[16] == '+' || s[16] == '-'))))
        return 0;
    if (n + 4 > size) return 0;
    memcpy(out, s, 16);
    memcpy(out + 16, ":00", 3);
    memcpy(out + 19, s + 16, rest + 1);
    return 1;
}

static dsj_status_t copy_common(const dsj_meta_t *in, dsj_meta_t *m)
{
    int a;
    int64_t rec;
    for (a = 0; a < DSJ_META__COUNT; a++) {
        const char *v = dsj_meta_get(in, (dsj_meta_attr_t)a);
        if (v && dsj_meta_set(m, (dsj_meta_attr_t)a, v) != DSJ_OK) return DSJ_E_NOMEM;
    }
    if (dsj_meta_records(in, &rec)) dsj_meta_set_records(m, rec);
    dsj_meta_set_has_rows(m, dsj_meta_has_rows(in));
    dsj_meta_set_reference_data(m, dsj_meta_is_reference_data(in));
    return DSJ_OK;
}

/* Extras: 1.0 data-level keys ("data:X") become root keys X in 1.1. */
static dsj_status_t copy_extras(const dsj_meta_t *in, dsj_meta_t *m, int strip_data, conv_findings_t *fs)
{
    struct json_object *ex = dsj_meta_extra(in), *out;
    if (!ex || !json_object_is_type(ex, json_type_object)) return DSJ_OK;
    out = json_object_new_object();
    if (!out) return DSJ_E_NOMEM;
    {
        json_object_object_foreach(ex, k, v) {
            const char *key = k;
            struct json_object *copy = NULL;
            if (strip_data && strncmp(k, "data:", 5) == 0) key = k + 5;
            if (json_object_object_get_ex(out, key, NULL)) {
                char msg[600];
                snprintf(msg, sizeof msg, "extra attribute \"%s\" appears at both the root and the "
                         "clinicalData/referenceData level; 1.1 has one level: the second was dropped", key);
                warn(fs, RULE_LOSS, NULL, NULL, msg);
                continue;
            }
            if (json_object_deep_copy(v, &copy, NULL) != 0 || json_object_object_add(out, key, copy) != 0) {
                json_object_put(copy);
                json_object_put(out);
                return DSJ_E_NOMEM;
            }
        }
    }
    dsj_meta_set_extra(m, out);
    return DSJ_OK;
}

static dsj_status_t conv_10_to_11(const dsj_meta_t *in, dsj_meta_t *m, dsj_conv_plan_t *p,
                                  conv_findings_t *fs)
{
    const char *cdt = dsj_meta_get(in, DSJ_META_CREATION_DATETIME);
    const char *ssn = dsj_meta_get(in, DSJ_META_SOURCE_SYSTEM_NAME);
    const char *ssv = dsj_meta_get(in, DSJ_META_SOURCE_SYSTEM_VERSION);
    size_t i, n = dsj_meta_ncolumns(in);
    char fixed[300], msg[700];
    if (dsj_meta_set(m, DSJ_META_DATASET_JSON_VERSION, "1.1.0") != DSJ_OK) return DSJ_E_NOMEM;
    if (cdt && add_seconds(cdt, fixed, sizeof fixed)) {
        if (dsj_meta_set(m, DSJ_META_CREATION_DATETIME, fixed) != DSJ_OK) return DSJ_E_NOMEM;
        snprintf(msg, sizeof msg, "creationDateTime \"%s\" has no seconds, which 1.1 requires: written as \"%s\"",
                 cdt, fixed);
        warn(fs, RULE_DATETIME, "/creationDateTime", NULL, msg);
    }
    if (dsj_meta_get(in, DSJ_META_AS_OF_DATETIME)) {
        dsj_meta_set(m, DSJ_META_AS_OF_DATETIME, NULL);
        warn(fs, RULE_LOSS, "/asOfDateTime", NULL,
             "asOfDateTime (when the database was queried) has no exact 1.1 counterpart "
             "(dbLastModifiedDateTime means when it was last modified): dropped");
    }
    if ((ssn != NULL) != (ssv != NULL)) {
        dsj_meta_set(m, DSJ_META_SOURCE_SYSTEM_NAME, NULL);
        dsj_meta_set(m, DSJ_META_SOURCE_SYSTEM_VERSION, NULL);
        warn(fs, RULE_LOSS, ssn ? "/sourceSystem" : "/sourceSystemVersion", NULL,
             "1.1 sourceSystem needs both name and version but only one of sourceSystem/sourceSystemVersion "
             "is present: dropped");
    }
    if (dsj_meta_is_reference_data(in)) {
        dsj_meta_set_reference_data(m, 0);
        warn(fs, RULE_LOSS, "/referenceData", NULL,
             "referenceData/clinicalData distinction has no 1.1 counterpart (Define-XML "
             "ItemGroupDef/@IsReferenceData keeps it)");
    }
    if (copy_extras(in, m, 1, fs) != DSJ_OK) return DSJ_E_NOMEM;
    for (i = 0; i < n; i++) {
        dsj_column_t c = *dsj_meta_column(in, i);
        dsj_datatype_t k;
        if (i == 0 && is_seq_column(&c)) {
            p->ops[i] = DSJ_CONV_DROP;
            continue;
        }
        if (c.data_type == DSJ_TYPE_DECIMAL) {
            p->ops[i] = DSJ_CONV_NUM_TO_DECSTR;
            if (c.target_data_type == DSJ_TYPE_NONE) c.target_data_type = DSJ_TYPE_DECIMAL;
        } else if (c.data_type == DSJ_TYPE_INTEGER && (k = dsj_sas_format_kind(c.display_format)) != DSJ_TYPE_NONE) {
            p->ops[i] = k == DSJ_TYPE_DATE ? DSJ_CONV_SAS_TO_DATE
                      : k == DSJ_TYPE_DATETIME ? DSJ_CONV_SAS_TO_DATETIME : DSJ_CONV_SAS_TO_TIME;
            c.data_type = k;
            c.data_type_text = dsj_datatype_name(k);
            c.target_data_type = DSJ_TYPE_INTEGER;
        }
        if (dsj_meta_add_column(m, &c) != DSJ_OK) return DSJ_E_NOMEM;
    }
    return DSJ_OK;
}

static dsj_status_t conv_11_to_10(const dsj_meta_t *in, dsj_meta_t *m, dsj_conv_plan_t *p,
                                  conv_findings_t *fs)
{
    size_t i, n = dsj_meta_ncolumns(in);
    char msg[700], ptr[64];
    if (dsj_meta_set(m, DSJ_META_DATASET_JSON_VERSION, "1.0.0") != DSJ_OK) return DSJ_E_NOMEM;
    if (dsj_meta_get(in, DSJ_META_DB_LAST_MODIFIED_DATETIME)) {
        dsj_meta_set(m, DSJ_META_DB_LAST_MODIFIED_DATETIME, NULL);
        warn(fs, RULE_LOSS, "/dbLastModifiedDateTime", NULL,
             "dbLastModifiedDateTime (when the database was last modified) has no exact 1.0 counterpart "
             "(asOfDateTime means when it was queried): dropped");
    }
    if (copy_extras(in, m, 0, fs) != DSJ_OK) return DSJ_E_NOMEM;
    if (!(n > 0 && is_seq_column(dsj_meta_column(in, 0)))) {
        dsj_column_t seq;
        memset(&seq, 0, sizeof seq);
        seq.item_oid = "ITEMGROUPDATASEQ";
        seq.name = "ITEMGROUPDATASEQ";
        seq.label = "Record Identifier";
        seq.data_type = DSJ_TYPE_INTEGER;
        seq.data_type_text = "integer";
        if (dsj_meta_add_column(m, &seq) != DSJ_OK) return DSJ_E_NOMEM;
        p->add_seq = 1;
    }
    for (i = 0; i < n; i++) {
        dsj_column_t c = *dsj_meta_column(in, i);
        dsj_datatype_t t = c.data_type, tt = c.target_data_type;
        const char *cname = c.name ? c.name : "";
        snprintf(ptr, sizeof ptr, "/columns/%zu", i);
        if (t == DSJ_TYPE_DECIMAL) {
            p->ops[i] = DSJ_CONV_DECSTR_TO_NUM;
            if (tt != DSJ_TYPE_NONE && tt != DSJ_TYPE_DECIMAL) {
                snprintf(msg, sizeof msg, "targetDataType \"%s\" on decimal column %s has no 1.0 counterpart: dropped",
                         dsj_datatype_name(tt), cname);
                warn(fs, RULE_LOSS, ptr, c.name, msg);
            }
        } else if ((t == DSJ_TYPE_DATE || t == DSJ_TYPE_DATETIME || t == DSJ_TYPE_TIME) && tt == DSJ_TYPE_INTEGER) {
            p->ops[i] = t == DSJ_TYPE_DATE ? DSJ_CONV_DATE_TO_SAS
                      : t == DSJ_TYPE_DATETIME ? DSJ_CONV_DATETIME_TO_SAS : DSJ_CONV_TIME_TO_SAS;
            c.data_type = DSJ_TYPE_INTEGER;
            c.data_type_text = "integer";
        } else if (t == DSJ_TYPE_DATE || t == DSJ_TYPE_DATETIME || t == DSJ_TYPE_TIME || t == DSJ_TYPE_URI) {
            snprintf(msg, sizeof msg, "dataType \"%s\" of column %s has no 1.0 type: written as \"string\"%s",
                     dsj_datatype_name(t), cname, tt != DSJ_TYPE_NONE ? " (targetDataType dropped)" : "");
            warn(fs, RULE_TYPE, ptr, c.name, msg);
            c.data_type = DSJ_TYPE_STRING;
            c.data_type_text = "string";
        } else if (tt != DSJ_TYPE_NONE) {
            snprintf(msg, sizeof msg, "targetDataType \"%s\" on %s column %s has no 1.0 counterpart: dropped",
                     dsj_datatype_name(tt), t == DSJ_TYPE_UNKNOWN && c.data_type_text ? c.data_type_text
                     : dsj_datatype_name(t), cname);
            warn(fs, RULE_LOSS, ptr, c.name, msg);
        }
        c.target_data_type = DSJ_TYPE_NONE;
        if (dsj_meta_add_column(m, &c) != DSJ_OK) return DSJ_E_NOMEM;
    }
    return DSJ_OK;
}

dsj_status_t dsj_convert_meta(const dsj_meta_t *in, dsj_version_t to, dsj_meta_t **out,
                              dsj_conv_plan_t *p, dsj_finding_cb cb, void *ctx, dsj_error_t *err)
{
    dsj_version_t from = dsj_meta_version(in);
    dsj_meta_t *m = NULL;
    dsj_status_t st;
    conv_findings_t fs;
    size_t i, n = dsj_meta_ncolumns(in);
    *out = NULL;
    memset(p, 0, sizeof *p);
    if ((from != DSJ_V1_0 && from != DSJ_V1_1) || (to != DSJ_V1_0 && to != DSJ_V1_1))
        return dsj_err(err, DSJ_E_UNSUPPORTED,
                             "cannot convert Dataset-JSON version %d.%d to %d.%d (only 1.0 and 1.1)",
                             from / 10, from % 10, to / 10, to % 10);
    p->from = from;
    p->to = to;
    p->in_ncols = n;
    p->ops = dsj_calloc(n ? n : 1, sizeof *p->ops);
    p->warned = dsj_calloc(n ? n : 1, 1);
    p->col_names = dsj_calloc(n ? n : 1, sizeof *p->col_names);
    if (!p->ops || !p->warned || !p->col_names) goto nomem;
    for (i = 0; i < n; i++) {
        const char *nm = dsj_meta_column(in, i)->name;
        if (nm && !(p->col_names[i] = dsj_strdup(nm))) goto nomem;
    }
    if (from == to) {
        if (!(m = dsj_meta_clone(in))) goto nomem;
        *out = m;
        return DSJ_OK;
    }
    if (!(m = dsj_meta_new(to))) goto nomem;
    if (copy_common(in, m) != DSJ_OK) goto nomem;
    fs.cb = cb;
    fs.ctx = ctx;
    fs.stop = 0;
    st = from == DSJ_V1_0 ? conv_10_to_11(in, m, p, &fs) : conv_11_to_10(in, m, p, &fs);
    if (st != DSJ_OK) goto nomem;
    if (fs.stop) {
        dsj_meta_free(m);
        dsj_conv_plan_free(p);
        return dsj_err(err, DSJ_E_ABORTED, "conversion stopped by the finding callback");
    }
    *out = m;
    return DSJ_OK;
nomem:
    dsj_meta_free(m);
    dsj_conv_plan_free(p);
    return dsj_err(err, DSJ_E_NOMEM, "out of memory converting metadata");
}
