/* Unit tests: the private streaming JSON lexer (lexer_internal.h). */
#include "test_util.h"
#include "lexer_internal.h"

/* Hands out at most `chunk` bytes per read so tokens cross buffer refills. */
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

static int count_findings(const dsj_finding_t *f, void *ctx)
{
    dsj_buf_t *b = ctx;
    dsj_buf_printf(b, "%s@%llu;", f->rule, (unsigned long long)f->offset);
    return 0;
}

typedef struct {
    chunk_src_t cs;
    dsj_source_t *src;
    dsj_lexer_t lx;
    dsj_buf_t findings;
} fixture_t;

static void fx_open(fixture_t *f, const char *text, size_t len, size_t chunk, unsigned flags)
{
    dsj_error_t err;
    memset(f, 0, sizeof *f);
    f->cs.p = text;
    f->cs.len = len;
    f->cs.chunk = chunk;
    f->src = dsj_source_new_callback(chunk_read, &f->cs, "lex", &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->src);
    CU_ASSERT_EQUAL_FATAL(dsj_lex_init(&f->lx, f->src, "lex", 64), 0);
    f->lx.flags = flags;
    dsj_buf_init(&f->findings);
    f->lx.on_finding = count_findings;
    f->lx.finding_ctx = &f->findings;
}

static void fx_close(fixture_t *f)
{
    dsj_lex_free(&f->lx);
    dsj_source_free(f->src);
    dsj_buf_free(&f->findings);
}

static void test_number_grammar(void)
{
    static const struct { const char *s; int ok, is_int; } cases[] = {
        {"0", 1, 1}, {"-0", 1, 1}, {"12", 1, 1}, {"-12", 1, 1}, {"1.5", 1, 0}, {"8.55", 1, 0}, {"1e5", 1, 0},
        {"1E+5", 1, 0}, {"1.0e-10", 1, 0}, {"0.0", 1, 0}, {"01", 0, 0}, {"+1", 0, 0}, {"1.", 0, 0}, {".5", 0, 0},
        {"1e", 0, 0}, {"1e+", 0, 0}, {"-", 0, 0}, {"--1", 0, 0}, {"1.5.2", 0, 0}, {"1-2", 0, 0}, {"", 0, 0},
        {"-01", 0, 0}, {"1ee2", 0, 0}, {NULL, 0, 0}};
    int i;
    for (i = 0; cases[i].s; i++) {
        int is_int = -1;
        int ok = dsj_lex_number_valid(cases[i].s, strlen(cases[i].s), &is_int);
        CU_ASSERT_EQUAL(ok, cases[i].ok);
        if (ok) CU_ASSERT_EQUAL(is_int, cases[i].is_int);
    }
}

/* Parse one string token from text under every chunk size; compare with the expected bytes. */
static void check_string(const char *text, const char *expect, size_t expect_len, dsj_status_t expect_st)
{
    size_t chunk;
    for (chunk = 1; chunk <= 70; chunk += (chunk < 8 ? 1 : 31)) {
        fixture_t f;
        dsj_buf_t out;
        dsj_status_t st;
        fx_open(&f, text, strlen(text), chunk, 0);
        dsj_buf_init(&out);
        CU_ASSERT_EQUAL(dsj_lex_ws(&f.lx), '"');
        st = dsj_lex_string(&f.lx, &out);
        CU_ASSERT_EQUAL(st, expect_st);
        if (st == DSJ_OK && expect) {
            CU_ASSERT_EQUAL(out.len, expect_len);
            CU_ASSERT(out.len == expect_len && memcmp(out.data ? out.data : "", expect, expect_len) == 0);
        }
        if (st != DSJ_OK) {
            CU_ASSERT_EQUAL(f.lx.error.code, expect_st);
            CU_ASSERT_EQUAL(f.lx.error.line, 1);
            CU_ASSERT(f.lx.error.column >= 1);
        }
        dsj_buf_free(&out);
        fx_close(&f);
    }
}

static void test_strings(void)
{
    check_string("\"plain text\"", "plain text", 10, DSJ_OK);
    check_string("  \"\"", "", 0, DSJ_OK);
    check_string("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "a\"b\\c/d\b\f\n\r\t", 12, DSJ_OK);
    check_string("\"\\u0041\\u00e9\\u20AC\"", "A\xc3\xa9\xe2\x82\xac", 6, DSJ_OK);
    check_string("\"\\ud83d\\ude00!\"", "\xf0\x9f\x98\x80!", 5, DSJ_OK);
    check_string("\"nul\\u0000byte\"", "nul\0byte", 8, DSJ_OK);
    check_string("\"\xe6\x97\xa5\xe6\x9c\xac\"", "\xe6\x97\xa5\xe6\x9c\xac", 6, DSJ_OK);
    check_string("\"unterminated", NULL, 0, DSJ_E_SYNTAX);
    check_string("\"bad \\x escape\"", NULL, 0, DSJ_E_SYNTAX);
    check_string("\"short \\u12\"", NULL, 0, DSJ_E_SYNTAX);
    check_string("\"lone \\udc00 low\"", NULL, 0, DSJ_E_SYNTAX);
    check_string("\"lone \\ud800 high\"", NULL, 0, DSJ_E_SYNTAX);
    check_string("\"high then bad \\ud800\\u0041\"", NULL, 0, DSJ_E_SYNTAX);
    check_string("\"tab\there\"", NULL, 0, DSJ_E_SYNTAX);
    check_string("\"line\nbreak\"", NULL, 0, DSJ_E_SYNTAX);
    check_string("\"ends in escape\\", NULL, 0, DSJ_E_SYNTAX);
    check_string("\"ends in \\u00", NULL, 0, DSJ_E_SYNTAX);
}

static void test_utf8_findings(void)
{
    /* overlong C0 80, encoded surrogate ED A0 80, F5, truncated E6 97 before a quote, lone continuation 80 */
    const char *text = "\"a\xc0\x80" "b\xed\xa0\x80" "c\xf5" "d\x80" "e\xe6\x97\"";
    size_t chunk;
    for (chunk = 1; chunk <= 64; chunk *= 4) {
        fixture_t f;
        dsj_buf_t out;
        fx_open(&f, text, strlen(text), chunk, 0);
        dsj_buf_init(&out);
        CU_ASSERT_EQUAL(dsj_lex_ws(&f.lx), '"');
        CU_ASSERT_EQUAL(dsj_lex_string(&f.lx, &out), DSJ_OK);
        CU_ASSERT_EQUAL(out.len, strlen(text) - 2); /* bytes are kept as they are */
        /* C0 and 80 are two errors; ED then A0 (out of range after ED) and 80; F5; 80; E6 97 as one */
        CU_ASSERT_STRING_EQUAL(f.findings.data,
                               "DSJ-ENC-UTF8@2;DSJ-ENC-UTF8@3;DSJ-ENC-UTF8@5;DSJ-ENC-UTF8@6;DSJ-ENC-UTF8@7;"
                               "DSJ-ENC-UTF8@9;DSJ-ENC-UTF8@11;DSJ-ENC-UTF8@13;");
        dsj_buf_free(&out);
        fx_close(&f);
        fx_open(&f, text, strlen(text), chunk, DSJ_READ_NO_UTF8_CHECK);
        CU_ASSERT_EQUAL(dsj_lex_ws(&f.lx), '"');
        CU_ASSERT_EQUAL(dsj_lex_string(&f.lx, NULL), DSJ_OK);
        CU_ASSERT_PTR_NULL(f.findings.data);
        fx_close(&f);
    }
}

static void test_positions(void)
{
    const char *text = "  1,\n\t\"x\" ,\r\n  true\n\n   -2.5e3]";
    size_t chunk;
    for (chunk = 1; chunk <= 64; chunk *= 2) {
        fixture_t f;
        int which = 0, is_int = 0;
        dsj_buf_t out;
        fx_open(&f, text, strlen(text), chunk, 0);
        dsj_buf_init(&out);
        CU_ASSERT_EQUAL(dsj_lex_ws(&f.lx), '1');
        CU_ASSERT_EQUAL(dsj_lex_offset(&f.lx), 2);
        CU_ASSERT_EQUAL(dsj_lex_number(&f.lx, &out, &is_int), DSJ_OK);
        CU_ASSERT(is_int);
        CU_ASSERT_EQUAL(dsj_lex_ws(&f.lx), ',');
        f.lx.pos++;
        CU_ASSERT_EQUAL(dsj_lex_ws(&f.lx), '"');
        CU_ASSERT_EQUAL(f.lx.line, 2);
        CU_ASSERT_EQUAL(dsj_lex_column_of(&f.lx, dsj_lex_offset(&f.lx)), 2);
        CU_ASSERT_EQUAL(dsj_lex_string(&f.lx, NULL), DSJ_OK);
        CU_ASSERT_EQUAL(dsj_lex_ws(&f.lx), ',');
        f.lx.pos++;
        CU_ASSERT_EQUAL(dsj_lex_ws(&f.lx), 't');
        CU_ASSERT_EQUAL(f.lx.line, 3);
        CU_ASSERT_EQUAL(dsj_lex_column_of(&f.lx, dsj_lex_offset(&f.lx)), 3);
        CU_ASSERT_EQUAL(dsj_lex_literal(&f.lx, &which), DSJ_OK);
        CU_ASSERT_EQUAL(which, 't');
        CU_ASSERT_EQUAL(dsj_lex_ws(&f.lx), '-');
        CU_ASSERT_EQUAL(f.lx.line, 5);
        dsj_buf_reset(&out);
        CU_ASSERT_EQUAL(dsj_lex_number(&f.lx, &out, &is_int), DSJ_OK);
        CU_ASSERT_FALSE(is_int);
        CU_ASSERT(out.len == 6 && memcmp(out.data, "-2.5e3", 6) == 0);
        CU_ASSERT_EQUAL(dsj_lex_ws(&f.lx), ']');
        CU_ASSERT_EQUAL(dsj_lex_column_of(&f.lx, dsj_lex_offset(&f.lx)), 10);
        f.lx.pos++;
        CU_ASSERT_EQUAL(dsj_lex_ws(&f.lx), DSJ_LEX_EOF);
        dsj_buf_free(&out);
        fx_close(&f);
    }
}

static void test_ndjson_row_mode(void)
{
    fixture_t f;
    fx_open(&f, "  \r\n x", 6, 64, 0);
    f.lx.ndjson_row = 1;
    CU_ASSERT_EQUAL(dsj_lex_ws(&f.lx), '\n');
    CU_ASSERT_EQUAL(f.lx.line, 1);
    f.lx.ndjson_row = 0;
    CU_ASSERT_EQUAL(dsj_lex_ws(&f.lx), 'x');
    CU_ASSERT_EQUAL(f.lx.line, 2);
    fx_close(&f);
}

static void test_literals(void)
{
    static const struct { const char *s; dsj_status_t st; int which; } cases[] = {
        {"true", DSJ_OK, 't'}, {"false]", DSJ_OK, 'f'}, {"null,", DSJ_OK, 'n'}, {"nul", DSJ_E_SYNTAX, 0},
        {"tru", DSJ_E_SYNTAX, 0}, {"trUe", DSJ_E_SYNTAX, 0}, {"nullx", DSJ_E_SYNTAX, 0}, {"f", DSJ_E_SYNTAX, 0}, {NULL, 0, 0}};
    int i;
    for (i = 0; cases[i].s; i++) {
        size_t chunk;
        for (chunk = 1; chunk <= 3; chunk++) {
            fixture_t f;
            int which = 0;
            fx_open(&f, cases[i].s, strlen(cases[i].s), chunk, 0);
            dsj_lex_ws(&f.lx);
            CU_ASSERT_EQUAL(dsj_lex_literal(&f.lx, &which), cases[i].st);
            if (cases[i].st == DSJ_OK) CU_ASSERT_EQUAL(which, cases[i].which);
            fx_close(&f);
        }
    }
}

static void test_skip_and_capture(void)
{
    const char *text = "{\"a\": [1, {\"b\": \"]}\\\"\"}, [], {}], \"c\": -0.5e-1, \"d\": [true, false, null]} tail";
    size_t chunk;
    for (chunk = 1; chunk <= 64; chunk = chunk * 2 + 1) {
        fixture_t f;
        dsj_buf_t cap;
        fx_open(&f, text, strlen(text), chunk, 0);
        dsj_buf_init(&cap);
        CU_ASSERT_EQUAL(dsj_lex_ws(&f.lx), '{');
        dsj_lex_capture_start(&f.lx, &cap, NULL);
        CU_ASSERT_EQUAL(dsj_lex_skip_value(&f.lx, 0), DSJ_OK);
        CU_ASSERT_EQUAL(dsj_lex_capture_stop(&f.lx), 0);
        CU_ASSERT_EQUAL(cap.len, strlen(text) - 5);
        CU_ASSERT(cap.len == strlen(text) - 5 && memcmp(cap.data, text, cap.len) == 0);
        CU_ASSERT_EQUAL(dsj_lex_ws(&f.lx), 't');
        dsj_buf_free(&cap);
        fx_close(&f);
    }
}

static void test_skip_errors(void)
{
    static const struct { const char *s; unsigned flags; dsj_status_t st; } cases[] = {
        {"[1,,2]", 0, DSJ_E_SYNTAX}, {"[1,,2]", DSJ_READ_LENIENT, DSJ_OK}, {"[1,]", 0, DSJ_E_SYNTAX},
        {"[1,]", DSJ_READ_LENIENT, DSJ_OK}, {"[,]", DSJ_READ_LENIENT, DSJ_OK}, {"{\"a\":1,}", DSJ_READ_LENIENT, DSJ_E_SYNTAX},
        {"{\"a\" 1}", 0, DSJ_E_SYNTAX}, {"{1:2}", 0, DSJ_E_SYNTAX}, {"[1 2]", 0, DSJ_E_SYNTAX}, {"[1", 0, DSJ_E_SYNTAX},
        {"[[[[[[[[[[1]]]]]]]]]]", 0, DSJ_E_LIMIT}, {"[[[1]]]", 0, DSJ_OK}, {"'a'", 0, DSJ_E_SYNTAX}, {"", 0, DSJ_E_SYNTAX},
        {"[NaN]", 0, DSJ_E_SYNTAX}, {"[Infinity]", 0, DSJ_E_SYNTAX}, {"[-]", 0, DSJ_E_SYNTAX}, {NULL, 0, 0}};
    int i;
    for (i = 0; cases[i].s; i++) {
        fixture_t f;
        fx_open(&f, cases[i].s, strlen(cases[i].s), 2, cases[i].flags);
        f.lx.max_depth = 8;
        CU_ASSERT_EQUAL(dsj_lex_skip_value(&f.lx, 0), cases[i].st);
        fx_close(&f);
    }
}

static void test_string_limit(void)
{
    fixture_t f;
    const char *text = "\"0123456789abcdef\" 123456789012";
    int is_int;
    fx_open(&f, text, strlen(text), 5, 0);
    f.lx.max_string = 10;
    dsj_lex_ws(&f.lx);
    CU_ASSERT_EQUAL(dsj_lex_string(&f.lx, NULL), DSJ_E_LIMIT);
    CU_ASSERT_EQUAL(f.lx.error.offset, 0);
    fx_close(&f);
    /* numbers have their own limit (max_number), not max_string */
    fx_open(&f, text + 19, strlen(text + 19), 5, 0);
    f.lx.max_string = 10;
    CU_ASSERT_EQUAL(dsj_lex_number(&f.lx, NULL, &is_int), DSJ_OK);
    fx_close(&f);
    fx_open(&f, text + 19, strlen(text + 19), 5, 0);
    f.lx.max_number = 10;
    CU_ASSERT_EQUAL(dsj_lex_number(&f.lx, NULL, &is_int), DSJ_E_LIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.lx.error.text, "number longer than the limit of 10 bytes"));
    fx_close(&f);
}

/* A run of white space longer than max_ws (checked at each buffer refill) is DSJ_E_LIMIT. */
static void test_ws_limit(void)
{
    fixture_t f;
    char text[200];
    memset(text, ' ', 150);
    memcpy(text + 150, "[1]", 4);
    fx_open(&f, text, strlen(text), 16, 0);
    f.lx.max_ws = 64;
    CU_ASSERT_EQUAL(dsj_lex_ws(&f.lx), DSJ_LEX_ERR);
    CU_ASSERT_EQUAL(f.lx.error.code, DSJ_E_LIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(f.lx.error.text, "white space longer than the limit of 64 bytes"));
    fx_close(&f);
    fx_open(&f, text, strlen(text), 16, 0);
    f.lx.max_ws = 200;
    CU_ASSERT_EQUAL(dsj_lex_ws(&f.lx), '[');
    fx_close(&f);
}

int main(void)
{
    static const dsj_test_case_t cases[] = {
        {"number grammar", test_number_grammar},
        {"strings and escapes at every chunk size", test_strings},
        {"invalid UTF-8 findings", test_utf8_findings},
        {"line and column tracking", test_positions},
        {"NDJSON row mode stops at newline", test_ndjson_row_mode},
        {"literals", test_literals},
        {"skip with raw capture", test_skip_and_capture},
        {"skip errors, lenient, depth", test_skip_errors},
        {"token length limit", test_string_limit},
        {"white space run limit", test_ws_limit},
        {NULL, NULL}};
    return dsj_test_run("lexer", cases);
}
