/* Value grammars for the Define-XML DataTypes (PCRE2, compiled once per
 * checker) and small number/text helpers for the dataset-against-define
 * checks. */
#include "define_check_internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <ctype.h>
#include <math.h>
#include <pthread.h>

/* ---- building blocks (ISO 8601 extended format) ---- */
#define YEAR "[0-9]{4}"
#define MON "(?:0[1-9]|1[0-2])"
#define DAY "(?:0[1-9]|[12][0-9]|3[01])"
#define HOUR "(?:[01][0-9]|2[0-3])"
#define MIN "[0-5][0-9]"
#define SEC "[0-5][0-9](?:[.,][0-9]+)?"
#define TZ "(?:Z|[+-](?:[01][0-9]|2[0-3])(?::?[0-5][0-9])?)"
#define FDATE YEAR "-" MON "-" DAY
#define FTIME HOUR ":" MIN ":" SEC TZ "?"
#define PDATE YEAR "(?:-" MON "(?:-" DAY ")?)?"
#define PTIME HOUR "(?::" MIN "(?::" SEC ")?)?" TZ "?"
#define PDATETIME "(?:" PDATE "|" FDATE "T" PTIME ")" /* a time only after a complete date */
/* Duration: PnYnMnDTnHnMnS (at least one part; the smallest may have a fraction), PnW, or P<datetime>. */
#define NUM "[0-9]+(?:[.,][0-9]+)?"
#define DURATION "(?:P(?=[0-9]|T[0-9])(?:" NUM "Y)?(?:" NUM "M)?(?:" NUM "D)?(?:T(?=[0-9])(?:" NUM "H)?(?:" NUM "M)?(?:" NUM "S)?)?" \
                 "|P" NUM "W|P" FDATE "T" HOUR ":" MIN ":" SEC ")"
/* Incomplete datetime: '-' stands for each unknown component (SDTM style). */
#define IYEAR "(?:" YEAR "|-)"
#define ICOMP(x) "(?:" x "|-)"
#define INCOMPLETE IYEAR "(?:-" ICOMP(MON) "(?:-" ICOMP(DAY) "(?:T" ICOMP(HOUR) "(?::" ICOMP(MIN) "(?::" ICOMP(SEC) ")?)?)?)?)?"

typedef struct grammar_def {
    dsj_dc_vtype_t type;
    const char *name;      /* define DataType */
    const char *full;      /* the complete form */
    const char *reduced;   /* valid lower precision, or NULL */
} grammar_def_t;

static const grammar_def_t grammar_defs[] = {
    {DSJ_DC_V_INTEGER, "integer", "[+-]?[0-9]+", NULL},
    {DSJ_DC_V_FLOAT, "float", "[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?", NULL},
    {DSJ_DC_V_DATE, "date", FDATE, PDATE},
    {DSJ_DC_V_DATETIME, "datetime", FDATE "T" FTIME, PDATETIME},
    {DSJ_DC_V_TIME, "time", FTIME, PTIME},
    {DSJ_DC_V_PARTIAL_DATE, "partialDate", PDATE, NULL},
    {DSJ_DC_V_PARTIAL_TIME, "partialTime", PTIME, NULL},
    {DSJ_DC_V_PARTIAL_DATETIME, "partialDatetime", PDATETIME, NULL},
    {DSJ_DC_V_DURATION, "durationDatetime", "-?" DURATION, NULL},
    {DSJ_DC_V_INTERVAL, "intervalDatetime",
     "(?:" PDATETIME "|" DURATION ")/(?:" PDATETIME "|" DURATION ")", NULL},
    {DSJ_DC_V_INCOMPLETE_DATETIME, "incompleteDatetime", INCOMPLETE, NULL},
    {DSJ_DC_V_URI, "URI", "[A-Za-z][A-Za-z0-9+.-]*:[^\\s]*|[^\\s:]+", NULL},
    {DSJ_DC_V_BOOLEAN, "boolean", "true|false|1|0", NULL},
};
#define N_GRAMMARS (sizeof grammar_defs / sizeof grammar_defs[0])

/* The compiled patterns are shared by every checker of the process: compiled (with JIT) once,
   read-only afterwards, which PCRE2 allows from several threads; each checker has its own match data. */
typedef struct grammar_set {
    pcre2_code *full[DSJ_DC_V__COUNT];
    pcre2_code *reduced[DSJ_DC_V__COUNT];
    int failed;
    dsj_error_t err;
} grammar_set_t;

static grammar_set_t shared_set;
static int shared_done;
/* A mutex rather than pthread_once: one lock per checker costs nothing, and thread checkers
   (helgrind) see the ordering. */
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;

struct dsj_dc_grammar {
    pcre2_code *const *full;               /* [borrowed] shared_set */
    pcre2_code *const *reduced;
    pcre2_match_data *md;                  /* [owned] */
};

dsj_dc_vtype_t dsj_dc_vtype_from_define(const char *t)
{
    size_t i;
    if (!t) return DSJ_DC_V_NONE;
    for (i = 0; i < N_GRAMMARS; i++)
        if (strcmp(t, grammar_defs[i].name) == 0) return grammar_defs[i].type;
    if (strcmp(t, "double") == 0) return DSJ_DC_V_FLOAT;
    return DSJ_DC_V_NONE;
}

const char *dsj_dc_vtype_name(dsj_dc_vtype_t t)
{
    size_t i;
    for (i = 0; i < N_GRAMMARS; i++)
        if (grammar_defs[i].type == t) return grammar_defs[i].name;
    return "text";
}

static pcre2_code *compile(const char *body, dsj_error_t *err)
{
    char pat[2048];
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *c;
    snprintf(pat, sizeof pat, "\\A(?:%s)\\z", body);
    c = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &ec, &eo, NULL);
    if (!c) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ec, msg, sizeof msg);
        dsj_error_set(err, DSJ_E_ARG, NULL, 0, 0, 0, "internal pattern error at %zu: %s", (size_t)eo, (char *)msg);
        return NULL;
    }
    (void)pcre2_jit_compile(c, PCRE2_JIT_COMPLETE); /* falls back to the interpreter when JIT is absent */
    return c;
}

static void compile_shared(void)
{
    size_t i;
    dsj_error_clear(&shared_set.err);
    for (i = 0; i < N_GRAMMARS; i++) {
        const grammar_def_t *d = &grammar_defs[i];
        if (!(shared_set.full[d->type] = compile(d->full, &shared_set.err)) ||
            (d->reduced && !(shared_set.reduced[d->type] = compile(d->reduced, &shared_set.err)))) {
            shared_set.failed = 1;
            return;
        }
    }
}

dsj_dc_grammar_t *dsj_dc_grammar_new(dsj_error_t *err)
{
    dsj_dc_grammar_t *g;
    int failed;
    pthread_mutex_lock(&shared_lock);
    if (!shared_done) {
        compile_shared();
        shared_done = 1;
    }
    failed = shared_set.failed;
    if (failed && err) *err = shared_set.err;
    pthread_mutex_unlock(&shared_lock);
    if (failed) return NULL;
    if (!(g = dsj_calloc(1, sizeof *g))) {
        dsj_error_set(err, DSJ_E_NOMEM, NULL, 0, 0, 0, "out of memory");
        return NULL;
    }
    g->full = shared_set.full;
    g->reduced = shared_set.reduced;
    if (!(g->md = pcre2_match_data_create(4, NULL))) {
        dsj_dc_grammar_free(g);
        dsj_error_set(err, DSJ_E_NOMEM, NULL, 0, 0, 0, "out of memory");
        return NULL;
    }
    return g;
}

void dsj_dc_grammar_free(dsj_dc_grammar_t *g)
{
    if (!g) return;
    pcre2_match_data_free(g->md);
    dsj_free(g);
}

static int run(dsj_dc_grammar_t *g, pcre2_code *c, const char *s, size_t n)
{
    return c && pcre2_match(c, (PCRE2_SPTR)s, n, 0, 0, g->md, NULL) >= 0;
}

static int leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* Every YYYY-MM-DD in s must be a real calendar day (the patterns allow 31 everywhere). */
static int calendar_ok(const char *s, size_t n)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    size_t i;
    for (i = 0; i + 10 <= n; i++) {
        const char *p = s + i;
        int y, m, d, dim;
        if (!(isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
              isdigit((unsigned char)p[3]) && p[4] == '-' && isdigit((unsigned char)p[5]) &&
              isdigit((unsigned char)p[6]) && p[7] == '-' && isdigit((unsigned char)p[8]) &&
              isdigit((unsigned char)p[9])))
            continue;
        if (i > 0 && isdigit((unsigned char)s[i - 1])) continue;
        y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
        m = (p[5] - '0') * 10 + (p[6] - '0');
        d = (p[8] - '0') * 10 + (p[9] - '0');
        if (m < 1 || m > 12) return 0;
        dim = mdays[m - 1] + (m == 2 && leap(y));
        if (d < 1 || d > dim) return 0;
        i += 9;
    }
    return 1;
}

/* ---- exact hand matchers for the common forms (the patterns stay the reference) ---- */

static int dgt(char c) { return c >= '0' && c <= '9'; }

/* The whole of "[+-]?[0-9]+". */
static int text_is_integer(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    if (i == n) return 0;
    for (; i < n; i++)
        if (!dgt(s[i])) return 0;
    return 1;
}

/* The whole of "[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?". */
static int text_is_float(const char *s, size_t n)
{
    size_t i = 0, d;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    if (i < n && dgt(s[i])) {
        while (i < n && dgt(s[i])) i++;
        if (i < n && s[i] == '.')
            for (i++; i < n && dgt(s[i]); i++) {}
    } else if (i < n && s[i] == '.') {
        for (d = ++i; i < n && dgt(s[i]); i++) {}
        if (i == d) return 0;
    } else {
        return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        for (d = i; i < n && dgt(s[i]); i++) {}
        if (i == d) return 0;
    }
    return i == n;
}

/* p[0..9] is FDATE ("YYYY-MM-DD", month 01-12, day 01-31). */
static int is_fdate10(const char *p)
{
    return dgt(p[0]) && dgt(p[1]) && dgt(p[2]) && dgt(p[3]) && p[4] == '-' &&
           ((p[5] == '0' && p[6] >= '1' && p[6] <= '9') || (p[5] == '1' && p[6] >= '0' && p[6] <= '2')) &&
           p[7] == '-' &&
           ((p[8] == '0' && p[9] >= '1' && p[9] <= '9') || ((p[8] == '1' || p[8] == '2') && dgt(p[9])) ||
            (p[8] == '3' && (p[9] == '0' || p[9] == '1')));
}

/* p[0..7] is "hh:mm:ss" (hour 00-23, minute and second 00-59). */
static int is_ftime8(const char *p)
{
    return ((p[0] >= '0' && p[0] <= '1' && dgt(p[1])) || (p[0] == '2' && p[1] >= '0' && p[1] <= '3')) &&
           p[2] == ':' && p[3] >= '0' && p[3] <= '5' && dgt(p[4]) && p[5] == ':' && p[6] >= '0' && p[6] <= '5' &&
           dgt(p[7]);
}

/* The forms a typical SDTM/ADaM column holds, decided without the regex engine; -1: not one of
   them, ask the patterns.  Each accepted form is a whole match of the type's full pattern, and
   calendar_ok of such a string looks only at its one date. */
static int fast_match(dsj_dc_vtype_t t, const char *s, size_t n)
{
    switch (t) {
    case DSJ_DC_V_INTEGER: return text_is_integer(s, n) ? DSJ_DC_MATCH_OK : DSJ_DC_MATCH_BAD;
    case DSJ_DC_V_FLOAT: return text_is_float(s, n) ? DSJ_DC_MATCH_OK : DSJ_DC_MATCH_BAD;
    case DSJ_DC_V_DATE:
        if (n == 10 && is_fdate10(s)) return calendar_ok(s, n) ? DSJ_DC_MATCH_OK : DSJ_DC_MATCH_BAD;
        return -1;
    case DSJ_DC_V_DATETIME:
        if (n == 19 && is_fdate10(s) && s[10] == 'T' && is_ftime8(s + 11))
            return calendar_ok(s, 10) ? DSJ_DC_MATCH_OK : DSJ_DC_MATCH_BAD;
        return -1;
    case DSJ_DC_V_TIME:
        return n == 8 && is_ftime8(s) ? DSJ_DC_MATCH_OK : -1;
    default:
        return -1;
    }
}

dsj_dc_match_t dsj_dc_grammar_match_regex(dsj_dc_grammar_t *g, dsj_dc_vtype_t t, const char *s, size_t n)
{
    if (t <= DSJ_DC_V_NONE || t >= DSJ_DC_V__COUNT || !g->full[t]) return DSJ_DC_MATCH_OK;
    if (run(g, g->full[t], s, n)) return calendar_ok(s, n) ? DSJ_DC_MATCH_OK : DSJ_DC_MATCH_BAD;
    if (run(g, g->reduced[t], s, n)) return calendar_ok(s, n) ? DSJ_DC_MATCH_REDUCED : DSJ_DC_MATCH_BAD;
    return DSJ_DC_MATCH_BAD;
}

dsj_dc_match_t dsj_dc_grammar_match(dsj_dc_grammar_t *g, dsj_dc_vtype_t t, const char *s, size_t n)
{
    int fast;
    if (t <= DSJ_DC_V_NONE || t >= DSJ_DC_V__COUNT || !g->full[t]) return DSJ_DC_MATCH_OK;
    if ((fast = fast_match(t, s, n)) >= 0) return (dsj_dc_match_t)fast;
    return dsj_dc_grammar_match_regex(g, t, s, n);
}

/* ---- numbers and text ---- */

int dsj_dc_fraction_digits(const char *s, size_t n)
{
    size_t i = 0;
    long frac = 0, ex = 0;
    int exneg = 0, digits = 0;
    if (i < n && (s[i] == '-' || s[i] == '+')) i++;
    while (i < n && isdigit((unsigned char)s[i])) { i++; digits++; }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && isdigit((unsigned char)s[i])) { i++; frac++; digits++; }
    }
    if (!digits) return -1;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+')) exneg = s[i++] == '-';
        if (i >= n || !isdigit((unsigned char)s[i])) return -1;
        while (i < n && isdigit((unsigned char)s[i])) {
            if (ex < 100000) ex = ex * 10 + (s[i] - '0');
            i++;
        }
    }
    if (i != n) return -1;
    frac += exneg ? ex : -ex;
    if (frac < 0) frac = 0;
    return frac > 1000000 ? 1000000 : (int)frac;
}

int dsj_dc_parse_number(const char *s, size_t n, double *out)
{
    char buf[128], *end;
    double d;
    if (n == 0 || n >= sizeof buf || dsj_dc_fraction_digits(s, n) < 0) return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    d = strtod(buf, &end);
    if (*end || !isfinite(d)) return 0;
    *out = d;
    return 1;
}

size_t dsj_dc_utf8_chars(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, count = 0;
    while (i < n) {
        unsigned c = p[i];
        size_t k, need;
        if (c < 0x80) { i++; count++; continue; }
        if (c >= 0xC2 && c <= 0xDF) need = 1;
        else if (c >= 0xE0 && c <= 0xEF) need = 2;
        else if (c >= 0xF0 && c <= 0xF4) need = 3;
        else return (size_t)-1;
        for (k = 1; k <= need; k++)
            if (i + k >= n || (p[i + k] & 0xC0) != 0x80) return (size_t)-1;
        if (c == 0xE0 && p[i + 1] < 0xA0) return (size_t)-1;       /* overlong */
        if (c == 0xED && p[i + 1] >= 0xA0) return (size_t)-1;      /* surrogates */
        if (c == 0xF0 && p[i + 1] < 0x90) return (size_t)-1;       /* overlong */
        if (c == 0xF4 && p[i + 1] >= 0x90) return (size_t)-1;      /* > U+10FFFF */
        i += need + 1;
        count++;
    }
    return count;
}
