/* Unit tests: streaming writer (exact output texts, formats, DSJC, records,
 * call order, widths) and 1.0 <-> 1.1 conversion (hand-made rows and corpus). */
#include "test_util.h"
#include "convert_internal.h"

#include <dirent.h>
#include <json-c/json.h>
#include <unistd.h>
#include <zlib.h>

/* ------------------------------------------------------------ fixtures */

static dsj_meta_t *small_meta(void)
{
    dsj_meta_t *m = dsj_meta_new(DSJ_V1_1);
    dsj_column_t c;
    dsj_meta_set(m, DSJ_META_CREATION_DATETIME, "2025-01-02T03:04:05");
    dsj_meta_set(m, DSJ_META_DATASET_JSON_VERSION, "1.1.0");
    dsj_meta_set(m, DSJ_META_FILE_OID, "F.1");
    dsj_meta_set(m, DSJ_META_DB_LAST_MODIFIED_DATETIME, "2025-01-01T00:00:00");
    dsj_meta_set(m, DSJ_META_ORIGINATOR, "Me");
    dsj_meta_set(m, DSJ_META_SOURCE_SYSTEM_NAME, "Sys");
    dsj_meta_set(m, DSJ_META_SOURCE_SYSTEM_VERSION, "2");
    dsj_meta_set(m, DSJ_META_STUDY_OID, "S");
    dsj_meta_set(m, DSJ_META_METADATA_VERSION_OID, "MDV");
    dsj_meta_set(m, DSJ_META_METADATA_REF, "define.xml");
    dsj_meta_set(m, DSJ_META_ITEMGROUP_OID, "IG.T");
    dsj_meta_set(m, DSJ_META_NAME, "T");
    dsj_meta_set(m, DSJ_META_LABEL, "Test \"q\"");
    dsj_meta_set_records(m, 2);
    dsj_meta_set_has_rows(m, 1);
    memset(&c, 0, sizeof c);
    c.item_oid = "IT.T.USUBJID"; c.name = "USUBJID"; c.label = "Subject"; c.data_type = DSJ_TYPE_STRING;
    c.length = 8; c.key_sequence = 1;
    dsj_meta_add_column(m, &c);
    memset(&c, 0, sizeof c);
    c.item_oid = "IT.T.AGE"; c.name = "AGE"; c.label = "Age"; c.data_type = DSJ_TYPE_INTEGER;
    dsj_meta_add_column(m, &c);
    memset(&c, 0, sizeof c);
    c.item_oid = "IT.T.VAL"; c.name = "VAL"; c.label = "Value"; c.data_type = DSJ_TYPE_DECIMAL;
    c.target_data_type = DSJ_TYPE_DECIMAL;
    dsj_meta_add_column(m, &c);
    memset(&c, 0, sizeof c);
    c.item_oid = "IT.T.DT"; c.name = "DT"; c.label = "Date"; c.data_type = DSJ_TYPE_DATE;
    c.target_data_type = DSJ_TYPE_INTEGER; c.display_format = "DATE9.";
    dsj_meta_add_column(m, &c);
    return m;
}

static void cell(dsj_cell_t *c, dsj_cell_kind_t k, const char *text, size_t len)
{
    memset(c, 0, sizeof *c);
    c->kind = k;
    c->text = text;
    c->len = text ? len : 0;
}

static void CELL(dsj_cell_t *c, dsj_cell_kind_t k, const char *s) { cell(c, k, s, s ? strlen(s) : 0); }

/* Write the two small rows through w (write_row for row 1, cell by cell for row 2). */
static dsj_status_t small_rows(dsj_writer_t *w, dsj_error_t *e)
{
    dsj_cell_t cells[4];
    dsj_row_t row;
    dsj_status_t st;
    CELL(&cells[0], DSJ_CELL_STRING, "S-1");
    CELL(&cells[1], DSJ_CELL_INTEGER, "42");
    CELL(&cells[2], DSJ_CELL_STRING, "1.50");
    CELL(&cells[3], DSJ_CELL_STRING, "2014-01-02");
    memset(&row, 0, sizeof row);
    row.ncells = 4;
    row.cells = cells;
    if ((st = dsj_writer_write_row(w, &row, e)) != DSJ_OK) return st;
    if ((st = dsj_writer_row_begin(w, e)) != DSJ_OK) return st;
    if ((st = dsj_writer_put_string(w, "S-\n2", 4, e)) != DSJ_OK) return st;
    if ((st = dsj_writer_put_null(w, e)) != DSJ_OK) return st;
    if ((st = dsj_writer_put_string(w, "", 0, e)) != DSJ_OK) return st;
    if ((st = dsj_writer_put_string(w, "1959-12-31", 10, e)) != DSJ_OK) return st;
    return dsj_writer_row_end(w, e);
}

/* Write the small dataset to memory with opts; returns malloc'd text or NULL. */
static char *write_small(const dsj_writer_options_t *o, size_t *len, dsj_findings_t *fl)
{
    dsj_error_t e;
    dsj_meta_t *m = small_meta();
    dsj_writer_options_t oo = *o;
    dsj_writer_t *w;
    char *out = NULL;
    if (fl) { oo.on_finding = dsj_findings_add; oo.finding_ctx = fl; }
    w = dsj_writer_new(dsj_sink_new_memory(NULL), &oo, &e);
    if (w && dsj_writer_begin(w, m, &e) == DSJ_OK && small_rows(w, &e) == DSJ_OK && dsj_writer_end(w, &e) == DSJ_OK)
        out = dsj_sink_memory_steal(dsj_writer_sink(w), len);
    else
        printf("\n  write_small: %s\n", e.text);
    dsj_writer_free(w);
    dsj_meta_free(m);
    return out;
}

#define META11_COMPACT \
    "{\"datasetJSONCreationDateTime\":\"2025-01-02T03:04:05\",\"datasetJSONVersion\":\"1.1.0\",\"fileOID\":\"F.1\"," \
    "\"dbLastModifiedDateTime\":\"2025-01-01T00:00:00\",\"originator\":\"Me\",\"sourceSystem\":{\"name\":\"Sys\"," \
    "\"version\":\"2\"},\"studyOID\":\"S\",\"metaDataVersionOID\":\"MDV\",\"metaDataRef\":\"define.xml\"," \
    "\"itemGroupOID\":\"IG.T\",\"records\":2,\"name\":\"T\",\"label\":\"Test \\\"q\\\"\",\"columns\":[" \
    "{\"itemOID\":\"IT.T.USUBJID\",\"name\":\"USUBJID\",\"label\":\"Subject\",\"dataType\":\"string\",\"length\":8,\"keySequence\":1}," \
    "{\"itemOID\":\"IT.T.AGE\",\"name\":\"AGE\",\"label\":\"Age\",\"dataType\":\"integer\"}," \
    "{\"itemOID\":\"IT.T.VAL\",\"name\":\"VAL\",\"label\":\"Value\",\"dataType\":\"decimal\",\"targetDataType\":\"decimal\"}," \
    "{\"itemOID\":\"IT.T.DT\",\"name\":\"DT\",\"label\":\"Date\",\"dataType\":\"date\",\"targetDataType\":\"integer\",\"displayFormat\":\"DATE9.\"}]"

static const char expect_compact[] =
    META11_COMPACT ",\"rows\":[[\"S-1\",42,\"1.50\",\"2014-01-02\"],[\"S-\\n2\",null,\"\",\"1959-12-31\"]]}";

static const char expect_ndjson[] =
    META11_COMPACT "}\n[\"S-1\",42,\"1.50\",\"2014-01-02\"]\n[\"S-\\n2\",null,\"\",\"1959-12-31\"]\n";

static const char expect_pretty[] =
    "{\n"
    "  \"datasetJSONCreationDateTime\": \"2025-01-02T03:04:05\",\n"
    "  \"datasetJSONVersion\": \"1.1.0\",\n"
    "  \"fileOID\": \"F.1\",\n"
    "  \"dbLastModifiedDateTime\": \"2025-01-01T00:00:00\",\n"
    "  \"originator\": \"Me\",\n"
    "  \"sourceSystem\": {\n"
    "    \"name\": \"Sys\",\n"
    "    \"version\": \"2\"\n"
    "  },\n"
    "  \"studyOID\": \"S\",\n"
    "  \"metaDataVersionOID\": \"MDV\",\n"
    "  \"metaDataRef\": \"define.xml\",\n"
    "  \"itemGroupOID\": \"IG.T\",\n"
    "  \"records\": 2,\n"
    "  \"name\": \"T\",\n"
    "  \"label\": \"Test \\\"q\\\"\",\n"
    "  \"columns\": [\n"
    "    {\"itemOID\": \"IT.T.USUBJID\", \"name\": \"USUBJID\", \"label\": \"Subject\", \"dataType\": \"string\", \"length\": 8, \"keySequence\": 1},\n"
    "    {\"itemOID\": \"IT.T.AGE\", \"name\": \"AGE\", \"label\": \"Age\", \"dataType\": \"integer\"},\n"
    "    {\"itemOID\": \"IT.T.VAL\", \"name\": \"VAL\", \"label\": \"Value\", \"dataType\": \"decimal\", \"targetDataType\": \"decimal\"},\n"
    "    {\"itemOID\": \"IT.T.DT\", \"name\": \"DT\", \"label\": \"Date\", \"dataType\": \"date\", \"targetDataType\": \"integer\", \"displayFormat\": \"DATE9.\"}\n"
    "  ],\n"
    "  \"rows\": [\n"
    "    [\"S-1\", 42, \"1.50\", \"2014-01-02\"],\n"
    "    [\"S-\\n2\", null, \"\", \"1959-12-31\"]\n"
    "  ]\n"
    "}\n";

static const char expect_v10[] =
    "{\"creationDateTime\":\"2025-01-02T03:04:05\",\"datasetJSONVersion\":\"1.0.0\",\"fileOID\":\"F.1\","
    "\"originator\":\"Me\",\"sourceSystem\":\"Sys\",\"sourceSystemVersion\":\"2\",\"clinicalData\":{"
    "\"studyOID\":\"S\",\"metaDataVersionOID\":\"MDV\",\"metaDataRef\":\"define.xml\",\"itemGroupData\":{"
    "\"IG.T\":{\"records\":2,\"name\":\"T\",\"label\":\"Test \\\"q\\\"\",\"items\":["
    "{\"OID\":\"ITEMGROUPDATASEQ\",\"name\":\"ITEMGROUPDATASEQ\",\"label\":\"Record Identifier\",\"type\":\"integer\"},"
    "{\"OID\":\"IT.T.USUBJID\",\"name\":\"USUBJID\",\"label\":\"Subject\",\"type\":\"string\",\"length\":8,\"keySequence\":1},"
    "{\"OID\":\"IT.T.AGE\",\"name\":\"AGE\",\"label\":\"Age\",\"type\":\"integer\"},"
    "{\"OID\":\"IT.T.VAL\",\"name\":\"VAL\",\"label\":\"Value\",\"type\":\"decimal\"},"
    "{\"OID\":\"IT.T.DT\",\"name\":\"DT\",\"label\":\"Date\",\"type\":\"integer\",\"displayFormat\":\"DATE9.\"}],"
    "\"itemData\":[[1,\"S-1\",42,1.50,19725],[2,\"S-\\n2\",null,null,-1]]}}}}";

/* ------------------------------------------------------------ output texts */

static void test_compact_json(void)
{
    dsj_writer_options_t o;
    size_t len = 0;
    char *s;
    dsj_writer_options_init(&o);
    s = write_small(&o, &len, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s, expect_compact);
    CU_ASSERT_EQUAL(len, strlen(expect_compact));
    free(s);
}

static void test_pretty_json(void)
{
    dsj_writer_options_t o;
    char *s;
    dsj_writer_options_init(&o);
    o.pretty = 1;
    s = write_small(&o, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s, expect_pretty);
    free(s);
}

static void test_ndjson(void)
{
    dsj_writer_options_t o;
    char *s;
    dsj_writer_options_init(&o);
    o.format = DSJ_FORMAT_NDJSON;
    o.pretty = 1; /* ignored for NDJSON */
    s = write_small(&o, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s, expect_ndjson);
    free(s);
}

static void test_v10_output(void)
{
    dsj_writer_options_t o;
    dsj_findings_t *fl = dsj_findings_new(0);
    char *s;
    size_t i;
    int saw_db = 0;
    dsj_writer_options_init(&o);
    o.version = DSJ_V1_0;
    s = write_small(&o, NULL, fl);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s, expect_v10);
    for (i = 0; i < dsj_findings_count(fl); i++) {
        const dsj_finding_t *f = dsj_findings_get(fl, i);
        CU_ASSERT_EQUAL(f->severity, DSJ_SEV_WARNING);
        if (strstr(f->message, "dbLastModifiedDateTime")) saw_db = 1;
    }
    CU_ASSERT_TRUE(saw_db);
    CU_ASSERT_EQUAL(dsj_findings_count(fl), 1); /* nothing else is lost */
    free(s);
    dsj_findings_free(fl);
}

/* The 1.0 text read back and written as 1.1 gives the original minus documented losses. */
static void test_v10_back_to_v11(void)
{
    dsj_error_t e;
    dsj_dataset_t *ds = dsj_dataset_from_string(expect_v10, strlen(expect_v10), NULL, &e);
    dsj_writer_options_t o;
    dsj_findings_t *fl = dsj_findings_new(0);
    char *s;
    const char *want =
        "{\"datasetJSONCreationDateTime\":\"2025-01-02T03:04:05\",\"datasetJSONVersion\":\"1.1.0\",\"fileOID\":\"F.1\","
        "\"originator\":\"Me\",\"sourceSystem\":{\"name\":\"Sys\",\"version\":\"2\"},\"studyOID\":\"S\","
        "\"metaDataVersionOID\":\"MDV\",\"metaDataRef\":\"define.xml\",\"itemGroupOID\":\"IG.T\",\"records\":2,"
        "\"name\":\"T\",\"label\":\"Test \\\"q\\\"\",\"columns\":["
        "{\"itemOID\":\"IT.T.USUBJID\",\"name\":\"USUBJID\",\"label\":\"Subject\",\"dataType\":\"string\",\"length\":8,\"keySequence\":1},"
        "{\"itemOID\":\"IT.T.AGE\",\"name\":\"AGE\",\"label\":\"Age\",\"dataType\":\"integer\"},"
        "{\"itemOID\":\"IT.T.VAL\",\"name\":\"VAL\",\"label\":\"Value\",\"dataType\":\"decimal\",\"targetDataType\":\"decimal\"},"
        "{\"itemOID\":\"IT.T.DT\",\"name\":\"DT\",\"label\":\"Date\",\"dataType\":\"date\",\"targetDataType\":\"integer\",\"displayFormat\":\"DATE9.\"}],"
        "\"rows\":[[\"S-1\",42,\"1.50\",\"2014-01-02\"],[\"S-\\n2\",null,null,\"1959-12-31\"]]}";
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    dsj_writer_options_init(&o);
    o.version = DSJ_V1_1;
    o.on_finding = dsj_findings_add;
    o.finding_ctx = fl;
    s = dsj_dataset_to_string(ds, &o, NULL, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s, want);
    CU_ASSERT_EQUAL(dsj_findings_count(fl), 0); /* clinicalData, both sourceSystem parts: no loss */
    free(s);
    dsj_dataset_free(ds);
    dsj_findings_free(fl);
}

/* ------------------------------------------------------------ DSJC */

static char *inflate_all(const char *in, size_t n, size_t *outlen)
{
    z_stream z;
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    int rc;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 15 + 32) != Z_OK) { free(out); return NULL; }
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    do {
        if (len == cap) { cap *= 2; out = realloc(out, cap); }
        z.next_out = (Bytef *)out + len;
        z.avail_out = (uInt)(cap - len);
        rc = inflate(&z, Z_NO_FLUSH);
        len = cap - z.avail_out;
    } while (rc == Z_OK);
    inflateEnd(&z);
    if (rc != Z_STREAM_END) { free(out); return NULL; }
    out = realloc(out, len + 1);
    out[len] = '\0';
    *outlen = len;
    return out;
}

static void test_dsjc(void)
{
    int zl;
    for (zl = 0; zl <= 1; zl++) {
        dsj_writer_options_t o;
        size_t len = 0, plain_len = 0;
        char *s, *plain;
        dsj_writer_options_init(&o);
        o.format = DSJ_FORMAT_DSJC;
        o.dsjc_zlib = zl;
        s = write_small(&o, &len, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_TRUE(len > 2);
        if (zl) {
            CU_ASSERT_EQUAL((unsigned char)s[0], 0x78); /* zlib header */
        } else {
            CU_ASSERT_TRUE((unsigned char)s[0] == 0x1f && (unsigned char)s[1] == 0x8b); /* gzip magic */
        }
        plain = inflate_all(s, len, &plain_len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(plain);
        CU_ASSERT_STRING_EQUAL(plain, expect_ndjson);
        free(plain);
        free(s);
    }
}

/* ------------------------------------------------------------ records, widths, order */

static int file_exists(const char *p) { return access(p, F_OK) == 0; }

static void test_records_mismatch_no_file(void)
{
    char path[] = "/tmp/dsj_writer_test_XXXXXX";
    char file[600];
    dsj_error_t e;
    dsj_meta_t *m = small_meta();
    dsj_writer_t *w;
    dsj_writer_options_t o;
    dsj_cell_t cells[4];
    dsj_row_t row;
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(path));
    snprintf(file, sizeof file, "%s/out.json", path);
    dsj_writer_options_init(&o);
    dsj_meta_set_records(m, 3); /* but two rows follow */
    w = dsj_writer_new(dsj_sink_new_path(file, &e), &o, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_EQUAL(dsj_writer_begin(w, m, &e), DSJ_OK);
    CU_ASSERT_EQUAL(small_rows(w, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_writer_end(w, &e), DSJ_E_MISMATCH);
    CU_ASSERT_STRING_EQUAL(e.text, "records says 3 but 2 rows were written");
    /* further calls are refused */
    CU_ASSERT_EQUAL(dsj_writer_end(w, &e), DSJ_E_STATE);
    memset(&row, 0, sizeof row);
    row.ncells = 4;
    row.cells = cells;
    CELL(&cells[0], DSJ_CELL_NULL, NULL); cells[1] = cells[2] = cells[3] = cells[0];
    CU_ASSERT_EQUAL(dsj_writer_write_row(w, &row, &e), DSJ_E_STATE);
    dsj_writer_free(w);
    CU_ASSERT_FALSE(file_exists(file));
    {   /* and nothing else was left in the folder (the temporary file is gone) */
        DIR *d = opendir(path);
        struct dirent *de;
        int n = 0;
        while (d && (de = readdir(d))) if (de->d_name[0] != '.') n++;
        if (d) closedir(d);
        CU_ASSERT_EQUAL(n, 0);
    }
    /* the same with the right count commits the file */
    dsj_meta_set_records(m, 2);
    w = dsj_writer_new(dsj_sink_new_path(file, &e), &o, &e);
    CU_ASSERT_EQUAL(dsj_writer_begin(w, m, &e), DSJ_OK);
    CU_ASSERT_EQUAL(small_rows(w, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_writer_end(w, &e), DSJ_OK);
    dsj_writer_free(w);
    {
        char *s = dsj_test_slurp(file, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_STRING_EQUAL(s, expect_compact);
        free(s);
    }
    /* free without end abandons the output and leaves an existing file alone */
    w = dsj_writer_new(dsj_sink_new_path(file, &e), &o, &e);
    CU_ASSERT_EQUAL(dsj_writer_begin(w, m, &e), DSJ_OK);
    CU_ASSERT_EQUAL(small_rows(w, &e), DSJ_OK);
    dsj_writer_free(w);
    {
        char *s = dsj_test_slurp(file, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_STRING_EQUAL(s, expect_compact);
        free(s);
    }
    unlink(file);
    rmdir(path);
    dsj_meta_free(m);
}

/* No records in the metadata: rows are spooled and the true count is written, for every format. */
static void test_records_absent_spooled(void)
{
    dsj_format_t f;
    for (f = DSJ_FORMAT_JSON; f <= DSJ_FORMAT_DSJC; f++) {
        dsj_error_t e;
        dsj_meta_t *m = small_meta();
        dsj_writer_options_t o;
        dsj_writer_t *w;
        const char *s;
        char *plain = NULL;
        size_t len = 0;
        dsj_meta_unset_records(m);
        dsj_writer_options_init(&o);
        o.format = f;
        w = dsj_writer_new(dsj_sink_new_memory(NULL), &o, &e);
        CU_ASSERT_EQUAL(dsj_writer_begin(w, m, &e), DSJ_OK);
        CU_ASSERT_EQUAL(small_rows(w, &e), DSJ_OK);
        CU_ASSERT_EQUAL(dsj_writer_end(w, &e), DSJ_OK);
        s = dsj_sink_memory_data(dsj_writer_sink(w), &len);
        if (f == DSJ_FORMAT_DSJC) s = plain = inflate_all(s, len, &len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_STRING_EQUAL(s, f == DSJ_FORMAT_JSON ? expect_compact : expect_ndjson);
        free(plain);
        dsj_writer_free(w);
        dsj_meta_free(m);
    }
}

static void test_row_width(void)
{
    dsj_error_t e;
    dsj_meta_t *m = small_meta();
    dsj_writer_options_t o;
    dsj_writer_t *w;
    dsj_cell_t cells[5];
    dsj_row_t row;
    dsj_writer_options_init(&o);
    w = dsj_writer_new(dsj_sink_new_memory(NULL), &o, &e);
    CU_ASSERT_EQUAL(dsj_writer_begin(w, m, &e), DSJ_OK);
    memset(&row, 0, sizeof row);
    CELL(&cells[0], DSJ_CELL_STRING, "x"); cells[1] = cells[2] = cells[3] = cells[4] = cells[0];
    row.cells = cells;
    row.ncells = 3;
    CU_ASSERT_EQUAL(dsj_writer_write_row(w, &row, &e), DSJ_E_MISMATCH);
    CU_ASSERT_STRING_EQUAL(e.text, "row 1 has 3 cells but the metadata has 4 columns");
    row.ncells = 5;
    CU_ASSERT_EQUAL(dsj_writer_write_row(w, &row, &e), DSJ_E_MISMATCH);
    /* cell by cell: too few at row_end, too many at the extra put */
    CU_ASSERT_EQUAL(dsj_writer_row_begin(w, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_writer_put_null(w, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_writer_row_end(w, &e), DSJ_E_MISMATCH);
    CU_ASSERT_STRING_EQUAL(e.text, "row 1 has 1 cells but the metadata has 4 columns");
    CU_ASSERT_EQUAL(dsj_writer_row_begin(w, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_writer_put_null(w, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_writer_put_null(w, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_writer_put_null(w, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_writer_put_null(w, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_writer_put_null(w, &e), DSJ_E_MISMATCH);
    /* rejected rows left no trace: the writer goes on and the output is exact */
    CU_ASSERT_EQUAL(small_rows(w, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_writer_end(w, &e), DSJ_OK);
    CU_ASSERT_STRING_EQUAL(dsj_sink_memory_data(dsj_writer_sink(w), NULL), expect_compact);
    dsj_writer_free(w);
    dsj_meta_free(m);
}

static void test_call_order(void)
{
    dsj_error_t e;
    dsj_meta_t *m = small_meta();
    dsj_writer_t *w = dsj_writer_new(dsj_sink_new_memory(NULL), NULL, &e);
    dsj_cell_t c;
    dsj_row_t row;
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    memset(&row, 0, sizeof row);
    CELL(&c, DSJ_CELL_NULL, NULL);
    CU_ASSERT_EQUAL(dsj_writer_row_begin(w, &e), DSJ_E_STATE);
    CU_ASSERT_STRING_EQUAL(e.text, "dsj_writer_row_begin called before dsj_writer_begin");
    CU_ASSERT_EQUAL(dsj_writer_put_null(w, &e), DSJ_E_STATE);
    CU_ASSERT_EQUAL(dsj_writer_write_row(w, &row, &e), DSJ_E_STATE);
    CU_ASSERT_EQUAL(dsj_writer_end(w, &e), DSJ_E_STATE);
    CU_ASSERT_EQUAL(dsj_writer_row_end(w, &e), DSJ_E_STATE);
    CU_ASSERT_EQUAL(dsj_writer_begin(w, m, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_writer_begin(w, m, &e), DSJ_E_STATE);
    CU_ASSERT_EQUAL(dsj_writer_put_cell(w, &c, &e), DSJ_E_STATE);   /* no row begun */
    CU_ASSERT_EQUAL(dsj_writer_row_end(w, &e), DSJ_E_STATE);
    CU_ASSERT_EQUAL(dsj_writer_row_begin(w, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_writer_row_begin(w, &e), DSJ_E_STATE);
    CU_ASSERT_EQUAL(dsj_writer_write_row(w, &row, &e), DSJ_E_STATE);
    CU_ASSERT_EQUAL(dsj_writer_end(w, &e), DSJ_E_STATE);
    CU_ASSERT_STRING_EQUAL(e.text, "dsj_writer_end called inside a row");
    dsj_writer_free(w);
    dsj_writer_free(NULL);
    CU_ASSERT_PTR_NULL(dsj_writer_new(NULL, NULL, &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_ARG);
    /* metadata that is not UTF-8 is refused at begin */
    dsj_meta_set(m, DSJ_META_LABEL, "bad \xc3(");
    w = dsj_writer_new(dsj_sink_new_memory(NULL), NULL, &e);
    CU_ASSERT_EQUAL(dsj_writer_begin(w, m, &e), DSJ_E_ENCODING);
    CU_ASSERT_STRING_EQUAL(e.text, "metadata attribute label is not valid UTF-8");
    CU_ASSERT_EQUAL(dsj_writer_row_begin(w, &e), DSJ_E_STATE);
    dsj_writer_free(w);
    w = NULL;
    CU_ASSERT_PTR_NULL(dsj_writer_new(NULL, NULL, &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_ARG);
    dsj_meta_free(m);
}

/* ------------------------------------------------------------ put_* */

static char *write_one_column(dsj_datatype_t t, dsj_status_t (*puts)(dsj_writer_t *, dsj_error_t *), dsj_status_t *st)
{
    dsj_error_t e;
    dsj_meta_t *m = dsj_meta_new(DSJ_V1_1);
    dsj_column_t c;
    dsj_writer_options_t o;
    dsj_writer_t *w;
    char *out = NULL;
    memset(&c, 0, sizeof c);
    c.item_oid = "IT.X"; c.name = "X"; c.label = "X"; c.data_type = t;
    dsj_meta_add_column(m, &c);
    dsj_meta_set(m, DSJ_META_ITEMGROUP_OID, "IG.X");
    dsj_writer_options_init(&o);
    o.format = DSJ_FORMAT_NDJSON;
    w = dsj_writer_new(dsj_sink_new_memory(NULL), &o, &e);
    dsj_writer_begin(w, m, &e);
    *st = puts(w, &e);
    if (*st == DSJ_OK && dsj_writer_end(w, &e) == DSJ_OK) {
        const char *s = dsj_sink_memory_data(dsj_writer_sink(w), NULL);
        s = strchr(s, '\n'); /* skip the metadata line */
        out = strdup(s ? s + 1 : "");
    }
    dsj_writer_free(w);
    dsj_meta_free(m);
    return out;
}

static dsj_status_t put_doubles(dsj_writer_t *w, dsj_error_t *e)
{
    static const double v[] = {0.1, 1.0 / 3.0, 100.0, -0.0, 1e21, 5e-324, 123456.789, 0.30000000000000004};
    size_t i;
    dsj_status_t st;
    for (i = 0; i < sizeof v / sizeof v[0]; i++) {
        if ((st = dsj_writer_row_begin(w, e)) || (st = dsj_writer_put_double(w, v[i], e)) ||
            (st = dsj_writer_row_end(w, e)))
            return st;
    }
    return DSJ_OK;
}

static dsj_status_t put_misc(dsj_writer_t *w, dsj_error_t *e)
{
    dsj_status_t st;
    if ((st = dsj_writer_row_begin(w, e)) || (st = dsj_writer_put_int64(w, INT64_MIN, e)) || (st = dsj_writer_row_end(w, e)))
        return st;
    if ((st = dsj_writer_row_begin(w, e)) || (st = dsj_writer_put_number_text(w, "-1.250e+3", 9, e)) ||
        (st = dsj_writer_row_end(w, e)))
        return st;
    if ((st = dsj_writer_row_begin(w, e)) || (st = dsj_writer_put_bool(w, 1, e)) || (st = dsj_writer_row_end(w, e)))
        return st;
    if ((st = dsj_writer_row_begin(w, e)) || (st = dsj_writer_put_string(w, "a\"\\\x01\xe6\x97\xa5", 7, e)) ||
        (st = dsj_writer_row_end(w, e)))
        return st;
    /* bad values are refused and leave the writer usable */
    if (dsj_writer_row_begin(w, e)) return DSJ_E_STATE;
    if (dsj_writer_put_number_text(w, "01", 2, e) != DSJ_E_ARG) return DSJ_E_STATE;
    if (dsj_writer_put_number_text(w, "1.", 2, e) != DSJ_E_ARG) return DSJ_E_STATE;
    if (dsj_writer_put_double(w, 0.0 / 0.0, e) != DSJ_E_RANGE) return DSJ_E_STATE;
    if (dsj_writer_put_string(w, "ab\xff", 3, e) != DSJ_E_ENCODING) return DSJ_E_STATE;
    if (strcmp(e->text, "row 5, column X: invalid UTF-8 at byte 2 of the string")) return DSJ_E_STATE;
    if (dsj_writer_row_begin(w, e)) return DSJ_E_STATE;
    /* long text: the 8-byte scan path; a truncated sequence at the end, then an overlong form */
    if (dsj_writer_put_string(w, "0123456789abcdef\xe6\x97", 18, e) != DSJ_E_ENCODING) return DSJ_E_STATE;
    if (dsj_writer_row_begin(w, e)) return DSJ_E_STATE;
    if (dsj_writer_put_string(w, "0123456789\xc0\xaf", 12, e) != DSJ_E_ENCODING) return DSJ_E_STATE;
    if (dsj_writer_row_begin(w, e)) return DSJ_E_STATE;
    if ((st = dsj_writer_put_bool(w, 0, e)) || (st = dsj_writer_row_end(w, e))) return st;
    if ((st = dsj_writer_row_begin(w, e)) ||
        (st = dsj_writer_put_string(w, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e text \xc3\xa9", 17, e)) ||
        (st = dsj_writer_row_end(w, e)))
        return st;
    return DSJ_OK;
}

static void test_put_values(void)
{
    dsj_status_t st;
    char *s = write_one_column(DSJ_TYPE_DOUBLE, put_doubles, &st);
    CU_ASSERT_EQUAL(st, DSJ_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s, "[0.1]\n[0.3333333333333333]\n[100]\n[-0]\n[1e+21]\n[4.94065645841247e-324]\n"
                              "[123456.789]\n[0.30000000000000004]\n");
    free(s);
    s = write_one_column(DSJ_TYPE_STRING, put_misc, &st);
    CU_ASSERT_EQUAL(st, DSJ_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s, "[-9223372036854775808]\n[-1.250e+3]\n[true]\n[\"a\\\"\\\\\\u0001\xe6\x97\xa5\"]\n[false]\n"
                              "[\"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e text \xc3\xa9\"]\n");
    free(s);
}

/* ------------------------------------------------------------ conversion */

static void check_date(int64_t days, const char *iso)
{
    char b[32];
    int64_t back = 12345678;
    CU_ASSERT_EQUAL(dsj_sas_date_to_iso(days, b), 10);
    CU_ASSERT_STRING_EQUAL(b, iso);
    CU_ASSERT_EQUAL(dsj_iso_to_sas_date(iso, strlen(iso), &back), 1);
    CU_ASSERT_EQUAL(back, days);
}

static void test_sas_dates(void)
{
    char b[32];
    int64_t v, d;
    check_date(0, "1960-01-01");
    check_date(19725, "2014-01-02");
    check_date(-1, "1959-12-31");
    check_date(59, "1960-02-29");      /* 1960 is a leap year */
    check_date(60, "1960-03-01");
    check_date(14669, "2000-02-29");   /* 2000: divisible by 400 */
    check_date(-21914, "1900-01-01");
    check_date(-21914 + 59, "1900-03-01"); /* 1900: no 29 February */
    check_date(-715875, "0000-01-01");
    check_date(2936549, "9999-12-31");
    CU_ASSERT_EQUAL(dsj_sas_date_to_iso(2936550, b), -1); /* year 10000 */
    CU_ASSERT_EQUAL(dsj_sas_date_to_iso(-715876, b), -1);
    CU_ASSERT_EQUAL(dsj_sas_date_to_iso(INT64_MIN, b), -1);
    /* every day of 1959-2001 converts there and back, and consecutive days differ by one */
    for (d = -400; d < 15000; d++) {
        CU_ASSERT_EQUAL_FATAL(dsj_sas_date_to_iso(d, b), 10);
        CU_ASSERT_FATAL(dsj_iso_to_sas_date(b, 10, &v) == 1 && v == d);
    }
    CU_ASSERT_EQUAL(dsj_iso_to_sas_date("1900-02-29", 10, &v), 0);
    CU_ASSERT_EQUAL(dsj_iso_to_sas_date("2014-13-01", 10, &v), 0);
    CU_ASSERT_EQUAL(dsj_iso_to_sas_date("2014-1-02", 9, &v), 0);
    CU_ASSERT_EQUAL(dsj_iso_to_sas_date("2014-01-00", 10, &v), 0);
    CU_ASSERT_EQUAL(dsj_iso_to_sas_date("2014", 4, &v), 0);
    /* datetimes: seconds since 1960-01-01T00:00:00 */
    CU_ASSERT_EQUAL(dsj_sas_datetime_to_iso(0, b), 19);
    CU_ASSERT_STRING_EQUAL(b, "1960-01-01T00:00:00");
    dsj_sas_datetime_to_iso(-1, b);
    CU_ASSERT_STRING_EQUAL(b, "1959-12-31T23:59:59");
    dsj_sas_datetime_to_iso(1704277815, b);
    CU_ASSERT_STRING_EQUAL(b, "2014-01-02T10:30:15");
    CU_ASSERT_TRUE(dsj_iso_to_sas_datetime("2014-01-02T10:30:15", 19, &v) && v == 1704277815);
    CU_ASSERT_TRUE(dsj_iso_to_sas_datetime("2014-01-02T10:30", 16, &v) && v == 1704277800);
    CU_ASSERT_TRUE(dsj_iso_to_sas_datetime("1959-12-31T23:59:59", 19, &v) && v == -1);
    CU_ASSERT_EQUAL(dsj_iso_to_sas_datetime("2014-01-02T10:30:15Z", 20, &v), 0);
    CU_ASSERT_EQUAL(dsj_iso_to_sas_datetime("2014-01-02T24:00:00", 19, &v), 0);
    CU_ASSERT_EQUAL(dsj_iso_to_sas_datetime("2014-01-02", 10, &v), 0);
    /* times: seconds since midnight */
    CU_ASSERT_EQUAL(dsj_sas_time_to_iso(0, b), 8);
    CU_ASSERT_STRING_EQUAL(b, "00:00:00");
    dsj_sas_time_to_iso(86399, b);
    CU_ASSERT_STRING_EQUAL(b, "23:59:59");
    CU_ASSERT_EQUAL(dsj_sas_time_to_iso(86400, b), -1);
    CU_ASSERT_EQUAL(dsj_sas_time_to_iso(-1, b), -1);
    CU_ASSERT_TRUE(dsj_iso_to_sas_time("10:30", 5, &v) && v == 37800);
    CU_ASSERT_EQUAL(dsj_iso_to_sas_time("10:60:00", 8, &v), 0);
}

static void test_sas_format_kind(void)
{
    CU_ASSERT_EQUAL(dsj_sas_format_kind("DATE9."), DSJ_TYPE_DATE);
    CU_ASSERT_EQUAL(dsj_sas_format_kind("date9."), DSJ_TYPE_DATE);
    CU_ASSERT_EQUAL(dsj_sas_format_kind("E8601DA."), DSJ_TYPE_DATE);
    CU_ASSERT_EQUAL(dsj_sas_format_kind("YYMMDD10."), DSJ_TYPE_DATE);
    CU_ASSERT_EQUAL(dsj_sas_format_kind("DATETIME20."), DSJ_TYPE_DATETIME);
    CU_ASSERT_EQUAL(dsj_sas_format_kind("E8601DT19.3"), DSJ_TYPE_DATETIME);
    CU_ASSERT_EQUAL(dsj_sas_format_kind("TIME8."), DSJ_TYPE_TIME);
    CU_ASSERT_EQUAL(dsj_sas_format_kind("E8601TM."), DSJ_TYPE_TIME);
    CU_ASSERT_EQUAL(dsj_sas_format_kind("8.2"), DSJ_TYPE_NONE);
    CU_ASSERT_EQUAL(dsj_sas_format_kind("BEST12."), DSJ_TYPE_NONE);
    CU_ASSERT_EQUAL(dsj_sas_format_kind("$CHAR10."), DSJ_TYPE_NONE);
    CU_ASSERT_EQUAL(dsj_sas_format_kind("DATE9.X"), DSJ_TYPE_NONE);
    CU_ASSERT_EQUAL(dsj_sas_format_kind(""), DSJ_TYPE_NONE);
    CU_ASSERT_EQUAL(dsj_sas_format_kind(NULL), DSJ_TYPE_NONE);
}

/* Convert one cell; returns the result code and the text ("null" for null). */
static int conv(dsj_conv_op_t op, dsj_cell_kind_t k, const char *in, char *out, dsj_cell_kind_t *ok)
{
    dsj_buf_t b;
    dsj_cell_t c, r;
    int rc;
    dsj_buf_init(&b);
    CELL(&c, k, in);
    rc = dsj_convert_cell(op, &c, &r, &b);
    snprintf(out, 64, "%s", r.kind == DSJ_CELL_NULL ? "null" : r.text);
    *ok = r.kind;
    dsj_buf_free(&b);
    return rc;
}

static void test_convert_cells(void)
{
    char s[64];
    dsj_cell_kind_t k;
    CU_ASSERT(conv(DSJ_CONV_NUM_TO_DECSTR, DSJ_CELL_NUMBER, "1.50", s, &k) == 1 && k == DSJ_CELL_STRING);
    CU_ASSERT_STRING_EQUAL(s, "1.50");
    conv(DSJ_CONV_NUM_TO_DECSTR, DSJ_CELL_NUMBER, "1e2", s, &k);
    CU_ASSERT_STRING_EQUAL(s, "100");
    conv(DSJ_CONV_NUM_TO_DECSTR, DSJ_CELL_NUMBER, "-1.25E-3", s, &k);
    CU_ASSERT_STRING_EQUAL(s, "-0.00125");
    conv(DSJ_CONV_NUM_TO_DECSTR, DSJ_CELL_NUMBER, "12.5e1", s, &k);
    CU_ASSERT_STRING_EQUAL(s, "125");
    conv(DSJ_CONV_NUM_TO_DECSTR, DSJ_CELL_NUMBER, "0.0e5", s, &k);
    CU_ASSERT_STRING_EQUAL(s, "0");
    conv(DSJ_CONV_NUM_TO_DECSTR, DSJ_CELL_INTEGER, "35", s, &k);
    CU_ASSERT_STRING_EQUAL(s, "35");
    CU_ASSERT(conv(DSJ_CONV_NUM_TO_DECSTR, DSJ_CELL_NULL, NULL, s, &k) == 1 && k == DSJ_CELL_NULL);
    CU_ASSERT_EQUAL(conv(DSJ_CONV_NUM_TO_DECSTR, DSJ_CELL_NUMBER, "1e99999", s, &k), 0); /* absurd: kept */
    CU_ASSERT(conv(DSJ_CONV_DECSTR_TO_NUM, DSJ_CELL_STRING, "1.50", s, &k) == 1 && k == DSJ_CELL_NUMBER);
    CU_ASSERT_STRING_EQUAL(s, "1.50");
    CU_ASSERT(conv(DSJ_CONV_DECSTR_TO_NUM, DSJ_CELL_STRING, "", s, &k) == 1 && k == DSJ_CELL_NULL);
    CU_ASSERT(conv(DSJ_CONV_DECSTR_TO_NUM, DSJ_CELL_STRING, "+3", s, &k) == 1 && k == DSJ_CELL_INTEGER);
    CU_ASSERT_STRING_EQUAL(s, "3");
    conv(DSJ_CONV_DECSTR_TO_NUM, DSJ_CELL_STRING, "1,234.5", s, &k);
    CU_ASSERT_STRING_EQUAL(s, "1234.5");
    conv(DSJ_CONV_DECSTR_TO_NUM, DSJ_CELL_STRING, "-007", s, &k);
    CU_ASSERT_STRING_EQUAL(s, "-7");
    conv(DSJ_CONV_DECSTR_TO_NUM, DSJ_CELL_STRING, ".5", s, &k);
    CU_ASSERT_STRING_EQUAL(s, "0.5");
    CU_ASSERT(conv(DSJ_CONV_DECSTR_TO_NUM, DSJ_CELL_STRING, "abc", s, &k) == 0 && k == DSJ_CELL_STRING);
    CU_ASSERT_EQUAL(conv(DSJ_CONV_DECSTR_TO_NUM, DSJ_CELL_STRING, "1e5", s, &k), 0);
    CU_ASSERT_EQUAL(conv(DSJ_CONV_DECSTR_TO_NUM, DSJ_CELL_STRING, "12,34", s, &k), 0);
    CU_ASSERT_EQUAL(conv(DSJ_CONV_DECSTR_TO_NUM, DSJ_CELL_STRING, "-", s, &k), 0);
    CU_ASSERT(conv(DSJ_CONV_SAS_TO_DATE, DSJ_CELL_INTEGER, "19725", s, &k) == 1 && k == DSJ_CELL_STRING);
    CU_ASSERT_STRING_EQUAL(s, "2014-01-02");
    conv(DSJ_CONV_SAS_TO_DATE, DSJ_CELL_NUMBER, "1.9725e4", s, &k);
    CU_ASSERT_STRING_EQUAL(s, "2014-01-02");
    CU_ASSERT_EQUAL(conv(DSJ_CONV_SAS_TO_DATE, DSJ_CELL_NUMBER, "1.5", s, &k), 0);
    CU_ASSERT(conv(DSJ_CONV_SAS_TO_DATE, DSJ_CELL_STRING, "", s, &k) == 1 && k == DSJ_CELL_STRING);
    conv(DSJ_CONV_SAS_TO_DATETIME, DSJ_CELL_INTEGER, "-1", s, &k);
    CU_ASSERT_STRING_EQUAL(s, "1959-12-31T23:59:59");
    conv(DSJ_CONV_SAS_TO_TIME, DSJ_CELL_INTEGER, "3661", s, &k);
    CU_ASSERT_STRING_EQUAL(s, "01:01:01");
    CU_ASSERT_EQUAL(conv(DSJ_CONV_SAS_TO_TIME, DSJ_CELL_INTEGER, "90000", s, &k), 0);
    CU_ASSERT(conv(DSJ_CONV_DATE_TO_SAS, DSJ_CELL_STRING, "1959-12-31", s, &k) == 1 && k == DSJ_CELL_INTEGER);
    CU_ASSERT_STRING_EQUAL(s, "-1");
    CU_ASSERT(conv(DSJ_CONV_DATE_TO_SAS, DSJ_CELL_STRING, "", s, &k) == 1 && k == DSJ_CELL_NULL);
    CU_ASSERT_EQUAL(conv(DSJ_CONV_DATE_TO_SAS, DSJ_CELL_STRING, "2014", s, &k), 0);
    conv(DSJ_CONV_TIME_TO_SAS, DSJ_CELL_STRING, "23:59:59", s, &k);
    CU_ASSERT_STRING_EQUAL(s, "86399");
}

/* A hand-made 1.0 dataset with every kind of conversion and loss. */
static void test_convert_10_to_11_hand(void)
{
    static const char in10[] =
        "{\"creationDateTime\":\"2023-06-28T15:38\",\"datasetJSONVersion\":\"1.0.0\",\"asOfDateTime\":\"2023-05-31T00:00:00\","
        "\"sourceSystem\":\"Sponsor System\",\"referenceData\":{\"studyOID\":\"S\",\"itemGroupData\":{\"IG.X\":{"
        "\"records\":3,\"name\":\"X\",\"label\":\"X data\",\"items\":["
        "{\"OID\":\"ITEMGROUPDATASEQ\",\"name\":\"ITEMGROUPDATASEQ\",\"label\":\"Record Identifier\",\"type\":\"integer\"},"
        "{\"OID\":\"IT.D\",\"name\":\"D\",\"label\":\"Dec\",\"type\":\"decimal\"},"
        "{\"OID\":\"IT.DT\",\"name\":\"DT\",\"label\":\"Date\",\"type\":\"integer\",\"length\":8,\"displayFormat\":\"DATE9.\"},"
        "{\"OID\":\"IT.DTM\",\"name\":\"DTM\",\"label\":\"Datetime\",\"type\":\"integer\",\"displayFormat\":\"DATETIME20.\"},"
        "{\"OID\":\"IT.TM\",\"name\":\"TM\",\"label\":\"Time\",\"type\":\"integer\",\"displayFormat\":\"TIME8.\"},"
        "{\"OID\":\"IT.N\",\"name\":\"N\",\"label\":\"Number\",\"type\":\"integer\",\"displayFormat\":\"8.\"}],"
        "\"itemData\":[[1,1.50,0,0,0,7],[2,1e2,-1,-1,86399,8],[3,null,19725,1704277815,null,null]]}}}}";
    static const char want11[] =
        "{\"datasetJSONCreationDateTime\":\"2023-06-28T15:38:00\",\"datasetJSONVersion\":\"1.1.0\",\"studyOID\":\"S\","
        "\"itemGroupOID\":\"IG.X\",\"records\":3,\"name\":\"X\",\"label\":\"X data\",\"columns\":["
        "{\"itemOID\":\"IT.D\",\"name\":\"D\",\"label\":\"Dec\",\"dataType\":\"decimal\",\"targetDataType\":\"decimal\"},"
        "{\"itemOID\":\"IT.DT\",\"name\":\"DT\",\"label\":\"Date\",\"dataType\":\"date\",\"targetDataType\":\"integer\",\"length\":8,\"displayFormat\":\"DATE9.\"},"
        "{\"itemOID\":\"IT.DTM\",\"name\":\"DTM\",\"label\":\"Datetime\",\"dataType\":\"datetime\",\"targetDataType\":\"integer\",\"displayFormat\":\"DATETIME20.\"},"
        "{\"itemOID\":\"IT.TM\",\"name\":\"TM\",\"label\":\"Time\",\"dataType\":\"time\",\"targetDataType\":\"integer\",\"displayFormat\":\"TIME8.\"},"
        "{\"itemOID\":\"IT.N\",\"name\":\"N\",\"label\":\"Number\",\"dataType\":\"integer\",\"displayFormat\":\"8.\"}],"
        "\"rows\":[[\"1.50\",\"1960-01-01\",\"1960-01-01T00:00:00\",\"00:00:00\",7],"
        "[\"100\",\"1959-12-31\",\"1959-12-31T23:59:59\",\"23:59:59\",8],"
        "[null,\"2014-01-02\",\"2014-01-02T10:30:15\",null,null]]}";
    dsj_error_t e;
    dsj_dataset_t *ds = dsj_dataset_from_string(in10, strlen(in10), NULL, &e);
    dsj_findings_t *fl = dsj_findings_new(0);
    dsj_writer_options_t o;
    char *s;
    size_t i;
    int seen[4] = {0, 0, 0, 0};
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    dsj_writer_options_init(&o);
    o.version = DSJ_V1_1;
    o.on_finding = dsj_findings_add;
    o.finding_ctx = fl;
    s = dsj_dataset_to_string(ds, &o, NULL, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s, want11);
    for (i = 0; i < dsj_findings_count(fl); i++) {
        const char *m = dsj_findings_get(fl, i)->message;
        if (strstr(m, "creationDateTime")) seen[0]++;
        if (strstr(m, "asOfDateTime")) seen[1]++;
        if (strstr(m, "sourceSystem")) seen[2]++;
        if (strstr(m, "referenceData/clinicalData distinction has no 1.1 counterpart")) seen[3]++;
    }
    CU_ASSERT_EQUAL(dsj_findings_count(fl), 4);
    CU_ASSERT(seen[0] == 1 && seen[1] == 1 && seen[2] == 1 && seen[3] == 1);
    free(s);
    dsj_dataset_free(ds);
    dsj_findings_free(fl);
}

/* 1.1 -> 1.0 of columns with no 1.0 type, and a value that cannot be converted. */
static void test_convert_11_to_10_types(void)
{
    static const char in11[] =
        "{\"datasetJSONCreationDateTime\":\"2025-01-01T00:00:00\",\"datasetJSONVersion\":\"1.1.0\",\"itemGroupOID\":\"IG.Y\","
        "\"records\":2,\"name\":\"Y\",\"label\":\"Y\",\"columns\":["
        "{\"itemOID\":\"IT.A\",\"name\":\"A\",\"label\":\"A\",\"dataType\":\"date\"},"
        "{\"itemOID\":\"IT.U\",\"name\":\"U\",\"label\":\"U\",\"dataType\":\"URI\"},"
        "{\"itemOID\":\"IT.B\",\"name\":\"B\",\"label\":\"B\",\"dataType\":\"date\",\"targetDataType\":\"integer\",\"displayFormat\":\"E8601DA.\"},"
        "{\"itemOID\":\"IT.F\",\"name\":\"F\",\"label\":\"F\",\"dataType\":\"float\"}],"
        "\"rows\":[[\"2014\",\"http://x/\",\"2014\",1.5],[\"2014-01-02\",\"\",\"2014-01-02\",2]]}";
    static const char want10[] =
        "{\"creationDateTime\":\"2025-01-01T00:00:00\",\"datasetJSONVersion\":\"1.0.0\",\"clinicalData\":{\"itemGroupData\":{"
        "\"IG.Y\":{\"records\":2,\"name\":\"Y\",\"label\":\"Y\",\"items\":["
        "{\"OID\":\"ITEMGROUPDATASEQ\",\"name\":\"ITEMGROUPDATASEQ\",\"label\":\"Record Identifier\",\"type\":\"integer\"},"
        "{\"OID\":\"IT.A\",\"name\":\"A\",\"label\":\"A\",\"type\":\"string\"},"
        "{\"OID\":\"IT.U\",\"name\":\"U\",\"label\":\"U\",\"type\":\"string\"},"
        "{\"OID\":\"IT.B\",\"name\":\"B\",\"label\":\"B\",\"type\":\"integer\",\"displayFormat\":\"E8601DA.\"},"
        "{\"OID\":\"IT.F\",\"name\":\"F\",\"label\":\"F\",\"type\":\"float\"}],"
        "\"itemData\":[[1,\"2014\",\"http://x/\",\"2014\",1.5],[2,\"2014-01-02\",\"\",19725,2]]}}}}";
    dsj_error_t e;
    dsj_dataset_t *ds = dsj_dataset_from_string(in11, strlen(in11), NULL, &e);
    dsj_findings_t *fl = dsj_findings_new(0);
    dsj_writer_options_t o;
    const dsj_finding_t *f;
    char *s;
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    dsj_writer_options_init(&o);
    o.version = DSJ_V1_0;
    o.on_finding = dsj_findings_add;
    o.finding_ctx = fl;
    s = dsj_dataset_to_string(ds, &o, NULL, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s, want10);
    CU_ASSERT_EQUAL_FATAL(dsj_findings_count(fl), 3); /* A and U typed string; B's "2014" kept */
    CU_ASSERT_STRING_EQUAL(dsj_findings_get(fl, 0)->rule, "DSJ-CONVERT-TYPE");
    CU_ASSERT_STRING_EQUAL(dsj_findings_get(fl, 0)->column_name, "A");
    CU_ASSERT_STRING_EQUAL(dsj_findings_get(fl, 1)->column_name, "U");
    f = dsj_findings_get(fl, 2);
    CU_ASSERT_STRING_EQUAL(f->rule, "DSJ-CONVERT-VALUE");
    CU_ASSERT_STRING_EQUAL(f->column_name, "B");
    CU_ASSERT_EQUAL(f->row, 1);
    free(s);
    /* NDJSON and DSJC exist only for 1.1 */
    o.format = DSJ_FORMAT_NDJSON;
    CU_ASSERT_PTR_NULL(dsj_dataset_to_string(ds, &o, NULL, &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_UNSUPPORTED);
    dsj_dataset_free(ds);
    dsj_findings_free(fl);
}

/* ------------------------------------------------------------ corpus */

static dsj_dataset_t *read_file(const char *path)
{
    dsj_error_t e;
    dsj_reader_t *r = dsj_reader_open(path, NULL, &e);
    dsj_dataset_t *ds;
    char buf[1200];
    if (!r) { printf("\n  %s\n", dsj_error_format(&e, buf, sizeof buf)); return NULL; }
    ds = dsj_dataset_read(r, &e);
    if (!ds) printf("\n  %s\n", dsj_error_format(&e, buf, sizeof buf));
    dsj_reader_free(r);
    return ds;
}

static dsj_dataset_t *convert(const dsj_dataset_t *ds, dsj_version_t v)
{
    dsj_error_t e;
    dsj_writer_options_t o;
    dsj_dataset_t *out;
    size_t len = 0;
    char *s;
    dsj_writer_options_init(&o);
    o.version = v;
    s = dsj_dataset_to_string(ds, &o, &len, &e);
    if (!s) { printf("\n  convert: %s\n", e.text); return NULL; }
    out = dsj_dataset_from_string(s, len, NULL, &e);
    if (!out) printf("\n  convert read back: %s\n", e.text);
    free(s);
    return out;
}

static void test_corpus_adsl_dates(void)
{
    char p10[2200], p11[2200];
    dsj_dataset_t *d10, *d11, *official, *back;
    long c10, c11, co;
    size_t i;
    if (!dsj_test_corpus_file(p10, sizeof p10, "cdisc-datasetjson-examples/v1.0/adam/adsl.json")) return;
    dsj_test_corpus_file(p11, sizeof p11, "cdisc-datasetjson-examples/v1.1/adam/adsl.json");
    d10 = read_file(p10);
    official = read_file(p11);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d10);
    CU_ASSERT_PTR_NOT_NULL_FATAL(official);
    d11 = convert(d10, DSJ_V1_1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d11);
    c10 = dsj_meta_find_column(dsj_dataset_meta(d10), "TRTSDT");
    c11 = dsj_meta_find_column(dsj_dataset_meta(d11), "TRTSDT");
    co = dsj_meta_find_column(dsj_dataset_meta(official), "TRTSDT");
    CU_ASSERT_FATAL(c10 > 0 && c11 == c10 - 1 && co == c11);
    CU_ASSERT_STRING_EQUAL(dsj_dataset_row(d10, 0)->cells[c10].text, "19725");
    CU_ASSERT_STRING_EQUAL(dsj_dataset_row(d11, 0)->cells[c11].text, "2014-01-02");
    CU_ASSERT_EQUAL(dsj_meta_column(dsj_dataset_meta(d11), (size_t)c11)->data_type, DSJ_TYPE_DATE);
    CU_ASSERT_EQUAL(dsj_meta_column(dsj_dataset_meta(d11), (size_t)c11)->target_data_type, DSJ_TYPE_INTEGER);
    /* every date column of every row equals the official 1.1 file's value */
    CU_ASSERT_EQUAL_FATAL(dsj_dataset_nrows(d11), dsj_dataset_nrows(official));
    for (i = 0; i < dsj_meta_ncolumns(dsj_dataset_meta(d11)); i++) {
        const dsj_column_t *c = dsj_meta_column(dsj_dataset_meta(d11), i);
        long oc = dsj_meta_find_column(dsj_dataset_meta(official), c->name);
        size_t r;
        if (c->data_type != DSJ_TYPE_DATE || oc < 0) continue;
        for (r = 0; r < dsj_dataset_nrows(d11); r++) {
            const dsj_cell_t *a = &dsj_dataset_row(d11, r)->cells[i];
            const dsj_cell_t *b = &dsj_dataset_row(official, r)->cells[oc];
            if (a->kind == DSJ_CELL_NULL) {
                CU_ASSERT_TRUE(b->kind == DSJ_CELL_NULL || b->len == 0);
            } else {
                CU_ASSERT_STRING_EQUAL(a->text, b->text);
            }
        }
    }
    back = convert(d11, DSJ_V1_0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT_STRING_EQUAL(dsj_dataset_row(back, 0)->cells[c10].text, "19725");
    CU_ASSERT_TRUE(dsj_dataset_equal(d10, back));
    dsj_dataset_free(d10);
    dsj_dataset_free(d11);
    dsj_dataset_free(back);
    dsj_dataset_free(official);
}

/* The documented losses of 1.0 -> 1.1 -> 1.0, applied to the original. */
static void apply_losses(dsj_dataset_t *ds)
{
    dsj_meta_t *m = dsj_dataset_meta_mut(ds);
    dsj_meta_set(m, DSJ_META_AS_OF_DATETIME, NULL);
    dsj_meta_set_reference_data(m, 0);
}

static void test_corpus_v10_round_trip(void)
{
    static const char *const dirs[] = {"adam", "sdtm", "i18n", NULL};
    char dir[2200], path[2600];
    int d, files = 0;
    if (!dsj_test_corpus_file(dir, sizeof dir, "cdisc-datasetjson-examples/v1.0")) return;
    for (d = 0; dirs[d]; d++) {
        DIR *dp;
        struct dirent *de;
        dsj_test_corpus_file(dir, sizeof dir, "cdisc-datasetjson-examples/v1.0");
        snprintf(path, sizeof path, "%s/%s", dir, dirs[d]);
        dp = opendir(path);
        CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
        while ((de = readdir(dp))) {
            dsj_dataset_t *orig, *v11, *back;
            size_t n = strlen(de->d_name);
            if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0) continue;
            snprintf(path, sizeof path, "%s/%s/%s", dir, dirs[d], de->d_name);
            orig = read_file(path);
            CU_ASSERT_PTR_NOT_NULL_FATAL(orig);
            v11 = convert(orig, DSJ_V1_1);
            CU_ASSERT_PTR_NOT_NULL_FATAL(v11);
            CU_ASSERT_EQUAL(dsj_meta_ncolumns(dsj_dataset_meta(v11)), dsj_meta_ncolumns(dsj_dataset_meta(orig)) - 1);
            back = convert(v11, DSJ_V1_0);
            CU_ASSERT_PTR_NOT_NULL_FATAL(back);
            apply_losses(orig);
            if (!dsj_dataset_equal(orig, back)) printf("\n  round trip differs: %s\n", path);
            CU_ASSERT_TRUE(dsj_dataset_equal(orig, back));
            files++;
            dsj_dataset_free(orig);
            dsj_dataset_free(v11);
            dsj_dataset_free(back);
        }
        closedir(dp);
    }
    CU_ASSERT_TRUE(files >= 30);
}


/* ------------------------------------------------------------ extras, metadata-only, sink errors */

static char *rewrite(const char *text, dsj_version_t v, int pretty, dsj_findings_t *fl)
{
    dsj_error_t e;
    dsj_dataset_t *ds = dsj_dataset_from_string(text, strlen(text), NULL, &e);
    dsj_writer_options_t o;
    char *s;
    if (!ds) { printf("\n  read: %s\n", e.text); return NULL; }
    dsj_writer_options_init(&o);
    o.version = v;
    o.pretty = pretty;
    if (fl) { o.on_finding = dsj_findings_add; o.finding_ctx = fl; }
    s = dsj_dataset_to_string(ds, &o, NULL, &e);
    if (!s) printf("\n  write: %s\n", e.text);
    dsj_dataset_free(ds);
    return s;
}

static void test_extras(void)
{
    static const char in11[] =
        "{\"datasetJSONCreationDateTime\":\"2025-01-01T00:00:00\",\"datasetJSONVersion\":\"1.1.0\",\"itemGroupOID\":\"IG.E\","
        "\"records\":1,\"name\":\"E\",\"label\":\"E\",\"columns\":[{\"itemOID\":\"IT.A\",\"name\":\"A\",\"label\":\"A\","
        "\"dataType\":\"string\"}],\"sponsorExt\":{\"url\":\"http://x/y\",\"n\":[1,2.50,null]},\"rows\":[[\"a\"]]}";
    static const char in10[] =
        "{\"creationDateTime\":\"2025-01-01T00:00:00\",\"datasetJSONVersion\":\"1.0.0\",\"vendor\":\"v\","
        "\"clinicalData\":{\"studyOID\":\"S\",\"dataExt\":true,\"itemGroupData\":{\"IG.E\":{\"records\":1,\"name\":\"E\","
        "\"label\":\"E\",\"items\":[{\"OID\":\"ITEMGROUPDATASEQ\",\"name\":\"ITEMGROUPDATASEQ\",\"label\":\"Record Identifier\","
        "\"type\":\"integer\"},{\"OID\":\"IT.A\",\"name\":\"A\",\"label\":\"A\",\"type\":\"string\"}],"
        "\"itemData\":[[1,\"a\"]]}}}}";
    static const char want11[] =
        "{\"datasetJSONCreationDateTime\":\"2025-01-01T00:00:00\",\"datasetJSONVersion\":\"1.1.0\",\"studyOID\":\"S\","
        "\"itemGroupOID\":\"IG.E\",\"records\":1,\"name\":\"E\",\"label\":\"E\",\"columns\":[{\"itemOID\":\"IT.A\","
        "\"name\":\"A\",\"label\":\"A\",\"dataType\":\"string\"}],\"vendor\":\"v\",\"dataExt\":true,\"rows\":[[\"a\"]]}";
    char *s;
    s = rewrite(in11, DSJ_VERSION_UNKNOWN, 0, NULL); /* same version: byte for byte */
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s, in11);
    free(s);
    s = rewrite(in10, DSJ_VERSION_UNKNOWN, 0, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s, in10);
    free(s);
    s = rewrite(in10, DSJ_V1_1, 0, NULL); /* the data-level extra moves to the root */
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s, want11);
    free(s);
}

static void test_metadata_only(void)
{
    static const char in[] =
        "{\"datasetJSONCreationDateTime\":\"2025-01-01T00:00:00\",\"datasetJSONVersion\":\"1.1.0\",\"itemGroupOID\":\"IG.E\","
        "\"records\":5,\"name\":\"E\",\"label\":\"E\",\"columns\":[{\"itemOID\":\"IT.A\",\"name\":\"A\",\"label\":\"A\","
        "\"dataType\":\"string\"}]}";
    static const char empty_rows[] =
        "{\"datasetJSONCreationDateTime\":\"2025-01-01T00:00:00\",\"datasetJSONVersion\":\"1.1.0\",\"itemGroupOID\":\"IG.E\","
        "\"records\":0,\"name\":\"E\",\"label\":\"E\",\"columns\":[{\"itemOID\":\"IT.A\",\"name\":\"A\",\"label\":\"A\","
        "\"dataType\":\"string\"}],\"rows\":[]}";
    char *s = rewrite(in, DSJ_VERSION_UNKNOWN, 0, NULL); /* records 5 without rows is metadata only: kept */
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s, in);
    free(s);
    s = rewrite(empty_rows, DSJ_VERSION_UNKNOWN, 0, NULL); /* an empty rows array stays */
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_STRING_EQUAL(s, empty_rows);
    free(s);
    s = rewrite(empty_rows, DSJ_VERSION_UNKNOWN, 1, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "  ],\n  \"rows\": []\n}\n"));
    free(s);
}

static void test_pretty_v10_parses(void)
{
    char *s = rewrite(expect_v10, DSJ_VERSION_UNKNOWN, 1, NULL);
    struct json_object *a, *b;
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "\n        \"itemData\": [\n          [1, \"S-1\", 42, 1.50, 19725],\n"
                                     "          [2, \"S-\\n2\", null, null, -1]\n        ]\n      }\n    }\n  }\n}\n"));
    a = json_tokener_parse(s);
    b = json_tokener_parse(expect_v10);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_TRUE(json_object_equal(a, b));
    json_object_put(a);
    json_object_put(b);
    free(s);
}

static int failing_write(void *ctx, const void *buf, size_t n)
{
    (void)ctx; (void)buf; (void)n;
    return -1;
}

static void test_sink_failure(void)
{
    dsj_error_t e;
    dsj_meta_t *m = small_meta();
    dsj_writer_t *w = dsj_writer_new(dsj_sink_new_callback(failing_write, NULL, &e), NULL, &e);
    dsj_status_t st;
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_EQUAL(dsj_writer_begin(w, m, &e), DSJ_OK);
    CU_ASSERT_EQUAL(small_rows(w, &e), DSJ_OK);
    st = dsj_writer_end(w, &e);
    CU_ASSERT_NOT_EQUAL(st, DSJ_OK);
    CU_ASSERT_EQUAL(dsj_writer_end(w, &e), DSJ_E_STATE);
    CU_ASSERT_STRING_EQUAL(e.text, "dsj_writer_end called after an earlier failure");
    dsj_writer_free(w);
    dsj_meta_free(m);
}

static int stop_now(const dsj_finding_t *f, void *ctx)
{
    (void)f;
    ++*(int *)ctx;
    return 1;
}

/* A finding callback that answers non-zero stops the writer with DSJ_E_ABORTED. */
static void test_callback_stops(void)
{
    dsj_error_t e;
    dsj_meta_t *m = small_meta();
    dsj_writer_options_t o;
    dsj_writer_t *w;
    int calls = 0;
    dsj_writer_options_init(&o);
    o.version = DSJ_V1_0; /* dbLastModifiedDateTime is lost: one warning */
    o.on_finding = stop_now;
    o.finding_ctx = &calls;
    w = dsj_writer_new(dsj_sink_new_memory(NULL), &o, &e);
    CU_ASSERT_EQUAL(dsj_writer_begin(w, m, &e), DSJ_E_ABORTED);
    CU_ASSERT_EQUAL(calls, 1);
    CU_ASSERT_EQUAL(dsj_writer_row_begin(w, &e), DSJ_E_STATE);
    dsj_writer_free(w);
    /* at a value: "2014" in a date column with targetDataType integer cannot become a SAS date */
    dsj_meta_set(m, DSJ_META_DB_LAST_MODIFIED_DATETIME, NULL);
    calls = 0;
    w = dsj_writer_new(dsj_sink_new_memory(NULL), &o, &e);
    CU_ASSERT_EQUAL(dsj_writer_begin(w, m, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_writer_row_begin(w, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_writer_put_string(w, "S-1", 3, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_writer_put_int64(w, 1, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_writer_put_string(w, "1.5", 3, &e), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_writer_put_string(w, "2014", 4, &e), DSJ_E_ABORTED);
    CU_ASSERT_EQUAL(calls, 1);
    CU_ASSERT_EQUAL(dsj_writer_row_end(w, &e), DSJ_E_STATE);
    dsj_writer_free(w);
    dsj_meta_free(m);
}

int main(void)
{
    static const dsj_test_case_t cases[] = {
        {"compact JSON text", test_compact_json},
        {"pretty JSON text", test_pretty_json},
        {"NDJSON text", test_ndjson},
        {"1.0 output text", test_v10_output},
        {"1.0 text back to 1.1", test_v10_back_to_v11},
        {"DSJC gzip and zlib", test_dsjc},
        {"records mismatch leaves no file", test_records_mismatch_no_file},
        {"records absent: spooled, true count", test_records_absent_spooled},
        {"row width", test_row_width},
        {"call order", test_call_order},
        {"put_* values", test_put_values},
        {"SAS dates, datetimes, times", test_sas_dates},
        {"SAS display formats", test_sas_format_kind},
        {"cell conversions", test_convert_cells},
        {"1.0 -> 1.1 hand-made", test_convert_10_to_11_hand},
        {"1.1 -> 1.0 types and values", test_convert_11_to_10_types},
        {"extras written back", test_extras},
        {"metadata-only datasets", test_metadata_only},
        {"pretty 1.0", test_pretty_v10_parses},
        {"sink failure", test_sink_failure},
        {"callback stops", test_callback_stops},
        {"corpus ADSL dates", test_corpus_adsl_dates},
        {"corpus 1.0 -> 1.1 -> 1.0", test_corpus_v10_round_trip},
        {NULL, NULL},
    };
    return dsj_test_run("writer", cases);
}
