/* Unit tests: the Dataset-JSON validator on hand-built metadata and rows, and on the official examples. */
#include "test_util.h"
#include "validate_internal.h"

#include <json-c/json.h>

/* ---- helpers ---- */

static dsj_meta_t *meta11(void)
{
    dsj_meta_t *m = dsj_meta_new(DSJ_V1_1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    dsj_meta_set(m, DSJ_META_DATASET_JSON_VERSION, "1.1.0");
    dsj_meta_set(m, DSJ_META_CREATION_DATETIME, "2024-05-01T10:00:00");
    dsj_meta_set(m, DSJ_META_ITEMGROUP_OID, "IG.DM");
    dsj_meta_set(m, DSJ_META_NAME, "DM");
    dsj_meta_set(m, DSJ_META_LABEL, "Demographics");
    dsj_meta_set_records(m, 0);
    dsj_meta_set_has_rows(m, 1);
    return m;
}

static void add_col(dsj_meta_t *m, const char *name, dsj_datatype_t t, dsj_datatype_t target, int64_t length, int64_t key)
{
    dsj_column_t c;
    char oid[64];
    memset(&c, 0, sizeof c);
    snprintf(oid, sizeof oid, "IT.DM.%s", name);
    c.item_oid = oid;
    c.name = name;
    c.label = name;
    c.data_type = t;
    c.data_type_text = dsj_datatype_name(t);
    c.target_data_type = target;
    c.length = length;
    c.key_sequence = key;
    CU_ASSERT_EQUAL(dsj_meta_add_column(m, &c), DSJ_OK);
}

static dsj_cell_t S_(const char *s) { dsj_cell_t c = {DSJ_CELL_STRING, s, strlen(s), 3, 7, 100}; return c; }
static dsj_cell_t I_(const char *s) { dsj_cell_t c = {DSJ_CELL_INTEGER, s, strlen(s), 3, 7, 100}; return c; }
static dsj_cell_t N_(const char *s) { dsj_cell_t c = {DSJ_CELL_NUMBER, s, strlen(s), 3, 7, 100}; return c; }
static dsj_cell_t B_(int b) { dsj_cell_t c = {DSJ_CELL_BOOLEAN, b ? "true" : "false", b ? 4u : 5u, 3, 7, 100}; return c; }
static dsj_cell_t Z_(void) { dsj_cell_t c = {DSJ_CELL_NULL, NULL, 0, 3, 7, 100}; return c; }
static dsj_cell_t X_(const char *raw) { dsj_cell_t c = {DSJ_CELL_INVALID, raw, strlen(raw), 3, 7, 100}; return c; }

static dsj_status_t put_row(dsj_validator_t *v, uint64_t index, const dsj_cell_t *cells, size_t n)
{
    dsj_row_t r;
    memset(&r, 0, sizeof r);
    r.index = index;
    r.cells = cells;
    r.ncells = n;
    r.line = index + 1;
    r.column = 1;
    return dsj_validator_row(v, &r);
}

/* Number of kept findings with this rule (and this row when row != 0). */
static int count_rule(const dsj_findings_t *l, const char *rule, uint64_t row)
{
    size_t i;
    int n = 0;
    for (i = 0; i < dsj_findings_count(l); i++) {
        const dsj_finding_t *f = dsj_findings_get(l, i);
        if (strcmp(f->rule, rule) == 0 && (!row || f->row == row)) n++;
    }
    return n;
}

static int count_ptr(const dsj_findings_t *l, const char *rule, const char *pointer)
{
    size_t i;
    int n = 0;
    for (i = 0; i < dsj_findings_count(l); i++) {
        const dsj_finding_t *f = dsj_findings_get(l, i);
        if (strcmp(f->rule, rule) == 0 && f->pointer && strcmp(f->pointer, pointer) == 0) n++;
    }
    return n;
}

static const dsj_finding_t *find_rule(const dsj_findings_t *l, const char *rule)
{
    size_t i;
    for (i = 0; i < dsj_findings_count(l); i++)
        if (strcmp(dsj_findings_get(l, i)->rule, rule) == 0) return dsj_findings_get(l, i);
    return NULL;
}

static void dump(const dsj_findings_t *l)
{
    size_t i;
    for (i = 0; i < dsj_findings_count(l); i++) dsj_finding_print(stdout, dsj_findings_get(l, i));
}

static dsj_validator_t *start(const dsj_meta_t *m, struct json_object *json, dsj_findings_t *l)
{
    dsj_validate_options_t o;
    dsj_validator_t *v;
    dsj_validate_options_init(&o);
    o.file = "dm.json";
    v = dsj_validator_new(&o, dsj_findings_add, l);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(dsj_validator_check_meta(v, m, json, NULL, NULL), DSJ_OK);
    return v;
}

/* ---- tests ---- */

static void test_clean_rows(void)
{
    dsj_meta_t *m = meta11();
    dsj_findings_t *l = dsj_findings_new(0);
    dsj_validator_t *v;
    add_col(m, "STUDYID", DSJ_TYPE_STRING, DSJ_TYPE_NONE, 12, 1);
    add_col(m, "AGE", DSJ_TYPE_INTEGER, DSJ_TYPE_NONE, 0, 0);
    add_col(m, "WT", DSJ_TYPE_FLOAT, DSJ_TYPE_NONE, 0, 0);
    add_col(m, "HT", DSJ_TYPE_DOUBLE, DSJ_TYPE_NONE, 0, 0);
    add_col(m, "DOSE", DSJ_TYPE_DECIMAL, DSJ_TYPE_DECIMAL, 0, 0);
    add_col(m, "FLAG", DSJ_TYPE_BOOLEAN, DSJ_TYPE_NONE, 0, 0);
    add_col(m, "BRTHDTC", DSJ_TYPE_DATE, DSJ_TYPE_NONE, 0, 0);
    add_col(m, "RFSTDTC", DSJ_TYPE_DATETIME, DSJ_TYPE_NONE, 0, 0);
    add_col(m, "TM", DSJ_TYPE_TIME, DSJ_TYPE_NONE, 0, 0);
    add_col(m, "TRTSDT", DSJ_TYPE_DATE, DSJ_TYPE_INTEGER, 0, 2);
    add_col(m, "LINK", DSJ_TYPE_URI, DSJ_TYPE_NONE, 0, 0);
    dsj_meta_set_records(m, 3);
    v = start(m, NULL, l);
    {
        dsj_cell_t r1[] = {S_("CDISC01"), I_("42"), N_("71.5"), I_("180"), S_("-0.5"), B_(1), S_("1928"),
                           S_("2016-01-27"), S_("10:30"), S_("2014-01-02"), S_("https://example.org/a")};
        dsj_cell_t r2[] = {S_("\xe9\xa0\xad\xe7\x97\x9b\xe7\x97\x9b\xe7\x97\x9b"), Z_(), Z_(), N_("1.5e2"), Z_(), B_(0),
                           S_("2024-02-29"), S_("2016-01-27T10:15:00+01:00"), S_("23:59:59.5"), Z_(), S_("")};
        dsj_cell_t r3[] = {S_(""), I_("-9223372036854775808"), I_("0"), Z_(), S_("140"), Z_(), S_("2016-01"),
                           S_("2016"), S_("10"), S_("2016-01-27"), Z_()};
        CU_ASSERT_EQUAL(put_row(v, 1, r1, 11), DSJ_OK);
        CU_ASSERT_EQUAL(put_row(v, 2, r2, 11), DSJ_OK);
        CU_ASSERT_EQUAL(put_row(v, 3, r3, 11), DSJ_OK);
    }
    CU_ASSERT_EQUAL(dsj_validator_end(v), DSJ_OK);
    if (dsj_findings_total(l)) dump(l);
    CU_ASSERT_EQUAL(dsj_findings_total(l), 0);
    dsj_validator_free(v);
    dsj_findings_free(l);
    dsj_meta_free(m);
}

static void test_value_errors(void)
{
    dsj_meta_t *m = meta11();
    dsj_findings_t *l = dsj_findings_new(0);
    dsj_validator_t *v;
    const dsj_finding_t *f;
    add_col(m, "USUBJID", DSJ_TYPE_STRING, DSJ_TYPE_NONE, 4, 0);
    add_col(m, "AGE", DSJ_TYPE_INTEGER, DSJ_TYPE_NONE, 0, 0);
    add_col(m, "WT", DSJ_TYPE_FLOAT, DSJ_TYPE_NONE, 0, 0);
    add_col(m, "DOSE", DSJ_TYPE_DECIMAL, DSJ_TYPE_NONE, 0, 0);
    add_col(m, "FLAG", DSJ_TYPE_BOOLEAN, DSJ_TYPE_NONE, 0, 0);
    add_col(m, "BRTHDTC", DSJ_TYPE_DATE, DSJ_TYPE_NONE, 0, 0);
    add_col(m, "DTM", DSJ_TYPE_DATETIME, DSJ_TYPE_NONE, 0, 0);
    add_col(m, "TM", DSJ_TYPE_TIME, DSJ_TYPE_NONE, 0, 0);
    add_col(m, "LINK", DSJ_TYPE_URI, DSJ_TYPE_NONE, 0, 0);
    dsj_meta_set_records(m, 4);
    v = start(m, NULL, l);
    {
        /* row 1: every column wrong */
        dsj_cell_t r1[] = {I_("5"), S_("12a"), S_("70"), N_("1.5"), S_("Y"), S_("2023-02-29"),
                           S_("2016-01-27 10:00"), S_("24:00:00"), S_("a b")};
        /* row 2: a too-long string (5 characters, 10 bytes: length counts characters), 3.5 in integer,
           decimal with exponent, object cell, bad time */
        dsj_cell_t r2[] = {S_("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"), N_("3.5"), B_(1), S_("1e5"), Z_(),
                           X_("{\"a\":1}"), S_("2016-13"), S_("10:61"), Z_()};
        /* row 3: wrong width */
        dsj_cell_t r3[] = {S_("A"), I_("1")};
        /* row 4: fine, with a 4-character UTF-8 string of 8 bytes (not too long), grouped decimal, 3.0 integer,
           out-of-range integer */
        dsj_cell_t r4[] = {S_("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"), N_("3.0"), Z_(), S_("1,234.5"), Z_(), Z_(), Z_(), Z_(), Z_()};
        dsj_cell_t r5[] = {S_("x"), I_("99999999999999999999"), Z_(), Z_(), Z_(), Z_(), Z_(), Z_(), Z_()};
        put_row(v, 1, r1, 9);
        put_row(v, 2, r2, 9);
        put_row(v, 3, r3, 2);
        put_row(v, 4, r4, 9);
        put_row(v, 5, r5, 9);
    }
    CU_ASSERT_EQUAL(dsj_validator_end(v), DSJ_OK);
    if (getenv("DSJ_TEST_DUMP")) dump(l);
    /* row 1 */
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-TYPE", 1), 5); /* USUBJID, AGE, WT, DOSE, FLAG */
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-DATE", 1), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-DATETIME", 1), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-TIME", 1), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-URI", 1), 1);
    /* the message a data manager reads */
    f = find_rule(l, "DSJ-VAL-TYPE");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->column_name, "USUBJID");
    CU_ASSERT_STRING_EQUAL(f->pointer, "/rows/0/0");
    CU_ASSERT_STRING_EQUAL(f->file, "dm.json");
    CU_ASSERT_EQUAL(f->row, 1);
    CU_ASSERT_EQUAL(f->line, 3);
    CU_ASSERT_EQUAL(f->column, 7);
    CU_ASSERT_EQUAL(f->severity, DSJ_SEV_ERROR);
    /* row 2 */
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-LENGTH", 2), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-INTEGER", 2), 1);
    f = find_rule(l, "DSJ-VAL-INTEGER");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->message, "row 2, AGE: value 3.5 is not an integer (dataType integer)");
    CU_ASSERT_STRING_EQUAL(f->pointer, "/rows/1/1");
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-TYPE", 2), 1); /* boolean in float column */
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-DECIMAL", 2), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-INVALID", 2), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-DATETIME", 2), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-TIME", 2), 1);
    /* row 3: one width finding, no cell findings */
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-ROW-WIDTH", 3), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-ROW-WIDTH", 0), 1);
    f = find_rule(l, "DSJ-ROW-WIDTH");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "has 2 values, but the dataset has 9 columns"));
    CU_ASSERT_STRING_EQUAL(f->pointer, "/rows/2");
    /* row 4 */
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-LENGTH", 4), 0);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-DECIMAL-GROUPED", 4), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-INTEGER", 4), 0);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-INT-RANGE", 5), 1);
    /* end: once per column */
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-INTEGER-AS-NUMBER", 0), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-ROW-COUNT", 0), 1);
    f = find_rule(l, "DSJ-ROW-COUNT");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->message, "\"records\" says 4 but the file has 5 rows");
    CU_ASSERT_STRING_EQUAL(f->pointer, "/records");
    dsj_validator_free(v);
    dsj_findings_free(l);
    dsj_meta_free(m);
}

static void test_empty_as_missing(void)
{
    dsj_meta_t *m = meta11();
    dsj_findings_t *l = dsj_findings_new(0);
    dsj_validator_t *v;
    dsj_validate_options_t o;
    uint64_t i;
    const dsj_finding_t *f;
    add_col(m, "S", DSJ_TYPE_STRING, DSJ_TYPE_NONE, 0, 0);
    add_col(m, "D", DSJ_TYPE_DATE, DSJ_TYPE_NONE, 0, 0);
    add_col(m, "X", DSJ_TYPE_DECIMAL, DSJ_TYPE_DECIMAL, 0, 0);
    add_col(m, "N", DSJ_TYPE_INTEGER, DSJ_TYPE_NONE, 0, 0);
    dsj_meta_set_records(m, 100);
    v = start(m, NULL, l);
    for (i = 1; i <= 100; i++) {
        dsj_cell_t r[] = {S_(""), S_(i % 2 ? "" : "2020-01-01"), S_(""), Z_()};
        put_row(v, i, r, 4);
    }
    dsj_validator_end(v);
    CU_ASSERT_EQUAL(dsj_findings_total(l), 2); /* one per column (D and X), none for S */
    CU_ASSERT_EQUAL(dsj_findings_total_severity(l, DSJ_SEV_INFO), 2);
    f = find_rule(l, "DSJ-VAL-EMPTY-AS-MISSING");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->column_name, "D");
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "50 empty strings"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "first in row 1"));
    dsj_validator_free(v);
    dsj_findings_free(l);

    /* "" in an integer column is a type error, and the info can be switched off */
    l = dsj_findings_new(0);
    dsj_validate_options_init(&o);
    o.missing_empty_info = 0;
    v = dsj_validator_new(&o, dsj_findings_add, l);
    CU_ASSERT_EQUAL(dsj_validator_check_meta(v, m, NULL, NULL, NULL), DSJ_OK);
    {
        dsj_cell_t r[] = {S_(""), S_(""), S_(""), S_("")};
        put_row(v, 1, r, 4);
    }
    dsj_validator_end(v);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-TYPE", 1), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-EMPTY-AS-MISSING", 0), 0);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-ROW-COUNT", 0), 1);
    dsj_validator_free(v);
    dsj_findings_free(l);
    dsj_meta_free(m);
}

static void test_meta_model_rules(void)
{
    dsj_meta_t *m = dsj_meta_new(DSJ_V1_1);
    dsj_findings_t *l = dsj_findings_new(0);
    dsj_validator_t *v;
    dsj_column_t c;
    dsj_meta_set(m, DSJ_META_DATASET_JSON_VERSION, "1x1");
    dsj_meta_set(m, DSJ_META_CREATION_DATETIME, "2024-05-01T10:00");
    dsj_meta_set(m, DSJ_META_DB_LAST_MODIFIED_DATETIME, "2024-05-01T10:00:00");
    dsj_meta_set(m, DSJ_META_NAME, "DM");
    /* no itemGroupOID, no label, no records */
    add_col(m, "A", DSJ_TYPE_STRING, DSJ_TYPE_NONE, 0, 1);
    add_col(m, "A", DSJ_TYPE_FLOAT, DSJ_TYPE_DECIMAL, 0, 1);   /* dup name, dup oid, bad combo, dup key */
    add_col(m, "B", DSJ_TYPE_INTEGER, DSJ_TYPE_INTEGER, 0, 3); /* bad combo, key gap (2 missing) */
    memset(&c, 0, sizeof c);
    c.item_oid = "IT.C";
    c.name = "C";
    c.label = "C";
    c.data_type = DSJ_TYPE_UNKNOWN;
    c.data_type_text = "character";
    c.target_data_type = DSJ_TYPE_STRING;
    dsj_meta_add_column(m, &c);
    v = start(m, NULL, l);
    if (getenv("DSJ_TEST_DUMP")) dump(l);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-VERSION", 0), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-DATETIME", 0), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-REQUIRED", 0), 3); /* itemGroupOID, label, records */
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-DUP-NAME", 0), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-DUP-OID", 0), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-TARGET-COMBO", 0), 2);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-TARGETTYPE", 0), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-DATATYPE", 0), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-KEYSEQ-DUP", 0), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-KEYSEQ-GAP", 0), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-DATETIME-ORDER", 0), 0); /* creation invalid: no order check */
    {
        const dsj_finding_t *f = find_rule(l, "DSJ-META-DATATYPE");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        CU_ASSERT_STRING_EQUAL(f->pointer, "/columns/3/dataType");
        CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "\"character\""));
    }
    dsj_validator_free(v);
    dsj_findings_free(l);
    dsj_meta_free(m);
}

static void test_datetime_order(void)
{
    static const struct { const char *db, *cr; int bad; int mixed; } cases[] = {
        {"2024-05-01T10:00:00", "2024-05-01T10:00:00", 0, 0},
        {"2024-05-01T10:00:01", "2024-05-01T10:00:00", 1, 0},
        {"2024-05-01T12:00:00+02:00", "2024-05-01T10:30:00Z", 0, 0}, /* 10:00Z <= 10:30Z */
        {"2024-05-01T10:00:00-02:00", "2024-05-01T10:30:00Z", 1, 0}, /* 12:00Z > 10:30Z */
        {"2024-05-01T10:00:00.25", "2024-05-01T10:00:00.2", 1, 0},
        {"2024-05-01T11:00:00Z", "2024-05-01T10:00:00", 1, 1},
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof *cases; i++) {
        dsj_meta_t *m = meta11();
        dsj_findings_t *l = dsj_findings_new(0);
        dsj_validator_t *v;
        const dsj_finding_t *f;
        add_col(m, "A", DSJ_TYPE_STRING, DSJ_TYPE_NONE, 0, 0);
        dsj_meta_set(m, DSJ_META_DB_LAST_MODIFIED_DATETIME, cases[i].db);
        dsj_meta_set(m, DSJ_META_CREATION_DATETIME, cases[i].cr);
        v = start(m, NULL, l);
        CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-DATETIME-ORDER", 0), cases[i].bad);
        f = find_rule(l, "DSJ-META-DATETIME-ORDER");
        if (f) CU_ASSERT_EQUAL(strstr(f->message, "local times") != NULL, cases[i].mixed);
        CU_ASSERT_EQUAL(dsj_findings_total(l), (uint64_t)cases[i].bad);
        dsj_validator_free(v);
        dsj_findings_free(l);
        dsj_meta_free(m);
    }
}

static void test_meta_json_types(void)
{
    /* The JSON tree as a reader would give it: wrong types, empty strings, unknown keys. */
    static const char *doc =
        "{\"datasetJSONCreationDateTime\":\"2024-05-01T10:00:00\",\"datasetJSONVersion\":1.1,"
        "\"fileOID\":\"\",\"sourceSystem\":{\"name\":\"X\",\"vendorInfo\":1},\"itemGroupOID\":\"IG.DM\","
        "\"records\":\"2\",\"name\":\"DM\",\"columns\":[{\"itemOID\":\"IT.A\",\"name\":\"A\",\"label\":\"A\","
        "\"dataType\":\"string\",\"length\":0},{\"itemOID\":\"IT.B\",\"name\":\"\",\"label\":\"B\","
        "\"dataType\":\"integer\",\"keySequence\":1.5,\"isKey\":true}],\"isReferenceData\":false}";
    struct json_object *j = json_tokener_parse(doc);
    dsj_meta_t *m = meta11();
    dsj_findings_t *l = dsj_findings_new(0);
    dsj_validator_t *v;
    const dsj_finding_t *f;
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    add_col(m, "A", DSJ_TYPE_STRING, DSJ_TYPE_NONE, 0, 0);
    add_col(m, "B", DSJ_TYPE_INTEGER, DSJ_TYPE_NONE, 0, 0);
    v = start(m, j, l);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-TYPE", 0), 3);     /* version, records, keySequence */
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-EMPTY", 0), 2);    /* fileOID, column name */
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-REQUIRED", 0), 2); /* label, sourceSystem.version */
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-UNKNOWN", 0), 3);  /* vendorInfo, isKey, isReferenceData */
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-RANGE", 0), 1);    /* length 0 */
    f = find_rule(l, "DSJ-META-RANGE");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/columns/0/length");
    CU_ASSERT_STRING_EQUAL(f->column_name, "A");
    f = find_rule(l, "DSJ-META-UNKNOWN");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->severity, DSJ_SEV_WARNING);
    CU_ASSERT_EQUAL(count_ptr(l, "DSJ-META-REQUIRED", "/sourceSystem/version"), 1);
    CU_ASSERT_EQUAL(count_ptr(l, "DSJ-META-REQUIRED", "/label"), 1);
    CU_ASSERT_EQUAL(count_ptr(l, "DSJ-META-TYPE", "/columns/1/keySequence"), 1);
    dsj_validator_free(v);
    dsj_findings_free(l);
    dsj_meta_free(m);
    json_object_put(j);
}

static dsj_meta_t *meta10(void)
{
    dsj_meta_t *m = dsj_meta_new(DSJ_V1_0);
    dsj_column_t c;
    dsj_meta_set(m, DSJ_META_DATASET_JSON_VERSION, "1.0.0");
    dsj_meta_set(m, DSJ_META_CREATION_DATETIME, "2023-03-21T10:00:00");
    dsj_meta_set(m, DSJ_META_ITEMGROUP_OID, "IG.DM");
    dsj_meta_set(m, DSJ_META_NAME, "DM");
    dsj_meta_set(m, DSJ_META_LABEL, "Demographics");
    dsj_meta_set_has_rows(m, 1);
    memset(&c, 0, sizeof c);
    c.item_oid = "ITEMGROUPDATASEQ";
    c.name = "ITEMGROUPDATASEQ";
    c.label = "Record Identifier";
    c.data_type = DSJ_TYPE_INTEGER;
    dsj_meta_add_column(m, &c);
    return m;
}

static void test_v10_rows(void)
{
    dsj_meta_t *m = meta10();
    dsj_findings_t *l = dsj_findings_new(0);
    dsj_validator_t *v;
    const dsj_finding_t *f;
    static const char *seq[] = {"1", "2", "4", "5", "5", "6", "7"};
    size_t i;
    add_col(m, "AVAL", DSJ_TYPE_DECIMAL, DSJ_TYPE_NONE, 0, 0);
    add_col(m, "FL", DSJ_TYPE_BOOLEAN, DSJ_TYPE_NONE, 0, 0);
    dsj_meta_set_records(m, 7);
    v = start(m, NULL, l);
    CU_ASSERT_EQUAL(dsj_findings_total(l), 0);
    for (i = 0; i < 7; i++) {
        dsj_cell_t r[] = {I_(seq[i]), i == 1 ? S_("1.5") : N_("1.5"), i == 3 ? B_(1) : Z_()};
        put_row(v, i + 1, r, 3);
    }
    dsj_validator_end(v);
    /* 1,2,4 (gap), 5, 5 (repeat), 6 (resynchronised: fine), 7 */
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-ROW-SEQ", 0), 2);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-ROW-SEQ", 3), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-ROW-SEQ", 5), 1);
    f = find_rule(l, "DSJ-ROW-SEQ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/clinicalData/itemGroupData/IG.DM/itemData/2/0");
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "is 4, expected 3"));
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-TYPE", 2), 1);       /* decimal string in 1.0 */
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-BOOLEAN-V10", 0), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-ROW-COUNT", 0), 0);
    dsj_validator_free(v);
    dsj_findings_free(l);

    /* many gaps: capped, then one summary finding */
    l = dsj_findings_new(0);
    v = dsj_validator_new(NULL, dsj_findings_add, l);
    dsj_validator_check_meta(v, m, NULL, NULL, NULL);
    for (i = 0; i < 30; i++) {
        char num[16];
        dsj_cell_t r[3];
        snprintf(num, sizeof num, "%zu", (i + 1) * 2);
        r[0] = I_(num);
        r[1] = Z_();
        r[2] = Z_();
        put_row(v, i + 1, r, 3);
    }
    dsj_validator_end(v);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-ROW-SEQ", 0), 11);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-ROW-COUNT", 0), 1);
    dsj_validator_free(v);
    dsj_findings_free(l);
    dsj_meta_free(m);
}

static void test_v10_meta(void)
{
    static const char *doc =
        "{\"creationDateTime\":\"2023-03-21\",\"datasetJSONVersion\":\"1.0.0\","
        "\"clinicalData\":{\"studyOID\":\"S\",\"itemGroupData\":{\"IG.DM\":{\"records\":-1,\"name\":\"DM\","
        "\"label\":\"D\",\"items\":[{\"OID\":\"IT.X\",\"name\":\"X\",\"label\":\"X\",\"type\":\"date\"}]}}},"
        "\"referenceData\":{\"itemGroupData\":{}}}";
    struct json_object *j = json_tokener_parse(doc);
    dsj_meta_t *m = dsj_meta_new(DSJ_V1_0);
    dsj_findings_t *l = dsj_findings_new(0);
    dsj_validator_t *v;
    const dsj_finding_t *f;
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    dsj_meta_set(m, DSJ_META_DATASET_JSON_VERSION, "1.0.0");
    dsj_meta_set(m, DSJ_META_CREATION_DATETIME, "2023-03-21");
    dsj_meta_set(m, DSJ_META_ITEMGROUP_OID, "IG.DM");
    dsj_meta_set(m, DSJ_META_NAME, "DM");
    dsj_meta_set(m, DSJ_META_LABEL, "D");
    dsj_meta_set_records(m, -1);
    add_col(m, "X", DSJ_TYPE_DATE, DSJ_TYPE_NONE, 0, 0);
    v = start(m, j, l);
    if (getenv("DSJ_TEST_DUMP")) dump(l);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-DATA-CHOICE", 0), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-RANGE", 0), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-DATATYPE", 0), 1);  /* date is not a 1.0 type */
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-SEQ-ITEM", 0), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-REQUIRED", 0), 1);  /* itemData (has_rows 0) */
    f = find_rule(l, "DSJ-META-DATETIME");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->severity, DSJ_SEV_WARNING);
    f = find_rule(l, "DSJ-META-RANGE");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/clinicalData/itemGroupData/IG.DM/records");
    f = find_rule(l, "DSJ-META-DATATYPE");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/clinicalData/itemGroupData/IG.DM/items/0/type");
    dsj_validator_free(v);
    dsj_findings_free(l);
    dsj_meta_free(m);
    json_object_put(j);
}

static int stop_now(const dsj_finding_t *f, void *ctx)
{
    (void)f;
    ++*(int *)ctx;
    return 1;
}

static void test_abort_and_misuse(void)
{
    dsj_meta_t *m = meta11();
    dsj_validator_t *v;
    int n = 0;
    dsj_cell_t r[] = {I_("1")};
    add_col(m, "A", DSJ_TYPE_STRING, DSJ_TYPE_NONE, 0, 0);
    v = dsj_validator_new(NULL, stop_now, &n);
    CU_ASSERT_EQUAL(dsj_validator_row(v, NULL), DSJ_E_ARG);
    CU_ASSERT_EQUAL(put_row(v, 1, r, 1), DSJ_E_STATE); /* before meta */
    CU_ASSERT_EQUAL(dsj_validator_check_meta(v, m, NULL, NULL, NULL), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_validator_check_meta(v, m, NULL, NULL, NULL), DSJ_E_STATE);
    CU_ASSERT_EQUAL(put_row(v, 1, r, 1), DSJ_E_ABORTED);
    CU_ASSERT_EQUAL(put_row(v, 2, r, 1), DSJ_E_ABORTED);
    CU_ASSERT_EQUAL(n, 1);
    dsj_validator_free(v);
    dsj_validator_free(NULL);
    dsj_meta_free(m);
}

int main(void)
{
    static const dsj_test_case_t cases[] = {
        {"clean rows of every dataType", test_clean_rows},
        {"value errors", test_value_errors},
        {"empty strings read as missing", test_empty_as_missing},
        {"metadata rules on the model", test_meta_model_rules},
        {"dbLastModifiedDateTime order", test_datetime_order},
        {"metadata JSON types", test_meta_json_types},
        {"1.0 rows and ITEMGROUPDATASEQ", test_v10_rows},
        {"1.0 metadata", test_v10_meta},
        {"abort and misuse", test_abort_and_misuse},
        {NULL, NULL}};
    return dsj_test_run("validate", cases);
}
