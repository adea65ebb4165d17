/*
 * libFuzzer harness: rule files (dsjson_checks.h).
 * The first byte chooses the mode:
 *   even: the rest is a rule file (JSON), loaded with dsj_ruleset_load_string
 *         and run with dsj_check_reader over a small built-in dataset named AE
 *         (columns of every common type, a few rows with nulls);
 *   odd:  the rest is a condition expression ("when"), parsed, bound to the
 *         same dataset's metadata and evaluated on each row.
 */
#include "fuzz_common.h"

static const char dataset[] =
    "{\"datasetJSONCreationDateTime\":\"2024-01-01T00:00:00\",\"datasetJSONVersion\":\"1.1.0\","
    "\"itemGroupOID\":\"IG.AE\",\"name\":\"AE\",\"label\":\"Adverse Events\",\"records\":4,"
    "\"columns\":["
    "{\"itemOID\":\"IT.USUBJID\",\"name\":\"USUBJID\",\"label\":\"Subject\",\"dataType\":\"string\",\"length\":8,\"keySequence\":1},"
    "{\"itemOID\":\"IT.AESEQ\",\"name\":\"AESEQ\",\"label\":\"Seq\",\"dataType\":\"integer\",\"keySequence\":2},"
    "{\"itemOID\":\"IT.AGE\",\"name\":\"AGE\",\"label\":\"Age\",\"dataType\":\"integer\"},"
    "{\"itemOID\":\"IT.AGEU\",\"name\":\"AGEU\",\"label\":\"Age unit\",\"dataType\":\"string\",\"length\":5},"
    "{\"itemOID\":\"IT.AESTDTC\",\"name\":\"AESTDTC\",\"label\":\"Start\",\"dataType\":\"datetime\"},"
    "{\"itemOID\":\"IT.AEENDTC\",\"name\":\"AEENDTC\",\"label\":\"End\",\"dataType\":\"date\"},"
    "{\"itemOID\":\"IT.DOSE\",\"name\":\"DOSE\",\"label\":\"Dose\",\"dataType\":\"decimal\"},"
    "{\"itemOID\":\"IT.WT\",\"name\":\"WT\",\"label\":\"Weight\",\"dataType\":\"double\"},"
    "{\"itemOID\":\"IT.FL\",\"name\":\"FL\",\"label\":\"Flag\",\"dataType\":\"boolean\"}],"
    "\"rows\":["
    "[\"S-001\",1,34,\"YEARS\",\"2014-01-02T10:30\",\"2014-01-05\",\"1.50\",70.5,true],"
    "[\"S-001\",2,34,\"YEARS\",\"2014-02\",null,\"0\",1e2,false],"
    "[\"S-002\",1,null,\"\",\"\",\"2013-12-31\",null,-0.0,null],"
    "[null,1,150,\"MONTHS\",\"2014-01-02T25:00\",\"2014\",\"-3.25\",null,true]]}";

static void run_rules(const uint8_t *data, size_t size)
{
    dsj_error_t err;
    size_t nfind = 0;
    dsj_ruleset_t *rs = dsj_ruleset_load_string((const char *)data, size, "fuzz-rules.json", &err);
    dsj_check_options_t co;
    dsj_reader_t *r;
    if (!rs) return;
    (void)dsj_ruleset_count(rs);
    dsj_check_options_init(&co);
    co.file = "/nonexistent-fuzz-dir/AE.json"; /* exists_in finds no other dataset */
    co.dataset_name = "AE";
    r = dsj_reader_new(dsj_source_new_memory(dataset, sizeof dataset - 1, "AE.json", &err), NULL, &err);
    if (r) {
        (void)dsj_check_reader(rs, r, &co, fuzz_on_finding, &nfind, &err);
        dsj_reader_free(r);
    }
    dsj_ruleset_free(rs);
}

static void run_condition(const uint8_t *data, size_t size)
{
    dsj_error_t err;
    char *text = malloc(size + 1);
    dsj_condition_t *c;
    dsj_reader_t *r;
    if (!text) return;
    memcpy(text, data, size);
    text[size] = '\0';
    c = dsj_condition_parse(text, &err);
    free(text);
    if (!c) return;
    (void)strlen(dsj_condition_text(c));
    r = dsj_reader_new(dsj_source_new_memory(dataset, sizeof dataset - 1, "AE.json", &err), NULL, &err);
    if (r) {
        dsj_condition_eval_t *e = dsj_condition_bind(c, dsj_reader_meta(r), &err);
        if (e) {
            const dsj_row_t *row;
            while (dsj_reader_next(r, &row, &err) == DSJ_ROW) (void)dsj_condition_eval(e, row);
            dsj_condition_eval_free(e);
        }
        dsj_reader_free(r);
    }
    dsj_condition_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    if (data[0] & 1) run_condition(data + 1, size - 1);
    else run_rules(data + 1, size - 1);
    return 0;
}
