/* Unit tests: status texts, errors, findings list, names, metadata model. */
#include "test_util.h"
#include "dsj_internal.h"

#include <json-c/json.h>

static void test_strerror(void)
{
    int c;
    CU_ASSERT_STRING_EQUAL(dsj_strerror(DSJ_OK), "success");
    CU_ASSERT_STRING_EQUAL(dsj_strerror(DSJ_E_SYNTAX), "syntax error");
    for (c = 0; c < DSJ_E__COUNT; c++) CU_ASSERT_STRING_NOT_EQUAL(dsj_strerror((dsj_status_t)c), "unknown status");
    CU_ASSERT_STRING_EQUAL(dsj_strerror((dsj_status_t)77), "unknown status");
    CU_ASSERT_STRING_EQUAL(dsj_strerror(DSJ_DONE), "no more rows");
}

static void test_error_format(void)
{
    dsj_error_t e;
    char buf[256];
    dsj_error_clear(&e);
    CU_ASSERT_EQUAL(dsj_error_set(&e, DSJ_E_SYNTAX, "dm.json", 3, 14, 40, "expected '%c'", ','), DSJ_E_SYNTAX);
    dsj_error_set_pointer(&e, "/rows/2");
    dsj_error_format(&e, buf, sizeof buf);
    CU_ASSERT_STRING_EQUAL(buf, "dm.json:3:14: expected ',' (at /rows/2)");
    dsj_error_format(&e, buf, 10); /* truncation stays terminated */
    CU_ASSERT_EQUAL(strlen(buf), 9);
    CU_ASSERT_EQUAL(dsj_error_set(NULL, DSJ_E_IO, NULL, 0, 0, 0, "x"), DSJ_E_IO);
}

static int stop_after_two(const dsj_finding_t *f, void *ctx)
{
    int *n = ctx;
    (void)f;
    return ++*n >= 2;
}

static void test_findings_list(void)
{
    dsj_findings_t *l = dsj_findings_new(2);
    int n = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    dsj_emit(dsj_findings_add, l, "R-B", DSJ_SEV_ERROR, "f", 0, 0, 0, "/rows/4", 5, "AGE", "row %d", 5);
    dsj_emit(dsj_findings_add, l, "R-A", DSJ_SEV_WARNING, "f", 0, 0, 0, NULL, 2, NULL, "row %d", 2);
    dsj_emit(dsj_findings_add, l, "R-C", DSJ_SEV_ERROR, "f", 0, 0, 0, NULL, 1, NULL, "dropped");
    CU_ASSERT_EQUAL(dsj_findings_count(l), 2);
    CU_ASSERT_EQUAL(dsj_findings_total(l), 3);
    CU_ASSERT_EQUAL(dsj_findings_total_severity(l, DSJ_SEV_ERROR), 2);
    CU_ASSERT_EQUAL(dsj_findings_total_severity(l, DSJ_SEV_WARNING), 1);
    dsj_findings_sort(l);
    CU_ASSERT_STRING_EQUAL(dsj_findings_get(l, 0)->rule, "R-A");
    CU_ASSERT_STRING_EQUAL(dsj_findings_get(l, 1)->column_name, "AGE");
    CU_ASSERT_STRING_EQUAL(dsj_findings_get(l, 1)->message, "row 5");
    CU_ASSERT_PTR_NULL(dsj_findings_get(l, 2));
    dsj_findings_free(l);
    dsj_findings_free(NULL);
    CU_ASSERT_EQUAL(dsj_emit(stop_after_two, &n, "X", DSJ_SEV_INFO, NULL, 0, 0, 0, NULL, 0, NULL, "a"), 0);
    CU_ASSERT_NOT_EQUAL(dsj_emit(stop_after_two, &n, "X", DSJ_SEV_INFO, NULL, 0, 0, 0, NULL, 0, NULL, "b"), 0);
}

static void test_names(void)
{
    int t;
    for (t = DSJ_TYPE_STRING; t < DSJ_TYPE_UNKNOWN; t++)
        CU_ASSERT_EQUAL(dsj_datatype_from_name(dsj_datatype_name((dsj_datatype_t)t)), t);
    CU_ASSERT_EQUAL(dsj_datatype_from_name("Integer"), DSJ_TYPE_UNKNOWN);
    CU_ASSERT_EQUAL(dsj_datatype_from_name(NULL), DSJ_TYPE_NONE);
    CU_ASSERT_EQUAL(dsj_format_from_path("a/b/DM.NDJSON"), DSJ_FORMAT_NDJSON);
    CU_ASSERT_EQUAL(dsj_format_from_path("x.dsjc"), DSJ_FORMAT_DSJC);
    CU_ASSERT_EQUAL(dsj_format_from_path("x.json"), DSJ_FORMAT_JSON);
    CU_ASSERT_EQUAL(dsj_format_from_path("x.xml"), DSJ_FORMAT_DATASETXML);
    CU_ASSERT_EQUAL(dsj_format_from_path("X.XPT"), DSJ_FORMAT_XPT);
    CU_ASSERT_EQUAL(dsj_format_from_path("a.sas7bdat"), DSJ_FORMAT_SAS7BDAT);
    CU_ASSERT_EQUAL(dsj_format_from_path("x.csv"), DSJ_FORMAT_AUTO);
    CU_ASSERT_STRING_EQUAL(dsj_format_name(DSJ_FORMAT_DATASETXML), "dataset-xml");
    CU_ASSERT(dsj_format_is_dataset_json(DSJ_FORMAT_DSJC) && !dsj_format_is_dataset_json(DSJ_FORMAT_XPT));
    CU_ASSERT_STRING_EQUAL(dsj_meta_attr_name(DSJ_META_CREATION_DATETIME, DSJ_V1_0), "creationDateTime");
    CU_ASSERT_STRING_EQUAL(dsj_meta_attr_name(DSJ_META_CREATION_DATETIME, DSJ_V1_1), "datasetJSONCreationDateTime");
}

static void test_buf_json_string(void)
{
    dsj_buf_t b;
    dsj_buf_init(&b);
    CU_ASSERT_EQUAL(dsj_buf_json_string(&b, "a\"b\\c\n\x01\xe6\x97\xa5", 10), 0);
    CU_ASSERT_STRING_EQUAL(b.data, "\"a\\\"b\\\\c\\n\\u0001\xe6\x97\xa5\"");
    dsj_buf_reset(&b);
    dsj_buf_pointer_token(&b, "a/b~c");
    CU_ASSERT_STRING_EQUAL(b.data, "/a~1b~0c");
    dsj_buf_free(&b);
}

static void test_meta_model(void)
{
    dsj_meta_t *m = dsj_meta_new(DSJ_V1_1), *c;
    dsj_column_t col = {0};
    int64_t n = -1;
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_PTR_NULL(dsj_meta_get(m, DSJ_META_NAME));
    CU_ASSERT_EQUAL(dsj_meta_set(m, DSJ_META_NAME, "DM"), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_meta_set(m, DSJ_META__COUNT, "x"), DSJ_E_ARG);
    CU_ASSERT_EQUAL(dsj_meta_records(m, &n), 0);
    dsj_meta_set_records(m, 18);
    CU_ASSERT_EQUAL(dsj_meta_records(m, &n), 1);
    CU_ASSERT_EQUAL(n, 18);
    col.item_oid = "IT.DM.AGE"; col.name = "AGE"; col.label = "Age"; col.data_type = DSJ_TYPE_INTEGER;
    CU_ASSERT_EQUAL(dsj_meta_add_column(m, &col), DSJ_OK);
    col.item_oid = "IT.DM.SEX"; col.name = "SEX"; col.label = "Sex"; col.data_type = DSJ_TYPE_STRING; col.length = 1;
    CU_ASSERT_EQUAL(dsj_meta_add_column(m, &col), DSJ_OK);
    CU_ASSERT_EQUAL(dsj_meta_ncolumns(m), 2);
    CU_ASSERT_EQUAL(dsj_meta_find_column(m, "SEX"), 1);
    CU_ASSERT_EQUAL(dsj_meta_find_column(m, "RACE"), -1);
    dsj_meta_set_extra(m, json_tokener_parse("{\"vendor\":1}"));
    c = dsj_meta_clone(m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_TRUE(dsj_meta_equal(m, c));
    CU_ASSERT_PTR_NOT_EQUAL(dsj_meta_column(c, 0)->name, dsj_meta_column(m, 0)->name);
    col.length = 2;
    CU_ASSERT_EQUAL(dsj_meta_set_column(c, 1, &col), DSJ_OK);
    CU_ASSERT_FALSE(dsj_meta_equal(m, c));
    CU_ASSERT_EQUAL(dsj_meta_remove_column(c, 0), DSJ_OK);
    CU_ASSERT_STRING_EQUAL(dsj_meta_column(c, 0)->name, "SEX");
    CU_ASSERT_EQUAL(dsj_meta_remove_column(c, 5), DSJ_E_ARG);
    dsj_meta_free(c);
    dsj_meta_free(m);
    dsj_meta_free(NULL);
}

int main(void)
{
    static const dsj_test_case_t cases[] = {
        {"strerror", test_strerror},
        {"error_format", test_error_format},
        {"findings_list", test_findings_list},
        {"names", test_names},
        {"buf_json_string", test_buf_json_string},
        {"meta_model", test_meta_model},
        {NULL, NULL},
    };
    return dsj_test_run("core", cases);
}
