/* Unit tests of the Dataset-XML 1.0 reader (libdsjson/datasetxml_read*.c). */
#include "test_util.h"

#include "datasetxml_read_internal.h"

#include <time.h>
#include <unistd.h>

#define TD "testdata/datasetxml/"

static dsj_define_t *g_def;

static const dsj_define_t *def(void)
{
    if (!g_def) {
        dsj_error_t e;
        g_def = dsj_define_load(TD "define.xml", &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(g_def);
    }
    return g_def;
}

/* The usual head of a test file: ODM root with the data namespace, ClinicalData. */
#define HEAD                                                                                                  \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                                          \
    "<ODM xmlns=\"http://www.cdisc.org/ns/odm/v1.3\" xmlns:data=\"http://www.cdisc.org/ns/Dataset-XML/v1.0\" " \
    "ODMVersion=\"1.3.2\" FileType=\"Snapshot\" FileOID=\"F.XX\" data:DatasetXMLVersion=\"1.0.0\">\n"         \
    "<ClinicalData StudyOID=\"ST.DXML\" MetaDataVersionOID=\"MDV.DXML\">\n"
#define TAIL "</ClinicalData>\n</ODM>\n"

/* Open a reader on memory (seekable) or through a callback (not seekable). */
typedef struct mem_cb {
    const char *p;
    size_t n, pos, step;
} mem_cb_t;

static long mem_read(void *ctx, void *buf, size_t n)
{
    mem_cb_t *m = ctx;
    size_t k = m->n - m->pos;
    if (k > n) k = n;
    if (k > m->step) k = m->step;
    memcpy(buf, m->p + m->pos, k);
    m->pos += k;
    return (long)k;
}

static dsj_reader_t *open_xml(const char *xml, size_t len, dsj_findings_t *fl, mem_cb_t *cb, dsj_error_t *e)
{
    dsj_reader_options_t ro;
    dsj_source_t *src;
    dsj_reader_options_init(&ro);
    ro.define = def();
    ro.on_finding = dsj_findings_add;
    ro.finding_ctx = fl;
    ro.format = DSJ_FORMAT_DATASETXML;
    if (cb) {
        cb->p = xml;
        cb->n = len;
        cb->pos = 0;
        if (!cb->step) cb->step = 7;
        src = dsj_source_new_callback(mem_read, cb, "cb.xml", e);
    } else {
        src = dsj_source_new_memory(xml, len, "mem.xml", e);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(src);
    dsj_error_clear(e);
    return dsj_reader_new(src, &ro, e);
}

/* Read everything; returns the number of rows, -1 on error (e filled). */
static long drain(dsj_reader_t *r, dsj_error_t *e)
{
    const dsj_row_t *row;
    dsj_status_t st;
    long n = 0;
    while ((st = dsj_reader_next(r, &row, e)) == DSJ_ROW) n++;
    return st == DSJ_DONE ? n : -1;
}

static size_t count_rule(const dsj_findings_t *fl, const char *rule)
{
    size_t i, n = 0;
    for (i = 0; i < dsj_findings_count(fl); i++)
        if (strcmp(dsj_findings_get(fl, i)->rule, rule) == 0) n++;
    return n;
}

static const dsj_finding_t *first_rule(const dsj_findings_t *fl, const char *rule)
{
    size_t i;
    for (i = 0; i < dsj_findings_count(fl); i++)
        if (strcmp(dsj_findings_get(fl, i)->rule, rule) == 0) return dsj_findings_get(fl, i);
    return NULL;
}

static int cell_is(const dsj_cell_t *c, dsj_cell_kind_t k, const char *text)
{
    if (c->kind != k) return 0;
    if (k == DSJ_CELL_NULL) return c->text == NULL;
    return c->text && c->len == strlen(text) && memcmp(c->text, text, c->len) == 0;
}

/* ------------------------------------------------------------------ tests */

static void test_valid_file(void)
{
    dsj_findings_t *fl = dsj_findings_new(0);
    dsj_error_t e;
    dsj_reader_t *r = dsj_reader_open(TD "xx.xml", &(dsj_reader_options_t){ .define = def(), .on_finding = dsj_findings_add,
                                                                            .finding_ctx = fl }, &e);
    const dsj_meta_t *m;
    const dsj_row_t *row;
    const dsj_cell_t *c;
    int64_t rec = -1;
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(dsj_reader_format(r), DSJ_FORMAT_DATASETXML);
    CU_ASSERT_PTR_NULL(dsj_reader_meta_json(r));
    m = dsj_reader_meta(r);
    CU_ASSERT_EQUAL(dsj_meta_version(m), DSJ_V1_1);
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_DATASET_JSON_VERSION), "1.1.0");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_FILE_OID), "ST.DXML.XX");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_DB_LAST_MODIFIED_DATETIME), "2024-01-31T23:00:00");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_ORIGINATOR), "libdsjson tests");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_SOURCE_SYSTEM_NAME), "handwritten");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_SOURCE_SYSTEM_VERSION), "1.0");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_STUDY_OID), "ST.DXML");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_METADATA_VERSION_OID), "MDV.DXML");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_METADATA_REF), "define.xml");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_ITEMGROUP_OID), "IG.XX");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_NAME), "XX");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_LABEL), "Test Domain");
    CU_ASSERT_PTR_NOT_NULL(dsj_meta_get(m, DSJ_META_CREATION_DATETIME));
    CU_ASSERT_FALSE(dsj_meta_is_reference_data(m));
    CU_ASSERT_TRUE(dsj_meta_records(m, &rec));
    CU_ASSERT_EQUAL(rec, 3);
    CU_ASSERT_EQUAL_FATAL(dsj_meta_ncolumns(m), 11);
    /* OrderNumber order: XXTEXT (2) before XXSEQ (3) although listed after it */
    CU_ASSERT_STRING_EQUAL(dsj_meta_column(m, 1)->name, "XXTEXT");
    CU_ASSERT_STRING_EQUAL(dsj_meta_column(m, 2)->name, "XXSEQ");
    CU_ASSERT_EQUAL(dsj_meta_column(m, 2)->data_type, DSJ_TYPE_INTEGER);
    CU_ASSERT_EQUAL(dsj_meta_column(m, 3)->data_type, DSJ_TYPE_FLOAT);
    CU_ASSERT_EQUAL(dsj_meta_column(m, 4)->data_type, DSJ_TYPE_DOUBLE);
    CU_ASSERT_EQUAL(dsj_meta_column(m, 10)->data_type, DSJ_TYPE_DATE);
    CU_ASSERT_EQUAL(dsj_meta_column(m, 10)->target_data_type, DSJ_TYPE_INTEGER);

    CU_ASSERT_EQUAL_FATAL(dsj_reader_next(r, &row, &e), DSJ_ROW);
    CU_ASSERT_EQUAL(row->index, 1);
    CU_ASSERT_EQUAL(row->line, 4);
    CU_ASSERT_EQUAL(row->column, 1);
    CU_ASSERT_EQUAL_FATAL(row->ncells, 11);
    c = row->cells;
    CU_ASSERT(cell_is(&c[0], DSJ_CELL_STRING, "DXML"));
    CU_ASSERT(cell_is(&c[1], DSJ_CELL_STRING, "a & b <c> \xc3\xa9t\xc3\xa9 \"q\""));
    CU_ASSERT(cell_is(&c[2], DSJ_CELL_INTEGER, "1"));
    CU_ASSERT(cell_is(&c[3], DSJ_CELL_NUMBER, "1.50")); /* exact text kept */
    CU_ASSERT(cell_is(&c[4], DSJ_CELL_NUMBER, "-2.5E+3"));
    CU_ASSERT(cell_is(&c[5], DSJ_CELL_STRING, "2024-01-15T08:30:00"));
    CU_ASSERT(cell_is(&c[6], DSJ_CELL_STRING, "2024-01-15"));
    CU_ASSERT(cell_is(&c[7], DSJ_CELL_STRING, "08:30"));
    CU_ASSERT(cell_is(&c[8], DSJ_CELL_BOOLEAN, "true"));
    CU_ASSERT(cell_is(&c[9], DSJ_CELL_STRING, "https://example.org/a?b=1&c=2"));
    CU_ASSERT(cell_is(&c[10], DSJ_CELL_STRING, "2024-01-15")); /* SAS day 23390 */
    CU_ASSERT_EQUAL(c[0].line, 5);
    CU_ASSERT_EQUAL(c[0].column, 1);
    CU_ASSERT_EQUAL(c[2].line, 7);

    CU_ASSERT_EQUAL_FATAL(dsj_reader_next(r, &row, &e), DSJ_ROW);
    c = row->cells;
    CU_ASSERT_EQUAL(row->index, 2);
    CU_ASSERT_EQUAL(row->line, 17);
    CU_ASSERT(cell_is(&c[0], DSJ_CELL_STRING, "DXML"));
    CU_ASSERT(cell_is(&c[1], DSJ_CELL_STRING, ""));       /* Value="" */
    CU_ASSERT(cell_is(&c[2], DSJ_CELL_INTEGER, "2"));
    CU_ASSERT(cell_is(&c[3], DSJ_CELL_NULL, NULL));       /* IsNull="Yes" */
    CU_ASSERT(cell_is(&c[4], DSJ_CELL_INTEGER, "7"));     /* a float column's integral text */
    CU_ASSERT(cell_is(&c[5], DSJ_CELL_STRING, "2024-01")); /* partial datetime: no finding */
    CU_ASSERT(cell_is(&c[6], DSJ_CELL_NULL, NULL));       /* no ItemData */
    CU_ASSERT(cell_is(&c[8], DSJ_CELL_BOOLEAN, "false"));
    CU_ASSERT(cell_is(&c[10], DSJ_CELL_STRING, "2024-01-16"));

    /* a record on one line */
    CU_ASSERT_EQUAL_FATAL(dsj_reader_next(r, &row, &e), DSJ_ROW);
    CU_ASSERT_EQUAL(row->line, 27);
    CU_ASSERT(cell_is(&row->cells[2], DSJ_CELL_INTEGER, "3"));
    CU_ASSERT_EQUAL(row->cells[2].line, 27);
    CU_ASSERT(row->cells[2].column > row->cells[0].column);
    CU_ASSERT(cell_is(&row->cells[1], DSJ_CELL_NULL, NULL));
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &e), DSJ_DONE);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &e), DSJ_DONE);
    {
        size_t len = 0;
        char *all = dsj_test_slurp(TD "xx.xml", &len);
        CU_ASSERT_EQUAL(dsj_reader_bytes_read(r), len);
        free(all);
    }
    CU_ASSERT_EQUAL(dsj_findings_count(fl), 0);
    dsj_reader_free(r);
    dsj_findings_free(fl);
}

static void test_bom_crlf_reference(void)
{
    dsj_findings_t *fl = dsj_findings_new(0);
    dsj_error_t e;
    dsj_reader_options_t ro;
    dsj_reader_t *r;
    const dsj_row_t *row;
    dsj_reader_options_init(&ro);
    ro.define = def();
    ro.on_finding = dsj_findings_add;
    ro.finding_ctx = fl;
    r = dsj_reader_open(TD "tt.xml", &ro, &e); /* sniffed from '<' after the BOM */
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_TRUE(dsj_reader_had_bom(r));
    CU_ASSERT_TRUE(dsj_meta_is_reference_data(dsj_reader_meta(r)));
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(dsj_reader_meta(r), DSJ_META_ITEMGROUP_OID), "IG.TT");
    CU_ASSERT_EQUAL_FATAL(dsj_reader_next(r, &row, &e), DSJ_ROW);
    CU_ASSERT_EQUAL(row->line, 7);
    CU_ASSERT(cell_is(&row->cells[2], DSJ_CELL_STRING, "line1\r\nline2")); /* character references kept */
    CU_ASSERT_EQUAL(row->cells[2].line, 10);
    CU_ASSERT_EQUAL_FATAL(dsj_reader_next(r, &row, &e), DSJ_ROW);
    CU_ASSERT_EQUAL(row->line, 12);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &e), DSJ_DONE);
    CU_ASSERT_EQUAL(dsj_findings_count(fl), 0); /* 1.0.1 accepted */
    dsj_reader_free(r);
    dsj_findings_free(fl);
}

static void test_no_define(void)
{
    dsj_error_t e;
    dsj_reader_options_t ro;
    dsj_reader_t *r;
    dsj_reader_options_init(&ro);
    r = dsj_reader_open(TD "xx.xml", &ro, &e);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(e.code, DSJ_E_ARG);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "pass --define define.xml"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.file, "xx.xml"));
}

/* One value of each kind that does not fit its column: a finding each, the text kept as a string. */
static void test_value_types(void)
{
    static const char xml[] = HEAD
        "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"1\">\n"
        "<ItemData ItemOID=\"IT.XX.XXSEQ\" Value=\"1.0\"/>\n"          /* 5 */
        "<ItemData ItemOID=\"IT.XX.XXNUM\" Value=\"+1\"/>\n"           /* 6 */
        "<ItemData ItemOID=\"IT.XX.XXDBL\" Value=\".5\"/>\n"           /* 7 */
        "<ItemData ItemOID=\"IT.XX.XXDTC\" Value=\"15JAN2024\"/>\n"    /* 8 */
        "<ItemData ItemOID=\"IT.XX.XXDT\" Value=\"2023-02-29\"/>\n"    /* 9 */
        "<ItemData ItemOID=\"IT.XX.XXTM\" Value=\"25:00\"/>\n"         /* 10 */
        "<ItemData ItemOID=\"IT.XX.XXFL\" Value=\"Yes\"/>\n"           /* 11 */
        "<ItemData ItemOID=\"IT.XX.XXSASDT\" Value=\"99999999\"/>\n"   /* 12 */
        "</ItemGroupData>\n"
        "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"2\">\n"
        "<ItemData ItemOID=\"IT.XX.XXSEQ\" Value=\"abc\"/>\n"          /* 15 */
        "<ItemData ItemOID=\"IT.XX.XXNUM\" Value=\"NaN\"/>\n"          /* 16 */
        "<ItemData ItemOID=\"IT.XX.XXDBL\" Value=\"5.\"/>\n"           /* 17 */
        "<ItemData ItemOID=\"IT.STUDYID\" Value=\"007\"/>\n"           /* a string: fine */
        "</ItemGroupData>\n"
        "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"3\">\n"
        "<ItemData ItemOID=\"IT.XX.XXSEQ\" Value=\"007\"/>\n"          /* 21 */
        "<ItemData ItemOID=\"IT.XX.XXNUM\" Value=\"\"/>\n"             /* 22 */
        "<ItemData ItemOID=\"IT.XX.XXDTC\" Value=\"\"/>\n"             /* "" date: no finding */
        "</ItemGroupData>\n" TAIL;
    dsj_findings_t *fl = dsj_findings_new(0);
    dsj_error_t e;
    dsj_reader_t *r = open_xml(xml, sizeof xml - 1, fl, NULL, &e);
    const dsj_row_t *row;
    const dsj_finding_t *f;
    static const uint64_t lines[] = { 5, 6, 7, 8, 9, 10, 11, 12, 15, 16, 17, 21, 22 };
    size_t i;
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL_FATAL(dsj_reader_next(r, &row, &e), DSJ_ROW);
    CU_ASSERT(cell_is(&row->cells[2], DSJ_CELL_STRING, "1.0"));
    CU_ASSERT(cell_is(&row->cells[3], DSJ_CELL_STRING, "+1"));
    CU_ASSERT(cell_is(&row->cells[4], DSJ_CELL_STRING, ".5"));
    CU_ASSERT(cell_is(&row->cells[5], DSJ_CELL_STRING, "15JAN2024"));
    CU_ASSERT(cell_is(&row->cells[8], DSJ_CELL_STRING, "Yes"));
    CU_ASSERT(cell_is(&row->cells[10], DSJ_CELL_STRING, "99999999"));
    CU_ASSERT_EQUAL_FATAL(dsj_reader_next(r, &row, &e), DSJ_ROW);
    CU_ASSERT(cell_is(&row->cells[0], DSJ_CELL_STRING, "007"));
    CU_ASSERT(cell_is(&row->cells[2], DSJ_CELL_STRING, "abc"));
    CU_ASSERT(cell_is(&row->cells[3], DSJ_CELL_STRING, "NaN"));
    CU_ASSERT_EQUAL_FATAL(dsj_reader_next(r, &row, &e), DSJ_ROW);
    CU_ASSERT(cell_is(&row->cells[3], DSJ_CELL_STRING, ""));
    CU_ASSERT(cell_is(&row->cells[5], DSJ_CELL_STRING, ""));
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &e), DSJ_DONE);
    CU_ASSERT_EQUAL(dsj_findings_count(fl), 13);
    CU_ASSERT_EQUAL(count_rule(fl, "DXML-VALUE-TYPE"), 13);
    for (i = 0; i < dsj_findings_count(fl) && i < 13; i++) {
        f = dsj_findings_get(fl, i);
        CU_ASSERT_EQUAL(f->line, lines[i]);
        CU_ASSERT_EQUAL(f->severity, DSJ_SEV_ERROR);
        CU_ASSERT_STRING_EQUAL(f->file, "mem.xml");
    }
    f = dsj_findings_get(fl, 8);
    CU_ASSERT_EQUAL(f->row, 2);
    CU_ASSERT_STRING_EQUAL(f->column_name, "XXSEQ");
    CU_ASSERT_EQUAL(f->column, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "\"abc\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "not an integer"));
    dsj_reader_free(r);
    dsj_findings_free(fl);
}

static void test_item_findings(void)
{
    static const char xml[] = HEAD
        "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"1\">\n"
        "<ItemData ItemOID=\"IT.XX.NOPE\" Value=\"lost?\"/>\n"            /* 5 unknown */
        "<ItemData ItemOID=\"IT.XX.XXSEQ\" Value=\"1\"/>\n"
        "<ItemData ItemOID=\"IT.XX.XXSEQ\" Value=\"9\"/>\n"               /* 7 repeat */
        "<ItemData Value=\"x\"/>\n"                                       /* 8 no ItemOID */
        "<ItemData ItemOID=\"IT.XX.XXTEXT\"/>\n"                          /* 9 no Value: warning */
        "<ItemData ItemOID=\"IT.STUDYID\" IsNull=\"Yes\" Value=\"S\"/>\n" /* 10 both */
        "</ItemGroupData>\n"
        "<ItemGroupData ItemGroupOID=\"IG.TT\" data:ItemGroupDataSeq=\"2\">\n" /* 12 mixed */
        "<ItemData ItemOID=\"IT.STUDYID\" Value=\"S2\"/>\n"
        "<ItemData ItemOID=\"IT.TT.TTPARM\" Value=\"P\"/>\n"
        "</ItemGroupData>\n" TAIL;
    dsj_findings_t *fl = dsj_findings_new(0);
    dsj_error_t e;
    dsj_reader_t *r = open_xml(xml, sizeof xml - 1, fl, NULL, &e);
    const dsj_row_t *row;
    const dsj_finding_t *f;
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL_FATAL(dsj_reader_next(r, &row, &e), DSJ_ROW);
    CU_ASSERT(cell_is(&row->cells[2], DSJ_CELL_INTEGER, "1")); /* the first value stays */
    CU_ASSERT(cell_is(&row->cells[1], DSJ_CELL_NULL, NULL));
    CU_ASSERT(cell_is(&row->cells[0], DSJ_CELL_STRING, "S"));
    CU_ASSERT_EQUAL_FATAL(dsj_reader_next(r, &row, &e), DSJ_ROW);
    CU_ASSERT(cell_is(&row->cells[0], DSJ_CELL_STRING, "S2")); /* placed by ItemOID */
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &e), DSJ_DONE);
    CU_ASSERT_EQUAL(dsj_findings_count(fl), 6);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f = first_rule(fl, "DXML-UNKNOWN-ITEM"));
    CU_ASSERT_EQUAL(f->line, 5);
    CU_ASSERT_EQUAL(f->row, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "IT.XX.NOPE"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "\"lost?\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "not in the output"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(f = first_rule(fl, "DXML-ITEM-REPEAT"));
    CU_ASSERT_EQUAL(f->line, 7);
    CU_ASSERT_STRING_EQUAL(f->column_name, "XXSEQ");
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "line 6"));
    CU_ASSERT_EQUAL(count_rule(fl, "DXML-STRUCTURE"), 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f = first_rule(fl, "DXML-STRUCTURE"));
    CU_ASSERT_EQUAL(f->line, 8);
    CU_ASSERT_EQUAL(dsj_findings_get(fl, 3)->severity, DSJ_SEV_WARNING); /* line 9: no Value */
    CU_ASSERT_EQUAL(dsj_findings_get(fl, 3)->line, 9);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f = first_rule(fl, "DXML-ITEMGROUP-MIXED"));
    CU_ASSERT_EQUAL(f->line, 12);
    CU_ASSERT_EQUAL(f->row, 2);
    dsj_reader_free(r);
    dsj_findings_free(fl);
}

static void test_sequence(void)
{
    static const char xml[] = HEAD
        "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"1\"/>\n"   /* 4 */
        "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"3\"/>\n"   /* 5 gap: expected 2 */
        "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"4\"/>\n"   /* 6 fine again */
        "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"4\"/>\n"   /* 7 repeat: expected 5 */
        "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"x\"/>\n"   /* 8 not an integer */
        "<ItemGroupData ItemGroupOID=\"IG.XX\" ItemGroupDataSeq=\"7\"/>\n"        /* 9 missing (no namespace) */
        "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"7\"/>\n"   /* 10 fine */
        TAIL;
    dsj_findings_t *fl = dsj_findings_new(0);
    dsj_error_t e;
    dsj_reader_t *r = open_xml(xml, sizeof xml - 1, fl, NULL, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &e), 7);
    CU_ASSERT_EQUAL_FATAL(dsj_findings_count(fl), 4);
    CU_ASSERT_EQUAL(count_rule(fl, "DXML-SEQ"), 4);
    CU_ASSERT_EQUAL(dsj_findings_get(fl, 0)->line, 5);
    CU_ASSERT_EQUAL(dsj_findings_get(fl, 0)->row, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(dsj_findings_get(fl, 0)->message, "is 3 where 2 was expected"));
    CU_ASSERT_PTR_NOT_NULL(strstr(dsj_findings_get(fl, 0)->message, "gap"));
    CU_ASSERT_EQUAL(dsj_findings_get(fl, 1)->line, 7);
    CU_ASSERT_PTR_NOT_NULL(strstr(dsj_findings_get(fl, 1)->message, "is 4 where 5 was expected"));
    CU_ASSERT_EQUAL(dsj_findings_get(fl, 2)->line, 8);
    CU_ASSERT_EQUAL(dsj_findings_get(fl, 3)->line, 9);
    CU_ASSERT_PTR_NOT_NULL(strstr(dsj_findings_get(fl, 3)->message, "no data:ItemGroupDataSeq"));
    dsj_reader_free(r);
    dsj_findings_free(fl);
}

static void test_version_and_define_mismatch(void)
{
    static const char xml[] =
        "<ODM xmlns=\"http://www.cdisc.org/ns/odm/v1.3\" xmlns:data=\"http://www.cdisc.org/ns/Dataset-XML/v1.0\" "
        "FileOID=\"F\" data:DatasetXMLVersion=\"2.0\">\n"
        "<ReferenceData StudyOID=\"OTHER\" MetaDataVersionOID=\"MDV.DXML\">\n"
        "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"1\"/>\n"
        "</ReferenceData></ODM>";
    static const char nover[] =
        "<ODM xmlns=\"http://www.cdisc.org/ns/odm/v1.3\"><ClinicalData StudyOID=\"ST.DXML\" "
        "MetaDataVersionOID=\"MDV.DXML\"/></ODM>";
    dsj_findings_t *fl = dsj_findings_new(0);
    dsj_error_t e;
    dsj_reader_t *r = open_xml(xml, sizeof xml - 1, fl, NULL, &e);
    const dsj_finding_t *f;
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &e), 1);
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(dsj_reader_meta(r), DSJ_META_STUDY_OID), "OTHER");
    CU_ASSERT_TRUE(dsj_meta_is_reference_data(dsj_reader_meta(r)));
    CU_ASSERT_PTR_NOT_NULL_FATAL(f = first_rule(fl, "DXML-VERSION"));
    CU_ASSERT_EQUAL(f->line, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "\"2.0\""));
    CU_ASSERT_EQUAL(count_rule(fl, "DXML-DEFINE-MISMATCH"), 2); /* StudyOID, ReferenceData */
    CU_ASSERT_EQUAL(first_rule(fl, "DXML-DEFINE-MISMATCH")->severity, DSJ_SEV_WARNING);
    dsj_reader_free(r);
    dsj_findings_clear(fl);

    /* no version, no records: an empty dataset found by the FileOID's last part? none: xx.xml by name */
    r = open_xml(nover, sizeof nover - 1, fl, NULL, &e);
    CU_ASSERT_PTR_NULL(r); /* neither a def:leaf for mem.xml nor a FileOID */
    CU_ASSERT_EQUAL(e.code, DSJ_E_FORMAT);
    dsj_findings_free(fl);
}

/* An ItemGroupData the parse does not read as a record: a finding with its line, then the count of
   the first pass disagrees (DSJ_E_MISMATCH) after the records that were read. */
static void test_misplaced_group(void)
{
    static const char xml[] = HEAD
        "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"1\"/>\n"
        "</ClinicalData>\n"
        "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"2\"/>\n" /* 6: under ODM */
        "</ODM>\n";
    dsj_findings_t *fl = dsj_findings_new(0);
    dsj_error_t e;
    const dsj_row_t *row;
    dsj_reader_t *r = open_xml(xml, sizeof xml - 1, fl, NULL, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &e), DSJ_ROW);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &e), DSJ_E_MISMATCH);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "DXML-RECORDS"));
    CU_ASSERT_EQUAL(count_rule(fl, "DXML-STRUCTURE"), 1);
    CU_ASSERT_EQUAL(first_rule(fl, "DXML-STRUCTURE")->line, 6);
    CU_ASSERT_PTR_NOT_NULL(strstr(first_rule(fl, "DXML-STRUCTURE")->message, "outside ClinicalData"));
    dsj_reader_free(r);
    dsj_findings_free(fl);
}

static void test_empty_dataset(void)
{
    static const char xml[] =
        "<ODM xmlns=\"http://www.cdisc.org/ns/odm/v1.3\" xmlns:data=\"http://www.cdisc.org/ns/Dataset-XML/v1.0\" "
        "FileOID=\"ST.DXML.TT\" data:DatasetXMLVersion=\"1.0.0\">\n"
        "<ReferenceData StudyOID=\"ST.DXML\" MetaDataVersionOID=\"MDV.DXML\">\n"
        "</ReferenceData></ODM>";
    dsj_findings_t *fl = dsj_findings_new(0);
    dsj_error_t e;
    int64_t rec = -1;
    dsj_reader_t *r = open_xml(xml, sizeof xml - 1, fl, NULL, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(dsj_reader_meta(r), DSJ_META_ITEMGROUP_OID), "IG.TT");
    CU_ASSERT_TRUE(dsj_meta_records(dsj_reader_meta(r), &rec));
    CU_ASSERT_EQUAL(rec, 0);
    CU_ASSERT_EQUAL(drain(r, &e), 0);
    CU_ASSERT_EQUAL(dsj_findings_count(fl), 0);
    dsj_reader_free(r);
    dsj_findings_free(fl);
}

static void test_fatal_inputs(void)
{
    static const char wrong_ns[] = "<?xml version=\"1.0\"?>\n\n<ODM xmlns=\"http://www.cdisc.org/ns/odm/v2.0\">"
                                   "<ClinicalData/></ODM>";
    static const char not_odm[] = "<dataset><row/></dataset>";
    static const char unknown_ig[] = HEAD "<ItemGroupData ItemGroupOID=\"IG.ZZ\" data:ItemGroupDataSeq=\"1\"/>\n" TAIL;
    static const char truncated[] = HEAD "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"1\">\n"
                                         "<ItemData ItemOID=\"IT.XX.XXSEQ\" Value=\"1\"/>\n"
                                         "</ItemGroupData>\n"
                                         "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"2\">\n"
                                         "<ItemData ItemOID=\"IT.XX.XX";
    static const char bad_utf8[] = HEAD "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"1\">\n"
                                        "<ItemData ItemOID=\"IT.XX.XXTEXT\" Value=\"a\xff\xfe b\"/>\n"
                                        "</ItemGroupData>\n" TAIL;
    dsj_findings_t *fl = dsj_findings_new(0);
    dsj_error_t e;
    dsj_reader_t *r;
    const dsj_row_t *row;

    r = open_xml(wrong_ns, sizeof wrong_ns - 1, fl, NULL, &e);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(e.code, DSJ_E_FORMAT);
    CU_ASSERT_EQUAL(e.line, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "DXML-NAMESPACE"));
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "odm/v2.0"));

    r = open_xml(not_odm, sizeof not_odm - 1, fl, NULL, &e);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(e.code, DSJ_E_FORMAT);
    CU_ASSERT_EQUAL(e.line, 1);

    r = open_xml(unknown_ig, sizeof unknown_ig - 1, fl, NULL, &e);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(e.code, DSJ_E_DEFINE);
    CU_ASSERT_EQUAL(e.line, 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "IG.ZZ"));

    /* truncated: the first record comes, then the syntax error with its line */
    r = open_xml(truncated, sizeof truncated - 1, fl, NULL, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &e), DSJ_ROW);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &e), DSJ_E_SYNTAX);
    CU_ASSERT_EQUAL(e.line, 8);
    CU_ASSERT_STRING_EQUAL(e.file, "mem.xml");
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &e), DSJ_E_SYNTAX); /* sticky */
    dsj_reader_free(r);

    /* truncated inside the prolog: at open */
    r = open_xml(truncated, 150, fl, NULL, &e);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(e.code, DSJ_E_SYNTAX);
    CU_ASSERT(e.line >= 1);

    r = open_xml(bad_utf8, sizeof bad_utf8 - 1, fl, NULL, &e);
    if (r) {
        CU_ASSERT_NOT_EQUAL(drain(r, &e), 1);
        dsj_reader_free(r);
    }
    CU_ASSERT_EQUAL(e.code, DSJ_E_ENCODING);
    CU_ASSERT_EQUAL(e.line, 5);
    CU_ASSERT_EQUAL(dsj_findings_count(fl), 0);
    dsj_findings_free(fl);
}

static void test_entities_refused(void)
{
    static const char laughs[] =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE ODM [\n <!ENTITY a \"aaaaaaaaaa\">\n"
        " <!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n <!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
        " <!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n <!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
        " <!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n <!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
        " <!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\">\n <!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">\n]>\n"
        "<ODM xmlns=\"http://www.cdisc.org/ns/odm/v1.3\" xmlns:data=\"http://www.cdisc.org/ns/Dataset-XML/v1.0\" "
        "data:DatasetXMLVersion=\"1.0.0\"><ClinicalData StudyOID=\"ST.DXML\" MetaDataVersionOID=\"MDV.DXML\">"
        "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"1\">"
        "<ItemData ItemOID=\"IT.XX.XXTEXT\" Value=\"&i;\"/></ItemGroupData></ClinicalData></ODM>";
    char xxe[1024], secret[256];
    dsj_findings_t *fl = dsj_findings_new(0);
    dsj_error_t e;
    dsj_reader_t *r;
    clock_t t0 = clock();
    FILE *f;
    r = open_xml(laughs, sizeof laughs - 1, fl, NULL, &e);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(e.code, DSJ_E_FORMAT);
    CU_ASSERT_EQUAL(e.line, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, "DOCTYPE"));
    CU_ASSERT((clock() - t0) < CLOCKS_PER_SEC);

    /* XXE: an external entity naming a local file; the file's text never appears */
    snprintf(secret, sizeof secret, "/tmp/dsj-dxml-secret-%ld.txt", (long)getpid());
    f = fopen(secret, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs("TOP-SECRET-CONTENT", f);
    fclose(f);
    snprintf(xxe, sizeof xxe,
             "<?xml version=\"1.0\"?>\n<!DOCTYPE ODM [ <!ENTITY s SYSTEM \"file://%s\"> ]>\n"
             "<ODM xmlns=\"http://www.cdisc.org/ns/odm/v1.3\" xmlns:data=\"http://www.cdisc.org/ns/Dataset-XML/v1.0\" "
             "data:DatasetXMLVersion=\"1.0.0\"><ClinicalData StudyOID=\"ST.DXML\" MetaDataVersionOID=\"MDV.DXML\">"
             "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"1\">"
             "<ItemData ItemOID=\"IT.XX.XXTEXT\">&s;</ItemData></ItemGroupData></ClinicalData></ODM>", secret);
    r = open_xml(xxe, strlen(xxe), fl, NULL, &e);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(e.code, DSJ_E_FORMAT);
    CU_ASSERT_PTR_NULL(strstr(e.text, "TOP-SECRET"));
    remove(secret);

    /* an undeclared entity in a value: not well-formed */
    {
        static const char undeclared[] = HEAD "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"1\">\n"
                                              "<ItemData ItemOID=\"IT.XX.XXTEXT\" Value=\"&zz;\"/>\n"
                                              "</ItemGroupData>\n" TAIL;
        r = open_xml(undeclared, sizeof undeclared - 1, fl, NULL, &e);
        if (r) {
            CU_ASSERT_EQUAL(drain(r, &e), -1);
            dsj_reader_free(r);
        }
        CU_ASSERT_EQUAL(e.code, DSJ_E_SYNTAX);
        CU_ASSERT_EQUAL(e.line, 5);
    }
    dsj_findings_free(fl);
}

/* Many records through a non-seekable source in tiny reads, and through memory: the same rows,
   the record count only when seekable, batches compacted across slices. */
static void test_many_rows_streams(void)
{
    dsj_buf_t b;
    dsj_findings_t *fl = dsj_findings_new(0);
    dsj_error_t e;
    dsj_reader_t *r;
    const dsj_row_t *row;
    mem_cb_t cb;
    const long n = 30000;
    long i, got;
    int64_t rec;
    int ok = 1;
    dsj_buf_init(&b);
    dsj_buf_puts(&b, HEAD);
    dsj_buf_puts(&b, "<!-- <ItemGroupData ItemGroupOID=\"IG.XX\"> in a comment does not count -->"
                     "<![CDATA[ <ItemGroupData> ]]><?pi <ItemGroupData?>");
    for (i = 1; i <= n; i++)
        dsj_buf_printf(&b, "<ItemGroupData ItemGroupOID=\"IG.XX\" data:ItemGroupDataSeq=\"%ld\">"
                           "<ItemData ItemOID=\"IT.STUDYID\" Value=\"DXML\"/><ItemData ItemOID=\"IT.XX.XXSEQ\" Value=\"%ld\"/>"
                           "<ItemData ItemOID=\"IT.XX.XXTEXT\" Value=\"row &amp; %ld\"/></ItemGroupData>",
                       i, i, i);
    dsj_buf_puts(&b, TAIL);
    {
        int64_t cnt = -1;
        dsj_source_t *src = dsj_source_new_memory(b.data, b.len, "m", &e);
        CU_ASSERT_EQUAL(dsj_dxml_count_groups(src, &cnt, &e), DSJ_OK);
        CU_ASSERT_EQUAL(cnt, n);
        dsj_source_free(src);
    }
    for (int pass = 0; pass < 2; pass++) {
        memset(&cb, 0, sizeof cb);
        cb.step = pass ? 1000 : 0;
        r = open_xml(b.data, b.len, fl, pass ? &cb : NULL, &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(dsj_meta_records(dsj_reader_meta(r), &rec), pass ? 0 : 1);
        got = 0;
        while (dsj_reader_next(r, &row, &e) == DSJ_ROW) {
            char want[32];
            got++;
            snprintf(want, sizeof want, "%ld", got);
            if (row->index != (uint64_t)got || !cell_is(&row->cells[2], DSJ_CELL_INTEGER, want) ||
                !cell_is(&row->cells[0], DSJ_CELL_STRING, "DXML"))
                ok = 0;
            snprintf(want, sizeof want, "row & %ld", got);
            if (!cell_is(&row->cells[1], DSJ_CELL_STRING, want)) ok = 0;
        }
        CU_ASSERT_EQUAL(e.code, DSJ_OK);
        CU_ASSERT_EQUAL(got, n);
        CU_ASSERT_TRUE(ok);
        CU_ASSERT_EQUAL(dsj_reader_bytes_read(r), b.len);
        dsj_reader_free(r);
    }
    CU_ASSERT_EQUAL(dsj_findings_count(fl), 0);
    dsj_buf_free(&b);
    dsj_findings_free(fl);
}

static void test_count_scan(void)
{
    static const struct { const char *xml; int64_t n; } cases[] = {
        { "<a><ItemGroupData/><x:ItemGroupData x=\"1\"></x:ItemGroupData><ItemGroupDataSeq/></a>", 2 },
        { "<a data:ItemGroupDataSeq=\"<\"><ItemGroupData\n/></a>", 1 },
        { "<!--<ItemGroupData/>--><![CDATA[<ItemGroupData/>]]><?x <ItemGroupData/> ?><ItemGroupData>", 1 },
        { "<ItemGroupData", 0 }, /* truncated tag at the end: the parse reports it */
        { "text only", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dsj_error_t e;
        int64_t n = -1;
        dsj_source_t *src = dsj_source_new_memory(cases[i].xml, strlen(cases[i].xml), "m", &e);
        CU_ASSERT_EQUAL(dsj_dxml_count_groups(src, &n, &e), DSJ_OK);
        CU_ASSERT_EQUAL(n, cases[i].n);
        if (n != cases[i].n) printf("\n  case %zu: %lld\n", i, (long long)n);
        dsj_source_free(src);
    }
}

static void test_corpus_sdtm(void)
{
    char dir[1100], path[1200];
    static const char *const names[] = { "dm", "ta", "lb", "qscs", "suppdm" };
    dsj_define_t *d;
    dsj_error_t e;
    if (!dsj_test_corpus_file(dir, sizeof dir, "dataset-xml-sas-cst/sdtm")) return;
    snprintf(path, sizeof path, "%s/define.xml", dir);
    d = dsj_define_load(path, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        dsj_findings_t *fl = dsj_findings_new(0);
        dsj_reader_options_t ro;
        dsj_reader_t *r;
        int64_t rec = -1;
        dsj_reader_options_init(&ro);
        ro.define = d;
        ro.on_finding = dsj_findings_add;
        ro.finding_ctx = fl;
        snprintf(path, sizeof path, "%s/%s.xml", dir, names[i]);
        r = dsj_reader_open(path, &ro, &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_TRUE(dsj_reader_had_bom(r));
        CU_ASSERT_TRUE(dsj_meta_records(dsj_reader_meta(r), &rec));
        CU_ASSERT_EQUAL(drain(r, &e), rec);
        CU_ASSERT_EQUAL(dsj_findings_count(fl), 0);
        CU_ASSERT_EQUAL(dsj_meta_is_reference_data(dsj_reader_meta(r)), strcmp(names[i], "ta") == 0);
        dsj_reader_free(r);
        dsj_findings_free(fl);
    }
    dsj_define_free(d);
}

int main(void)
{
    static const dsj_test_case_t cases[] = {
        { "valid file: metadata, cells, kinds, positions", test_valid_file },
        { "BOM, CRLF, ReferenceData, 1.0.1", test_bom_crlf_reference },
        { "no define: clear error", test_no_define },
        { "values not fitting their dataType", test_value_types },
        { "unknown, repeated, misplaced ItemData; mixed ItemGroupOID", test_item_findings },
        { "data:ItemGroupDataSeq gaps, repeats, missing", test_sequence },
        { "DatasetXMLVersion and define mismatches", test_version_and_define_mismatch },
        { "ItemGroupData outside ClinicalData", test_misplaced_group },
        { "empty dataset found by FileOID", test_empty_dataset },
        { "wrong namespace, unknown ItemGroupOID, truncated, bad UTF-8", test_fatal_inputs },
        { "billion laughs, XXE, undeclared entity", test_entities_refused },
        { "30000 rows: seekable and not, tiny reads", test_many_rows_streams },
        { "record count byte scan", test_count_scan },
        { "corpus SDTM files", test_corpus_sdtm },
        { NULL, NULL }
    };
    int rc = dsj_test_run("datasetxml_read", cases);
    dsj_define_free(g_def);
    return rc;
}
