/* Unit tests: in-memory datasets (rows arena, equality, string/json-c round
 * trips on the corpus, every output format read back) and exact number-text
 * comparison. */
#include "test_util.h"
#include "dsj_internal.h"

#include <dirent.h>
#include <json-c/json.h>

static int cmp(const char *a, const char *b) { return dsj_number_text_compare(a, strlen(a), b, strlen(b)); }

static void test_number_compare(void)
{
    CU_ASSERT_EQUAL(cmp("1.50", "1.5"), 0);
    CU_ASSERT_EQUAL(cmp("1e2", "100"), 0);
    CU_ASSERT_EQUAL(cmp("1E+2", "100.000"), 0);
    CU_ASSERT_EQUAL(cmp("-0", "0"), 0);
    CU_ASSERT_EQUAL(cmp("0.0", "-0e10"), 0);
    CU_ASSERT_EQUAL(cmp("0.001", "1e-3"), 0);
    CU_ASSERT_EQUAL(cmp("12.5e-1", "1.25"), 0);
    CU_ASSERT_EQUAL(cmp("0", "0"), 0);
    CU_ASSERT(cmp("1", "2") < 0);
    CU_ASSERT(cmp("2", "1") > 0);
    CU_ASSERT(cmp("-1", "1") < 0);
    CU_ASSERT(cmp("-2", "-1") < 0);
    CU_ASSERT(cmp("-0.5", "0") < 0);
    CU_ASSERT(cmp("0", "1e-400") < 0);
    CU_ASSERT(cmp("10", "9") > 0);
    CU_ASSERT(cmp("9.99", "10") < 0);
    CU_ASSERT(cmp("0.1", "0.10001") < 0);
    CU_ASSERT(cmp("0.10001", "0.1") > 0);
    CU_ASSERT(cmp("1e1000", "9e999") > 0);
    CU_ASSERT(cmp("-1e1000", "-9e999") < 0);
    /* beyond double precision: decided on the digits, not on binary values */
    CU_ASSERT(cmp("123456789012345678901234567890", "123456789012345678901234567891") < 0);
    CU_ASSERT(cmp("0.30000000000000004", "0.3") > 0);
    CU_ASSERT(cmp("9007199254740993", "9007199254740992") > 0);
    CU_ASSERT_EQUAL(cmp("30.8983333232059", "30.89833332320590"), 0);
    /* exponents that would overflow do not wrap */
    CU_ASSERT(cmp("1e9999999999999999999999", "1") > 0);
    CU_ASSERT(cmp("1e-9999999999999999999999", "0") > 0);
    /* texts that are not JSON numbers compare as bytes and never equal a number */
    CU_ASSERT(cmp("abc", "abd") < 0);
    CU_ASSERT_NOT_EQUAL(cmp("01", "1"), 0);
    CU_ASSERT_NOT_EQUAL(cmp("1.", "1"), 0);
    CU_ASSERT_NOT_EQUAL(cmp("+1", "1"), 0);
    CU_ASSERT_EQUAL(cmp("", ""), 0);
}

static dsj_meta_t *tiny_meta(void)
{
    dsj_meta_t *m = dsj_meta_new(DSJ_V1_1);
    dsj_column_t c;
    dsj_meta_set(m, DSJ_META_CREATION_DATETIME, "2025-01-02T03:04:05");
    dsj_meta_set(m, DSJ_META_DATASET_JSON_VERSION, "1.1.0");
    dsj_meta_set(m, DSJ_META_ITEMGROUP_OID, "IG.T");
    dsj_meta_set(m, DSJ_META_NAME, "T");
    dsj_meta_set(m, DSJ_META_LABEL, "T");
    memset(&c, 0, sizeof c);
    c.item_oid = "IT.S"; c.name = "S"; c.label = "S"; c.data_type = DSJ_TYPE_STRING;
    dsj_meta_add_column(m, &c);
    c.item_oid = "IT.N"; c.name = "N"; c.label = "N"; c.data_type = DSJ_TYPE_FLOAT;
    dsj_meta_add_column(m, &c);
    return m;
}

static void set_cell(dsj_cell_t *c, dsj_cell_kind_t k, const char *s)
{
    memset(c, 0, sizeof *c);
    c->kind = k;
    c->text = s;
    c->len = s ? strlen(s) : 0;
}

static void test_rows_and_equal(void)
{
    dsj_meta_t *m = tiny_meta();
    dsj_dataset_t *a = dsj_dataset_new(m), *b = dsj_dataset_new(m);
    dsj_cell_t cells[2];
    dsj_row_t row;
    char text[8] = "abc";
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_TRUE(dsj_dataset_equal(a, b));
    memset(&row, 0, sizeof row);
    row.cells = cells;
    row.ncells = 2;
    row.index = 99;
    set_cell(&cells[0], DSJ_CELL_STRING, text);
    set_cell(&cells[1], DSJ_CELL_NUMBER, "1.50");
    CU_ASSERT_EQUAL(dsj_dataset_add_row(a, &row), DSJ_OK);
    text[0] = 'X'; /* the dataset holds a copy */
    CU_ASSERT_EQUAL(dsj_dataset_nrows(a), 1);
    CU_ASSERT_EQUAL(dsj_dataset_row(a, 0)->index, 1);
    CU_ASSERT_STRING_EQUAL(dsj_dataset_row(a, 0)->cells[0].text, "abc");
    CU_ASSERT_PTR_NULL(dsj_dataset_row(a, 1));
    CU_ASSERT_FALSE(dsj_dataset_equal(a, b));
    set_cell(&cells[0], DSJ_CELL_STRING, "abc");
    set_cell(&cells[1], DSJ_CELL_NUMBER, "15e-1"); /* same value */
    CU_ASSERT_EQUAL(dsj_dataset_add_row(b, &row), DSJ_OK);
    CU_ASSERT_TRUE(dsj_dataset_equal(a, b));
    set_cell(&cells[1], DSJ_CELL_STRING, "1.50"); /* a string is not a number */
    dsj_dataset_free(b);
    b = dsj_dataset_new(m);
    dsj_dataset_add_row(b, &row);
    CU_ASSERT_FALSE(dsj_dataset_equal(a, b));
    dsj_dataset_free(b);
    b = dsj_dataset_new(m);
    set_cell(&cells[1], DSJ_CELL_NUMBER, "1.5");
    set_cell(&cells[0], DSJ_CELL_NULL, NULL);
    dsj_dataset_add_row(b, &row);
    CU_ASSERT_FALSE(dsj_dataset_equal(a, b)); /* null vs "abc" */
    /* metadata differences count */
    dsj_dataset_free(b);
    b = dsj_dataset_new(m);
    set_cell(&cells[0], DSJ_CELL_STRING, "abc");
    dsj_dataset_add_row(b, &row);
    CU_ASSERT_TRUE(dsj_dataset_equal(a, b));
    dsj_meta_set(dsj_dataset_meta_mut(b), DSJ_META_LABEL, "other");
    CU_ASSERT_FALSE(dsj_dataset_equal(a, b));
    /* many rows: the arena grows across blocks and keeps every text */
    {
        size_t i;
        char buf[32];
        for (i = 0; i < 50000; i++) {
            snprintf(buf, sizeof buf, "row-%zu", i);
            set_cell(&cells[0], DSJ_CELL_STRING, buf);
            CU_ASSERT_EQUAL_FATAL(dsj_dataset_add_row(a, &row), DSJ_OK);
        }
        CU_ASSERT_EQUAL(dsj_dataset_nrows(a), 50001);
        CU_ASSERT_STRING_EQUAL(dsj_dataset_row(a, 12346)->cells[0].text, "row-12345");
        CU_ASSERT_STRING_EQUAL(dsj_dataset_row(a, 50000)->cells[0].text, "row-49999");
        CU_ASSERT_EQUAL(dsj_dataset_row(a, 50000)->index, 50001);
    }
    CU_ASSERT_EQUAL(dsj_dataset_add_row(NULL, &row), DSJ_E_ARG);
    CU_ASSERT_PTR_NULL(dsj_dataset_new(NULL));
    dsj_dataset_free(a);
    dsj_dataset_free(b);
    dsj_dataset_free(NULL);
    dsj_meta_free(m);
}

static void test_string_and_json(void)
{
    static const char text[] =
        "{\"datasetJSONCreationDateTime\":\"2025-01-02T03:04:05\",\"datasetJSONVersion\":\"1.1.0\",\"itemGroupOID\":\"IG.T\","
        "\"records\":2,\"name\":\"T\",\"label\":\"T\",\"columns\":[{\"itemOID\":\"IT.S\",\"name\":\"S\",\"label\":\"S\","
        "\"dataType\":\"string\"},{\"itemOID\":\"IT.N\",\"name\":\"N\",\"label\":\"N\",\"dataType\":\"float\"}],"
        "\"rows\":[[\"a/b\",0.30000000000000004],[\"\\u00e9\",1e400]]}";
    dsj_error_t e;
    dsj_dataset_t *ds = dsj_dataset_from_string(text, strlen(text), NULL, &e), *back;
    struct json_object *root, *rows;
    char *s;
    size_t len = 0;
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    CU_ASSERT_EQUAL(dsj_dataset_nrows(ds), 2);
    s = dsj_dataset_to_string(ds, NULL, &len, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    /* the writer keeps number texts and writes raw UTF-8 */
    CU_ASSERT_STRING_EQUAL(strstr(s, "\"rows\""), "\"rows\":[[\"a/b\",0.30000000000000004],[\"\xc3\xa9\",1e400]]}");
    CU_ASSERT_EQUAL(len, strlen(s));
    free(s);
    root = dsj_dataset_to_json(ds, DSJ_VERSION_UNKNOWN, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    CU_ASSERT_TRUE(json_object_object_get_ex(root, "rows", &rows));
    CU_ASSERT_EQUAL(json_object_array_length(rows), 2);
    back = dsj_dataset_from_json(root, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT_TRUE(dsj_dataset_equal(ds, back));
    json_object_put(root);
    dsj_dataset_free(back);
    /* to_json in the other version */
    root = dsj_dataset_to_json(ds, DSJ_V1_0, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    CU_ASSERT_TRUE(json_object_object_get_ex(root, "clinicalData", NULL));
    json_object_put(root);
    dsj_dataset_free(ds);
    /* broken input: NULL and an error */
    CU_ASSERT_PTR_NULL(dsj_dataset_from_string("{\"columns\":[", 12, NULL, &e));
    CU_ASSERT_NOT_EQUAL(e.code, DSJ_OK);
    CU_ASSERT_PTR_NULL(dsj_dataset_from_string("[1,2]", 5, NULL, &e));
    CU_ASSERT_NOT_EQUAL(e.code, DSJ_OK);
    CU_ASSERT_PTR_NULL(dsj_dataset_from_json(NULL, &e));
    CU_ASSERT_EQUAL(e.code, DSJ_E_ARG);
}

/* ------------------------------------------------------------ corpus */

static dsj_dataset_t *read_path(const char *path, dsj_error_t *e)
{
    dsj_reader_t *r = dsj_reader_open(path, NULL, e);
    dsj_dataset_t *ds;
    if (!r) return NULL;
    ds = dsj_dataset_read(r, e);
    dsj_reader_free(r);
    return ds;
}

static int round_trip(const dsj_dataset_t *ds, dsj_format_t f, int pretty, const char *path)
{
    dsj_error_t e;
    dsj_writer_options_t o;
    dsj_dataset_t *back;
    char *s;
    size_t len = 0;
    int eq;
    dsj_writer_options_init(&o);
    o.format = f;
    o.pretty = pretty;
    s = dsj_dataset_to_string(ds, &o, &len, &e);
    if (!s) { printf("\n  %s: write %s: %s\n", path, dsj_format_name(f), e.text); return 0; }
    back = dsj_dataset_from_string(s, len, NULL, &e);
    free(s);
    if (!back) { printf("\n  %s: read back %s: %s\n", path, dsj_format_name(f), e.text); return 0; }
    eq = dsj_dataset_equal(ds, back);
    if (!eq) printf("\n  %s: %s round trip differs\n", path, dsj_format_name(f));
    dsj_dataset_free(back);
    return eq;
}

static void one_v11_file(const char *path)
{
    dsj_error_t e;
    dsj_dataset_t *ds = read_path(path, &e), *back;
    struct json_object *root, *parsed;
    int64_t rec;
    CU_ASSERT_PTR_NOT_NULL_FATAL(ds);
    if (dsj_meta_records(dsj_dataset_meta(ds), &rec) && (size_t)rec != dsj_dataset_nrows(ds)) {
        /* a real broken file (extensions example: records 72, 2 rows): the writer refuses it */
        CU_ASSERT_PTR_NULL(dsj_dataset_to_string(ds, NULL, NULL, &e));
        CU_ASSERT_EQUAL(e.code, DSJ_E_MISMATCH);
        dsj_dataset_free(ds);
        return;
    }
    CU_ASSERT_TRUE(round_trip(ds, DSJ_FORMAT_JSON, 0, path));
    CU_ASSERT_TRUE(round_trip(ds, DSJ_FORMAT_JSON, 1, path));
    CU_ASSERT_TRUE(round_trip(ds, DSJ_FORMAT_NDJSON, 0, path));
    CU_ASSERT_TRUE(round_trip(ds, DSJ_FORMAT_DSJC, 0, path));
    /* json-c: our tree, and json-c's own parse of the file, both give the same dataset */
    root = dsj_dataset_to_json(ds, DSJ_VERSION_UNKNOWN, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    back = dsj_dataset_from_json(root, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT_TRUE(dsj_dataset_equal(ds, back));
    dsj_dataset_free(back);
    json_object_put(root);
    parsed = json_object_from_file(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(parsed);
    back = dsj_dataset_from_json(parsed, &e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT_TRUE(dsj_dataset_equal(ds, back));
    dsj_dataset_free(back);
    json_object_put(parsed);
    dsj_dataset_free(ds);
}

static void test_corpus_v11(void)
{
    static const char *const dirs[] = {"adam", "sdtm", "i18n", "extensions", NULL};
    char base[2200], path[2600];
    int d, files = 0;
    if (!dsj_test_corpus_file(base, sizeof base, "cdisc-datasetjson-examples/v1.1")) return;
    for (d = 0; dirs[d]; d++) {
        DIR *dp;
        struct dirent *de;
        snprintf(path, sizeof path, "%s/%s", base, dirs[d]);
        dp = opendir(path);
        CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
        while ((de = readdir(dp))) {
            size_t n = strlen(de->d_name);
            if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0) continue;
            snprintf(path, sizeof path, "%s/%s/%s", base, dirs[d], de->d_name);
            one_v11_file(path);
            files++;
        }
        closedir(dp);
    }
    CU_ASSERT_TRUE(files >= 30);
}

/* The official .ndjson and .dsjc siblings hold the same dataset as the .json,
 * and our rewrite of a .dsjc reads back equal. */
static void test_corpus_siblings(void)
{
    static const char *const names[] = {"dm", "ae", "ta", "ts", "lb", NULL};
    char base[2200], path[2600];
    int i;
    if (!dsj_test_corpus_file(base, sizeof base, "cdisc-datasetjson-examples/v1.1/sdtm")) return;
    for (i = 0; names[i]; i++) {
        dsj_error_t e;
        dsj_dataset_t *js, *nd, *zc;
        snprintf(path, sizeof path, "%s/%s.json", base, names[i]);
        js = read_path(path, &e);
        snprintf(path, sizeof path, "%s/%s.ndjson", base, names[i]);
        nd = read_path(path, &e);
        snprintf(path, sizeof path, "%s/%s.dsjc", base, names[i]);
        zc = read_path(path, &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(js);
        CU_ASSERT_PTR_NOT_NULL_FATAL(nd);
        CU_ASSERT_PTR_NOT_NULL_FATAL(zc);
        CU_ASSERT_TRUE(dsj_dataset_equal(js, nd));
        CU_ASSERT_EQUAL(dsj_dataset_nrows(js), dsj_dataset_nrows(zc));
        CU_ASSERT_TRUE(round_trip(zc, DSJ_FORMAT_DSJC, 0, path));
        dsj_dataset_free(js);
        dsj_dataset_free(nd);
        dsj_dataset_free(zc);
    }
}

/* ------------------------------------------------------------ random datasets */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

/* Append a random piece of text: ASCII, escapes, control bytes, NUL, 2-4 byte UTF-8. */
static size_t random_text(char *buf, size_t cap)
{
    static const char *const pieces[] = {"a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f",
                                         "\xc3\xa9", "\xe6\x97\xa5", "\xf0\x9f\x98\x80", "\x7f", "ab cd"};
    size_t n = 0, k = rnd(40), i;
    for (i = 0; i < k; i++) {
        const char *p;
        size_t l;
        if (rnd(50) == 0) { /* an embedded NUL */
            if (n + 1 >= cap) break;
            buf[n++] = '\0';
            continue;
        }
        p = pieces[rnd(sizeof pieces / sizeof pieces[0])];
        l = strlen(p);
        if (n + l >= cap) break;
        memcpy(buf + n, p, l);
        n += l;
    }
    buf[n] = '\0';
    return n;
}

static size_t random_number(char *buf, int integer)
{
    static const char *const forms[] = {"%s%u", "%s%u.%u", "%s%u.%ue%d", "%s%uE+%u", "%s0.%03u"};
    const char *sign = rnd(3) == 0 ? "-" : "";
    int n;
    if (integer) n = snprintf(buf, 64, "%s%u", sign, rnd(100000));
    else {
        unsigned f = rnd(5);
        if (f == 0) n = snprintf(buf, 64, forms[0], sign, rnd(1000));
        else if (f == 1) n = snprintf(buf, 64, forms[1], sign, rnd(1000), rnd(1000));
        else if (f == 2) n = snprintf(buf, 64, forms[2], sign, rnd(9) + 1, rnd(100), (int)rnd(40) - 20);
        else if (f == 3) n = snprintf(buf, 64, forms[3], sign, rnd(9) + 1, rnd(30));
        else n = snprintf(buf, 64, forms[4], sign, rnd(1000));
    }
    return (size_t)n;
}

static void test_random_round_trips(void)
{
    static const dsj_datatype_t types[] = {DSJ_TYPE_STRING, DSJ_TYPE_INTEGER, DSJ_TYPE_DOUBLE, DSJ_TYPE_BOOLEAN,
                                           DSJ_TYPE_STRING, DSJ_TYPE_FLOAT};
    int round;
    for (round = 0; round < 20; round++) {
        dsj_meta_t *m = dsj_meta_new(DSJ_V1_1);
        dsj_dataset_t *ds;
        dsj_column_t c;
        size_t i, r, nrows = rnd(60);
        char names[6][8];
        dsj_meta_set(m, DSJ_META_CREATION_DATETIME, "2025-01-02T03:04:05");
        dsj_meta_set(m, DSJ_META_DATASET_JSON_VERSION, "1.1.0");
        dsj_meta_set(m, DSJ_META_ITEMGROUP_OID, "IG.R");
        dsj_meta_set(m, DSJ_META_NAME, "R");
        dsj_meta_set(m, DSJ_META_LABEL, "random \"\\ \xe6\x97\xa5");
        dsj_meta_set_records(m, (int64_t)nrows);
        dsj_meta_set_has_rows(m, 1);
        for (i = 0; i < 6; i++) {
            memset(&c, 0, sizeof c);
            snprintf(names[i], sizeof names[i], "C%zu", i);
            c.item_oid = names[i]; c.name = names[i]; c.label = names[i]; c.data_type = types[i];
            dsj_meta_add_column(m, &c);
        }
        ds = dsj_dataset_new(m);
        for (r = 0; r < nrows; r++) {
            char text[6][200];
            dsj_cell_t cells[6];
            dsj_row_t row;
            memset(&row, 0, sizeof row);
            for (i = 0; i < 6; i++) {
                memset(&cells[i], 0, sizeof cells[i]);
                cells[i].text = text[i];
                if (rnd(8) == 0) { cells[i].kind = DSJ_CELL_NULL; cells[i].text = NULL; continue; }
                switch (types[i]) {
                case DSJ_TYPE_STRING: cells[i].kind = DSJ_CELL_STRING; cells[i].len = random_text(text[i], 200); break;
                case DSJ_TYPE_INTEGER: cells[i].kind = DSJ_CELL_INTEGER; cells[i].len = random_number(text[i], 1); break;
                case DSJ_TYPE_BOOLEAN:
                    cells[i].kind = DSJ_CELL_BOOLEAN;
                    strcpy(text[i], rnd(2) ? "true" : "false");
                    cells[i].len = strlen(text[i]);
                    break;
                default:
                    cells[i].len = random_number(text[i], 0);
                    cells[i].kind = strpbrk(text[i], ".eE") ? DSJ_CELL_NUMBER : DSJ_CELL_INTEGER;
                }
            }
            row.cells = cells;
            row.ncells = 6;
            CU_ASSERT_EQUAL_FATAL(dsj_dataset_add_row(ds, &row), DSJ_OK);
        }
        CU_ASSERT_TRUE(round_trip(ds, DSJ_FORMAT_JSON, 0, "random"));
        CU_ASSERT_TRUE(round_trip(ds, DSJ_FORMAT_JSON, 1, "random"));
        CU_ASSERT_TRUE(round_trip(ds, DSJ_FORMAT_NDJSON, 0, "random"));
        CU_ASSERT_TRUE(round_trip(ds, DSJ_FORMAT_DSJC, 0, "random"));
        {   /* json-c keeps number texts and strings with NUL bytes */
            dsj_error_t e;
            struct json_object *root = dsj_dataset_to_json(ds, DSJ_VERSION_UNKNOWN, &e);
            dsj_dataset_t *back;
            CU_ASSERT_PTR_NOT_NULL_FATAL(root);
            back = dsj_dataset_from_json(root, &e);
            CU_ASSERT_PTR_NOT_NULL_FATAL(back);
            CU_ASSERT_TRUE(dsj_dataset_equal(ds, back));
            dsj_dataset_free(back);
            json_object_put(root);
        }
        dsj_dataset_free(ds);
        dsj_meta_free(m);
    }
}

int main(void)
{
    static const dsj_test_case_t cases[] = {
        {"number text compare", test_number_compare},
        {"rows, copies, equality", test_rows_and_equal},
        {"string and json-c", test_string_and_json},
        {"random datasets: every format and json-c", test_random_round_trips},
        {"corpus v1.1 round trips (json, pretty, ndjson, dsjc, json-c)", test_corpus_v11},
        {"corpus .ndjson/.dsjc siblings", test_corpus_siblings},
        {NULL, NULL},
    };
    return dsj_test_run("dataset", cases);
}
