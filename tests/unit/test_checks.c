/* Unit tests: rule files (loading, every malformed case names the rule and
 * the problem) and every check kind with a passing and a failing case, on
 * small in-memory datasets, the bundled examples and the official SDTM
 * examples of the corpus. */
#include "test_util.h"

#include <unistd.h>

/* A 1.1 dataset named NAME with string columns USUBJID, SEQ (integer), VAL, DT1, DT2, SEX. */
static char *make_ds(const char *name, const char *rows)
{
    static const char head[] =
        "{\"datasetJSONCreationDateTime\":\"2025-01-01T00:00:00\",\"datasetJSONVersion\":\"1.1.0\","
        "\"itemGroupOID\":\"IG.%s\",\"name\":\"%s\",\"label\":\"x\",\"columns\":["
        "{\"itemOID\":\"IT.1\",\"name\":\"USUBJID\",\"label\":\"x\",\"dataType\":\"string\"},"
        "{\"itemOID\":\"IT.2\",\"name\":\"SEQ\",\"label\":\"x\",\"dataType\":\"integer\"},"
        "{\"itemOID\":\"IT.3\",\"name\":\"VAL\",\"label\":\"x\",\"dataType\":\"string\"},"
        "{\"itemOID\":\"IT.4\",\"name\":\"DT1\",\"label\":\"x\",\"dataType\":\"datetime\"},"
        "{\"itemOID\":\"IT.5\",\"name\":\"DT2\",\"label\":\"x\",\"dataType\":\"datetime\"},"
        "{\"itemOID\":\"IT.6\",\"name\":\"SEX\",\"label\":\"x\",\"dataType\":\"string\"}],"
        "\"rows\":[%s]}";
    size_t n = sizeof head + 2 * strlen(name) + strlen(rows);
    char *s = malloc(n);
    snprintf(s, n, head, name, name, rows);
    return s;
}

typedef struct result {
    dsj_status_t st;
    dsj_error_t err;
    dsj_findings_t *f;
} result_t;

/* Run a rule text over a dataset text. file names the dataset for exists_in lookups. */
static void run(result_t *res, const char *rules, const char *ds_text, const char *file, const dsj_define_t *def)
{
    dsj_ruleset_t *rs;
    dsj_reader_t *r;
    dsj_check_options_t o;
    memset(res, 0, sizeof *res);
    res->f = dsj_findings_new(0);
    rs = dsj_ruleset_load_string(rules, strlen(rules), "rules.json", &res->err);
    if (!rs) {
        printf("\n  rule load failed: %s\n", res->err.text);
        res->st = res->err.code;
        return;
    }
    r = dsj_reader_new(dsj_source_new_memory(ds_text, strlen(ds_text), file, NULL), NULL, &res->err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    dsj_check_options_init(&o);
    o.file = file;
    o.define = def;
    res->st = dsj_check_reader(rs, r, &o, dsj_findings_add, res->f, &res->err);
    dsj_reader_free(r);
    dsj_ruleset_free(rs);
}

static size_t count_rule(const dsj_findings_t *f, const char *rule)
{
    size_t i, n = 0;
    for (i = 0; i < dsj_findings_count(f); i++)
        if (!strcmp(dsj_findings_get(f, i)->rule, rule)) n++;
    return n;
}

/* One rule: the number of findings it gives over rows. */
static size_t findings_of(const char *rule_json, const char *rows)
{
    char rules[2048];
    char *ds = make_ds("XX", rows);
    result_t res;
    size_t n;
    snprintf(rules, sizeof rules, "{\"rules\":[%s]}", rule_json);
    run(&res, rules, ds, "mem/xx.json", NULL);
    CU_ASSERT_EQUAL(res.st, DSJ_OK);
    n = dsj_findings_count(res.f);
    dsj_findings_free(res.f);
    free(ds);
    return n;
}

static const char good_rows[] =
    "[\"S1\",1,\"AB12\",\"2012-01-01\",\"2012-01-05\",\"M\"],"
    "[\"S2\",2,\"X\",\"2012-01\",\"2012-02-01T10:00\",\"F\"],"
    "[\"S3\",3,\"\",\"2012-01-03\",null,\"F\"]";

static void test_not_null(void)
{
    const char *rule = "{\"id\":\"R\",\"column\":\"USUBJID\",\"check\":{\"not_null\":true}}";
    CU_ASSERT_EQUAL(findings_of(rule, good_rows), 0);
    /* null and "" both flagged */
    CU_ASSERT_EQUAL(findings_of(rule, "[null,1,\"a\",null,null,\"M\"],[\"\",2,\"a\",null,null,\"M\"],[\"S\",3,\"a\",null,null,\"M\"]"), 2);
}

static void test_pattern(void)
{
    const char *rule = "{\"id\":\"R\",\"column\":\"VAL\",\"check\":{\"pattern\":\"^[A-Z][A-Z0-9]{0,7}$\"}}";
    CU_ASSERT_EQUAL(findings_of(rule, good_rows), 0);               /* "" is missing: skipped */
    /* anchored on the whole value; lower case and too long flagged */
    CU_ASSERT_EQUAL(findings_of(rule, "[\"S\",1,\"ab\",null,null,\"M\"],[\"S\",2,\"ABCDEFGHI\",null,null,\"M\"],[\"S\",3,\"A B\",null,null,\"M\"]"), 3);
    /* no ^$ needed: "B" alone matches [A-Z] but "BX" does not */
    CU_ASSERT_EQUAL(findings_of("{\"id\":\"R\",\"column\":\"VAL\",\"check\":{\"pattern\":\"[A-Z]\"}}",
                                "[\"S\",1,\"B\",null,null,\"M\"],[\"S\",2,\"BX\",null,null,\"M\"]"), 1);
}

static void test_in(void)
{
    const char *rule = "{\"id\":\"R\",\"column\":\"SEX\",\"check\":{\"in\":[\"M\",\"F\"]}}";
    CU_ASSERT_EQUAL(findings_of(rule, good_rows), 0);
    CU_ASSERT_EQUAL(findings_of(rule, "[\"S\",1,\"a\",null,null,\"U\"],[\"S\",2,\"a\",null,null,\"m\"],[\"S\",3,\"a\",null,null,null]"), 2);
    /* numbers compare as numbers */
    CU_ASSERT_EQUAL(findings_of("{\"id\":\"R\",\"column\":\"SEQ\",\"check\":{\"in\":[1.0, 2, 30e-1]}}", good_rows), 0);
    CU_ASSERT_EQUAL(findings_of("{\"id\":\"R\",\"column\":\"SEQ\",\"check\":{\"in\":[1, 2]}}", good_rows), 1);
}

static void test_range(void)
{
    CU_ASSERT_EQUAL(findings_of("{\"id\":\"R\",\"column\":\"SEQ\",\"check\":{\"range\":{\"min\":1,\"max\":3}}}", good_rows), 0);
    CU_ASSERT_EQUAL(findings_of("{\"id\":\"R\",\"column\":\"SEQ\",\"check\":{\"range\":{\"min\":1.5,\"max\":2.5}}}", good_rows), 2);
    CU_ASSERT_EQUAL(findings_of("{\"id\":\"R\",\"column\":\"SEQ\",\"check\":{\"range\":{\"max\":2}}}", good_rows), 1);
    /* exact beyond doubles: 9007199254740993 > 9007199254740992 */
    CU_ASSERT_EQUAL(findings_of("{\"id\":\"R\",\"column\":\"SEQ\",\"check\":{\"range\":{\"max\":9007199254740992}}}",
                                "[\"S\",9007199254740993,\"a\",null,null,\"M\"],[\"S\",9007199254740992,\"a\",null,null,\"M\"]"), 1);
    /* a non-number is flagged */
    CU_ASSERT_EQUAL(findings_of("{\"id\":\"R\",\"column\":\"VAL\",\"check\":{\"range\":{\"min\":0}}}",
                                "[\"S\",1,\"12.5\",null,null,\"M\"],[\"S\",2,\"abc\",null,null,\"M\"]"), 1);
}

static void test_max_length(void)
{
    CU_ASSERT_EQUAL(findings_of("{\"id\":\"R\",\"column\":\"VAL\",\"check\":{\"max_length\":4}}", good_rows), 0);
    CU_ASSERT_EQUAL(findings_of("{\"id\":\"R\",\"column\":\"VAL\",\"check\":{\"max_length\":3}}", good_rows), 1);
    /* characters, not bytes: 頭痛 is 2 characters (6 bytes) */
    CU_ASSERT_EQUAL(findings_of("{\"id\":\"R\",\"column\":\"VAL\",\"check\":{\"max_length\":2}}",
                                "[\"S\",1,\"頭痛\",null,null,\"M\"]"), 0);
    CU_ASSERT_EQUAL(findings_of("{\"id\":\"R\",\"column\":\"VAL\",\"check\":{\"max_length\":1}}",
                                "[\"S\",1,\"頭痛\",null,null,\"M\"]"), 1);
}

static void test_unique(void)
{
    const char *rule = "{\"id\":\"R\",\"columns\":[\"USUBJID\",\"SEQ\"],\"check\":{\"unique\":true}}";
    char *ds;
    result_t res;
    CU_ASSERT_EQUAL(findings_of(rule, good_rows), 0);
    /* rows 1 and 3 share (S1, 1), row 4 shares (S1, 1.0) as a number; a missing key is skipped */
    ds = make_ds("XX", "[\"S1\",1,\"a\",null,null,\"M\"],[\"S1\",2,\"a\",null,null,\"M\"],[\"S1\",1,\"b\",null,null,\"M\"],"
                       "[\"S1\",1.0,\"b\",null,null,\"M\"],[null,1,\"b\",null,null,\"M\"],[null,1,\"b\",null,null,\"M\"]");
    run(&res, "{\"rules\":[{\"id\":\"U\",\"columns\":[\"USUBJID\",\"SEQ\"],\"check\":{\"unique\":true}}]}", ds, "mem/xx.json", NULL);
    CU_ASSERT_EQUAL(res.st, DSJ_OK);
    CU_ASSERT_EQUAL_FATAL(dsj_findings_count(res.f), 2);
    CU_ASSERT_EQUAL(dsj_findings_get(res.f, 0)->row, 3);
    CU_ASSERT_PTR_NOT_NULL(strstr(dsj_findings_get(res.f, 0)->message, "repeats row 1"));
    CU_ASSERT_EQUAL(dsj_findings_get(res.f, 1)->row, 4);
    CU_ASSERT_STRING_EQUAL(dsj_findings_get(res.f, 1)->pointer, "/rows/3/0");
    dsj_findings_free(res.f);
    free(ds);
}

static void test_compare(void)
{
    const char *rule = "{\"id\":\"R\",\"column\":\"DT2\",\"check\":{\"compare\":{\"op\":\">=\",\"column\":\"DT1\"}}}";
    /* good_rows: 01-05 >= 01-01; "2012-02-01T10:00" >= "2012-01" (decided at month); null skipped */
    CU_ASSERT_EQUAL(findings_of(rule, good_rows), 0);
    /* end before start; partial "2012-01" vs "2012-01-15": undecidable, not flagged; same month
       with end earlier at day precision: flagged */
    CU_ASSERT_EQUAL(findings_of(rule, "[\"S\",1,\"a\",\"2012-01-15\",\"2012-01-10\",\"M\"],"
                                      "[\"S\",2,\"a\",\"2012-01-15\",\"2012-01\",\"M\"],"
                                      "[\"S\",3,\"a\",\"2012-01-15T10:30\",\"2012-01-15T09\",\"M\"],"
                                      "[\"S\",4,\"a\",\"2012\",\"2011-12-31\",\"M\"]"), 3);
    /* numbers: SEQ < 2 compare against another column? use != */
    CU_ASSERT_EQUAL(findings_of("{\"id\":\"R\",\"column\":\"USUBJID\",\"check\":{\"compare\":{\"op\":\"!=\",\"column\":\"VAL\"}}}",
                                "[\"A\",1,\"A\",null,null,\"M\"],[\"A\",2,\"B\",null,null,\"M\"]"), 1);
}

static void test_when_dataset_severity(void)
{
    char *ds = make_ds("AE", "[null,1,\"a\",null,null,\"M\"],[null,2,\"b\",null,null,\"F\"]");
    result_t res;
    /* when gates row by row; severity and message carried; dataset lists match case-insensitively;
       a rule for another dataset does not run; a named dataset without the column gives a warning */
    run(&res, "{\"rules\":["
              "{\"id\":\"W\",\"dataset\":[\"dm\",\"ae\"],\"column\":\"USUBJID\",\"when\":\"SEX == \\\"F\\\"\","
              "\"severity\":\"warning\",\"message\":\"need a subject\",\"check\":{\"not_null\":true}},"
              "{\"id\":\"OTHER\",\"dataset\":\"DM\",\"column\":\"USUBJID\",\"check\":{\"not_null\":true}},"
              "{\"id\":\"NOCOL\",\"dataset\":\"AE\",\"column\":\"AETERM\",\"check\":{\"not_null\":true}},"
              "{\"id\":\"STAR\",\"dataset\":\"*\",\"column\":\"AETERM\",\"check\":{\"not_null\":true}}]}",
        ds, "mem/ae.json", NULL);
    CU_ASSERT_EQUAL(res.st, DSJ_OK);
    CU_ASSERT_EQUAL_FATAL(dsj_findings_count(res.f), 2);
    CU_ASSERT_EQUAL(count_rule(res.f, "W"), 1);
    CU_ASSERT_EQUAL(count_rule(res.f, "OTHER"), 0);
    CU_ASSERT_EQUAL(count_rule(res.f, "NOCOL"), 1);
    CU_ASSERT_EQUAL(count_rule(res.f, "STAR"), 0);
    {
        const dsj_finding_t *f = dsj_findings_get(res.f, 0);
        const dsj_finding_t *g = dsj_findings_get(res.f, 1);
        if (!strcmp(f->rule, "NOCOL")) { const dsj_finding_t *t = f; f = g; g = t; }
        CU_ASSERT_EQUAL(f->row, 2);
        CU_ASSERT_EQUAL(f->severity, DSJ_SEV_WARNING);
        CU_ASSERT_STRING_EQUAL(f->column_name, "USUBJID");
        CU_ASSERT_STRING_EQUAL(f->file, "mem/ae.json");
        CU_ASSERT_PTR_NOT_NULL(strstr(f->message, "need a subject (USUBJID is missing (null))"));
        CU_ASSERT_PTR_NOT_NULL(strstr(g->message, "dataset AE has no column AETERM"));
        CU_ASSERT_EQUAL(g->row, 0);
    }
    dsj_findings_free(res.f);
    free(ds);
}

static int stop_at_first(const dsj_finding_t *f, void *ctx)
{
    (void)f;
    (*(int *)ctx)++;
    return 1;
}

static void test_abort(void)
{
    char *ds = make_ds("XX", "[null,1,\"a\",null,null,\"M\"],[null,2,\"b\",null,null,\"F\"]");
    const char *rules = "{\"rules\":[{\"id\":\"N\",\"column\":\"USUBJID\",\"check\":{\"not_null\":true}}]}";
    dsj_ruleset_t *rs = dsj_ruleset_load_string(rules, strlen(rules), NULL, NULL);
    dsj_reader_t *r = dsj_reader_new(dsj_source_new_memory(ds, strlen(ds), "x", NULL), NULL, NULL);
    dsj_error_t e;
    int calls = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
    CU_ASSERT_EQUAL(dsj_ruleset_count(rs), 1);
    CU_ASSERT_STRING_EQUAL(dsj_ruleset_rule_id(rs, 0), "N");
    CU_ASSERT_PTR_NULL(dsj_ruleset_rule_id(rs, 1));
    CU_ASSERT_EQUAL(dsj_check_reader(rs, r, NULL, stop_at_first, &calls, &e), DSJ_E_ABORTED);
    CU_ASSERT_EQUAL(calls, 1);
    dsj_reader_free(r);
    dsj_ruleset_free(rs);
    dsj_ruleset_free(NULL);
    free(ds);
}

/* ---------------------------------------------------------------- files: exists_in, in_codelist, UTF-8 */

static const char *ex(const char *rel)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "testdata/examples/v1.1/%s", rel);
    return buf;
}

static size_t check_path(const char *rules_text, const char *path, const dsj_define_t *def, dsj_findings_t *f, dsj_status_t *st)
{
    dsj_ruleset_t *rs = dsj_ruleset_load_string(rules_text, strlen(rules_text), NULL, NULL);
    dsj_check_options_t o;
    dsj_error_t e;
    CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
    dsj_check_options_init(&o);
    o.define = def;
    *st = dsj_check_file(rs, path, &o, dsj_findings_add, f, &e);
    if (*st != DSJ_OK) printf("\n  %s: %s\n", path, e.text);
    dsj_ruleset_free(rs);
    return dsj_findings_count(f);
}

static void test_exists_in(void)
{
    const char *rules = "{\"rules\":[{\"id\":\"E\",\"dataset\":\"AE\",\"column\":\"USUBJID\","
                        "\"check\":{\"exists_in\":{\"dataset\":\"DM\",\"columns\":[\"USUBJID\"]}}}]}";
    dsj_findings_t *f = dsj_findings_new(0);
    dsj_status_t st;
    char dir[] = "/tmp/dsj-test-checks-XXXXXX", path[600];
    char *dm, *ae;
    size_t aelen = 0, i, expect = 0;
    FILE *fp;
    dsj_dataset_t *aeds;
    /* pass: every AE subject of the bundled examples is in DM */
    CU_ASSERT_EQUAL(check_path(rules, ex("sdtm/ae.json"), NULL, f, &st), 0);
    CU_ASSERT_EQUAL(st, DSJ_OK);
    /* fail: a DM with one subject next to a copy of AE; every other AE row is flagged */
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    dm = make_ds("DM", "[\"CDISC001\",1,\"a\",null,null,\"M\"],[null,2,\"a\",null,null,\"M\"]");
    snprintf(path, sizeof path, "%s/dm.json", dir);
    fp = fopen(path, "w");
    fputs(dm, fp);
    fclose(fp);
    ae = dsj_test_slurp(ex("sdtm/ae.json"), &aelen);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ae);
    snprintf(path, sizeof path, "%s/ae.ndjson", dir);
    {
        /* write it as NDJSON through the library to show "any supported extension" on the checked side */
        dsj_error_t e;
        dsj_writer_options_t wo;
        dsj_writer_t *w;
        aeds = dsj_dataset_from_string(ae, aelen, NULL, &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(aeds);
        dsj_writer_options_init(&wo);
        wo.format = DSJ_FORMAT_NDJSON;
        w = dsj_writer_new(dsj_sink_new_path(path, &e), &wo, &e);
        CU_ASSERT_EQUAL(dsj_dataset_write(aeds, w, &e), DSJ_OK);
        dsj_writer_free(w);
    }
    for (i = 0; i < dsj_dataset_nrows(aeds); i++) {
        const dsj_cell_t *c = &dsj_dataset_row(aeds, i)->cells[dsj_meta_find_column(dsj_dataset_meta(aeds), "USUBJID")];
        if (strcmp(c->text, "CDISC001")) expect++;
    }
    CU_ASSERT(expect > 0);
    dsj_findings_clear(f);
    CU_ASSERT_EQUAL(check_path(rules, path, NULL, f, &st), expect);
    CU_ASSERT_EQUAL(st, DSJ_OK);
    if (dsj_findings_count(f))
        CU_ASSERT_PTR_NOT_NULL(strstr(dsj_findings_get(f, 0)->message, "not found in DM.USUBJID"));
    /* the other dataset cannot be read (empty dm.json): one error finding */
    unlink(path);
    snprintf(path, sizeof path, "%s/dm.json", dir);
    unlink(path);
    fp = fopen(path, "w");
    fclose(fp);
    snprintf(path, sizeof path, "%s/ae.json", dir);
    fp = fopen(path, "w");
    fwrite(ae, 1, aelen, fp);
    fclose(fp);
    dsj_findings_clear(f);
    CU_ASSERT_EQUAL(check_path(rules, path, NULL, f, &st), 1);
    if (dsj_findings_count(f)) {
        CU_ASSERT_EQUAL(dsj_findings_get(f, 0)->severity, DSJ_SEV_ERROR);
        CU_ASSERT_PTR_NOT_NULL(strstr(dsj_findings_get(f, 0)->message, "cannot read"));
    }
    unlink(path);
    snprintf(path, sizeof path, "%s/dm.json", dir);
    unlink(path);
    rmdir(dir);
    dsj_dataset_free(aeds);
    free(ae);
    free(dm);
    dsj_findings_free(f);
}

static void test_in_codelist(void)
{
    const char *rules = "{\"rules\":[{\"id\":\"C\",\"dataset\":\"DM\",\"column\":\"SEX\",\"check\":{\"in_codelist\":\"CL.SEX\"}}]}";
    dsj_error_t e;
    dsj_define_t *def = dsj_define_load(ex("sdtm/define.xml"), &e);
    dsj_findings_t *f = dsj_findings_new(0);
    dsj_status_t st;
    char *ds;
    result_t res;
    CU_ASSERT_PTR_NOT_NULL_FATAL(def);
    CU_ASSERT_EQUAL(check_path(rules, ex("sdtm/dm.json"), def, f, &st), 0);
    CU_ASSERT_EQUAL(st, DSJ_OK);
    ds = make_ds("DM", "[\"S\",1,\"a\",null,null,\"M\"],[\"S\",2,\"a\",null,null,\"X\"],[\"S\",3,\"a\",null,null,\"m\"]");
    run(&res, rules, ds, "mem/dm.json", def);
    CU_ASSERT_EQUAL(res.st, DSJ_OK);
    CU_ASSERT_EQUAL(dsj_findings_count(res.f), 2);
    dsj_findings_free(res.f);
    /* a code list the define lacks: error naming the rule */
    run(&res, "{\"rules\":[{\"id\":\"C2\",\"dataset\":\"DM\",\"column\":\"SEX\",\"check\":{\"in_codelist\":\"CL.NOPE\"}}]}", ds,
        "mem/dm.json", def);
    CU_ASSERT_EQUAL(res.st, DSJ_E_DEFINE);
    CU_ASSERT_PTR_NOT_NULL(strstr(res.err.text, "rule 'C2': code list CL.NOPE is not in"));
    dsj_findings_free(res.f);
    /* no define: one warning, rule skipped */
    run(&res, rules, ds, "mem/dm.json", NULL);
    CU_ASSERT_EQUAL(res.st, DSJ_OK);
    CU_ASSERT_EQUAL_FATAL(dsj_findings_count(res.f), 1);
    CU_ASSERT_EQUAL(dsj_findings_get(res.f, 0)->severity, DSJ_SEV_WARNING);
    dsj_findings_free(res.f);
    free(ds);
    dsj_findings_free(f);
    dsj_define_free(def);
}

/* First code point of a UTF-8 string. */
static unsigned first_cp(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) return u[0];
    if (u[0] < 0xE0) return ((u[0] & 0x1Fu) << 6) | (u[1] & 0x3Fu);
    if (u[0] < 0xF0) return ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
    return ((u[0] & 0x07u) << 18) | ((u[1] & 0x3Fu) << 12) | ((u[2] & 0x3Fu) << 6) | (u[3] & 0x3Fu);
}

static void test_pattern_utf8_i18n(void)
{
    /* AETERM of the Japanese AE example must start with a Katakana character: counted here by decoding
       the first code point (U+30A0..U+30FF) and compared with the PCRE2 rule. */
    const char *rules = "{\"rules\":[{\"id\":\"K\",\"column\":\"AETERM\",\"check\":{\"pattern\":\"\\\\p{Katakana}.*\"}}]}";
    char path[1200];
    const char *p = dsj_test_corpus_file(path, sizeof path, "cdisc-datasetjson-examples/v1.1/i18n/ae.json");
    dsj_error_t e;
    dsj_dataset_t *ds;
    dsj_findings_t *f = dsj_findings_new(0);
    dsj_status_t st;
    size_t i, expect = 0, katakana = 0;
    long col;
    char *text;
    if (!p) p = ex("i18n/ae.json");
    text = dsj_test_slurp(p, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    ds = dsj_dataset_from_string(text, strlen(text), NULL, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    col = dsj_meta_find_column(dsj_dataset_meta(ds), "AETERM");
    CU_ASSERT_FATAL(col >= 0);
    for (i = 0; i < dsj_dataset_nrows(ds); i++) {
        const dsj_cell_t *c = &dsj_dataset_row(ds, i)->cells[col];
        unsigned cp;
        if (dsj_cell_is_missing(c)) continue;
        cp = first_cp(c->text);
        if (cp >= 0x30A0 && cp <= 0x30FF) katakana++;
        else expect++;
    }
    CU_ASSERT(expect > 0 && katakana > 0); /* both outcomes occur in the file */
    CU_ASSERT_EQUAL(check_path(rules, p, NULL, f, &st), expect);
    CU_ASSERT_EQUAL(st, DSJ_OK);
    dsj_dataset_free(ds);
    free(text);
    dsj_findings_free(f);
}

static void test_v10_pointer(void)
{
    /* Dataset-JSON 1.0: findings point into clinicalData/itemGroupData/OID/itemData */
    const char *rules = "{\"rules\":[{\"id\":\"OLD\",\"dataset\":\"dm\",\"column\":\"AGE\",\"check\":{\"range\":{\"max\":70}}}]}";
    dsj_findings_t *f = dsj_findings_new(0);
    dsj_status_t st;
    CU_ASSERT(check_path(rules, "testdata/examples/v1.0/sdtm/dm.json", NULL, f, &st) > 0);
    CU_ASSERT_EQUAL(st, DSJ_OK);
    if (dsj_findings_count(f)) {
        const dsj_finding_t *x = dsj_findings_get(f, 0);
        CU_ASSERT_PTR_NOT_NULL(x->pointer);
        CU_ASSERT(x->pointer && !strncmp(x->pointer, "/clinicalData/itemGroupData/IG.DM/itemData/", 43));
        CU_ASSERT(x->line > 0 && x->column > 0);
    }
    dsj_findings_free(f);
}

static void test_check_files(void)
{
    const char *rules = "{\"rules\":[{\"id\":\"N\",\"column\":\"USUBJID\",\"check\":{\"not_null\":true}},"
                        "{\"id\":\"AGE\",\"dataset\":\"DM\",\"column\":\"AGE\",\"check\":{\"range\":{\"max\":80}}}]}";
    const char *paths[3];
    char p0[600], p1[600];
    dsj_ruleset_t *rs = dsj_ruleset_load_string(rules, strlen(rules), NULL, NULL);
    dsj_findings_t *f = dsj_findings_new(0), *one = dsj_findings_new(0);
    dsj_error_t e;
    size_t i, n_dm;
    CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
    snprintf(p0, sizeof p0, "%s", ex("sdtm/dm.json"));
    snprintf(p1, sizeof p1, "%s", ex("sdtm/ae.ndjson"));
    paths[0] = p0;
    paths[1] = "testdata/no-such-file.json";
    paths[2] = p1;
    /* the missing file is reported, the others are still checked */
    CU_ASSERT_EQUAL(dsj_check_files(rs, paths, 3, NULL, dsj_findings_add, f, &e), DSJ_E_IO);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.file, "no-such-file.json"));
    CU_ASSERT_EQUAL(dsj_check_file(rs, p0, NULL, dsj_findings_add, one, &e), DSJ_OK);
    n_dm = dsj_findings_count(one);
    CU_ASSERT(n_dm > 0);                              /* some DM subjects are older than 80 */
    CU_ASSERT_EQUAL(dsj_findings_count(f), n_dm);     /* AE: no missing USUBJID, no AGE rule */
    for (i = 0; i < dsj_findings_count(f); i++) CU_ASSERT_STRING_EQUAL(dsj_findings_get(f, i)->file, p0);
    CU_ASSERT_EQUAL(dsj_check_files(rs, paths, 0, NULL, dsj_findings_add, f, &e), DSJ_OK);
    dsj_findings_free(f);
    dsj_findings_free(one);
    dsj_ruleset_free(rs);
}

/* ---------------------------------------------------------------- malformed rule files */

static void expect_load_error(const char *rules, const char *needle, const char *pointer)
{
    dsj_error_t e;
    dsj_ruleset_t *rs = dsj_ruleset_load_string(rules, strlen(rules), "r.json", &e);
    CU_ASSERT_PTR_NULL(rs);
    dsj_ruleset_free(rs);
    if (!strstr(e.text, needle)) printf("\n  got '%s', want '%s'\n", e.text, needle);
    CU_ASSERT_PTR_NOT_NULL(strstr(e.text, needle));
    CU_ASSERT_STRING_EQUAL(e.file, "r.json");
    if (pointer) {
        if (strcmp(e.pointer, pointer)) printf("\n  pointer '%s', want '%s'\n", e.pointer, pointer);
        CU_ASSERT_STRING_EQUAL(e.pointer, pointer);
    }
}

#define R1(body) "{\"rules\":[{\"id\":\"A1\",\"column\":\"X\"," body "}]}"

static void test_malformed(void)
{
    expect_load_error("{\"rules\":[", "not valid JSON", NULL);
    expect_load_error("[]", "the root must be an object", NULL);
    expect_load_error("{\"rule\":[]}", "unknown root member 'rule'", NULL);
    expect_load_error("{\"rules\":{}}", "'rules' is required and must be an array", NULL);
    expect_load_error(R1("\"check\":{\"nonsense\":1}"), "rule 'A1' (index 0): unknown check 'nonsense'", "/rules/0/check");
    expect_load_error(R1("\"check\":{\"not_null\":true,\"unique\":true}"),
                      "rule 'A1' (index 0): 'check' has 2 kinds (not_null, unique); give exactly one", "/rules/0/check");
    expect_load_error(R1("\"check\":{}"), "'check' is empty", NULL);
    expect_load_error(R1("\"check\":{\"pattern\":\"[A-Z\"}"),
                      "rule 'A1' (index 0): bad pattern /[A-Z/: missing terminating ] for character class at offset 4",
                      "/rules/0/check/pattern");
    expect_load_error("{\"rules\":[{\"id\":\"A1\",\"column\":\"X\",\"check\":{\"not_null\":true}},"
                      "{\"id\":\"A1\",\"column\":\"Y\",\"check\":{\"not_null\":true}}]}",
                      "rule 'A1' (index 1): duplicate rule id (also used by the rule at index 0)", "/rules/1/id");
    expect_load_error("{\"rules\":[{\"column\":\"X\",\"check\":{\"not_null\":true}}]}", "rule at index 0: 'id' is required", NULL);
    expect_load_error("{\"rules\":[{\"id\":5,\"column\":\"X\",\"check\":{\"not_null\":true}}]}", "'id' is required and must be a non-empty string, not int", NULL);
    expect_load_error(R1("\"severity\":\"fatal\",\"check\":{\"not_null\":true}"), "'severity' must be \"error\", \"warning\" or \"info\"", "/rules/0/severity");
    expect_load_error(R1("\"check\":{\"not_null\":\"yes\"}"), "'not_null' must be true", NULL);
    expect_load_error(R1("\"check\":{\"in\":[]}"), "'in' must be a non-empty array", NULL);
    expect_load_error(R1("\"check\":{\"in\":[\"a\",null]}"), "check/in/1 must be a string or a number, not null", "/rules/0/check/in/1");
    expect_load_error(R1("\"check\":{\"range\":{\"min\":\"0\"}}"), "check/range/min must be a number, not string", NULL);
    expect_load_error(R1("\"check\":{\"range\":{\"min\":5,\"max\":1}}"), "'range' min 5 is greater than max 1", NULL);
    expect_load_error(R1("\"check\":{\"range\":{\"low\":5}}"), "unknown member 'low' in 'range'", NULL);
    expect_load_error(R1("\"check\":{\"max_length\":-1}"), "'max_length' must be a non-negative integer", NULL);
    expect_load_error(R1("\"check\":{\"max_length\":2.5}"), "'max_length' must be a non-negative integer", NULL);
    expect_load_error(R1("\"check\":{\"compare\":{\"op\":\"=<\",\"column\":\"Y\"}}"), "unknown compare op '=<'", NULL);
    expect_load_error(R1("\"check\":{\"compare\":{\"op\":\"<\"}}"), "'compare' needs \"column\"", NULL);
    expect_load_error(R1("\"check\":{\"exists_in\":{\"dataset\":\"DM\",\"columns\":[\"A\",\"B\"]}}"),
                      "'exists_in' lists 2 columns but the rule has 1", NULL);
    expect_load_error(R1("\"check\":{\"exists_in\":{\"columns\":[\"A\"]}}"), "'exists_in' needs \"dataset\"", NULL);
    expect_load_error(R1("\"check\":{\"exists_in\":{\"dataset\":\"../dm\",\"columns\":[\"A\"]}}"), "must be a dataset name, not a path", NULL);
    expect_load_error(R1("\"when\":\"X ==\",\"check\":{\"not_null\":true}"),
                      "rule 'A1' (index 0): 'when': condition: at position 5: expected a value", "/rules/0/when");
    expect_load_error(R1("\"colour\":1,\"check\":{\"not_null\":true}"), "unknown member 'colour'", "/rules/0/colour");
    expect_load_error("{\"rules\":[{\"id\":\"A1\",\"check\":{\"not_null\":true}}]}", "'column' or 'columns' is required", NULL);
    expect_load_error("{\"rules\":[{\"id\":\"A1\",\"column\":\"X\",\"columns\":[\"Y\"],\"check\":{\"not_null\":true}}]}",
                      "give 'column' or 'columns', not both", NULL);
    expect_load_error("{\"rules\":[{\"id\":\"A1\",\"columns\":[\"X\",\"Y\"],\"check\":{\"compare\":{\"op\":\"<\",\"column\":\"Z\"}}}]}",
                      "'compare' needs exactly one column", NULL);
    expect_load_error("{\"rules\":[{\"id\":\"A1\",\"dataset\":[],\"column\":\"X\",\"check\":{\"not_null\":true}}]}",
                      "'dataset' must not be empty", NULL);
    expect_load_error("{\"rules\":[{\"id\":\"A1\",\"dataset\":3,\"column\":\"X\",\"check\":{\"not_null\":true}}]}",
                      "'dataset' must be a string or an array of strings, not int", NULL);
    expect_load_error("{\"rules\":[{\"id\":\"A1\",\"column\":\"X\",\"check\":{\"not_null\":true}}]} x", "not valid JSON", NULL);
    {
        dsj_error_t e;
        CU_ASSERT_PTR_NULL(dsj_ruleset_load("/nonexistent/rules.json", &e));
        CU_ASSERT_EQUAL(e.code, DSJ_E_IO);
    }
}

/* ---------------------------------------------------------------- the example rule file on the SDTM examples */

static void run_example(const char *dir, const char *const *names, size_t nnames, dsj_findings_t *f, const dsj_define_t *def)
{
    dsj_error_t e;
    dsj_ruleset_t *rs = dsj_ruleset_load("testdata/checks/sdtm-rules.json", &e);
    size_t i;
    CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
    CU_ASSERT_EQUAL(dsj_ruleset_count(rs), 13);
    for (i = 0; i < nnames; i++) {
        char path[1024];
        dsj_check_options_t o;
        snprintf(path, sizeof path, "%s/%s.json", dir, names[i]);
        dsj_check_options_init(&o);
        o.define = def;
        CU_ASSERT_EQUAL(dsj_check_file(rs, path, &o, dsj_findings_add, f, &e), DSJ_OK);
    }
    dsj_ruleset_free(rs);
}

static void test_example_rules_bundled(void)
{
    /* The bundled examples (AE, DM, LB, SUPPDM, TA, TS of CDISCPILOT01) pass every rule. */
    static const char *const names[] = {"ae", "dm", "lb", "suppdm", "ta", "ts"};
    dsj_error_t e;
    dsj_define_t *def = dsj_define_load(ex("sdtm/define.xml"), &e);
    dsj_findings_t *f = dsj_findings_new(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(def);
    run_example("testdata/examples/v1.1/sdtm", names, 6, f, def);
    CU_ASSERT_EQUAL(dsj_findings_total(f), 0);
    dsj_findings_free(f);
    dsj_define_free(def);
}

static void test_example_rules_corpus(void)
{
    static const char *const names[] = {"ae", "cm", "dd", "di", "dm", "ds", "ec", "ex", "fa", "ft", "ie", "lb", "mh", "oe",
                                        "qsph", "qssl", "relrec", "rs", "se", "suppdm", "suppec", "sv", "ta", "te", "ti",
                                        "ts", "tv", "vs"};
    char dir[1200], dpath[1300];
    dsj_error_t e;
    dsj_define_t *def;
    dsj_findings_t *f;
    size_t i;
    if (!dsj_test_corpus_file(dir, sizeof dir, "cdisc-datasetjson-examples/v1.1/sdtm")) return;
    snprintf(dpath, sizeof dpath, "%s/define.xml", dir);
    def = dsj_define_load(dpath, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(def);
    f = dsj_findings_new(0);
    run_example(dir, names, sizeof names / sizeof *names, f, def);
    /* Pinned: the 28 official SDTM datasets pass every rule except SDTM-USUBJID-NOT-NULL on RELREC,
       whose 6 rows relate whole datasets (RELTYPE ONE/MANY, IDVAR only), so USUBJID is "" by design.
       AE subjects all exist in DM, AE end dates are never before the start, LBTESTCD values are all
       short upper-case codes, SEX is M/F from CL.SEX, AGE is 50..89 years, keys are unique. */
    CU_ASSERT_EQUAL(dsj_findings_total(f), 6);
    CU_ASSERT_EQUAL(count_rule(f, "SDTM-USUBJID-NOT-NULL"), 6);
    for (i = 0; i < dsj_findings_count(f); i++) {
        const dsj_finding_t *x = dsj_findings_get(f, i);
        CU_ASSERT_PTR_NOT_NULL(strstr(x->file, "relrec.json"));
        CU_ASSERT_EQUAL(x->row, i + 1);
        CU_ASSERT_EQUAL(x->severity, DSJ_SEV_ERROR);
    }
    dsj_findings_free(f);
    dsj_define_free(def);
}

int main(void)
{
    static const dsj_test_case_t cases[] = {
        {"not_null: pass, null and \"\" fail", test_not_null},
        {"pattern: pass, fail, anchored", test_pattern},
        {"in: pass, fail, numbers exact", test_in},
        {"range: pass, fail, exact, not a number", test_range},
        {"max_length: characters", test_max_length},
        {"unique: tuples, numbers canonical, missing skipped", test_unique},
        {"compare: dates, partial precision", test_compare},
        {"when, dataset lists, severity, missing column", test_when_dataset_severity},
        {"callback abort", test_abort},
        {"exists_in: pass, fail, missing dataset", test_exists_in},
        {"in_codelist: pass, fail, no define, unknown list", test_in_codelist},
        {"pattern: UTF-8 on the Japanese AE", test_pattern_utf8_i18n},
        {"Dataset-JSON 1.0 pointers", test_v10_pointer},
        {"dsj_check_files", test_check_files},
        {"malformed rule files", test_malformed},
        {"example rules on the bundled examples", test_example_rules_bundled},
        {"example rules on the official SDTM examples", test_example_rules_corpus},
        {NULL, NULL},
    };
    return dsj_test_run("checks", cases);
}
