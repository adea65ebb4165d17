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
    CU_ASSERT_EQUAL(dsj_validator_check_meta(v, m, json, NULL, NULL, NULL), DSJ_OK);
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
    CU_ASSERT_EQUAL(dsj_validator_check_meta(v, m, NULL, NULL, NULL, NULL), DSJ_OK);
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

static void test_partial_target(void)
{
    dsj_meta_t *m = meta11();
    dsj_findings_t *l = dsj_findings_new(0);
    dsj_validator_t *v;
    add_col(m, "ADT", DSJ_TYPE_DATE, DSJ_TYPE_INTEGER, 0, 0);
    add_col(m, "ADTM", DSJ_TYPE_DATETIME, DSJ_TYPE_INTEGER, 0, 0);
    add_col(m, "ATM", DSJ_TYPE_TIME, DSJ_TYPE_INTEGER, 0, 0);
    add_col(m, "DTC", DSJ_TYPE_DATE, DSJ_TYPE_NONE, 8, 0); /* no target: partial is fine; length not applied */
    dsj_meta_set_records(m, 2);
    v = start(m, NULL, l);
    {
        dsj_cell_t r1[] = {S_("2014-01-02"), S_("2014-01-02T10:00:00"), S_("10:00:00"), S_("2014")};
        dsj_cell_t r2[] = {S_("2014-01"), S_("2014-01-02T10:00"), S_("10"), S_("2014-01-02")};
        put_row(v, 1, r1, 4);
        put_row(v, 2, r2, 4);
    }
    dsj_validator_end(v);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-PARTIAL-TARGET", 1), 0);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-PARTIAL-TARGET", 2), 3);
    CU_ASSERT_EQUAL(dsj_findings_total(l), 3);
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
    dsj_validator_check_meta(v, m, NULL, NULL, NULL, NULL);
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
    CU_ASSERT_EQUAL(dsj_validator_check_meta(v, m, NULL, NULL, NULL, NULL), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_validator_check_meta(v, m, NULL, NULL, NULL, NULL), DSJ_E_STATE);
    CU_ASSERT_EQUAL(put_row(v, 1, r, 1), DSJ_E_ABORTED);
    CU_ASSERT_EQUAL(put_row(v, 2, r, 1), DSJ_E_ABORTED);
    CU_ASSERT_EQUAL(n, 1);
    dsj_validator_free(v);
    dsj_validator_free(NULL);
    dsj_meta_free(m);
}

/* ---- whole files through dsj_validate_source ---- */

static dsj_status_t validate_text(const char *text, size_t len, dsj_findings_t *l, dsj_error_t *err)
{
    dsj_source_t *src = dsj_source_new_memory(text, len, "mem.json", err);
    dsj_validate_options_t o;
    CU_ASSERT_PTR_NOT_NULL_FATAL(src);
    dsj_validate_options_init(&o);
    return dsj_validate_source(src, NULL, &o, dsj_findings_add, l, err);
}

static void test_members_after_rows(void)
{
    /* label, records and an unknown key come after the rows: no false REQUIRED, and the
       unknown key and the records mismatch are still found. */
    static const char doc[] =
        "{\"datasetJSONCreationDateTime\":\"2024-05-01T10:00:00\",\"datasetJSONVersion\":\"1.1.0\","
        "\"itemGroupOID\":\"IG.X\",\"name\":\"X\",\"columns\":[{\"itemOID\":\"IT.A\",\"name\":\"A\","
        "\"label\":\"A\",\"dataType\":\"integer\"}],\n\"rows\":[[1],[\"2\"],[3]],\n"
        "\"label\":\"X data\",\"records\":2,\"vendorKey\":true}";
    dsj_findings_t *l = dsj_findings_new(0);
    dsj_error_t err;
    const dsj_finding_t *f;
    dsj_error_clear(&err);
    CU_ASSERT_EQUAL(validate_text(doc, sizeof doc - 1, l, &err), DSJ_OK);
    if (getenv("DSJ_TEST_DUMP")) dump(l);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-REQUIRED", 0), 0);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-UNKNOWN", 0), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-ROW-COUNT", 0), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-TYPE", 2), 1);
    f = find_rule(l, "DSJ-VAL-TYPE");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->file, "mem.json");
    CU_ASSERT_EQUAL(f->line, 2);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/rows/1/0");
    f = find_rule(l, "DSJ-META-UNKNOWN");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->line, 3); /* position from the reader */
    CU_ASSERT_EQUAL(dsj_findings_total(l), 3);
    dsj_findings_free(l);
}

static void test_source_reader_findings_and_fatal(void)
{
    static const char bom[] =
        "\xef\xbb\xbf{\"datasetJSONCreationDateTime\":\"2024-05-01T10:00:00\",\"datasetJSONVersion\":\"1.1.0\","
        "\"itemGroupOID\":\"IG.X\",\"records\":1,\"name\":\"X\",\"label\":\"X\",\"label\":\"Y\",\"columns\":"
        "[{\"itemOID\":\"IT.A\",\"name\":\"A\",\"label\":\"A\",\"dataType\":\"string\"}],\"rows\":[[\"a\"]]}";
    static const char broken[] =
        "{\"datasetJSONCreationDateTime\":\"2024-05-01T10:00:00\",\"datasetJSONVersion\":\"1.1.0\","
        "\"itemGroupOID\":\"IG.X\",\"records\":2,\"name\":\"X\",\"label\":\"X\",\"columns\":"
        "[{\"itemOID\":\"IT.A\",\"name\":\"A\",\"label\":\"A\",\"dataType\":\"integer\"}],\n\"rows\":[[\"a\"],[1 2]]}";
    dsj_findings_t *l = dsj_findings_new(0);
    dsj_error_t err;
    dsj_error_clear(&err);
    CU_ASSERT_EQUAL(validate_text(bom, sizeof bom - 1, l, &err), DSJ_OK);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-ENC-BOM", 0), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-JSON-DUPKEY", 0), 1);
    CU_ASSERT_EQUAL(dsj_findings_total(l), 2);
    dsj_findings_clear(l);
    /* a syntax error in row 2: the row-1 finding is delivered, then the fatal error with its position */
    CU_ASSERT_EQUAL(validate_text(broken, sizeof broken - 1, l, &err), DSJ_E_SYNTAX);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-TYPE", 1), 1);
    CU_ASSERT_EQUAL(err.line, 2);
    CU_ASSERT_STRING_EQUAL(err.file, "mem.json");
    CU_ASSERT_EQUAL(dsj_validate_source(NULL, NULL, NULL, NULL, NULL, &err), DSJ_E_ARG);
    dsj_findings_free(l);
}

static int count_then_stop(const dsj_finding_t *f, void *ctx)
{
    (void)f;
    return ++*(int *)ctx >= 2;
}

static void test_source_abort(void)
{
    char path[2048];
    dsj_error_t err;
    dsj_source_t *src;
    int n = 0;
    if (!dsj_test_corpus_file(path, sizeof path, "cdisc-datasetjson-examples/v1.1/sdtm/dm.json")) return;
    dsj_error_clear(&err);
    src = dsj_source_new_path(path, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(src);
    /* dm.json has 5 info findings; stopping at the second one aborts */
    CU_ASSERT_EQUAL(dsj_validate_source(src, NULL, NULL, count_then_stop, &n, &err), DSJ_E_ABORTED);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(err.code, DSJ_E_ABORTED);
}

/* Validate one corpus file; returns the list (caller frees) or NULL when the file cannot be read. */
static dsj_findings_t *validate_path(const char *path, dsj_status_t *st)
{
    dsj_error_t err;
    dsj_findings_t *l = dsj_findings_new(50);
    dsj_source_t *src;
    dsj_error_clear(&err);
    src = dsj_source_new_path(path, &err);
    if (!src) { *st = err.code; return l; }
    *st = dsj_validate_source(src, NULL, NULL, dsj_findings_add, l, &err);
    if (*st != DSJ_OK) {
        char buf[1200];
        printf("\n  %s: %s\n", path, dsj_error_format(&err, buf, sizeof buf));
    }
    return l;
}

static int ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && strcmp(s + n - m, suf) == 0;
}

#include <dirent.h>

/* Every official example (v1.1 .json/.ndjson/.dsjc, v1.0 .json, i18n) validates with no error and no warning. */
static void test_corpus_examples_clean(void)
{
    static const char *dirs[] = {"v1.1/sdtm", "v1.1/adam", "v1.1/send", "v1.1/i18n",
                                 "v1.0/sdtm", "v1.0/adam", "v1.0/send", "v1.0/i18n", NULL};
    char base[1200], dir[1400], path[1800];
    size_t d, files = 0;
    uint64_t info = 0;
    if (!dsj_test_corpus_file(base, sizeof base, "cdisc-datasetjson-examples")) return;
    for (d = 0; dirs[d]; d++) {
        DIR *dh;
        struct dirent *e;
        snprintf(dir, sizeof dir, "%s/%s", base, dirs[d]);
        dh = opendir(dir);
        if (!dh) continue;
        while ((e = readdir(dh)) != NULL) {
            dsj_findings_t *l;
            dsj_status_t st;
            if (!ends_with(e->d_name, ".json") && !ends_with(e->d_name, ".ndjson") && !ends_with(e->d_name, ".dsjc"))
                continue;
            if (strncmp(e->d_name, "adadas", 6) == 0) continue; /* non-integer values in integer columns (known) */
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            l = validate_path(path, &st);
            CU_ASSERT_EQUAL(st, DSJ_OK);
            CU_ASSERT_EQUAL(dsj_findings_total_severity(l, DSJ_SEV_ERROR), 0);
            CU_ASSERT_EQUAL(dsj_findings_total_severity(l, DSJ_SEV_WARNING), 0);
            if (dsj_findings_total_severity(l, DSJ_SEV_ERROR) || dsj_findings_total_severity(l, DSJ_SEV_WARNING)) {
                printf("\n  %s:\n", path);
                dump(l);
            }
            info += dsj_findings_total_severity(l, DSJ_SEV_INFO);
            files++;
            dsj_findings_free(l);
        }
        closedir(dh);
    }
    printf("\n  (%zu official example files validated clean; %llu info findings)\n", files,
           (unsigned long long)info);
    CU_ASSERT(files >= 100); /* 28 SDTM x 3 forms + ADaM + SEND + 1.0 */
}

/* The extensions example really has problems: extension keys (warnings), "na" in an integer
   column and records 72 with 2 rows. */
static void test_corpus_extensions(void)
{
    char path[2048];
    dsj_findings_t *l;
    dsj_status_t st;
    const dsj_finding_t *f;
    if (!dsj_test_corpus_file(path, sizeof path, "cdisc-datasetjson-examples/v1.1/extensions/extended_dataset.json"))
        return;
    l = validate_path(path, &st);
    CU_ASSERT_EQUAL(st, DSJ_OK);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-META-UNKNOWN", 0), 2);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-ROW-COUNT", 0), 1);
    CU_ASSERT_EQUAL(count_rule(l, "DSJ-VAL-TYPE", 0), 2);
    f = find_rule(l, "DSJ-VAL-TYPE");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->column_name, "AEENDY");
    CU_ASSERT_EQUAL(f->row, 1);
    CU_ASSERT_STRING_EQUAL(f->pointer, "/rows/0/35");
    CU_ASSERT(f->line > 0);
    dsj_findings_free(l);
}

/* With options.define the validator also runs the define checker (DXC-* findings) on the same stream. */
static void test_with_define(void)
{
    const char *defpath = "testdata/examples/v1.1/sdtm/define.xml";
    const char *dspath = "testdata/examples/v1.1/sdtm/dm.json";
    dsj_error_t err;
    dsj_define_t *def;
    dsj_validate_options_t o;
    dsj_findings_t *l;
    dsj_source_t *src;
    size_t i, dxc = 0, dsj = 0;
    struct stat st;
    if (stat(defpath, &st) != 0 || stat(dspath, &st) != 0) {
        printf("\n  (skipped: run from the repository root to find testdata/examples)\n");
        return;
    }
    dsj_error_clear(&err);
    def = dsj_define_load(defpath, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(def);
    l = dsj_findings_new(0);
    dsj_validate_options_init(&o);
    o.define = def;
    src = dsj_source_new_path(dspath, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(src);
    CU_ASSERT_EQUAL(dsj_validate_source(src, NULL, &o, dsj_findings_add, l, &err), DSJ_OK);
    for (i = 0; i < dsj_findings_count(l); i++) {
        const char *r = dsj_findings_get(l, i)->rule;
        if (strncmp(r, "DXC-", 4) == 0) dxc++;
        else if (strncmp(r, "DSJ-", 4) == 0) dsj++;
    }
    /* dm.json has year-only birth dates where define says a complete date: DXC findings;
       the Dataset-JSON rules give only the five per-column infos */
    CU_ASSERT(dxc > 0);
    CU_ASSERT_EQUAL(dsj, 5);
    CU_ASSERT_EQUAL(dsj_findings_total_severity(l, DSJ_SEV_ERROR), 0);
    dsj_findings_free(l);
    dsj_define_free(def);
}

int main(void)
{
    static const dsj_test_case_t cases[] = {
        {"clean rows of every dataType", test_clean_rows},
        {"value errors", test_value_errors},
        {"empty strings read as missing", test_empty_as_missing},
        {"partial values with targetDataType integer", test_partial_target},
        {"metadata rules on the model", test_meta_model_rules},
        {"dbLastModifiedDateTime order", test_datetime_order},
        {"metadata JSON types", test_meta_json_types},
        {"1.0 rows and ITEMGROUPDATASEQ", test_v10_rows},
        {"1.0 metadata", test_v10_meta},
        {"abort and misuse", test_abort_and_misuse},
        {"members after the rows", test_members_after_rows},
        {"reader findings and fatal errors", test_source_reader_findings_and_fatal},
        {"abort through dsj_validate_source", test_source_abort},
        {"official examples validate clean", test_corpus_examples_clean},
        {"extensions example findings", test_corpus_extensions},
        {"define checks through the validator", test_with_define},
        {NULL, NULL}};
    return dsj_test_run("validate", cases);
}
