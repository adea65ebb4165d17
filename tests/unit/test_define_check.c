/* Unit tests: dataset-against-define checks (DXC-*), Dataset-JSON metadata
 * from a define, the DataType compatibility table, value grammars and the
 * metaDataRef resolver. */
#include "test_util.h"

#include <json-c/json.h>
#include <unistd.h>

#include "define_check_internal.h"

#define TD "testdata/define-check/"
#define EX11 "cdisc-datasetjson-examples/v1.1/"
#define EX10 "cdisc-datasetjson-examples/v1.0/"

/* ------------------------------------------------------------ helpers */

/* Run the checker over every row of reader r; returns the findings (unlimited list). */
static dsj_findings_t *check_reader(const dsj_define_t *d, dsj_reader_t *r, const char *file)
{
    dsj_findings_t *l = dsj_findings_new(0);
    dsj_define_checker_t *c;
    const dsj_row_t *row;
    dsj_error_t e;
    dsj_status_t st;
    dsj_error_clear(&e);
    c = dsj_define_checker_new(d, dsj_reader_meta(r), r, file, dsj_findings_add, l, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    while ((st = dsj_reader_next(r, &row, &e)) == DSJ_ROW) CU_ASSERT_EQUAL(dsj_define_checker_row(c, row), DSJ_OK);
    CU_ASSERT_EQUAL(st, DSJ_DONE);
    CU_ASSERT_EQUAL(dsj_define_checker_end(c), DSJ_OK);
    dsj_define_checker_free(c);
    return l;
}

static dsj_findings_t *check_path(const dsj_define_t *d, const char *path)
{
    dsj_error_t e;
    dsj_reader_t *r;
    dsj_findings_t *l;
    dsj_error_clear(&e);
    r = dsj_reader_open(path, NULL, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    l = check_reader(d, r, path);
    dsj_reader_free(r);
    return l;
}

static dsj_findings_t *check_text(const dsj_define_t *d, const char *text, const char *name)
{
    dsj_error_t e;
    dsj_source_t *src;
    dsj_reader_t *r;
    dsj_findings_t *l;
    dsj_error_clear(&e);
    src = dsj_source_new_memory(text, strlen(text), name, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(src);
    r = dsj_reader_new(src, NULL, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    l = check_reader(d, r, name);
    dsj_reader_free(r);
    return l;
}

/* Replace the first occurrence of from by to (which must exist); returns a new malloc'd text. */
static char *replace1(const char *text, const char *from, const char *to)
{
    const char *p = strstr(text, from);
    size_t a, b, c;
    char *out;
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    a = (size_t)(p - text);
    b = strlen(to);
    c = strlen(p + strlen(from));
    out = malloc(a + b + c + 1);
    memcpy(out, text, a);
    memcpy(out + a, to, b);
    memcpy(out + a + b, p + strlen(from), c + 1);
    return out;
}

/* Same, taking ownership of text. */
static char *replace1_free(char *text, const char *from, const char *to)
{
    char *out = replace1(text, from, to);
    free(text);
    return out;
}

static size_t count_rule(const dsj_findings_t *l, const char *rule)
{
    size_t i, n = 0;
    for (i = 0; i < dsj_findings_count(l); i++)
        if (strcmp(dsj_findings_get(l, i)->rule, rule) == 0) n++;
    return n;
}

/* The first finding of rule at row (0 = any metadata) and column, or NULL. */
static const dsj_finding_t *find(const dsj_findings_t *l, const char *rule, uint64_t row, const char *col)
{
    size_t i;
    for (i = 0; i < dsj_findings_count(l); i++) {
        const dsj_finding_t *f = dsj_findings_get(l, i);
        if (strcmp(f->rule, rule) == 0 && f->row == row && (!col || (f->column_name && strcmp(f->column_name, col) == 0)))
            return f;
    }
    return NULL;
}

static size_t count_meta(const dsj_findings_t *l)
{
    size_t i, n = 0;
    for (i = 0; i < dsj_findings_count(l); i++)
        if (dsj_findings_get(l, i)->row == 0) n++;
    return n;
}

static void print_all(const dsj_findings_t *l, size_t max)
{
    size_t i;
    for (i = 0; i < dsj_findings_count(l) && i < max; i++) dsj_finding_print(stdout, dsj_findings_get(l, i));
}

static dsj_define_t *load_td_define(void)
{
    dsj_error_t e;
    dsj_define_t *d;
    dsj_error_clear(&e);
    d = dsj_define_load(TD "define-sdtm-dm-cm-ts.xml", &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    return d;
}

static dsj_define_t *load_td_define_mutated(const char *from, const char *to)
{
    dsj_error_t e;
    size_t len;
    char *text = dsj_test_slurp(TD "define-sdtm-dm-cm-ts.xml", &len), *m;
    dsj_define_t *d;
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    m = replace1(text, from, to);
    free(text);
    dsj_error_clear(&e);
    d = dsj_define_load_memory(m, strlen(m), "define-mutated.xml", &e);
    free(m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    return d;
}

/* ------------------------------------------------- tables and grammars */

static void test_type_table(void)
{
    /* The rows of the table in docs/rules-define-check.md. */
    CU_ASSERT_EQUAL(dsj_dc_type_compat("text", NULL, DSJ_TYPE_STRING, DSJ_TYPE_NONE, DSJ_V1_1), DSJ_DC_COMPATIBLE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("text", NULL, DSJ_TYPE_INTEGER, DSJ_TYPE_NONE, DSJ_V1_1), DSJ_DC_INCOMPATIBLE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("integer", NULL, DSJ_TYPE_INTEGER, DSJ_TYPE_NONE, DSJ_V1_1), DSJ_DC_COMPATIBLE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("integer", "DATE9.", DSJ_TYPE_DATE, DSJ_TYPE_INTEGER, DSJ_V1_1), DSJ_DC_COMPATIBLE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("integer", "E8601DT19.", DSJ_TYPE_DATETIME, DSJ_TYPE_INTEGER, DSJ_V1_1),
                    DSJ_DC_COMPATIBLE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("integer", "TIME8.", DSJ_TYPE_TIME, DSJ_TYPE_INTEGER, DSJ_V1_1), DSJ_DC_COMPATIBLE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("integer", "DATE9.", DSJ_TYPE_DATETIME, DSJ_TYPE_INTEGER, DSJ_V1_1),
                    DSJ_DC_INCOMPATIBLE); /* a date format cannot give a datetime */
    CU_ASSERT_EQUAL(dsj_dc_type_compat("integer", NULL, DSJ_TYPE_DATE, DSJ_TYPE_INTEGER, DSJ_V1_1), DSJ_DC_INCOMPATIBLE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("integer", "8.", DSJ_TYPE_DATE, DSJ_TYPE_INTEGER, DSJ_V1_1), DSJ_DC_INCOMPATIBLE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("float", NULL, DSJ_TYPE_DECIMAL, DSJ_TYPE_DECIMAL, DSJ_V1_1), DSJ_DC_COMPATIBLE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("float", NULL, DSJ_TYPE_DOUBLE, DSJ_TYPE_NONE, DSJ_V1_1), DSJ_DC_COMPATIBLE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("float", NULL, DSJ_TYPE_INTEGER, DSJ_TYPE_NONE, DSJ_V1_1), DSJ_DC_INCOMPATIBLE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("date", NULL, DSJ_TYPE_DATE, DSJ_TYPE_NONE, DSJ_V1_1), DSJ_DC_COMPATIBLE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("date", NULL, DSJ_TYPE_STRING, DSJ_TYPE_NONE, DSJ_V1_1), DSJ_DC_LOOSE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("date", NULL, DSJ_TYPE_STRING, DSJ_TYPE_NONE, DSJ_V1_0), DSJ_DC_COMPATIBLE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("date", NULL, DSJ_TYPE_DATETIME, DSJ_TYPE_NONE, DSJ_V1_1), DSJ_DC_INCOMPATIBLE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("partialDate", NULL, DSJ_TYPE_STRING, DSJ_TYPE_NONE, DSJ_V1_1), DSJ_DC_COMPATIBLE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("partialDate", NULL, DSJ_TYPE_DATE, DSJ_TYPE_NONE, DSJ_V1_1), DSJ_DC_INCOMPATIBLE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("intervalDatetime", NULL, DSJ_TYPE_STRING, DSJ_TYPE_NONE, DSJ_V1_1),
                    DSJ_DC_COMPATIBLE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("URI", NULL, DSJ_TYPE_URI, DSJ_TYPE_NONE, DSJ_V1_1), DSJ_DC_COMPATIBLE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("URI", NULL, DSJ_TYPE_STRING, DSJ_TYPE_NONE, DSJ_V1_1), DSJ_DC_LOOSE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("boolean", NULL, DSJ_TYPE_BOOLEAN, DSJ_TYPE_NONE, DSJ_V1_1), DSJ_DC_COMPATIBLE);
    CU_ASSERT_EQUAL(dsj_dc_type_compat("bogus", NULL, DSJ_TYPE_STRING, DSJ_TYPE_NONE, DSJ_V1_1), DSJ_DC_UNKNOWN);
    CU_ASSERT_EQUAL(dsj_dc_type_compat(NULL, NULL, DSJ_TYPE_STRING, DSJ_TYPE_NONE, DSJ_V1_1), DSJ_DC_UNKNOWN);
    /* SAS format kinds */
    CU_ASSERT_EQUAL(dsj_dc_sas_format_kind("DATE9."), DSJ_TYPE_DATE);
    CU_ASSERT_EQUAL(dsj_dc_sas_format_kind("yymmdd10."), DSJ_TYPE_DATE);
    CU_ASSERT_EQUAL(dsj_dc_sas_format_kind("E8601DA."), DSJ_TYPE_DATE);
    CU_ASSERT_EQUAL(dsj_dc_sas_format_kind("DATETIME20."), DSJ_TYPE_DATETIME);
    CU_ASSERT_EQUAL(dsj_dc_sas_format_kind("TIME8."), DSJ_TYPE_TIME);
    CU_ASSERT_EQUAL(dsj_dc_sas_format_kind("8.2"), DSJ_TYPE_NONE);
    CU_ASSERT_EQUAL(dsj_dc_sas_format_kind("$200."), DSJ_TYPE_NONE);
    CU_ASSERT_EQUAL(dsj_dc_sas_format_kind(NULL), DSJ_TYPE_NONE);
}

static void expect(dsj_dc_grammar_t *g, dsj_dc_vtype_t t, const char *s, dsj_dc_match_t want)
{
    dsj_dc_match_t got = dsj_dc_grammar_match(g, t, s, strlen(s));
    if (got != want) printf("\n  grammar %s: '%s' gave %d, expected %d\n", dsj_dc_vtype_name(t), s, got, want);
    CU_ASSERT_EQUAL(got, want);
}

static void test_grammars(void)
{
    dsj_error_t e;
    dsj_dc_grammar_t *g = dsj_dc_grammar_new(&e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    expect(g, DSJ_DC_V_INTEGER, "-12", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_INTEGER, "1.5", DSJ_DC_MATCH_BAD);
    expect(g, DSJ_DC_V_INTEGER, "P50Y", DSJ_DC_MATCH_BAD);
    expect(g, DSJ_DC_V_FLOAT, "1.25", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_FLOAT, "-.5e3", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_FLOAT, "1,5", DSJ_DC_MATCH_BAD);
    expect(g, DSJ_DC_V_DATE, "2024-02-29", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_DATE, "2023-02-29", DSJ_DC_MATCH_BAD);   /* not a leap year */
    expect(g, DSJ_DC_V_DATE, "1928", DSJ_DC_MATCH_REDUCED);
    expect(g, DSJ_DC_V_DATE, "2012-13-01", DSJ_DC_MATCH_BAD);
    expect(g, DSJ_DC_V_DATE, "2012-11-30\n", DSJ_DC_MATCH_BAD); /* no trailing newline */
    expect(g, DSJ_DC_V_DATETIME, "2012-11-23T11:20:05", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_DATETIME, "2012-11-23T11:20:05.123+01:00", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_DATETIME, "2012-11-23T11:20", DSJ_DC_MATCH_REDUCED);
    expect(g, DSJ_DC_V_DATETIME, "2012-11-23 11:20:05", DSJ_DC_MATCH_BAD);
    expect(g, DSJ_DC_V_TIME, "23:59:59", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_TIME, "24:00:00", DSJ_DC_MATCH_BAD);
    expect(g, DSJ_DC_V_TIME, "10:30", DSJ_DC_MATCH_REDUCED);
    expect(g, DSJ_DC_V_PARTIAL_DATE, "2012", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_PARTIAL_DATE, "2012-11", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_PARTIAL_DATE, "2012-11-31", DSJ_DC_MATCH_BAD);
    expect(g, DSJ_DC_V_PARTIAL_DATE, "2012-1", DSJ_DC_MATCH_BAD);
    expect(g, DSJ_DC_V_PARTIAL_TIME, "10", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_PARTIAL_TIME, "10:3", DSJ_DC_MATCH_BAD);
    expect(g, DSJ_DC_V_PARTIAL_DATETIME, "2012-11-23T11:20", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_PARTIAL_DATETIME, "2012-11T11", DSJ_DC_MATCH_BAD);
    expect(g, DSJ_DC_V_DURATION, "P50Y", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_DURATION, "P1Y2M10DT2H30M", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_DURATION, "-P2W", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_DURATION, "PT0.5S", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_DURATION, "P", DSJ_DC_MATCH_BAD);
    expect(g, DSJ_DC_V_DURATION, "PT", DSJ_DC_MATCH_BAD);
    expect(g, DSJ_DC_V_DURATION, "50 years", DSJ_DC_MATCH_BAD);
    expect(g, DSJ_DC_V_INTERVAL, "2012-11-23/2012-12-01", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_INTERVAL, "2012-11-23T10:00/P2D", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_INTERVAL, "2012-11-23", DSJ_DC_MATCH_BAD);
    expect(g, DSJ_DC_V_INCOMPLETE_DATETIME, "2004---15T10:-:30", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_INCOMPLETE_DATETIME, "2004-12-15", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_INCOMPLETE_DATETIME, "2004-?-15", DSJ_DC_MATCH_BAD);
    expect(g, DSJ_DC_V_URI, "https://example.org/a", DSJ_DC_MATCH_OK);
    expect(g, DSJ_DC_V_URI, "has space", DSJ_DC_MATCH_BAD);
    expect(g, DSJ_DC_V_NONE, "anything", DSJ_DC_MATCH_OK);
    dsj_dc_grammar_free(g);
    CU_ASSERT_EQUAL(dsj_dc_fraction_digits("1.250", 5), 3);
    CU_ASSERT_EQUAL(dsj_dc_fraction_digits("12", 2), 0);
    CU_ASSERT_EQUAL(dsj_dc_fraction_digits("1.5e-2", 6), 3);
    CU_ASSERT_EQUAL(dsj_dc_fraction_digits("1.2345e2", 8), 2);
    CU_ASSERT_EQUAL(dsj_dc_fraction_digits("abc", 3), -1);
    CU_ASSERT_EQUAL(dsj_dc_utf8_chars("\xe5\xa4\xb4\xe7\x97\x9b", 6), 2); /* two CJK characters, 6 bytes */
    CU_ASSERT_EQUAL(dsj_dc_utf8_chars("\xff", 1), (size_t)-1);
}

/* The hand matchers of dsj_dc_grammar_match (integer, float, date, datetime, time) against the
   PCRE2 patterns alone, on random strings biased towards the forms they decide. */
static void test_grammar_fast_paths(void)
{
    static const char alpha[] = "0123456789-+.:eETZ,W/ ";
    static const char *const seeds[] = {"2013-01-15T08:30:59", "2024-02-29", "23:59:59", "-12.5e+3", ".5", "1.",
                                        "2023-02-29T00:00:00", "1999-12-31T24:00:00", "+7", "0019-09-09"};
    static const dsj_dc_vtype_t types[] = {DSJ_DC_V_INTEGER, DSJ_DC_V_FLOAT, DSJ_DC_V_DATE, DSJ_DC_V_DATETIME,
                                           DSJ_DC_V_TIME};
    dsj_error_t e;
    dsj_dc_grammar_t *g = dsj_dc_grammar_new(&e);
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    unsigned long n, bad = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    for (n = 0; n < 200000; n++) {
        char s[32];
        size_t len, k, t;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        if (x & 1) { /* a seed with one to three characters changed */
            const char *seed = seeds[(x >> 1) % (sizeof seeds / sizeof *seeds)];
            len = strlen(seed);
            memcpy(s, seed, len);
            for (k = 0; k < 1 + (x >> 8) % 3; k++) s[(x >> (12 + 5 * k)) % len] = alpha[(x >> (30 + 5 * k)) % (sizeof alpha - 1)];
        } else { /* random text */
            len = (x >> 1) % 22;
            for (k = 0; k < len; k++) s[k] = alpha[(x >> (4 + (k % 12) * 5)) % (sizeof alpha - 1)] ^ (char)((k * 7 + n) % 3 == 0 && k > 30);
        }
        s[len] = '\0';
        for (t = 0; t < sizeof types / sizeof *types; t++) {
            dsj_dc_match_t a = dsj_dc_grammar_match(g, types[t], s, len), b = dsj_dc_grammar_match_regex(g, types[t], s, len);
            if (a != b && bad++ < 5)
                printf("\n  %s '%s': hand %d, patterns %d\n", dsj_dc_vtype_name(types[t]), s, a, b);
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    dsj_dc_grammar_free(g);
}

/* ------------------------------------------------ corpus: metadata */

static const char *const sdtm_files[] = {"ae", "cm", "dd", "di", "dm", "ds", "ec", "ex", "fa", "ft", "ie", "lb", "mh",
                                         "oe", "qsph", "qssl", "relrec", "rs", "se", "suppdm", "suppec", "sv", "ta",
                                         "te", "ti", "ts", "tv", "vs", NULL};
static const char *const adam_files[] = {"adae", "adcibc", "adlbhy", "adsl", "adtte", NULL};

/*
 * Every value finding of the whole corpus run (official v1.1 JSON against
 * their define.xml), grouped by (file, rule, column): count, first and last
 * row.  Each is a real inconsistency between the data and the define.
 */
typedef struct pinned {
    const char *file, *rule, *column;
    size_t count;
    uint64_t first, last;
} pinned_t;

static const pinned_t pinned_v11[] = {
    /* ADaM: R2A1LO/R2A1HI/BR2A1LO/BR2A1HI ratios carry 12 decimals but their ItemDefs say SignificantDigits="1"
       (warning; rows where the ratio has at most 1 decimal, or is null, are fine). */
    {"adam/adlbhy.json", "DXC-VAL-SIGDIGITS", "BR2A1HI", 4665, 1, 9951},
    {"adam/adlbhy.json", "DXC-VAL-SIGDIGITS", "BR2A1LO", 4276, 2, 9951},
    {"adam/adlbhy.json", "DXC-VAL-SIGDIGITS", "R2A1HI", 4715, 1, 9951},
    {"adam/adlbhy.json", "DXC-VAL-SIGDIGITS", "R2A1LO", 4242, 2, 9951},
    /* ADSL.RFSTDTC/RFENDTC are DataType="datetime" but hold dates only ("2014-01-02"): reduced precision (warning). */
    {"adam/adsl.json", "DXC-VAL-PRECISION", "RFENDTC", 254, 1, 254},
    {"adam/adsl.json", "DXC-VAL-PRECISION", "RFSTDTC", 254, 1, 254},
    /* AE.AEDECOD is Mandatory="Yes" in the define, but the example leaves it "" in all 74 rows. */
    {"sdtm/ae.json", "DXC-VAL-MANDATORY", "AEDECOD", 74, 1, 74},
    /* DM.BRTHDTC is DataType="date" but holds birth years only ("1928"): reduced precision (warning). */
    {"sdtm/dm.json", "DXC-VAL-PRECISION", "BRTHDTC", 18, 1, 18},
    /* FA.FAOBJ "PRURITIS" is not in CL.FAOBJ. */
    {"sdtm/fa.json", "DXC-VAL-CODELIST", "FAOBJ", 19, 5, 77},
    /* LB.LBTEST "Anisocytes", "Macrocytes", "Poikilocytes": CL.LBTEST has "Anisocytes; Anisocytosis" etc. */
    {"sdtm/lb.json", "DXC-VAL-CODELIST", "LBTEST", 3, 1483, 2029},
    /* LB.LBSTRESC values ("0.03", "7.497") longer than the Length (3, 4) of their value-level ItemDefs. */
    {"sdtm/lb.json", "DXC-VLM-LENGTH", "LBSTRESC", 1364, 5, 3487},
    /* OE.OELOC "ANTERIOR CHAMBER" is not in the subset CL.LOC_OE. */
    {"sdtm/oe.json", "DXC-VAL-CODELIST", "OELOC", 4, 196, 205},
    /* QSPH question 10: "Not at all" is not in the value-level CodeList CL.PHQ01RQ10 (for QSORRES and QSSTRESC). */
    {"sdtm/qsph.json", "DXC-VLM-CODELIST", "QSORRES", 2, 219, 230},
    {"sdtm/qsph.json", "DXC-VLM-CODELIST", "QSSTRESC", 2, 219, 230},
    /* RS HAMD1-16B answers ("No weight loss.") not in the value-level CodeList CL.HAMD116B, and some longer than
       the value-level Length. */
    {"sdtm/rs.json", "DXC-VLM-CODELIST", "RSORRES", 21, 16, 373},
    {"sdtm/rs.json", "DXC-VLM-LENGTH", "RSORRES", 8, 33, 320},
    /* TS.TSVAL: SEXPOP "BOTH" is not in CL.SEX (value-level, WC.TS_SEX) and longer than its Length 1. */
    {"sdtm/ts.json", "DXC-VLM-CODELIST", "TSVAL", 1, 38, 38},
    /* TS.TSVAL: AGEMIN "P50Y" where WC.TS_INTEGER says the value-level DataType is integer. */
    {"sdtm/ts.json", "DXC-VLM-DATATYPE", "TSVAL", 1, 5, 5},
    /* TS.TSVAL: SDTM versions "3.3", "1.7" longer than Length 2 (WC.TS_SDTM), and "BOTH" (above). */
    {"sdtm/ts.json", "DXC-VLM-LENGTH", "TSVAL", 3, 35, 38},
    {NULL, NULL, NULL, 0, 0, 0}};

/* Tally of one (file, rule, column) group. */
typedef struct tally {
    char key[300];
    size_t count;
    uint64_t first, last;
} tally_t;

static void tally_add(tally_t *t, size_t *n, size_t cap, const char *file, const dsj_finding_t *f)
{
    char key[300];
    size_t i;
    snprintf(key, sizeof key, "%s|%s|%s", file, f->rule, f->column_name ? f->column_name : "");
    for (i = 0; i < *n; i++)
        if (strcmp(t[i].key, key) == 0) break;
    if (i == *n) {
        if (*n == cap) return;
        snprintf(t[i].key, sizeof t[i].key, "%s", key);
        t[i].count = 0;
        t[i].first = f->row;
        t[i].last = f->row;
        (*n)++;
    }
    t[i].count++;
    if (f->row < t[i].first) t[i].first = f->row;
    if (f->row > t[i].last) t[i].last = f->row;
}

static void run_folder(const char *sub, const char *const *files, const char *ext, tally_t *t, size_t *nt,
                       size_t cap, size_t *meta_findings)
{
    char path[2048], rel[160];
    dsj_error_t e;
    dsj_define_t *d;
    size_t i, k;
    snprintf(rel, sizeof rel, EX11 "%s/define.xml", sub);
    if (!dsj_test_corpus_file(path, sizeof path, rel)) return;
    dsj_error_clear(&e);
    d = dsj_define_load(path, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (i = 0; files[i]; i++) {
        dsj_findings_t *l;
        snprintf(rel, sizeof rel, EX11 "%s/%s.%s", sub, files[i], ext);
        dsj_test_corpus_file(path, sizeof path, rel);
        if (access(path, R_OK) != 0) continue; /* e.g. no adlbhy.ndjson */
        l = check_path(d, path);
        for (k = 0; k < dsj_findings_count(l); k++) {
            const dsj_finding_t *f = dsj_findings_get(l, k);
            snprintf(rel, sizeof rel, "%s/%s.json", sub, files[i]);
            if (f->row == 0) {
                (*meta_findings)++;
                dsj_finding_print(stdout, f);
            } else {
                tally_add(t, nt, cap, rel, f);
            }
        }
        dsj_findings_free(l);
    }
    dsj_define_free(d);
}

static void check_pinned(const char *ext)
{
    tally_t t[64];
    size_t nt = 0, meta = 0, i, j;
    if (!dsj_test_corpus()) {
        printf("\n  (skipped: corpus not found)\n");
        return;
    }
    run_folder("sdtm", sdtm_files, ext, t, &nt, 64, &meta);
    run_folder("adam", adam_files, ext, t, &nt, 64, &meta);
    CU_ASSERT_EQUAL(meta, 0); /* no metadata findings at all against the define */
    for (j = 0; pinned_v11[j].file; j++) {
        char key[300];
        const pinned_t *p = &pinned_v11[j];
        int found = 0;
        {   /* some sets lack NDJSON or DSJC copies in the corpus (adlbhy, ADaM DSJC) */
            char rel[160], path[2048];
            snprintf(rel, sizeof rel, EX11 "%.*s.%s", (int)(strlen(p->file) - 5), p->file, ext);
            dsj_test_corpus_file(path, sizeof path, rel);
            if (access(path, R_OK) != 0) continue;
        }
        snprintf(key, sizeof key, "%s|%s|%s", p->file, p->rule, p->column);
        for (i = 0; i < nt; i++) {
            if (strcmp(t[i].key, key) != 0) continue;
            found = 1;
            if (t[i].count != p->count || t[i].first != p->first || t[i].last != p->last)
                printf("\n  %s (%s): %zu findings rows %llu..%llu, expected %zu rows %llu..%llu\n", key, ext,
                       t[i].count, (unsigned long long)t[i].first, (unsigned long long)t[i].last, p->count,
                       (unsigned long long)p->first, (unsigned long long)p->last);
            CU_ASSERT_EQUAL(t[i].count, p->count);
            CU_ASSERT_EQUAL(t[i].first, p->first);
            CU_ASSERT_EQUAL(t[i].last, p->last);
        }
        if (!found) printf("\n  missing expected findings %s (%s)\n", key, ext);
        CU_ASSERT(found);
    }
    /* Nothing beyond the pinned groups. */
    for (i = 0; i < nt; i++) {
        int known = 0;
        for (j = 0; pinned_v11[j].file && !known; j++) {
            char key[300];
            snprintf(key, sizeof key, "%s|%s|%s", pinned_v11[j].file, pinned_v11[j].rule, pinned_v11[j].column);
            known = strcmp(key, t[i].key) == 0;
        }
        if (!known) printf("\n  unexpected findings %s: %zu (rows %llu..%llu)\n", t[i].key, t[i].count,
                           (unsigned long long)t[i].first, (unsigned long long)t[i].last);
        CU_ASSERT(known);
    }
}

static void test_corpus_v11_json(void) { check_pinned("json"); }
/* The NDJSON and compressed copies hold the same data: the same findings at the same rows. */
static void test_corpus_v11_ndjson(void) { check_pinned("ndjson"); }
static void test_corpus_v11_dsjc(void) { check_pinned("dsjc"); }

/* Dataset-JSON 1.0 copies against the same defines: ITEMGROUPDATASEQ skipped, clinicalData/referenceData agree
   with IsReferenceData, numbers as 1.0 types: no metadata findings either. */
static void v10_folder(const char *sub, const char *const *files)
{
    char path[2048], rel[160];
    dsj_error_t e;
    dsj_define_t *d;
    size_t i, n = 0;
    snprintf(rel, sizeof rel, EX11 "%s/define.xml", sub);
    if (!dsj_test_corpus_file(path, sizeof path, rel)) return;
    d = dsj_define_load(path, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (i = 0; files[i]; i++) {
        dsj_findings_t *l;
        snprintf(rel, sizeof rel, EX10 "%s/%s.json", sub, files[i]);
        dsj_test_corpus_file(path, sizeof path, rel);
        if (access(path, R_OK) != 0) continue; /* no 1.0 ADLBHY */
        l = check_path(d, path);
        if (count_meta(l)) print_all(l, 10);
        CU_ASSERT_EQUAL(count_meta(l), 0);
        dsj_findings_free(l);
        n++;
    }
    CU_ASSERT(n >= 4);
    dsj_define_free(d);
}

static void test_corpus_v10_metadata(void)
{
    v10_folder("sdtm", sdtm_files);
    v10_folder("adam", adam_files);
}

/* dsj_define_dataset_meta equals the official JSON's columns for every v1.1 dataset. */
static void compare_meta_folder(const char *sub, const char *const *files)
{
    char path[2048], rel[160];
    dsj_error_t e;
    dsj_define_t *d;
    size_t i, k;
    snprintf(rel, sizeof rel, EX11 "%s/define.xml", sub);
    if (!dsj_test_corpus_file(path, sizeof path, rel)) return;
    d = dsj_define_load(path, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (i = 0; files[i]; i++) {
        dsj_reader_t *r;
        const dsj_meta_t *jm;
        dsj_meta_t *dm;
        snprintf(rel, sizeof rel, EX11 "%s/%s.json", sub, files[i]);
        dsj_test_corpus_file(path, sizeof path, rel);
        r = dsj_reader_open(path, NULL, &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        jm = dsj_reader_meta(r);
        dm = dsj_define_dataset_meta(d, dsj_meta_get(jm, DSJ_META_ITEMGROUP_OID), DSJ_V1_1, &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(dm);
        CU_ASSERT_STRING_EQUAL(dsj_meta_get(dm, DSJ_META_NAME), dsj_meta_get(jm, DSJ_META_NAME));
        CU_ASSERT_STRING_EQUAL(dsj_meta_get(dm, DSJ_META_LABEL), dsj_meta_get(jm, DSJ_META_LABEL));
        CU_ASSERT_STRING_EQUAL(dsj_meta_get(dm, DSJ_META_STUDY_OID), dsj_meta_get(jm, DSJ_META_STUDY_OID));
        CU_ASSERT_STRING_EQUAL(dsj_meta_get(dm, DSJ_META_METADATA_VERSION_OID),
                               dsj_meta_get(jm, DSJ_META_METADATA_VERSION_OID));
        CU_ASSERT_EQUAL_FATAL(dsj_meta_ncolumns(dm), dsj_meta_ncolumns(jm));
        for (k = 0; k < dsj_meta_ncolumns(dm); k++) {
            const dsj_column_t *a = dsj_meta_column(dm, k), *b = dsj_meta_column(jm, k);
            int same = strcmp(a->item_oid, b->item_oid) == 0 && strcmp(a->name, b->name) == 0 &&
                       strcmp(a->label, b->label) == 0 && a->data_type == b->data_type &&
                       a->target_data_type == b->target_data_type && a->length == b->length &&
                       a->key_sequence == b->key_sequence &&
                       ((!a->display_format && !b->display_format) ||
                        (a->display_format && b->display_format && strcmp(a->display_format, b->display_format) == 0));
            if (!same)
                printf("\n  %s column %zu: define gives %s/%s/%s/%s/%lld/%s/%lld, JSON has %s/%s/%s/%s/%lld/%s/%lld\n",
                       files[i], k, a->item_oid, a->name, dsj_datatype_name(a->data_type),
                       dsj_datatype_name(a->target_data_type), (long long)a->length,
                       a->display_format ? a->display_format : "-", (long long)a->key_sequence, b->item_oid, b->name,
                       dsj_datatype_name(b->data_type), dsj_datatype_name(b->target_data_type), (long long)b->length,
                       b->display_format ? b->display_format : "-", (long long)b->key_sequence);
            CU_ASSERT(same);
        }
        dsj_meta_free(dm);
        dsj_reader_free(r);
    }
    dsj_define_free(d);
}

static void test_dataset_meta_corpus(void)
{
    compare_meta_folder("sdtm", sdtm_files);
    compare_meta_folder("adam", adam_files);
}

static void test_dataset_meta_v10(void)
{
    dsj_define_t *d = load_td_define();
    dsj_error_t e;
    dsj_meta_t *m = dsj_define_dataset_meta(d, "TS", DSJ_V1_0, &e); /* by Name */
    const dsj_column_t *c;
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(dsj_meta_version(m), DSJ_V1_0);
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_ITEMGROUP_OID), "IG.TS");
    CU_ASSERT_EQUAL(dsj_meta_is_reference_data(m), 1); /* IsReferenceData="Yes" */
    c = dsj_meta_column(m, 0);
    CU_ASSERT_STRING_EQUAL(c->name, "ITEMGROUPDATASEQ");
    CU_ASSERT_EQUAL(c->data_type, DSJ_TYPE_INTEGER);
    CU_ASSERT_STRING_EQUAL(dsj_meta_column(m, 1)->name, "STUDYID");
    CU_ASSERT_EQUAL(dsj_meta_ncolumns(m), 12);
    dsj_meta_free(m);
    /* 1.0 keeps ISO dates as strings */
    m = dsj_define_dataset_meta(d, "IG.DM", DSJ_V1_0, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(dsj_meta_column(m, dsj_meta_find_column(m, "RFSTDTC"))->data_type, DSJ_TYPE_STRING);
    CU_ASSERT_EQUAL(dsj_meta_is_reference_data(m), 0);
    dsj_meta_free(m);
    dsj_error_clear(&e);
    CU_ASSERT_PTR_NULL(dsj_define_dataset_meta(d, "NOPE", DSJ_V1_1, &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_NOTFOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "NOPE"));
    dsj_define_free(d);
    /* a dangling ItemRef cannot give a column: DSJ_E_DEFINE naming it, with the ItemRef's line */
    d = load_td_define_mutated("<ItemDef OID=\"IT.DM.AGE\"", "<ItemDef OID=\"IT.DM.AGE.REMOVED\"");
    dsj_error_clear(&e);
    CU_ASSERT_PTR_NULL(dsj_define_dataset_meta(d, "DM", DSJ_V1_1, &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_DEFINE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "IT.DM.AGE"));
    CU_ASSERT(e.line > 0);
    dsj_define_free(d);
}

/* ---------------------------------------------- bundled files and mutations */

static void test_bundled_clean(void)
{
    dsj_define_t *d = load_td_define();
    dsj_findings_t *l = check_path(d, TD "dm.json");
    /* BRTHDTC: birth years in a DataType="date" column (see the corpus pins); nothing else. */
    CU_ASSERT_EQUAL(count_meta(l), 0);
    CU_ASSERT_EQUAL(count_rule(l, "DXC-VAL-PRECISION"), 18);
    CU_ASSERT_EQUAL(dsj_findings_count(l), 18);
    dsj_findings_free(l);
    l = check_path(d, TD "cm.json");
    CU_ASSERT_EQUAL(dsj_findings_count(l), 0);
    if (dsj_findings_count(l)) print_all(l, 10);
    dsj_findings_free(l);
    dsj_define_free(d);
}

static void test_mut_removed_itemdef(void)
{
    dsj_define_t *d = load_td_define_mutated("<ItemDef OID=\"IT.DM.AGE\"", "<ItemDef OID=\"IT.DM.AGE.REMOVED\"");
    dsj_findings_t *l = check_path(d, TD "dm.json");
    const dsj_finding_t *f = find(l, "DXC-COL-ITEMDEF", 0, "AGE");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->severity, DSJ_SEV_ERROR);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/columns/14/itemOID");
    CU_ASSERT(f->line > 0 && f->column > 0);
    CU_ASSERT_EQUAL(count_meta(l), 1);
    dsj_findings_free(l);
    dsj_define_free(d);
}

static void test_mut_changed_datatype(void)
{
    /* integer -> float: a JSON integer column does not carry a float variable */
    dsj_define_t *d = load_td_define_mutated("Name=\"AGE\" DataType=\"integer\"", "Name=\"AGE\" DataType=\"float\"");
    dsj_findings_t *l = check_path(d, TD "dm.json");
    const dsj_finding_t *f = find(l, "DXC-COL-DATATYPE", 0, "AGE");
    CU_ASSERT_PTR_NOT_NULL(f);
    CU_ASSERT_EQUAL(count_meta(l), 1);
    dsj_findings_free(l);
    dsj_define_free(d);
    /* integer -> text */
    d = load_td_define_mutated("Name=\"AGE\" DataType=\"integer\"", "Name=\"AGE\" DataType=\"text\"");
    l = check_path(d, TD "dm.json");
    f = find(l, "DXC-COL-DATATYPE", 0, "AGE");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/columns/14/dataType");
    CU_ASSERT_EQUAL(count_meta(l), 1);
    dsj_findings_free(l);
    dsj_define_free(d);
    /* RFSTDTC date -> partialDate: the JSON date type is no longer right */
    d = load_td_define_mutated("Name=\"RFSTDTC\" DataType=\"date\"", "Name=\"RFSTDTC\" DataType=\"partialDate\"");
    l = check_path(d, TD "dm.json");
    CU_ASSERT_PTR_NOT_NULL(find(l, "DXC-COL-DATATYPE", 0, "RFSTDTC"));
    dsj_findings_free(l);
    dsj_define_free(d);
}

static void test_mut_order_swapped(void)
{
    dsj_define_t *d;
    dsj_findings_t *l;
    const dsj_finding_t *f;
    char *m;
    size_t len;
    char *text = dsj_test_slurp(TD "define-sdtm-dm-cm-ts.xml", &len);
    dsj_error_t e;
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    m = replace1_free(text, "ItemOID=\"IT.DM.SUBJID\" Mandatory=\"Yes\" OrderNumber=\"4\"",
                      "ItemOID=\"IT.DM.SUBJID\" Mandatory=\"Yes\" OrderNumber=\"5\"");
    m = replace1_free(m, "ItemOID=\"IT.DM.RFSTDTC\" Mandatory=\"No\" OrderNumber=\"5\"",
                      "ItemOID=\"IT.DM.RFSTDTC\" Mandatory=\"No\" OrderNumber=\"4\"");
    d = dsj_define_load_memory(m, strlen(m), "swapped.xml", &e);
    free(m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    l = check_path(d, TD "dm.json");
    CU_ASSERT_EQUAL(count_rule(l, "DXC-COL-ORDER"), 2);
    f = find(l, "DXC-COL-ORDER", 0, "SUBJID");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/columns/3");
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "RFSTDTC"));
    CU_ASSERT_PTR_NOT_NULL(find(l, "DXC-COL-ORDER", 0, "RFSTDTC"));
    CU_ASSERT_EQUAL(count_meta(l), 2);
    dsj_findings_free(l);
    dsj_define_free(d);
}

static char *td_json(const char *name)
{
    char path[256];
    size_t len;
    char *t;
    snprintf(path, sizeof path, TD "%s", name);
    t = dsj_test_slurp(path, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    return t;
}

static void test_mut_renamed_column_and_labels(void)
{
    dsj_define_t *d = load_td_define();
    char *t = td_json("dm.json");
    dsj_findings_t *l;
    const dsj_finding_t *f;
    t = replace1_free(t, "\"name\":\"AGE\"", "\"name\":\"AGEX\"");
    t = replace1_free(t, "\"label\":\"Sex\"", "\"label\":\"Gender\"");
    t = replace1_free(t, "\"label\":\"Demographics\"", "\"label\":\"Demography\"");
    l = check_text(d, t, "dm-renamed.json");
    f = find(l, "DXC-COL-NAME", 0, "AGEX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->severity, DSJ_SEV_ERROR);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/columns/14/name");
    f = find(l, "DXC-COL-LABEL", 0, "SEX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->severity, DSJ_SEV_WARNING);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/columns/16/label");
    f = find(l, "DXC-DS-LABEL", 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/label");
    CU_ASSERT_EQUAL(count_meta(l), 3);
    dsj_findings_free(l);
    free(t);
    dsj_define_free(d);
}

static void test_mut_dataset_level(void)
{
    dsj_define_t *d = load_td_define();
    char *t = td_json("dm.json"), *u;
    dsj_findings_t *l;
    const dsj_finding_t *f;
    /* unknown itemGroupOID: one error, nothing else checked */
    u = replace1(t, "\"itemGroupOID\":\"IG.DM\"", "\"itemGroupOID\":\"IG.DMX\"");
    l = check_text(d, u, "dm-ig.json");
    CU_ASSERT_EQUAL(dsj_findings_count(l), 1);
    f = find(l, "DXC-IG-NOTFOUND", 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "IG.DMX"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "IG.DM has that name"));
    dsj_findings_free(l);
    free(u);
    /* study and MDV OIDs, dataset name */
    u = replace1(t, "\"studyOID\":\"cdisc.com/CDISCPILOT01\"", "\"studyOID\":\"OTHER\"");
    u = replace1_free(u, "\"metaDataVersionOID\":\"MDV.MSGv2.0.SDTMIG.3.3.SDTM.1.7\"", "\"metaDataVersionOID\":\"MDV.X\"");
    u = replace1_free(u, "\"name\":\"DM\"", "\"name\":\"DMX\"");
    l = check_text(d, u, "dm-oids.json");
    CU_ASSERT_PTR_NOT_NULL(find(l, "DXC-STUDY-OID", 0, NULL));
    CU_ASSERT_PTR_NOT_NULL(find(l, "DXC-MDV-OID", 0, NULL));
    CU_ASSERT_PTR_NOT_NULL(find(l, "DXC-DS-NAME", 0, NULL));
    CU_ASSERT_EQUAL(count_meta(l), 3);
    dsj_findings_free(l);
    free(u);
    /* studyOID after the rows: the reader adds it at the end, the checker judges it at end() */
    u = replace1(t, "\"studyOID\":\"cdisc.com/CDISCPILOT01\",", "");
    u = replace1_free(u, "\"label\":\"Demographics\",", "");
    u = replace1_free(u, "\"USA\"]]}", "\"USA\"]],\"studyOID\":\"LATE\",\"label\":\"Late label\"}");
    l = check_text(d, u, "dm-late.json");
    f = find(l, "DXC-STUDY-OID", 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "LATE"));
    CU_ASSERT_PTR_NOT_NULL(find(l, "DXC-DS-LABEL", 0, NULL));
    CU_ASSERT_EQUAL(count_meta(l), 2);
    dsj_findings_free(l);
    free(u);
    free(t);
    dsj_define_free(d);
}

static void test_mut_columns_set(void)
{
    dsj_define_t *d = load_td_define();
    char *t = td_json("dm.json");
    dsj_findings_t *l;
    /* an extra column (an ItemDef of another dataset) and a column whose itemOID is nowhere */
    t = replace1_free(t, "\"itemOID\":\"IT.DM.COUNTRY\"", "\"itemOID\":\"IT.CM.CMTRT\"");
    t = replace1_free(t, "\"itemOID\":\"IT.DM.ACTARMUD\"", "\"itemOID\":\"IT.DM.NOSUCH\"");
    l = check_text(d, t, "dm-cols.json");
    CU_ASSERT_PTR_NOT_NULL(find(l, "DXC-COL-EXTRA", 0, "COUNTRY"));
    CU_ASSERT_PTR_NOT_NULL(find(l, "DXC-COL-ITEMDEF", 0, "ACTARMUD"));
    CU_ASSERT_PTR_NOT_NULL(find(l, "DXC-COL-MISSING", 0, "COUNTRY"));
    CU_ASSERT_PTR_NOT_NULL(find(l, "DXC-COL-MISSING", 0, "ACTARMUD"));
    CU_ASSERT_EQUAL(count_meta(l), 4);
    dsj_findings_free(l);
    free(t);
    dsj_define_free(d);
}

/* A define that repeats an ItemRef: no DXC-COL-MISSING for the repeat (dsj_define_validate reports it). */
static void test_mut_repeated_itemref(void)
{
    dsj_define_t *d = load_td_define_mutated(
        "<ItemRef ItemOID=\"IT.DM.COUNTRY\"",
        "<ItemRef ItemOID=\"IT.DM.SEX\" Mandatory=\"Yes\" OrderNumber=\"27\"/>\n        <ItemRef ItemOID=\"IT.DM.COUNTRY\"");
    dsj_findings_t *l = check_path(d, TD "dm.json");
    CU_ASSERT_EQUAL(count_rule(l, "DXC-COL-MISSING"), 0);
    CU_ASSERT_EQUAL(count_meta(l), 0);
    dsj_findings_free(l);
    dsj_define_free(d);
}

static void test_mut_values(void)
{
    dsj_define_t *d = load_td_define();
    char *t = td_json("dm.json");
    dsj_findings_t *l;
    const dsj_finding_t *f;
    /* row 2: SEX "F" -> "X" (CL.SEX); row 3: USUBJID null (Mandatory); row 1: ARMCD too long (Length 8) */
    t = replace1_free(t, "\"YEARS\",\"F\"", "\"YEARS\",\"X\"");
    t = replace1_free(t, "\"CDISC003\"", "null");
    t = replace1_free(t, "\"ZAN_LOW\",\"Zanomaline Low Dose (54 mg)\",\"ZAN_LOW\"",
                      "\"ZAN_LOW_TOO_LONG\",\"Zanomaline Low Dose (54 mg)\",\"ZAN_LOW\"");
    /* row 4 and 5: the same key (STUDYID, USUBJID) */
    l = check_text(d, t, "dm-values.json");
    f = find(l, "DXC-VAL-CODELIST", 2, "SEX");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/rows/1/16");
    CU_ASSERT(f->line > 0 && f->column > 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "CL.SEX"));
    f = find(l, "DXC-VAL-MANDATORY", 3, "USUBJID");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/rows/2/2");
    f = find(l, "DXC-VAL-LENGTH", 1, "ARMCD");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "16 characters"));
    if (dsj_findings_count(l) != 18 + 4) print_all(l, 30);
    /* ARMCD "ZAN_LOW_TOO_LONG" is also outside CL.ARMCD; + the 18 BRTHDTC precision warnings */
    CU_ASSERT_PTR_NOT_NULL(find(l, "DXC-VAL-CODELIST", 1, "ARMCD"));
    CU_ASSERT_EQUAL(dsj_findings_count(l), 18 + 4);
    dsj_findings_free(l);
    free(t);
    dsj_define_free(d);
}

/* Length counts characters, not bytes: COUNTRY has Length 3. */
static void test_mut_utf8_length(void)
{
    dsj_define_t *d = load_td_define();
    char *t = td_json("dm.json");
    dsj_findings_t *l;
    const dsj_finding_t *f;
    t = replace1_free(t, "\"USA\"]", "\"\u00dcSA\"]");        /* row 1: 3 characters, 4 bytes: fine */
    t = replace1_free(t, "\"USA\"]", "\"\xe6\x97\xa5\xe6\x9c\xac\"]"); /* row 2: 2 characters, 6 bytes: fine */
    t = replace1_free(t, "\"USA\"]", "\"\xc3\x9cSAX\"]");    /* row 3: 4 characters: too long */
    l = check_text(d, t, "dm-utf8.json");
    CU_ASSERT_EQUAL(count_rule(l, "DXC-VAL-LENGTH"), 1);
    f = find(l, "DXC-VAL-LENGTH", 3, "COUNTRY");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "4 characters"));
    dsj_findings_free(l);
    free(t);
    dsj_define_free(d);
}

static void test_mut_duplicate_key(void)
{
    dsj_define_t *d = load_td_define();
    char *t = td_json("dm.json");
    dsj_findings_t *l;
    const dsj_finding_t *f;
    t = replace1_free(t, "\"CDISC005\"", "\"CDISC002\""); /* row 5 repeats row 2's USUBJID */
    l = check_text(d, t, "dm-dup.json");
    CU_ASSERT_EQUAL(count_rule(l, "DXC-KEY-DUPLICATE"), 1);
    f = find(l, "DXC-KEY-DUPLICATE", 5, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "rows 2 and 5"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "USUBJID=CDISC002"));
    CU_ASSERT_STRING_EQUAL(f->column_name, "STUDYID");
    dsj_findings_free(l);
    free(t);
    dsj_define_free(d);
}

static void test_mut_bad_partial_date(void)
{
    dsj_define_t *d = load_td_define();
    char *t = td_json("cm.json");
    dsj_findings_t *l;
    const dsj_finding_t *f;
    /* CMSTDTC is DataType="partialDate": row 2 "2012-08" -> "2012-13" (no month 13); row 3 "2013-01-11" ->
       "2013-01-11T10:00" (a datetime is not a partial date) */
    t = replace1_free(t, "\"2012-08\"", "\"2012-13\"");
    t = replace1_free(t, "\"2013-01-11\"", "\"2013-01-11T10:00\"");
    l = check_text(d, t, "cm-bad.json");
    CU_ASSERT_EQUAL(dsj_findings_count(l), 2);
    f = find(l, "DXC-VAL-DATATYPE", 2, "CMSTDTC");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->severity, DSJ_SEV_ERROR);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/rows/1/11");
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "partialDate"));
    CU_ASSERT_PTR_NOT_NULL(find(l, "DXC-VAL-DATATYPE", 3, "CMSTDTC"));
    dsj_findings_free(l);
    free(t);
    dsj_define_free(d);
}

/* TS: value-level metadata selected by TSPARMCD; mutate a value under WC.TS_INTEGER. */
static void test_mut_vlm(void)
{
    dsj_define_t *d = load_td_define();
    dsj_findings_t *base = check_path(d, TD "ts.json"), *l;
    char *t = td_json("ts.json");
    size_t n0 = dsj_findings_count(base);
    /* The 3 VLM length findings + 1 VLM codelist + 1 VLM datatype of the corpus pins. */
    CU_ASSERT_EQUAL(count_rule(base, "DXC-VLM-LENGTH"), 3);
    CU_ASSERT_EQUAL(count_rule(base, "DXC-VLM-DATATYPE"), 1);
    CU_ASSERT_EQUAL(count_rule(base, "DXC-VLM-CODELIST"), 1);
    CU_ASSERT_PTR_NOT_NULL(find(base, "DXC-VLM-DATATYPE", 5, "TSVAL"));
    /* PLANSUB is under WC.TS_INTEGER (value-level DataType integer): "20" -> "2O" */
    t = replace1_free(t, "\"PLANSUB\",\"Planned Number of Subjects\",\"20\"",
                      "\"PLANSUB\",\"Planned Number of Subjects\",\"2O\"");
    l = check_text(d, t, "ts-vlm.json");
    CU_ASSERT_EQUAL(dsj_findings_count(l), n0 + 1);
    CU_ASSERT_EQUAL(count_rule(l, "DXC-VLM-DATATYPE"), 2);
    /* the same value is fine for a parameter whose value-level ItemDef is text (no finding for TSPARMCD AGEU) */
    dsj_findings_free(l);
    dsj_findings_free(base);
    free(t);
    dsj_define_free(d);
}

/* 1.0: the TS dataset sits under referenceData; a define that says IsReferenceData="No" disagrees.
   Also a 1.0 column finding: pointers under /referenceData/itemGroupData/IG.TS/items. */
static void test_mut_v10_reference_data(void)
{
    char path[2048];
    dsj_define_t *d;
    dsj_findings_t *l;
    const dsj_finding_t *f;
    if (!dsj_test_corpus_file(path, sizeof path, EX10 "sdtm/ts.json")) return;
    d = load_td_define_mutated("Repeating=\"No\" IsReferenceData=\"Yes\" SASDatasetName=\"TS\"",
                               "Repeating=\"No\" IsReferenceData=\"No\" SASDatasetName=\"TS\"");
    l = check_path(d, path);
    f = find(l, "DXC-REFERENCE-DATA", 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/referenceData/itemGroupData/IG.TS");
    CU_ASSERT(f->line > 0);
    CU_ASSERT_EQUAL(count_meta(l), 1);
    dsj_findings_free(l);
    dsj_define_free(d);
    /* a renamed ItemDef: the 1.0 column (after ITEMGROUPDATASEQ) is reported at its 1.0 pointer */
    d = load_td_define_mutated("Name=\"TSPARMCD\"", "Name=\"TSPARMCX\"");
    l = check_path(d, path);
    f = find(l, "DXC-COL-NAME", 0, "TSPARMCD");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/referenceData/itemGroupData/IG.TS/items/5/name");
    CU_ASSERT(f->line > 0);
    dsj_findings_free(l);
    dsj_define_free(d);
}

/* Through the validator: dsj_validate_source with options.define runs these checks too. */
static void test_through_validator(void)
{
    dsj_define_t *d = load_td_define();
    dsj_findings_t *direct, *via = dsj_findings_new(0);
    dsj_validate_options_t vo;
    dsj_source_t *src;
    dsj_error_t e;
    char *t = td_json("dm.json");
    size_t i, n_dxc = 0;
    t = replace1_free(t, "\"YEARS\",\"F\"", "\"YEARS\",\"X\"");
    direct = check_text(d, t, "dm-x.json");
    dsj_validate_options_init(&vo);
    vo.file = "dm-x.json";
    vo.define = d;
    dsj_error_clear(&e);
    src = dsj_source_new_memory(t, strlen(t), "dm-x.json", &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(src);
    CU_ASSERT_EQUAL(dsj_validate_source(src, NULL, &vo, dsj_findings_add, via, &e), DSJ_OK);
    for (i = 0; i < dsj_findings_count(via); i++)
        if (strncmp(dsj_findings_get(via, i)->rule, "DXC-", 4) == 0) n_dxc++;
    /* every define finding, and only those, came through the validator */
    CU_ASSERT_EQUAL(n_dxc, dsj_findings_count(direct));
    CU_ASSERT_PTR_NOT_NULL(find(via, "DXC-VAL-CODELIST", 2, "SEX"));
    dsj_findings_free(direct);
    dsj_findings_free(via);
    free(t);
    dsj_define_free(d);
}

/* ------------------------------------------------------------ resolver */

static char *my_resolver(const char *uri, const char *base, void *ctx)
{
    (void)base;
    (*(int *)ctx)++;
    return strcmp(uri, "define.xml") == 0 ? strdup("/somewhere/define.xml") : NULL;
}

static char *my_resolver_ex(const dsj_uri_request_t *req, void *ctx)
{
    char buf[512];
    (void)ctx;
    snprintf(buf, sizeof buf, "%s:%s:%s", req->what, req->itemgroup_oid ? req->itemgroup_oid : "", req->uri);
    return strdup(buf);
}

static void test_resolver(void)
{
    dsj_meta_t *m = dsj_meta_new(DSJ_V1_1);
    dsj_error_t e;
    char *p;
    int calls = 0;
    /* default: relative to the dataset's folder; the file must exist */
    CU_ASSERT_EQUAL(dsj_meta_set(m, DSJ_META_METADATA_REF, "define-sdtm-dm-cm-ts.xml"), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_meta_set(m, DSJ_META_ITEMGROUP_OID, "IG.DM"), DSJ_OK);
    p = dsj_define_resolve_metadataref(m, TD "dm.json", NULL, NULL, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_STRING_EQUAL(p, TD "define-sdtm-dm-cm-ts.xml");
    free(p);
    CU_ASSERT_EQUAL(dsj_meta_set(m, DSJ_META_METADATA_REF, "file:define%2Dsdtm-dm-cm-ts.xml"), DSJ_OK);
    p = dsj_define_resolve_metadataref(m, TD "dm.json", NULL, NULL, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_STRING_EQUAL(p, TD "define-sdtm-dm-cm-ts.xml");
    free(p);
    /* never the network */
    CU_ASSERT_EQUAL(dsj_meta_set(m, DSJ_META_METADATA_REF, "https://metadata.location.org/CDISCPILOT01/define.xml"),
                    DSJ_OK);
    dsj_error_clear(&e);
    CU_ASSERT_PTR_NULL(dsj_define_resolve_metadataref(m, TD "dm.json", NULL, NULL, &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_UNSUPPORTED);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "https"));
    CU_ASSERT_EQUAL(dsj_meta_set(m, DSJ_META_METADATA_REF, "file://server/share/define.xml"), DSJ_OK);
    CU_ASSERT_PTR_NULL(dsj_define_resolve_metadataref(m, TD "dm.json", NULL, NULL, &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_NOTFOUND);
    /* a missing local file */
    CU_ASSERT_EQUAL(dsj_meta_set(m, DSJ_META_METADATA_REF, "nothere.xml"), DSJ_OK);
    CU_ASSERT_PTR_NULL(dsj_define_resolve_metadataref(m, TD "dm.json", NULL, NULL, &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_NOTFOUND);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "nothere.xml"));
    /* default resolver pieces */
    p = dsj_uri_resolve_default("file:///abs/define.xml", "x/y.json", NULL);
    CU_ASSERT_STRING_EQUAL(p, "/abs/define.xml");
    free(p);
    p = dsj_uri_resolve_default("file://localhost/abs/define.xml", NULL, NULL);
    CU_ASSERT_STRING_EQUAL(p, "/abs/define.xml");
    free(p);
    p = dsj_uri_resolve_default("sub/define.xml", "data.json", NULL);
    CU_ASSERT_STRING_EQUAL(p, "sub/define.xml");
    free(p);
    CU_ASSERT_PTR_NULL(dsj_uri_resolve_default("ftp://x/define.xml", "a/b.json", NULL));
    /* caller's resolvers */
    CU_ASSERT_EQUAL(dsj_meta_set(m, DSJ_META_METADATA_REF, "define.xml"), DSJ_OK);
    p = dsj_define_resolve_metadataref(m, "a/b.json", my_resolver, &calls, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_STRING_EQUAL(p, "/somewhere/define.xml");
    CU_ASSERT_EQUAL(calls, 1);
    free(p);
    p = dsj_define_resolve_metadataref_ex(m, "a/b.json", my_resolver_ex, NULL, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_STRING_EQUAL(p, "define:IG.DM:define.xml");
    free(p);
    /* no metaDataRef */
    CU_ASSERT_EQUAL(dsj_meta_set(m, DSJ_META_METADATA_REF, NULL), DSJ_OK);
    CU_ASSERT_PTR_NULL(dsj_define_resolve_metadataref(m, "a/b.json", NULL, NULL, &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_NOTFOUND);
    dsj_meta_free(m);
}

/* The checker stops when the callback asks, and accepts NULL in free. */
static int stop_cb(const dsj_finding_t *f, void *ctx)
{
    (void)f;
    return ++*(int *)ctx >= 2;
}

static void test_abort_and_args(void)
{
    dsj_define_t *d = load_td_define();
    dsj_reader_t *r;
    dsj_define_checker_t *c;
    const dsj_row_t *row;
    dsj_error_t e;
    int n = 0;
    dsj_status_t st = DSJ_OK;
    r = dsj_reader_open(TD "dm.json", NULL, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    c = dsj_define_checker_new(d, dsj_reader_meta(r), r, "dm.json", stop_cb, &n, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    while (dsj_reader_next(r, &row, &e) == DSJ_ROW)
        if ((st = dsj_define_checker_row(c, row)) != DSJ_OK) break;
    CU_ASSERT_EQUAL(st, DSJ_E_ABORTED);
    CU_ASSERT_EQUAL(n, 2);
    dsj_define_checker_free(c);
    dsj_define_checker_free(NULL);
    dsj_reader_free(r);
    dsj_error_clear(&e);
    CU_ASSERT_PTR_NULL(dsj_define_checker_new(NULL, NULL, NULL, "x", NULL, NULL, &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_ARG);
    dsj_define_free(d);
}

/* Key uniqueness memory: a synthetic 200,000-row dataset with a unique key gives no finding, one repeat gives one. */
static void test_keys_many_rows(void)
{
    dsj_define_t *d = load_td_define();
    dsj_reader_t *r;
    dsj_error_t e;
    dsj_findings_t *l = dsj_findings_new(0);
    dsj_define_checker_t *c;
    dsj_cell_t cells[26];
    dsj_row_t row;
    char usubjid[32];
    size_t i;
    r = dsj_reader_open(TD "dm.json", NULL, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    c = dsj_define_checker_new(d, dsj_reader_meta(r), r, "synthetic", dsj_findings_add, l, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    memset(cells, 0, sizeof cells);
    memset(&row, 0, sizeof row);
    row.cells = cells;
    row.ncells = 26;
    for (i = 0; i < 26; i++) cells[i].kind = DSJ_CELL_NULL; /* mandatory nulls: many findings, fine */
    cells[0].kind = DSJ_CELL_STRING;
    cells[0].text = "CDISCPILOT01";
    cells[0].len = 12;
    cells[2].kind = DSJ_CELL_STRING;
    cells[2].text = usubjid;
    for (i = 1; i <= 200001; i++) {
        snprintf(usubjid, sizeof usubjid, "S%zu", i == 200001 ? (size_t)77777 : i);
        cells[2].len = strlen(usubjid);
        row.index = i;
        CU_ASSERT_EQUAL_FATAL(dsj_define_checker_row(c, &row), DSJ_OK);
    }
    CU_ASSERT_EQUAL(dsj_define_checker_end(c), DSJ_OK);
    CU_ASSERT_EQUAL(count_rule(l, "DXC-KEY-DUPLICATE"), 1);
    CU_ASSERT_PTR_NOT_NULL(find(l, "DXC-KEY-DUPLICATE", 200001, NULL));
    if (find(l, "DXC-KEY-DUPLICATE", 200001, NULL))
        CU_ASSERT_PTR_NOT_NULL(strstr(find(l, "DXC-KEY-DUPLICATE", 200001, NULL)->message, "rows 77777 and 200001"));
    dsj_define_checker_free(c);
    dsj_reader_free(r);
    dsj_findings_free(l);
    dsj_define_free(d);
}

int main(void)
{
    static const dsj_test_case_t cases[] = {
        {"DataType compatibility table and SAS formats", test_type_table},
        {"value grammars (PCRE2), digits, UTF-8 length", test_grammars},
        {"hand-decided grammar forms agree with the PCRE2 patterns", test_grammar_fast_paths},
        {"corpus v1.1 JSON: no metadata findings, pinned value findings", test_corpus_v11_json},
        {"corpus v1.1 NDJSON: same pinned findings", test_corpus_v11_ndjson},
        {"corpus v1.1 DSJC: same pinned findings", test_corpus_v11_dsjc},
        {"corpus v1.0: no metadata findings", test_corpus_v10_metadata},
        {"dataset meta from define equals the official columns", test_dataset_meta_corpus},
        {"dataset meta 1.0 (ITEMGROUPDATASEQ, referenceData) and errors", test_dataset_meta_v10},
        {"bundled DM/CM against the trimmed define", test_bundled_clean},
        {"mutation: removed ItemDef", test_mut_removed_itemdef},
        {"mutation: changed DataType", test_mut_changed_datatype},
        {"mutation: OrderNumbers swapped", test_mut_order_swapped},
        {"mutation: renamed column, labels changed", test_mut_renamed_column_and_labels},
        {"mutation: itemGroupOID, OIDs, dataset name", test_mut_dataset_level},
        {"mutation: extra/unknown/missing columns", test_mut_columns_set},
        {"mutation: repeated ItemRef in the define", test_mut_repeated_itemref},
        {"mutation: codelist, mandatory null, too long", test_mut_values},
        {"mutation: length in characters (UTF-8)", test_mut_utf8_length},
        {"mutation: duplicate key", test_mut_duplicate_key},
        {"mutation: bad partial date", test_mut_bad_partial_date},
        {"mutation: value-level metadata", test_mut_vlm},
        {"mutation: 1.0 referenceData vs IsReferenceData, 1.0 pointers", test_mut_v10_reference_data},
        {"through dsj_validate_source (options.define)", test_through_validator},
        {"metaDataRef resolver", test_resolver},
        {"abort and bad arguments", test_abort_and_args},
        {"key uniqueness over 200,001 rows", test_keys_many_rows},
        {NULL, NULL}};
    return dsj_test_run("define_check", cases);
}
