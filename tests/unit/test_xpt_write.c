/* Unit tests: Dataset-JSON -> XPT (libdsjson/xpt_write.c).  Small datasets
 * are written to a memory sink, then read back with ReadStat's own parser
 * (independent of the library's XPT reader) and checked value by value. */
#include "test_util.h"
#include "dsjson_define.h"

#include <math.h>
#include <time.h>
#include <readstat.h>
#include <unistd.h>

/* ------------------------------------------------------------ writing */

/* Convert a Dataset-JSON text to XPT in memory.  Returns the status; *out [owned: free] on success. */
static const dsj_define_t *the_define; /* given to the writer when set */

static dsj_status_t json_to_xpt(const char *json, int version, int truncate, dsj_findings_t *fl, char **out,
                                size_t *len, dsj_error_t *e)
{
    dsj_reader_t *r;
    dsj_writer_t *w;
    dsj_writer_options_t o;
    const dsj_row_t *row;
    dsj_status_t st;
    *out = NULL;
    r = dsj_reader_new(dsj_source_new_memory(json, strlen(json), "t.json", e), NULL, e);
    if (!r) return e->code;
    dsj_writer_options_init(&o);
    o.format = DSJ_FORMAT_XPT;
    o.xpt_version = version;
    o.truncate = truncate;
    o.define = the_define;
    if (fl) { o.on_finding = dsj_findings_add; o.finding_ctx = fl; }
    w = dsj_writer_new(dsj_sink_new_memory(e), &o, e);
    if (!w) { dsj_reader_free(r); return e->code; }
    st = dsj_writer_begin(w, dsj_reader_meta(r), e);
    while (st == DSJ_OK && (st = dsj_reader_next(r, &row, e)) == DSJ_ROW) st = dsj_writer_write_row(w, row, e);
    if (st == DSJ_DONE) st = dsj_writer_end(w, e);
    if (st == DSJ_OK) *out = dsj_sink_memory_steal(dsj_writer_sink(w), len);
    dsj_writer_free(w);
    dsj_reader_free(r);
    return st;
}

/* ------------------------------------------------------------ reading back with ReadStat */

#define MAXV 16
#define MAXR 8

typedef struct rb {
    char table[64], label[300];
    int version;
    time_t created;
    int nvars, nrows;
    char name[MAXV][64], vlabel[MAXV][300], format[MAXV][64];
    int is_str[MAXV];
    size_t width[MAXV];
    int missing[MAXR][MAXV];
    double num[MAXR][MAXV];
    char str[MAXR][MAXV][400];
} rb_t;

static int rb_meta(readstat_metadata_t *m, void *ctx)
{
    rb_t *b = ctx;
    const char *t = readstat_get_table_name(m), *l = readstat_get_file_label(m);
    snprintf(b->table, sizeof b->table, "%s", t ? t : "");
    snprintf(b->label, sizeof b->label, "%s", l ? l : "");
    b->version = readstat_get_file_format_version(m);
    b->created = readstat_get_creation_time(m);
    return READSTAT_HANDLER_OK;
}

static int rb_var(int i, readstat_variable_t *v, const char *vl, void *ctx)
{
    rb_t *b = ctx;
    const char *l = readstat_variable_get_label(v), *f = readstat_variable_get_format(v);
    (void)vl;
    if (i >= MAXV) return READSTAT_HANDLER_ABORT;
    snprintf(b->name[i], sizeof b->name[i], "%s", readstat_variable_get_name(v));
    snprintf(b->vlabel[i], sizeof b->vlabel[i], "%s", l ? l : "");
    snprintf(b->format[i], sizeof b->format[i], "%s", f ? f : "");
    b->is_str[i] = readstat_variable_get_type(v) == READSTAT_TYPE_STRING;
    b->width[i] = readstat_variable_get_storage_width(v);
    b->nvars = i + 1;
    return READSTAT_HANDLER_OK;
}

static int rb_value(int obs, readstat_variable_t *v, readstat_value_t val, void *ctx)
{
    rb_t *b = ctx;
    int i = readstat_variable_get_index(v);
    if (obs >= MAXR || i >= MAXV) return READSTAT_HANDLER_ABORT;
    if (obs + 1 > b->nrows) b->nrows = obs + 1;
    b->missing[obs][i] = readstat_value_is_missing(val, v);
    if (readstat_value_type(val) == READSTAT_TYPE_STRING) {
        const char *s = readstat_string_value(val);
        snprintf(b->str[obs][i], sizeof b->str[obs][i], "%s", s ? s : "");
    } else {
        b->num[obs][i] = readstat_double_value(val);
    }
    return READSTAT_HANDLER_OK;
}

/* Parse XPT bytes with ReadStat (text converted from Windows-1252 to UTF-8). 0 = ok. */
static int read_back(const char *data, size_t len, rb_t *b)
{
    char path[] = "/tmp/dsj_xptw_XXXXXX";
    int fd = mkstemp(path), rc;
    readstat_parser_t *p;
    memset(b, 0, sizeof *b);
    if (fd < 0) return -1;
    if (write(fd, data, len) != (ssize_t)len) { close(fd); unlink(path); return -1; }
    close(fd);
    p = readstat_parser_init();
    readstat_set_metadata_handler(p, rb_meta);
    readstat_set_variable_handler(p, rb_var);
    readstat_set_value_handler(p, rb_value);
    readstat_set_file_character_encoding(p, "WINDOWS-1252");
    readstat_set_handler_character_encoding(p, "UTF-8");
    rc = readstat_parse_xport(p, path, b);
    readstat_parser_free(p);
    unlink(path);
    if (rc != READSTAT_OK) printf("\n  readstat: %s\n", readstat_error_message(rc));
    return rc == READSTAT_OK ? 0 : -1;
}

/* ------------------------------------------------------------ fixtures */

#define HEAD(name, label, records) \
    "{\"datasetJSONCreationDateTime\":\"2025-01-02T03:04:05\",\"datasetJSONVersion\":\"1.1.0\"," \
    "\"itemGroupOID\":\"IG." name "\",\"records\":" records ",\"name\":\"" name "\",\"label\":\"" label "\","

static const char basic_json[] =
    HEAD("adsl", "Subject Level", "3")
    "\"columns\":["
    "{\"itemOID\":\"IT.A\",\"name\":\"USUBJID\",\"label\":\"Unique Subject Identifier\",\"dataType\":\"string\",\"length\":12},"
    "{\"itemOID\":\"IT.B\",\"name\":\"AGE\",\"label\":\"Age\",\"dataType\":\"integer\",\"displayFormat\":\"8.\"},"
    "{\"itemOID\":\"IT.C\",\"name\":\"AVAL\",\"label\":\"Analysis Value\",\"dataType\":\"double\",\"displayFormat\":\"8.2\"},"
    "{\"itemOID\":\"IT.D\",\"name\":\"TRTSDT\",\"label\":\"Start Date\",\"dataType\":\"date\",\"targetDataType\":\"integer\",\"displayFormat\":\"DATE9.\"},"
    "{\"itemOID\":\"IT.E\",\"name\":\"ADTM\",\"label\":\"Datetime\",\"dataType\":\"datetime\",\"targetDataType\":\"integer\",\"displayFormat\":\"E8601DT19.\"},"
    "{\"itemOID\":\"IT.F\",\"name\":\"ATM\",\"label\":\"Time\",\"dataType\":\"time\",\"targetDataType\":\"integer\",\"displayFormat\":\"TIME8.\"},"
    "{\"itemOID\":\"IT.G\",\"name\":\"FL\",\"label\":\"Flag\",\"dataType\":\"boolean\"},"
    "{\"itemOID\":\"IT.H\",\"name\":\"DEC\",\"label\":\"Decimal\",\"dataType\":\"decimal\",\"length\":8},"
    "{\"itemOID\":\"IT.I\",\"name\":\"DTC\",\"label\":\"ISO date\",\"dataType\":\"date\",\"length\":10,\"displayFormat\":\"DATE9.\"},"
    "{\"itemOID\":\"IT.J\",\"name\":\"TXT\",\"label\":\"Text \\u00e9\",\"dataType\":\"string\",\"length\":6,\"displayFormat\":\"$CHAR6.\"}],"
    "\"rows\":["
    "[\"01-701-1015\",63,8.549999999999999,\"2014-01-02\",\"2014-01-02T10:30:00\",\"10:30:00\",true,\"1.50\",\"2014-01-02\",\"caf\\u00e9\\u20ac\"],"
    "[\"01-701-1023\",null,1e-9,\"1960-01-01\",\"1960-01-01T00:00:00.25\",\"00:00\",false,null,\"2014-01\",\"\"],"
    "[\"\",-5,null,null,null,null,null,\"-0.001\",null,null]]}";

static void test_basic_values(void)
{
    char *x;
    size_t n;
    dsj_error_t e;
    rb_t b;
    CU_ASSERT_EQUAL_FATAL(json_to_xpt(basic_json, 5, 0, NULL, &x, &n, &e), DSJ_OK);
    CU_ASSERT_EQUAL(n % 80, 0);
    CU_ASSERT_EQUAL_FATAL(read_back(x, n, &b), 0);
    CU_ASSERT_STRING_EQUAL(b.table, "ADSL"); /* upper case member name */
    CU_ASSERT_STRING_EQUAL(b.label, "Subject Level");
    CU_ASSERT_EQUAL(b.version, 5);
    {   /* the header's date is the metadata's (local time, as ReadStat prints it): same bytes every time */
        struct tm tm;
        char *x2;
        size_t n2;
        memset(&tm, 0, sizeof tm);
        tm.tm_year = 125; tm.tm_mon = 0; tm.tm_mday = 2; tm.tm_hour = 3; tm.tm_min = 4; tm.tm_sec = 5;
        tm.tm_isdst = -1;
        CU_ASSERT_EQUAL(b.created, mktime(&tm));
        CU_ASSERT_EQUAL_FATAL(json_to_xpt(basic_json, 5, 0, NULL, &x2, &n2, &e), DSJ_OK);
        CU_ASSERT(n2 == n && memcmp(x, x2, n) == 0);
        free(x2);
    }
    CU_ASSERT_EQUAL_FATAL(b.nvars, 10);
    CU_ASSERT_EQUAL_FATAL(b.nrows, 3);
    CU_ASSERT_STRING_EQUAL(b.name[0], "USUBJID");
    CU_ASSERT_STRING_EQUAL(b.vlabel[0], "Unique Subject Identifier");
    CU_ASSERT(b.is_str[0]);
    CU_ASSERT_EQUAL(b.width[0], 12);
    CU_ASSERT(!b.is_str[1] && !b.is_str[2] && !b.is_str[3] && !b.is_str[6]);
    CU_ASSERT(b.is_str[7] && b.is_str[8]); /* decimal (a string in 1.1) and a date without targetDataType */
    CU_ASSERT_EQUAL(b.width[9], 6);
    CU_ASSERT_STRING_EQUAL(b.vlabel[9], "Text \xc3\xa9");
    /* formats: ReadStat gives them back without the final dot */
    CU_ASSERT_STRING_EQUAL(b.format[2], "8.2");
    CU_ASSERT_STRING_EQUAL(b.format[3], "DATE9");
    CU_ASSERT_STRING_EQUAL(b.format[4], "E8601DT19");
    CU_ASSERT_STRING_EQUAL(b.format[5], "TIME8");
    CU_ASSERT_STRING_EQUAL(b.format[0], "");
    CU_ASSERT_STRING_EQUAL(b.format[8], ""); /* a date format on text: left out (XPT-FORMAT warning) */
    CU_ASSERT_STRING_EQUAL(b.format[9], "$CHAR6");
    /* row 1 */
    CU_ASSERT_STRING_EQUAL(b.str[0][0], "01-701-1015");
    CU_ASSERT_EQUAL(b.num[0][1], 63.0);
    CU_ASSERT_EQUAL(b.num[0][2], 8.549999999999999); /* exact double kept */
    CU_ASSERT_EQUAL(b.num[0][3], 19725.0);           /* 2014-01-02 = SAS day 19725 */
    CU_ASSERT_EQUAL(b.num[0][4], 19725.0 * 86400 + 37800);
    CU_ASSERT_EQUAL(b.num[0][5], 37800.0);
    CU_ASSERT_EQUAL(b.num[0][6], 1.0);
    CU_ASSERT_STRING_EQUAL(b.str[0][7], "1.50");
    CU_ASSERT_STRING_EQUAL(b.str[0][8], "2014-01-02");
    CU_ASSERT_STRING_EQUAL(b.str[0][9], "caf\xc3\xa9\xe2\x82\xac"); /* e-acute and euro: in Windows-1252 */
    /* row 2 */
    CU_ASSERT(b.missing[1][1]);
    CU_ASSERT_EQUAL(b.num[1][2], 1e-9);
    CU_ASSERT_EQUAL(b.num[1][3], 0.0); /* the SAS epoch */
    CU_ASSERT_EQUAL(b.num[1][4], 0.25);
    CU_ASSERT_EQUAL(b.num[1][5], 0.0);
    CU_ASSERT_EQUAL(b.num[1][6], 0.0);
    CU_ASSERT_STRING_EQUAL(b.str[1][7], "");
    CU_ASSERT_STRING_EQUAL(b.str[1][8], "2014-01"); /* partial date kept as text */
    /* row 3: nulls */
    CU_ASSERT_STRING_EQUAL(b.str[2][0], "");
    CU_ASSERT_EQUAL(b.num[2][1], -5.0);
    CU_ASSERT(b.missing[2][2] && b.missing[2][3] && b.missing[2][4] && b.missing[2][5] && b.missing[2][6]);
    CU_ASSERT_STRING_EQUAL(b.str[2][7], "-0.001");
    CU_ASSERT_STRING_EQUAL(b.str[2][9], "");
    free(x);
}

static void test_v8_basic(void)
{
    char *x;
    size_t n;
    dsj_error_t e;
    rb_t b;
    CU_ASSERT_EQUAL_FATAL(json_to_xpt(basic_json, 8, 0, NULL, &x, &n, &e), DSJ_OK);
    CU_ASSERT_EQUAL_FATAL(read_back(x, n, &b), 0);
    CU_ASSERT_EQUAL(b.version, 8);
    CU_ASSERT_EQUAL(b.nrows, 3);
    CU_ASSERT_EQUAL(b.num[0][2], 8.549999999999999);
    CU_ASSERT_STRING_EQUAL(b.format[3], "DATE9");
    free(x);
}

/* A one-column dataset: name, label, length (or -1: none), one string value. */
static char *one_col(const char *name, const char *label, int length, const char *value)
{
    static char buf[4096];
    char len[32] = "";
    if (length >= 0) snprintf(len, sizeof len, ",\"length\":%d", length);
    snprintf(buf, sizeof buf,
             HEAD("T", "T", "2") "\"columns\":[{\"itemOID\":\"IT.X\",\"name\":\"%s\",\"label\":\"%s\","
             "\"dataType\":\"string\"%s}],\"rows\":[[\"a\"],[\"%s\"]]}",
             name, label, len, value);
    return buf;
}

static char *repeat(char c, size_t n)
{
    static char buf[2][1024];
    static int k;
    char *b = buf[k++ & 1];
    memset(b, c, n);
    b[n] = '\0';
    return b;
}

static int has_rule(const dsj_findings_t *fl, const char *rule, const char *text)
{
    size_t i;
    for (i = 0; i < dsj_findings_count(fl); i++) {
        const dsj_finding_t *f = dsj_findings_get(fl, i);
        if (strcmp(f->rule, rule) == 0 && f->severity == DSJ_SEV_WARNING && (!text || strstr(f->message, text)))
            return 1;
    }
    return 0;
}

static void test_long_name(void)
{
    char *x;
    size_t n;
    dsj_error_t e;
    rb_t b;
    dsj_findings_t *fl = dsj_findings_new(0);
    const char *j = one_col("LONGNAME9", "L", 5, "b");
    CU_ASSERT_EQUAL(json_to_xpt(j, 5, 0, NULL, &x, &n, &e), DSJ_E_LIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "LONGNAME9"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "more than 8"));
    CU_ASSERT_PTR_NULL(x);
    /* --truncate: written with a warning */
    CU_ASSERT_EQUAL_FATAL(json_to_xpt(j, 5, 1, fl, &x, &n, &e), DSJ_OK);
    CU_ASSERT(has_rule(fl, "XPT-TRUNCATE", "LONGNAME9"));
    CU_ASSERT_EQUAL_FATAL(read_back(x, n, &b), 0);
    CU_ASSERT_STRING_EQUAL(b.name[0], "LONGNAME");
    free(x);
    /* v8: allowed */
    CU_ASSERT_EQUAL_FATAL(json_to_xpt(j, 8, 0, NULL, &x, &n, &e), DSJ_OK);
    CU_ASSERT_EQUAL_FATAL(read_back(x, n, &b), 0);
    CU_ASSERT_STRING_EQUAL(b.name[0], "LONGNAME9");
    free(x);
    /* v8: 33 characters is too long */
    CU_ASSERT_EQUAL(json_to_xpt(one_col(repeat('N', 33), "L", 5, "b"), 8, 0, NULL, &x, &n, &e), DSJ_E_LIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "more than 32"));
    /* not a SAS name */
    CU_ASSERT_EQUAL(json_to_xpt(one_col("1BAD", "L", 5, "b"), 5, 0, NULL, &x, &n, &e), DSJ_E_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "1BAD"));
    dsj_findings_free(fl);
}

static void test_long_label(void)
{
    char *x, label[300];
    size_t n;
    dsj_error_t e;
    rb_t b;
    dsj_findings_t *fl = dsj_findings_new(0);
    snprintf(label, sizeof label, "%s", repeat('L', 41));
    CU_ASSERT_EQUAL(json_to_xpt(one_col("V", label, 5, "b"), 5, 0, NULL, &x, &n, &e), DSJ_E_LIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "label of column V"));
    CU_ASSERT_EQUAL_FATAL(json_to_xpt(one_col("V", label, 5, "b"), 5, 1, fl, &x, &n, &e), DSJ_OK);
    CU_ASSERT(has_rule(fl, "XPT-TRUNCATE", "label"));
    CU_ASSERT_EQUAL_FATAL(read_back(x, n, &b), 0);
    CU_ASSERT_EQUAL(strlen(b.vlabel[0]), 40);
    free(x);
    CU_ASSERT_EQUAL_FATAL(json_to_xpt(one_col("V", label, 5, "b"), 8, 0, NULL, &x, &n, &e), DSJ_OK);
    CU_ASSERT_EQUAL_FATAL(read_back(x, n, &b), 0);
    CU_ASSERT_STRING_EQUAL(b.vlabel[0], label);
    free(x);
    dsj_findings_free(fl);
}

static void test_long_value(void)
{
    char *x;
    size_t n;
    dsj_error_t e;
    rb_t b;
    dsj_findings_t *fl = dsj_findings_new(0);
    const char *v201 = repeat('v', 201);
    /* a column length over 200 */
    CU_ASSERT_EQUAL(json_to_xpt(one_col("V", "L", 201, v201), 5, 0, NULL, &x, &n, &e), DSJ_E_LIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "column V has length 201"));
    /* no length: the width comes from the data, a 201-byte value is named by row and column */
    CU_ASSERT_EQUAL(json_to_xpt(one_col("V", "L", -1, v201), 5, 0, NULL, &x, &n, &e), DSJ_E_LIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "row 2, column V"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "201 bytes"));
    /* a value longer than the column's length */
    CU_ASSERT_EQUAL(json_to_xpt(one_col("V", "L", 3, "abcd"), 5, 0, NULL, &x, &n, &e), DSJ_E_LIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "row 2, column V"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "length 3"));
    /* --truncate */
    CU_ASSERT_EQUAL_FATAL(json_to_xpt(one_col("V", "L", 201, v201), 5, 1, fl, &x, &n, &e), DSJ_OK);
    CU_ASSERT(has_rule(fl, "XPT-TRUNCATE", "length"));
    CU_ASSERT(has_rule(fl, "XPT-TRUNCATE", "value"));
    CU_ASSERT_EQUAL_FATAL(read_back(x, n, &b), 0);
    CU_ASSERT_EQUAL(b.width[0], 200);
    CU_ASSERT_EQUAL(strlen(b.str[1][0]), 200);
    free(x);
    /* v8 allows it */
    CU_ASSERT_EQUAL_FATAL(json_to_xpt(one_col("V", "L", 201, v201), 8, 0, NULL, &x, &n, &e), DSJ_OK);
    CU_ASSERT_EQUAL_FATAL(read_back(x, n, &b), 0);
    CU_ASSERT_EQUAL(b.width[0], 201);
    CU_ASSERT_STRING_EQUAL(b.str[1][0], v201);
    free(x);
    dsj_findings_free(fl);
}

static void test_width_from_data(void)
{
    char *x;
    size_t n;
    dsj_error_t e;
    rb_t b;
    CU_ASSERT_EQUAL_FATAL(json_to_xpt(one_col("V", "L", -1, "caf\\u00e9!"), 5, 0, NULL, &x, &n, &e), DSJ_OK);
    CU_ASSERT_EQUAL_FATAL(read_back(x, n, &b), 0);
    CU_ASSERT_EQUAL(b.width[0], 5); /* bytes in Windows-1252 */
    CU_ASSERT_STRING_EQUAL(b.str[1][0], "caf\xc3\xa9!");
    free(x);
}

/* No length in the column: the define's Length for its itemOID. */
static void test_width_from_define(void)
{
    static const char j[] =
        HEAD("VS", "T", "1") "\"columns\":[{\"itemOID\":\"IT.VS.VSORRES\",\"name\":\"VSORRES\",\"dataType\":\"string\"}],"
        "\"rows\":[[\"abc\"]]}";
    char *x;
    size_t n;
    dsj_error_t e;
    rb_t b;
    dsj_define_t *def = dsj_define_load("testdata/define/minimal21.xml", &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(def);
    the_define = def;
    CU_ASSERT_EQUAL_FATAL(json_to_xpt(j, 5, 0, NULL, &x, &n, &e), DSJ_OK);
    the_define = NULL;
    CU_ASSERT_EQUAL_FATAL(read_back(x, n, &b), 0);
    CU_ASSERT_EQUAL(b.width[0], 20); /* Length="20" in the define */
    CU_ASSERT_STRING_EQUAL(b.str[0][0], "abc");
    free(x);
    dsj_define_free(def);
}

static void test_not_cp1252(void)
{
    char *x;
    size_t n;
    dsj_error_t e;
    CU_ASSERT_EQUAL(json_to_xpt(one_col("V", "L", 10, "ab\\u4e2d"), 5, 0, NULL, &x, &n, &e), DSJ_E_ENCODING);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "row 2, column V"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "Windows-1252"));
    CU_ASSERT_PTR_NULL(x);
    /* in a label */
    CU_ASSERT_EQUAL(json_to_xpt(one_col("V", "\\u03a9", 10, "a"), 5, 0, NULL, &x, &n, &e), DSJ_E_ENCODING);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "label of column V"));
}

static void test_records(void)
{
    static const char no_records[] =
        "{\"datasetJSONCreationDateTime\":\"2025-01-02T03:04:05\",\"datasetJSONVersion\":\"1.1.0\","
        "\"itemGroupOID\":\"IG.T\",\"name\":\"T\",\"label\":\"T\",\"columns\":["
        "{\"itemOID\":\"IT.X\",\"name\":\"X\",\"dataType\":\"integer\"}],\"rows\":[[1],[2],[3]]}";
    static const char wrong_records[] =
        HEAD("T", "T", "5") "\"columns\":[{\"itemOID\":\"IT.X\",\"name\":\"X\",\"dataType\":\"integer\"}],"
        "\"rows\":[[1],[2],[3]]}";
    static const char zero_rows[] =
        HEAD("T", "T", "0") "\"columns\":[{\"itemOID\":\"IT.X\",\"name\":\"X\",\"dataType\":\"integer\"}],"
        "\"rows\":[]}";
    char *x;
    size_t n;
    dsj_error_t e;
    rb_t b;
    /* no records: the rows wait in a temporary file and the true count is written */
    CU_ASSERT_EQUAL_FATAL(json_to_xpt(no_records, 5, 0, NULL, &x, &n, &e), DSJ_OK);
    CU_ASSERT_EQUAL_FATAL(read_back(x, n, &b), 0);
    CU_ASSERT_EQUAL(b.nrows, 3);
    CU_ASSERT_EQUAL(b.num[2][0], 3.0);
    free(x);
    CU_ASSERT_EQUAL(json_to_xpt(wrong_records, 5, 0, NULL, &x, &n, &e), DSJ_E_MISMATCH);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "records"));
    CU_ASSERT_PTR_NULL(x);
    CU_ASSERT_EQUAL_FATAL(json_to_xpt(zero_rows, 5, 0, NULL, &x, &n, &e), DSJ_OK);
    CU_ASSERT_EQUAL_FATAL(read_back(x, n, &b), 0);
    CU_ASSERT_EQUAL(b.nvars, 1);
    CU_ASSERT_EQUAL(b.nrows, 0);
    free(x);
}

static void test_bad_cells(void)
{
    static const char bad_num[] =
        HEAD("T", "T", "1") "\"columns\":[{\"itemOID\":\"IT.X\",\"name\":\"X\",\"dataType\":\"float\"}],"
        "\"rows\":[[\"abc\"]]}";
    static const char bad_date[] =
        HEAD("T", "T", "1") "\"columns\":[{\"itemOID\":\"IT.X\",\"name\":\"D\",\"dataType\":\"date\","
        "\"targetDataType\":\"integer\",\"displayFormat\":\"DATE9.\"}],\"rows\":[[\"2014-02-30\"]]}";
    static const char tz_datetime[] =
        HEAD("T", "T", "1") "\"columns\":[{\"itemOID\":\"IT.X\",\"name\":\"D\",\"dataType\":\"datetime\","
        "\"targetDataType\":\"integer\"}],\"rows\":[[\"2014-02-03T10:00:00+01:00\"]]}";
    static const char big[] =
        HEAD("T", "T", "1") "\"columns\":[{\"itemOID\":\"IT.X\",\"name\":\"X\",\"dataType\":\"double\"}],"
        "\"rows\":[[1e300]]}";
    static const char tiny[] =
        HEAD("T", "T", "1") "\"columns\":[{\"itemOID\":\"IT.X\",\"name\":\"X\",\"dataType\":\"double\"}],"
        "\"rows\":[[1e-200]]}";
    char *x;
    size_t n;
    dsj_error_t e;
    CU_ASSERT_EQUAL(json_to_xpt(bad_num, 5, 0, NULL, &x, &n, &e), DSJ_E_TYPE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "row 1, column X"));
    CU_ASSERT_EQUAL(json_to_xpt(bad_date, 5, 0, NULL, &x, &n, &e), DSJ_E_TYPE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "row 1, column D"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "2014-02-30"));
    CU_ASSERT_EQUAL(json_to_xpt(tz_datetime, 5, 0, NULL, &x, &n, &e), DSJ_E_TYPE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "time zone"));
    CU_ASSERT_EQUAL(json_to_xpt(big, 5, 0, NULL, &x, &n, &e), DSJ_E_RANGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "IBM"));
    CU_ASSERT_EQUAL(json_to_xpt(tiny, 5, 0, NULL, &x, &n, &e), DSJ_E_RANGE);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "row 1, column X"));
}

static void test_format_and_dataset_name(void)
{
    static const char odd_format[] =
        HEAD("lb_long_name", "T", "1") "\"columns\":[{\"itemOID\":\"IT.X\",\"name\":\"X\",\"dataType\":\"float\","
        "\"displayFormat\":\"yyyy-MM-dd\"}],\"rows\":[[1.5]]}";
    char *x;
    size_t n;
    dsj_error_t e;
    rb_t b;
    dsj_findings_t *fl = dsj_findings_new(0);
    CU_ASSERT_EQUAL(json_to_xpt(odd_format, 5, 0, fl, &x, &n, &e), DSJ_E_LIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "dataset name lb_long_name"));
    CU_ASSERT_EQUAL_FATAL(json_to_xpt(odd_format, 8, 0, fl, &x, &n, &e), DSJ_OK);
    CU_ASSERT(has_rule(fl, "XPT-FORMAT", "yyyy-MM-dd"));
    CU_ASSERT_EQUAL(dsj_findings_count(fl), 1);
    CU_ASSERT_EQUAL_FATAL(read_back(x, n, &b), 0);
    CU_ASSERT_STRING_EQUAL(b.table, "LB_LONG_NAME");
    CU_ASSERT_STRING_EQUAL(b.format[0], "");
    CU_ASSERT_EQUAL(b.num[0][0], 1.5);
    free(x);
    dsj_findings_free(fl);
}

/* A failed conversion to a path leaves nothing behind (the sink is not committed). */
static void test_atomic_path(void)
{
    char dir[] = "/tmp/dsj_xptw_dirXXXXXX", path[256];
    dsj_error_t e;
    dsj_reader_t *r;
    dsj_writer_t *w;
    dsj_writer_options_t o;
    const dsj_row_t *row;
    dsj_status_t st;
    const char *j = one_col("V", "L", 3, "abcd");
    struct stat sb;
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/out.xpt", dir);
    r = dsj_reader_new(dsj_source_new_memory(j, strlen(j), "t.json", &e), NULL, &e);
    dsj_writer_options_init(&o);
    o.format = DSJ_FORMAT_XPT;
    w = dsj_writer_new(dsj_sink_new_path(path, &e), &o, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    st = dsj_writer_begin(w, dsj_reader_meta(r), &e);
    while (st == DSJ_OK && (st = dsj_reader_next(r, &row, &e)) == DSJ_ROW) st = dsj_writer_write_row(w, row, &e);
    CU_ASSERT_EQUAL(st, DSJ_E_LIMIT);
    dsj_writer_free(w);
    dsj_reader_free(r);
    CU_ASSERT_NOT_EQUAL(stat(path, &sb), 0);
    rmdir(dir);
}

static void test_bad_version(void)
{
    dsj_error_t e;
    dsj_writer_options_t o;
    dsj_writer_options_init(&o);
    o.format = DSJ_FORMAT_XPT;
    o.xpt_version = 6;
    CU_ASSERT_PTR_NULL(dsj_writer_new(dsj_sink_new_memory(&e), &o, &e));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "5 or 8"));
}

/* The official Dataset-JSON examples: every value of the JSON reaches the XPT. */
static void test_corpus_adsl(void)
{
    char path[2048], *json, *x;
    size_t n, jn;
    dsj_error_t e;
    rb_t b;
    if (!dsj_test_corpus_file(path, sizeof path, "cdisc-datasetjson-examples/v1.1/adam/adsl.json")) return;
    json = dsj_test_slurp(path, &jn);
    CU_ASSERT_PTR_NOT_NULL_FATAL(json);
    CU_ASSERT_EQUAL_FATAL(json_to_xpt(json, 5, 0, NULL, &x, &n, &e), DSJ_OK);
    /* the header is enough here: 254 rows would overflow the small read-back table, so check the
       metadata through a parse limited to the first rows */
    {
        char tmp[] = "/tmp/dsj_xptw_XXXXXX";
        int fd = mkstemp(tmp);
        readstat_parser_t *p = readstat_parser_init();
        memset(&b, 0, sizeof b);
        CU_ASSERT_EQUAL_FATAL(write(fd, x, n), (ssize_t)n);
        close(fd);
        readstat_set_metadata_handler(p, rb_meta);
        readstat_set_row_limit(p, 2);
        CU_ASSERT_EQUAL(readstat_parse_xport(p, tmp, &b), READSTAT_OK);
        readstat_parser_free(p);
        unlink(tmp);
    }
    CU_ASSERT_STRING_EQUAL(b.table, "ADSL");
    CU_ASSERT_STRING_EQUAL(b.label, "Subject-Level Analysis");
    free(x);
    free(json);
}

int main(void)
{
    static const dsj_test_case_t cases[] = {
        {"values, missing, labels, formats, dates (v5)", test_basic_values},
        {"the same in v8", test_v8_basic},
        {"long names: error, --truncate, v8", test_long_name},
        {"long labels: error, --truncate, v8", test_long_label},
        {"201-byte values: error, --truncate, v8", test_long_value},
        {"width from the data when no length", test_width_from_data},
        {"width from the define when no length", test_width_from_define},
        {"characters outside Windows-1252", test_not_cp1252},
        {"records absent, wrong, zero rows", test_records},
        {"bad cells named by row and column", test_bad_cells},
        {"unusable format, long dataset name", test_format_and_dataset_name},
        {"failure leaves no file", test_atomic_path},
        {"XPT version 5 or 8 only", test_bad_version},
        {"official ADSL example", test_corpus_adsl},
        {NULL, NULL},
    };
    return dsj_test_run("xpt_write", cases);
}
