/* Unit tests: streaming reader (JSON 1.0/1.1, NDJSON, DSJC) on corpus files and broken inputs. */
#include "test_util.h"
#include "dsj_internal.h"

#include <dirent.h>
#include <json-c/json.h>
#include <time.h>
#include <zlib.h>

/* ---------------------------------------------------------------- helpers */

static dsj_findings_t *g_findings;

static dsj_reader_t *open_mem(const char *text, size_t len, unsigned flags, dsj_error_t *err)
{
    dsj_reader_options_t o;
    dsj_source_t *src = dsj_source_new_memory(text, len, "mem.json", err);
    if (!src) return NULL;
    dsj_reader_options_init(&o);
    o.flags = flags;
    o.on_finding = dsj_findings_add;
    o.finding_ctx = g_findings;
    return dsj_reader_new(src, &o, err);
}

static dsj_reader_t *open_str(const char *text, unsigned flags, dsj_error_t *err)
{
    return open_mem(text, strlen(text), flags, err);
}

/* A non-seekable callback source that hands out at most `chunk` bytes per read. */
typedef struct { const char *p; size_t len, pos, chunk; } chunk_src_t;

static long chunk_read(void *ctx, void *buf, size_t n)
{
    chunk_src_t *c = ctx;
    size_t k = c->len - c->pos;
    if (k > n) k = n;
    if (k > c->chunk) k = c->chunk;
    memcpy(buf, c->p + c->pos, k);
    c->pos += k;
    return (long)k;
}

static dsj_reader_t *open_chunked(chunk_src_t *cs, const char *text, size_t len, size_t chunk, unsigned flags, dsj_error_t *err)
{
    dsj_reader_options_t o;
    dsj_source_t *src;
    cs->p = text;
    cs->len = len;
    cs->pos = 0;
    cs->chunk = chunk;
    src = dsj_source_new_callback(chunk_read, cs, "cb.json", err);
    if (!src) return NULL;
    dsj_reader_options_init(&o);
    o.flags = flags;
    o.on_finding = dsj_findings_add;
    o.finding_ctx = g_findings;
    return dsj_reader_new(src, &o, err);
}

/* Read every row; returns the final status, *nrows the count, and a digest of all cells. */
static dsj_status_t drain(dsj_reader_t *r, uint64_t *nrows, dsj_buf_t *digest, dsj_error_t *err)
{
    const dsj_row_t *row;
    dsj_status_t st;
    uint64_t n = 0;
    while ((st = dsj_reader_next(r, &row, err)) == DSJ_ROW) {
        size_t i;
        n++;
        if (row->index != n) return DSJ_E_STATE;
        if (digest) {
            for (i = 0; i < row->ncells; i++) {
                const dsj_cell_t *c = &row->cells[i];
                dsj_buf_printf(digest, "%d:", (int)c->kind);
                if (c->text) dsj_buf_append(digest, c->text, c->len);
                dsj_buf_printf(digest, "@%llu:%llu:%llu|", (unsigned long long)c->line, (unsigned long long)c->column,
                               (unsigned long long)c->offset);
            }
            dsj_buf_putc(digest, '\n');
        }
    }
    if (nrows) *nrows = n;
    return st;
}

static void setup_findings(void)
{
    if (!g_findings) g_findings = dsj_findings_new(0);
    dsj_findings_clear(g_findings);
}

static const dsj_finding_t *find_rule(const char *rule)
{
    size_t i;
    for (i = 0; i < dsj_findings_count(g_findings); i++)
        if (strcmp(dsj_findings_get(g_findings, i)->rule, rule) == 0) return dsj_findings_get(g_findings, i);
    return NULL;
}

static const char *META11 =
    "{\"datasetJSONCreationDateTime\":\"2024-01-01T00:00:00\",\"datasetJSONVersion\":\"1.1.0\","
    "\"itemGroupOID\":\"IG.T\",\"records\":2,\"name\":\"T\",\"label\":\"Test\",\"columns\":["
    "{\"itemOID\":\"IT.A\",\"name\":\"A\",\"label\":\"a\",\"dataType\":\"string\",\"length\":8},"
    "{\"itemOID\":\"IT.B\",\"name\":\"B\",\"label\":\"b\",\"dataType\":\"float\"}]";

static char *doc11(const char *rows_json)
{
    dsj_buf_t b;
    dsj_buf_init(&b);
    dsj_buf_puts(&b, META11);
    dsj_buf_printf(&b, ",\"rows\":%s}", rows_json);
    return dsj_buf_steal(&b);
}

/* ---------------------------------------------------------------- corpus: metadata */

static void test_dm_json(void)
{
    char path[2048];
    dsj_error_t err;
    dsj_reader_t *r;
    const dsj_meta_t *m;
    const dsj_row_t *row;
    int64_t rec = 0;
    uint64_t n = 0, line, col, off;
    if (!dsj_test_corpus_file(path, sizeof path, "cdisc-datasetjson-examples/v1.1/sdtm/dm.json")) return;
    setup_findings();
    r = dsj_reader_open(path, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    m = dsj_reader_meta(r);
    CU_ASSERT_EQUAL(dsj_reader_format(r), DSJ_FORMAT_JSON);
    CU_ASSERT_EQUAL(dsj_meta_version(m), DSJ_V1_1);
    CU_ASSERT_EQUAL(dsj_meta_ncolumns(m), 26);
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_NAME), "DM");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_LABEL), "Demographics");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_ITEMGROUP_OID), "IG.DM");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_SOURCE_SYSTEM_NAME), "SAS on X64_10PRO");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_DATASET_JSON_VERSION), "1.1.0");
    CU_ASSERT(dsj_meta_records(m, &rec));
    CU_ASSERT_EQUAL(rec, 18);
    CU_ASSERT(dsj_meta_has_rows(m));
    CU_ASSERT_PTR_NULL(dsj_meta_extra(m));
    CU_ASSERT_STRING_EQUAL(dsj_meta_column(m, 0)->name, "STUDYID");
    CU_ASSERT_STRING_EQUAL(dsj_meta_column(m, 0)->item_oid, "IT.DM.STUDYID");
    CU_ASSERT_EQUAL(dsj_meta_column(m, 0)->length, 12);
    CU_ASSERT_EQUAL(dsj_meta_column(m, 0)->key_sequence, 1);
    CU_ASSERT_EQUAL(dsj_meta_column(m, 4)->data_type, DSJ_TYPE_DATE);
    CU_ASSERT_FALSE(json_object_object_get_ex(dsj_reader_meta_json(r), "rows", NULL));
    CU_ASSERT(json_object_object_get_ex(dsj_reader_meta_json(r), "columns", NULL));
    /* positions: the file is one line */
    CU_ASSERT(dsj_reader_meta_position(r, "/records", &line, &col, &off));
    CU_ASSERT_EQUAL(line, 1);
    CU_ASSERT_EQUAL(col, off + 1);
    CU_ASSERT(dsj_reader_meta_position(r, "/columns/4/dataType", &line, &col, &off));
    CU_ASSERT(dsj_reader_meta_position(r, "", &line, &col, &off));
    CU_ASSERT_EQUAL(off, 0);
    CU_ASSERT_FALSE(dsj_reader_meta_position(r, "/columns/99", &line, &col, &off));
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    n = 1;
    CU_ASSERT_EQUAL(row->index, 1);
    CU_ASSERT_EQUAL(row->ncells, 26);
    CU_ASSERT_EQUAL(row->cells[0].kind, DSJ_CELL_STRING);
    CU_ASSERT_STRING_EQUAL(row->cells[0].text, "CDISCPILOT01");
    CU_ASSERT_EQUAL(row->cells[0].len, 12);
    while (dsj_reader_next(r, &row, &err) == DSJ_ROW) {
        n++;
        CU_ASSERT_EQUAL(row->ncells, 26);
    }
    CU_ASSERT_EQUAL(n, 18);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_DONE);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_DONE);
    CU_ASSERT_PTR_NULL(row);
    CU_ASSERT_EQUAL(dsj_findings_count(g_findings), 0);
    dsj_reader_free(r);
}

static void check_same_as_json(const char *rel_json, const char *rel_other, dsj_format_t fmt)
{
    char p1[2048], p2[2048];
    dsj_error_t err;
    dsj_reader_t *a, *b;
    uint64_t na = 0, nb = 0;
    size_t i;
    if (!dsj_test_corpus_file(p1, sizeof p1, rel_json) || !dsj_test_corpus_file(p2, sizeof p2, rel_other)) return;
    a = dsj_reader_open(p1, NULL, &err);
    b = dsj_reader_open(p2, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(dsj_reader_format(b), fmt);
    CU_ASSERT_EQUAL(dsj_meta_ncolumns(dsj_reader_meta(a)), dsj_meta_ncolumns(dsj_reader_meta(b)));
    for (i = 0; i < dsj_meta_ncolumns(dsj_reader_meta(a)); i++)
        CU_ASSERT_STRING_EQUAL(dsj_meta_column(dsj_reader_meta(a), i)->name, dsj_meta_column(dsj_reader_meta(b), i)->name);
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(dsj_reader_meta(a), DSJ_META_NAME), dsj_meta_get(dsj_reader_meta(b), DSJ_META_NAME));
    for (;;) {
        const dsj_row_t *ra, *rb;
        dsj_status_t sa = dsj_reader_next(a, &ra, &err), sb;
        if (sa == DSJ_ROW) {
            /* copy out texts of a before advancing b? rows are independent readers */
        }
        sb = dsj_reader_next(b, &rb, &err);
        CU_ASSERT_EQUAL(sa, sb);
        if (sa != DSJ_ROW || sb != DSJ_ROW) break;
        na++;
        nb++;
        CU_ASSERT_EQUAL_FATAL(ra->ncells, rb->ncells);
        for (i = 0; i < ra->ncells; i++) {
            CU_ASSERT_EQUAL(ra->cells[i].kind, rb->cells[i].kind);
            CU_ASSERT_EQUAL(ra->cells[i].len, rb->cells[i].len);
            if (ra->cells[i].text && rb->cells[i].text && ra->cells[i].kind == DSJ_CELL_STRING)
                CU_ASSERT(memcmp(ra->cells[i].text, rb->cells[i].text, ra->cells[i].len) == 0);
        }
    }
    CU_ASSERT_EQUAL(na, nb);
    CU_ASSERT(na > 0);
    dsj_reader_free(a);
    dsj_reader_free(b);
}

static void test_ndjson_and_dsjc(void)
{
    check_same_as_json("cdisc-datasetjson-examples/v1.1/sdtm/dm.json", "cdisc-datasetjson-examples/v1.1/sdtm/dm.ndjson", DSJ_FORMAT_NDJSON);
    check_same_as_json("cdisc-datasetjson-examples/v1.1/sdtm/ae.json", "cdisc-datasetjson-examples/v1.1/sdtm/ae.dsjc", DSJ_FORMAT_DSJC);
    check_same_as_json("cdisc-datasetjson-examples/v1.1/sdtm/lb.json", "cdisc-datasetjson-examples/v1.1/sdtm/lb.ndjson", DSJ_FORMAT_NDJSON);
}

static void test_v10_ta(void)
{
    char path[2048];
    dsj_error_t err;
    dsj_reader_t *r;
    const dsj_meta_t *m;
    const dsj_row_t *row;
    int64_t rec = 0;
    uint64_t n = 0;
    if (!dsj_test_corpus_file(path, sizeof path, "cdisc-datasetjson-examples/v1.0/sdtm/ta.json")) return;
    r = dsj_reader_open(path, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    m = dsj_reader_meta(r);
    CU_ASSERT_EQUAL(dsj_meta_version(m), DSJ_V1_0);
    CU_ASSERT(dsj_meta_is_reference_data(m));
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_ITEMGROUP_OID), "IG.TA");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_NAME), "TA");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_STUDY_OID), "cdisc.com/CDISCPILOT01");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_SOURCE_SYSTEM_NAME), "Sponsor System");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_SOURCE_SYSTEM_VERSION), "1.0");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_AS_OF_DATETIME), "2023-05-31T00:00:00");
    CU_ASSERT(dsj_meta_records(m, &rec));
    CU_ASSERT_EQUAL(rec, 8);
    CU_ASSERT_STRING_EQUAL(dsj_meta_column(m, 0)->item_oid, "ITEMGROUPDATASEQ");
    CU_ASSERT_EQUAL(dsj_meta_column(m, 0)->data_type, DSJ_TYPE_INTEGER);
    CU_ASSERT_PTR_NULL(dsj_meta_extra(m));
    while (dsj_reader_next(r, &row, &err) == DSJ_ROW) {
        n++;
        CU_ASSERT_EQUAL(row->ncells, dsj_meta_ncolumns(m));
        CU_ASSERT_EQUAL(row->cells[0].kind, DSJ_CELL_INTEGER);
    }
    CU_ASSERT_EQUAL(n, 8);
    {
        struct json_object *j = dsj_reader_meta_json(r), *ig;
        CU_ASSERT(json_object_object_get_ex(j, "referenceData", &ig));
        CU_ASSERT(json_object_object_get_ex(ig, "itemGroupData", &ig));
        CU_ASSERT(json_object_object_get_ex(ig, "IG.TA", &ig));
        CU_ASSERT(json_object_object_get_ex(ig, "items", NULL));
        CU_ASSERT_FALSE(json_object_object_get_ex(ig, "itemData", NULL));
    }
    dsj_reader_free(r);
}

static void test_i18n(void)
{
    char path[2048];
    dsj_error_t err;
    dsj_reader_t *r;
    const dsj_row_t *row;
    uint64_t n = 0, nonascii = 0;
    setup_findings();
    if (!dsj_test_corpus_file(path, sizeof path, "cdisc-datasetjson-examples/v1.1/i18n/ae.json")) return;
    r = dsj_reader_open(path, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    while (dsj_reader_next(r, &row, &err) == DSJ_ROW) {
        size_t i;
        n++;
        for (i = 0; i < row->ncells; i++)
            if (row->cells[i].kind == DSJ_CELL_STRING && row->cells[i].len && (unsigned char)row->cells[i].text[0] >= 0x80) {
                nonascii++;
                CU_ASSERT_EQUAL(strlen(row->cells[i].text), row->cells[i].len);
            }
    }
    CU_ASSERT_EQUAL(n, 1191);
    CU_ASSERT(nonascii > 100);
    CU_ASSERT_EQUAL(dsj_findings_count(g_findings), 0);
    dsj_reader_free(r);
}

/* Every Dataset-JSON file of the official examples: rows == records, no error. */
static void walk_corpus(const char *dir, int *files)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d) return;
    while ((e = readdir(d))) {
        char path[2048];
        size_t l = strlen(e->d_name);
        struct stat st;
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) { walk_corpus(path, files); continue; }
        if ((l > 5 && strcmp(e->d_name + l - 5, ".json") == 0) || (l > 7 && strcmp(e->d_name + l - 7, ".ndjson") == 0) ||
            (l > 5 && strcmp(e->d_name + l - 5, ".dsjc") == 0)) {
            dsj_error_t err;
            dsj_reader_t *r = dsj_reader_open(path, NULL, &err);
            uint64_t n = 0;
            int64_t rec = -1;
            dsj_status_t s;
            char msg[1024];
            if (!r) {
                printf("\n  %s: %s\n", path, dsj_error_format(&err, msg, sizeof msg));
                CU_FAIL("corpus file failed to open");
                continue;
            }
            s = drain(r, &n, NULL, &err);
            if (s != DSJ_DONE) printf("\n  %s: %s\n", path, dsj_error_format(&err, msg, sizeof msg));
            CU_ASSERT_EQUAL(s, DSJ_DONE);
            CU_ASSERT(dsj_meta_records(dsj_reader_meta(r), &rec));
            /* the official extension example really says records 72 and carries 2 rows */
            if (strcmp(e->d_name, "extended_dataset.json") == 0 && rec == 72) rec = 2;
            if ((int64_t)n != rec) printf("\n  %s: %llu rows, records %lld\n", path, (unsigned long long)n, (long long)rec);
            CU_ASSERT_EQUAL((int64_t)n, rec);
            CU_ASSERT(dsj_meta_ncolumns(dsj_reader_meta(r)) > 0);
            (*files)++;
            dsj_reader_free(r);
        }
    }
    closedir(d);
}

static void test_corpus_counts(void)
{
    char path[2048];
    int files = 0;
    if (!dsj_test_corpus_file(path, sizeof path, "cdisc-datasetjson-examples")) return;
    walk_corpus(path, &files);
    printf(" (%d files) ", files);
    CU_ASSERT(files >= 120);
}

/* ---------------------------------------------------------------- values */

static void test_cells_exact(void)
{
    char *doc = doc11("[[\"x\", 8.55], [\"\", 1.50], [null, -0], [\"a\\\"b\", 1E+5], [\"\\u00e9\\ud83d\\ude00\\n\\u0000z\", 12],"
                      " [true, false], [{\"k\": [1, 2]}, [3,\"]\"]]]");
    dsj_error_t err;
    dsj_reader_t *r;
    const dsj_row_t *row;
    setup_findings();
    r = open_str(doc, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CU_ASSERT_EQUAL(row->ncells, 2);
    CU_ASSERT_EQUAL(row->cells[1].kind, DSJ_CELL_NUMBER);
    CU_ASSERT_STRING_EQUAL(row->cells[1].text, "8.55");
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CU_ASSERT_EQUAL(row->cells[0].kind, DSJ_CELL_STRING);
    CU_ASSERT_EQUAL(row->cells[0].len, 0);
    CU_ASSERT_STRING_EQUAL(row->cells[0].text, "");
    CU_ASSERT_STRING_EQUAL(row->cells[1].text, "1.50");
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CU_ASSERT_EQUAL(row->cells[0].kind, DSJ_CELL_NULL);
    CU_ASSERT_PTR_NULL(row->cells[0].text);
    CU_ASSERT_EQUAL(row->cells[1].kind, DSJ_CELL_INTEGER);
    CU_ASSERT_STRING_EQUAL(row->cells[1].text, "-0");
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CU_ASSERT_STRING_EQUAL(row->cells[0].text, "a\"b");
    CU_ASSERT_STRING_EQUAL(row->cells[1].text, "1E+5");
    CU_ASSERT_EQUAL(row->cells[1].kind, DSJ_CELL_NUMBER);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CU_ASSERT_EQUAL(row->cells[0].len, 2 + 4 + 1 + 1 + 1);
    CU_ASSERT(memcmp(row->cells[0].text, "\xc3\xa9\xf0\x9f\x98\x80\n\0z", 9) == 0);
    CU_ASSERT_EQUAL(row->cells[0].text[9], '\0');
    CU_ASSERT_EQUAL(row->cells[1].kind, DSJ_CELL_INTEGER);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CU_ASSERT_EQUAL(row->cells[0].kind, DSJ_CELL_BOOLEAN);
    CU_ASSERT_STRING_EQUAL(row->cells[0].text, "true");
    CU_ASSERT_STRING_EQUAL(row->cells[1].text, "false");
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CU_ASSERT_EQUAL(row->cells[0].kind, DSJ_CELL_INVALID);
    CU_ASSERT_STRING_EQUAL(row->cells[0].text, "{\"k\": [1, 2]}");
    CU_ASSERT_STRING_EQUAL(row->cells[1].text, "[3,\"]\"]");
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_DONE);
    CU_ASSERT_EQUAL(dsj_findings_count(g_findings), 0);
    dsj_reader_free(r);
    free(doc);
}

/* Number cells keep the file's exact token: compare each with the bytes at its offset. */
static void test_number_texts_exact(void)
{
    char path[2048];
    dsj_error_t err;
    dsj_reader_t *r;
    const dsj_row_t *row;
    size_t len = 0;
    char *data;
    int numbers = 0, fractions = 0;
    if (!dsj_test_corpus_file(path, sizeof path, "cdisc-datasetjson-examples/v1.1/sdtm/vs.json")) return;
    data = dsj_test_slurp(path, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    r = dsj_reader_open(path, NULL, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    while (dsj_reader_next(r, &row, &err) == DSJ_ROW) {
        size_t i;
        for (i = 0; i < row->ncells; i++) {
            const dsj_cell_t *c = &row->cells[i];
            if (c->kind != DSJ_CELL_NUMBER && c->kind != DSJ_CELL_INTEGER) continue;
            CU_ASSERT_FATAL(c->offset + c->len < len);
            CU_ASSERT(memcmp(data + c->offset, c->text, c->len) == 0);
            CU_ASSERT(strchr(",] \n", data[c->offset + c->len]) != NULL);
            CU_ASSERT_EQUAL(strlen(c->text), c->len);
            numbers++;
            if (c->kind == DSJ_CELL_NUMBER) fractions++;
        }
    }
    CU_ASSERT(numbers > 100);
    CU_ASSERT(fractions > 10);
    dsj_reader_free(r);
    free(data);
}

static void test_rows_before_columns(void)
{
    const char *doc =
        "{\"datasetJSONVersion\":\"1.1.0\",\"rows\":[[\"a\",1.5],\n[\"b\",null]],\"itemGroupOID\":\"IG.T\",\"records\":2,"
        "\"name\":\"T\",\"label\":\"L\",\"columns\":[{\"itemOID\":\"IT.A\",\"name\":\"A\",\"label\":\"a\",\"dataType\":\"string\"},"
        "{\"itemOID\":\"IT.B\",\"name\":\"B\",\"label\":\"b\",\"dataType\":\"float\"}],\"x-vendor\":7}\n";
    dsj_error_t err;
    dsj_buf_t d1, d2, d3;
    uint64_t n = 0;
    chunk_src_t cs;
    dsj_reader_t *r;
    size_t chunk;
    dsj_buf_init(&d1);
    dsj_buf_init(&d2);
    setup_findings();
    /* seekable memory source: seek back */
    r = open_str(doc, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(dsj_meta_ncolumns(dsj_reader_meta(r)), 2);
    CU_ASSERT(dsj_meta_has_rows(dsj_reader_meta(r)));
    CU_ASSERT_PTR_NOT_NULL(dsj_meta_extra(dsj_reader_meta(r)));
    CU_ASSERT_EQUAL(drain(r, &n, &d1, &err), DSJ_DONE);
    CU_ASSERT_EQUAL(n, 2);
    dsj_reader_free(r);
    /* non-seekable callback source: spool */
    for (chunk = 1; chunk < 9; chunk += 3) {
        dsj_buf_init(&d3);
        r = open_chunked(&cs, doc, strlen(doc), chunk, 0, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(dsj_meta_ncolumns(dsj_reader_meta(r)), 2);
        CU_ASSERT_EQUAL(drain(r, &n, &d3, &err), DSJ_DONE);
        CU_ASSERT_EQUAL(n, 2);
        CU_ASSERT_STRING_EQUAL(d1.data, d3.data); /* same texts and positions */
        dsj_reader_free(r);
        dsj_buf_free(&d3);
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(d1.data, "@2:2:"));  /* row 2 is on line 2, column 2 */
    /* a regular file opened by path is seekable: same result */
    {
        char tmpl[] = "/tmp/dsj_reader_test_XXXXXX";
        int fd = mkstemp(tmpl);
        FILE *fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
        CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
        fputs(doc, fp);
        fclose(fp);
        dsj_buf_init(&d3);
        r = dsj_reader_open(tmpl, NULL, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(drain(r, &n, &d3, &err), DSJ_DONE);
        CU_ASSERT_EQUAL(n, 2);
        CU_ASSERT_STRING_EQUAL(d1.data, d3.data);
        dsj_reader_free(r);
        dsj_buf_free(&d3);
        remove(tmpl);
    }
    /* the same rows in normal order give the same cells (positions differ) */
    dsj_buf_free(&d1);
    dsj_buf_free(&d2);
    CU_ASSERT_EQUAL(dsj_findings_count(g_findings), 0);
}

static void test_members_after_rows(void)
{
    /* required attributes after the rows: deferred, so complete before the first row */
    const char *doc =
        "{\"datasetJSONCreationDateTime\":\"2024-01-01T00:00:00\",\"datasetJSONVersion\":\"1.1.0\",\"itemGroupOID\":\"IG.T\","
        "\"columns\":[{\"itemOID\":\"IT.A\",\"name\":\"A\",\"label\":\"a\",\"dataType\":\"string\"}],"
        "\"rows\":[[\"a\"],[\"b\"],[\"c\"]],\"records\":3,\"name\":\"T\",\"label\":\"L\"}";
    /* optional ones after the rows: merged into the model when the rows end */
    const char *doc2 =
        "{\"datasetJSONCreationDateTime\":\"2024-01-01T00:00:00\",\"datasetJSONVersion\":\"1.1.0\",\"itemGroupOID\":\"IG.T\","
        "\"records\":3,\"name\":\"T\",\"label\":\"L\",\"columns\":[{\"itemOID\":\"IT.A\",\"name\":\"A\",\"label\":\"a\","
        "\"dataType\":\"string\"}],\"rows\":[[\"a\"],[\"b\"],[\"c\"]],\"studyOID\":\"S\",\"x\":[1]}";
    dsj_error_t err;
    uint64_t n;
    int64_t rec = 0;
    dsj_reader_t *r = open_str(doc, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT(dsj_meta_records(dsj_reader_meta(r), &rec));
    CU_ASSERT_EQUAL(rec, 3);
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(dsj_reader_meta(r), DSJ_META_NAME), "T");
    CU_ASSERT(json_object_object_get_ex(dsj_reader_meta_json(r), "label", NULL));
    CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_DONE);
    CU_ASSERT_EQUAL(n, 3);
    dsj_reader_free(r);
    r = open_str(doc2, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NULL(dsj_meta_get(dsj_reader_meta(r), DSJ_META_STUDY_OID));
    CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_DONE);
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(dsj_reader_meta(r), DSJ_META_STUDY_OID), "S");
    CU_ASSERT(json_object_object_get_ex(dsj_meta_extra(dsj_reader_meta(r)), "x", NULL));
    CU_ASSERT(dsj_reader_meta_position(r, "/x/0", NULL, NULL, NULL));
    dsj_reader_free(r);
}

static void test_v10_items_after_itemdata(void)
{
    const char *doc =
        "{\"creationDateTime\":\"2023-01-01T00:00:00\",\"datasetJSONVersion\":\"1.0.0\",\"clinicalData\":{\"studyOID\":\"S\","
        "\"itemGroupData\":{\"IG.X\":{\"itemData\":[[1,\"a\"],[2,\"b\"]],\"records\":2,\"name\":\"X\",\"label\":\"x\",\"items\":["
        "{\"OID\":\"ITEMGROUPDATASEQ\",\"name\":\"ITEMGROUPDATASEQ\",\"label\":\"Record Identifier\",\"type\":\"integer\"},"
        "{\"OID\":\"IT.A\",\"name\":\"A\",\"label\":\"a\",\"type\":\"string\"}]}},\"vendorKey\":1},\"zz\":true}";
    dsj_error_t err;
    uint64_t n = 0;
    chunk_src_t cs;
    int pass;
    for (pass = 0; pass < 2; pass++) {
        dsj_reader_t *r = pass ? open_chunked(&cs, doc, strlen(doc), 5, 0, &err) : open_str(doc, 0, &err);
        const dsj_meta_t *m;
        struct json_object *ex, *v;
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        m = dsj_reader_meta(r);
        CU_ASSERT_EQUAL(dsj_meta_version(m), DSJ_V1_0);
        CU_ASSERT_FALSE(dsj_meta_is_reference_data(m));
        CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_ITEMGROUP_OID), "IG.X");
        CU_ASSERT_EQUAL(dsj_meta_ncolumns(m), 2);
        ex = dsj_meta_extra(m);
        CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
        CU_ASSERT(json_object_object_get_ex(ex, "data:vendorKey", &v));
        CU_ASSERT(json_object_object_get_ex(ex, "zz", &v));
        CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_DONE);
        CU_ASSERT_EQUAL(n, 2);
        dsj_reader_free(r);
    }
}

/* 1.0 with a second dataset after the one holding the rows, and both data objects. */
static void test_v10_two_datasets(void)
{
    const char *doc =
        "{\"datasetJSONVersion\":\"1.0.0\",\"referenceData\":{\"itemGroupData\":{\"IG.R\":{\"records\":0,\"name\":\"R\","
        "\"items\":[{\"OID\":\"R1\"}]}}},\"clinicalData\":{\"itemGroupData\":{\"IG.X\":{\"records\":1,\"name\":\"X\","
        "\"items\":[{\"OID\":\"ITEMGROUPDATASEQ\"},{\"OID\":\"A\"}],\"itemData\":[[1,\"a\"]]},"
        "\"IG.Y\":{\"records\":1,\"name\":\"Y\",\"items\":[],\"itemData\":[[1]]}},\"studyOID\":\"S\"}}";
    dsj_error_t err;
    uint64_t n;
    const dsj_meta_t *m;
    dsj_reader_t *r = open_str(doc, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_DONE);
    CU_ASSERT_EQUAL(n, 1);
    m = dsj_reader_meta(r);
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_ITEMGROUP_OID), "IG.X");
    CU_ASSERT_FALSE(dsj_meta_is_reference_data(m));
    CU_ASSERT_EQUAL(dsj_meta_ncolumns(m), 2);
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(m, DSJ_META_STUDY_OID), "S"); /* after the rows: merged */
    CU_ASSERT(json_object_object_get_ex(dsj_meta_extra(m), "referenceData", NULL));
    dsj_reader_free(r);
}

static void test_duplicate_key(void)
{
    const char *doc =
        "{\"datasetJSONVersion\":\"1.1.0\",\"itemGroupOID\":\"IG.T\",\"name\":\"T\",\n\"columns\":[{\"itemOID\":\"IT.A\",\"name\":\"A\","
        "\"name\":\"B\",\"label\":\"a\",\"dataType\":\"string\"}],\"name\":\"U\",\"rows\":[]}";
    dsj_error_t err;
    const dsj_finding_t *f;
    dsj_reader_t *r;
    setup_findings();
    r = open_str(doc, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(dsj_findings_count(g_findings), 2);
    f = find_rule("DSJ-JSON-DUPKEY");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->severity, DSJ_SEV_ERROR);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/columns/0/name");
    CU_ASSERT_EQUAL(f->line, 2);
    CU_ASSERT_EQUAL(f->column, 41);
    CU_ASSERT_STRING_EQUAL(dsj_findings_get(g_findings, 1)->pointer, "/name");
    /* the first value is kept */
    CU_ASSERT_STRING_EQUAL(dsj_meta_column(dsj_reader_meta(r), 0)->name, "A");
    CU_ASSERT_STRING_EQUAL(dsj_meta_get(dsj_reader_meta(r), DSJ_META_NAME), "T");
    dsj_reader_free(r);
}

static void test_bom_and_crlf_ndjson(void)
{
    const char *doc =
        "\xEF\xBB\xBF{\"datasetJSONVersion\":\"1.1.0\",\"itemGroupOID\":\"IG.T\",\"records\":2,\"name\":\"T\",\"label\":\"L\","
        "\"columns\":[{\"itemOID\":\"IT.A\",\"name\":\"A\",\"label\":\"a\",\"dataType\":\"string\"}]}\r\n[\"x\"]\r\n[\"y\"] \r\n\r\n";
    dsj_error_t err;
    uint64_t n = 0;
    dsj_buf_t d;
    dsj_reader_t *r;
    const dsj_finding_t *f;
    setup_findings();
    dsj_buf_init(&d);
    r = open_str(doc, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT(dsj_reader_had_bom(r));
    CU_ASSERT_EQUAL(dsj_reader_format(r), DSJ_FORMAT_NDJSON);
    f = find_rule("DSJ-ENC-BOM");
    CU_ASSERT_PTR_NOT_NULL(f);
    CU_ASSERT_EQUAL(drain(r, &n, &d, &err), DSJ_DONE);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(d.data, "1:y@3:2:"));
    dsj_buf_free(&d);
    dsj_reader_free(r);
}

static void test_ndjson_errors(void)
{
    static const char *bad[] = {
        "{\"columns\":[],\"itemGroupOID\":\"X\"}\n[1]\n\n[2]\n",  /* empty line inside */
        "{\"columns\":[],\"itemGroupOID\":\"X\"}\n[1] [2]\n",     /* garbage after a row */
        "{\"columns\":[],\"itemGroupOID\":\"X\"}\n[1,\n2]\n",     /* row over two lines */
        "{\"columns\":[],\"itemGroupOID\":\"X\"}\n[1]\n{}\n",     /* not a row */
        "{\"columns\":[],\"itemGroupOID\":\"X\"} [1]\n",          /* row on the metadata line */
        NULL};
    int i;
    for (i = 0; bad[i]; i++) {
        dsj_error_t err;
        uint64_t n = 0;
        dsj_reader_t *r = open_str(bad[i], 0, &err);
        if (r) {
            CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_E_SYNTAX);
            CU_ASSERT(err.line >= 2);
            CU_ASSERT(strncmp(err.pointer, "/rows/", 6) == 0);
            dsj_reader_free(r);
        } else {
            CU_ASSERT_EQUAL(err.code, DSJ_E_SYNTAX);
        }
    }
}

static void test_metadata_only(void)
{
    dsj_error_t err;
    dsj_buf_t b;
    dsj_reader_t *r;
    const dsj_row_t *row;
    dsj_buf_init(&b);
    dsj_buf_puts(&b, META11);
    dsj_buf_puts(&b, "}\n");
    r = open_str(b.data, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(dsj_reader_format(r), DSJ_FORMAT_JSON);
    CU_ASSERT_FALSE(dsj_meta_has_rows(dsj_reader_meta(r)));
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_DONE);
    dsj_reader_free(r);
    dsj_buf_free(&b);
}

static void test_versions(void)
{
    dsj_error_t err;
    dsj_reader_t *r;
    r = open_str("{\"datasetJSONVersion\":\"2.0.0\",\"columns\":[]}", 0, &err);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(err.code, DSJ_E_UNSUPPORTED);
    CU_ASSERT_STRING_EQUAL(err.pointer, "/datasetJSONVersion");
    r = open_str("{\"a\":1,\"rows\":[[1]]}", 0, &err);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(err.code, DSJ_E_FORMAT);
    r = open_str("[1,2]", 0, &err);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(err.code, DSJ_E_SYNTAX);
    r = open_str("", 0, &err);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(err.code, DSJ_E_SYNTAX);
    r = open_mem("\xff\xfe{\0\"\0", 6, 0, &err);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(err.code, DSJ_E_ENCODING);
    r = open_mem("{\0\"\0", 4, 0, &err);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(err.code, DSJ_E_ENCODING);
    r = open_str("{\"datasetJSONVersion\":\"1.1\",\"columns\":[]} x", 0, &err);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(err.code, DSJ_E_SYNTAX);
    CU_ASSERT_EQUAL(err.column, 43);
    r = open_str("{\"datasetJSONVersion\":\"1.1\",\"itemGroupOID\":\"X\",\"columns\":\"no\",\"records\":\"2\",\"rows\":[]}", 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r); /* wrong types: absent in the model */
    CU_ASSERT_EQUAL(dsj_meta_ncolumns(dsj_reader_meta(r)), 0);
    CU_ASSERT_FALSE(dsj_meta_records(dsj_reader_meta(r), NULL));
    dsj_reader_free(r);
}

/* ---------------------------------------------------------------- errors */

static void test_syntax_errors(void)
{
    char *doc = doc11("[[\"a\", 1],\n [\"b\" 2]]");
    dsj_error_t err;
    uint64_t n = 0;
    char msg[1024];
    const dsj_row_t *row;
    dsj_reader_t *r = open_str(doc, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_E_SYNTAX);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(err.line, 2);
    CU_ASSERT_EQUAL(err.column, 7);
    CU_ASSERT_STRING_EQUAL(err.file, "mem.json");
    CU_ASSERT_STRING_EQUAL(err.pointer, "/rows/1");
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "expected ',' or ']' after a value in row 2"));
    dsj_error_format(&err, msg, sizeof msg);
    CU_ASSERT_PTR_NOT_NULL(strstr(msg, "mem.json:2:7:"));
    /* the same error again */
    memset(&err, 0, sizeof err);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_E_SYNTAX);
    CU_ASSERT_EQUAL(err.line, 2);
    dsj_reader_free(r);
    free(doc);

    doc = doc11("[[\"a\", 01]]");
    r = open_str(doc, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_E_SYNTAX);
    CU_ASSERT_STRING_EQUAL(err.pointer, "/rows/0/1");
    dsj_reader_free(r);
    free(doc);

    doc = doc11("[[\"a\\ud800x\", 1]]");
    r = open_str(doc, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_E_SYNTAX);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "surrogate"));
    dsj_reader_free(r);
    free(doc);

    doc = doc11("[[\"a\tb\", 1]]");
    r = open_str(doc, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_E_SYNTAX);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "control character"));
    dsj_reader_free(r);
    free(doc);

    doc = doc11("[[\"a\", NaN]]");
    r = open_str(doc, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_E_SYNTAX);
    dsj_reader_free(r);
    free(doc);

    doc = doc11("[[\"a\", +1]]");
    r = open_str(doc, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_E_SYNTAX);
    dsj_reader_free(r);
    free(doc);

    doc = doc11("[[\"a\", 1], 5]");
    r = open_str(doc, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_E_FORMAT);
    dsj_reader_free(r);
    free(doc);
}

/* Every strict prefix of a document fails cleanly (no crash, no hang, no success). */
static void check_truncations(const char *doc, size_t len, int ndjson)
{
    size_t cut;
    size_t real_end = len;
    while (real_end > 0 && (doc[real_end - 1] == '\n' || doc[real_end - 1] == ' ')) real_end--;
    for (cut = 0; cut < real_end; cut++) {
        dsj_error_t err;
        uint64_t n = 0;
        char *copy = malloc(cut + 1);
        dsj_reader_t *r;
        memcpy(copy, doc, cut);
        copy[cut] = 'X'; /* not part of the input: catches reads past the end */
        r = open_mem(copy, cut, 0, &err);
        if (!r) {
            CU_ASSERT(err.code == DSJ_E_SYNTAX || err.code == DSJ_E_FORMAT);
            if (err.code == DSJ_E_SYNTAX) CU_ASSERT(err.offset <= cut);
        } else {
            dsj_status_t st = drain(r, &n, NULL, &err);
            if (ndjson) {
                /* a cut at a line end is a valid shorter file */
                CU_ASSERT(st == DSJ_E_SYNTAX || (st == DSJ_DONE && (doc[cut] == '\n' || doc[cut - 1] == '\n')));
            } else {
                CU_ASSERT_EQUAL(st, DSJ_E_SYNTAX);
                if (st != DSJ_E_SYNTAX) printf("\n  cut %zu: status %d\n", cut, (int)st);
            }
            dsj_reader_free(r);
        }
        free(copy);
    }
}

static void test_truncation(void)
{
    char *doc = doc11("[[\"a\\u00e9\\\"\", 1.5e3, true], [null, -2, false, {\"x\":[1]}], [\"\xe6\x97\xa5\", 0]]");
    const char *nd =
        "{\"datasetJSONVersion\":\"1.1.0\",\"itemGroupOID\":\"IG.T\",\"columns\":[{\"name\":\"A\"}]}\n[\"a\", 1]\n[\"b\\n\", null]\n";
    const char *v10 =
        "{\"datasetJSONVersion\":\"1.0.0\",\"clinicalData\":{\"itemGroupData\":{\"IG.X\":{\"records\":1,\"items\":[{\"OID\":\"A\"}],"
        "\"itemData\":[[1,\"a\"]]}}}}";
    const char *rows_first =
        "{\"rows\":[[1,\"a\"]],\"datasetJSONVersion\":\"1.1.0\",\"itemGroupOID\":\"IG.T\",\"columns\":[]}";
    setup_findings();
    check_truncations(doc, strlen(doc), 0);
    check_truncations(nd, strlen(nd), 1);
    check_truncations(v10, strlen(v10), 0);
    check_truncations(rows_first, strlen(rows_first), 0);
    free(doc);
}

static void test_truncated_corpus(void)
{
    char path[2048];
    size_t len = 0, cut;
    char *data;
    if (!dsj_test_corpus_file(path, sizeof path, "cdisc-datasetjson-examples/v1.1/sdtm/ta.json")) return;
    data = dsj_test_slurp(path, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    for (cut = 0; cut + 1 < len; cut += 7) {
        dsj_error_t err;
        uint64_t n = 0;
        dsj_reader_t *r = open_mem(data, cut, 0, &err);
        if (!r) {
            CU_ASSERT_EQUAL(err.code, DSJ_E_SYNTAX);
            continue;
        }
        CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_E_SYNTAX);
        dsj_reader_free(r);
    }
    free(data);
}

/* ---------------------------------------------------------------- lenient, limits, encoding */

static void test_elision(void)
{
    char *doc = doc11("[[\"a\", , 2], [,\"b\",], [\"c\",,]]");
    dsj_error_t err;
    uint64_t n = 0;
    const dsj_row_t *row;
    dsj_reader_t *r;
    const dsj_finding_t *f;
    setup_findings();
    r = open_str(doc, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_E_SYNTAX);
    CU_ASSERT_EQUAL(err.column, strlen(META11) + strlen(",\"rows\":[[\"a\", ") + 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.text, "lenient"));
    dsj_reader_free(r);
    r = open_str(doc, DSJ_READ_LENIENT, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    /* [a,null,2] [null,b] [c,null] */
    CU_ASSERT_EQUAL_FATAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CU_ASSERT_EQUAL_FATAL(row->ncells, 3);
    CU_ASSERT_STRING_EQUAL(row->cells[0].text, "a");
    CU_ASSERT_EQUAL(row->cells[1].kind, DSJ_CELL_NULL);
    CU_ASSERT_STRING_EQUAL(row->cells[2].text, "2");
    CU_ASSERT_EQUAL_FATAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CU_ASSERT_EQUAL_FATAL(row->ncells, 2);
    CU_ASSERT_EQUAL(row->cells[0].kind, DSJ_CELL_NULL);
    CU_ASSERT_STRING_EQUAL(row->cells[1].text, "b");
    CU_ASSERT_EQUAL_FATAL(dsj_reader_next(r, &row, &err), DSJ_ROW);
    CU_ASSERT_EQUAL_FATAL(row->ncells, 2);
    CU_ASSERT_STRING_EQUAL(row->cells[0].text, "c");
    CU_ASSERT_EQUAL(row->cells[1].kind, DSJ_CELL_NULL);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_DONE);
    CU_ASSERT_EQUAL(dsj_findings_total(g_findings), 5); /* 3 elisions + 2 trailing commas */
    f = find_rule("DSJ-JSON-ELISION");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->severity, DSJ_SEV_WARNING);
    CU_ASSERT_EQUAL(f->row, 1);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/rows/0/1");
    dsj_reader_free(r);
    free(doc);
    /* a trailing comma after the last row */
    doc = doc11("[[\"a\"], [\"b\"],\n]");
    r = open_str(doc, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_E_SYNTAX);
    CU_ASSERT_EQUAL(err.line, 2);
    dsj_reader_free(r);
    setup_findings();
    r = open_str(doc, DSJ_READ_LENIENT, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_DONE);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(dsj_findings_count(g_findings), 1);
    CU_ASSERT_STRING_EQUAL(dsj_findings_get(g_findings, 0)->pointer, "/rows");
    dsj_reader_free(r);
    free(doc);
}

static void test_limits(void)
{
    dsj_reader_options_t o;
    dsj_error_t err;
    dsj_source_t *src;
    dsj_reader_t *r;
    uint64_t n = 0;
    char *doc = doc11("[[\"abcdefghij\", [[[[1]]]]]]");
    const char *nd = "{\"columns\":[],\"itemGroupOID\":\"X\"}\n[\"0123456789012345678901234567890123456789\"]\n";
    /* depth */
    dsj_reader_options_init(&o);
    o.max_depth = 5;
    src = dsj_source_new_memory(doc, strlen(doc), "d", &err);
    r = dsj_reader_new(src, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_E_LIMIT);
    CU_ASSERT(err.line == 1 && err.column > 0);
    dsj_reader_free(r);
    /* string length (metadata strings count too: the longest here is 27 bytes) */
    dsj_reader_options_init(&o);
    o.max_string = 30;
    src = dsj_source_new_memory(nd, strlen(nd), "d", &err);
    r = dsj_reader_new(src, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_E_LIMIT);
    dsj_reader_free(r);
    /* columns in the metadata */
    dsj_reader_options_init(&o);
    o.max_columns = 1;
    src = dsj_source_new_memory(doc, strlen(doc), "d", &err);
    r = dsj_reader_new(src, &o, &err);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(err.code, DSJ_E_LIMIT);
    CU_ASSERT_STRING_EQUAL(err.pointer, "/columns");
    /* values in a row */
    {
        char *wide = doc11("[[\"a\", 1], [\"b\", 2, 3]]");
        dsj_reader_options_init(&o);
        o.max_columns = 2;
        src = dsj_source_new_memory(wide, strlen(wide), "w", &err);
        r = dsj_reader_new(src, &o, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_E_LIMIT);
        CU_ASSERT_EQUAL(n, 1);
        CU_ASSERT_STRING_EQUAL(err.pointer, "/rows/1/2");
        dsj_reader_free(r);
        free(wide);
    }
    /* NDJSON line */
    dsj_reader_options_init(&o);
    o.max_line = 40; /* metadata line 33 bytes, row line 44 */
    src = dsj_source_new_memory(nd, strlen(nd), "n", &err);
    r = dsj_reader_new(src, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_E_LIMIT);
    CU_ASSERT_EQUAL(err.line, 2);
    dsj_reader_free(r);
    o.max_line = 20; /* the metadata line too */
    src = dsj_source_new_memory(nd, strlen(nd), "n", &err);
    r = dsj_reader_new(src, &o, &err);
    CU_ASSERT_PTR_NULL(r);
    CU_ASSERT_EQUAL(err.code, DSJ_E_LIMIT);
    free(doc);
}

static int stop_now(const dsj_finding_t *f, void *ctx)
{
    (void)f;
    (*(int *)ctx)++;
    return 1;
}

/* A finding callback that asks to stop ends the reading with DSJ_E_ABORTED. */
static void test_abort(void)
{
    char *doc = doc11("[[\"ok\", 1], [\"bad\xff\", 2], [\"x\", 3]]");
    dsj_reader_options_t o;
    dsj_error_t err;
    dsj_source_t *src;
    dsj_reader_t *r;
    const dsj_row_t *row;
    int calls = 0;
    uint64_t n = 0;
    dsj_reader_options_init(&o);
    o.on_finding = stop_now;
    o.finding_ctx = &calls;
    src = dsj_source_new_memory(doc, strlen(doc), "a", &err);
    r = dsj_reader_new(src, &o, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_E_ABORTED);
    CU_ASSERT_EQUAL(n, 1);
    CU_ASSERT_EQUAL(calls, 1);
    CU_ASSERT_EQUAL(dsj_reader_next(r, &row, &err), DSJ_E_ABORTED);
    dsj_reader_free(r);
    free(doc);
}

static void test_invalid_utf8(void)
{
    char *doc = doc11("[[\"ab\xff" "c\", 1], [\"\xc3\xa9\xe6\x97\", 2]]");
    dsj_error_t err;
    uint64_t n = 0;
    const dsj_finding_t *f;
    dsj_reader_t *r;
    const char *bad = strchr(doc, '\xff');
    setup_findings();
    r = open_str(doc, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_DONE);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(dsj_findings_count(g_findings), 2);
    f = find_rule("DSJ-ENC-UTF8");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->offset, (uint64_t)(bad - doc));
    CU_ASSERT_EQUAL(f->row, 1);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/rows/0/0");
    CU_ASSERT_EQUAL(dsj_findings_get(g_findings, 1)->offset, (uint64_t)(strstr(doc, "\xe6\x97\"") - doc));
    dsj_reader_free(r);
    setup_findings();
    r = open_str(doc, DSJ_READ_NO_UTF8_CHECK, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_DONE);
    CU_ASSERT_EQUAL(dsj_findings_count(g_findings), 0);
    dsj_reader_free(r);
    free(doc);
}

/* ---------------------------------------------------------------- compression */

static unsigned char *compress_buf(const char *data, size_t len, int gzip, size_t *outlen)
{
    z_stream z;
    size_t cap = compressBound((uLong)len) + 64;
    unsigned char *out = malloc(cap);
    memset(&z, 0, sizeof z);
    deflateInit2(&z, 6, Z_DEFLATED, gzip ? 31 : 15, 8, Z_DEFAULT_STRATEGY);
    z.next_in = (unsigned char *)data;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    *outlen = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

static void test_compressed(void)
{
    const char *nd =
        "{\"datasetJSONVersion\":\"1.1.0\",\"itemGroupOID\":\"IG.T\",\"records\":2,\"columns\":[{\"name\":\"A\"}]}\n[\"a\"]\n[\"b\"]\n";
    int gz;
    for (gz = 0; gz < 2; gz++) {
        size_t clen, cut;
        unsigned char *c = compress_buf(nd, strlen(nd), gz, &clen);
        dsj_error_t err;
        uint64_t n = 0;
        dsj_reader_t *r = open_mem((const char *)c, clen, 0, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(dsj_reader_format(r), DSJ_FORMAT_DSJC);
        CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_DONE);
        CU_ASSERT_EQUAL(n, 2);
        dsj_reader_free(r);
        for (cut = 2; cut < clen; cut++) {
            dsj_status_t st;
            r = open_mem((const char *)c, cut, 0, &err);
            if (!r) {
                CU_ASSERT(err.code == DSJ_E_COMPRESSION || err.code == DSJ_E_SYNTAX);
                continue;
            }
            st = drain(r, &n, NULL, &err);
            CU_ASSERT(st == DSJ_E_COMPRESSION || st == DSJ_E_SYNTAX);
            dsj_reader_free(r);
        }
        free(c);
    }
    /* compressed plain JSON with the rows first: not seekable, so spooled */
    {
        const char *doc =
            "{\"rows\":[[\"a\",1],[\"b\",2],[\"c\",3]],\"datasetJSONCreationDateTime\":\"2024-01-01T00:00:00\","
            "\"datasetJSONVersion\":\"1.1.0\",\"itemGroupOID\":\"IG.T\",\"records\":3,\"name\":\"T\",\"label\":\"L\","
            "\"columns\":[{\"name\":\"A\"},{\"name\":\"B\"}]}";
        size_t clen;
        unsigned char *c = compress_buf(doc, strlen(doc), 1, &clen);
        dsj_error_t err;
        uint64_t n;
        dsj_buf_t d;
        dsj_reader_t *r = open_mem((const char *)c, clen, 0, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(dsj_reader_format(r), DSJ_FORMAT_DSJC);
        CU_ASSERT_EQUAL(dsj_meta_ncolumns(dsj_reader_meta(r)), 2);
        dsj_buf_init(&d);
        CU_ASSERT_EQUAL(drain(r, &n, &d, &err), DSJ_DONE);
        CU_ASSERT_EQUAL(n, 3);
        CU_ASSERT_PTR_NOT_NULL(strstr(d.data, "1:c@1:27:26|"));
        dsj_buf_free(&d);
        dsj_reader_free(r);
        free(c);
    }
}

/* ---------------------------------------------------------------- boundaries and speed */

/* Reading through 1..N-byte reads gives the same cells and positions as one buffer. */
static void test_chunk_boundaries(void)
{
    char path[2048];
    size_t len = 0, chunk;
    char *data;
    dsj_buf_t ref;
    dsj_error_t err;
    uint64_t n = 0, n2 = 0;
    dsj_reader_t *r;
    if (!dsj_test_corpus_file(path, sizeof path, "cdisc-datasetjson-examples/v1.1/i18n/ae.json")) return;
    data = dsj_test_slurp(path, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    dsj_buf_init(&ref);
    r = open_mem(data, len, 0, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(drain(r, &n, &ref, &err), DSJ_DONE);
    dsj_reader_free(r);
    for (chunk = 1; chunk <= 4099; chunk = chunk * 3 + 1) {
        dsj_buf_t d;
        chunk_src_t cs;
        dsj_buf_init(&d);
        r = open_chunked(&cs, data, len, chunk, 0, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(drain(r, &n2, &d, &err), DSJ_DONE);
        CU_ASSERT_EQUAL(n, n2);
        CU_ASSERT(d.len == ref.len && memcmp(d.data, ref.data, d.len) == 0);
        dsj_buf_free(&d);
        dsj_reader_free(r);
    }
    dsj_buf_free(&ref);
    free(data);
}

static void test_throughput_note(void)
{
    char path[2048];
    size_t len = 0;
    char *data;
    int i, reps = 50;
    struct timespec t0, t1;
    double secs;
    uint64_t rows = 0;
    if (!dsj_test_corpus_file(path, sizeof path, "cdisc-datasetjson-examples/v1.1/sdtm/lb.json")) return;
    data = dsj_test_slurp(path, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < reps; i++) {
        dsj_error_t err;
        uint64_t n = 0;
        dsj_reader_t *r = open_mem(data, len, 0, &err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        CU_ASSERT_EQUAL(drain(r, &n, NULL, &err), DSJ_DONE);
        rows += n;
        dsj_reader_free(r);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf(" (lb.json x%d: %.1f MB/s, %.0f rows/s) ", reps, (double)len * reps / secs / 1e6, (double)rows / secs);
    free(data);
}

int main(void)
{
    static const dsj_test_case_t cases[] = {
        {"1.1 JSON metadata and rows (dm.json)", test_dm_json},
        {"NDJSON and DSJC equal their JSON", test_ndjson_and_dsjc},
        {"1.0 referenceData (ta.json)", test_v10_ta},
        {"i18n UTF-8 (ae.json)", test_i18n},
        {"rows == records for every corpus file", test_corpus_counts},
        {"cell kinds and exact texts", test_cells_exact},
        {"number texts equal the file bytes (vs.json)", test_number_texts_exact},
        {"rows before columns: seek and spool", test_rows_before_columns},
        {"members after rows are merged", test_members_after_rows},
        {"1.0 itemData before items", test_v10_items_after_itemdata},
        {"1.0 with two datasets", test_v10_two_datasets},
        {"duplicate keys", test_duplicate_key},
        {"BOM and CRLF NDJSON", test_bom_and_crlf_ndjson},
        {"NDJSON errors", test_ndjson_errors},
        {"metadata only", test_metadata_only},
        {"version detection", test_versions},
        {"syntax errors with position", test_syntax_errors},
        {"truncation at every byte", test_truncation},
        {"truncated corpus file", test_truncated_corpus},
        {"lenient elision", test_elision},
        {"limits", test_limits},
        {"invalid UTF-8 findings", test_invalid_utf8},
        {"finding callback stops the reader", test_abort},
        {"gzip and zlib, truncated", test_compressed},
        {"read chunk boundaries", test_chunk_boundaries},
        {"throughput note", test_throughput_note},
        {NULL, NULL}};
    int rc;
    g_findings = dsj_findings_new(0);
    rc = dsj_test_run("reader", cases);
    dsj_findings_free(g_findings);
    return rc;
}
