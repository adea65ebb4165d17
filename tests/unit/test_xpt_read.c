/* Unit tests: XPT/SAS7BDAT reader (xpt_read.c, xpt_meta.c) on files written here with ReadStat's writer. */
#include "test_util.h"

#include <math.h>
#include <readstat.h>
#include <unistd.h>

static char tmpdir[256];

static ssize_t write_fp(const void *data, size_t len, void *ctx)
{
    return (ssize_t)fwrite(data, 1, len, (FILE *)ctx);
}

static const char *tmp_path(const char *name)
{
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

/* ---- a small test dataset: one variable of each kind ---- */


static int write_basic(const char *path, int version, int sas7bdat)
{
    FILE *fp = fopen(path, "wb");
    readstat_writer_t *w = readstat_writer_init();
    readstat_variable_t *s, *n, *d, *dt, *tm;
    readstat_error_t rc;
    if (!fp || !w) return -1;
    readstat_set_data_writer(w, write_fp);
    readstat_writer_set_file_label(w, "Basic test data");
    readstat_writer_set_table_name(w, "BASIC");
    if (!sas7bdat) readstat_writer_set_file_format_version(w, (uint8_t)version);
    s = readstat_add_variable(w, "TXT", READSTAT_TYPE_STRING, 10);
    readstat_variable_set_label(s, "Some text");
    n = readstat_add_variable(w, "VAL", READSTAT_TYPE_DOUBLE, 8);
    readstat_variable_set_label(n, "A result");
    readstat_variable_set_format(n, "8.2");
    d = readstat_add_variable(w, "ADT", READSTAT_TYPE_DOUBLE, 8);
    readstat_variable_set_label(d, "A date");
    readstat_variable_set_format(d, "DATE9");
    dt = readstat_add_variable(w, "ADTM", READSTAT_TYPE_DOUBLE, 8);
    readstat_variable_set_format(dt, "DATETIME20");
    tm = readstat_add_variable(w, "ATM", READSTAT_TYPE_DOUBLE, 8);
    readstat_variable_set_format(tm, "TIME8");
    rc = sas7bdat ? readstat_begin_writing_sas7bdat(w, fp, 3) : readstat_begin_writing_xport(w, fp, 3);
    /* row 1: plain values */
    readstat_begin_row(w);
    readstat_insert_string_value(w, s, "abc");
    readstat_insert_double_value(w, n, nextafter(8.55, 0.0)); /* 8.549999999999999 */
    readstat_insert_double_value(w, d, 19725);                /* 2014-01-02 */
    readstat_insert_double_value(w, dt, 0);                   /* 1960-01-01T00:00:00 */
    readstat_insert_double_value(w, tm, 3600);                /* 01:00:00 */
    readstat_end_row(w);
    /* row 2: blank and missing values */
    readstat_begin_row(w);
    readstat_insert_string_value(w, s, "");
    readstat_insert_missing_value(w, n);
    readstat_insert_tagged_missing_value(w, d, 'A');
    readstat_insert_tagged_missing_value(w, dt, '_');
    readstat_insert_tagged_missing_value(w, tm, 'Z');
    readstat_end_row(w);
    /* row 3: leading blanks, small and negative values */
    readstat_begin_row(w);
    readstat_insert_string_value(w, s, "  lead");
    readstat_insert_double_value(w, n, 1e-9);
    readstat_insert_double_value(w, d, -1);                   /* 1959-12-31 */
    readstat_insert_double_value(w, dt, 1735.5 * 2);          /* 3471 s: 1960-01-01T00:57:51 */
    readstat_insert_double_value(w, tm, 86399);
    readstat_end_row(w);
    if (rc == READSTAT_OK) rc = readstat_end_writing(w);
    readstat_writer_free(w);
    fclose(fp);
    return rc == READSTAT_OK ? 0 : -1;
}

enum { SEEN_MAX = 128 };
typedef struct { int n; char rules[SEEN_MAX][40]; char msgs[SEEN_MAX][300]; uint64_t rows[SEEN_MAX]; } seen_t;

static int collect(const dsj_finding_t *f, void *ctx)
{
    seen_t *s = ctx;
    if (s->n < SEEN_MAX) {
        snprintf(s->rules[s->n], sizeof s->rules[0], "%s", f->rule);
        snprintf(s->msgs[s->n], sizeof s->msgs[0], "%s", f->message);
        s->rows[s->n] = f->row;
    }
    s->n++;
    return 0;
}

static int seen_rule(const seen_t *s, const char *rule)
{
    int i, c = 0;
    for (i = 0; i < s->n && i < SEEN_MAX; i++)
        if (strcmp(s->rules[i], rule) == 0) c++;
    return c;
}

static dsj_reader_t *open_with(const char *path, unsigned flags, const char *enc, const void *define, seen_t *seen,
                               dsj_error_t *err)
{
    dsj_reader_options_t o;
    dsj_reader_options_init(&o);
    o.flags = flags;
    o.encoding = enc;
    o.define = define;
    o.on_finding = collect;
    o.finding_ctx = seen;
    dsj_error_clear(err);
    return dsj_reader_open(path, &o, err);
}

#define CELL_IS(c, k, s) \
    do { \
        CU_ASSERT_EQUAL((c).kind, (k)); \
        if ((k) != DSJ_CELL_NULL) { \
            CU_ASSERT_PTR_NOT_NULL_FATAL((c).text); \
            CU_ASSERT_STRING_EQUAL((c).text, (s)); \
        } \
    } while (0)

static void check_basic(const char *path, unsigned flags)
{
    dsj_error_t err;
    seen_t seen;
    dsj_reader_t *r;
    const dsj_meta_t *m;
    const dsj_column_t *c;
    const dsj_row_t *row;
    int64_t rec = -1;
    int dates_num = (flags & DSJ_READ_SAS_DATES_AS_NUMBERS) != 0;
    memset(&seen, 0, sizeof seen);
    r = open_with(path, flags, NULL, NULL, &seen, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    m = dsj_reader_meta(r);
    CU_ASSERT_EQUAL(seen_rule(&seen, "XPT-NO-DEFINE"), 1);
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_ITEMGROUP_OID), "IG.BASIC");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_NAME), "BASIC");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_LABEL), "Basic test data");
    CU_ASSERT_TRUE(dsj_meta_records(m, &rec));
    CU_ASSERT_EQUAL(rec, 3);
    CU_ASSERT_EQUAL_FATAL(dsj_meta_ncolumns(m), 5);
    c = dsj_meta_column(m, 0);
    CU_ASSERT_STRING_EQUAL(c->item_oid, "IT.BASIC.TXT");
    CU_ASSERT_STRING_EQUAL(c->label, "Some text");
    CU_ASSERT_EQUAL(c->data_type, DSJ_TYPE_STRING);
    CU_ASSERT_EQUAL(c->length, 10);
    c = dsj_meta_column(m, 1);
    CU_ASSERT_EQUAL(c->data_type, DSJ_TYPE_DOUBLE);
    CU_ASSERT_STRING_EQUAL(c->display_format, "8.2");
    c = dsj_meta_column(m, 2);
    CU_ASSERT_EQUAL(c->data_type, dates_num ? DSJ_TYPE_INTEGER : DSJ_TYPE_DATE);
    CU_ASSERT_EQUAL(c->target_data_type, dates_num ? DSJ_TYPE_NONE : DSJ_TYPE_INTEGER);
    CU_ASSERT_STRING_EQUAL(c->display_format, "DATE9.");
    CU_ASSERT_EQUAL(dsj_meta_column(m, 3)->data_type, dates_num ? DSJ_TYPE_INTEGER : DSJ_TYPE_DATETIME);
    CU_ASSERT_EQUAL(dsj_meta_column(m, 4)->data_type, dates_num ? DSJ_TYPE_INTEGER : DSJ_TYPE_TIME);

    CU_ASSERT_EQUAL_FATAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CU_ASSERT_EQUAL(row->index, 1);
    CU_ASSERT_EQUAL_FATAL(row->ncells, 5);
    CELL_IS(row->cells[0], DSJ_CELL_STRING, "abc");
    CELL_IS(row->cells[1], DSJ_CELL_NUMBER, (flags & DSJ_READ_EXACT_NUMBERS) ? "8.549999999999999" : "8.55");
    if (dates_num) {
        CELL_IS(row->cells[2], DSJ_CELL_INTEGER, "19725");
        CELL_IS(row->cells[3], DSJ_CELL_INTEGER, "0");
        CELL_IS(row->cells[4], DSJ_CELL_INTEGER, "3600");
    } else {
        CELL_IS(row->cells[2], DSJ_CELL_STRING, "2014-01-02");
        CELL_IS(row->cells[3], DSJ_CELL_STRING, "1960-01-01T00:00:00");
        CELL_IS(row->cells[4], DSJ_CELL_STRING, "01:00:00");
    }
    CU_ASSERT_EQUAL_FATAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CU_ASSERT_EQUAL(row->index, 2);
    CELL_IS(row->cells[0], DSJ_CELL_STRING, "");
    CELL_IS(row->cells[1], DSJ_CELL_NULL, NULL);
    CELL_IS(row->cells[2], DSJ_CELL_NULL, NULL);
    CELL_IS(row->cells[3], DSJ_CELL_NULL, NULL);
    CELL_IS(row->cells[4], DSJ_CELL_NULL, NULL);
    CU_ASSERT_EQUAL_FATAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CELL_IS(row->cells[0], DSJ_CELL_STRING, "  lead");
    CELL_IS(row->cells[1], DSJ_CELL_NUMBER, "1e-9");
    if (!dates_num) {
        CELL_IS(row->cells[2], DSJ_CELL_STRING, "1959-12-31");
        CELL_IS(row->cells[3], DSJ_CELL_STRING, "1960-01-01T00:57:51");
        CELL_IS(row->cells[4], DSJ_CELL_STRING, "23:59:59");
    } else {
        CELL_IS(row->cells[2], DSJ_CELL_INTEGER, "-1");
    }
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_DONE);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_DONE);
    CU_ASSERT_EQUAL(seen_rule(&seen, "XPT-VALUE-DATE"), 0);
    dsj_reader_free(r);
}

static void test_basic_v5(void)
{
    const char *p = tmp_path("basic5.xpt");
    CU_ASSERT_EQUAL_FATAL(write_basic(p, 5, 0), 0);
    check_basic(p, 0);
    check_basic(p, DSJ_READ_EXACT_NUMBERS);
    check_basic(p, DSJ_READ_SAS_DATES_AS_NUMBERS);
}

static void test_basic_v8(void)
{
    const char *p = tmp_path("basic8.xpt");
    CU_ASSERT_EQUAL_FATAL(write_basic(p, 8, 0), 0);
    check_basic(p, 0);
}

static void test_sas7bdat(void)
{
    const char *p = tmp_path("basic.sas7bdat");
    CU_ASSERT_EQUAL_FATAL(write_basic(p, 0, 1), 0);
    check_basic(p, 0);
}

/* The extension does not matter: the XPORT banner is sniffed. */
static void test_sniffed(void)
{
    const char *p = tmp_path("basic.dat");
    CU_ASSERT_EQUAL_FATAL(write_basic(p, 5, 0), 0);
    check_basic(p, 0);
}

/* ---- encodings ---- */

static int write_text(const char *path, const char *const *values, int n)
{
    FILE *fp = fopen(path, "wb");
    readstat_writer_t *w = readstat_writer_init();
    readstat_variable_t *id, *s;
    int i;
    readstat_error_t rc;
    if (!fp || !w) return -1;
    readstat_set_data_writer(w, write_fp);
    readstat_writer_set_table_name(w, "ENC");
    id = readstat_add_variable(w, "ID", READSTAT_TYPE_DOUBLE, 8);
    s = readstat_add_variable(w, "TERM", READSTAT_TYPE_STRING, 20);
    rc = readstat_begin_writing_xport(w, fp, n);
    for (i = 0; i < n; i++) {
        readstat_begin_row(w);
        readstat_insert_double_value(w, id, i + 1);
        readstat_insert_string_value(w, s, values[i]);
        readstat_end_row(w);
    }
    if (rc == READSTAT_OK) rc = readstat_end_writing(w);
    readstat_writer_free(w);
    fclose(fp);
    return rc == READSTAT_OK ? 0 : -1;
}

static void test_encoding(void)
{
    static const char *const latin[] = {"plain", "caf\xe9", "\x80uro"};
    static const char *const bad[] = {"plain", "x\x81y"};
    const char *p = tmp_path("latin.xpt"), *q = tmp_path("bad.xpt");
    dsj_error_t err;
    seen_t seen;
    dsj_reader_t *r;
    const dsj_row_t *row;
    CU_ASSERT_EQUAL_FATAL(write_text(p, latin, 3), 0);
    /* default WINDOWS-1252 */
    memset(&seen, 0, sizeof seen);
    r = open_with(p, 0, NULL, NULL, &seen, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CELL_IS(row->cells[1], DSJ_CELL_STRING, "plain");
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CELL_IS(row->cells[1], DSJ_CELL_STRING, "caf\xc3\xa9");
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CELL_IS(row->cells[1], DSJ_CELL_STRING, "\xe2\x82\xacuro"); /* 0x80 is the euro sign in Windows-1252 */
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_DONE);
    dsj_reader_free(r);
    /* ISO-8859-1 given: 0xE9 is still é */
    r = open_with(p, 0, "ISO-8859-1", NULL, &seen, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CELL_IS(row->cells[1], DSJ_CELL_STRING, "caf\xc3\xa9");
    dsj_reader_free(r);
    /* UTF-8 given: 0xE9 alone is not UTF-8: an error naming row and column */
    r = open_with(p, 0, "UTF-8", NULL, &seen, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_E_ENCODING);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "row 2"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "TERM"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "0xE9"));
    CU_ASSERT_STRING_EQUAL(err.file, p);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_E_ENCODING); /* stays failed */
    dsj_reader_free(r);
    /* an unknown encoding name */
    r = open_with(p, 0, "NO-SUCH-ENCODING-42", NULL, &seen, &err);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "NO-SUCH-ENCODING-42"));
    dsj_reader_free(r);
    /* 0x81 is not defined in Windows-1252 */
    CU_ASSERT_EQUAL_FATAL(write_text(q, bad, 2), 0);
    r = open_with(q, 0, NULL, NULL, &seen, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_E_ENCODING);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "row 2, column TERM"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "0x81"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "WINDOWS-1252"));
    dsj_reader_free(r);
}

/* ---- a long file: bounded batches, counts, early free ---- */

static int write_long(const char *path, int n)
{
    FILE *fp = fopen(path, "wb");
    readstat_writer_t *w = readstat_writer_init();
    readstat_variable_t *a, *b, *s;
    char txt[32];
    int i;
    readstat_error_t rc;
    if (!fp || !w) return -1;
    readstat_set_data_writer(w, write_fp);
    readstat_writer_set_table_name(w, "LONG");
    a = readstat_add_variable(w, "SEQ", READSTAT_TYPE_DOUBLE, 8);
    b = readstat_add_variable(w, "X", READSTAT_TYPE_DOUBLE, 8);
    s = readstat_add_variable(w, "S", READSTAT_TYPE_STRING, 3); /* row length 19: not a multiple of 80 */
    rc = readstat_begin_writing_xport(w, fp, n);
    for (i = 0; i < n && rc == READSTAT_OK; i++) {
        readstat_begin_row(w);
        readstat_insert_double_value(w, a, i + 1);
        readstat_insert_double_value(w, b, (i + 1) / 10.0);
        snprintf(txt, sizeof txt, "%d", i % 1000);
        readstat_insert_string_value(w, s, txt);
        rc = readstat_end_row(w);
    }
    if (rc == READSTAT_OK) rc = readstat_end_writing(w);
    readstat_writer_free(w);
    fclose(fp);
    return rc == READSTAT_OK ? 0 : -1;
}

static void test_long(void)
{
    const int n = 100003;
    const char *p = tmp_path("long.xpt");
    dsj_error_t err;
    seen_t seen;
    dsj_reader_t *r;
    const dsj_row_t *row;
    int64_t rec = 0;
    int i, bad = 0;
    dsj_status_t st;
    char want[64];
    CU_ASSERT_EQUAL_FATAL(write_long(p, n), 0);
    memset(&seen, 0, sizeof seen);
    r = open_with(p, 0, NULL, NULL, &seen, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_TRUE(dsj_meta_records(dsj_reader_meta(r), &rec));
    CU_ASSERT_EQUAL(rec, n);
    for (i = 0; (st = dsj_reader_next(r, &row, &err)) == DSJ_ROW; i++) {
        snprintf(want, sizeof want, "%d", i + 1);
        if (row->index != (uint64_t)(i + 1) || strcmp(row->cells[0].text, want) != 0) bad++;
        if (strtod(row->cells[1].text, NULL) != (i + 1) / 10.0 && fabs(strtod(row->cells[1].text, NULL) - (i + 1) / 10.0) > 1e-9)
            bad++;
        snprintf(want, sizeof want, "%d", i % 1000);
        if (strcmp(row->cells[2].text, want) != 0) bad++;
    }
    CU_ASSERT_EQUAL(st, DSJ_DONE);
    CU_ASSERT_EQUAL(i, n);
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_TRUE(dsj_reader_bytes_read(r) > 0);
    dsj_reader_free(r);
    /* freeing early stops the producer (no hang, no leak) */
    r = open_with(p, 0, NULL, NULL, &seen, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    for (i = 0; i < 10; i++) CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    dsj_reader_free(r);
    r = open_with(p, 0, NULL, NULL, &seen, &err); /* and before any row */
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    dsj_reader_free(r);
}

static void test_empty(void)
{
    const char *p = tmp_path("empty.xpt");
    dsj_error_t err;
    seen_t seen;
    dsj_reader_t *r;
    const dsj_row_t *row;
    int64_t rec = -1;
    CU_ASSERT_EQUAL_FATAL(write_text(p, NULL, 0), 0);
    memset(&seen, 0, sizeof seen);
    r = open_with(p, 0, NULL, NULL, &seen, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_TRUE(dsj_meta_records(dsj_reader_meta(r), &rec));
    CU_ASSERT_EQUAL(rec, 0);
    CU_ASSERT_EQUAL(dsj_meta_ncolumns(dsj_reader_meta(r)), 2);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_DONE);
    dsj_reader_free(r);
}

/* ---- broken and foreign inputs ---- */

static void write_bytes(const char *path, const char *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fwrite(data, 1, n, fp);
    fclose(fp);
}

static void test_broken(void)
{
    char buf[400];
    dsj_error_t err;
    seen_t seen;
    dsj_reader_t *r;
    const char *p = tmp_path("cport.xpt");
    size_t len = 0;
    char *whole;
    memset(&seen, 0, sizeof seen);
    memset(buf, ' ', sizeof buf);
    memcpy(buf, "**COMPRESSED** **COMPRESSED** **COMPRESSED** **COMPRESSED** **COMPRESSED********", 80);
    write_bytes(p, buf, sizeof buf);
    r = open_with(p, 0, NULL, NULL, &seen, &err);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(err.code, DSJ_E_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "CPORT"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "CIMPORT"));
    /* text with an .xpt name */
    p = tmp_path("text.xpt");
    write_bytes(p, "hello, this is not a transport file\n", 36);
    r = open_with(p, 0, NULL, NULL, &seen, &err);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(err.code, DSJ_E_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "XPORT"));
    /* a truncated transport file: the library header only */
    p = tmp_path("trunc.xpt");
    CU_ASSERT_EQUAL_FATAL(write_basic(tmp_path("full.xpt"), 5, 0), 0);
    whole = dsj_test_slurp(tmp_path("full.xpt"), &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(whole);
    write_bytes(p, whole, 200);
    r = open_with(p, 0, NULL, NULL, &seen, &err);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_NOT_EQUAL(err.code, DSJ_OK);
    CU_ASSERT_STRING_EQUAL(err.file, p);
    /* two members (datasets) in one transport file: refused, not read as rows */
    {
        static const char *const vals[] = {"one", "two"};
        size_t len2 = 0;
        char *second;
        const dsj_row_t *row;
        dsj_status_t st;
        FILE *fp;
        CU_ASSERT_EQUAL_FATAL(write_text(tmp_path("latin.xpt"), vals, 2), 0);
        second = dsj_test_slurp(tmp_path("latin.xpt"), &len2);
        CU_ASSERT_PTR_NOT_NULL_FATAL(second);
        fp = fopen(tmp_path("two.xpt"), "wb");
        CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
        fwrite(whole, 1, len, fp);
        fwrite(second + 240, 1, len2 - 240, fp); /* without its library header (3 records) */
        fclose(fp);
        free(second);
        r = open_with(tmp_path("two.xpt"), 0, NULL, NULL, &seen, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        while ((st = dsj_reader_next(r, &row, &err)) == DSJ_ROW) {}
        CU_ASSERT_EQUAL(st, DSJ_E_UNSUPPORTED);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "more than one dataset"));
        dsj_reader_free(r);
    }
    /* a memory source cannot be read by ReadStat here: a clear error */
    {
        dsj_reader_options_t o;
        dsj_source_t *src = dsj_source_new_memory(whole, len, "mem.xpt", &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(src);
        dsj_reader_options_init(&o);
        o.format = DSJ_FORMAT_XPT;
        r = dsj_reader_new(src, &o, &err);
        CU_ASSERT_PTR_NULL(r);
        CU_ASSERT_EQUAL(err.code, DSJ_E_UNSUPPORTED);
        CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "path"));
    }
    free(whole);
    /* a non-integral date is kept as a number, with an error finding naming the row */
    {
        FILE *fp = fopen(tmp_path("frac.xpt"), "wb");
        readstat_writer_t *w = readstat_writer_init();
        readstat_variable_t *d, *t;
        const dsj_row_t *row;
        readstat_set_data_writer(w, write_fp);
        d = readstat_add_variable(w, "ADT", READSTAT_TYPE_DOUBLE, 8);
        readstat_variable_set_format(d, "E8601DA10");
        t = readstat_add_variable(w, "ADTM", READSTAT_TYPE_DOUBLE, 8);
        readstat_variable_set_format(t, "E8601DT26.3");
        readstat_begin_writing_xport(w, fp, 3);
        readstat_begin_row(w);
        readstat_insert_double_value(w, d, 100);
        readstat_insert_double_value(w, t, 1900000000.125);
        readstat_end_row(w);
        readstat_begin_row(w);
        readstat_insert_double_value(w, d, 100.5);
        readstat_insert_double_value(w, t, -0.5);
        readstat_end_row(w);
        readstat_begin_row(w);
        readstat_insert_double_value(w, d, 3e6); /* year 10173 */
        readstat_insert_double_value(w, t, 86400.25);
        readstat_end_row(w);
        readstat_end_writing(w);
        readstat_writer_free(w);
        fclose(fp);
        memset(&seen, 0, sizeof seen);
        r = open_with(tmp_path("frac.xpt"), 0, NULL, NULL, &seen, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(dsj_meta_column(dsj_reader_meta(r), 0)->data_type, DSJ_TYPE_DATE);
        CU_ASSERT_STRING_EQUAL(dsj_meta_column(dsj_reader_meta(r), 0)->display_format, "E8601DA10.");
        CU_ASSERT_EQUAL(dsj_meta_column(dsj_reader_meta(r), 1)->data_type, DSJ_TYPE_DATETIME);
        CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
        CELL_IS(row->cells[0], DSJ_CELL_STRING, "1960-04-10");
        CELL_IS(row->cells[1], DSJ_CELL_STRING, "2020-03-16T17:46:40.125"); /* a fraction of a second is kept */
        CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
        CELL_IS(row->cells[0], DSJ_CELL_NUMBER, "100.5");
        CELL_IS(row->cells[1], DSJ_CELL_NUMBER, "-0.5");
        CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
        CELL_IS(row->cells[0], DSJ_CELL_INTEGER, "3000000");
        CELL_IS(row->cells[1], DSJ_CELL_STRING, "1960-01-02T00:00:00.25");
        CU_ASSERT_EQUAL(seen_rule(&seen, "XPT-VALUE-DATE"), 3);
        CU_ASSERT_EQUAL(seen.rows[1], 2);
        CU_ASSERT_STRING_EQUAL(seen.rules[1], "XPT-VALUE-DATE");
        CU_ASSERT_PTR_NOT_NULL(strstr(seen.msgs[1], "ADT"));
        CU_ASSERT_EQUAL(seen.rows[3], 3);
        CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_DONE);
        dsj_reader_free(r);
    }
}

/* ---- with a define: the official ADaM define and a hand-made ADSL with mismatches ---- */

static void test_define(void)
{
    char dpath[2048], xpath[2048];
    dsj_define_t *def;
    dsj_error_t err;
    seen_t seen;
    dsj_reader_t *r;
    const dsj_meta_t *m;
    const dsj_row_t *row;
    long ci;
    if (!dsj_test_corpus_file(dpath, sizeof dpath, "cdisc-datasetjson-examples/v1.1/adam/define.xml")) return;
    dsj_test_corpus_file(xpath, sizeof xpath, "cdisc-datasetjson-examples/v1.1/adam/adsl.xpt");
    def = dsj_define_load(dpath, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(def);
    memset(&seen, 0, sizeof seen);
    r = open_with(xpath, 0, NULL, def, &seen, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(seen_rule(&seen, "XPT-NO-DEFINE"), 0);
    m = dsj_reader_meta(r);
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_ITEMGROUP_OID), "IG.ADSL");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_LABEL), "Subject-Level Analysis");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_METADATA_REF), "define.xml");
    ci = dsj_meta_find_column(m, "TRTSDT");
    CU_ASSERT_TRUE_FATAL(ci >= 0);
    CU_ASSERT_EQUAL(dsj_meta_column(m, (size_t)ci)->data_type, DSJ_TYPE_DATE);
    CU_ASSERT_EQUAL(dsj_meta_column(m, (size_t)ci)->target_data_type, DSJ_TYPE_INTEGER);
    CU_ASSERT_STRING_EQUAL(dsj_meta_column(m, (size_t)ci)->display_format, "DATE9.");
    CU_ASSERT_EQUAL(dsj_meta_column(m, 1)->key_sequence, 1);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CELL_IS(row->cells[ci], DSJ_CELL_STRING, "2014-01-02");
    ci = dsj_meta_find_column(m, "TRT01PN");
    CU_ASSERT_EQUAL(dsj_meta_column(m, (size_t)ci)->data_type, DSJ_TYPE_INTEGER);
    CELL_IS(row->cells[ci], DSJ_CELL_INTEGER, "0");
    dsj_reader_free(r);

    /* A file named ADSL with: a variable the define lacks, a character TRT01PN (define: integer), a label
       that differs, and most define variables missing. */
    {
        FILE *fp = fopen(tmp_path("adsl.xpt"), "wb");
        readstat_writer_t *w = readstat_writer_init();
        readstat_variable_t *u, *t, *extra;
        readstat_set_data_writer(w, write_fp);
        readstat_writer_set_table_name(w, "ADSL");
        u = readstat_add_variable(w, "USUBJID", READSTAT_TYPE_STRING, 11);
        readstat_variable_set_label(u, "Subject");
        t = readstat_add_variable(w, "TRT01PN", READSTAT_TYPE_STRING, 4);
        extra = readstat_add_variable(w, "MYVAR", READSTAT_TYPE_DOUBLE, 8);
        readstat_begin_writing_xport(w, fp, 1);
        readstat_begin_row(w);
        readstat_insert_string_value(w, u, "01-701-1015");
        readstat_insert_string_value(w, t, "0");
        readstat_insert_double_value(w, extra, 2.5);
        readstat_end_row(w);
        readstat_end_writing(w);
        readstat_writer_free(w);
        fclose(fp);
    }
    memset(&seen, 0, sizeof seen);
    r = open_with(tmp_path("adsl.xpt"), 0, NULL, def, &seen, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    m = dsj_reader_meta(r);
    CU_ASSERT_EQUAL(seen_rule(&seen, "XPT-DEFINE-TYPE"), 1);
    CU_ASSERT_EQUAL(seen_rule(&seen, "XPT-DEFINE-MISSING-VAR"), 1);
    CU_ASSERT_TRUE(seen_rule(&seen, "XPT-DEFINE-EXTRA-VAR") >= 10);
    CU_ASSERT_TRUE(seen.n > 40); /* every define variable the file lacks */
    CU_ASSERT_EQUAL_FATAL(dsj_meta_ncolumns(m), 3);
    CU_ASSERT_STRING_EQUAL(dsj_meta_column(m, 0)->name, "USUBJID");
    CU_ASSERT_STRING_EQUAL(dsj_meta_column(m, 0)->label, "Unique Subject Identifier");
    CU_ASSERT_STRING_EQUAL(dsj_meta_column(m, 2)->item_oid, "IT.ADSL.MYVAR");
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CELL_IS(row->cells[1], DSJ_CELL_STRING, "0");
    CELL_IS(row->cells[2], DSJ_CELL_NUMBER, "2.5");
    dsj_reader_free(r);
    dsj_define_free(def);
}

/* ---- the official files ---- */

static void test_corpus_cport(void)
{
    char p[2048];
    dsj_error_t err;
    dsj_reader_t *r;
    if (!dsj_test_corpus_file(p, sizeof p, "negative-cases/sas-cport-not-xport_cported.xpt")) return;
    r = dsj_reader_open(p, NULL, &err);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(err.code, DSJ_E_FORMAT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "CPORT"));
}

static void cleanup(void)
{
    static const char *const names[] = {"basic5.xpt", "basic8.xpt", "basic.sas7bdat", "basic.dat", "latin.xpt", "bad.xpt",
                                        "long.xpt", "empty.xpt", "cport.xpt", "text.xpt", "trunc.xpt", "full.xpt",
                                        "frac.xpt", "adsl.xpt", "two.xpt", NULL};
    int i;
    for (i = 0; names[i]; i++) unlink(tmp_path(names[i]));
    rmdir(tmpdir);
}

static const dsj_test_case_t cases[] = {
    {"basic_v5", test_basic_v5},
    {"basic_v8", test_basic_v8},
    {"sas7bdat", test_sas7bdat},
    {"sniffed", test_sniffed},
    {"encoding", test_encoding},
    {"long", test_long},
    {"empty", test_empty},
    {"broken", test_broken},
    {"define", test_define},
    {"corpus_cport", test_corpus_cport},
    {NULL, NULL}
};

int main(void)
{
    int rc;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/dsj_xpt_test_XXXXXX");
    if (!mkdtemp(tmpdir)) return 2;
    rc = dsj_test_run("xpt_read", cases);
    cleanup();
    return rc;
}
